//! The `minglu` command: parse arguments, run, map the outcome to an exit code.

mod cli;
mod install_files;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            cli::report_error(&e);
            ExitCode::from(2)
        }
    }
}

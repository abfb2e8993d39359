//! The `minglu` command: parse arguments, run, map the outcome to an exit code.

mod cli;
mod install_files;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::parse();
    let lang = cli::lang(&args);
    match cli::run(args, lang) {
        Ok(code) => code,
        Err(e) => {
            cli::report_error(&e, lang);
            ExitCode::from(2)
        }
    }
}

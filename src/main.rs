//! The `minglu` command: parse arguments, run, map the outcome to an exit code.

mod cli;
mod install_files;

use std::process::ExitCode;

/// mimalloc rather than the system allocator: a build makes and drops
/// millions of small strings and template values on every core, where glibc's
/// malloc spends a sixth of the build's time (and holds more memory).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

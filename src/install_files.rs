//! Files that go beside the installed binary: shell completions and the man pages,
//! both generated from the same clap definition as `--help`, so they cannot drift.
//!
//! Binary-only (declared in `main.rs`); writes to the `impl Write` or folder it is given.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// Writes the completion script for `shell`.
pub(crate) fn completions(shell: Shell, out: &mut dyn Write) {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "minglu", out);
}

/// Every man page: `minglu.1`, then `minglu-<subcommand>.1` for each subcommand.
pub(crate) fn man_pages() -> Vec<(String, Vec<u8>)> {
    let command = Cli::command();
    let version = env!("CARGO_PKG_VERSION");
    let mut pages = vec![("minglu.1".to_owned(), render(command.clone()))];
    for sub in command.get_subcommands() {
        let name = format!("minglu-{}", sub.get_name());
        let page = sub
            .clone()
            .display_name(name.clone())
            .bin_name(format!("minglu {}", sub.get_name()))
            .version(version);
        pages.push((format!("{name}.1"), render(page)));
    }
    pages
}

fn render(command: clap::Command) -> Vec<u8> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut out)
        .expect("writing to memory cannot fail");
    out
}

/// Writes every man page into `dir` (created if missing).
pub(crate) fn write_man_pages(dir: &Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let pages = man_pages();
    for (name, bytes) in &pages {
        std::fs::write(dir.join(name), bytes)?;
    }
    Ok(pages.len())
}

//! Command-line arguments and the handlers that turn them into library calls.
//!
//! This is the only place that prints. Exit codes: 0 success, 1 the content
//! has errors, 2 usage or operational errors.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use minglu::diagnostic::render::{self as diag_render, Format, Sources};
use minglu::diagnostic::{Code, Diagnostics};
use minglu::{BuildOptions, CheckOptions, Error, Report};

const AFTER_HELP: &str = "Exit codes:\n  0  success (warnings allowed)\n  1  the content has errors (nothing was written)\n  2  usage or operational error (bad arguments, unreadable files, …)";

/// minglu (名录): build versioned public websites for policy registers from YAML in git.
#[derive(Debug, Parser)]
#[command(name = "minglu", version, about, after_help = AFTER_HELP)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the content, then build the site into the output folder.
    #[command(after_help = AFTER_HELP)]
    Build(BuildArgs),
    /// Check everything and print diagnostics; writes nothing.
    #[command(after_help = AFTER_HELP)]
    Check(CheckArgs),
    /// Show what changed between two states of the registers (default: newest edition → working copy).
    #[command(after_help = DIFF_AFTER_HELP)]
    Diff(DiffArgs),
    /// Freeze a register's working copy as a new edition (writes lists/<LIST>/editions/<ID>/).
    #[command(after_help = AFTER_HELP)]
    Release(ReleaseArgs),
    /// Create a new minimal site in DIR (which must be new or empty).
    #[command(after_help = AFTER_HELP)]
    Init(InitArgs),
    /// Preview the site locally: build in memory, serve it, rebuild and reload on every save.
    #[command(after_help = SERVE_AFTER_HELP)]
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
struct Common {
    /// The site root: the folder holding content/ (and optionally themes/).
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// Print only diagnostics and errors, no summary.
    #[arg(long, short)]
    quiet: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
}

#[derive(Debug, clap::Args)]
struct BuildArgs {
    #[command(flatten)]
    common: Common,
    /// Output folder [default: <root>/public].
    #[arg(long, short, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Publish under this URL instead of site.yaml's `base_url` (for preview deployments).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Also build /draft/: the working copies with their pending changes (for previews).
    #[arg(long)]
    drafts: bool,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    #[command(flatten)]
    common: Common,
    /// Explain a diagnostic code (what, why, example, fix) and exit.
    #[arg(long, value_name = "CODE")]
    explain: Option<String>,
}

const DIFF_AFTER_HELP: &str = "Exit codes:\n  0  success, whether or not there are changes (with --exit-code: no changes)\n  1  with --exit-code: changes found; or the content has errors\n  2  usage or operational error (unknown register or edition, …)";

#[derive(Debug, clap::Args)]
struct DiffArgs {
    /// Only this register (its key, e.g. `stamp`); default: every register.
    list: Option<String>,
    /// The site root: the folder holding content/.
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// Compare from this edition [default: the edition before --to, or the newest edition].
    #[arg(long, value_name = "EDITION")]
    from: Option<String>,
    /// Compare to this edition, or `working` for the working copy.
    #[arg(long, value_name = "EDITION", default_value = "working")]
    to: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// Exit with 1 when there are changes (like `git diff --exit-code`).
    #[arg(long)]
    exit_code: bool,
}

#[derive(Debug, clap::Args)]
struct ReleaseArgs {
    /// The register's key (e.g. `stamp`).
    list: String,
    /// The new edition's id, which becomes its folder and URL (e.g. `2021`).
    id: String,
    /// The site root: the folder holding content/.
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// Label, e.g. 2021年版 or 第二批.
    #[arg(long)]
    label: String,
    /// Kind of edition: year, batch, revision or trial.
    #[arg(long, value_parser = parse_kind)]
    kind: minglu::model::EditionKind,
    /// The official document's title (文件标题).
    #[arg(long)]
    title: String,
    /// Document number (文号), e.g. 示民〔2021〕3号.
    #[arg(long)]
    doc_number: Option<String>,
    /// Issuing authority (发布机关); repeat for several.
    #[arg(long = "issuer", required = true)]
    issuers: Vec<String>,
    /// Publication date, YYYY-MM-DD.
    #[arg(long, value_parser = parse_date)]
    published: jiff::civil::Date,
    /// Effective date, YYYY-MM-DD (on or after --published).
    #[arg(long, value_parser = parse_date)]
    effective: jiff::civil::Date,
    /// Expiry date, YYYY-MM-DD.
    #[arg(long, value_parser = parse_date)]
    expires: Option<jiff::civil::Date>,
    /// A Markdown file with the edition's notes.
    #[arg(long, value_name = "FILE")]
    notes_file: Option<PathBuf>,
    /// A YAML file of `ID: reason` lines (start from `minglu diff --format reasons`).
    #[arg(long, value_name = "FILE")]
    reasons_file: Option<PathBuf>,
    /// URL of the official publication; repeat for several.
    #[arg(long = "source", value_name = "URL")]
    sources: Vec<String>,
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    let bytes = s.as_bytes();
    let shaped = bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-';
    shaped
        .then(|| s.parse::<jiff::civil::Date>().ok())
        .flatten()
        .ok_or_else(|| format!("`{s}` is not a real YYYY-MM-DD date"))
}

fn parse_kind(s: &str) -> Result<minglu::model::EditionKind, String> {
    use minglu::model::Choice;
    minglu::model::EditionKind::from_name(s).ok_or_else(|| {
        format!(
            "use one of: {}",
            minglu::model::EditionKind::names().join(", ")
        )
    })
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum DiffFormat {
    /// For a terminal.
    Text,
    /// For a pull-request comment.
    Markdown,
    /// For tools.
    Json,
    /// A skeleton `--reasons-file` for `minglu release`.
    Reasons,
}

#[derive(Debug, clap::Args)]
struct InitArgs {
    /// The folder to create the site in.
    dir: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    /// Human-readable, with source excerpts.
    Text,
    /// One JSON object per line (on stdout).
    Json,
    /// GitHub Actions annotations (on stdout).
    Github,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Text => Format::Text,
            FormatArg::Json => Format::Json,
            FormatArg::Github => Format::Github,
        }
    }
}

/// Runs a command; `Err` is an operational failure (exit 2).
pub(crate) fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Build(args) => build(&args),
        Command::Check(args) => check(&args),
        Command::Diff(args) => diff(&args),
        Command::Release(args) => release(&args),
        Command::Init(args) => init(&args),
        Command::Serve(args) => serve(&args),
    }
}

fn today() -> Result<jiff::civil::Date, Error> {
    minglu::today_from_env().map_err(|m| Error::Read {
        path: "SOURCE_DATE_EPOCH".into(),
        source: std::io::Error::other(m),
    })
}

fn build(args: &BuildArgs) -> Result<ExitCode, Error> {
    let c = &args.common;
    let options = BuildOptions {
        output: args.output.clone().unwrap_or_else(|| c.root.join("public")),
        root: c.root.clone(),
        base_url: args.base_url.clone(),
        today: today()?,
        drafts: args.drafts,
    };
    match minglu::build(&options) {
        Ok(summary) => {
            print_diagnostics(&summary.report, c.format.into());
            if !c.quiet {
                eprintln!(
                    "built {} pages ({} files{}) into {} in {:.2} s{}",
                    summary.pages,
                    summary.files,
                    reused_suffix(summary.reused_pages),
                    options.output.display(),
                    summary.elapsed.as_secs_f64(),
                    warnings_suffix(&summary.report.diagnostics)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::Content(report)) => {
            print_diagnostics(&report, c.format.into());
            if !c.quiet {
                eprintln!(
                    "build failed: {}; {} was not changed",
                    counts(&report.diagnostics),
                    options.output.display()
                );
            }
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e),
    }
}

fn check(args: &CheckArgs) -> Result<ExitCode, Error> {
    if let Some(name) = &args.explain {
        return Ok(explain(name));
    }
    let c = &args.common;
    let report = minglu::check(&CheckOptions {
        root: c.root.clone(),
        today: today()?,
    })?;
    print_diagnostics(&report, c.format.into());
    if !c.quiet {
        eprintln!(
            "checked {} files: {}",
            report.files.len(),
            counts(&report.diagnostics)
        );
    }
    Ok(if report.diagnostics.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn diff(args: &DiffArgs) -> Result<ExitCode, Error> {
    use minglu::history::format::{self, Labels};
    let options = minglu::DiffOptions {
        root: args.root.clone(),
        selection: minglu::history::select::Selection {
            list: args.list.clone(),
            from: args.from.clone(),
            to: Some(args.to.clone()),
        },
        today: today()?,
    };
    let report = match minglu::diff(&options) {
        Ok(r) => r,
        Err(Error::Content(report)) => {
            print_diagnostics(&report, Format::Text);
            eprintln!(
                "diff refused: {}; fix them first (a broken item would look removed)",
                counts(&report.diagnostics)
            );
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e),
    };
    let labels = Labels::new(report.language);
    let text = match args.format {
        DiffFormat::Text => format::text(&report.lists, &labels),
        DiffFormat::Markdown => format::markdown(&report.lists, &labels),
        DiffFormat::Json => format::json(&report.lists),
        DiffFormat::Reasons => format::reasons(&report.lists, &labels),
    };
    write_stdout(&text);
    let changed = report.lists.iter().any(|l| !l.diff.is_empty());
    Ok(if args.exit_code && changed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn release(args: &ReleaseArgs) -> Result<ExitCode, Error> {
    let notes = match &args.notes_file {
        Some(path) => Some(std::fs::read_to_string(path).map_err(Error::read(path))?),
        None => None,
    };
    let options = minglu::release::ReleaseOptions {
        root: args.root.clone(),
        list: args.list.clone(),
        id: args.id.clone(),
        label: args.label.clone(),
        kind: args.kind,
        title: args.title.clone(),
        doc_number: args.doc_number.clone(),
        issuers: args.issuers.clone(),
        published: args.published,
        effective: args.effective,
        expires: args.expires,
        notes,
        reasons_file: args.reasons_file.clone(),
        sources: args.sources.clone(),
        today: today()?,
    };
    match minglu::release::release(&options) {
        Ok(summary) => {
            for w in &summary.warnings {
                eprintln!("warning: {w}");
            }
            let (a, r, c) = summary.counts;
            eprintln!(
                "released {} {} into {} ({} files): {a} added, {r} removed, {c} changed",
                args.list,
                args.id,
                summary.dir.display(),
                summary.files
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::Content(report)) => {
            print_diagnostics(&report, Format::Text);
            eprintln!(
                "release refused: {}; nothing was written",
                counts(&report.diagnostics)
            );
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e),
    }
}

fn init(args: &InitArgs) -> Result<ExitCode, Error> {
    let written = minglu::init::init(&args.dir)?;
    for file in &written {
        eprintln!("created {}", args.dir.join(file).display());
    }
    eprintln!("next: minglu build --root {}", args.dir.display());
    Ok(ExitCode::SUCCESS)
}

const SERVE_AFTER_HELP: &str = "The site is built in memory (public/ is never touched), served with its base URL set to the local address, and rebuilt when content/ or themes/ change; open pages reload, and show content errors over the last good build.\n\nExit codes:\n  0  stopped by Ctrl-C or SIGTERM\n  2  the port is taken, or another operational error";

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// The site root: the folder holding content/ (and optionally themes/).
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// The port to listen on (0 picks a free one).
    #[arg(long, short, default_value_t = 1111)]
    port: u16,
    /// The address to listen on; anything but loopback makes the preview (drafts
    /// included) readable from other machines.
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    interface: std::net::IpAddr,
    /// Also build /draft/: the working copies with their pending changes.
    #[arg(long)]
    drafts: bool,
    /// Open the site in the default browser.
    #[arg(long)]
    open: bool,
}

fn serve(args: &ServeArgs) -> Result<ExitCode, Error> {
    use minglu::serve::{self, ServeError, ServeOptions};
    let options = ServeOptions {
        root: args.root.clone(),
        interface: args.interface,
        port: args.port,
        drafts: args.drafts,
        today: today()?,
        color: std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        open: args.open,
    };
    let log: serve::Log = std::sync::Arc::new(|text: &str| eprintln!("{text}"));
    let (stop, stopped) = std::sync::mpsc::channel();
    // Kept so that a failed handler installation does not look like a stop request.
    let _keep = stop.clone();
    let result = serve::bind(options).and_then(|server| {
        // Ctrl-C and SIGTERM (the `termination` feature) both stop the server cleanly.
        if let Err(e) = ctrlc::set_handler(move || {
            let _ = stop.send(());
        }) {
            eprintln!("warning: cannot handle Ctrl-C ({e}); stop the server with a signal");
        }
        server.run(&stopped, &log)
    });
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(ServeError::Site(e)) => Err(e),
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            Ok(ExitCode::from(2))
        }
    }
}

fn explain(name: &str) -> ExitCode {
    let Some(code) = Code::from_name(name) else {
        let all: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        eprintln!(
            "error: unknown code `{name}`\nknown codes: {}",
            all.join(", ")
        );
        return ExitCode::from(2);
    };
    let r = code.rule();
    write_stdout(&format!(
        "{}\n\nWhat it checks\n  {}\n\nWhy\n  {}\n\nExample\n  {}\n\nFix\n  {}\n",
        code,
        r.what,
        r.why,
        r.example.replace('\n', "\n  "),
        r.fix
    ));
    ExitCode::SUCCESS
}

fn counts(d: &Diagnostics) -> String {
    format!(
        "{} error(s), {} warning(s)",
        d.error_count(),
        d.warning_count()
    )
}

fn reused_suffix(reused: usize) -> String {
    match reused {
        0 => String::new(),
        n => format!("; {n} unchanged frozen pages kept from the previous build"),
    }
}

fn warnings_suffix(d: &Diagnostics) -> String {
    match d.warning_count() {
        0 => String::new(),
        n => format!(" ({n} warning(s))"),
    }
}

fn print_diagnostics(report: &Report, format: Format) {
    if report.diagnostics.is_empty() {
        return;
    }
    let mut sources = Sources::new(&report.root, &report.files);
    match format {
        Format::Text => {
            let color = std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            eprint!(
                "{}",
                diag_render::render(&report.diagnostics, &mut sources, format, color)
            );
        }
        Format::Json | Format::Github => write_stdout(&diag_render::render(
            &report.diagnostics,
            &mut sources,
            format,
            false,
        )),
    }
}

/// Writes to stdout; a closed pipe (`minglu check --format json | head`) is not an error.
fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// Prints an operational error and its causes.
pub(crate) fn report_error(e: &Error) {
    eprintln!("error: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        eprintln!("  caused by: {s}");
        source = s.source();
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Cli::command().debug_assert();
    }
}

//! Command-line arguments and the handlers that turn them into library calls.
//!
//! This is the only place that prints. Exit codes: 0 success, 1 the content
//! has errors, 2 usage or operational errors.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use minglu::diagnostic::render::{self as diag_render, Format, Sources};
use minglu::diagnostic::{Code, Diagnostics, Lang, Text};
use minglu::t;
use minglu::text_safety::neutralise;
use minglu::{BuildOptions, CheckOptions, Error, Report};

/// `eprintln!` through [`write_stderr`].
macro_rules! say {
    ($($arg:tt)*) => {
        write_stderr(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// Prints one line of a [`Text`] in `lang` on stderr.
fn tell(lang: Lang, text: &Text) {
    say!("{}", text.get(lang));
}

const AFTER_HELP: &str = "Exit codes:\n  0  success (warnings allowed)\n  1  the content has errors (nothing was written)\n  2  usage or operational error (bad arguments, unreadable files, a refused --output, …)\n  130/143  interrupted by SIGINT/SIGTERM (the staging folder is removed)\n\nEnvironment:\n  MINGLU_MAX_FILE_SIZE  the largest file minglu reads (default 16M; K, M, G suffixes)\n  SOURCE_DATE_EPOCH     \"today\" for reproducible builds";

/// minglu (名录): build versioned public websites for policy registers from YAML in git.
#[derive(Debug, Parser)]
#[command(name = "minglu", version, about, after_help = AFTER_HELP)]
pub(crate) struct Cli {
    /// Language of messages: zh (Chinese) or en (English) [default: the site's `language`, else LANG].
    #[arg(
        long,
        global = true,
        value_enum,
        env = "MINGLU_LANG",
        value_name = "LANG"
    )]
    lang: Option<LangArg>,
    /// Whether `--lang` was on the command line (not from `MINGLU_LANG`): only
    /// then does it override the site's language in `diff`'s output.
    #[arg(skip)]
    lang_flag: bool,
    #[command(subcommand)]
    command: Command,
}

/// Parses the command line (exiting with clap's message on a usage error).
pub(crate) fn parse() -> Cli {
    use clap::{CommandFactory, FromArgMatches, parser::ValueSource};
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cli.lang_flag = matches.value_source("lang") == Some(ValueSource::CommandLine);
    cli
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LangArg {
    /// 简体中文
    Zh,
    /// English
    En,
}

/// The language of messages: `--lang` (or `MINGLU_LANG`), else the `language`
/// of the site's content/site.yaml, else the locale (`LC_ALL`, `LC_MESSAGES`,
/// `LANG`, the first one set), else English.
pub(crate) fn lang(cli: &Cli) -> Lang {
    if let Some(l) = cli.lang {
        return match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        };
    }
    let root = match &cli.command {
        Command::Build(a) => Some(&a.common.root),
        Command::Check(a) => Some(&a.common.root),
        Command::Diff(a) => Some(&a.root),
        Command::Release(a) => Some(&a.root),
        Command::Serve(a) => Some(&a.root),
        Command::Init(_) | Command::Completions(_) | Command::Man(_) | Command::Schema(_) => None,
    };
    if let Some(language) = root.and_then(|r| minglu::content::site_language(r)) {
        return match language {
            minglu::model::Language::ZhCn => Lang::Zh,
            minglu::model::Language::En => Lang::En,
        };
    }
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.is_empty()))
        .and_then(|locale| Lang::from_locale(&locale))
        .unwrap_or(Lang::En)
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
    Release(Box<ReleaseArgs>),
    /// Create a new minimal site in DIR (which must be new or empty).
    #[command(after_help = AFTER_HELP)]
    Init(InitArgs),
    /// Preview the site locally: build in memory, serve it, rebuild and reload on every save.
    #[command(after_help = SERVE_AFTER_HELP)]
    Serve(ServeArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command into a folder.
    Man(ManArgs),
    /// Write the JSON Schemas of the content files (site, departments, list, items, edition).
    Schema(SchemaArgs),
}

#[derive(Debug, clap::Args)]
struct SchemaArgs {
    /// The folder to write site.json, departments.json, list.json, item-<kind>.json and edition.json into.
    #[arg(long, short, value_name = "DIR", default_value = "schema/v1")]
    output: PathBuf,
}

#[derive(Debug, clap::Args)]
struct ManArgs {
    /// Write minglu.1 and minglu-<command>.1 into DIR instead of printing minglu.1.
    #[arg(long, short, value_name = "DIR")]
    output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
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
    /// Replace the output folder even if minglu did not write it (it has no .minglu-output file).
    #[arg(long)]
    force: bool,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    #[command(flatten)]
    common: Common,
    /// Explain a diagnostic code (what, why, example, fix) and exit.
    #[arg(long, value_name = "CODE")]
    explain: Option<String>,
    /// Neither read nor write the check cache (<root>/.public.minglu-check-cache, which
    /// lets a second check skip reading unchanged files and rendering unchanged pages).
    #[arg(long)]
    no_cache: bool,
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
    #[arg(long)]
    kind: String,
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
    #[arg(long)]
    published: String,
    /// Effective date, YYYY-MM-DD (on or after --published).
    #[arg(long)]
    effective: String,
    /// Expiry date, YYYY-MM-DD.
    #[arg(long)]
    expires: Option<String>,
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

// Values are checked here rather than by clap, whose messages are English only.

fn parse_date(flag: &'static str, s: &str) -> Result<jiff::civil::Date, Error> {
    let bytes = s.as_bytes();
    let shaped = bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-';
    shaped
        .then(|| s.parse::<jiff::civil::Date>().ok())
        .flatten()
        .ok_or_else(|| Error::BadArgument {
            flag,
            value: s.to_owned(),
            problem: t!(
                en: "it is not a real YYYY-MM-DD date",
                zh: "它不是真实存在的日期（格式为 YYYY-MM-DD）"
            ),
        })
}

fn parse_base_url(s: &str) -> Result<String, Error> {
    match minglu::content::base_url_problem(s) {
        None => Ok(s.to_owned()),
        Some(problem) => {
            let (pe, pz) = (problem.en, problem.zh);
            Err(Error::BadArgument {
                flag: "--base-url",
                value: s.to_owned(),
                problem: t!(en: "the base URL {pe}", zh: "网站根地址{pz}"),
            })
        }
    }
}

fn parse_kind(s: &str) -> Result<minglu::model::EditionKind, Error> {
    use minglu::model::Choice;
    minglu::model::EditionKind::from_name(s).ok_or_else(|| {
        let names = minglu::model::EditionKind::names().join(", ");
        let names_zh = minglu::diagnostic::code_list(&minglu::model::EditionKind::names());
        Error::BadArgument {
            flag: "--kind",
            value: s.to_owned(),
            problem: t!(en: "use one of: {names}", zh: "请使用以下之一：{names_zh}"),
        }
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
    /// CSV (UTF-8 with BOM, CRLF): one row per changed field, the columns of /data/<list>.changes.csv.
    Csv,
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
    /// A GitLab code quality report: one JSON array (on stdout).
    Gitlab,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Text => Format::Text,
            FormatArg::Json => Format::Json,
            FormatArg::Github => Format::Github,
            FormatArg::Gitlab => Format::Gitlab,
        }
    }
}

/// Runs a command; `Err` is an operational failure (exit 2).
pub(crate) fn run(cli: Cli, lang: Lang) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Build(args) => build(&args, lang),
        Command::Check(args) => check(&args, lang),
        // The labels of diff's output follow the site, unless --lang says otherwise.
        Command::Diff(args) => diff(&args, lang, cli.lang_flag),
        Command::Release(args) => release(&args, lang),
        Command::Init(args) => init(&args, lang),
        Command::Completions(args) => {
            let mut out = Vec::new();
            crate::install_files::completions(args.shell, &mut out);
            write_out(
                &mut std::io::stdout().lock(),
                &String::from_utf8_lossy(&out),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Man(args) => man(&args, lang),
        Command::Schema(args) => schema(&args, lang),
        Command::Serve(args) => serve(&args, lang),
    }
}

fn schema(args: &SchemaArgs, lang: Lang) -> Result<ExitCode, Error> {
    let dir = &args.output;
    std::fs::create_dir_all(dir).map_err(Error::write(dir))?;
    let files = minglu::plan::SchemaFile::all();
    for file in &files {
        let path = dir.join(file.file_name());
        std::fs::write(&path, minglu::export::schema::schema_file(*file))
            .map_err(Error::write(&path))?;
    }
    let (n, shown) = (files.len(), dir.display());
    tell(
        lang,
        &t!(en: "wrote {n} schemas into {shown}", zh: "已将 {n} 个 JSON Schema 写入 {shown}"),
    );
    Ok(ExitCode::SUCCESS)
}

fn man(args: &ManArgs, lang: Lang) -> Result<ExitCode, Error> {
    let Some(dir) = &args.output else {
        let pages = crate::install_files::man_pages();
        write_out(
            &mut std::io::stdout().lock(),
            &String::from_utf8_lossy(&pages[0].1),
        );
        return Ok(ExitCode::SUCCESS);
    };
    let n = crate::install_files::write_man_pages(dir).map_err(|source| Error::Write {
        path: dir.clone(),
        source,
    })?;
    let dir = dir.display();
    tell(
        lang,
        &t!(en: "wrote {n} man pages into {dir}", zh: "已把 {n} 个 man 手册页写入 {dir}"),
    );
    Ok(ExitCode::SUCCESS)
}

fn today() -> Result<jiff::civil::Date, Error> {
    minglu::today_from_env()
}

fn build(args: &BuildArgs, lang: Lang) -> Result<ExitCode, Error> {
    let c = &args.common;
    let options = BuildOptions {
        output: args.output.clone().unwrap_or_else(|| c.root.join("public")),
        root: c.root.clone(),
        base_url: args.base_url.as_deref().map(parse_base_url).transpose()?,
        today: today()?,
        drafts: args.drafts,
        force: args.force,
        search: true,
    };
    match minglu::build(&options) {
        Ok(summary) => {
            print_diagnostics(&summary.report, c.format.into(), lang);
            if !c.quiet {
                let (pages, files) = (summary.pages, summary.files);
                let (out, secs) = (options.output.display(), summary.elapsed.as_secs_f64());
                let search = summary.search_elapsed.as_secs_f64();
                let reused = reused_suffix(summary.reused_pages);
                let warned = warnings_suffix(&summary.report.diagnostics);
                let (re, rz, we, wz) = (reused.en, reused.zh, warned.en, warned.zh);
                tell(
                    lang,
                    &t!(
                        en: "built {pages} pages ({files} files{re}) into {out} in {secs:.2} s (search index {search:.2} s){we}",
                        zh: "已生成 {pages} 个页面（{files} 个文件{rz}），输出到 {out}，用时 {secs:.2} 秒（其中搜索索引 {search:.2} 秒）{wz}"
                    ),
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::Content(report)) => {
            print_diagnostics(&report, c.format.into(), lang);
            if !c.quiet {
                let (n, out) = (counts(&report.diagnostics), options.output.display());
                let (ne, nz) = (n.en, n.zh);
                tell(
                    lang,
                    &t!(
                        en: "build failed: {ne}; {out} was not changed",
                        zh: "生成失败：{nz}；{out} 未作任何改动"
                    ),
                );
            }
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e),
    }
}

/// The check cache's name, beside the default output folder (as `build`'s reuse
/// cache `.public.minglu-cache.json` is).
const CHECK_CACHE: &str = ".public.minglu-check-cache";

fn check(args: &CheckArgs, lang: Lang) -> Result<ExitCode, Error> {
    if let Some(name) = &args.explain {
        return Ok(explain(name, lang));
    }
    let c = &args.common;
    let options = CheckOptions {
        root: c.root.clone(),
        today: today()?,
    };
    let (report, reused) = if args.no_cache {
        (minglu::check(&options)?, minglu::Reused::default())
    } else {
        minglu::check_with_cache(&options, &c.root.join(CHECK_CACHE))?
    };
    print_diagnostics(&report, c.format.into(), lang);
    if !c.quiet && reused != minglu::Reused::default() {
        let (files, pages) = (reused.files, reused.pages);
        tell(
            lang,
            &t!(
                en: "from the check cache: {files} unchanged files not read again, {pages} unchanged pages not rendered again",
                zh: "使用了检查缓存：{files} 个未改动的文件无需重新读取，{pages} 个未改动的页面无需重新生成"
            ),
        );
    }
    if !c.quiet {
        let (files, n) = (report.files.len(), counts(&report.diagnostics));
        let (ne, nz) = (n.en, n.zh);
        tell(
            lang,
            &t!(en: "checked {files} files: {ne}", zh: "已检查 {files} 个文件：{nz}"),
        );
    }
    Ok(if report.diagnostics.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn diff(args: &DiffArgs, lang: Lang, lang_given: bool) -> Result<ExitCode, Error> {
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
            print_diagnostics(&report, Format::Text, lang);
            let n = counts(&report.diagnostics);
            let (ne, nz) = (n.en, n.zh);
            tell(
                lang,
                &t!(
                    en: "diff refused: {ne}; fix them first (a broken item would look removed)",
                    zh: "无法比较：{nz}；请先改正（有错误的事项会被误认为已删除）"
                ),
            );
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e),
    };
    let labels = Labels::new(match (lang_given, lang) {
        (false, _) => report.language,
        (true, Lang::Zh) => minglu::model::Language::ZhCn,
        (true, Lang::En) => minglu::model::Language::En,
    });
    let text = match args.format {
        DiffFormat::Text => format::text(&report.lists, &labels),
        DiffFormat::Markdown => format::markdown(&report.lists, &labels),
        DiffFormat::Json => format::json(&report.lists),
        DiffFormat::Reasons => format::reasons(&report.lists, &labels),
        // Cells are neutralised by the writer; CRLF must stay as it is.
        DiffFormat::Csv => {
            write_out(
                &mut std::io::stdout().lock(),
                &minglu::export::changes_csv(&report.lists),
            );
            String::new()
        }
    };
    write_stdout(&text);
    let changed = report.lists.iter().any(|l| !l.diff.is_empty());
    Ok(if args.exit_code && changed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn release(args: &ReleaseArgs, lang: Lang) -> Result<ExitCode, Error> {
    let notes = match &args.notes_file {
        Some(path) => Some(minglu::site_files::read_cli_text(path)?),
        None => None,
    };
    let options = minglu::release::ReleaseOptions {
        root: args.root.clone(),
        list: args.list.clone(),
        id: args.id.clone(),
        label: args.label.clone(),
        kind: parse_kind(&args.kind)?,
        title: args.title.clone(),
        doc_number: args.doc_number.clone(),
        issuers: args.issuers.clone(),
        published: parse_date("--published", &args.published)?,
        effective: parse_date("--effective", &args.effective)?,
        expires: args
            .expires
            .as_deref()
            .map(|x| parse_date("--expires", x))
            .transpose()?,
        notes,
        reasons_file: args.reasons_file.clone(),
        sources: args.sources.clone(),
        today: today()?,
    };
    match minglu::release::release(&options) {
        Ok(summary) => {
            for w in &summary.warnings {
                let (we, wz) = (&w.en, &w.zh);
                tell(lang, &t!(en: "warning: {we}", zh: "警告：{wz}"));
            }
            let (a, r, c) = summary.counts;
            let (list, id, dir, files) =
                (&args.list, &args.id, summary.dir.display(), summary.files);
            tell(
                lang,
                &t!(
                    en: "released {list} {id} into {dir} ({files} files): {a} added, {r} removed, {c} changed",
                    zh: "已发布名录 {list} 的版本 {id}，写入 {dir}（{files} 个文件）：新增 {a} 项，退出 {r} 项，调整 {c} 项"
                ),
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::Content(report)) => {
            print_diagnostics(&report, Format::Text, lang);
            let n = counts(&report.diagnostics);
            let (ne, nz) = (n.en, n.zh);
            tell(
                lang,
                &t!(
                    en: "release refused: {ne}; nothing was written",
                    zh: "拒绝发布：{nz}；没有写入任何文件"
                ),
            );
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e),
    }
}

fn init(args: &InitArgs, lang: Lang) -> Result<ExitCode, Error> {
    let written = minglu::init::init(&args.dir)?;
    for file in &written {
        let path = args.dir.join(file);
        let path = path.display();
        tell(lang, &t!(en: "created {path}", zh: "已创建 {path}"));
    }
    let dir = args.dir.display();
    tell(
        lang,
        &t!(en: "next: minglu build --root {dir}", zh: "下一步：minglu build --root {dir}"),
    );
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

fn serve(args: &ServeArgs, lang: Lang) -> Result<ExitCode, Error> {
    use minglu::serve::{self, ServeError, ServeOptions};
    let options = ServeOptions {
        root: args.root.clone(),
        interface: args.interface,
        port: args.port,
        drafts: args.drafts,
        today: today()?,
        color: std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        lang,
        open: args.open,
    };
    let log: serve::Log = std::sync::Arc::new(|text: &str| eprintln!("{text}"));
    let (stop, stopped) = std::sync::mpsc::channel();
    // Kept so that a failed handler installation does not look like a stop request.
    let _keep = stop.clone();
    let result = serve::bind(options).and_then(|server| {
        stop_on_signals(stop);
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

/// Ctrl-C (SIGINT) and SIGTERM both stop the server cleanly: a thread waits
/// for either and tells `serve` to stop.
fn stop_on_signals(stop: std::sync::mpsc::Sender<()>) {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
            Ok(mut signals) => {
                std::thread::spawn(move || {
                    if signals.forever().next().is_some() {
                        let _ = stop.send(());
                    }
                });
            }
            Err(e) => {
                eprintln!("warning: cannot handle Ctrl-C ({e}); stop the server with a signal");
            }
        }
    }
    #[cfg(not(unix))]
    drop(stop);
}

fn explain(name: &str, lang: Lang) -> ExitCode {
    let Some(code) = Code::from_name(name) else {
        let all = Code::ALL.map(Code::as_str).join(", ");
        tell(
            lang,
            &t!(
                en: "error: unknown code `{name}`\nknown codes: {all}",
                zh: "错误：未知的代码 `{name}`\n已有的代码：{all}"
            ),
        );
        return ExitCode::from(2);
    };
    write_stdout(&code.rule_in(lang).explain());
    ExitCode::SUCCESS
}

fn counts(d: &Diagnostics) -> Text {
    let (e, w) = (d.error_count(), d.warning_count());
    t!(en: "{e} error(s), {w} warning(s)", zh: "{e} 个错误，{w} 个警告")
}

fn reused_suffix(reused: usize) -> Text {
    match reused {
        0 => Text::new("", ""),
        n => t!(
            en: "; {n} unchanged frozen pages kept from the previous build",
            zh: "；其中 {n} 个未变化的已冻结页面沿用上次的结果"
        ),
    }
}

fn warnings_suffix(d: &Diagnostics) -> Text {
    match d.warning_count() {
        0 => Text::new("", ""),
        n => t!(en: " ({n} warning(s))", zh: "（{n} 个警告）"),
    }
}

fn print_diagnostics(report: &Report, format: Format, lang: Lang) {
    // A code quality report is a file GitLab reads: it is written even when empty.
    if report.diagnostics.is_empty() && format != Format::Gitlab {
        return;
    }
    let mut sources = Sources::new(
        &report.root,
        &report.files,
        minglu::site_files::read_excerpt_source,
    );
    match format {
        Format::Text => {
            let color = std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            write_stderr(&diag_render::render(
                &report.diagnostics,
                &mut sources,
                format,
                color,
                lang,
            ));
        }
        Format::Json | Format::Gitlab => write_stdout(&diag_render::render(
            &report.diagnostics,
            &mut sources,
            format,
            false,
            lang,
        )),
        // These lines are workflow commands by design; their data is escaped by the renderer.
        Format::Github => write_out(
            &mut std::io::stdout().lock(),
            &diag_render::render(&report.diagnostics, &mut sources, format, false, lang),
        ),
    }
}

/// Writes to stdout. Text from content is neutralised on the way out (control
/// characters pictured, no workflow commands). A closed pipe (`minglu check
/// --format json | head -1`) ends the output but not the command: the exit code
/// stays the one the result calls for.
fn write_stdout(text: &str) {
    write_out(&mut std::io::stdout().lock(), &neutralise(text));
}

/// Writes and flushes, ignoring a closed pipe or any other write failure.
fn write_out(out: &mut impl Write, text: &str) {
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Writes to stderr like [`write_stdout`]; never panics on a closed pipe (which
/// `eprint!` does).
fn write_stderr(text: &str) {
    write_out(&mut std::io::stderr().lock(), &neutralise(text));
}

/// Prints an operational error and its causes (whose words come from the
/// operating system or a library, and are printed as they are).
pub(crate) fn report_error(e: &Error, lang: Lang) {
    let message = e.text();
    let (me, mz) = (message.en, message.zh);
    tell(lang, &t!(en: "error: {me}", zh: "错误：{mz}"));
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        tell(lang, &t!(en: "  caused by: {s}", zh: "  原因：{s}"));
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

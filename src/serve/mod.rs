//! SERVE: a local preview server that rebuilds on every save.
//!
//! It sits on top of the whole pipeline (like `build`, it calls load → check →
//! history → plan → render → search, through [`crate::preview()`], incrementally
//! after the first build: see [`rebuild`]) and never writes to the user's
//! `public/`: the build lives in memory, except the pages of frozen editions,
//! which go to a private temporary folder ([`store`]).
//!
//! ```text
//! watch (content/, themes/) ──changes──▶ rebuild ──▶ publish ──▶ state (last good build)
//!                                                       └──▶ events (SSE: reload / overlay / clear)
//! connections ◀── requests, answered from state only
//! ```
//!
//! - [`route`] turns request targets into output paths and refuses traversal;
//! - [`conn`] accepts connections and reads their requests;
//! - [`http`] answers requests (files, 404 page, the live script, the event stream);
//! - [`watch`] reports debounced changes; [`rebuild`] turns them into a new build;
//! - [`events`] tells each open page whether to reload; [`overlay`] shows errors;
//! - [`state`] holds the last good build and the current problems; [`store`]
//!   keeps its files.

pub mod conn;
pub mod events;
pub mod http;
pub mod mime;
pub mod overlay;
pub mod rebuild;
pub mod route;
pub mod state;
pub mod store;
pub mod watch;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use jiff::civil::Date;

use events::frame;
use rebuild::{Changes, Context, Memory, Outcome};
use state::State;

/// How `serve` runs.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The site root (holding `content/`).
    pub root: PathBuf,
    /// The address to listen on (loopback unless the user asks otherwise).
    pub interface: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Also build `/draft/` from the working copies.
    pub drafts: bool,
    /// The date that decides which edition is in force.
    pub today: Date,
    /// Whether terminal text may be coloured.
    pub color: bool,
    /// The language of diagnostics, in the terminal and the browser overlay.
    pub lang: crate::diagnostic::Lang,
    /// Open the site in a browser once it is served.
    pub open: bool,
}

/// Why `serve` could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Another program listens on the port.
    #[error(
        "cannot listen on {addr}: the port is already in use (stop the other server, or choose another port with --port; --port 0 picks a free one)"
    )]
    PortInUse {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// Listening failed for another reason.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file watcher could not start.
    #[error("cannot watch {path} for changes")]
    Watch {
        /// The site root.
        path: PathBuf,
        /// Why.
        #[source]
        source: notify::Error,
    },
    /// The site itself could not be read.
    #[error(transparent)]
    Site(#[from] crate::Error),
}

/// Where `serve` reports progress (one line or block at a time).
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// A bound, not yet running server.
#[derive(Debug)]
pub struct Server {
    options: ServeOptions,
    listener: TcpListener,
    addr: SocketAddr,
}

/// Binds the port (so `--port 0` knows its port before the first build).
pub fn bind(options: ServeOptions) -> Result<Server, ServeError> {
    let wanted = SocketAddr::new(options.interface, options.port);
    let listener = TcpListener::bind(wanted).map_err(|source| match source.kind() {
        std::io::ErrorKind::AddrInUse => ServeError::PortInUse { addr: wanted },
        _ => ServeError::Listen {
            addr: wanted,
            source,
        },
    })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Listen {
        addr: wanted,
        source,
    })?;
    Ok(Server {
        options,
        listener,
        addr,
    })
}

impl Server {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The site's local address, which is also its base URL while serving.
    pub fn url(&self) -> String {
        let host = match self.addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_owned(),
            ip if ip.is_unspecified() => "[::1]".to_owned(),
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        format!("http://{host}:{}/", self.addr.port())
    }

    /// Builds, serves and rebuilds on change until `shutdown` receives (or its
    /// sender is dropped).
    pub fn run(self, shutdown: &Receiver<()>, log: &Log) -> Result<(), ServeError> {
        let root =
            std::path::absolute(&self.options.root).unwrap_or_else(|_| self.options.root.clone());
        if !root.join("content").is_dir() {
            return Err(crate::Error::NoContent {
                path: root.join("content"),
            }
            .into());
        }
        let url = self.url();
        let context = Context {
            root: root.clone(),
            options: crate::PreviewOptions {
                today: self.options.today,
                base_url: Some(url.clone()),
                drafts: self.options.drafts,
            },
            color: self.options.color,
            lang: self.options.lang,
            spill: private_folder(log),
        };
        let spill = context.spill.clone();
        let state = Arc::new(State::default());
        let all = Changes {
            rescan: true,
            ..Changes::default()
        };
        let mut memory = Memory::default();
        rebuild_and_publish(&state, &all, &context, &mut memory, log, true);
        let loopback = self.addr.ip().is_loopback();
        let guard = http::HostGuard { loopback };
        let answering = Arc::clone(&state);
        let handler: Arc<conn::Handler> =
            Arc::new(move |request, stream| http::handle(request, stream, &answering, guard));
        let acceptor =
            conn::Acceptor::spawn(self.listener, handler).map_err(|source| ServeError::Listen {
                addr: self.addr,
                source,
            })?;
        watch_and_rebuild(&root, &state, context, memory, log)?;
        spawn_pings(&state);
        if !loopback {
            log(&format!(
                "warning: listening on {}: other machines on that network can read this preview, drafts included",
                self.addr
            ));
        }
        log(&format!("serving {url} (press Ctrl-C to stop)"));
        if self.options.open {
            open_browser(&url, log);
        }
        // Either a signal or the sender going away means: stop.
        let _ = shutdown.recv();
        acceptor.stop();
        if let Some(spill) = spill {
            spill.remove();
        }
        log("stopped");
        Ok(())
    }
}

/// Starts the watcher and the thread that rebuilds on its changes.
fn watch_and_rebuild(
    root: &std::path::Path,
    state: &Arc<State>,
    context: Context,
    mut memory: Memory,
    log: &Log,
) -> Result<(), ServeError> {
    let (sender, changes) = channel::<Changes>();
    let mut watcher = watch::Watcher::start(root, sender).map_err(|source| ServeError::Watch {
        path: root.to_path_buf(),
        source,
    })?;
    let folders: Vec<String> = watcher
        .folders()
        .map(|f| f.strip_prefix(root).unwrap_or(f).display().to_string() + "/")
        .collect();
    log(&format!("watching {}", folders.join(" and ")));
    let (state, log) = (Arc::clone(state), Arc::clone(log));
    std::thread::spawn(move || {
        while let Ok(mut batch) = changes.recv() {
            // Everything that piled up during the last rebuild goes into this one.
            while let Ok(more) = changes.try_recv() {
                batch.merge(more);
            }
            watcher.refresh(&batch);
            rebuild_and_publish(&state, &batch, &context, &mut memory, &log, false);
        }
    });
    Ok(())
}

/// The private folder for frozen edition pages, or `None` (everything stays in
/// memory) when it cannot be made.
fn private_folder(log: &Log) -> Option<Arc<store::SpillDir>> {
    match store::SpillDir::create() {
        Ok(dir) => Some(Arc::new(dir)),
        Err(e) => {
            log(&format!(
                "warning: cannot create a private folder for frozen edition pages ({e}); keeping them in memory"
            ));
            None
        }
    }
}

/// Rebuilds after `changes`, installs the outcome and tells the open pages.
fn rebuild_and_publish(
    state: &State,
    changes: &Changes,
    context: &Context,
    memory: &mut Memory,
    log: &Log,
    first: bool,
) {
    let outcome = rebuild::rebuild(state.generation(), changes, context, memory);
    publish(state, outcome, log, first, context);
}

/// Installs a rebuild's outcome and tells the open pages.
fn publish(state: &State, outcome: Outcome, log: &Log, first: bool, context: &Context) {
    let mut subscribers = state.subscribers();
    match outcome {
        Outcome::Built {
            update,
            report,
            work,
            elapsed,
        } => {
            let (changed, files) = state.install(update);
            let assets = changed.iter().any(|p| mime::is_page_asset(p));
            let was_broken = state.problems().is_some();
            state.set_problems(None);
            let reloaded = subscribers.send(|page| {
                // A page that did not say which it is reloads on any change.
                let own = match page {
                    Some(p) => changed.binary_search_by(|c| c.as_str().cmp(p)).is_ok(),
                    None => !changed.is_empty(),
                };
                if assets || own {
                    Some(frame("reload", "{}"))
                } else {
                    was_broken.then(|| frame("clear", "{}"))
                }
            });
            if first && !report.diagnostics.is_empty() {
                log(
                    overlay::Problems::from_report(&report, context.color, context.lang)
                        .terminal
                        .trim_end(),
                );
            }
            let verb = if first { "built" } else { "rebuilt" };
            let how = if work.incremental { "affected" } else { "all" };
            log(&format!(
                "{verb} {files} files in {:.0} ms ({how}: rendered {} of {} pages, {} search index(es); {}): {} changed, {reloaded} open page(s) told to reload{}",
                elapsed.as_secs_f64() * 1000.0,
                work.pages,
                work.planned,
                work.indexes,
                work.phases,
                changed.len(),
                match report.diagnostics.warning_count() {
                    0 => String::new(),
                    n => format!(" ({n} warning(s))"),
                }
            ));
        }
        Outcome::Failed { problems, elapsed } => {
            log(problems.terminal.trim_end());
            log(&format!(
                "build failed in {:.0} ms: {}; still serving the last good build",
                elapsed.as_secs_f64() * 1000.0,
                problems.summary
            ));
            let event = frame("overlay", &problems.payload());
            state.set_problems(Some(Arc::new(problems)));
            subscribers.send(|_| Some(event.clone()));
        }
    }
}

/// Keeps event streams alive through proxies and finds pages that have gone away.
fn spawn_pings(state: &Arc<State>) {
    let state = Arc::clone(state);
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(15));
            state.subscribers().send(|_| Some(": ping\n\n".to_owned()));
        }
    });
}

fn open_browser(url: &str, log: &Log) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    match command.spawn() {
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => log(&format!(
            "warning: could not open a browser ({e}); open {url} yourself"
        )),
    }
}

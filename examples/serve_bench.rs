//! Benchmark of issue 8's budgets: `minglu serve` (save → reload latency, the
//! rebuild itself, memory, a bounded loopback load) and a second `minglu check`
//! after one item edit.
//!
//! ```text
//! cargo build --release --bin minglu
//! cargo run --release --example bench -- --items 1000 --editions 5   # generates target/bench/1000x5 once
//! cargo run --release --example serve_bench -- --items 1000 --editions 5 [--saves 15] [--wrk 10] [--check 0]
//! ```
//!
//! It edits one item of the generated site (and puts it back), times each save
//! until the `reload` event reaches an open page, reads the server's own
//! "rebuilt … in N ms" line, samples its memory from `/proc`, runs `wrk` (when
//! installed) for a fixed time with 50 connections, then times `minglu check`
//! cold, warm, and after one item edit. Figures are medians: the machine may be shared.

#![allow(
    clippy::cast_precision_loss,
    reason = "benchmark arithmetic on small numbers"
)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(600);

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().expect("a number"))
}

/// Lines of a reader, as a channel.
fn lines(read: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (send, recv) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(read).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    recv
}

fn wait_for(lines: &Receiver<String>, needle: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines
            .recv_timeout(left)
            .unwrap_or_else(|e| panic!("no line with {needle:?}: {e}"));
        if line.contains(needle) {
            return line;
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// `VmRSS` and `VmHWM` of a process, in MiB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(f64::NAN, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The first item file of the first register, and its page under /draft/.
fn pick_item(root: &Path) -> (PathBuf, String) {
    let lists = root.join("content/lists");
    let first = |dir: &Path| {
        let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("read folder")
            .map(|e| e.expect("entry").path())
            .collect();
        names.sort();
        names.into_iter().next().expect("not empty")
    };
    let register = first(&lists);
    let item = first(&register.join("items"));
    let key = register.file_name().expect("name").to_string_lossy();
    let id = item.file_stem().expect("stem").to_string_lossy();
    (item.clone(), format!("/draft/{key}/{id}/"))
}

/// Saves like an editor: a temporary file renamed over the original.
fn save(path: &Path, text: &str) {
    let temp = path.with_file_name(".serve-bench.tmp");
    std::fs::write(&temp, text).expect("write");
    std::fs::rename(&temp, path).expect("rename");
}

struct Server {
    child: Child,
    stderr: Receiver<String>,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

fn start(exe: &Path, root: &Path) -> (Server, f64, String) {
    let start = Instant::now();
    let mut child = Command::new(exe)
        .args(["serve", "--drafts", "--port", "0", "--lang", "en", "--root"])
        .arg(root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start minglu serve");
    let stderr = lines(child.stderr.take().expect("stderr"));
    let built = wait_for(&stderr, "built ");
    let line = wait_for(&stderr, "serving http://127.0.0.1:");
    let port = line
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .expect("port");
    let secs = start.elapsed().as_secs_f64();
    (
        Server {
            child,
            stderr,
            port,
        },
        secs,
        built,
    )
}

/// Opens the page's event stream; returns its lines after the greeting.
fn events(port: u16, page: &str) -> Receiver<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "GET /__minglu/events?page={page}&since=1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .expect("send");
    let events = lines(stream);
    wait_for(&events, "event: hello");
    events
}

/// Times `saves` edits of `item`, each until its page's `reload` event.
/// Returns (write → reload ms, the server's rebuild ms, pages rendered).
fn saves(server: &Server, item: &Path, page: &str, saves: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let original = std::fs::read_to_string(item).expect("item");
    let events = events(server.port, page);
    let (mut latency, mut rebuild, mut rendered) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..saves {
        std::thread::sleep(Duration::from_millis(400));
        let text = original.replacen("summary: ", &format!("summary: 第{i}次修改。"), 1);
        let t0 = Instant::now();
        save(item, &text);
        wait_for(&events, "event: reload");
        latency.push(t0.elapsed().as_secs_f64() * 1000.0);
        let line = wait_for(&server.stderr, "rebuilt ");
        let number = |after: &str, before: &str| {
            line.split(after)
                .nth(1)
                .and_then(|r| r.split(before).next())
                .and_then(|n| n.trim().parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        rebuild.push(number(" in ", " ms"));
        rendered.push(number("rendered ", " of"));
    }
    save(item, &original);
    wait_for(&server.stderr, "rebuilt ");
    (latency, rebuild, rendered)
}

/// `wrk` against two pages for `secs` seconds: (requests/s, errors), or `None`.
fn load(port: u16, page: &str, secs: u64) -> Option<(f64, String)> {
    let out = Command::new("wrk")
        .args(["-t2", "-c50", &format!("-d{secs}s")])
        .arg(format!("http://127.0.0.1:{port}{page}"))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let rate = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())?;
    let errors: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("errors") || l.contains("Non-2xx"))
        .map(str::trim)
        .collect();
    Some((rate, errors.join("; ")))
}

/// Wall time of one `minglu check`.
fn check(exe: &Path, root: &Path) -> f64 {
    let start = Instant::now();
    let status = Command::new(exe)
        .args(["check", "--quiet", "--root"])
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run check");
    assert!(status.success(), "the generated site checks cleanly");
    start.elapsed().as_secs_f64()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let items = arg(&args, "--items", 1000);
    let editions = arg(&args, "--editions", 5);
    let count = arg(&args, "--saves", 15);
    let wrk_secs = arg(&args, "--wrk", 10);
    let checks = arg(&args, "--check", 1) != 0;
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = here.join(format!("target/bench/{items}x{editions}"));
    assert!(
        root.join(".generated-v1").exists(),
        "generate the site first: cargo run --release --example bench -- --items {items} --editions {editions}"
    );
    let exe = here.join("target/release/minglu");
    assert!(
        exe.exists(),
        "build the binary first: cargo build --release --bin minglu"
    );
    let (item, page) = pick_item(&root);
    println!("site {items} × 3 × {editions}, edited item {page}");
    let (server, startup, built) = start(&exe, &root);
    println!("serve: first build {startup:.1} s ({built})");
    let (rss, hwm) = memory(server.child.id());
    println!("serve memory after the first build: RSS {rss:.0} MiB, peak {hwm:.0} MiB");
    let (latency, rebuild, rendered) = saves(&server, &item, &page, count);
    println!(
        "save → reload event: median {:.0} ms (min {:.0}, max {:.0}; {count} saves, debounce included)",
        median(latency.clone()),
        latency.iter().copied().fold(f64::INFINITY, f64::min),
        latency.iter().copied().fold(0.0, f64::max),
    );
    println!(
        "rebuild itself: median {:.0} ms, rendering a median {:.0} pages",
        median(rebuild),
        median(rendered)
    );
    match load(server.port, &page, wrk_secs) {
        Some((rate, errors)) => println!(
            "wrk {wrk_secs} s, 50 connections, {page}: {rate:.0} req/s; errors: {}",
            if errors.is_empty() { "none" } else { &errors }
        ),
        None => println!("wrk: not installed, load test skipped"),
    }
    let (rss, hwm) = memory(server.child.id());
    println!("serve memory at the end: RSS {rss:.0} MiB, peak {hwm:.0} MiB");
    drop(server);
    if !checks {
        return;
    }
    let _ = std::fs::remove_file(root.join(".public.minglu-check-cache"));
    let cold = check(&exe, &root);
    let warm = check(&exe, &root);
    let original = std::fs::read_to_string(&item).expect("item");
    save(
        &item,
        &original.replacen("summary: ", "summary: 检查前修改。", 1),
    );
    let edited = check(&exe, &root);
    save(&item, &original);
    println!(
        "check: {cold:.2} s without a cache, {warm:.2} s again, {edited:.2} s after one item edit"
    );
}

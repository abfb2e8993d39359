//! `minglu serve`: the real binary on a free port, driven over plain TCP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use crate::support::{EPOCH, SiteTest, copy_dir, tree};

/// Long enough for a debug build of the example site on a busy machine.
const PATIENCE: Duration = Duration::from_secs(30);

/// A running `minglu serve`, killed on drop.
struct Served {
    child: Child,
    port: u16,
    stderr: Receiver<String>,
    /// Every stderr line read so far.
    seen: Vec<String>,
}

impl Served {
    /// Starts `minglu serve --port 0 <extra>` on `root` and waits for its address.
    fn start(root: &Path, extra: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_minglu"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .args(extra)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start minglu serve");
        let (send, stderr) = channel();
        let pipe = child.stderr.take().expect("piped stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut served = Served {
            child,
            port: 0,
            stderr,
            seen: Vec::new(),
        };
        let line = served.wait_for_line("serving http://127.0.0.1:");
        let port = line
            .split("127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        served.port = port;
        served
    }

    /// Waits (bounded) for a stderr line containing `needle`; returns it.
    fn wait_for_line(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(e) => panic!(
                    "no line with {needle:?} ({e}); stderr so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    fn get(&self, target: &str) -> Response {
        self.request("GET", target)
    }

    fn request(&self, method: &str, target: &str) -> Response {
        let raw = format!(
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        send_raw(self.port, raw.as_bytes())
    }

    fn events(&self, page: &str) -> Events {
        Events::open(self.port, page)
    }

    /// The build's file list and generation, from the server's own listing.
    fn files(&self) -> (u64, Vec<String>) {
        let listing: serde_json::Value =
            serde_json::from_slice(&self.get("/__minglu/files.json").body).expect("json");
        let files = listing["files"]
            .as_array()
            .expect("files")
            .iter()
            .map(|f| f.as_str().expect("path").to_owned())
            .collect();
        (listing["generation"].as_u64().expect("generation"), files)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        // SIGTERM first, so the server cleans up after itself; then make sure.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.eq_ignore_ascii_case(name).then_some(v.trim())
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn send_raw(port: u16, raw: &[u8]) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(PATIENCE))
        .expect("read timeout");
    stream.write_all(raw).expect("send request");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read response");
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8(bytes[..split].to_vec()).expect("ASCII head");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    Response {
        status,
        head,
        body: bytes[split + 4..].to_vec(),
    }
}

/// An open event stream, as a page's script holds it.
struct Events {
    lines: Receiver<String>,
}

impl Events {
    fn open(port: u16, page: &str) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        write!(
            stream,
            "GET /__minglu/events?page={page}&since=1 HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"
        )
        .expect("send");
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut events = Events { lines };
        assert!(
            events
                .lines
                .recv_timeout(PATIENCE)
                .expect("status line")
                .contains("200 OK"),
            "the event stream opens with 200"
        );
        assert_eq!(events.next(PATIENCE).expect("a greeting").0, "hello");
        events
    }

    /// The next event (name, data) within `wait`, skipping comments.
    fn next(&mut self, wait: Duration) -> Option<(String, String)> {
        let deadline = Instant::now() + wait;
        let (mut name, mut data) = (String::new(), String::new());
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match self.lines.recv_timeout(left) {
                Ok(line) => line,
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            };
            if let Some(n) = line.strip_prefix("event: ") {
                n.clone_into(&mut name);
            } else if let Some(d) = line.strip_prefix("data: ") {
                d.clone_into(&mut data);
            } else if line.is_empty() && !name.is_empty() {
                return Some((name, data));
            }
        }
    }

    /// Waits for an event called `want`, failing on anything else first.
    fn expect(&mut self, want: &str) -> String {
        match self.next(PATIENCE) {
            Some((name, data)) if name == want => data,
            other => panic!("expected a `{want}` event, got {other:?}"),
        }
    }
}

/// Saves a file the way most editors do: a hidden temporary file renamed over the
/// original, so the watcher never sees it half-written (events are then exact).
fn save(site: &SiteTest, rel: &str, text: impl AsRef<[u8]>) {
    let path = site.root.join(rel);
    let dir = path.parent().expect("a folder");
    std::fs::create_dir_all(dir).expect("mkdir");
    let temp = dir.join(".minglu-test-save.tmp");
    std::fs::write(&temp, text).expect("write");
    std::fs::rename(&temp, &path).expect("rename");
}

/// A copy of the bundled example site.
fn example() -> SiteTest {
    let site = SiteTest::empty("serve");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &site.root.join("content"),
    );
    site
}

const SCRIPT: &str = "<script src=\"/__minglu/live.js\" data-generation=\"";

#[test]
fn serves_pages_and_assets_with_their_types() {
    let site = example();
    // Static files of every type a build may write, through a theme override.
    let statics = [
        (
            "icon.svg",
            "image/svg+xml",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        ),
        ("site.webmanifest", "application/manifest+json", "{}"),
        ("data/x.json", "application/json", "{}"),
        ("data/x.csv", "text/csv; charset=utf-8", "a,b\r\n"),
        ("assets/app.js", "text/javascript; charset=utf-8", "1;"),
        ("favicon.ico", "image/vnd.microsoft.icon", "ico"),
        ("logo.png", "image/png", "png"),
        ("data/x.json.gz", "application/gzip", "gz"),
    ];
    for (path, _, body) in statics {
        site.write(&format!("themes/default/static/{path}"), body);
    }
    let served = Served::start(&site.root, &[]);
    assert!(
        !served.seen.iter().any(|l| l.contains("warning")),
        "loopback needs no warning: {:?}",
        served.seen
    );
    let built = [
        ("/", "text/html; charset=utf-8"),
        ("/stamp/", "text/html; charset=utf-8"),
        ("/assets/style.css", "text/css; charset=utf-8"),
        ("/changes.atom", "application/atom+xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ];
    let statics = statics.iter().map(|(p, t, _)| (format!("/{p}"), *t));
    for (path, kind) in built
        .iter()
        .map(|(p, t)| ((*p).to_owned(), *t))
        .chain(statics)
    {
        let r = served.get(&path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("Content-Type"), Some(kind), "{path}");
        assert_eq!(
            r.header("X-Content-Type-Options"),
            Some("nosniff"),
            "{path}"
        );
    }
    // HTML gets the live-reload script; the base URL is the local address.
    let home = served.get("/").text();
    assert!(home.contains(SCRIPT), "script injected");
    let atom = served.get("/changes.atom").text();
    assert!(atom.contains(&format!("http://127.0.0.1:{}/", served.port)));
    assert!(!atom.contains("example.org"), "base URL rewritten");
    assert!(!atom.contains("__minglu"), "only HTML gets the script");
    // HEAD: the same head, no body.
    let (get, head) = (served.get("/stamp/"), served.request("HEAD", "/stamp/"));
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("Content-Length"), get.header("Content-Length"));
    // The site's 404 page, with status 404; folders without a slash redirect.
    let missing = served.get("/stamp/GZ-404/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("<html"), "the site's 404 page");
    let folder = served.get("/stamp");
    assert_eq!(folder.status, 301);
    assert_eq!(folder.header("Location"), Some("/stamp/"));
    assert_eq!(served.request("POST", "/").status, 405);
    // A page elsewhere cannot read the preview through DNS rebinding.
    let rebinding = send_raw(
        served.port,
        b"GET / HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(rebinding.status, 403);
    let garbled = send_raw(
        served.port,
        b"GET / HTTP/1.1\r\nHost: \xff\xfe.example\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(garbled.status, 403, "a Host that is not text is refused");
}

/// Reads one response (head, then the `Content-Length` body unless it answers
/// a HEAD request) from a kept-alive connection: `(status, head, body)`.
fn read_response(
    reader: &mut impl BufRead,
    to_head: bool,
) -> std::io::Result<(u16, String, Vec<u8>)> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("a Content-Length");
    let mut body = vec![0; if to_head { 0 } else { length }];
    reader.read_exact(&mut body)?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    Ok((status, head, body))
}

/// Many keep-alive connections opened in a burst are all answered while they
/// all stay open. (A connection pool that loses a wake-up, as `tiny_http`'s
/// did, leaves some of them waiting until another connection closes.)
#[test]
fn keep_alive_connections_are_all_answered() {
    const CONNECTIONS: usize = 60;
    let site = example();
    let served = Served::start(&site.root, &[]);
    for round in 0..3 {
        let streams: Vec<TcpStream> = (0..CONNECTIONS)
            .map(|_| TcpStream::connect(("127.0.0.1", served.port)).expect("connect"))
            .collect();
        let request = format!(
            "GET /stamp/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            served.port
        );
        for mut stream in &streams {
            stream.write_all(request.as_bytes()).expect("send");
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        let unanswered: Vec<usize> = streams
            .iter()
            .enumerate()
            .filter_map(|(n, stream)| {
                let left = deadline.saturating_duration_since(Instant::now());
                stream
                    .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                    .expect("timeout");
                let answer = read_response(&mut BufReader::new(stream), false);
                (!matches!(answer, Ok((200, _, _)))).then_some(n)
            })
            .collect();
        assert!(
            unanswered.is_empty(),
            "round {round}: connections {unanswered:?} of {CONNECTIONS} got no answer"
        );
    }
}

/// Keep-alive, pipelining, HTTP/1.0 and malformed or oversized requests.
#[test]
fn connections_follow_http_1_1() {
    let site = example();
    let served = Served::start(&site.root, &[]);
    let port = served.port;
    // Two requests in one write are answered in order on the same connection,
    // which the second one's `Connection: close` then closes.
    let pipelined = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\nHEAD /stamp/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    );
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    (&stream).write_all(pipelined.as_bytes()).expect("send");
    let mut reader = BufReader::new(&stream);
    let (status, head, body) = read_response(&mut reader, false).expect("first answer");
    assert_eq!(status, 200);
    assert!(head.contains("Connection: keep-alive"), "{head}");
    assert!(String::from_utf8_lossy(&body).contains("<html"));
    let (status, head, _) = read_response(&mut reader, true).expect("second answer");
    assert_eq!(status, 200);
    assert!(head.contains("Connection: close"), "{head}");
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).expect("closed");
    assert!(rest.is_empty(), "a HEAD answer has no body: {rest:?}");
    // HTTP/1.0 closes after the answer unless asked to keep the connection.
    let old = send_raw(port, b"GET /stamp/ HTTP/1.0\r\nHost: localhost\r\n\r\n");
    assert_eq!(old.status, 200);
    assert_eq!(old.header("Connection"), Some("close"));
    assert!(old.text().contains("<html"));
    // Bodies are refused; so are garbage and heads that never end.
    let posted = send_raw(
        port,
        b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello",
    );
    assert_eq!(posted.status, 413);
    assert_eq!(send_raw(port, b"\x00\x01 nonsense\r\n\r\n").status, 400);
    let mut huge = b"GET / HTTP/1.1\r\nHost: localhost\r\n".to_vec();
    for n in 0..2000 {
        huge.extend_from_slice(format!("X-Padding-{n}: {}\r\n", "x".repeat(20)).as_bytes());
    }
    let huge = send_raw(port, &huge);
    assert_eq!(huge.status, 431);
    // The server still answers afterwards.
    assert_eq!(served.get("/").status, 200);
}

#[test]
fn refuses_to_leave_the_build() {
    let site = example();
    let secret = "TOP-SECRET-7f3a";
    site.write("secret.txt", secret);
    std::fs::write(
        site.root
            .parent()
            .expect("parent")
            .join("outside-secret.txt"),
        secret,
    )
    .expect("write");
    let served = Served::start(&site.root, &[]);
    let attempts = [
        "/../secret.txt",
        "/../outside-secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/stamp/../../secret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/..%5csecret.txt",
        "//etc/passwd",
        "/secret.txt",
        "/content/site.yaml",
        "/etc/passwd",
        "/index.html%00.txt",
        "/%",
        "http://127.0.0.1/../secret.txt",
        "../secret.txt",
    ];
    for target in attempts {
        let r = served.get(target);
        assert!(
            r.status == 403 || r.status == 404,
            "{target}: status {}",
            r.status
        );
        let body = r.text();
        assert!(!body.contains(secret), "{target} leaked a file");
        assert!(!body.contains("root:"), "{target} leaked /etc/passwd");
        assert!(!body.contains("base_url"), "{target} leaked content");
    }
    assert_eq!(served.get("/%2e%2e/secret.txt").status, 403);
    assert_eq!(served.get("/secret.txt").status, 404);
}

#[test]
fn an_edit_reloads_its_page_and_errors_show_until_fixed() {
    let site = example();
    let item = "content/lists/stamp/items/GZ-001.yaml";
    let original = site.read(item);
    let served = Served::start(&site.root, &["--drafts"]);
    let mut own = served.events("%2Fdraft%2Fstamp%2FGZ-001%2F");
    let mut other = served.events("%2Fabout%2F");

    // An edit: the item's page reloads, an unrelated page does not.
    let edited = original.replacen("summary: ", "summary: 已修改的摘要。", 1);
    save(&site, item, &edited);
    own.expect("reload");
    assert!(
        served
            .get("/draft/stamp/GZ-001/")
            .text()
            .contains("已修改的摘要")
    );
    assert_eq!(
        other.next(Duration::from_millis(300)),
        None,
        "a page whose output did not change is not reloaded"
    );

    // A content error: every page gets the overlay; the last good build stays.
    let broken = edited.replacen("category: 住所居住", "category: 不存在的", 1);
    let broken_line = broken
        .lines()
        .position(|l| l.starts_with("category: 不存在的"))
        .expect("the broken line")
        + 1;
    save(&site, item, broken);
    let payload: serde_json::Value = serde_json::from_str(&own.expect("overlay")).expect("json");
    other.expect("overlay");
    let first = &payload["diagnostics"][0];
    assert_eq!(first["file"], item);
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(broken_line as u64), Some(11))
    );
    assert_eq!(first["code"], "unknown-category");
    assert!(
        first["help"]
            .as_str()
            .is_some_and(|h| h.contains("list.yaml"))
    );
    let text = first["text"].as_str().expect("text");
    assert!(
        text.contains(&format!("GZ-001.yaml:{broken_line}:11")),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour codes in the overlay");
    assert!(
        served
            .get("/draft/stamp/GZ-001/")
            .text()
            .contains("已修改的摘要")
    );
    // A page opened now sees the overlay at once.
    let mut late = served.events("%2F");
    late.expect("overlay");

    // Fixed: the overlay clears without a reload where nothing changed.
    save(&site, item, &edited);
    own.expect("clear");
    other.expect("clear");

    // A template error points into the theme file; deleting the file fixes it.
    save(
        &site,
        "themes/default/templates/page.html",
        "{% extends \"base.html\" %}\n{% block main %}{{ page.title }\n{% endblock %}\n",
    );
    let payload: serde_json::Value = serde_json::from_str(&other.expect("overlay")).expect("json");
    let first = &payload["diagnostics"][0];
    assert_eq!(first["file"], "themes/default/templates/page.html");
    assert_eq!(first["line"].as_u64(), Some(2));
    std::fs::remove_dir_all(site.root.join("themes")).expect("remove theme");
    other.expect("clear");
}

#[test]
fn files_deleted_and_recreated() {
    let site = example();
    let source = site.read("content/lists/stamp/items/GZ-001.yaml");
    let new_item = "content/lists/stamp/items/GZ-099.yaml";
    let served = Served::start(&site.root, &["--drafts"]);
    let mut page = served.events("%2Fdraft%2Fstamp%2FGZ-099%2F");
    assert_eq!(served.get("/draft/stamp/GZ-099/").status, 404);
    let created = source.replacen("title: ", "title: 新建事项", 1);
    save(&site, new_item, &created);
    page.expect("reload");
    assert!(
        served
            .get("/draft/stamp/GZ-099/")
            .text()
            .contains("新建事项")
    );
    std::fs::remove_file(site.root.join(new_item)).expect("delete");
    page.expect("reload");
    assert_eq!(served.get("/draft/stamp/GZ-099/").status, 404);
    save(&site, new_item, &created);
    page.expect("reload");
    assert_eq!(served.get("/draft/stamp/GZ-099/").status, 200);
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let site = example();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let run = site.run(&["serve", "--port", &port]);
    run.code(2);
    assert!(
        run.stderr.contains("already in use") && run.stderr.contains(&port),
        "{}",
        run.stderr
    );
}

#[test]
fn sigterm_stops_cleanly() {
    let site = example();
    let mut served = Served::start(&site.root, &[]);
    let _events = served.events("%2F");
    let prefix = format!("minglu-serve-{}", served.child.id());
    let status = Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    let exit = loop {
        if let Some(exit) = served.child.try_wait().expect("wait") {
            break exit;
        }
        assert!(Instant::now() < deadline, "serve did not stop within 5 s");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(exit.code(), Some(0));
    served.wait_for_line("stopped");
    // Frozen edition pages were kept in the temporary folder; nothing is left there.
    let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .expect("temp dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn many_changes_end_in_the_same_output_as_a_clean_build() {
    let site = example();
    let items = site.root.join("content/lists/stamp/items");
    let base = site.read("content/lists/stamp/items/GZ-001.yaml");
    let served = Served::start(&site.root, &["--drafts"]);
    // A burst of 200 saves of one file.
    for i in 0..200 {
        let text = base.replacen("summary: ", &format!("summary: 第{i}次保存。"), 1);
        site.write("content/lists/stamp/items/GZ-001.yaml", text);
    }
    // Hundreds of files at once (like a `git checkout`), then half of them gone.
    for n in 100..400 {
        let text = base.replacen("title: ", &format!("title: 批量{n}"), 1);
        site.write(&format!("content/lists/stamp/items/GZ-{n}.yaml"), text);
    }
    for n in (100..400).step_by(2) {
        std::fs::remove_file(items.join(format!("GZ-{n}.yaml"))).expect("delete");
    }
    // An editor's save by rename, with its swap file around.
    site.write("content/lists/stamp/items/.GZ-002.yaml.swp", "junk");
    let renamed = site.read("content/lists/stamp/items/GZ-002.yaml").replacen(
        "title: ",
        "title: 改名保存",
        1,
    );
    site.write("content/lists/stamp/items/GZ-002.yaml.tmp", renamed);
    std::fs::rename(items.join("GZ-002.yaml.tmp"), items.join("GZ-002.yaml")).expect("rename");
    // A theme change re-renders every page, frozen editions included.
    let base_html = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/base.html"),
    )
    .expect("default base.html");
    site.write(
        "themes/default/templates/base.html",
        base_html.replacen("</body>", "<!-- 本地主题 --></body>", 1),
    );
    // The last change; then wait until the server has been quiet for a while.
    site.write(
        "content/lists/stamp/items/GZ-003.yaml",
        site.read("content/lists/stamp/items/GZ-003.yaml").replacen(
            "title: ",
            "title: 最后一次",
            1,
        ),
    );
    let mut last = served.files();
    let mut quiet_since = Instant::now();
    let deadline = Instant::now() + PATIENCE * 2;
    while !(served
        .get("/draft/stamp/GZ-003/")
        .text()
        .contains("最后一次")
        && quiet_since.elapsed() > Duration::from_millis(1500))
    {
        assert!(Instant::now() < deadline, "serve never settled");
        std::thread::sleep(Duration::from_millis(100));
        let now = served.files();
        if now.0 != last.0 {
            (last, quiet_since) = (now, Instant::now());
        }
    }
    let files = assert_same_as_a_clean_build(&site, &served);
    assert!(files.iter().any(|f| f == "draft/stamp/GZ-101/index.html"));
    let frozen = served.get("/stamp/editions/2015/").text();
    assert!(
        frozen.contains("<!-- 本地主题 -->"),
        "frozen pages re-rendered"
    );
    assert!(!files.iter().any(|f| f == "draft/stamp/GZ-100/index.html"));
}

/// Builds `site` cleanly with `build --drafts` and the server's base URL, and
/// asserts that the server serves exactly those files with exactly those bytes
/// (HTML with the live-reload script taken out). Returns the served paths.
fn assert_same_as_a_clean_build(site: &SiteTest, served: &Served) -> Vec<String> {
    let output = SiteTest::empty("serve-clean");
    let base_url = format!("http://127.0.0.1:{}/", served.port);
    let out = output.root.join("public");
    let out_arg = out.to_str().expect("UTF-8 temp path");
    site.run(&[
        "build",
        "--drafts",
        "--base-url",
        &base_url,
        "--output",
        out_arg,
    ])
    .success();
    // The output marker is `build`'s, for replacing the folder safely.
    let clean: Vec<(String, Vec<u8>)> = tree(&out)
        .into_iter()
        .filter(|(p, _)| p != ".minglu-output")
        .collect();
    let (generation, files) = served.files();
    let clean_paths: Vec<&str> = clean.iter().map(|(p, _)| p.as_str()).collect();
    let extra: Vec<&String> = files
        .iter()
        .filter(|f| !clean_paths.contains(&f.as_str()))
        .collect();
    let missing: Vec<&&str> = clean_paths
        .iter()
        .filter(|c| !files.iter().any(|f| f == **c))
        .collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "served but not built: {extra:?}; built but not served: {missing:?}"
    );
    let script = format!("{SCRIPT}{generation}\"></script>");
    for (path, bytes) in &clean {
        assert!(
            !String::from_utf8_lossy(bytes).contains("__minglu"),
            "{path}: a built site never contains the live-reload script"
        );
        let got = served.get(&format!("/{}", encode(path)));
        let body = if path.ends_with(".html") {
            let text = String::from_utf8_lossy(&got.body).into_owned();
            assert_eq!(text.matches(&script).count(), 1, "{path}: one script");
            text.replacen(&script, "", 1).into_bytes()
        } else {
            got.body
        };
        assert!(&body == bytes, "{path} differs from a clean build");
    }
    files
}

/// Saves a file and waits for the rebuild it causes; returns (pages rendered,
/// pages planned, whether only the affected ones were rendered).
fn save_and_rebuild(
    served: &mut Served,
    site: &SiteTest,
    rel: &str,
    text: &str,
) -> (usize, usize, bool) {
    save(site, rel, text);
    rebuilt(served)
}

/// Waits for the next "rebuilt" line and reads how much it rendered.
fn rebuilt(served: &mut Served) -> (usize, usize, bool) {
    let line = served.wait_for_line("rebuilt ");
    let incremental = line.contains("(affected: rendered ");
    let numbers = line
        .split("rendered ")
        .nth(1)
        .and_then(|rest| rest.split(" pages").next())
        .and_then(|n| n.split_once(" of "))
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
    let (rendered, planned) = numbers.unwrap_or_else(|| panic!("no counts in {line:?}"));
    (rendered, planned, incremental)
}

#[test]
fn incremental_rebuilds_render_only_what_changed_and_match_a_clean_build() {
    let site = example();
    let mut served = Served::start(&site.root, &["--drafts"]);
    let item = "content/lists/stamp/items/GZ-001.yaml";
    // One item's text: its pages and the lists showing it, nothing else.
    let text = site
        .read(item)
        .replacen("summary: ", "summary: 增量一。", 1);
    let (rendered, planned, incremental) = save_and_rebuild(&mut served, &site, item, &text);
    assert!(incremental, "an item edit is incremental");
    assert!(
        rendered > 0 && rendered * 4 < planned,
        "{rendered} of {planned}"
    );
    assert!(served.get("/draft/stamp/GZ-001/").text().contains("增量一"));
    // A new item, then a deleted one.
    let new_item = site.read(item).replacen("title: ", "title: 新增事项", 1);
    let (rendered, planned, incremental) = save_and_rebuild(
        &mut served,
        &site,
        "content/lists/stamp/items/GZ-500.yaml",
        &new_item,
    );
    assert!(
        incremental && rendered * 2 < planned,
        "{rendered} of {planned}"
    );
    std::fs::remove_file(site.root.join("content/lists/stamp/items/GZ-004.yaml")).expect("delete");
    let (rendered, planned, incremental) = rebuilt(&mut served);
    assert!(
        incremental && rendered * 2 < planned,
        "{rendered} of {planned}"
    );
    assert_eq!(served.get("/draft/stamp/GZ-004/").status, 404);
    // A department renamed, a free page edited, a purpose added to an item.
    let departments = site.read("content/departments.yaml").replacen(
        "name: 苏州市民政局",
        "name: 苏州市民政局（增量）",
        1,
    );
    let (_, _, incremental) =
        save_and_rebuild(&mut served, &site, "content/departments.yaml", &departments);
    assert!(incremental);
    let page = std::fs::read_dir(site.root.join("content/pages"))
        .expect("pages")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .expect("a free page");
    let rel = format!(
        "content/pages/{}",
        page.file_name().expect("name").to_string_lossy()
    );
    let page_text = format!("{}\n\n增量的一段。\n", site.read(&rel));
    let (_, _, incremental) = save_and_rebuild(&mut served, &site, &rel, &page_text);
    assert!(incremental);
    let more = site
        .read(item)
        .replacen("purposes: [", "purposes: [增量用途, ", 1);
    let (_, _, incremental) = save_and_rebuild(&mut served, &site, item, &more);
    assert!(incremental);
    assert_same_as_a_clean_build(&site, &served);
}

/// Percent-encodes the non-ASCII bytes of an output path for a request line.
fn encode(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_graphic() && b != b'%' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn another_interface_warns() {
    let site = example();
    let served = Served::start(&site.root, &["--interface", "0.0.0.0"]);
    assert_eq!(served.get("/").status, 200);
    assert!(
        served
            .seen
            .iter()
            .any(|l| l.starts_with("warning: listening on 0.0.0.0:")),
        "{:?}",
        served.seen
    );
}

#[test]
fn a_site_broken_at_start_shows_the_overlay_then_the_site() {
    let site = example();
    let item = "content/lists/stamp/items/GZ-001.yaml";
    let good = site.read(item);
    save(&site, item, good.replacen("title: ", "title: [", 1));
    let served = Served::start(&site.root, &[]);
    let placeholder = served.get("/stamp/");
    assert_eq!(placeholder.status, 503);
    assert!(
        placeholder.text().contains(SCRIPT),
        "the placeholder listens too"
    );
    let mut page = served.events("%2Fstamp%2F");
    let payload: serde_json::Value = serde_json::from_str(&page.expect("overlay")).expect("json");
    assert_eq!(payload["diagnostics"][0]["file"], item);
    save(&site, item, &good);
    page.expect("reload");
    assert_eq!(served.get("/stamp/").status, 200);
}

#[test]
fn editor_droppings_and_other_folders_do_not_rebuild() {
    let site = example();
    let mut served = Served::start(&site.root, &[]);
    let items = "content/lists/stamp/items";
    for junk in [".GZ-001.yaml.swp", "GZ-001.yaml~", ".#GZ-001.yaml", "4913"] {
        site.write(&format!("{items}/{junk}"), "junk: [");
    }
    site.write("public/index.html", "not watched");
    site.write("notes.txt", "not watched");
    std::thread::sleep(Duration::from_millis(600));
    while let Ok(line) = served.stderr.try_recv() {
        assert!(
            !line.contains("rebuilt") && !line.contains("failed"),
            "ignored files caused a rebuild: {line}"
        );
    }
    // The loader itself refuses stray files in items/ (as `check` does): remove them.
    for junk in [".GZ-001.yaml.swp", "GZ-001.yaml~", ".#GZ-001.yaml", "4913"] {
        std::fs::remove_file(site.root.join(items).join(junk)).expect("remove");
    }
    let item = format!("{items}/GZ-001.yaml");
    site.write(
        &item,
        site.read(&item)
            .replacen("summary: ", "summary: 真的改了。", 1),
    );
    served.wait_for_line("rebuilt");
}

//! Connections: accepts TCP connections and reads HTTP/1.1 requests from them.
//!
//! Part of `serve`, below [`super::http`], which decides the answers. Each
//! connection gets its own thread (a preview has a few open tabs, a load test a
//! few dozen connections), so no request ever waits behind another connection.
//! Request heads are parsed with `httparse`; keep-alive, pipelining, HTTP/1.0 and
//! `Connection: close` are handled here. Requests with a body are refused: the
//! preview only answers `GET` and `HEAD`.
//!
//! (`tiny_http`, used before, hands each connection to a pool whose wake-up can
//! be lost when two connections arrive together; that connection then waited for
//! another one to close. `keep_alive_connections_are_all_answered` in the tests
//! shows it.)

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Most connections served at once; more are answered 503 and closed.
const MAX_CONNECTIONS: usize = 1024;
/// The largest request head read; a longer one is answered 431.
const MAX_HEAD: usize = 32 * 1024;
/// Most header lines in a request head.
const MAX_HEADERS: usize = 64;
/// How long a connection may stay idle (or take to send a request head).
const IDLE: Duration = Duration::from_secs(60);
/// How long a write may block before the connection is given up.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// One request, as the handler sees it.
#[derive(Debug)]
pub struct Request<'a> {
    /// The method, as sent (`GET`, `HEAD`, …).
    pub method: &'a str,
    /// The request target, as sent (`/stamp/?q=1`).
    pub target: &'a str,
    headers: &'a [httparse::Header<'a>],
}

impl Request<'_> {
    /// The value of the first header called `name` (any case), if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .and_then(|h| std::str::from_utf8(h.value).ok())
    }

    /// Whether the request has a header called `name` (any case), text or not.
    pub fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case(name))
    }

    /// Whether this is a `HEAD` request (answered without a body).
    pub fn is_head(&self) -> bool {
        self.method == "HEAD"
    }
}

/// A response, written in one piece.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// Headers besides `Content-Length` and `Connection`.
    pub headers: Vec<(&'static str, String)>,
    /// The body (not sent for `HEAD`, but counted in `Content-Length`).
    pub content: Vec<u8>,
}

impl Reply {
    /// A reply with a `Content-Type` and the headers every answer carries.
    pub fn new(status: u16, kind: &str, content: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: vec![
                ("Content-Type", kind.to_owned()),
                ("X-Content-Type-Options", "nosniff".to_owned()),
                ("Cache-Control", "no-store".to_owned()),
            ],
            content,
        }
    }

    /// A short plain-text reply.
    pub fn text(status: u16, message: &str) -> Reply {
        Reply::new(
            status,
            "text/plain; charset=utf-8",
            format!("{message}\n").into_bytes(),
        )
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// The bytes on the wire: status line, headers, blank line, body.
    fn bytes(&self, head_only: bool, keep_alive: bool) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: {}\r\n\r\n",
            self.content.len(),
            if keep_alive { "keep-alive" } else { "close" }
        ));
        let mut bytes = head.into_bytes();
        if !head_only {
            bytes.extend_from_slice(&self.content);
        }
        bytes
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        _ => "Service Unavailable",
    }
}

/// What the handler made of a request.
#[derive(Debug)]
pub enum Answer {
    /// Write this reply; the connection may then serve its next request.
    Reply(Reply),
    /// The handler kept (a clone of) the connection for itself, e.g. for an
    /// event stream: read no more requests from it.
    Kept,
}

/// Answers requests; it may keep the connection (see [`Answer::Kept`]).
pub type Handler = dyn Fn(&Request<'_>, &TcpStream) -> Answer + Send + Sync;

/// The accepting thread, stopped with [`Acceptor::stop`].
#[derive(Debug)]
pub struct Acceptor {
    stop: Arc<AtomicBool>,
    wake: SocketAddr,
}

impl Acceptor {
    /// Accepts connections on `listener` in a thread of its own, each
    /// connection served in a thread of its own by `handler`.
    ///
    /// # Errors
    ///
    /// When the listener's address cannot be read.
    pub fn spawn(listener: TcpListener, handler: Arc<Handler>) -> std::io::Result<Acceptor> {
        let mut wake = listener.local_addr()?;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake.ip() {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
            });
        }
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::spawn(move || accept(&listener, &handler, &stopped));
        Ok(Acceptor { stop, wake })
    }

    /// Stops accepting connections (open ones end with the process).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocked `accept` so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.wake, Duration::from_secs(1));
    }
}

fn accept(listener: &TcpListener, handler: &Arc<Handler>, stop: &AtomicBool) {
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(mut stream) = stream else {
            // Out of file descriptors and the like: let the moment pass.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
        if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            open.fetch_sub(1, Ordering::SeqCst);
            let busy = Reply::text(503, "503 too many connections: try again");
            let _ = stream.write_all(&busy.bytes(false, false));
            continue;
        }
        let (handler, count) = (Arc::clone(handler), Arc::clone(&open));
        let spawned = std::thread::Builder::new()
            .name("minglu-http".to_owned())
            .spawn(move || {
                serve_connection(stream, &*handler);
                count.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            open.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Serves one connection's requests in order until it closes, errs, asks to
/// close or is kept by the handler.
fn serve_connection(mut stream: TcpStream, handler: &Handler) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE));
    let mut buffer: Vec<u8> = Vec::with_capacity(2048);
    loop {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Request::new(&mut headers);
        let used = match parsed.parse(&buffer) {
            Ok(httparse::Status::Complete(used)) => used,
            Ok(httparse::Status::Partial) if buffer.len() < MAX_HEAD => {
                if read_more(&mut stream, &mut buffer) {
                    continue;
                }
                return;
            }
            Ok(httparse::Status::Partial) | Err(httparse::Error::TooManyHeaders) => {
                return refuse(stream, &Reply::text(431, "431 request head too large"));
            }
            Err(_) => return refuse(stream, &Reply::text(400, "400 bad request")),
        };
        let (Some(method), Some(target), Some(version)) =
            (parsed.method, parsed.path, parsed.version)
        else {
            return;
        };
        let request = Request {
            method,
            target,
            headers: parsed.headers,
        };
        let keep_alive = wants_keep_alive(&request, version);
        if has_body(&request) {
            // The body is not read, so the connection cannot go on.
            return refuse(
                stream,
                &Reply::text(413, "413 request bodies are not accepted"),
            );
        }
        let reply = match handler(&request, &stream) {
            Answer::Kept => return,
            Answer::Reply(reply) => reply,
        };
        if stream
            .write_all(&reply.bytes(request.is_head(), keep_alive))
            .is_err()
            || !keep_alive
        {
            return;
        }
        buffer.drain(..used);
    }
}

/// Answers a request that ends the connection, then closes it so the client
/// reads the answer: closing with unread input would reset the connection and
/// could discard the answer before the client reads it.
fn refuse(mut stream: TcpStream, reply: &Reply) {
    if stream.write_all(&reply.bytes(false, false)).is_err() {
        return;
    }
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut sink = [0u8; 4096];
    let mut left: usize = 1 << 20;
    while left > 0 {
        match stream.read(&mut sink) {
            Ok(n) if n > 0 => left = left.saturating_sub(n),
            _ => return,
        }
    }
}

/// Reads what the client sent next; `false` when it closed, went quiet or failed.
fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 4096];
    loop {
        return match stream.read(&mut chunk) {
            Ok(0) => false,
            Ok(n) => {
                buffer.extend_from_slice(&chunk[..n]);
                true
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => false,
        };
    }
}

/// HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 closes it
/// unless told to keep it.
fn wants_keep_alive(request: &Request<'_>, version: u8) -> bool {
    let tokens = request.header("Connection").unwrap_or("");
    let says = |word: &str| {
        tokens
            .split(',')
            .any(|t| t.trim().eq_ignore_ascii_case(word))
    };
    if version >= 1 {
        !says("close")
    } else {
        says("keep-alive")
    }
}

fn has_body(request: &Request<'_>) -> bool {
    request.header("Transfer-Encoding").is_some()
        || request
            .header("Content-Length")
            .is_some_and(|n| n.trim() != "0")
}

#[cfg(test)]
mod tests {
    use super::{Reply, Request, wants_keep_alive};

    fn request<'a>(headers: &'a [httparse::Header<'a>]) -> Request<'a> {
        Request {
            method: "GET",
            target: "/",
            headers,
        }
    }

    #[test]
    fn keep_alive_follows_the_version_and_the_connection_header() {
        let none: [httparse::Header<'_>; 0] = [];
        let close = [httparse::Header {
            name: "connection",
            value: b"Close",
        }];
        let keep = [httparse::Header {
            name: "Connection",
            value: b"foo, keep-alive",
        }];
        assert!(wants_keep_alive(&request(&none), 1));
        assert!(!wants_keep_alive(&request(&close), 1));
        assert!(!wants_keep_alive(&request(&none), 0));
        assert!(wants_keep_alive(&request(&keep), 0));
    }

    #[test]
    fn a_head_reply_counts_the_body_it_does_not_send() {
        let reply = Reply::text(404, "gone");
        let head = String::from_utf8(reply.bytes(true, true)).expect("ASCII");
        assert!(head.starts_with("HTTP/1.1 404 Not Found\r\n"), "{head}");
        assert!(head.contains("Content-Length: 5\r\n"), "{head}");
        assert!(head.ends_with("Connection: keep-alive\r\n\r\n"), "{head}");
        let full = reply.bytes(false, false);
        assert!(full.ends_with(b"close\r\n\r\ngone\n"));
    }
}

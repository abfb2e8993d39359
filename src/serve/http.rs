//! HTTP: answers each request from the last good build in memory.
//!
//! Part of `serve`. Only files of the build are served (there is no path from a
//! request to the disk); traversal attempts get 403, unknown paths the site's
//! 404 page with status 404. HTML responses get the live-reload script; the
//! server's own endpoints live under `/__minglu/`.

use std::net::TcpStream;

use super::conn::{Answer, Reply, Request, WRITE_TIMEOUT};
use super::events::{self, frame};
use super::mime::content_type;
use super::overlay::{self, SCRIPT, SCRIPT_PATH};
use super::route::{self, RESERVED, Target};
use super::state::{Snapshot, State};
use super::store::Stored;

/// Which `Host` headers are accepted: on loopback, only local names, so a web page
/// elsewhere cannot read the preview through DNS rebinding.
#[derive(Clone, Copy, Debug)]
pub struct HostGuard {
    /// Whether the server listens on a loopback address.
    pub loopback: bool,
}

impl HostGuard {
    fn allows(self, request: &Request<'_>) -> bool {
        if !self.loopback {
            return true;
        }
        let Some(host) = request.header("Host") else {
            // No Host at all (HTTP/1.0) is fine; one that is not text is not.
            return !request.has_header("Host");
        };
        let name = match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        };
        ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .any(|ok| name.eq_ignore_ascii_case(ok))
    }
}

fn respond(status: u16, kind: &str, body: Vec<u8>) -> Reply {
    Reply::new(status, kind, body)
}

fn text(status: u16, message: &str) -> Reply {
    Reply::text(status, message)
}

/// Answers one request; an event stream keeps the connection.
pub fn handle(
    request: &Request<'_>,
    stream: &TcpStream,
    state: &State,
    guard: HostGuard,
) -> Answer {
    let response = match (request.method, guard.allows(request)) {
        ("GET" | "HEAD", true) => match route::parse(request.target) {
            Ok(target) if target.path == "/__minglu/events" && !request.is_head() => {
                return subscribe(stream, &target, state);
            }
            Ok(target) if target.path == "/__minglu/events" => {
                respond(200, "text/event-stream; charset=utf-8", Vec::new())
            }
            Ok(target) if target.path.starts_with(RESERVED) => own(&target, state),
            Ok(target) => file(&target, state),
            Err(refusal) => text(403, &format!("403 forbidden: {}", refusal.reason())),
        },
        ("GET" | "HEAD", false) => text(403, "403 forbidden: unexpected Host header"),
        _ => {
            text(405, "405 method not allowed: only GET and HEAD").with_header("Allow", "GET, HEAD")
        }
    };
    Answer::Reply(response)
}

/// What a request finds in the last good build, taken while it is held
/// for reading; the bytes are read after.
enum Found {
    /// Nothing built yet.
    Nothing,
    /// The file at the key, in generation `u64`.
    File(String, Stored, u64),
    /// The path names a folder that has a page: add the slash.
    Folder,
    /// Neither: the site's 404 page, if it has one.
    Missing(Option<Stored>, u64),
}

fn find(target: &Target, snapshot: &Snapshot) -> Found {
    if snapshot.generation == 0 {
        return Found::Nothing;
    }
    let key = route::output_key(&target.path);
    if let Some(stored) = snapshot.files.get(&key) {
        return Found::File(key, stored.clone(), snapshot.generation);
    }
    let folder = format!("{}/index.html", key.trim_end_matches('/'));
    if !target.path.ends_with('/') && snapshot.files.contains_key(&folder) {
        return Found::Folder;
    }
    Found::Missing(snapshot.files.get("404.html").cloned(), snapshot.generation)
}

/// A file of the build (or a redirect to its folder, or the 404 page).
fn file(target: &Target, state: &State) -> Reply {
    match state.read(|snapshot| find(target, snapshot)) {
        Found::Nothing => {
            let page = b"<!doctype html><meta charset=utf-8><title>minglu</title><body><p>\xe7\xab\x99\xe7\x82\xb9\xe5\xb0\x9a\xe6\x9c\xaa\xe6\x88\x90\xe5\x8a\x9f\xe6\x9e\x84\xe5\xbb\xba (the site has not built yet)</p></body>";
            respond(503, content_type("x.html"), overlay::inject(page, 0))
        }
        Found::File(key, stored, generation) => match stored.read() {
            Ok(bytes) => respond(200, content_type(&key), body(&key, &bytes, generation)),
            // A newer build replaced it a moment ago; that build's event reloads the page.
            Err(_) => text(503, "503 being rebuilt: reload in a moment"),
        },
        Found::Folder => {
            let mut location = format!("{}/", route::encode_path(&target.path));
            if !target.query.is_empty() {
                location = format!("{location}?{}", target.query);
            }
            text(301, "301 moved permanently").with_header("Location", &location)
        }
        Found::Missing(page, generation) => match page.as_ref().and_then(|p| p.read().ok()) {
            Some(page) => respond(
                404,
                content_type("404.html"),
                overlay::inject(&page, generation),
            ),
            None => text(404, "404 not found"),
        },
    }
}

fn body(key: &str, bytes: &[u8], generation: u64) -> Vec<u8> {
    if content_type(key).starts_with("text/html") {
        overlay::inject(bytes, generation)
    } else {
        bytes.to_vec()
    }
}

/// The server's own files: the script and the list of built files.
fn own(target: &Target, state: &State) -> Reply {
    match target.path.as_str() {
        SCRIPT_PATH => respond(200, content_type("live.js"), SCRIPT.as_bytes().to_vec()),
        "/__minglu/files.json" => {
            let listing = state.read(|snapshot| {
                serde_json::json!({
                    "generation": snapshot.generation,
                    "files": snapshot.files.keys().collect::<Vec<_>>(),
                })
            });
            respond(200, "application/json", listing.to_string().into_bytes())
        }
        _ => text(404, "404 not found"),
    }
}

/// Opens an event stream for one page: a greeting, then the overlay if the last
/// rebuild failed, or a reload if the page is older than the current build.
fn subscribe(stream: &TcpStream, target: &Target, state: &State) -> Answer {
    let Ok(writer) = stream.try_clone() else {
        return Answer::Reply(text(503, "503 cannot open an event stream"));
    };
    // A tab that stops reading must not hold up the rebuilds that write to it.
    let _ = writer.set_write_timeout(Some(WRITE_TIMEOUT));
    let page = query_value(&target.query, "page")
        .and_then(|p| route::parse(&p).ok())
        .map(|t| route::output_key(&t.path));
    let since = query_value(&target.query, "since").and_then(|s| s.parse::<u64>().ok());
    let mut subscribers = state.subscribers();
    // Read the state while holding the subscriber lock, so no rebuild can be
    // published between this greeting and the registration.
    let generation = state.generation();
    let mut first = String::from(events::HEAD);
    first.push_str(&frame("hello", &format!("{{\"generation\":{generation}}}")));
    if let Some(problems) = state.problems() {
        first.push_str(&frame("overlay", &problems.payload()));
    } else if since.is_some_and(|s| s != generation) {
        first.push_str(&frame("reload", "{}"));
    }
    subscribers.add(page, Box::new(writer), &first);
    Answer::Kept
}

/// The percent-decoded value of `name` in a query string.
fn query_value(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| decode_component(v))?
    })
}

fn decode_component(v: &str) -> Option<String> {
    let mut out = Vec::with_capacity(v.len());
    let mut bytes = v.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hi = char::from(bytes.next()?).to_digit(16)?;
            let lo = char::from(bytes.next()?).to_digit(16)?;
            out.push(u8::try_from(hi * 16 + lo).ok()?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::{decode_component, query_value};

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(
            query_value("page=%2Fstamp%2FGZ-001%2F&since=3", "page").as_deref(),
            Some("/stamp/GZ-001/")
        );
        assert_eq!(query_value("page=x&since=3", "since").as_deref(), Some("3"));
        assert_eq!(query_value("page=x", "since"), None);
        assert_eq!(decode_component("%E5%85%A5"), Some("入".to_owned()));
        assert_eq!(decode_component("%zz"), None);
    }
}

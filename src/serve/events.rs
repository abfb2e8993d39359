//! Server-Sent Events: the open pages and what to tell each of them.
//!
//! Part of `serve`. Each open page holds one `GET /__minglu/events?page=…`
//! connection; after a rebuild a page gets `reload` only when its own output
//! (or a stylesheet, script, font or image) changed, `overlay` when the rebuild
//! failed and `clear` when it is fixed. A page that has gone away is dropped at
//! the next write.

use std::io::Write;

/// One event frame: `event: <name>` and a single `data:` line.
pub fn frame(name: &str, data: &str) -> String {
    debug_assert!(!data.contains(['\n', '\r']), "one data line");
    format!("event: {name}\ndata: {data}\n\n")
}

/// The response head that opens an event stream (the body runs until the
/// connection closes).
pub const HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: keep-alive\r\n\r\nretry: 500\n\n";

/// An open page.
struct Subscriber {
    /// The output file it shows (`stamp/GZ-001/index.html`), when known.
    page: Option<String>,
    writer: Box<dyn Write + Send>,
}

/// Every open page.
#[derive(Default)]
pub struct Subscribers {
    list: Vec<Subscriber>,
}

impl std::fmt::Debug for Subscribers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Subscribers({})", self.list.len())
    }
}

impl Subscribers {
    /// Adds a page after sending it `first` (the greeting and any pending
    /// overlay); a page that cannot be written to is not added.
    pub fn add(&mut self, page: Option<String>, mut writer: Box<dyn Write + Send>, first: &str) {
        if writer
            .write_all(first.as_bytes())
            .and_then(|()| writer.flush())
            .is_ok()
        {
            self.list.push(Subscriber { page, writer });
        }
    }

    /// How many pages are open.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether no page is open.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Sends each page what `choose` picks for it (nothing for `None`); drops
    /// pages whose connection is gone. Returns how many pages were sent something.
    pub fn send(&mut self, choose: impl Fn(Option<&str>) -> Option<String>) -> usize {
        let mut sent = 0;
        self.list.retain_mut(|s| {
            let Some(text) = choose(s.page.as_deref()) else {
                return true;
            };
            let ok = s
                .writer
                .write_all(text.as_bytes())
                .and_then(|()| s.writer.flush())
                .is_ok();
            sent += usize::from(ok);
            ok
        });
        sent
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::{Subscribers, frame};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    struct Broken;

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn only_chosen_pages_hear_and_dead_ones_go() {
        let (a, b) = (Shared::default(), Shared::default());
        let mut subs = Subscribers::default();
        subs.add(Some("a.html".into()), Box::new(a.clone()), "hi\n");
        subs.add(Some("b.html".into()), Box::new(b.clone()), "hi\n");
        subs.add(None, Box::new(Broken), "hi\n");
        assert_eq!(subs.len(), 2, "a page that cannot be written is not kept");
        let sent = subs.send(|page| (page == Some("a.html")).then(|| frame("reload", "{}")));
        assert_eq!(sent, 1);
        let a = String::from_utf8(a.0.lock().expect("lock").clone()).expect("utf-8");
        let b = String::from_utf8(b.0.lock().expect("lock").clone()).expect("utf-8");
        assert_eq!(a, "hi\nevent: reload\ndata: {}\n\n");
        assert_eq!(b, "hi\n");
    }
}

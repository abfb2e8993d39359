//! LOAD (cache): a compact binary form of parsed files, for `check`'s cache.
//!
//! The model's `Serialize` is made for templates and data files and leaves
//! out every span, so the cache writes its own form: varints, length-prefixed
//! strings, and every field in declaration order (each `encode` destructures
//! its type completely, so a new field fails to compile until it is written
//! here too). Reading never trusts the bytes: anything malformed, out of range
//! or naming a file the reader was not given is `None`, and the cache entry is
//! simply not used.
//!
//! File ids are not written as such: they change whenever a file is added
//! before another in the walk. A writer is given the files its value may name
//! ("locals", e.g. the files of one edition folder) and writes each file as its
//! position among them; the reader maps positions back to this load's ids.
//! Spans inside an item are written without a file at all (they all name the
//! item's file, see [`Item::refile`]), so that identical items read from
//! different files encode to identical bytes and are stored once.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::civil::Date;

use crate::diagnostic::{self, Diagnostic, FileId, Severity, Span, Spanned, Text};
use crate::model::{
    Admission, Basis, Choice, Creation, Department, Details, Edition, EditionRecord, Funding,
    Instead, Item, ItemFields, ListMeta, Snapshot, Stamp, Standard, Work,
};

/// Writes values (see the module documentation).
pub(crate) struct Writer<'f> {
    /// The bytes so far.
    pub(crate) buf: Vec<u8>,
    /// The files values may name, and their positions.
    locals: &'f HashMap<FileId, u32>,
    /// While writing an item: its file (every span must be in it).
    item_file: Option<FileId>,
    /// False once a value could not be written faithfully (a file outside the
    /// locals, a span outside its item's file): the bytes must not be used.
    ok: bool,
}

impl<'f> Writer<'f> {
    /// A writer whose values may name the files of `locals`.
    pub(crate) fn new(locals: &'f HashMap<FileId, u32>) -> Self {
        Writer {
            buf: Vec::new(),
            locals,
            item_file: None,
            ok: true,
        }
    }

    /// The bytes, if everything written could be written faithfully.
    pub(crate) fn finish(self) -> Option<Vec<u8>> {
        self.ok.then_some(self.buf)
    }

    pub(crate) fn u64(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.buf.push(byte);
                return;
            }
            self.buf.push(byte | 0x80);
        }
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.u64(u64::from(v));
    }

    pub(crate) fn usize(&mut self, v: usize) {
        self.u64(v as u64);
    }

    pub(crate) fn i128(&mut self, v: i128) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn bool(&mut self, v: bool) {
        self.buf.push(u8::from(v));
    }

    pub(crate) fn bytes(&mut self, v: &[u8]) {
        self.usize(v.len());
        self.buf.extend_from_slice(v);
    }

    pub(crate) fn str(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }

    pub(crate) fn choice<T: Choice + PartialEq>(&mut self, v: T) {
        let at = T::ALL.iter().position(|c| *c == v).unwrap_or(usize::MAX);
        self.usize(at);
    }

    pub(crate) fn file(&mut self, id: FileId) {
        match self.locals.get(&id) {
            Some(&at) => self.u32(at),
            None => self.ok = false,
        }
    }

    fn span(&mut self, s: Span) {
        match self.item_file {
            Some(file) if s.file != file => self.ok = false,
            Some(_) => {}
            None => self.file(s.file),
        }
        for v in [s.line, s.col, s.start, s.end] {
            self.u32(v);
        }
    }

    pub(crate) fn put<T: Encode>(&mut self, v: &T) {
        v.encode(self);
    }
}

/// Reads what a [`Writer`] wrote.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    /// This load's id of each local file position.
    locals: &'a [FileId],
    /// While reading an item: its file.
    item_file: Option<FileId>,
}

impl<'a> Reader<'a> {
    /// A reader of `data` whose file positions are `locals`.
    pub(crate) fn new(data: &'a [u8], locals: &'a [FileId]) -> Self {
        Reader {
            data,
            pos: 0,
            locals,
            item_file: None,
        }
    }

    /// Whether every byte was read.
    pub(crate) fn done(&self) -> bool {
        self.pos == self.data.len()
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.data.get(self.pos)?;
            self.pos += 1;
            v |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u64()?).ok()
    }

    pub(crate) fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }

    pub(crate) fn i128(&mut self) -> Option<i128> {
        let bytes = self.take(16)?;
        Some(i128::from_le_bytes(bytes.try_into().ok()?))
    }

    pub(crate) fn bool(&mut self) -> Option<bool> {
        match self.take(1)? {
            [0] => Some(false),
            [1] => Some(true),
            _ => None,
        }
    }

    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.usize()?;
        self.take(n)
    }

    /// Where the next length-prefixed bytes are in the data, skipping them.
    pub(crate) fn bytes_range(&mut self) -> Option<std::ops::Range<usize>> {
        let n = self.usize()?;
        let start = self.pos;
        self.take(n)?;
        Some(start..self.pos)
    }

    pub(crate) fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }

    pub(crate) fn string(&mut self) -> Option<String> {
        self.str().map(str::to_owned)
    }

    pub(crate) fn choice<T: Choice>(&mut self) -> Option<T> {
        T::ALL.get(self.usize()?).copied()
    }

    pub(crate) fn file(&mut self) -> Option<FileId> {
        self.locals.get(self.usize()?).copied()
    }

    fn span(&mut self) -> Option<Span> {
        let file = match self.item_file {
            Some(file) => file,
            None => self.file()?,
        };
        Some(Span {
            file,
            line: self.u32()?,
            col: self.u32()?,
            start: self.u32()?,
            end: self.u32()?,
        })
    }

    pub(crate) fn get<T: Encode>(&mut self) -> Option<T> {
        T::decode(self)
    }
}

/// A value the cache can write and read back.
pub(crate) trait Encode: Sized {
    fn encode(&self, w: &mut Writer<'_>);
    fn decode(r: &mut Reader<'_>) -> Option<Self>;
}

impl Encode for String {
    fn encode(&self, w: &mut Writer<'_>) {
        w.str(self);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        r.string()
    }
}

impl Encode for Box<str> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.str(self);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        r.str().map(Box::from)
    }
}

impl Encode for Arc<str> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.str(self);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        r.str().map(Arc::from)
    }
}

impl Encode for u64 {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u64(*self);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        r.u64()
    }
}

impl Encode for bool {
    fn encode(&self, w: &mut Writer<'_>) {
        w.bool(*self);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        r.bool()
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.bool(self.is_some());
        if let Some(v) = self {
            v.encode(w);
        }
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(if r.bool()? { Some(T::decode(r)?) } else { None })
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.usize(self.len());
        for v in self {
            v.encode(w);
        }
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        let n = r.usize()?;
        // Never trust a length for an allocation: each element is at least a byte.
        let mut out = Vec::with_capacity(n.min(r.data.len() - r.pos));
        for _ in 0..n {
            out.push(T::decode(r)?);
        }
        Some(out)
    }
}

impl<T: Encode> Encode for BTreeMap<String, T> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.usize(self.len());
        for (k, v) in self {
            w.str(k);
            v.encode(w);
        }
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        let n = r.usize()?;
        let mut out = BTreeMap::new();
        for _ in 0..n {
            let k = r.string()?;
            out.insert(k, T::decode(r)?);
        }
        Some(out)
    }
}

impl<A: Encode, B: Encode> Encode for (A, B) {
    fn encode(&self, w: &mut Writer<'_>) {
        self.0.encode(w);
        self.1.encode(w);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some((A::decode(r)?, B::decode(r)?))
    }
}

impl Encode for Date {
    fn encode(&self, w: &mut Writer<'_>) {
        // Years are -9999..=9999: shifted to be positive.
        w.u32(u32::try_from(i32::from(self.year()) + 10_000).unwrap_or(0));
        w.u32(u32::try_from(self.month()).unwrap_or(0));
        w.u32(u32::try_from(self.day()).unwrap_or(0));
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        let year = i16::try_from(i64::from(r.u32()?) - 10_000).ok()?;
        let month = i8::try_from(r.u32()?).ok()?;
        let day = i8::try_from(r.u32()?).ok()?;
        Date::new(year, month, day).ok()
    }
}

impl Encode for Span {
    fn encode(&self, w: &mut Writer<'_>) {
        w.span(*self);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        r.span()
    }
}

impl Encode for FileId {
    fn encode(&self, w: &mut Writer<'_>) {
        w.file(*self);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        r.file()
    }
}

impl<T: Encode> Encode for Spanned<T> {
    fn encode(&self, w: &mut Writer<'_>) {
        self.value.encode(w);
        w.span(self.span);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(Spanned::new(T::decode(r)?, r.span()?))
    }
}

/// Choices (closed sets of names) are written as their position.
macro_rules! encode_choices {
    ($($t:ty),+) => {$(
        impl Encode for $t {
            fn encode(&self, w: &mut Writer<'_>) {
                w.choice(*self);
            }
            fn decode(r: &mut Reader<'_>) -> Option<Self> {
                r.choice()
            }
        }
    )+};
}

encode_choices!(
    crate::model::Verdict,
    crate::model::Method,
    crate::model::Duty,
    crate::model::FundingPrinciple,
    crate::model::Level,
    crate::model::Participation,
    crate::model::BasisLevel,
    crate::model::ListKind,
    crate::model::EditionKind
);

impl Encode for Text {
    fn encode(&self, w: &mut Writer<'_>) {
        w.str(&self.en);
        w.str(&self.zh);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(Text {
            en: r.get()?,
            zh: r.get()?,
        })
    }
}

impl Encode for Diagnostic {
    fn encode(&self, w: &mut Writer<'_>) {
        let Diagnostic {
            code,
            severity,
            span,
            message,
            help,
            related,
        } = self;
        w.str(code.as_str());
        w.bool(*severity == Severity::Error);
        w.put(span);
        w.put(message);
        w.put(help);
        w.put(related);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(Diagnostic {
            code: diagnostic::Code::from_name(r.str()?)?,
            severity: if r.bool()? {
                Severity::Error
            } else {
                Severity::Warning
            },
            span: r.get()?,
            message: r.get()?,
            help: r.get()?,
            related: r.get()?,
        })
    }
}

impl Encode for Basis {
    fn encode(&self, w: &mut Writer<'_>) {
        let Basis {
            title,
            doc_number,
            article,
            level,
            url,
        } = self;
        w.put(title);
        w.put(doc_number);
        w.put(article);
        w.put(level);
        w.put(url);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(Basis {
            title: r.get()?,
            doc_number: r.get()?,
            article: r.get()?,
            level: r.get()?,
            url: r.get()?,
        })
    }
}

impl Encode for Instead {
    fn encode(&self, w: &mut Writer<'_>) {
        let Instead {
            method,
            department,
            how,
        } = self;
        w.put(method);
        w.put(department);
        w.put(how);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(Instead {
            method: r.get()?,
            department: r.get()?,
            how: r.get()?,
        })
    }
}

impl Encode for Stamp {
    fn encode(&self, w: &mut Writer<'_>) {
        let Stamp {
            verdict,
            instead,
            transitional,
            materials,
            procedure,
            time_limit,
            fee,
            proof_content,
        } = self;
        w.put(verdict);
        w.put(instead);
        w.put(transitional);
        w.put(materials);
        w.put(procedure);
        w.put(time_limit);
        w.put(fee);
        w.put(proof_content);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(Stamp {
            verdict: r.get()?,
            instead: r.get()?,
            transitional: r.get()?,
            materials: r.get()?,
            procedure: r.get()?,
            time_limit: r.get()?,
            fee: r.get()?,
            proof_content: r.get()?,
        })
    }
}

impl Encode for Funding {
    fn encode(&self, w: &mut Writer<'_>) {
        let Funding {
            principle,
            agreement,
            amount_cny,
            period,
        } = self;
        w.put(principle);
        w.put(agreement);
        w.put(amount_cny);
        w.put(period);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(Funding {
            principle: r.get()?,
            agreement: r.get()?,
            amount_cny: r.get()?,
            period: r.get()?,
        })
    }
}

impl Encode for Admission {
    fn encode(&self, w: &mut Writer<'_>) {
        let Admission {
            applied,
            assessed,
            confirmed,
            approved_by,
            doc_number,
        } = self;
        w.put(applied);
        w.put(assessed);
        w.put(confirmed);
        w.put(approved_by);
        w.put(doc_number);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(Admission {
            applied: r.get()?,
            assessed: r.get()?,
            confirmed: r.get()?,
            approved_by: r.get()?,
            doc_number: r.get()?,
        })
    }
}

impl Encode for Work {
    fn encode(&self, w: &mut Writer<'_>) {
        let Work {
            duty,
            content,
            funding,
            admission,
        } = self;
        w.put(duty);
        w.put(content);
        w.put(funding);
        w.put(admission);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(Work {
            duty: r.get()?,
            content: r.get()?,
            funding: r.get()?,
            admission: r.get()?,
        })
    }
}

impl Encode for Standard {
    fn encode(&self, w: &mut Writer<'_>) {
        let Standard {
            title,
            pass_mark,
            indicators,
        } = self;
        w.put(title);
        w.put(pass_mark);
        w.put(indicators);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(Standard {
            title: r.get()?,
            pass_mark: r.get()?,
            indicators: r.get()?,
        })
    }
}

impl Encode for Creation {
    fn encode(&self, w: &mut Writer<'_>) {
        let Creation {
            level,
            participation,
            cycle,
            recognition,
            standard,
            ledgers,
            merged_into,
        } = self;
        w.put(level);
        w.put(participation);
        w.put(cycle);
        w.put(recognition);
        w.put(standard);
        w.put(ledgers);
        w.put(merged_into);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(Creation {
            level: r.get()?,
            participation: r.get()?,
            cycle: r.get()?,
            recognition: r.get()?,
            standard: r.get()?,
            ledgers: r.get()?,
            merged_into: r.get()?,
        })
    }
}

impl Encode for Details {
    fn encode(&self, w: &mut Writer<'_>) {
        match self {
            Details::Stamp(s) => (w.u32(0), w.put(s)),
            Details::Work(s) => (w.u32(1), w.put(s)),
            Details::Creation(s) => (w.u32(2), w.put(s)),
        };
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        match r.u32()? {
            0 => r.get().map(Details::Stamp),
            1 => r.get().map(Details::Work),
            2 => r.get().map(Details::Creation),
            _ => None,
        }
    }
}

/// An item without its file: every span in it is in the item's file, which
/// the caller writes beside it ([`encode_item`], [`decode_item`]).
struct Fileless<'i>(&'i Item);

impl Fileless<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        let ItemFields {
            id,
            title,
            aliases,
            category,
            departments,
            basis,
            purposes,
            summary,
            body,
            sources,
            replaces,
            details,
        } = &**self.0;
        w.put(id);
        w.put(title);
        w.put(aliases);
        w.put(category);
        w.put(departments);
        w.put(basis);
        w.put(purposes);
        w.put(summary);
        w.put(body);
        w.put(sources);
        w.put(replaces);
        w.put(details);
    }
}

/// An item's bytes with no file in them, so that the same item read from
/// another file encodes the same; `None` if a span of it is in another file.
pub(crate) fn encode_item(item: &Item) -> Option<Vec<u8>> {
    let none = HashMap::new();
    let mut w = Writer::new(&none);
    // Every span of the fields names the file they were read from, which a
    // copy sharing them may not be (see `Item::at`).
    w.item_file = Some(item.title.span.file);
    Fileless(item).encode(&mut w);
    w.finish()
}

/// Reads an item written by [`encode_item`] as read from `file`.
pub(crate) fn decode_item(bytes: &[u8], file: FileId) -> Option<Item> {
    let mut r = Reader::new(bytes, &[]);
    r.item_file = Some(file);
    let fields = ItemFields {
        id: r.get()?,
        title: r.get()?,
        aliases: r.get()?,
        category: r.get()?,
        departments: r.get()?,
        basis: r.get()?,
        purposes: r.get()?,
        summary: r.get()?,
        body: r.get()?,
        sources: r.get()?,
        replaces: r.get()?,
        details: r.get()?,
    };
    r.done().then(|| Item::new(fields, file))
}

impl Encode for ListMeta {
    fn encode(&self, w: &mut Writer<'_>) {
        let ListMeta {
            title,
            short_title,
            kind,
            id_prefix,
            intro,
            categories,
            file,
            prefix_span,
        } = self;
        w.put(title);
        w.put(short_title);
        w.put(kind);
        w.put(id_prefix);
        w.put(intro);
        w.put(categories);
        w.put(file);
        w.put(prefix_span);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(ListMeta {
            title: r.get()?,
            short_title: r.get()?,
            kind: r.get()?,
            id_prefix: r.get()?,
            intro: r.get()?,
            categories: r.get()?,
            file: r.get()?,
            prefix_span: r.get()?,
        })
    }
}

impl Encode for Department {
    fn encode(&self, w: &mut Writer<'_>) {
        let Department {
            id,
            name,
            short_name,
            phone,
            url,
            address,
            hours,
            note,
            span,
        } = self;
        w.put(id);
        w.put(name);
        w.put(short_name);
        w.put(phone);
        w.put(url);
        w.put(address);
        w.put(hours);
        w.put(note);
        w.put(span);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(Department {
            id: r.get()?,
            name: r.get()?,
            short_name: r.get()?,
            phone: r.get()?,
            url: r.get()?,
            address: r.get()?,
            hours: r.get()?,
            note: r.get()?,
            span: r.get()?,
        })
    }
}

impl Encode for EditionRecord {
    fn encode(&self, w: &mut Writer<'_>) {
        let EditionRecord {
            label,
            kind,
            title,
            doc_number,
            issuers,
            published,
            effective,
            expires,
            notes,
            reasons,
            sources,
            file,
        } = self;
        w.put(label);
        w.put(kind);
        w.put(title);
        w.put(doc_number);
        w.put(issuers);
        w.put(published);
        w.put(effective);
        w.put(expires);
        w.put(notes);
        w.put(reasons);
        w.put(sources);
        w.put(file);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(EditionRecord {
            label: r.get()?,
            kind: r.get()?,
            title: r.get()?,
            doc_number: r.get()?,
            issuers: r.get()?,
            published: r.get()?,
            effective: r.get()?,
            expires: r.get()?,
            notes: r.get()?,
            reasons: r.get()?,
            sources: r.get()?,
            file: r.get()?,
        })
    }
}

/// An edition with its items written as references (see [`ItemRef`]):
/// `items` are written by the caller, by content, once for every edition.
pub(crate) fn encode_edition(
    w: &mut Writer<'_>,
    edition: &Edition,
    mut item: impl FnMut(&Item) -> Option<ItemRef>,
) {
    let Edition {
        id,
        record,
        snapshot,
        seal,
    } = edition;
    let Snapshot {
        list,
        items,
        departments,
    } = snapshot;
    w.put(id);
    w.put(record);
    w.put(list);
    w.put(departments);
    w.put(seal);
    w.usize(items.len());
    for i in items {
        match item(i) {
            Some(r) => {
                w.buf.extend_from_slice(&r.0);
                w.file(i.file);
            }
            None => w.ok = false,
        }
    }
}

/// Reads an edition written by [`encode_edition`]; `item` gives the item a
/// reference names, as read from a file.
pub(crate) fn decode_edition(
    r: &mut Reader<'_>,
    mut item: impl FnMut(&ItemRef, FileId) -> Option<Item>,
) -> Option<Edition> {
    let id = r.get()?;
    let record = r.get()?;
    let list = r.get()?;
    let departments = r.get()?;
    let seal = r.get()?;
    let n = r.usize()?;
    let mut items = Vec::with_capacity(n.min(r.data.len()));
    for _ in 0..n {
        let key = ItemRef(r.take(ItemRef::LEN)?.try_into().ok()?);
        let file = r.file()?;
        items.push(item(&key, file)?);
    }
    Some(Edition {
        id,
        record,
        snapshot: Snapshot {
            list,
            items,
            departments,
        },
        seal,
    })
}

/// An item's content key in the cache's table of distinct items: the
/// SHA-256 of its [`encode_item`] bytes, cut to 16 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ItemRef(pub(crate) [u8; ItemRef::LEN]);

impl ItemRef {
    pub(crate) const LEN: usize = 16;

    /// The key of these item bytes.
    pub(crate) fn of(bytes: &[u8]) -> ItemRef {
        let digest = super::seal::sha256(bytes);
        let mut key = [0; ItemRef::LEN];
        key.copy_from_slice(&digest[..ItemRef::LEN]);
        ItemRef(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_strings_read_back_and_malformed_bytes_are_refused() {
        let none = HashMap::new();
        let mut w = Writer::new(&none);
        for v in [0, 1, 127, 128, 300, u64::MAX] {
            w.u64(v);
        }
        w.str("名录");
        let bytes = w.finish().expect("nothing file-bound");
        let mut r = Reader::new(&bytes, &[]);
        for v in [0, 1, 127, 128, 300, u64::MAX] {
            assert_eq!(r.u64(), Some(v));
        }
        assert_eq!(r.str(), Some("名录"));
        assert!(r.done());
        // Cut short, or a length beyond the end: refused, never a panic.
        let mut r = Reader::new(&bytes[..bytes.len() - 1], &[]);
        for _ in 0..6 {
            r.u64();
        }
        assert_eq!(r.str(), None);
        assert_eq!(Reader::new(&[0xff; 11], &[]).u64(), None);
        assert_eq!(Reader::new(&[5, b'a'], &[]).str(), None);
    }

    /// The bundled example, loaded.
    fn example() -> crate::model::Site {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (site, diags) = crate::content::load(root).expect("the example loads");
        assert!(!diags.has_errors());
        site
    }

    #[test]
    fn every_item_and_edition_of_the_example_reads_back_the_same() {
        let site = example();
        let mut items = 0;
        for register in &site.registers {
            for item in &register.working.items {
                let bytes = encode_item(item).expect("spans in the item's file");
                assert_eq!(decode_item(&bytes, item.file).as_ref(), Some(item));
                // Read as from another file: the same values, elsewhere.
                let moved = decode_item(&bytes, FileId(9999)).expect("reads");
                assert!(moved.same_values(item) && moved != *item);
                items += 1;
            }
            for edition in &register.editions {
                let ids: Vec<FileId> = (0..site.files.len())
                    .filter_map(|i| u32::try_from(i).ok().map(FileId))
                    .collect();
                let locals: HashMap<FileId, u32> =
                    ids.iter().zip(0..).map(|(f, i)| (*f, i)).collect();
                let mut table = HashMap::new();
                let mut w = Writer::new(&locals);
                encode_edition(&mut w, edition, |item| {
                    let bytes = encode_item(item)?;
                    let key = ItemRef::of(&bytes);
                    table.insert(key, bytes);
                    Some(key)
                });
                let bytes = w.finish().expect("every file is local");
                let mut r = Reader::new(&bytes, &ids);
                let back = decode_edition(&mut r, |key, file| decode_item(table.get(key)?, file))
                    .expect("reads back");
                assert!(r.done());
                // A copy sharing another file's parse reads back with spans
                // in its own file, where `Item::at` places them.
                let mut own = edition.as_ref().clone();
                for item in &mut own.snapshot.items {
                    let file = item.file;
                    item.refile(file);
                }
                assert_eq!(format!("{back:?}"), format!("{own:?}"));
            }
        }
        assert!(items > 10, "the example has items: {items}");
    }

    #[test]
    fn frozen_copies_of_one_file_share_its_parse_and_place_spans_in_their_own_file() {
        let site = example();
        let mut shared = 0;
        for register in &site.registers {
            for pair in register.editions.windows(2) {
                for b in &pair[1].snapshot.items {
                    assert_eq!(b.span().file, b.file, "a span placed in the copy's file");
                    let Some(a) = pair[0].snapshot.item(&b.id) else {
                        continue;
                    };
                    if a.shares_fields(b) {
                        assert!(a.same_values(b) && a.file != b.file);
                        assert_ne!(a.span(), b.span(), "each in its own file");
                        shared += 1;
                    }
                }
            }
            for item in &register.working.items {
                assert_eq!(
                    item.title.span.file, item.file,
                    "a working item's own spans"
                );
            }
        }
        assert!(
            shared > 0,
            "an item unchanged between editions is parsed once"
        );
    }

    #[test]
    fn same_values_and_their_hash_ignore_where_values_were_written() {
        use std::hash::{DefaultHasher, Hasher as _};
        let site = example();
        let item = &site.registers[0].working.items[0];
        let hash = |i: &Item| {
            let mut h = DefaultHasher::new();
            i.hash_values(&mut h);
            h.finish()
        };
        let mut moved = item.clone();
        moved.refile(FileId(9999));
        moved.title.span.line += 3;
        assert!(moved.same_values(item));
        assert_eq!(hash(&moved), hash(item));
        let mut renamed = item.clone();
        renamed.title.value.push('改');
        assert!(!renamed.same_values(item));
        assert_ne!(hash(&renamed), hash(item));
        let mut other = item.clone();
        other.purposes.push("入学".to_owned());
        assert!(!other.same_values(item));
    }

    #[test]
    fn a_file_outside_the_locals_is_not_written() {
        let mut locals = HashMap::new();
        locals.insert(FileId(7), 0);
        let mut w = Writer::new(&locals);
        w.put(&Span::file_start(FileId(7)));
        let bytes = w.finish().expect("a local file");
        let span: Option<Span> = Reader::new(&bytes, &[FileId(3)]).get();
        assert_eq!(
            span.map(|s| s.file),
            Some(FileId(3)),
            "read as this load's id"
        );
        let mut w = Writer::new(&locals);
        w.put(&Span::file_start(FileId(8)));
        assert!(w.finish().is_none());
    }
}

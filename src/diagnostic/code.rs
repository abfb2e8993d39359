//! The stable codes of every diagnostic, and the documentation of each rule.
//!
//! Codes are part of minglu's interface: CI scripts filter on them and
//! `--format json` prints them. Never rename one; add a new one instead.

/// A stable diagnostic code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// A file is not UTF-8.
    Encoding,
    /// YAML that does not parse.
    YamlSyntax,
    /// YAML anchors and aliases, which minglu refuses.
    YamlAlias,
    /// The same key twice in one mapping.
    DuplicateKey,
    /// A field the format does not define.
    UnknownField,
    /// A required field is absent or empty.
    MissingField,
    /// A value of the wrong kind (number for string, list for text …).
    WrongType,
    /// A value outside the allowed set.
    InvalidValue,
    /// Not a real `YYYY-MM-DD` date.
    InvalidDate,
    /// A number that is negative, fractional or ambiguous.
    InvalidNumber,
    /// A URL that is not absolute http(s).
    InvalidUrl,
    /// An id that does not follow its pattern or its file name.
    InvalidId,
    /// Two things with one id.
    DuplicateId,
    /// Two registers with one `id_prefix`.
    DuplicatePrefix,
    /// An item category that the list does not declare.
    UnknownCategory,
    /// A department id that `departments.yaml` does not define.
    DanglingDepartment,
    /// An item id (`replaces`, `merged_into`) that the register never had.
    DanglingItem,
    /// An item id written in text (a summary, a body, a reason) that its register never had.
    DanglingMention,
    /// A `refuse` item that does not say where to go instead.
    RefuseWithoutInstead,
    /// A field that does not apply to this kind of item.
    NotApplicable,
    /// Dates in the wrong order.
    DateOrder,
    /// A document number (文号) not in `〔YYYY〕` form.
    DocNumber,
    /// Two pages that would be written to one URL.
    UrlConflict,
    /// A symbolic link that points outside `content/`.
    SymlinkEscape,
    /// A FIFO, device or socket where a file should be.
    SpecialFile,
    /// A file larger than the per-file limit.
    FileTooLarge,
    /// A control character (ESC, CR, BEL …) in content text.
    ControlCharacter,
    /// A register key or page name that a built-in URL uses.
    ReservedName,
    /// Two names that differ only in case.
    CaseCollision,
    /// A required file is missing.
    MissingFile,
    /// A file minglu does not read.
    UnexpectedFile,
    /// A frozen edition's file differs from its `SHA256SUMS`.
    EditionModified,
    /// A file listed in `SHA256SUMS` is missing.
    EditionFileMissing,
    /// A file in a frozen edition that `SHA256SUMS` does not list.
    EditionFileExtra,
    /// `SHA256SUMS` itself is missing or malformed.
    EditionSums,
    /// A register with no released edition.
    NoEdition,
    /// A template that fails to compile or render.
    Template,
}

/// The documentation of one rule: what it checks, why, an example, the fix.
#[derive(Clone, Copy, Debug)]
pub struct RuleDoc {
    /// The code.
    pub code: Code,
    /// What the rule checks.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// A file that triggers it.
    pub example: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

impl Code {
    /// Every code, in documentation order.
    pub const ALL: [Code; 37] = [
        Code::Encoding,
        Code::YamlSyntax,
        Code::YamlAlias,
        Code::DuplicateKey,
        Code::UnknownField,
        Code::MissingField,
        Code::WrongType,
        Code::InvalidValue,
        Code::InvalidDate,
        Code::InvalidNumber,
        Code::InvalidUrl,
        Code::InvalidId,
        Code::DuplicateId,
        Code::DuplicatePrefix,
        Code::UnknownCategory,
        Code::DanglingDepartment,
        Code::DanglingItem,
        Code::DanglingMention,
        Code::RefuseWithoutInstead,
        Code::NotApplicable,
        Code::DateOrder,
        Code::DocNumber,
        Code::UrlConflict,
        Code::SymlinkEscape,
        Code::SpecialFile,
        Code::FileTooLarge,
        Code::ControlCharacter,
        Code::ReservedName,
        Code::CaseCollision,
        Code::MissingFile,
        Code::UnexpectedFile,
        Code::EditionModified,
        Code::EditionFileMissing,
        Code::EditionFileExtra,
        Code::EditionSums,
        Code::NoEdition,
        Code::Template,
    ];

    /// The stable kebab-case name.
    pub fn as_str(self) -> &'static str {
        self.doc().0
    }

    /// Looks a code up by its name.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The rule's documentation.
    pub fn rule(self) -> RuleDoc {
        let (_, what, why, example, fix) = self.doc();
        RuleDoc {
            code: self,
            what,
            why,
            example,
            fix,
        }
    }

    #[expect(clippy::too_many_lines, reason = "one documentation entry per code")]
    fn doc(
        self,
    ) -> (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ) {
        match self {
            Code::Encoding => (
                "encoding",
                "Every content file is UTF-8 (a byte-order mark and CRLF line endings are accepted).",
                "A file saved as GBK or UTF-16 would show as garbage on the public site.",
                "lists/stamp/items/GZ-001.yaml saved by an old editor as GBK",
                "Re-save the file as UTF-8 (in most editors: Save As → Encoding → UTF-8).",
            ),
            Code::YamlSyntax => (
                "yaml-syntax",
                "The file is well-formed YAML with exactly one document.",
                "Nothing else can be checked in a file that does not parse.",
                "title: [居住证明      # the bracket is never closed",
                "Fix the YAML at the position shown; quote values that contain `: ` or start with `[`, `{`, `*`, `&`, `!`.",
            ),
            Code::YamlAlias => (
                "yaml-alias",
                "No anchors (`&name`) or aliases (`*name`) are used.",
                "Aliases make a small file expand into a huge one (\"billion laughs\") and hide what a record says.",
                "materials: *common_materials",
                "Write the value out in full where it is used.",
            ),
            Code::DuplicateKey => (
                "duplicate-key",
                "No mapping has the same key twice.",
                "YAML parsers disagree on which value wins; the register must say one thing.",
                "title: 居住证明\ntitle: 居住情况证明",
                "Delete one of the two entries.",
            ),
            Code::UnknownField => (
                "unknown-field",
                "Every field is one the content format defines (docs/content-format.md).",
                "A misspelt field (`verdit:`) would otherwise be silently ignored and the record published without it.",
                "verdit: refuse",
                "Correct the spelling (the hint names the closest field) or remove the field.",
            ),
            Code::MissingField => (
                "missing-field",
                "Required fields are present and not empty.",
                "A stamp item without `verdict` cannot answer the citizen's question.",
                "an item file without `title:`",
                "Add the field with a value.",
            ),
            Code::WrongType => (
                "wrong-type",
                "Each value has the kind its field expects: text, list, mapping, true/false, integer.",
                "YAML guesses types: `phone: 110` is a number and `title: 2015` is not text. minglu never converts silently.",
                "phone: 0512-110   # fine\nphone: 110        # a number, not text",
                "Quote text that looks like a number or a boolean (`phone: \"110\"`), or use the kind the field needs.",
            ),
            Code::InvalidValue => (
                "invalid-value",
                "Fields with a fixed set of values use one of them (`verdict: issue | refuse` …).",
                "YAML 1.1 reads `no` as false; a register must never flip a verdict by accident.",
                "verdict: no",
                "Use one of the values listed in the message.",
            ),
            Code::InvalidDate => (
                "invalid-date",
                "Dates are real calendar dates written `YYYY-MM-DD`.",
                "Effective dates decide which edition is in force.",
                "effective: 2020-02-30",
                "Write a real date as YYYY-MM-DD, e.g. 2020-05-01.",
            ),
            Code::InvalidNumber => (
                "invalid-number",
                "Integers are whole, not negative, and have no leading zeros.",
                "`012` means 10 in YAML 1.1 and 12 in YAML 1.2; money amounts cannot be negative.",
                "amount_cny: -5000",
                "Write a plain whole number such as 20000.",
            ),
            Code::InvalidUrl => (
                "invalid-url",
                "URLs are absolute and use http:// or https://.",
                "Sources must be links a citizen can open; other schemes (javascript:, file:) are unsafe.",
                "sources: [www.gov.cn/xinwen]",
                "Write the full address, starting with https:// or http://.",
            ),
            Code::InvalidId => (
                "invalid-id",
                "Ids follow their patterns: items `<id_prefix>-<3+ digits>` equal to the file name, departments `[a-z][a-z0-9-]*`, editions `[0-9A-Za-z][0-9A-Za-z._-]*`, registers `[a-z][a-z0-9-]*`.",
                "Ids become URLs that must stay stable forever.",
                "lists/stamp/items/gz-1.yaml",
                "Rename the file or folder to follow the pattern, e.g. GZ-001.yaml.",
            ),
            Code::DuplicateId => (
                "duplicate-id",
                "No id is used twice.",
                "Two records at one URL would hide one of them.",
                "lists/stamp/items/GZ-001.yaml and lists/stamp/items/GZ-001.yml",
                "Remove or renumber one of them.",
            ),
            Code::DuplicatePrefix => (
                "duplicate-prefix",
                "No two registers share an `id_prefix`.",
                "An item id must say which register it belongs to.",
                "two list.yaml files with `id_prefix: GZ`",
                "Give each register its own prefix.",
            ),
            Code::UnknownCategory => (
                "unknown-category",
                "An item's `category` is one of its list's `categories`.",
                "The register page groups items by category; an unknown one would be lost.",
                "category: 住房   # list.yaml has 住所居住",
                "Use a category from list.yaml, or add the new one there.",
            ),
            Code::DanglingDepartment => (
                "dangling-department",
                "Every department id (`departments`, `instead.department`) is defined in departments.yaml.",
                "The site tells citizens where to go; a missing department leaves them without an address.",
                "departments: [police2]",
                "Use an id from departments.yaml, or add the department there.",
            ),
            Code::DanglingItem => (
                "dangling-item",
                "Ids in `replaces` and `merged_into` name an item of the same register (now or in an earlier edition).",
                "Merges are shown to citizens as \"GZ-009 并入 GZ-013\"; both ends must exist.",
                "replaces: [GZ-099]",
                "Use the id of an item this register has or had.",
            ),
            Code::DanglingMention => (
                "dangling-mention",
                "An item id written in text (`summary`, `body`, `instead.how`, `content`, an edition's `notes` and `reasons`) names an item its register has or had. Pages turn such ids into links.",
                "A citizen told \"可由GZ-001证明\" follows the link; an id that names nothing is a dead end. A warning, not an error: the text is still published.",
                "body: 可由GZ-099证明。   # the register never had GZ-099",
                "Correct the id, or write the item's title instead.",
            ),
            Code::RefuseWithoutInstead => (
                "refuse-without-instead",
                "A stamp item with `verdict: refuse` lists at least one way to go instead (`instead`).",
                "\"Not here\" without \"go there\" leaves the citizen stuck; 民发〔2020〕20号 asks for 办事指南 for every refused proof.",
                "verdict: refuse   # and no instead:",
                "Add `instead:` with at least one entry: method, department, how.",
            ),
            Code::NotApplicable => (
                "field-not-applicable",
                "Fields are used only where they apply (`instead` and `transitional` only on `refuse` items).",
                "An `issue` item with `instead` contradicts itself.",
                "verdict: issue\ninstead: [...]",
                "Remove the field, or change the verdict.",
            ),
            Code::DateOrder => (
                "date-order",
                "Dates that follow each other are in order: published ≤ effective ≤ expires; applied ≤ assessed ≤ confirmed.",
                "An edition cannot take effect before it was published.",
                "published: 2020-05-01\neffective: 2020-04-01",
                "Correct whichever date is wrong.",
            ),
            Code::DocNumber => (
                "doc-number",
                "Document numbers (文号) write the year in 〔〕 brackets, e.g. 民发〔2020〕20号.",
                "Citizens search for the exact official number.",
                "doc_number: 民发[2020]20号",
                "Use the brackets 〔 and 〕 around the year.",
            ),
            Code::UrlConflict => (
                "url-conflict",
                "No page takes a URL that a register or a built-in page uses.",
                "Two pages at one URL would overwrite each other.",
                "content/pages/stamp.md next to lists/stamp/",
                "Rename the page file.",
            ),
            Code::SymlinkEscape => (
                "symlink-escape",
                "Symbolic links inside content/ point inside content/.",
                "The site must be built only from what is reviewed in the repository.",
                "content/lists/stamp/items/GZ-001.yaml -> /etc/passwd",
                "Replace the link by the file itself.",
            ),
            Code::SpecialFile => (
                "special-file",
                "Everything under content/ is a regular file or a folder: no named pipes (FIFOs), devices or sockets.",
                "Reading a FIFO blocks forever and a device such as /dev/zero never ends; a pull request must not be able to hang or exhaust the CI machine.",
                "mkfifo content/site.yaml",
                "Replace it by an ordinary file, or delete it.",
            ),
            Code::FileTooLarge => (
                "file-too-large",
                "No content file is larger than the per-file limit (16 MiB unless MINGLU_MAX_FILE_SIZE says otherwise).",
                "Content files are short text; a huge one is a mistake (a data dump, a binary) or an attempt to exhaust the build machine's memory.",
                "content/pages/about.md   # 200 MB",
                "Split or shrink the file; if it is genuine, raise the limit with MINGLU_MAX_FILE_SIZE=<bytes> (K, M, G suffixes allowed).",
            ),
            Code::ControlCharacter => (
                "control-character",
                "Text in content files has no control characters (C0 and C1, such as ESC, BEL, CR, DEL), except tab and line feed.",
                "Control characters are invisible in review but act in terminals and logs: ESC starts terminal escape sequences, CR hides the text before it, and a line feed in a key can forge a GitHub Actions command.",
                "title: \"居住证明\\e[8m隐藏\"",
                "Delete the character (the message gives its code point); save files with LF line endings.",
            ),
            Code::ReservedName => (
                "reserved-name",
                "Register keys and page names do not take a URL minglu generates (changes, departments, purposes, search, data, schema, draft, assets, editions, notice, index, 404, sitemap, robots) and contain no dot.",
                "A register called `changes` would silently overwrite the change history page; a page `404.html.md` would clash with the built-in 404 page.",
                "content/lists/changes/list.yaml",
                "Rename the folder or file (its name is its URL).",
            ),
            Code::CaseCollision => (
                "case-collision",
                "No two pages, registers, items or editions have names that differ only in letter case.",
                "Windows and macOS file systems and many static hosts fold case: About.md and about.md, or editions v1 and V1, would overwrite each other.",
                "content/pages/About.md and content/pages/about.md",
                "Rename or merge one of them.",
            ),
            Code::MissingFile => (
                "missing-file",
                "The files the format requires exist (site.yaml, departments.yaml, each list's list.yaml, each edition's edition.yaml).",
                "Without them there is nothing to build.",
                "content/lists/stamp/ without list.yaml",
                "Create the file (`minglu init` shows a minimal example).",
            ),
            Code::UnexpectedFile => (
                "unexpected-file",
                "Every file under content/ is one minglu reads.",
                "A file in the wrong place (items/GZ-001.yml.bak, a .yml typo) would be silently ignored.",
                "lists/stamp/items/notes.txt",
                "Move or delete the file.",
            ),
            Code::EditionModified => (
                "edition-modified",
                "Each file of a frozen edition still has the SHA-256 recorded in its SHA256SUMS.",
                "A published edition is a legal record; it must never change silently.",
                "an edit to lists/stamp/editions/2020/items/GZ-001.yaml",
                "Undo the change (git checkout the file). To change the register, edit the working copy and release a new edition.",
            ),
            Code::EditionFileMissing => (
                "edition-file-missing",
                "Every file listed in SHA256SUMS exists.",
                "A deleted file would silently remove a record from a published edition.",
                "lists/stamp/editions/2020/items/GZ-005.yaml deleted",
                "Restore the file from git.",
            ),
            Code::EditionFileExtra => (
                "edition-file-extra",
                "Every file in a frozen edition is listed in its SHA256SUMS.",
                "A file added later would change a published edition.",
                "lists/stamp/editions/2020/items/GZ-099.yaml added by hand",
                "Remove the file; add items to the working copy and release a new edition.",
            ),
            Code::EditionSums => (
                "edition-sums",
                "Each frozen edition has a well-formed SHA256SUMS (`<64 hex>  <path>` lines).",
                "Without it nobody can verify the edition.",
                "lists/stamp/editions/2020/ without SHA256SUMS",
                "Restore SHA256SUMS from git; editions are written by `minglu release`.",
            ),
            Code::NoEdition => (
                "no-edition",
                "Each register has at least one released edition (a warning).",
                "Until then the site shows the working copy under a 尚未发布 banner.",
                "lists/work/ with items/ but no editions/",
                "Release one: `minglu release work 2025 --label 2025年版 …`.",
            ),
            Code::Template => (
                "template",
                "Theme templates compile and render.",
                "A broken override would break every page it is used for.",
                "themes/default/templates/item.html: {{ item.title | nosuchfilter }}",
                "Fix the template at the line shown.",
            ),
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
        for code in Code::ALL {
            assert_eq!(Code::from_name(code.as_str()), Some(code));
        }
    }
}

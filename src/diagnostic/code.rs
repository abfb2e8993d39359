//! The stable codes of every diagnostic, and the documentation of each rule.
//!
//! Codes are part of minglu's interface: CI scripts filter on them and
//! `--format json` prints them. Never rename one; add a new one instead.
//!
//! Each rule is documented in English ([`Code::doc`]) and Chinese
//! ([`Code::doc_zh`]); a new code needs both (the `match`es are exhaustive, and a
//! test checks the Chinese is Chinese).

use super::Lang;

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

/// The documentation of one rule in one language: what it checks, why, an
/// example, the fix.
#[derive(Clone, Copy, Debug)]
pub struct RuleDoc {
    /// The code.
    pub code: Code,
    /// The language of the texts below.
    pub lang: Lang,
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

    /// The rule's documentation in English.
    pub fn rule(self) -> RuleDoc {
        self.rule_in(Lang::En)
    }

    /// The rule's documentation in `lang`.
    pub fn rule_in(self, lang: Lang) -> RuleDoc {
        let (what, why, example, fix) = match lang {
            Lang::En => {
                let (_, what, why, example, fix) = self.doc();
                (what, why, example, fix)
            }
            Lang::Zh => self.doc_zh(),
        };
        RuleDoc {
            code: self,
            lang,
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

    /// The rule's documentation in Chinese: what, why, example, fix.
    #[expect(clippy::too_many_lines, reason = "one documentation entry per code")]
    fn doc_zh(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Code::Encoding => (
                "每个内容文件都使用 UTF-8 编码（允许带 BOM，允许 CRLF 换行）。",
                "以 GBK 或 UTF-16 保存的文件，在公开网站上会显示成乱码。",
                "lists/stamp/items/GZ-001.yaml 被旧编辑器保存成了 GBK 编码",
                "把文件另存为 UTF-8 编码（多数编辑器中：另存为 → 编码 → UTF-8）。",
            ),
            Code::YamlSyntax => (
                "文件是格式正确的 YAML，并且只有一个文档。",
                "文件无法解析，其他内容就都无法检查。",
                "title: [居住证明      # 方括号没有闭合",
                "按提示的位置改正 YAML；含有 `: `，或以 `[`、`{`、`*`、`&`、`!` 开头的值请加引号。",
            ),
            Code::YamlAlias => (
                "不使用锚点（`&name`）和别名（`*name`）。",
                "别名能让一个小文件展开成极大的内容（“十亿笑声”攻击），也会让人看不清一条记录到底写了什么。",
                "materials: *common_materials",
                "在使用处把内容完整写出。",
            ),
            Code::DuplicateKey => (
                "同一层中没有重复的字段名。",
                "不同的 YAML 解析器对以哪一个值为准看法不一；名录的每条内容必须只有一种说法。",
                "title: 居住证明\ntitle: 居住情况证明",
                "删除其中一处。",
            ),
            Code::UnknownField => (
                "每个字段都是内容格式中规定的字段（见 docs/content-format.md）。",
                "拼错的字段（如 `verdit:`）否则会被悄悄忽略，记录发布出去却缺了这一项。",
                "verdit: refuse",
                "改正拼写（提示中会给出最接近的字段名），或删除该字段。",
            ),
            Code::MissingField => (
                "必填字段都已填写，且不为空。",
                "盖章事项缺少 `verdict`，就回答不了群众“社区能不能开”的问题。",
                "缺少 `title:` 的事项文件",
                "添加该字段并填写内容。",
            ),
            Code::WrongType => (
                "每个值的类型符合字段的要求：文本、列表、映射、true/false 或整数。",
                "YAML 会猜测类型：`phone: 110` 是数字，`title: 2015` 也不是文本。minglu 从不悄悄转换。",
                "phone: 0512-110   # 没有问题\nphone: 110        # 这是数字，不是文本",
                "看起来像数字或布尔值的文字请加引号（`phone: \"110\"`），或改用字段要求的类型。",
            ),
            Code::InvalidValue => (
                "取值固定的字段只能使用规定的值之一（`verdict: issue | refuse` 等）。",
                "YAML 1.1 会把 `no` 读作 false；名录绝不能因此意外颠倒结论。",
                "verdict: no",
                "改用提示中列出的值之一。",
            ),
            Code::InvalidDate => (
                "日期是日历上真实存在的日期，格式为 `YYYY-MM-DD`。",
                "施行日期决定哪个版本现行有效。",
                "effective: 2020-02-30",
                "按 YYYY-MM-DD 格式填写真实的日期，例如 2020-05-01。",
            ),
            Code::InvalidNumber => (
                "整数不带小数、不为负数，开头没有多余的 0。",
                "`012` 在 YAML 1.1 中是 10，在 YAML 1.2 中是 12；金额不能为负数。",
                "amount_cny: -5000",
                "填写普通的整数，例如 20000。",
            ),
            Code::InvalidUrl => (
                "网址是完整的绝对地址，以 http:// 或 https:// 开头。",
                "来源必须是群众能打开的链接；其他协议（javascript:、file:）不安全。",
                "sources: [www.gov.cn/xinwen]",
                "填写以 https:// 或 http:// 开头的完整网址。",
            ),
            Code::InvalidId => (
                "编号符合规定的格式：事项为 `<id_prefix>-<至少三位数字>`，且与文件名一致；部门为 `[a-z][a-z0-9-]*`；版本为 `[0-9A-Za-z][0-9A-Za-z._-]*`；名录为 `[a-z][a-z0-9-]*`。",
                "编号会成为网址，必须长期保持不变。",
                "lists/stamp/items/gz-1.yaml",
                "按格式给文件或文件夹改名，例如 GZ-001.yaml。",
            ),
            Code::DuplicateId => (
                "同一个编号不会用两次。",
                "两条记录占用同一个网址，其中一条就会被掩盖。",
                "lists/stamp/items/GZ-001.yaml 和 lists/stamp/items/GZ-001.yml",
                "删除其中一个，或给它重新编号。",
            ),
            Code::DuplicatePrefix => (
                "任意两个名录的 `id_prefix` 都不相同。",
                "事项编号必须能看出它属于哪个名录。",
                "两个 list.yaml 都写了 `id_prefix: GZ`",
                "为每个名录设置不同的前缀。",
            ),
            Code::UnknownCategory => (
                "事项的 `category` 是所属名录 `categories` 中的一个。",
                "名录页面按类别分组列出事项；类别不存在，事项就会“丢失”。",
                "category: 住房   # list.yaml 中写的是 住所居住",
                "改用 list.yaml 中的类别，或在 list.yaml 中添加新类别。",
            ),
            Code::DanglingDepartment => (
                "每个部门编号（`departments`、`instead.department`）都在 departments.yaml 中有定义。",
                "网站要告诉群众去哪里办；部门不存在，群众就找不到地方。",
                "departments: [police2]",
                "改用 departments.yaml 中的编号，或在 departments.yaml 中添加该部门。",
            ),
            Code::DanglingItem => (
                "`replaces` 和 `merged_into` 中的编号是同一名录（现在或以往版本）中的事项。",
                "合并情况会显示给群众，如“GZ-009 并入 GZ-013”；两端的事项都必须存在。",
                "replaces: [GZ-099]",
                "填写本名录现有或曾有的事项编号。",
            ),
            Code::DanglingMention => (
                "文字中写到的事项编号（`summary`、`body`、`instead.how`、`content`，以及版本的 `notes` 和 `reasons`）是其所属名录现有或曾有的事项。网页会把这些编号变成链接。",
                "群众看到“可由GZ-001证明”会点开链接；编号指向不存在的事项，就是死路。这是警告而不是错误：文字照常发布。",
                "body: 可由GZ-099证明。   # 本名录从未有过 GZ-099",
                "改正编号，或改写为该事项的名称。",
            ),
            Code::RefuseWithoutInstead => (
                "`verdict: refuse` 的盖章事项至少写明一条替代途径（`instead`）。",
                "只说“这里不开”而不说“去哪里办”，群众就无处可去；民发〔2020〕20号要求对不再出具的每项证明提供办事指南。",
                "verdict: refuse   # 但没有 instead:",
                "添加 `instead:`，至少写一条：method、department、how。",
            ),
            Code::NotApplicable => (
                "字段只用在适用的地方（`instead` 和 `transitional` 只用于 `refuse` 事项）。",
                "`issue` 事项带有 `instead`，前后自相矛盾。",
                "verdict: issue\ninstead: [...]",
                "删除该字段，或修改 verdict。",
            ),
            Code::DateOrder => (
                "有先后关系的日期顺序正确：published ≤ effective ≤ expires；applied ≤ assessed ≤ confirmed。",
                "一个版本不可能在发布之前就施行。",
                "published: 2020-05-01\neffective: 2020-04-01",
                "改正有误的那个日期。",
            ),
            Code::DocNumber => (
                "文号中的年份用六角括号〔〕括起，例如 民发〔2020〕20号。",
                "群众会按准确的正式文号查找文件。",
                "doc_number: 民发[2020]20号",
                "把年份两边的括号改为〔和〕。",
            ),
            Code::UrlConflict => (
                "页面不占用名录或内置页面的网址。",
                "两个页面使用同一个网址，会互相覆盖。",
                "content/pages/stamp.md 与 lists/stamp/ 同时存在",
                "给页面文件改名。",
            ),
            Code::SymlinkEscape => (
                "content/ 中的符号链接只指向 content/ 内部。",
                "网站只能用仓库中经过审阅的内容生成。",
                "content/lists/stamp/items/GZ-001.yaml -> /etc/passwd",
                "把链接换成文件本身。",
            ),
            Code::SpecialFile => (
                "content/ 中只有普通文件和文件夹，没有命名管道（FIFO）、设备文件或套接字。",
                "读取 FIFO 会一直卡住，/dev/zero 这样的设备读不到尽头；一个合并请求不应能让 CI 机器卡死或耗尽资源。",
                "mkfifo content/site.yaml",
                "换成普通文件，或删除它。",
            ),
            Code::FileTooLarge => (
                "内容文件都不超过单个文件的大小上限（默认 16 MiB，可用 MINGLU_MAX_FILE_SIZE 调整）。",
                "内容文件都是短小的文本；特别大的文件要么是放错了（数据导出、二进制文件），要么是企图耗尽生成网站的机器的内存。",
                "content/pages/about.md   # 200 MB",
                "拆分或精简文件；如果确实需要，用 MINGLU_MAX_FILE_SIZE=<字节数> 提高上限（可用 K、M、G 后缀）。",
            ),
            Code::ControlCharacter => (
                "内容文件的文字中除制表符和换行符外，没有控制字符（C0 和 C1，如 ESC、BEL、CR、DEL）。",
                "控制字符审阅时看不见，却会在终端和日志中起作用：ESC 开启终端转义序列，CR 会遮住它前面的文字，字段名中的换行符还能伪造 GitHub Actions 命令。",
                "title: \"居住证明\\e[8m隐藏\"",
                "删除该字符（提示中给出了它的码位）；保存文件时使用 LF 换行。",
            ),
            Code::ReservedName => (
                "名录键名和页面名不占用 minglu 生成的网址（changes、departments、purposes、search、data、schema、draft、assets、editions、notice、index、404、sitemap、robots），也不含点号。",
                "名为 `changes` 的名录会悄悄覆盖变更记录页面；名为 `404.html.md` 的页面会与内置的 404 页面冲突。",
                "content/lists/changes/list.yaml",
                "给文件夹或文件改名（名称就是它的网址）。",
            ),
            Code::CaseCollision => (
                "任意两个页面、名录、事项或版本的名称，不会只有字母大小写不同。",
                "Windows、macOS 的文件系统和许多静态网站托管服务不区分大小写：About.md 和 about.md、版本 v1 和 V1 会互相覆盖。",
                "content/pages/About.md 和 content/pages/about.md",
                "给其中一个改名，或将两者合并。",
            ),
            Code::MissingFile => (
                "内容格式要求的文件都存在（site.yaml、departments.yaml、每个名录的 list.yaml、每个版本的 edition.yaml）。",
                "缺少这些文件，就无从生成网站。",
                "content/lists/stamp/ 中没有 list.yaml",
                "创建该文件（`minglu init` 会生成一个最简示例）。",
            ),
            Code::UnexpectedFile => (
                "content/ 中的每个文件都是 minglu 会读取的文件。",
                "放错位置的文件（items/GZ-001.yml.bak、误写成 .yml）会被悄悄忽略。",
                "lists/stamp/items/notes.txt",
                "移走或删除该文件。",
            ),
            Code::EditionModified => (
                "已冻结版本的每个文件，其 SHA-256 仍与 SHA256SUMS 中的记录一致。",
                "已发布的版本是正式记录，绝不能悄悄改变。",
                "修改了 lists/stamp/editions/2020/items/GZ-001.yaml",
                "撤销修改（用 git checkout 恢复该文件）。如需调整名录，请修改工作稿并发布新版本。",
            ),
            Code::EditionFileMissing => (
                "SHA256SUMS 中列出的每个文件都存在。",
                "删掉一个文件，就会从已发布的版本中悄悄去掉一条记录。",
                "删除了 lists/stamp/editions/2020/items/GZ-005.yaml",
                "从 git 恢复该文件。",
            ),
            Code::EditionFileExtra => (
                "已冻结版本中的每个文件都列在它的 SHA256SUMS 中。",
                "事后添加的文件会改变已发布的版本。",
                "手工添加了 lists/stamp/editions/2020/items/GZ-099.yaml",
                "删除该文件；新事项请写入工作稿，随新版本发布。",
            ),
            Code::EditionSums => (
                "每个已冻结的版本都有格式正确的 SHA256SUMS（每行为 `<64 位十六进制>  <路径>`）。",
                "没有它，就没有人能核验这个版本。",
                "lists/stamp/editions/2020/ 中没有 SHA256SUMS",
                "从 git 恢复 SHA256SUMS；版本由 `minglu release` 生成。",
            ),
            Code::NoEdition => (
                "每个名录至少发布了一个版本（仅为警告）。",
                "在此之前，网站显示名录的工作稿，并标注“尚未发布”。",
                "lists/work/ 中有 items/，但没有 editions/",
                "发布一个版本：`minglu release work 2025 --label 2025年版 …`。",
            ),
            Code::Template => (
                "主题模板能够编译和渲染。",
                "覆盖的模板出错，会使用到它的每个页面都无法生成。",
                "themes/default/templates/item.html: {{ item.title | nosuchfilter }}",
                "按提示的行改正模板。",
            ),
        }
    }
}

impl RuleDoc {
    /// What `minglu check --explain <code>` prints: the code, then What / Why /
    /// Example / Fix under headings in the rule's language.
    pub fn explain(&self) -> String {
        let [what, why, example, fix] = match self.lang {
            Lang::En => ["What it checks", "Why", "Example", "Fix"],
            Lang::Zh => ["检查内容", "原因", "示例", "改正方法"],
        };
        format!(
            "{}\n\n{what}\n  {}\n\n{why}\n  {}\n\n{example}\n  {}\n\n{fix}\n  {}\n",
            self.code,
            self.what,
            self.why,
            self.example.replace('\n', "\n  "),
            self.fix
        )
    }
}

/// The Markdown page of every rule (docs/check-rules.md in English,
/// docs/check-rules.zh.md in Chinese): a table of codes, then each rule's What /
/// Why / Example / Fix. A test keeps the committed pages equal to this.
pub fn rules_markdown(lang: Lang) -> String {
    let (title, intro, head, what, why, example, fix) = match lang {
        Lang::En => (
            "Check rules",
            "Every diagnostic `minglu check` prints has a stable code. This page is generated from\nthe rules' documentation in `src/diagnostic/code.rs` (`minglu check --explain <code>` prints\nthe same); a test keeps it current (`MINGLU_BLESS=1 cargo test` rewrites it).\nIn Chinese: [check-rules.zh.md](check-rules.zh.md).",
            "| code | checks |",
            "What it checks.",
            "Why.",
            "Example.",
            "Fix.",
        ),
        Lang::Zh => (
            "检查规则",
            "`minglu check` 报告的每个问题都有一个固定的代码。本页由 `src/diagnostic/code.rs`\n中的规则说明生成（`minglu check --lang zh --explain <代码>` 显示同样的内容）；\n测试保证它与代码一致（`MINGLU_BLESS=1 cargo test` 会重新生成）。\nEnglish: [check-rules.md](check-rules.md).",
            "| 代码 | 检查内容 |",
            "检查内容：",
            "原因：",
            "示例：",
            "改正方法：",
        ),
    };
    let mut doc = format!("# {title}\n\n{intro}\n\n{head}\n|---|---|\n");
    for code in Code::ALL {
        let r = code.rule_in(lang);
        doc.push_str(&format!(
            "| [`{0}`](#{0}) | {1} |\n",
            code.as_str(),
            r.what.replace('|', "\\|")
        ));
    }
    for code in Code::ALL {
        let r = code.rule_in(lang);
        doc.push_str(&format!(
            "\n## {}\n\n**{what}** {}\n\n**{why}** {}\n\n**{example}**\n\n```yaml\n{}\n```\n\n**{fix}** {}\n",
            code.as_str(),
            r.what,
            r.why,
            r.example,
            r.fix
        ));
    }
    doc
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_chinese(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    /// Every rule is explained in Chinese: What, Why and Fix are Chinese
    /// sentences, and no text is the English one copied.
    #[test]
    fn every_code_has_chinese_documentation() {
        for code in Code::ALL {
            let (en, zh) = (code.rule_in(Lang::En), code.rule_in(Lang::Zh));
            for (e, z) in [(en.what, zh.what), (en.why, zh.why), (en.fix, zh.fix)] {
                assert!(has_chinese(z), "{code}: {z}");
                assert!(z.ends_with('。'), "{code}: a sentence ends with 。: {z}");
                assert_ne!(e, z, "{code}");
            }
            assert!(!zh.example.is_empty(), "{code}");
            assert!(zh.explain().contains("\n检查内容\n"), "{code}");
            assert!(en.explain().contains("\nWhat it checks\n"), "{code}");
        }
    }

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

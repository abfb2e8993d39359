//! Items (事项) of the three register kinds.

use jiff::civil::Date;
use serde::Serialize;

use super::choice;
use crate::diagnostic::{FileId, Span, Spanned};

choice! {
    /// 社区可出具 / 社区不予出具.
    Verdict { Issue = "issue", Refuse = "refuse" }
}

choice! {
    /// How a citizen gets what a refused proof was for.
    Method {
        /// Their own certificate or document proves it.
        OwnDocument = "own_document",
        /// The department checks its own or shared records.
        DeptVerification = "dept_verification",
        /// A written commitment (告知承诺).
        WrittenCommitment = "written_commitment",
        /// Another agency issues it.
        OtherAgency = "other_agency",
        /// A notary office.
        Notarisation = "notarisation",
        /// Nobody needs it any more.
        NoLongerRequired = "no_longer_required",
    }
}

choice! {
    /// 依法履职(自治) / 依法协助政府 / 禁入.
    Duty { Autonomy = "autonomy", Assist = "assist", Prohibited = "prohibited" }
}

choice! {
    /// 经费保障原则.
    FundingPrinciple { FeeFollowsTask = "费随事转", Purchase = "购买服务", Original = "原渠道", None = "无" }
}

choice! {
    /// 层级 of an evaluation campaign.
    Level { National = "national", Provincial = "provincial", Municipal = "municipal", District = "district" }
}

choice! {
    /// 自愿申报 / 下达任务.
    Participation { Voluntary = "voluntary", Assigned = "assigned" }
}

choice! {
    /// The legal rank of a basis document.
    BasisLevel {
        /// 法律
        Law = "law",
        /// 行政法规
        AdministrativeRegulation = "administrative_regulation",
        /// 地方性法规
        LocalRegulation = "local_regulation",
        /// 规章
        Rule = "rule",
        /// 规范性文件
        Normative = "normative",
    }
}

/// One item of a register: its fields, shared by every copy of the item
/// read from identical files (an item unchanged across editions is read once),
/// and the file it was read from.
///
/// The fields are reached through `Deref`; changing one (`DerefMut`) first
/// gives this copy fields of its own. A shared copy's spans may name the file
/// its fields were first read from, which has the same bytes: ask
/// [`Item::at`] (or [`Item::span`]) for where a span is in this copy's file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    fields: std::sync::Arc<ItemFields>,
    /// The file it was read from.
    pub file: FileId,
}

/// The fields of an [`Item`].
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ItemFields {
    /// `GZ-001`: the file stem.
    pub id: String,
    /// 事项名称.
    pub title: Spanned<String>,
    /// 别名/俗称.
    pub aliases: Vec<String>,
    /// One of the list's categories.
    pub category: Spanned<String>,
    /// 主管部门/责任单位 ids.
    pub departments: Vec<Spanned<String>>,
    /// 设定依据.
    pub basis: Vec<Basis>,
    /// 办理用途.
    pub purposes: Vec<String>,
    /// One line.
    pub summary: Option<String>,
    /// Markdown details (shared by the copies of an item that several
    /// editions repeat: it is most of an item's bytes).
    pub body: Option<std::sync::Arc<str>>,
    /// Official documents this record comes from.
    pub sources: Vec<String>,
    /// Items this one merges or supersedes.
    pub replaces: Vec<Spanned<String>>,
    /// The kind-specific fields.
    #[serde(flatten)]
    pub details: Details,
}

impl std::ops::Deref for Item {
    type Target = ItemFields;
    fn deref(&self) -> &ItemFields {
        &self.fields
    }
}

impl std::ops::DerefMut for Item {
    fn deref_mut(&mut self) -> &mut ItemFields {
        std::sync::Arc::make_mut(&mut self.fields)
    }
}

impl Serialize for Item {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.fields.serialize(s)
    }
}

/// Fields that depend on the register kind.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Details {
    /// 盖章事项.
    Stamp(Stamp),
    /// 工作事项.
    Work(Work),
    /// 创建事项.
    Creation(Creation),
}

/// A stamp/certificate item.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Stamp {
    /// May the community issue it?
    pub verdict: Spanned<Verdict>,
    /// Where to go instead (refuse).
    pub instead: Vec<Instead>,
    /// 过渡期内可据实出具.
    pub transitional: bool,
    /// 申请材料.
    pub materials: Vec<String>,
    /// 办理流程.
    pub procedure: Vec<String>,
    /// 办理时限.
    pub time_limit: Option<String>,
    /// 收费.
    pub fee: Option<String>,
    /// What the certificate states.
    pub proof_content: Option<String>,
}

/// One way to go instead of the community.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Instead {
    /// How.
    pub method: Method,
    /// Which department, if any.
    pub department: Option<Spanned<String>>,
    /// What to do, in plain words.
    pub how: String,
}

/// A work item handed to communities.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, Hash)]
pub struct Work {
    /// 依法履职 / 依法协助 / 禁入.
    pub duty: Duty,
    /// 工作内容.
    pub content: Option<String>,
    /// 经费保障.
    pub funding: Option<Funding>,
    /// 准入记录.
    pub admission: Option<Admission>,
}

/// 经费保障.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, Hash)]
pub struct Funding {
    /// 费随事转 …
    pub principle: FundingPrinciple,
    /// 项目协议书编号.
    pub agreement: Option<String>,
    /// Amount in yuan.
    pub amount_cny: Option<u64>,
    /// e.g. 每年.
    pub period: Option<String>,
}

/// 准入记录: 书面申请 → 评估分析 → 确认公布.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, Hash)]
pub struct Admission {
    /// 书面申请.
    pub applied: Option<Date>,
    /// 评估分析.
    pub assessed: Option<Date>,
    /// 确认公布.
    pub confirmed: Option<Date>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// 文号.
    pub doc_number: Option<String>,
}

/// An evaluation campaign (创建评比).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Creation {
    /// 层级.
    pub level: Level,
    /// 自愿申报 / 下达任务.
    pub participation: Participation,
    /// 周期.
    pub cycle: Option<String>,
    /// 通报 / 命名 / 授牌 / 表彰.
    pub recognition: Option<String>,
    /// 评价标准.
    pub standard: Option<Standard>,
    /// The only 台账 it may demand.
    pub ledgers: Vec<String>,
    /// Merged into that item.
    pub merged_into: Option<Spanned<String>>,
}

/// 评价标准.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, Hash)]
pub struct Standard {
    /// Title.
    pub title: Option<String>,
    /// 合格线.
    pub pass_mark: Option<String>,
    /// Number of indicators.
    pub indicators: Option<u64>,
}

/// 设定依据.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, Hash)]
pub struct Basis {
    /// Document title.
    pub title: String,
    /// 文号.
    pub doc_number: Option<String>,
    /// e.g. 第三条.
    pub article: Option<String>,
    /// Legal rank.
    pub level: Option<BasisLevel>,
    /// Link.
    pub url: Option<String>,
}

impl Details {
    /// [`Item::same_values`] for the kind-specific fields.
    fn same_values(&self, other: &Details) -> bool {
        let value = |a: &Option<Spanned<String>>, b: &Option<Spanned<String>>| {
            a.as_ref().map(|s| &s.value) == b.as_ref().map(|s| &s.value)
        };
        match (self, other) {
            (Details::Stamp(a), Details::Stamp(b)) => {
                let Stamp {
                    verdict,
                    instead,
                    transitional,
                    materials,
                    procedure,
                    time_limit,
                    fee,
                    proof_content,
                } = a;
                verdict.value == b.verdict.value
                    && instead.len() == b.instead.len()
                    && instead.iter().zip(&b.instead).all(|(x, y)| {
                        let Instead {
                            method,
                            department,
                            how,
                        } = x;
                        *method == y.method && value(department, &y.department) && *how == y.how
                    })
                    && *transitional == b.transitional
                    && *materials == b.materials
                    && *procedure == b.procedure
                    && *time_limit == b.time_limit
                    && *fee == b.fee
                    && *proof_content == b.proof_content
            }
            (Details::Work(a), Details::Work(b)) => a == b,
            (Details::Creation(a), Details::Creation(b)) => {
                let Creation {
                    level,
                    participation,
                    cycle,
                    recognition,
                    standard,
                    ledgers,
                    merged_into,
                } = a;
                *level == b.level
                    && *participation == b.participation
                    && *cycle == b.cycle
                    && *recognition == b.recognition
                    && *standard == b.standard
                    && *ledgers == b.ledgers
                    && value(merged_into, &b.merged_into)
            }
            _ => false,
        }
    }
}

impl Item {
    /// The item with `fields`, read from `file` (every span of the fields
    /// names `file`).
    pub fn new(fields: ItemFields, file: FileId) -> Item {
        Item {
            fields: std::sync::Arc::new(fields),
            file,
        }
    }

    /// A copy of this item for another file with the same bytes, sharing its
    /// fields (whose spans keep naming this item's file: see [`Item::at`]).
    #[must_use]
    pub fn shared_for(&self, file: FileId) -> Item {
        Item {
            fields: std::sync::Arc::clone(&self.fields),
            file,
        }
    }

    /// Whether `other` shares this item's fields (then they hold the same
    /// values).
    pub fn shares_fields(&self, other: &Item) -> bool {
        std::sync::Arc::ptr_eq(&self.fields, &other.fields)
    }

    /// Where `span`, a span of this item's fields, is in this item's file.
    pub fn at(&self, span: Span) -> Span {
        Span {
            file: self.file,
            ..span
        }
    }

    /// The stamp fields, if this is a stamp item.
    pub fn stamp(&self) -> Option<&Stamp> {
        match &self.details {
            Details::Stamp(s) => Some(s),
            _ => None,
        }
    }

    /// Every department id the item names, with where: `departments` and `instead`.
    pub fn department_refs(&self) -> impl Iterator<Item = &Spanned<String>> {
        let instead = self
            .stamp()
            .into_iter()
            .flat_map(|s| s.instead.iter().filter_map(|i| i.department.as_ref()));
        self.departments.iter().chain(instead)
    }

    /// Whether `other` has the same values in every field (wherever and in
    /// whichever file they were written): then no field of it changed.
    pub fn same_values(&self, other: &Item) -> bool {
        fn values<T: PartialEq>(a: &[Spanned<T>], b: &[Spanned<T>]) -> bool {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.value == b.value)
        }
        if self.shares_fields(other) {
            return true;
        }
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
        } = &**self;
        *id == other.id
            && title.value == other.title.value
            && *aliases == other.aliases
            && category.value == other.category.value
            && values(departments, &other.departments)
            && *basis == other.basis
            && *purposes == other.purposes
            && *summary == other.summary
            && *body == other.body
            && *sources == other.sources
            && values(replaces, &other.replaces)
            && details.same_values(&other.details)
    }

    /// Feeds the values of every field (not where they were written) to
    /// `state`: items with [`Item::same_values`] hash the same.
    pub fn hash_values<H: std::hash::Hasher>(&self, state: &mut H) {
        use std::hash::Hash as _;
        fn values<T: std::hash::Hash, H: std::hash::Hasher>(v: &[Spanned<T>], state: &mut H) {
            v.len().hash(state);
            for s in v {
                s.value.hash(state);
            }
        }
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
        } = &**self;
        (id, &title.value, aliases, &category.value).hash(state);
        values(departments, state);
        (basis, purposes, summary, body, sources).hash(state);
        values(replaces, state);
        match details {
            Details::Stamp(s) => {
                let Stamp {
                    verdict,
                    instead,
                    transitional,
                    materials,
                    procedure,
                    time_limit,
                    fee,
                    proof_content,
                } = s;
                (0u8, verdict.value, instead.len()).hash(state);
                for i in instead {
                    let department = i.department.as_ref().map(|d| &d.value);
                    (i.method, department, &i.how).hash(state);
                }
                (
                    transitional,
                    materials,
                    procedure,
                    time_limit,
                    fee,
                    proof_content,
                )
                    .hash(state);
            }
            Details::Work(w) => (1u8, w).hash(state),
            Details::Creation(c) => {
                let Creation {
                    level,
                    participation,
                    cycle,
                    recognition,
                    standard,
                    ledgers,
                    merged_into,
                } = c;
                let merged_into = merged_into.as_ref().map(|m| &m.value);
                (2u8, level, participation, cycle, recognition).hash(state);
                (standard, ledgers, merged_into).hash(state);
            }
        }
    }

    /// Span of the item's title, for item-level diagnostics.
    pub fn span(&self) -> Span {
        self.at(self.title.span)
    }

    /// Moves the item to another file with the same bytes: its `file` and
    /// every span it keeps now name `file`. (The loader parses identical files,
    /// such as an item unchanged across editions, once.)
    pub fn refile(&mut self, file: FileId) {
        self.file = file;
        if self.title.span.file == file {
            return;
        }
        let f = &mut **self;
        let spans = [&mut f.title.span, &mut f.category.span]
            .into_iter()
            .chain(f.departments.iter_mut().map(|d| &mut d.span))
            .chain(f.replaces.iter_mut().map(|r| &mut r.span));
        for span in spans {
            span.file = file;
        }
        match &mut f.details {
            Details::Stamp(s) => {
                s.verdict.span.file = file;
                for i in &mut s.instead {
                    if let Some(d) = &mut i.department {
                        d.span.file = file;
                    }
                }
            }
            Details::Work(_) => {}
            Details::Creation(c) => {
                if let Some(m) = &mut c.merged_into {
                    m.span.file = file;
                }
            }
        }
    }
}

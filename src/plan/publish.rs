//! PLAN: the publication decision. What each site shows of each register, and
//! which departments and purposes get pages.
//!
//! The public site shows the edition in force (现行): the newest edition whose
//! effective date has come, or before the first takes effect, the upcoming one.
//! A register with no edition at all shows its working copy under a 尚未发布
//! banner. Apart from that last case, the working copy never reaches the public
//! site: it is shown only by the `/draft/` preview.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;

use super::url;
use crate::history::SiteHistory;
use crate::model::{Department, Departments, Edition, Register, Site, Snapshot};

/// Which state of a register a site shows.
#[derive(Clone, Copy, Debug)]
pub enum Status<'a> {
    /// The edition in force.
    InForce(&'a Edition),
    /// No edition is in force yet; this one takes effect later.
    Upcoming(&'a Edition),
    /// No edition exists; the working copy is shown, marked unreleased.
    Unreleased,
    /// The `/draft/` preview of the working copy.
    Draft,
}

/// A register as published.
#[derive(Clone, Copy, Debug)]
pub struct Published<'a> {
    /// The register.
    pub register: &'a Register,
    /// The content shown.
    pub snapshot: &'a Snapshot,
    /// The departments that content names.
    pub departments: &'a Departments,
    /// Why this content.
    pub status: Status<'a>,
    /// Index of the shown edition in the register's editions (`None`: the working copy).
    pub edition: Option<usize>,
}

/// The departments a frozen edition's ids resolve to: its own `departments.yaml`,
/// or the site's when it has none.
pub fn edition_departments<'a>(edition: &'a Edition, site: &'a Departments) -> &'a Departments {
    edition.snapshot.departments.as_ref().unwrap_or(site)
}

/// The published state of every register, in site order, as the history step
/// decided it (the edition it shows, if any).
pub fn published<'a>(site: &'a Site, history: &SiteHistory<'a>, today: Date) -> Vec<Published<'a>> {
    history
        .registers
        .iter()
        .map(|h| {
            let register = h.register;
            match h.shown {
                Some(i) => {
                    let e = &register.editions[i];
                    let status = if e.record.effective.value <= today {
                        Status::InForce(e)
                    } else {
                        Status::Upcoming(e)
                    };
                    Published {
                        register,
                        snapshot: &e.snapshot,
                        departments: edition_departments(e, &site.departments),
                        status,
                        edition: Some(i),
                    }
                }
                None => Published {
                    register,
                    snapshot: &register.working,
                    departments: &site.departments,
                    status: Status::Unreleased,
                    edition: None,
                },
            }
        })
        .collect()
}

impl Published<'_> {
    /// Whether department ids resolve with the site's `departments.yaml` (the
    /// working copy, or an edition without its own).
    pub fn uses_site_departments(&self) -> bool {
        self.edition
            .is_none_or(|e| self.register.editions[e].snapshot.departments.is_none())
    }
}

/// Which site a page belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScopeKind {
    /// The public site.
    Public,
    /// The `/draft/` preview of the working copies (only with `--drafts`).
    Draft,
}

impl ScopeKind {
    /// The folder its pages are under: `""` or `"draft/"`.
    pub fn prefix(self) -> &'static str {
        match self {
            ScopeKind::Public => "",
            ScopeKind::Draft => "draft/",
        }
    }
}

/// A snapshot whose purposes and departments a scope names, the departments
/// its ids resolve to, and (for a frozen edition) the positions of the items
/// that name something new in it.
type Snapshotted<'a> = (&'a Snapshot, &'a Departments, Option<&'a [u32]>);

/// One site to render: the public site, or the `/draft/` preview.
#[derive(Debug)]
pub struct Scope<'a> {
    /// Which one.
    pub kind: ScopeKind,
    /// What each register shows, in site order.
    pub registers: Vec<Published<'a>>,
    /// Purpose name → slug, for every purpose any page of this scope names.
    pub purpose_slugs: BTreeMap<&'a str, String>,
    /// Department id → department, for every department any page of this scope names.
    pub departments: BTreeMap<&'a str, &'a Department>,
}

impl<'a> Scope<'a> {
    /// The public site: in-force editions, and every frozen edition for history pages.
    pub fn public(published: Vec<Published<'a>>, site: &'a Site) -> Self {
        let mut snapshots: Vec<(&Snapshot, &Departments)> = published
            .iter()
            .map(|p| (p.snapshot, p.departments))
            .collect();
        for r in &site.registers {
            for e in r.editions.iter().rev() {
                snapshots.push((&e.snapshot, edition_departments(e, &site.departments)));
            }
        }
        let all: Vec<_> = snapshots.into_iter().map(|(s, d)| (s, d, None)).collect();
        Scope::collect(ScopeKind::Public, published, &all)
    }

    /// [`Scope::public`], looking in frozen editions only at the items the
    /// history step found to name something new in them
    /// ([`crate::history::RegisterHistory::firsts`]): same result.
    pub fn public_with(
        published: Vec<Published<'a>>,
        site: &'a Site,
        history: &'a SiteHistory<'a>,
    ) -> Self {
        let firsts = |h: &'a crate::history::RegisterHistory<'a>, e: usize| {
            h.firsts.get(e).map(Vec::as_slice)
        };
        let mut snapshots: Vec<Snapshotted<'a>> = published
            .iter()
            .zip(&history.registers)
            .map(|(p, h)| {
                (
                    p.snapshot,
                    p.departments,
                    p.edition.and_then(|e| firsts(h, e)),
                )
            })
            .collect();
        for h in &history.registers {
            for (at, e) in h.register.editions.iter().enumerate().rev() {
                let departments = edition_departments(e, &site.departments);
                snapshots.push((&e.snapshot, departments, firsts(h, at)));
            }
        }
        Scope::collect(ScopeKind::Public, published, &snapshots)
    }

    /// The `/draft/` preview: every register's working copy.
    pub fn draft(site: &'a Site) -> Self {
        let published: Vec<Published<'a>> = site
            .registers
            .iter()
            .map(|register| Published {
                register,
                snapshot: &register.working,
                departments: &site.departments,
                status: Status::Draft,
                edition: None,
            })
            .collect();
        let snapshots: Vec<_> = published
            .iter()
            .map(|p| (p.snapshot, p.departments, None))
            .collect();
        Scope::collect(ScopeKind::Draft, published, &snapshots)
    }

    fn collect(
        kind: ScopeKind,
        registers: Vec<Published<'a>>,
        snapshots: &[Snapshotted<'a>],
    ) -> Self {
        let mut purposes = BTreeSet::new();
        let mut departments = BTreeMap::new();
        for (snapshot, deps, firsts) in snapshots {
            let items: Box<dyn Iterator<Item = &'a crate::model::Item>> = match firsts {
                Some(at) => Box::new(at.iter().filter_map(|&i| snapshot.items.get(i as usize))),
                None => Box::new(snapshot.items.iter()),
            };
            for item in items {
                purposes.extend(item.purposes.iter().map(String::as_str));
                for id in item.department_refs() {
                    if let Some(d) = deps.get(&id.value) {
                        departments.entry(id.value.as_str()).or_insert(d);
                    }
                }
            }
        }
        Scope {
            kind,
            registers,
            purpose_slugs: url::purpose_slugs(purposes),
            departments,
        }
    }

    /// Whether this is the draft preview.
    pub fn is_draft(&self) -> bool {
        self.kind == ScopeKind::Draft
    }

    /// The position of a register in [`Scope::registers`] (and in the site history).
    pub fn position(&self, key: &str) -> Option<usize> {
        self.registers.iter().position(|p| p.register.key == key)
    }
}

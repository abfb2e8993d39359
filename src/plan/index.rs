//! PLAN: the search indexes a build writes — one for each site (the public site,
//! and `/draft/` when planned) and one for each frozen edition — with the folder
//! each goes in and the inputs it is made from, so a rebuild knows which indexes
//! one changed file affects, as it knows for pages.
//!
//! The search step (`search::collect`) builds exactly these, in these folders;
//! the plan decides, the search step only turns items into index files.

use super::Plan;
use super::inputs::Input;
use super::publish::ScopeKind;

/// Which index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IndexId<'a> {
    /// A site's index: its shown items (the public one also finds withdrawn and
    /// upcoming items).
    Site {
        /// The public site or the `/draft/` preview.
        scope: ScopeKind,
    },
    /// One frozen edition's items, for the search box on its edition page.
    Edition {
        /// Register key.
        register: &'a str,
        /// Edition id.
        edition: &'a str,
    },
}

impl IndexId<'_> {
    /// The index's folder in the output, ending in `/`.
    pub fn folder(&self) -> String {
        match self {
            IndexId::Site { scope } => format!("{}search/index/", scope.prefix()),
            IndexId::Edition { register, edition } => format!("search/e/{register}/{edition}/"),
        }
    }
}

impl<'a> Plan<'a> {
    /// Every index of this build, the public site's first.
    pub fn indexes(&self) -> Vec<IndexId<'a>> {
        let mut out = vec![IndexId::Site {
            scope: ScopeKind::Public,
        }];
        if self.draft.is_some() {
            out.push(IndexId::Site {
                scope: ScopeKind::Draft,
            });
        }
        for r in &self.site.registers {
            out.extend(r.editions.iter().map(|e| IndexId::Edition {
                register: &r.key,
                edition: &e.id,
            }));
        }
        out
    }

    /// What an index is made from, sorted and without duplicates.
    pub fn index_inputs(&self, index: &IndexId<'_>) -> Vec<Input> {
        let mut out = match index {
            IndexId::Site {
                scope: ScopeKind::Public,
            } => {
                let scope = &self.public;
                let mut out = self.common(scope);
                out.extend(self.all_shown(scope, |_| true));
                // Withdrawn and upcoming items come from every edition (already
                // common inputs, as the editions folders).
                out
            }
            IndexId::Site {
                scope: ScopeKind::Draft,
            } => {
                // The working copies: their items, lists (titles, category order)
                // and the site's departments; nothing frozen.
                let scope = self.scope(ScopeKind::Draft);
                let mut out = self.all_shown(scope, |_| true);
                out.extend(
                    scope
                        .registers
                        .iter()
                        .map(|p| self.file(p.snapshot.list.file)),
                );
                out.push(Input::File("content/departments.yaml".to_owned()));
                out
            }
            IndexId::Edition { register, edition } => {
                let mut out = vec![Input::Folder(format!(
                    "content/lists/{register}/editions/{edition}/"
                ))];
                let own_departments = self
                    .site
                    .register(register)
                    .ok()
                    .and_then(|r| r.editions.iter().find(|e| e.id == *edition))
                    .is_some_and(|e| e.snapshot.departments.is_some());
                if !own_departments {
                    out.push(Input::File("content/departments.yaml".to_owned()));
                }
                out
            }
        };
        out.sort();
        out.dedup();
        out
    }
}

//! What the public site shows of each register: the edition in force.
//!
//! The newest edition whose effective date has come is in force (现行). Before
//! the first edition takes effect the upcoming one is shown; a register with
//! no edition at all shows its working copy under a 尚未发布 banner. Apart from
//! that last case, the working copy never reaches the public site.

use jiff::civil::Date;

use crate::model::{Departments, Edition, Register, Site, Snapshot};

/// Which state of a register the public pages show.
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
}

/// The published state of every register, in site order.
pub fn published(site: &Site, today: Date) -> Vec<Published<'_>> {
    site.registers
        .iter()
        .map(|register| {
            let status = match (register.in_force(today), register.editions.first()) {
                (Some(e), _) => Status::InForce(e),
                (None, Some(e)) => Status::Upcoming(e),
                (None, None) => Status::Unreleased,
            };
            let (snapshot, departments) = match status {
                Status::InForce(e) | Status::Upcoming(e) => (
                    &e.snapshot,
                    e.snapshot.departments.as_ref().unwrap_or(&site.departments),
                ),
                Status::Unreleased | Status::Draft => (&register.working, &site.departments),
            };
            Published {
                register,
                snapshot,
                departments,
                status,
            }
        })
        .collect()
}

impl Published<'_> {
    /// Index of the shown edition in the register's editions.
    pub fn edition_index(&self) -> Option<usize> {
        match self.status {
            Status::InForce(e) | Status::Upcoming(e) => self
                .register
                .editions
                .iter()
                .position(|x| std::ptr::eq(x, e)),
            Status::Unreleased | Status::Draft => None,
        }
    }
}

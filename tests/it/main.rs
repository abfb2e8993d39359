//! The one integration-test binary: drives the real `minglu` binary against
//! fixture sites on disk.

mod build;
mod check;
mod cli;
mod conformance;
mod history;
mod support;

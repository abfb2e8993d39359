//! The one integration-test binary: drives the real `minglu` binary against
//! fixture sites on disk.

#![allow(
    clippy::too_many_lines,
    reason = "an integration test reads best as one scenario"
)]

mod build;
mod check;
mod cli;
mod conformance;
mod history;
mod serve;
mod support;

//! The one integration-test binary: drives the real `minglu` binary against
//! fixture sites on disk.

#![allow(
    clippy::too_many_lines,
    reason = "an integration test reads best as one scenario"
)]

mod build;
mod check;
mod check_cache;
mod citizen;
mod cli;
mod conformance;
mod data;
mod fuzz;
mod history;
mod injection;
mod install_files;
mod lang;
mod layers;
mod output;
mod pages;
mod plan;
mod reading;
mod rebuild;
mod recipes;
mod search;
mod serve;
mod support;

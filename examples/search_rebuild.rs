//! Benchmark of the search step of `serve`'s rebuild, in one process and
//! without the rest of the rebuild's noise: builds every search index of a
//! site once with a kept memo (as `serve` starts), then edits one working-copy
//! item's title in memory `--edits` times and rebuilds only the `/draft/`
//! index each time, as `serve` does after a title edit; prints each time and
//! the median.
//!
//! ```text
//! cargo run --release --example bench -- --items 1000 --editions 5   # generates the site once
//! cargo run --release --example search_rebuild -- --dir target/bench/1000x5 [--edits 20]
//! ```

#![allow(
    clippy::cast_precision_loss,
    reason = "benchmark arithmetic on small numbers"
)]

use std::path::PathBuf;
use std::time::Instant;

use minglu::plan::{IndexId, Plan, PlanOptions, ScopeKind};
use minglu::search;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() -> Result<(), minglu::Error> {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(arg(&args, "--dir").unwrap_or_else(|| "target/bench/1000x5".into()));
    let edits: usize = arg(&args, "--edits").map_or(20, |n| n.parse().expect("a number"));
    let today = jiff::civil::date(2026, 1, 1);
    let (mut site, _) = minglu::load_valid(&dir, today)?;
    let options = PlanOptions {
        today,
        base_url: None,
        drafts: true,
        program: String::new(),
        previous: std::collections::BTreeMap::new(),
    };
    let sink = |_: &str, _: &[u8]| Ok(());
    let mut memo = search::Memo::default();
    let started = Instant::now();
    {
        let history = minglu::history::SiteHistory::new(&site, today);
        let plan = Plan::new(&site, &history, &options);
        search::write_with(&plan, &plan.indexes(), &sink, &mut memo)?;
    }
    println!(
        "all indexes: {:.0} ms; the memo keeps {} items",
        started.elapsed().as_secs_f64() * 1000.0,
        memo.kept_items()
    );
    let draft = [IndexId::Site {
        scope: ScopeKind::Draft,
    }];
    let (mut times, mut cpu) = (Vec::new(), Some(0.0));
    for n in 0..edits {
        let registers = site.registers.len();
        let item = &mut site.registers[n % registers].working.items[0];
        item.title.value.push('改');
        let history = minglu::history::SiteHistory::new(&site, today);
        let plan = Plan::new(&site, &history, &options);
        let (started, cpu_before) = (Instant::now(), cpu_ms());
        search::write_with(&plan, &draft, &sink, &mut memo)?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        cpu = cpu
            .zip(cpu_ms().zip(cpu_before))
            .map(|(sum, (after, before))| sum + after - before);
    }
    let cpu = cpu.map(|sum| sum / edits as f64);
    let shown: Vec<String> = times.iter().map(|t| format!("{t:.1}")).collect();
    times.sort_by(f64::total_cmp);
    println!(
        "draft index after a title edit: median {:.1} ms ({} ms); CPU {} per edit",
        times.get(times.len() / 2).copied().unwrap_or_default(),
        shown.join(", "),
        cpu.map_or_else(|| "unknown".to_owned(), |ms| format!("{ms:.1} ms")),
    );
    Ok(())
}

/// The CPU time of the process's threads so far, where `/proc` tells it
/// (`schedstat` counts nanoseconds; threads that ended are not counted, and
/// rayon's workers live as long as the process).
fn cpu_ms() -> Option<f64> {
    let mut ns = 0_u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        ns += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(ns as f64 / 1e6)
}

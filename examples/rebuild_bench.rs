//! Benchmark of `serve`'s incremental rebuild alone, in process: no server, no
//! watcher, no debounce. It builds a site once as `serve` does (in memory, with
//! `/draft/`), then edits one working-copy item title again and again and
//! rebuilds after each edit from the changed path, printing each rebuild's
//! phases and, at the end, the median of each phase.
//!
//! ```text
//! cargo run --release --example bench -- --items 1000 --editions 5 --dir /dev/shm/bench --runs 1
//! cp -r /dev/shm/bench/1000x5 /dev/shm/rb && cargo run --release --example rebuild_bench -- /dev/shm/rb 10
//! ```
//!
//! It edits the site it is given: run it on a copy.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use minglu::preview::changes_since;
use minglu::{Caches, PreviewOptions, preview};

/// The allocator of the `minglu` binary, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(args.first().expect("usage: rebuild_bench SITE [EDITS]"));
    let edits: usize = args.get(1).map_or(8, |n| n.parse().expect("a number"));
    let rel = std::fs::read_dir(root.join("content/lists/creation/items"))
        .expect("a generated bench site")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .min()
        .map(|n| format!("content/lists/creation/items/{n}"))
        .expect("an item");
    let options = PreviewOptions {
        today: minglu::today_from_env().expect("a date"),
        base_url: Some("http://127.0.0.1:1111/".to_owned()),
        drafts: true,
    };
    let mut caches = Caches::default();
    let sink = |_: &str, _: &[u8]| Ok(());
    let start = Instant::now();
    let (_, built) = preview(&root, &options, None, None, &mut caches, &sink).expect("first build");
    let mut previous = built.expect("a valid site").preview;
    println!("first build {} ms", start.elapsed().as_millis());
    let mut laps: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for n in 0..edits {
        let path = root.join(&rel);
        let text = std::fs::read_to_string(&path).expect("read");
        let (first, rest) = text.split_once('\n').expect("a title line");
        std::fs::write(&path, format!("{first}改\n{rest}")).expect("write");
        let start = Instant::now();
        let changes = changes_since(&root, &previous, std::slice::from_ref(&rel));
        let (_, built) = preview(
            &root,
            &options,
            Some(&previous),
            changes.as_deref(),
            &mut caches,
            &sink,
        )
        .expect("rebuild");
        let total = start.elapsed().as_secs_f64() * 1000.0;
        let built = built.expect("still valid");
        println!("edit {n}: {total:.0} ms ({})", built.phases);
        laps.entry("total".to_owned()).or_default().push(total);
        for lap in built.phases.split(", ") {
            if let Some((name, ms)) = lap.rsplit_once(' ').and_then(|(l, _)| l.rsplit_once(' ')) {
                let ms: f64 = ms.parse().unwrap_or(f64::NAN);
                laps.entry(name.to_owned()).or_default().push(ms);
            }
        }
        previous = built.preview;
    }
    let medians: Vec<String> = laps
        .into_iter()
        .map(|(name, mut v)| {
            v.sort_by(f64::total_cmp);
            format!("{name} {:.0}", v[v.len() / 2])
        })
        .collect();
    println!("median ms: {}", medians.join(", "));
}

//! The pipeline's layering, enforced: no module of the library refers to a
//! module of a higher layer, and the modules do not refer to each other in a
//! cycle. The layers are stated in `src/lib.rs` and CONTRIBUTING.md.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Top-level module → layer, bottom (1) to top. `lib` is the crate root.
const LAYERS: &[(&str, u8)] = &[
    ("diagnostic", 1),
    ("error", 1),
    ("model", 1),
    ("i18n", 1),
    ("content", 1),
    ("site_files", 1),
    ("text_safety", 1),
    ("check", 2),
    ("history", 2),
    ("plan", 3),
    ("render", 4),
    ("search", 4),
    ("export", 4),
    ("output", 5),
    ("release", 6),
    ("init", 6),
    ("serve", 6),
    ("preview", 6),
    ("check_cache", 6),
    ("lib", 6),
];

/// Items the crate root re-exports from a lower module.
const ROOT_REEXPORTS: &[(&str, &str)] = &[
    ("Error", "error"),
    ("Result", "error"),
    ("Report", "diagnostic"),
    // `#[macro_export]` puts the bilingual-text macro at the root.
    ("t", "diagnostic"),
];

fn layer(module: &str) -> u8 {
    LAYERS
        .iter()
        .find(|(m, _)| *m == module)
        .map_or_else(
            || panic!("module `{module}` has no layer: add it to LAYERS here, in src/lib.rs and in CONTRIBUTING.md"),
            |(_, l)| *l,
        )
}

/// Every `.rs` file of the library (the binary's `main.rs` and `cli.rs` are the top).
fn library_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            library_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/plan/page.rs` → `plan`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel
        .components()
        .next()
        .expect("a component")
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    first.strip_suffix(".rs").unwrap_or(&first).to_owned()
}

/// The code of a line without its `//` comment (string literals holding `//`
/// do not name modules, so cutting them short is harmless).
fn code(line: &str) -> &str {
    line.find("//").map_or(line, |i| &line[..i])
}

/// The top-level modules a line refers to through `crate::` paths, including
/// grouped imports (`use crate::{check, content};`).
fn referenced(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for name in group[..end].split(',') {
                out.push(first_segment(name.trim()));
            }
        } else {
            out.push(first_segment(rest));
        }
    }
    out.into_iter().filter(|n| !n.is_empty()).collect()
}

fn first_segment(path: &str) -> String {
    path.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Maps a name after `crate::` to its module: a module, a re-export, or the root.
fn target(name: &str) -> String {
    if let Some((_, module)) = ROOT_REEXPORTS.iter().find(|(n, _)| *n == name) {
        return (*module).to_owned();
    }
    if LAYERS.iter().any(|(m, _)| *m == name) {
        return name.to_owned();
    }
    "lib".to_owned()
}

/// Module → the modules it refers to, with one file and line per edge.
fn graph() -> BTreeMap<String, BTreeMap<String, String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    library_files(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in files {
        let module = module_of(&src, &file);
        if matches!(module.as_str(), "main" | "cli" | "install_files") {
            continue;
        }
        let text = fs::read_to_string(&file).expect("read source");
        for (n, line) in text.lines().enumerate() {
            for name in referenced(code(line)) {
                let to = target(&name);
                if to != module {
                    edges
                        .entry(module.clone())
                        .or_default()
                        .entry(to)
                        .or_insert_with(|| format!("{}:{}", file.display(), n + 1));
                }
            }
        }
    }
    edges
}

#[test]
fn no_module_refers_to_a_higher_layer() {
    let mut upward = Vec::new();
    for (from, tos) in graph() {
        for (to, at) in tos {
            if layer(&to) > layer(&from) {
                upward.push(format!(
                    "{from} (layer {}) → {to} (layer {}) at {at}",
                    layer(&from),
                    layer(&to)
                ));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "upward references:\n{}",
        upward.join("\n")
    );
}

#[test]
fn modules_do_not_refer_to_each_other_in_a_cycle() {
    let edges = graph();
    let mut done = BTreeSet::new();
    for start in edges.keys() {
        let mut path = Vec::new();
        if let Some(cycle) = find_cycle(&edges, start, &mut path, &mut done) {
            panic!("import cycle: {}", cycle.join(" → "));
        }
    }
}

fn find_cycle(
    edges: &BTreeMap<String, BTreeMap<String, String>>,
    node: &str,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(i) = path.iter().position(|n| n == node) {
        let mut cycle = path[i..].to_vec();
        cycle.push(node.to_owned());
        return Some(cycle);
    }
    if done.contains(node) {
        return None;
    }
    path.push(node.to_owned());
    for next in edges.get(node).into_iter().flat_map(BTreeMap::keys) {
        if let Some(cycle) = find_cycle(edges, next, path, done) {
            return Some(cycle);
        }
    }
    path.pop();
    done.insert(node.to_owned());
    None
}

#[test]
fn the_scanner_sees_grouped_and_nested_references() {
    assert_eq!(
        referenced("use crate::{Report, check, content};"),
        ["Report", "check", "content"]
    );
    assert_eq!(
        referenced("let x = crate::plan::url::item(a, b);"),
        ["plan"]
    );
    assert_eq!(
        code("use crate::render; // not crate::plan"),
        "use crate::render; "
    );
    assert_eq!(target("Error"), "error");
    assert_eq!(target("load_valid"), "lib");
}

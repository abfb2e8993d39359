//! Benchmark: generate a synthetic register site at scale, then build it and
//! report wall time, pages per second and peak memory.
//!
//! ```text
//! cargo run --release --example bench                  # 1,000 × 3 × 5, then 5,000 × 3 × 10
//! cargo run --release --example bench -- --items 500 --editions 3
//! cargo run --release --example bench -- --dir /dev/shm/bench --runs 3
//! cargo run --release --example bench -- --check-only   # the three checks only
//! ```
//!
//! The site is generated once into `<dir>/<items>x<editions>/` (`--dir`,
//! default `target/bench`; reused while the generator's parameters are
//! unchanged). Each measurement runs in a fresh child process, so peak memory
//! (`VmHWM`) is that of minglu alone. Each scale prints the wall time, the time
//! of each phase (load, check, history, plan, render, search, write, commit),
//! and the ratios the goals are stated in: clean build over the `cp -r` of its
//! own output (the I/O floor), check over clean build, and what the search
//! indexes add to a clean build (a clean build without them is measured too).
//! Checks are measured three ways: without a cache (`check`), with an empty
//! cache (`check 1st`, which writes it), and after one working-copy item
//! edit with that cache (`check 2nd`: what an editor waits for).

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    reason = "benchmark arithmetic on small numbers"
)]

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The allocator of the `minglu` binary, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TITLES: &[&str] = &[
    "居民居住情况证明",
    "亲属关系证明",
    "家庭经济困难证明",
    "无犯罪记录证明",
    "房屋租赁情况证明",
    "参加志愿服务证明",
    "独生子女证明",
    "婚姻状况证明",
    "健在证明",
    "死亡证明",
    "低保申请入户调查",
    "人口抽样调查登记",
    "征兵宣传动员",
    "优抚对象走访慰问",
    "社区矫正协助",
    "文明社区创建",
    "平安社区创建",
    "综合减灾示范社区",
    "绿色社区创建",
    "健康社区建设",
];
const PHRASES: &[&str] = &[
    "社区居委会根据实地走访情况据实出具",
    "申请人应当提供居民身份证和户口簿",
    "由主管部门通过信息共享方式核查",
    "不得要求社区对无法核实的事项出具证明",
    "办理时限为三个工作日",
    "本事项依据民发〔2020〕20号调整",
    "经费按照费随事转原则保障",
    "社区只对本名录列明的事项出具证明",
    "过渡期内可据实出具",
    "书面承诺后即可办理",
    "到户籍所在地公安派出所申请",
    "由医疗卫生机构出具",
    "通过不动产登记信息核验",
    "社区不再出具此类证明",
    "按年度开展评估并公布结果",
];
const CATEGORIES: &[&str] = &[
    "住所居住",
    "亲属婚育",
    "生死健康",
    "财产收入",
    "政审司法",
    "社区活动",
];
const DEPARTMENTS: &[(&str, &str)] = &[
    ("civil", "民政局"),
    ("police", "公安局"),
    ("edu", "教育局"),
    ("hrss", "人力资源和社会保障局"),
    ("housing", "住房和城乡建设局"),
    ("health", "卫生健康委员会"),
    ("notary", "公证处"),
    ("stats", "统计局"),
];
const PURPOSES: &[&str] = &[
    "入学",
    "购房",
    "低保",
    "养老金",
    "政审",
    "继承",
    "公证",
    "出国",
    "就业",
    "助学贷款",
    "诉讼费减免",
    "征兵",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, from: &'a [&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn sentence(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| rng.pick(PHRASES))
        .collect::<Vec<_>>()
        .join("，")
        + "。"
}

fn item_yaml(kind: &str, id: u64, version: u64) -> String {
    let mut rng = Rng(id * 7919 + version * 104_729 + 1);
    let mut y = String::new();
    let _ = writeln!(y, "title: {}（第{id}项）", rng.pick(TITLES));
    let _ = writeln!(y, "aliases: [{}, {}]", rng.pick(TITLES), rng.pick(TITLES));
    let _ = writeln!(
        y,
        "category: {}",
        CATEGORIES[(id % CATEGORIES.len() as u64) as usize]
    );
    let (dep, _) = DEPARTMENTS[(id % DEPARTMENTS.len() as u64) as usize];
    let _ = writeln!(y, "departments: [{dep}]");
    y.push_str("basis:\n  - title: 关于改进和规范基层群众性自治组织出具证明工作的指导意见\n    doc_number: 民发〔2020〕20号\n    level: normative\n    url: https://www.gov.cn/zhengce/zhengceku/2020-04/28/content_5507174.htm\n");
    let _ = writeln!(
        y,
        "purposes: [{}, {}]",
        rng.pick(PURPOSES),
        rng.pick(PURPOSES)
    );
    let _ = writeln!(y, "summary: {}", sentence(&mut rng, 2));
    let _ = writeln!(
        y,
        "body: |\n  {}\n\n  {}\n\n  - {}\n  - {}",
        sentence(&mut rng, 6),
        sentence(&mut rng, 5),
        sentence(&mut rng, 2),
        sentence(&mut rng, 2)
    );
    let _ = writeln!(
        y,
        "sources: [https://example.org/doc/{}/{id}]",
        2010 + version
    );
    match kind {
        "stamp" if id.is_multiple_of(3) => {
            let _ = writeln!(
                y,
                "verdict: issue\nmaterials: [居民身份证, 户口簿, 书面申请]\nprocedure: [居民提出申请, 社区核实情况, 社区主任签字盖章]\ntime_limit: {}个工作日\nfee: 免费\nproof_content: {}",
                1 + version % 5,
                sentence(&mut rng, 1)
            );
        }
        "stamp" => {
            let (d2, _) = DEPARTMENTS[(id as usize + 1) % DEPARTMENTS.len()];
            let _ = writeln!(
                y,
                "verdict: refuse\ninstead:\n  - method: other_agency\n    department: {d2}\n    how: {}\n  - method: written_commitment\n    how: {}",
                sentence(&mut rng, 2),
                sentence(&mut rng, 1)
            );
        }
        "work" => {
            let duty = ["autonomy", "assist", "prohibited"][(id % 3) as usize];
            let _ = writeln!(
                y,
                "duty: {duty}\ncontent: {}\nfunding:\n  principle: 费随事转\n  amount_cny: {}\n  period: 每年\nadmission:\n  applied: 2014-09-01\n  assessed: 2014-10-15\n  confirmed: 2014-12-08",
                sentence(&mut rng, 3),
                10_000 + rng.below(90_000)
            );
        }
        _ => {
            let _ = writeln!(
                y,
                "level: municipal\nparticipation: voluntary\ncycle: 每年\nrecognition: 命名\nstandard:\n  title: {}\n  pass_mark: 80分\n  indicators: {}\nledgers: [会议记录, 活动台账]",
                rng.pick(TITLES),
                10 + rng.below(40)
            );
        }
    }
    y
}

fn sha256_file_lines(dir: &Path, files: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let _ = dir;
    sorted
        .iter()
        .map(|(p, text)| {
            format!(
                "{}  {p}\n",
                minglu::content::seal::sha256_hex(text.as_bytes())
            )
        })
        .collect()
}

/// The items present in `version` of a register: most carry over, a few are
/// withdrawn, a few added, a few changed.
fn items_in(version: u64, items: u64) -> Vec<(u64, u64)> {
    (1..=items + version * items / 50)
        .filter(|id| !(version > 0 && id % 97 == version % 97))
        .map(|id| (id, if id % 20 == version % 20 { version } else { 0 }))
        .collect()
}

fn write_snapshot(
    dir: &Path,
    key: &str,
    kind: &str,
    prefix: &str,
    version: u64,
    items: u64,
    edition: Option<&str>,
) -> u64 {
    let mut files: Vec<(String, String)> = Vec::new();
    files.push(("list.yaml".into(), format!("title: 规范社区{key}事项名录\nshort_title: {key}事项\nkind: {kind}\nid_prefix: {prefix}\nintro: 本名录为基准测试生成的数据。\ncategories: [{}]\n", CATEGORIES.join(", "))));
    for (id, v) in items_in(version, items) {
        files.push((
            format!("items/{prefix}-{id:04}.yaml"),
            item_yaml(kind, id, v),
        ));
    }
    let mut bytes = 0;
    if let Some(label) = edition {
        files.push(("departments.yaml".into(), departments_yaml()));
        let year = 2010 + version;
        files.push(("edition.yaml".into(), format!("label: {label}\nkind: revision\ntitle: 关于调整规范社区{key}事项名录的通知（{year}）\ndoc_number: 民发〔{year}〕{version}号\nissuers: [示例市民政局]\npublished: {year}-03-01\neffective: {year}-04-01\nnotes: 第{version}次调整。\n")));
        let sums = sha256_file_lines(dir, &files);
        files.push(("SHA256SUMS".into(), sums));
    }
    for (rel, text) in &files {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(&path, text).expect("write");
        bytes += text.len() as u64;
    }
    bytes
}

fn departments_yaml() -> String {
    DEPARTMENTS
        .iter()
        .map(|(id, name)| {
            format!(
                "{id}:\n  name: 示例市{name}\n  phone: \"0512-6522{:04}\"\n",
                id.len() * 37
            )
        })
        .collect()
}

fn generate(root: &Path, items: u64, editions: u64) -> u64 {
    let content = root.join("content");
    let _ = fs::remove_dir_all(root);
    fs::create_dir_all(&content).expect("mkdir");
    fs::write(content.join("site.yaml"), "title: 基准测试站点\nbase_url: https://example.org/bench/\npublisher: 示例市民政局\njurisdiction: 示例市\nnotice: 基准测试生成的数据。\n").expect("write");
    fs::write(content.join("departments.yaml"), departments_yaml()).expect("write");
    let mut bytes = 0;
    for (key, kind, prefix) in [
        ("work", "work", "SX"),
        ("stamp", "stamp", "GZ"),
        ("creation", "creation", "CJ"),
    ] {
        let list = content.join("lists").join(key);
        for v in 0..editions {
            bytes += write_snapshot(
                &list.join("editions").join(format!("{}", 2011 + v)),
                key,
                kind,
                prefix,
                v,
                items,
                Some(&format!("{}年版", 2011 + v)),
            );
        }
        bytes += write_snapshot(&list, key, kind, prefix, editions, items, None);
    }
    bytes
}

fn peak_rss_mib() -> f64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// Runs in the child: one library call, then prints `seconds pages peak_mib`
/// followed by the phase times in seconds (see [`PHASES`]).
fn measure(what: &str, root: &Path) {
    let today = jiff::civil::date(2026, 1, 1);
    if what == "clean" || what == "bare" {
        let _ = fs::remove_dir_all(root.join("public"));
        let _ = fs::remove_file(root.join(".public.minglu-cache.json"));
    }
    let start = Instant::now();
    let (pages, p) = match what {
        "check" | "check-cold" | "check-warm" => {
            let cache = root.join(".public.minglu-check-cache");
            if what == "check-cold" {
                let _ = fs::remove_file(&cache);
            }
            if what == "check-warm" {
                edit_one_item(root);
            }
            let cache = (what != "check").then_some(cache.as_path());
            let options = minglu::CheckOptions {
                root: root.to_path_buf(),
                today,
            };
            let (report, phases) = minglu::check_timed(&options, cache).expect("check runs");
            assert!(
                !report.diagnostics.has_errors(),
                "the generated site must be valid"
            );
            (0, phases)
        }
        _ => minglu::build(&minglu::BuildOptions {
            root: root.to_path_buf(),
            output: root.join("public"),
            base_url: None,
            today,
            drafts: false,
            force: false,
            search: what != "bare",
        })
        .map_or_else(|e| panic!("build failed: {e}"), |s| (s.pages, s.phases)),
    };
    let secs = start.elapsed().as_secs_f64();
    let phases = [
        p.load, p.check, p.history, p.plan, p.dirs, p.render, p.search, p.write, p.commit,
    ];
    let phases: Vec<String> = phases
        .iter()
        .map(|d| format!("{:.3}", d.as_secs_f64()))
        .collect();
    println!(
        "{secs} {pages} {} {} {} {}",
        peak_rss_mib(),
        cpu_seconds(),
        p.rendered,
        phases.join(" ")
    );
}

/// Edits the title of the first stamp item of the working copy (one edit, as an
/// editor makes between two checks), alternating between two titles.
fn edit_one_item(root: &Path) {
    let items = root.join("content/lists/stamp/items");
    let mut names: Vec<PathBuf> = fs::read_dir(&items)
        .expect("items folder")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    let path = &names[0];
    let text = fs::read_to_string(path).expect("read item");
    let (first, rest) = text.split_once('\n').expect("a title line");
    let first = match first.strip_suffix("（改）") {
        Some(old) => old.to_owned(),
        None => format!("{first}（改）"),
    };
    fs::write(path, format!("{first}\n{rest}")).expect("write item");
}

/// User plus system CPU time of this process, all threads, from `/proc/self/stat`
/// (in clock ticks, 100 a second on Linux). On a shared machine this is the
/// steadier measure: wall time also counts waiting for a core.
fn cpu_seconds() -> f64 {
    let stat = fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name, in parentheses, may contain spaces: count fields after it.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// The phases the child reports, in order (`write` is summed over threads and
/// overlaps `render` and `search`, which overlap each other in a build).
const PHASES: [&str; 9] = [
    "load", "check", "history", "plan", "mkdirs", "render", "search", "write*", "commit",
];

/// One measurement: wall seconds, pages, peak MiB, CPU seconds, pages rendered,
/// phase seconds.
struct Measured {
    secs: f64,
    pages: usize,
    mib: f64,
    cpu: f64,
    rendered: usize,
    phases: Vec<f64>,
}

fn child(what: &str, root: &Path) -> Measured {
    let out = Command::new(std::env::current_exe().expect("exe"))
        .arg("--measure")
        .arg(what)
        .arg(root)
        .output()
        .expect("run child");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<&str> = text.split_whitespace().collect();
    Measured {
        secs: v[0].parse().expect("secs"),
        pages: v[1].parse().expect("pages"),
        mib: v[2].parse().expect("mib"),
        cpu: v[3].parse().expect("cpu"),
        rendered: v[4].parse().expect("rendered"),
        phases: v[5..].iter().map(|x| x.parse().expect("phase")).collect(),
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--measure") {
        measure(&args[2], Path::new(&args[3]));
        return;
    }
    let number = |name: &str| arg(&args, name).map(|v| v.parse::<u64>().expect("a number"));
    let scales = match (number("--items"), number("--editions")) {
        (None, None) => vec![(1000, 5), (5000, 10)],
        (items, editions) => vec![(items.unwrap_or(5000), editions.unwrap_or(10))],
    };
    let base = arg(&args, "--dir").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench"),
        PathBuf::from,
    );
    let runs = number("--runs").unwrap_or(1).max(1);
    let check_only = args.iter().any(|a| a == "--check-only");
    if !check_only {
        let example = copy_example(&base);
        let m = child("clean", &example);
        println!(
            "bundled example: clean build {:.2} s, {} pages\n",
            m.secs, m.pages
        );
    }
    for (items, editions) in scales {
        bench_scale(&base, items, editions, runs, check_only);
    }
}

/// Generates (once) and measures one scale: check (three ways), clean build,
/// clean build without search indexes, rebuild and the `cp -r` floor, `runs`
/// times each (alternating), reporting medians.
fn bench_scale(base: &Path, items: u64, editions: u64, runs: u64, check_only: bool) {
    let root = base.join(format!("{items}x{editions}"));
    let stamp = root.join(".generated-v1");
    if !stamp.exists() {
        let start = Instant::now();
        let bytes = generate(&root, items, editions);
        fs::write(&stamp, "").expect("stamp");
        eprintln!(
            "generated {:.0} MB of YAML in {:.1} s into {}",
            bytes as f64 / 1e6,
            start.elapsed().as_secs_f64(),
            root.display()
        );
    }
    println!("{items} items × 3 registers × {editions} editions ({runs} run(s), medians)");
    println!(
        "{:<12} {:>8} {:>7} {:>8} {:>9} {:>8}  {}",
        "case",
        "wall s",
        "cpu s",
        "pages",
        "rendered",
        "peak MiB",
        PHASES.map(|p| format!("{p:>7}")).join(" ")
    );
    let cases: &[&str] = if check_only {
        &["check", "check-cold", "check-warm"]
    } else {
        &[
            "check",
            "check-cold",
            "check-warm",
            "clean",
            "bare",
            "build",
        ]
    };
    let mut all: Vec<Vec<Measured>> = cases.iter().map(|_| Vec::new()).collect();
    let mut floors = Vec::new();
    for _ in 0..runs {
        for (i, what) in cases.iter().enumerate() {
            all[i].push(child(what, &root));
        }
        if !check_only {
            floors.push(time_copy(&root.join("public")));
        }
    }
    let mut medians = Vec::new();
    for (what, runs) in cases.iter().zip(all) {
        let m = median_of(runs);
        let phases: Vec<String> = m.phases.iter().map(|s| format!("{s:>7.2}")).collect();
        let label = match *what {
            "clean" => "clean build",
            "build" => "rebuild",
            "bare" => "no search",
            "check-cold" => "check 1st",
            "check-warm" => "check 2nd",
            other => other,
        };
        println!(
            "{label:<12} {:>8.2} {:>7.2} {:>8} {:>9} {:>8.0}  {}",
            m.secs,
            m.cpu,
            m.pages,
            m.rendered,
            m.mib,
            phases.join(" ")
        );
        medians.push((m.secs, m.cpu));
    }
    if check_only {
        println!();
        return;
    }
    print_ratios(&root, median(&mut floors), &medians);
}

/// The goals' ratios from the medians (wall, cpu) of the cases `check`,
/// `check-cold`, `check-warm`, `clean`, `bare`, `build`, and the floor.
fn print_ratios(root: &Path, floor: f64, medians: &[(f64, f64)]) {
    let du = dir_size(&root.join("public"));
    println!(
        "`cp -r` floor {floor:.2} s ({:.0} MB); clean build / floor = {:.2} (goal ≤ 1.5); \
         check / clean build = {:.2} wall, {:.2} cpu (goal ≤ 0.33)",
        du as f64 / 1e6,
        medians[3].0 / floor,
        medians[0].0 / medians[3].0,
        medians[0].1 / medians[3].1
    );
    println!(
        "search indexes add {:.2} s = {:.1} % to a clean build without them (goal ≤ 15 %), \
         {:.2} s cpu\n",
        medians[3].0 - medians[4].0,
        100.0 * (medians[3].0 / medians[4].0 - 1.0),
        medians[3].1 - medians[4].1
    );
}

/// The run with the median wall time.
fn median_of(mut runs: Vec<Measured>) -> Measured {
    runs.sort_by(|a, b| a.secs.total_cmp(&b.secs));
    runs.swap_remove(runs.len() / 2)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn dir_size(dir: &Path) -> u64 {
    fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| match e.file_type() {
                Ok(t) if t.is_dir() => dir_size(&e.path()),
                _ => e.metadata().map_or(0, |m| m.len()),
            })
            .sum()
    })
}

/// Wall time of `cp -r` of the output: the I/O floor a build cannot beat.
fn time_copy(public: &Path) -> f64 {
    let target = public.with_file_name("cp-floor");
    let _ = fs::remove_dir_all(&target);
    let start = Instant::now();
    let ok = Command::new("cp")
        .arg("-r")
        .arg(public)
        .arg(&target)
        .status()
        .is_ok_and(|s| s.success());
    let secs = start.elapsed().as_secs_f64();
    let _ = fs::remove_dir_all(&target);
    if ok { secs } else { f64::NAN }
}

/// The bundled example, copied so the benchmark never writes into the repository.
fn copy_example(base: &Path) -> PathBuf {
    let target = base.join("example");
    let _ = fs::remove_dir_all(&target);
    copy(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content"),
        &target.join("content"),
    );
    target
}

fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_dir() {
            copy(&entry.path(), &to.join(entry.file_name()));
        } else {
            fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

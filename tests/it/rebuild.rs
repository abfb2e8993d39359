//! `serve`'s incremental rebuild, driven in process through [`minglu::preview()`]:
//! after each edit, the files the rebuild leaves (its own plus those it kept
//! from the build before) and its diagnostics equal a clean build's, byte for
//! byte, whichever shortcut the rebuild took (looking only at the modified
//! files instead of walking `content/`, keeping pages' inputs, memoised checks).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use minglu::diagnostic::Diagnostic;
use minglu::preview::changes_since;
use minglu::{Caches, Preview, PreviewBuilt, PreviewOptions, Rendered, preview};

use crate::support::{EPOCH, SiteTest, copy_dir};

type Files = BTreeMap<String, Vec<u8>>;

fn options() -> PreviewOptions {
    let seconds: i64 = EPOCH.parse().expect("epoch");
    PreviewOptions {
        today: jiff::tz::Offset::constant(8)
            .to_datetime(jiff::Timestamp::from_second(seconds).expect("timestamp"))
            .date(),
        base_url: Some("http://127.0.0.1:1111/".to_owned()),
        drafts: true,
    }
}

/// One preview build: what it built (if it could), the files it gave its
/// sink, and its diagnostics.
fn run(
    root: &Path,
    before: Option<(&Preview, &[String])>,
    caches: &mut Caches,
) -> (Option<PreviewBuilt>, Files, Vec<Diagnostic>) {
    let out = Mutex::new(Files::new());
    let sink = |path: &str, bytes: &[u8]| {
        out.lock()
            .expect("sink lock")
            .insert(path.to_owned(), bytes.to_vec());
        Ok(())
    };
    let changes = before.and_then(|(previous, paths)| changes_since(root, previous, paths));
    let (report, built) = preview(
        root,
        &options(),
        before.map(|(p, _)| p),
        changes.as_deref(),
        caches,
        &sink,
    )
    .expect("the build runs");
    let files = out.into_inner().expect("sink lock");
    (built, files, report.diagnostics.iter().cloned().collect())
}

/// A served site: the last good build and the files it shows.
struct Served {
    site: SiteTest,
    caches: Caches,
    previous: Preview,
    files: Files,
    /// Paths changed since the last good build (a failed rebuild keeps
    /// them for the next, as `serve` does).
    pending: Vec<String>,
}

impl Served {
    fn start() -> Served {
        let site = SiteTest::empty("rebuild");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
            &site.root.join("content"),
        );
        let mut caches = Caches::default();
        let (built, files, _) = run(&site.root, None, &mut caches);
        let previous = built.expect("the example builds").preview;
        Served {
            site,
            caches,
            previous,
            files,
            pending: Vec::new(),
        }
    }

    /// Renames item file `from` to `to`, then deletes it, rebuilding after each.
    fn rename_then_delete(&mut self, from: &str, to: &str) {
        std::fs::rename(self.site.root.join(from), self.site.root.join(to)).expect("rename");
        self.rebuild(&[from, to], "an item renamed");
        std::fs::remove_file(self.site.root.join(to)).expect("delete");
        self.rebuild(&[to], "an item deleted");
    }

    /// Rebuilds after `changed` (paths relative to the root); returns whether
    /// the load walked `content/` again, and asserts the result is a clean build's.
    fn rebuild(&mut self, changed: &[&str], what: &str) -> bool {
        self.attempt(changed, what)
            .unwrap_or_else(|| panic!("{what}: the rebuild failed"))
    }

    /// [`Served::rebuild`] when the content may be broken: then the rebuild
    /// fails as a clean build does, with the same diagnostics, the last good
    /// build stays, and `None`.
    fn attempt(&mut self, changed: &[&str], what: &str) -> Option<bool> {
        self.pending.extend(changed.iter().map(|p| (*p).to_owned()));
        let (built, new, diagnostics) = run(
            &self.site.root,
            Some((&self.previous, &self.pending)),
            &mut self.caches,
        );
        let walked = self.caches.content.walked();
        let Some(built) = built else {
            let (clean, _, clean_diagnostics) = run(&self.site.root, None, &mut Caches::default());
            assert!(clean.is_none(), "{what}: a clean build fails too");
            assert_eq!(
                diagnostics, clean_diagnostics,
                "{what}: the same diagnostics"
            );
            return None;
        };
        self.pending.clear();
        self.files = match &built.rendered {
            Rendered::Full { reused } => {
                let mut files = new;
                for dir in reused {
                    let prefix = format!("{dir}/");
                    files.extend(
                        self.files
                            .iter()
                            .filter(|(p, _)| p.starts_with(&prefix))
                            .map(|(p, b)| (p.clone(), b.clone())),
                    );
                }
                files
            }
            Rendered::Partial { removed, cleared } => {
                let mut files = std::mem::take(&mut self.files);
                for path in removed {
                    files.remove(path);
                }
                files.retain(|p, _| !cleared.iter().any(|c| p.starts_with(c.as_str())));
                files.extend(new);
                files
            }
        };
        self.previous = built.preview;
        let (clean, files, clean_diagnostics) = run(&self.site.root, None, &mut Caches::default());
        assert!(clean.is_some(), "{what}: a clean build succeeds");
        assert_eq!(
            diagnostics, clean_diagnostics,
            "{what}: the same diagnostics"
        );
        let differ: Vec<&String> = files
            .keys()
            .chain(self.files.keys())
            .filter(|p| files.get(*p) != self.files.get(*p))
            .collect();
        assert!(
            differ.is_empty(),
            "{what}: differs from a clean build: {differ:?}"
        );
        Some(walked)
    }

    fn edit(&self, rel: &str, edit: impl Fn(&str) -> String) {
        let text = edit(&self.site.read(rel));
        assert_ne!(text, self.site.read(rel), "the edit changes {rel}");
        self.site.write(rel, text);
    }
}

#[test]
fn modified_files_are_looked_at_alone_and_the_result_is_a_clean_builds() {
    let mut served = Served::start();
    let item = "content/lists/stamp/items/GZ-001.yaml";
    // Files changed in the last two seconds are never taken from the cache
    // (their stamps are not to be trusted yet): let the copy settle, and
    // have one rebuild stamp it.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    assert!(!served.rebuild(&[], "nothing changed"));
    // A burst of saves of one item: the title, then the summary.
    served.edit(item, |t| t.replacen("title: ", "title: 改一", 1));
    assert!(
        !served.rebuild(&[item], "a title edit"),
        "no walk for a modified item"
    );
    // Only the edited item was read again; every other item and edition
    // came from the last load (its items moved out of its model).
    let (reused, read) = served.caches.content.last_load();
    assert_eq!(read, 1, "item and edition files read again");
    assert!(reused > 100, "{reused} files reused");
    // Only the edited item's doc can differ from the draft index's kept
    // ones: none of the others is compared.
    assert_eq!(served.caches.search.compared(), 1, "docs compared");
    // An item moved to another category moves in the index too.
    let moved = "content/lists/stamp/items/GZ-013.yaml";
    served.edit(moved, |t| {
        t.replacen("category: 亲属婚育", "category: 住所居住", 1)
    });
    assert!(!served.rebuild(&[moved], "a category edit"));
    assert!(
        served.caches.search.compared() > 1,
        "the docs between compared"
    );
    served.edit(item, |t| t.replacen("summary: ", "summary: 又改。", 1));
    served.edit("content/lists/work/items/SX-001.yaml", |t| {
        t.replacen("title: ", "title: 另一名录", 1)
    });
    let both = [item, "content/lists/work/items/SX-001.yaml"];
    assert!(!served.rebuild(&both, "two registers at once"));
    // A title another item's text starts to hold (GZ-007's summary), and
    // one it stops holding (GZ-013's body): their pages link differently.
    let dead = "content/lists/stamp/items/GZ-016.yaml";
    served.edit(dead, |t| {
        t.replacen("title: 死亡证明", "title: 征兵政治考核", 1)
    });
    assert!(!served.rebuild(&[dead], "a title other texts mention"));
    // Files that are not items: departments, the site, a list.
    served.edit("content/departments.yaml", |t| {
        t.replacen("name: ", "name: 新", 1)
    });
    assert!(!served.rebuild(&["content/departments.yaml"], "departments"));
    served.edit("content/lists/stamp/list.yaml", |t| {
        t.replacen("title: ", "title: 名录", 1)
    });
    assert!(!served.rebuild(&["content/lists/stamp/list.yaml"], "list.yaml"));
    // A new file, then a deleted one: the load walks again.
    let new_item = "content/lists/stamp/items/GZ-900.yaml";
    served.site.write(new_item, served.site.read(item));
    assert!(
        served.rebuild(&[new_item], "a new item"),
        "a new file: a walk"
    );
    std::fs::remove_file(served.site.root.join(new_item)).expect("delete");
    assert!(
        served.rebuild(&[new_item], "a deleted item"),
        "a deleted file: a walk"
    );
    // And modified-only again afterwards.
    served.edit(item, |t| t.replacen("title: ", "title: 再改", 1));
    assert!(!served.rebuild(&[item], "after the walk"));
}

#[cfg(unix)]
#[test]
fn with_links_inside_content_a_modified_file_walks_again() {
    let mut served = Served::start();
    let pages = served.site.root.join("content/pages");
    let page = std::fs::read_dir(&pages)
        .expect("pages")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".md"))
        .expect("a free page");
    std::os::unix::fs::symlink(&page, pages.join("copy.md")).expect("link");
    assert!(served.rebuild(&["content/pages/copy.md"], "a new link"));
    // The watcher reports the target only; the link's page changes too.
    let rel = format!("content/pages/{page}");
    served.edit(&rel, |t| format!("{t}\n\n链接另一端的新段落。\n"));
    assert!(
        served.rebuild(&[&rel], "the link's target"),
        "links: a walk"
    );
}

#[test]
fn checks_kept_from_frozen_editions_follow_the_ids_they_depend_on() {
    let mut served = Served::start();
    // A working item mentions an item no register has: a warning.
    let item = "content/lists/stamp/items/GZ-001.yaml";
    served.edit(item, |t| {
        t.replacen("summary: ", "summary: 另见GZ-950。", 1)
    });
    assert!(!served.rebuild(&[item], "a dangling mention"));
    // Frozen into an upcoming edition, the mention is in a frozen edition too.
    served
        .site
        .run(&[
            "release",
            "stamp",
            "2099",
            "--label",
            "2099年版",
            "--kind",
            "revision",
            "--title",
            "关于调整规范社区盖章事项名录的通知",
            "--doc-number",
            "示民〔2099〕1号",
            "--issuer",
            "示例市民政局",
            "--published",
            "2099-01-01",
            "--effective",
            "2099-02-01",
        ])
        .success();
    let edition = "content/lists/stamp/editions/2099";
    served.rebuild(&[edition], "a new edition");
    // Checked again with the edition's findings kept: the same warnings.
    served.edit(item, |t| t.replacen("summary: ", "summary: 再改。", 1));
    assert!(!served.rebuild(&[item], "an edit with the edition kept"));
    // The id appears: no edition's mention of it dangles any more.
    let new_item = "content/lists/stamp/items/GZ-950.yaml";
    served.site.write(
        new_item,
        served.site.read(item).replacen("title: ", "title: 新", 1),
    );
    served.rebuild(&[new_item], "the mentioned item appears");
    // And disappears again.
    std::fs::remove_file(served.site.root.join(new_item)).expect("delete");
    served.rebuild(&[new_item], "the mentioned item is gone");
}

#[test]
fn memos_and_carried_outputs_follow_what_they_were_made_from() {
    let mut served = Served::start();
    // The second build carries the frozen pages over, the third shares the
    // names of their files with the second.
    served.rebuild(&[], "frozen pages carried over");
    served.rebuild(&[], "carried over again");
    // An edit in one register: the others' pending diffs stay memoised.
    let work = "content/lists/work/items/SX-001.yaml";
    served.edit(work, |t| t.replacen("title: ", "title: 改", 1));
    served.rebuild(&[work], "a work item");
    // Back as it was: the memo holds the edited diff, which no longer holds.
    served.edit(work, |t| t.replacen("title: 改", "title: ", 1));
    served.rebuild(&[work], "the work item restored");
    // An edit in another register (work's memo is the restored diff).
    let stamp = "content/lists/stamp/items/GZ-002.yaml";
    served.edit(stamp, |t| t.replacen("summary: ", "summary: 改。", 1));
    served.rebuild(&[stamp], "a stamp item");
    // An item created, renamed, then deleted.
    let created = "content/lists/creation/items/CJ-900.yaml";
    let source = std::fs::read_dir(served.site.root.join("content/lists/creation/items"))
        .expect("creation items")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .min()
        .expect("a creation item");
    let text = served
        .site
        .read(&format!("content/lists/creation/items/{source}"));
    served
        .site
        .write(created, text.replacen("title: ", "title: 新建", 1));
    served.rebuild(&[created], "an item created");
    let renamed = "content/lists/creation/items/CJ-901.yaml";
    served.rename_then_delete(created, renamed);
    // A frozen item removed and its edition sealed again: the register's
    // frozen pages are no longer carried over, and the item's page goes.
    let frozen = "content/lists/stamp/editions/2015/items/GZ-003.yaml";
    let sums = "content/lists/stamp/editions/2015/SHA256SUMS";
    std::fs::remove_file(served.site.root.join(frozen)).expect("delete");
    served.edit(sums, |t| {
        t.lines()
            .filter(|l| !l.ends_with("  items/GZ-003.yaml"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    let before = served.files.len();
    served.rebuild(&[frozen, sums], "a frozen item removed");
    assert!(
        !served
            .files
            .contains_key("stamp/editions/2015/GZ-003/index.html"),
        "the frozen item's page is gone ({before} files before)"
    );
    // Carried over again from the next build on.
    served.edit(stamp, |t| t.replacen("summary: ", "summary: 又改。", 1));
    served.rebuild(&[stamp], "an edit after the edition changed");
    served.edit(stamp, |t| t.replacen("summary: ", "summary: 再改。", 1));
    served.rebuild(&[stamp], "carried over after the edition changed");
}

/// The rows of item lists (register, purpose, department and home pages)
/// are rendered once per row and kept across rebuilds: a row must change
/// with anything it shows, whether it comes from the item (title, aliases,
/// the departments a refusal sends to) or from elsewhere (a department's
/// name, the site's language), and every rebuild must still equal a clean
/// build. So must the tables of changed fields, kept across rebuilds too.
#[test]
fn listing_rows_follow_everything_they_show() {
    let mut served = Served::start();
    let refused = "content/lists/stamp/items/GZ-002.yaml";
    let shown =
        |served: &Served, path: &str| String::from_utf8(served.files[path].clone()).expect("UTF-8");
    served.edit(refused, |t| {
        t.replacen("aliases: [", "aliases: [又一别名, ", 1)
    });
    served.rebuild(&[refused], "an alias added");
    // The working copy shows under /draft/ only.
    assert!(shown(&served, "draft/stamp/index.html").contains("又一别名"));
    assert!(!shown(&served, "stamp/index.html").contains("又一别名"));
    served.edit(refused, |t| {
        t.replacen("title: 健在证明", "title: 健在证明（改）", 1)
    });
    served.rebuild(&[refused], "a listed title");
    assert!(shown(&served, "draft/index.html").contains("健在证明（改）"));
    // A row names the departments a refusal sends to: one renamed, then
    // another named instead.
    served.edit("content/departments.yaml", |t| {
        t.replacen("short_name: 人社局", "short_name: 人社部门", 1)
    });
    served.rebuild(&["content/departments.yaml"], "a department renamed");
    assert!(shown(&served, "draft/stamp/index.html").contains("人社部门"));
    served.edit(refused, |t| {
        t.replacen("    department: hrss", "    department: civil", 1)
    });
    served.rebuild(&[refused], "another department to go to");
    // The pending change of that item names the department in its table of
    // changed fields, by the name the last edition knew it by, or, for a new
    // department, its name now: add one, send the item there, rename it.
    served.edit("content/departments.yaml", |t| {
        format!("{t}newdept:\n  name: 新设的部门\n")
    });
    served.edit(refused, |t| {
        t.replacen("    department: civil", "    department: newdept", 1)
    });
    served.rebuild(
        &["content/departments.yaml", refused],
        "a new department in a change",
    );
    assert!(shown(&served, "draft/stamp/index.html").contains("新设的部门"));
    served.edit("content/departments.yaml", |t| {
        t.replacen("name: 新设的部门", "name: 改名的部门", 1)
    });
    served.rebuild(&["content/departments.yaml"], "a department in a change");
    // Both pages that list the pending changes show it, each change's
    // entry kept from the build before but for the one that names it.
    assert!(shown(&served, "draft/index.html").contains("改名的部门"));
    assert!(shown(&served, "draft/stamp/index.html").contains("改名的部门"));
    assert!(!shown(&served, "draft/stamp/index.html").contains("新设的部门"));
    // The UI strings: the rows' badges are in the site's language.
    served.edit("content/site.yaml", |t| {
        t.replacen("language: zh-CN", "language: en", 1)
    });
    served.rebuild(&["content/site.yaml"], "the language");
    served.edit("content/site.yaml", |t| {
        t.replacen("language: en", "language: zh-CN", 1)
    });
    served.rebuild(&["content/site.yaml"], "the language back");
}

/// What a page of the last build says.
fn page(served: &Served, path: &str) -> String {
    String::from_utf8(served.files[path].clone()).expect("UTF-8")
}

/// A purpose page lists, as related, the items that its items' texts
/// mention (by id or by exact title). What each item's texts mention is kept
/// across rebuilds, and after a title edit found again only in texts that
/// hold the old or the new title: a mention must follow the title it names,
/// the texts that name it and the ids, and every rebuild equal a clean build.
#[test]
fn related_items_follow_the_mentions_and_titles_they_come_from() {
    let mut served = Served::start();
    // GZ-013 (亲属关系证明, for 公证) refers to “死亡证明” (GZ-016, not for 公证).
    let purpose = "draft/purposes/gongzheng/index.html";
    let related = |served: &Served| {
        let text = page(served, purpose);
        let at = text.find("related-heading").map_or(text.len(), |at| at);
        text[at..].to_owned()
    };
    assert!(related(&served).contains("stamp/GZ-016/"));
    let dead = "content/lists/stamp/items/GZ-016.yaml";
    served.edit(dead, |t| {
        t.replacen("title: 死亡证明", "title: 居民死亡情况证明", 1)
    });
    served.rebuild(&[dead], "the mentioned title renamed");
    assert!(!related(&served).contains("stamp/GZ-016/"));
    // Titles no text holds change, twice in a row: the mentions stand.
    let other = "content/lists/stamp/items/GZ-004.yaml";
    served.edit(other, |t| t.replacen("title: ", "title: 另名", 1));
    served.rebuild(&[other], "a title no text holds");
    served.edit(other, |t| t.replacen("title: 另名", "title: 又名", 1));
    served.rebuild(&[other], "a title no text holds, again");
    // The title back: the mention is found again.
    served.edit(dead, |t| {
        t.replacen("title: 居民死亡情况证明", "title: 死亡证明", 1)
    });
    served.rebuild(&[dead], "the mentioned title back");
    assert!(related(&served).contains("stamp/GZ-016/"));
    // Another item takes a title the text holds: GZ-013's body says
    // “需要证明父母的死亡时间的”.
    let kin = "content/lists/stamp/items/GZ-013.yaml";
    served.edit(other, |t| {
        let (_, rest) = t.split_once("title: ").expect("a title");
        let (_, rest) = rest.split_once('\n').expect("a line");
        format!(
            "{}title: 父母的死亡时间\n{rest}",
            &t[..t.find("title: ").expect("a title")]
        )
    });
    served.rebuild(&[other], "a title a text holds");
    assert!(related(&served).contains("stamp/GZ-004/"));
    // A mention by id added to a text, then removed.
    served.edit(kin, |t| t.replacen("summary: ", "summary: 另见GZ-005。", 1));
    served.rebuild(&[kin], "a mention by id added");
    assert!(related(&served).contains("stamp/GZ-005/"));
    // Another id of the same length: the text's length alone says nothing.
    served.edit(kin, |t| t.replacen("另见GZ-005。", "另见GZ-006。", 1));
    served.rebuild(&[kin], "a mention by id changed, same length");
    assert!(!related(&served).contains("stamp/GZ-005/"));
    served.edit(kin, |t| t.replacen("另见GZ-006。", "另见GZ-005。", 1));
    served.rebuild(&[kin], "the mention by id back");
    assert!(related(&served).contains("stamp/GZ-005/"));
    served.edit(kin, |t| t.replacen("summary: 另见GZ-005。", "summary: ", 1));
    served.rebuild(&[kin], "a mention by id removed");
    assert!(!related(&served).contains("stamp/GZ-005/"));
}

/// The draft's pending changes are kept across rebuilds by the raw change
/// and everything else their entry prints: a change that comes back to what
/// the edition has (reverted) leaves the lists, and one made again returns.
#[test]
fn pending_changes_follow_their_changes_when_reverted() {
    let mut served = Served::start();
    let item = "content/lists/stamp/items/GZ-002.yaml";
    let original = served.site.read(item);
    served.edit(item, |t| t.replacen("summary: ", "summary: 待定。", 1));
    served.rebuild(&[item], "a pending change");
    assert!(page(&served, "draft/index.html").contains("待定。"));
    served.site.write(item, &original);
    served.rebuild(&[item], "the change reverted");
    assert!(!page(&served, "draft/index.html").contains("待定。"));
    served.edit(item, |t| t.replacen("summary: ", "summary: 待定。", 1));
    served.rebuild(&[item], "the change made again");
    assert!(page(&served, "draft/stamp/index.html").contains("待定。"));
    // A reason given in the working copy's item changes only that entry.
    served.edit(item, |t| {
        t.replacen("summary: 待定。", "summary: 再定。", 1)
    });
    served.rebuild(&[item], "the change changed");
}

/// The templates are compiled once and kept while the theme's templates
/// are the same; the pieces of pages kept across rebuilds hold only while
/// `macros.html` and `base.html` are the built-in ones. A site's own
/// template, added, changed and removed, must give a clean build's output.
#[test]
fn kept_templates_follow_the_sites_theme() {
    let mut served = Served::start();
    let macros = "themes/default/templates/macros.html";
    let built_in = minglu::render::theme::DEFAULT_TEMPLATES
        .iter()
        .find(|(name, _)| *name == "macros.html")
        .expect("built-in macros")
        .1;
    let own = built_in.replace("<ul class=\"items\">", "<ul class=\"items own\">");
    assert_ne!(own, built_in);
    served.site.write(macros, &own);
    served.rebuild(&[macros], "a site's macros.html");
    assert!(page(&served, "draft/stamp/index.html").contains("items own"));
    served
        .site
        .write(macros, own.replace("items own", "items mine"));
    served.rebuild(&[macros], "the site's macros.html changed");
    assert!(page(&served, "draft/stamp/index.html").contains("items mine"));
    let item = "content/lists/stamp/items/GZ-002.yaml";
    served.edit(item, |t| t.replacen("title: ", "title: 改", 1));
    served.rebuild(&[item], "an edit with the site's macros.html");
    std::fs::remove_file(served.site.root.join(macros)).expect("delete");
    served.rebuild(&[macros], "the built-in macros.html again");
    assert!(!page(&served, "draft/stamp/index.html").contains("items mine"));
    served.edit(item, |t| t.replacen("title: 改", "title: 再改", 1));
    served.rebuild(&[item], "an edit with the built-in macros.html");
}

/// The load takes unchanged working-copy items from the last load, and the
/// checks reuse what they found in them: after every kind of edit, the
/// diagnostics (warnings and errors, on edited and unchanged items alike)
/// are a full check's and the output a clean build's, byte for byte.
#[test]
fn kept_items_and_their_findings_follow_every_edit() {
    let mut served = Served::start();
    // Stamped files only are taken from the last load (see above).
    std::thread::sleep(std::time::Duration::from_millis(2500));
    served.rebuild(&[], "stamped");
    // A finding in an item the next edits leave alone: a dangling mention.
    let mentions = "content/lists/stamp/items/GZ-002.yaml";
    served.edit(mentions, |t| {
        t.replacen("summary: ", "summary: 另见GZ-951。", 1)
    });
    served.rebuild(&[mentions], "a dangling mention");
    std::thread::sleep(std::time::Duration::from_millis(2500));
    served.rebuild(&[], "the mention stamped");
    // An edit elsewhere: GZ-002 is taken unchanged, its warning kept.
    let item = "content/lists/stamp/items/GZ-001.yaml";
    served.edit(item, |t| t.replacen("title: ", "title: 改", 1));
    assert!(!served.rebuild(&[item], "a title edit"));
    let (_, read) = served.caches.content.last_load();
    assert_eq!(read, 1, "only the edited item is read again");
    // An error, then its fix.
    served.edit(item, |t| {
        t.replacen("category: 住所居住", "category: 住所", 1)
    });
    assert_eq!(served.attempt(&[item], "an unknown category"), None);
    served.edit(item, |t| {
        t.replacen("category: 住所\n", "category: 住所居住\n", 1)
    });
    served.rebuild(&[item], "the category fixed");
    // What unchanged items' findings depend on besides themselves: the
    // department ids, the list's categories, the ids items have.
    let departments = "content/departments.yaml";
    served.edit(departments, |t| t.replacen("\ncivil:", "\ncivl:", 1));
    assert_eq!(served.attempt(&[departments], "a department renamed"), None);
    served.edit(departments, |t| t.replacen("\ncivl:", "\ncivil:", 1));
    served.rebuild(&[departments], "the department back");
    let list = "content/lists/stamp/list.yaml";
    served.edit(list, |t| t.replacen("  - 其他\n", "  - 其它\n", 1));
    assert_eq!(served.attempt(&[list], "a category renamed"), None);
    served.edit(list, |t| t.replacen("  - 其它\n", "  - 其他\n", 1));
    served.rebuild(&[list], "the category back");
    // The mentioned id created: GZ-002's warning goes; renamed: it comes
    // back; deleted.
    let created = "content/lists/stamp/items/GZ-951.yaml";
    served.site.write(created, served.site.read(item));
    assert!(served.rebuild(&[created], "an item created"));
    let renamed = "content/lists/stamp/items/GZ-952.yaml";
    served.rename_then_delete(created, renamed);
    // A frozen edition edited: refused (its seal no longer holds) until
    // put back, edits in the working copy meanwhile.
    let frozen = "content/lists/stamp/editions/2015/items/GZ-001.yaml";
    let sealed = served.site.read(frozen);
    served.edit(frozen, |t| t.replacen("title: ", "title: 改", 1));
    assert_eq!(served.attempt(&[frozen], "a frozen item edited"), None);
    served.edit(item, |t| t.replacen("title: ", "title: 又改", 1));
    assert_eq!(served.attempt(&[item], "an edit while refused"), None);
    served.site.write(frozen, sealed);
    served.rebuild(&[frozen], "the frozen item put back");
    // The same edit twice in a row, then undone.
    served.edit(mentions, |t| t.replacen("另见GZ-951。", "", 1));
    served.rebuild(&[mentions], "the mention removed");
    served.rebuild(&[mentions], "nothing more");
}

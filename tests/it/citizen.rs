//! What a citizen reads on the bundled example (issue 9): contacts next to
//! each way instead, old pages that say what holds now, withdrawn pages that
//! say where to go.

use std::path::Path;
use std::sync::OnceLock;

use crate::support::{SiteTest, copy_dir};

/// The bundled example, built once for this module.
fn example() -> &'static SiteTest {
    static SITE: OnceLock<SiteTest> = OnceLock::new();
    SITE.get_or_init(|| {
        let site = SiteTest::empty("citizen");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
            &site.root.join("content"),
        );
        site.run(&["build", "--quiet"]).success();
        site
    })
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not found"));
    let to = html[from..]
        .find(end)
        .unwrap_or_else(|| panic!("{end} not found after {start}"))
        + from;
    &html[from..to]
}

#[test]
fn issue_9_ways_instead_show_how_to_reach_the_department() {
    let html = example().read("public/stamp/GZ-002/index.html");
    let ways = between(&html, "<ol class=\"ways\">", "</ol>");
    assert!(ways.contains("href=\"tel:12333\""), "{ways}");
    assert!(ways.contains("办公时间"), "{ways}");
    assert!(ways.contains("办理地点"), "{ways}");
    // Contacts come from the site's departments.yaml although the edition in
    // force has its own (older) departments.yaml without hours.
    let frozen_departments = example().read("content/lists/stamp/editions/2020/departments.yaml");
    assert!(!frozen_departments.contains("hours:"));
}

#[test]
fn issue_9_department_pages_and_index_have_contacts_sorted_by_pinyin() {
    let police = example().read("public/departments/police/index.html");
    assert!(police.contains("href=\"tel:12345\""));
    assert!(police.contains("户籍所在地派出所"));
    let index = example().read("public/departments/index.html");
    let list = between(&index, "<ul class=\"items\">", "</ul>");
    let names: Vec<&str> = list
        .split("<span class=\"title\">")
        .skip(1)
        .map(|s| &s[..s.find('<').expect("end of name")])
        .collect();
    let position = |n: &str| {
        names
            .iter()
            .position(|x| x.contains(n))
            .unwrap_or_else(|| panic!("{n} in {names:?}"))
    };
    // 残联 (can) < 法院 (fa) < 公安局 (gong) < 人武部 (ren); by id it would be army first.
    assert!(position("残疾人联合会") < position("人民法院"), "{names:?}");
    assert!(position("人民法院") < position("公安局"), "{names:?}");
    assert!(position("公安局") < position("人民武装部"), "{names:?}");
}

#[test]
fn issue_9_frozen_pages_say_what_holds_now_first() {
    let html = example().read("public/stamp/editions/2015/GZ-002/index.html");
    assert!(
        html.contains("<title>【2015年版·历史版本】健在证明"),
        "title marks it"
    );
    assert!(
        html.contains("<link rel=\"canonical\" href=\"https://example.org/minglu/stamp/GZ-002/\">")
    );
    let now = html
        .find("现行2020年版：社区不予出具")
        .expect("what holds now");
    let own = html
        .find("2015年版时：</span>社区可出具")
        .expect("own verdict");
    assert!(now < own, "the current rule comes before the old verdict");
    assert!(html[now..own].contains("href=\"../../../../stamp/GZ-002/\">→ 查看现行规定"));
}

#[test]
fn issue_9_withdrawn_pages_say_whether_and_where() {
    let merged = example().read("public/stamp/GZ-009/index.html");
    assert!(
        merged.contains("现行2020年版：已并入</strong><a class=\"now-link\" href=\"../../stamp/GZ-027/\">GZ-027 居民财产证明</a>（社区不予出具）"),
        "{merged}"
    );
    let gone = example().read("public/stamp/GZ-008/index.html");
    assert!(gone.contains("社区不再出具此证明"));
    assert!(gone.contains("退出前：社区可出具"));
    let ask = between(&gone, "办理相关事务可咨询", "</ul></li></ul>");
    assert!(
        ask.contains("苏州市公安局") && ask.contains("tel:12345"),
        "{ask}"
    );
}

#[test]
fn issue_9_mentions_of_other_items_are_links() {
    let gz012 = example().read("public/stamp/GZ-012/index.html");
    assert!(gz012.contains(
        "（见“<a class=\"xref\" href=\"../../stamp/GZ-001/\">居民在本社区居住情况证明</a>”）"
    ));
    let gz008 = example().read("public/stamp/GZ-008/index.html");
    assert!(gz008.contains("可由<a class=\"xref\" href=\"../../stamp/GZ-001/\">GZ-001</a>证明"));
    // Never a link to the page itself.
    let gz001 = example().read("public/stamp/GZ-001/index.html");
    assert!(!gz001.contains("class=\"xref\" href=\"../../stamp/GZ-001/\""));
}

#[test]
fn issue_9_the_school_enrolment_purpose_reaches_the_residence_certificate() {
    let ruxue = example().read("public/purposes/ruxue/index.html");
    let related = between(&ruxue, "id=\"related-heading\"", "</section>");
    assert!(
        related.contains("href=\"../../stamp/GZ-001/\""),
        "{related}"
    );
}

#[test]
fn issue_9_every_refused_item_has_a_refusal_notice_and_no_other_item_does() {
    let site = example();
    let items = std::fs::read_dir(site.root.join("content/lists/stamp/editions/2020/items"))
        .expect("items");
    let mut refused = 0;
    for entry in items {
        let path = entry.expect("entry").path();
        let id = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let yaml = std::fs::read_to_string(&path).expect("item");
        let notice = site
            .root
            .join(format!("public/stamp/{id}/notice/index.html"));
        let page = site.read(&format!("public/stamp/{id}/index.html"));
        if yaml.contains("verdict: refuse") {
            refused += 1;
            assert!(notice.is_file(), "{id} has a notice");
            assert!(
                page.contains(&format!("href=\"../../stamp/{id}/notice/\"")),
                "{id} links it"
            );
        } else {
            assert!(!notice.exists(), "{id} is issued: no notice");
            assert!(!page.contains("/notice/"), "{id}");
        }
    }
    assert!(refused >= 20, "{refused}");
}

#[test]
fn issue_9_the_notice_cites_the_register_and_carries_contacts_and_a_qr_code() {
    let html = example().read("public/stamp/GZ-013/notice/index.html");
    assert!(html.contains(
        "本社区依据《苏州市规范社区盖章事项名录（2020年版）》（苏民示〔2020〕5号）第GZ-013项不予出具。"
    ), "{html}");
    assert!(!html.contains("<nav"), "no navigation");
    assert!(!html.contains("site-header") && !html.contains("site-footer"));
    let ways = between(&html, "<ol class=\"notice-ways\">", "</ol>");
    assert!(
        ways.contains("户籍所在地派出所户籍窗口") && ways.contains("tel:12345"),
        "{ways}"
    );
    assert!(html.contains("<time datetime=\"2020-05-01\">2020-05-01</time>"));
    let qr = between(&html, "<svg role=\"img\"", "</svg>");
    assert!(qr.contains("class=\"qr-code\"") && qr.contains("<path fill=\"#000\" d=\"M"));
    assert!(html.contains("https://example.org/minglu/stamp/GZ-013/"));
}

#[test]
fn issue_9_the_generator_credit_is_small_and_can_be_turned_off() {
    let site = SiteTest::fixture("base");
    site.run(&["build", "--quiet"]).success();
    let with = site.read("public/index.html");
    assert!(with.contains("<p class=\"credit\">技术支持：minglu</p>"));
    assert!(with.contains("订阅本站更新"));
    let config = site.read("content/site.yaml");
    site.write(
        "content/site.yaml",
        format!("{config}generator_credit: false\n"),
    );
    site.run(&["build", "--quiet"]).success();
    assert!(!site.read("public/index.html").contains("技术支持"));
}

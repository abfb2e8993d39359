//! `minglu init`: a new, minimal site that checks and builds at once.

use std::fs;
use std::path::Path;

use crate::error::{Error, Result};

/// The files of a new site, relative to its root.
const FILES: &[(&str, &str)] = &[
    (
        ".gitignore",
        "# Written by `minglu build` and `check`: the site, its staging folders, its caches.\n/public/\n/.public.*\n",
    ),
    (
        "content/site.yaml",
        "title: 社区事项名录\nbase_url: https://example.org/\npublisher: 某某市民政局\njurisdiction: 某某市\nlanguage: zh-CN\ndescription: 本市规范社区盖章事项的公开名录。\nnotice: 本站为新建站点的示例内容，非官方发布。\n",
    ),
    (
        "content/departments.yaml",
        "civil:\n  name: 某某市民政局\n  short_name: 民政局\npolice:\n  name: 某某市公安局\n  short_name: 公安局\n",
    ),
    (
        "content/lists/stamp/list.yaml",
        "title: 规范社区盖章事项名录\nshort_title: 盖章事项\nkind: stamp\nid_prefix: GZ\nintro: 社区只对本名录列明的事项出具证明。\ncategories:\n  - 住所居住\n  - 亲属婚育\n",
    ),
    (
        "content/lists/stamp/items/GZ-001.yaml",
        "title: 居民在本社区居住情况证明\naliases: [居住证明]\ncategory: 住所居住\ndepartments: [civil]\npurposes: [居住证办理]\nverdict: issue\nmaterials: [居民身份证]\nprocedure: [提出申请, 社区核实, 出具证明]\ntime_limit: 3个工作日\nfee: 免费\n",
    ),
    (
        "content/lists/stamp/items/GZ-002.yaml",
        "title: 亲属关系证明\ncategory: 亲属婚育\ndepartments: [police]\npurposes: [继承, 公证]\nverdict: refuse\ninstead:\n  - method: own_document\n    how: 同一户口簿上的亲属关系，以户口簿为准。\n  - method: other_agency\n    department: police\n    how: 其他情形到户籍所在地公安派出所申请。\n",
    ),
    (
        "content/pages/about.md",
        "---\ntitle: 关于本站\nweight: 1\n---\n\n本站公开本市的社区事项名录。编辑 `content/` 中的文件，然后运行 `minglu check` 和 `minglu build`。\n",
    ),
];

/// Writes a new site into `dir`, which must not exist or be empty.
pub fn init(dir: &Path) -> Result<Vec<String>> {
    if dir.exists() {
        let mut entries = fs::read_dir(dir).map_err(Error::read(dir))?;
        if entries.next().is_some() {
            return Err(Error::NotEmpty {
                path: dir.to_path_buf(),
            });
        }
    }
    let mut written = Vec::new();
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(Error::write(parent))?;
        }
        fs::write(&path, text).map_err(Error::write(&path))?;
        written.push((*rel).to_owned());
    }
    Ok(written)
}

//! SEARCH (query): scoring, the same algorithm as `assets/search.js`.
//!
//! For each query token with weight `w` found in the index, every item in its
//! postings gains `w × idf × impact` (idf as in BM25, from the exact document
//! frequency). The sum is multiplied by `0.5 + coverage`, where coverage is the
//! share of the query's token weight the item matched, so an item that matches
//! all of the query beats one that matches a common part of it many times. An
//! item whose whole title, alias, pinyin or id equals the query (with or without
//! its filler) gets [`EXACT_BONUS`] and comes first. Status (in force, upcoming,
//! withdrawn) is already in the impacts. Ties go to the lower ordinal.

use std::collections::BTreeMap;

use super::Index;
use super::tokenize::analyze;

/// Added to an item that the whole query names exactly.
pub const EXACT_BONUS: f64 = 10_000.0;

/// One ranked item.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Its ordinal in the index.
    pub ord: u32,
    /// Its score.
    pub score: f64,
}

/// BM25's inverse document frequency.
pub fn idf(n: f64, df: f64) -> f64 {
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// Ranks the index's items for `query`, best first; items matching nothing are left out.
pub fn rank(index: &Index, query: &str) -> Vec<Hit> {
    let q = analyze(query);
    #[expect(clippy::cast_precision_loss, reason = "item counts are small")]
    let n = index.docs.len() as f64;
    let total: f64 = q.tokens.iter().map(|t| t.weight).sum();
    let mut acc: BTreeMap<u32, (f64, f64, bool)> = BTreeMap::new();
    for t in &q.tokens {
        let Some(p) = index.postings(&t.text) else {
            continue;
        };
        let idf = idf(n, f64::from(p.df));
        for &(ord, impact) in p.list {
            let e = acc.entry(ord).or_default();
            e.0 += t.weight * idf * f64::from(impact);
            e.1 += t.weight;
        }
    }
    for key in &q.exact {
        for &(ord, _) in index.postings(key).map_or(&[][..], |p| p.list) {
            acc.entry(ord).or_default().2 = true;
        }
    }
    let mut hits: Vec<Hit> = acc
        .into_iter()
        .map(|(ord, (score, matched, exact))| {
            let coverage = if total > 0.0 { matched / total } else { 0.0 };
            let bonus = if exact { EXACT_BONUS } else { 0.0 };
            Hit {
                ord,
                score: score * (0.5 + coverage) + bonus,
            }
        })
        .collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.ord.cmp(&b.ord)));
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::index::tests::doc;

    fn ids(index: &Index, q: &str) -> Vec<String> {
        rank(index, q)
            .iter()
            .map(|h| index.docs[h.ord as usize].id.clone())
            .collect()
    }

    #[test]
    fn the_named_certificate_comes_first() {
        let index = Index::build(vec![
            doc("GZ-001", "居民在本社区居住情况证明", &["居住证明"]),
            doc(
                "GZ-012",
                "子女入学房产及居住情况证明",
                &["入学证明", "学区房证明"],
            ),
            doc("GZ-013", "亲属关系证明", &[]),
        ]);
        assert_eq!(ids(&index, "开个居住证明")[0], "GZ-001");
        assert_eq!(ids(&index, "上学用的房子证明")[0], "GZ-012");
        assert_eq!(ids(&index, "zinv ruxue")[0], "GZ-012");
        assert_eq!(ids(&index, "jzzm")[0], "GZ-001");
        assert_eq!(ids(&index, "gz 13"), ["GZ-013"]);
        assert!(ids(&index, "护照").is_empty());
    }

    #[test]
    fn withdrawn_items_sink() {
        let mut old = doc("GZ-002", "居住证明", &[]);
        old.status = crate::search::DocStatus::Withdrawn;
        let index = Index::build(vec![old, doc("GZ-003", "居住情况证明", &[])]);
        assert_eq!(ids(&index, "居住情况"), ["GZ-003", "GZ-002"]);
    }
}

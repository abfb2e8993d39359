//! SEARCH (index): pinyin keys for titles and aliases, so `juzhu`, `zinv ruxue`
//! and `jzzm` find 居住证明 and 子女入学… on a phone keyboard without Chinese input.
//!
//! Only the index side needs pinyin: the client passes ASCII words through as they
//! are typed. Each pair of neighbouring characters gives the two syllables joined
//! (`居住` → `juzhu`), and the whole title or alias gives exact keys, full
//! (`=juzhuzhengming`) and initials (`=jzzm`). The `pinyin` crate knows characters,
//! not words, so [`OVERRIDES`] fixes polyphonic characters in the phrases where
//! the registers' words need another reading (银行 is yin-hang, not yin-xing).

use pinyin::ToPinyin as _;

use super::tokenize::{is_han, normalize};

/// Phrases whose reading differs from each character's most common one, as the
/// phrase and its syllables.
pub const OVERRIDES: &[(&str, &[&str])] = &[
    ("重庆", &["chong", "qing"]),
    ("重新", &["chong", "xin"]),
    ("重复", &["chong", "fu"]),
    ("重婚", &["chong", "hun"]),
    ("重名", &["chong", "ming"]),
    ("重建", &["chong", "jian"]),
    ("长期", &["chang", "qi"]),
    ("延长", &["yan", "chang"]),
    ("长途", &["chang", "tu"]),
    ("特长", &["te", "chang"]),
    ("银行", &["yin", "hang"]),
    ("行业", &["hang", "ye"]),
    ("同行", &["tong", "hang"]),
    ("还款", &["huan", "kuan"]),
    ("还贷", &["huan", "dai"]),
    ("归还", &["gui", "huan"]),
    ("偿还", &["chang", "huan"]),
    ("首都", &["shou", "du"]),
    ("成都", &["cheng", "du"]),
    ("出差", &["chu", "chai"]),
    ("音乐", &["yin", "yue"]),
    ("调查", &["diao", "cha"]),
    ("调动", &["diao", "dong"]),
    ("调档", &["diao", "dang"]),
    ("调取", &["diao", "qu"]),
    ("会计", &["kuai", "ji"]),
    ("便宜", &["pian", "yi"]),
    ("传记", &["zhuan", "ji"]),
    ("单于", &["chan", "yu"]),
    ("省长", &["sheng", "zhang"]),
    ("血液", &["xue", "ye"]),
    ("献血", &["xian", "xue"]),
];

/// One syllable per character of `normalized` (`None` for characters without one),
/// with [`OVERRIDES`] applied.
pub fn syllables(normalized: &str) -> Vec<Option<String>> {
    let chars: Vec<char> = normalized.chars().collect();
    let mut out: Vec<Option<String>> = normalized
        .to_pinyin()
        .zip(&chars)
        .map(|(p, c)| {
            p.filter(|_| is_han(*c)).map(|p| {
                let plain = p.plain();
                if plain.contains('ü') {
                    plain.replace('ü', "v")
                } else {
                    plain.to_owned()
                }
            })
        })
        .collect();
    for (phrase, readings) in OVERRIDES {
        if !normalized.contains(phrase) {
            continue;
        }
        let phrase: Vec<char> = phrase.chars().collect();
        for start in 0..chars.len().saturating_sub(phrase.len() - 1) {
            if chars[start..start + phrase.len()] == phrase[..] {
                for (k, r) in readings.iter().enumerate() {
                    out[start + k] = Some((*r).to_owned());
                }
            }
        }
    }
    out
}

/// The pinyin of one title or alias, from one pass over its syllables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Spelling {
    /// Each neighbouring pair's syllables joined (`juzhu`, `zhuzheng` …).
    pub pairs: Vec<String>,
    /// `=` + every syllable joined, and `=` + initials; none for fewer than
    /// two syllables.
    pub exact: Option<[String; 2]>,
}

/// The [`Spelling`] of already normalised text.
pub fn spell(normalized: &str) -> Spelling {
    let syl = syllables(normalized);
    let pairs = syl
        .windows(2)
        .filter_map(|w| match w {
            [Some(a), Some(b)] => Some(format!("{a}{b}")),
            _ => None,
        })
        .collect();
    let known: Vec<&str> = syl.iter().flatten().map(String::as_str).collect();
    let exact = (known.len() >= 2).then(|| {
        let initials: String = known.iter().filter_map(|s| s.chars().next()).collect();
        [format!("={}", known.concat()), format!("={initials}")]
    });
    Spelling { pairs, exact }
}

/// Pinyin tokens of a title or alias: each neighbouring pair's syllables joined.
pub fn pair_tokens(text: &str) -> Vec<String> {
    spell(&normalize(text)).pairs
}

/// Exact keys of a title or alias: `=` + every syllable joined, and `=` + initials.
pub fn exact_keys(text: &str) -> Vec<String> {
    spell(&normalize(text))
        .exact
        .map(Vec::from)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_and_keys() {
        assert_eq!(pair_tokens("居住证明"), ["juzhu", "zhuzheng", "zhengming"]);
        assert_eq!(exact_keys("居住证明"), ["=juzhuzhengming", "=jzzm"]);
        assert_eq!(pair_tokens("子女入学"), ["zinv", "nvru", "ruxue"]);
    }

    #[test]
    fn overrides_fix_polyphones() {
        assert_eq!(pair_tokens("银行流水"), ["yinhang", "hangliu", "liushui"]);
        assert_eq!(pair_tokens("重庆"), ["chongqing"]);
        assert_eq!(exact_keys("入户调查"), ["=ruhudiaocha", "=rhdc"]);
    }

    #[test]
    fn non_han_characters_have_no_syllable() {
        assert_eq!(pair_tokens("A证明"), ["zhengming"]);
        assert!(exact_keys("证").is_empty());
    }
}

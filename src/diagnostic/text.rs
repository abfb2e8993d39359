//! Bilingual text: every message a person reads exists in English and in
//! Simplified Chinese, chosen at the edge of the program by a [`Lang`].
//!
//! A [`Text`] can only be made with both languages (by [`crate::t!`] or
//! [`Text::new`]); there is deliberately no conversion from a single `String`,
//! so a message without a Chinese translation does not compile.

use serde::Serialize;

/// The language people read minglu's messages in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese (zh-CN).
    Zh,
}

impl Lang {
    /// Reads a locale name such as `zh`, `zh-CN`, `zh_CN.UTF-8` or `en_US`: any
    /// `zh…` is Chinese, any `en…` (and `C`/`POSIX`) is English, anything else `None`.
    pub fn from_locale(name: &str) -> Option<Lang> {
        let lower = name.trim().to_ascii_lowercase();
        if lower.starts_with("zh") {
            Some(Lang::Zh)
        } else if lower.starts_with("en")
            || lower == "c"
            || lower.starts_with("c.")
            || lower == "posix"
        {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// Picks one of two values by language.
    pub fn pick<T>(self, en: T, zh: T) -> T {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

/// One message in both languages.
///
/// The texts are boxed `str`s (not `String`s) to keep a [`super::Diagnostic`],
/// which holds several, small enough to return by value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text {
    /// The English text.
    pub en: Box<str>,
    /// The Simplified Chinese text.
    pub zh: Box<str>,
}

impl Text {
    /// A text from its two translations.
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Text {
            en: en.into().into_boxed_str(),
            zh: zh.into().into_boxed_str(),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }

    /// Whether either translation contains `needle` (for tests and lookups
    /// that must not depend on the language).
    pub fn contains(&self, needle: &str) -> bool {
        self.en.contains(needle) || self.zh.contains(needle)
    }
}

/// A pair of static strings, for the nouns that messages are built from
/// ("an item" / "事项文件").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Noun {
    /// English.
    pub en: &'static str,
    /// Simplified Chinese.
    pub zh: &'static str,
}

impl Noun {
    /// A noun from its two translations.
    pub const fn new(en: &'static str, zh: &'static str) -> Self {
        Noun { en, zh }
    }
}

/// Names (fields, values, codes) for a Chinese sentence: each in backticks,
/// joined by the enumeration comma: `` `a`、`b` ``.
pub fn code_list<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect::<Vec<_>>()
        .join("、")
}

/// Makes a [`Text`] from an English and a Chinese format string, each formatted
/// like `format!` (inline `{name}` captures, or shared trailing arguments):
///
/// ```
/// let key = "title";
/// let t = minglu::t!(en: "`{key}` is empty", zh: "`{key}` 的值为空");
/// assert_eq!(t.get(minglu::diagnostic::Lang::Zh), "`title` 的值为空");
/// ```
#[macro_export]
macro_rules! t {
    (en: $en:literal, zh: $zh:literal $(,)?) => {
        $crate::diagnostic::Text::new(format!($en), format!($zh))
    };
    (en: $en:literal, zh: $zh:literal, $($args:tt)+) => {
        $crate::diagnostic::Text::new(format!($en, $($args)+), format!($zh, $($args)+))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales() {
        for (name, lang) in [
            ("zh_CN.UTF-8", Some(Lang::Zh)),
            ("zh-CN", Some(Lang::Zh)),
            ("zh", Some(Lang::Zh)),
            ("en_US.UTF-8", Some(Lang::En)),
            ("C.UTF-8", Some(Lang::En)),
            ("fr_FR", None),
            ("", None),
        ] {
            assert_eq!(Lang::from_locale(name), lang, "{name}");
        }
    }

    #[test]
    fn both_translations_are_formatted() {
        let n = 3;
        let t = crate::t!(en: "{n} error(s), {}", zh: "{n} 个错误，{}", "x");
        assert_eq!(
            (t.get(Lang::En), t.get(Lang::Zh)),
            ("3 error(s), x", "3 个错误，x")
        );
    }
}

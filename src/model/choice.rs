//! Closed sets of values (`verdict: issue | refuse` …) as Rust enums.

/// A field whose value is one of a fixed set of names.
pub trait Choice: Sized + Copy + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The YAML names of [`Choice::ALL`], in the same order (for JSON Schema enums).
    const NAMES: &'static [&'static str];
    /// The name written in YAML.
    fn name(self) -> &'static str;
    /// Parses the YAML name.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.name() == name)
    }
    /// The accepted names, for error messages.
    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|v| v.name()).collect()
    }
}

/// Declares a [`Choice`] enum with its YAML names; it serialises as the name.
macro_rules! choice {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vmeta])* #[doc = concat!("Written `", $text, "` in YAML.")] $variant),+
        }

        impl $crate::model::Choice for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            const NAMES: &'static [&'static str] = &[$($text),+];
            fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::model::Choice::name(*self))
            }
        }
    };
}
pub(crate) use choice;

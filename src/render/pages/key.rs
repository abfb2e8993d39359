//! Byte keys of page views for the render memos ([`super::frozen`]): a
//! view's serde data written out compactly, without JSON's formatting and
//! escaping (render stage).
//!
//! Every value starts with a tag saying what it is; strings carry their
//! length; sequences, maps and structs mark each element and their end. So
//! the bytes are a prefix code of the serde data: two views have the same
//! key exactly when they serialize to the same data, which is all a template
//! sees of them (it reads the view through the same `Serialize`).

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Serializer as _};

/// Appends the key of `value` to `out`; `false` if `value` fails to
/// serialize (the caller then renders without its memo).
pub(super) fn append<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> bool {
    value.serialize(Writer(out)).is_ok()
}

/// The tags that start each kind of value.
mod tag {
    pub(super) const BOOL: u8 = 1;
    pub(super) const SIGNED: u8 = 2;
    pub(super) const UNSIGNED: u8 = 3;
    pub(super) const F32: u8 = 4;
    pub(super) const F64: u8 = 5;
    pub(super) const CHAR: u8 = 6;
    pub(super) const STR: u8 = 7;
    pub(super) const BYTES: u8 = 8;
    pub(super) const NONE: u8 = 9;
    pub(super) const SOME: u8 = 10;
    pub(super) const UNIT: u8 = 11;
    pub(super) const UNIT_STRUCT: u8 = 12;
    pub(super) const UNIT_VARIANT: u8 = 13;
    pub(super) const NEWTYPE: u8 = 14;
    pub(super) const NEWTYPE_VARIANT: u8 = 15;
    pub(super) const SEQ: u8 = 16;
    pub(super) const TUPLE: u8 = 17;
    pub(super) const TUPLE_STRUCT: u8 = 18;
    pub(super) const TUPLE_VARIANT: u8 = 19;
    pub(super) const MAP: u8 = 20;
    pub(super) const STRUCT: u8 = 21;
    pub(super) const STRUCT_VARIANT: u8 = 22;
}

/// Before each element of a sequence, map or struct.
const ELEMENT: u8 = 1;
/// After the last.
const END: u8 = 0;

/// Why a value has no key (its `Serialize` failed).
#[derive(Debug)]
pub(super) struct Failed(String);

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failed {}

impl ser::Error for Failed {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Failed(msg.to_string())
    }
}

/// Writes keys into the buffer it holds.
struct Writer<'o>(&'o mut Vec<u8>);

impl Writer<'_> {
    fn text(&mut self, tag: u8, text: &[u8]) {
        self.0.push(tag);
        // The length in seven-bit groups, low first, each but the last with
        // its high bit set: one byte for most texts.
        let mut len = text.len();
        while len >= 0x80 {
            self.0
                .push(u8::try_from(len & 0x7f).unwrap_or_default() | 0x80);
            len >>= 7;
        }
        self.0.push(u8::try_from(len).unwrap_or_default());
        self.0.extend_from_slice(text);
    }

    /// A variant: its tag, index and name.
    fn variant(&mut self, tag: u8, index: u32, name: &str) {
        self.0.push(tag);
        self.0.extend_from_slice(&index.to_le_bytes());
        self.text(tag::STR, name.as_bytes());
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failed> {
        self.0.push(ELEMENT);
        value.serialize(Writer(self.0))
    }
}

impl ser::Serializer for Writer<'_> {
    type Ok = ();
    type Error = Failed;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result<(), Failed> {
        self.0.extend_from_slice(&[tag::BOOL, u8::from(v)]);
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Failed> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Failed> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Failed> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Failed> {
        self.0.push(tag::SIGNED);
        self.0.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Failed> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Failed> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Failed> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Failed> {
        self.0.push(tag::UNSIGNED);
        self.0.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Failed> {
        self.0.push(tag::F32);
        self.0.extend_from_slice(&v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Failed> {
        self.0.push(tag::F64);
        self.0.extend_from_slice(&v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Failed> {
        self.0.push(tag::CHAR);
        self.0.extend_from_slice(&u32::from(v).to_le_bytes());
        Ok(())
    }
    fn serialize_str(mut self, v: &str) -> Result<(), Failed> {
        self.text(tag::STR, v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(mut self, v: &[u8]) -> Result<(), Failed> {
        self.text(tag::BYTES, v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Failed> {
        self.0.push(tag::NONE);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Failed> {
        self.0.push(tag::SOME);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Failed> {
        self.0.push(tag::UNIT);
        Ok(())
    }
    fn serialize_unit_struct(mut self, name: &'static str) -> Result<(), Failed> {
        self.text(tag::UNIT_STRUCT, name.as_bytes());
        Ok(())
    }
    fn serialize_unit_variant(
        mut self,
        _: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<(), Failed> {
        self.variant(tag::UNIT_VARIANT, index, variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Failed> {
        self.0.push(tag::NEWTYPE);
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Failed> {
        self.variant(tag::NEWTYPE_VARIANT, index, variant);
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Failed> {
        self.0.push(tag::SEQ);
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Failed> {
        self.0.push(tag::TUPLE);
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Failed> {
        self.0.push(tag::TUPLE_STRUCT);
        Ok(self)
    }
    fn serialize_tuple_variant(
        mut self,
        _: &'static str,
        index: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Failed> {
        self.variant(tag::TUPLE_VARIANT, index, variant);
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Failed> {
        self.0.push(tag::MAP);
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Failed> {
        self.0.push(tag::STRUCT);
        Ok(self)
    }
    fn serialize_struct_variant(
        mut self,
        _: &'static str,
        index: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Failed> {
        self.variant(tag::STRUCT_VARIANT, index, variant);
        Ok(self)
    }
}

/// The compound serializers whose elements are written one by one, each
/// marked, and closed with [`END`]: sequences and the three kinds of tuple.
macro_rules! elements {
    ($($trait:ident::$method:ident),*) => {$(
        impl ser::$trait for Writer<'_> {
            type Ok = ();
            type Error = Failed;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failed> {
                self.element(value)
            }
            fn end(self) -> Result<(), Failed> {
                self.0.push(END);
                Ok(())
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Writer<'_> {
    type Ok = ();
    type Error = Failed;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Failed> {
        self.element(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failed> {
        value.serialize(Writer(self.0))
    }
    fn end(self) -> Result<(), Failed> {
        self.0.push(END);
        Ok(())
    }
}

impl ser::SerializeStruct for Writer<'_> {
    type Ok = ();
    type Error = Failed;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Failed> {
        self.0.push(ELEMENT);
        Writer(self.0).serialize_str(name)?;
        value.serialize(Writer(self.0))
    }
    fn end(self) -> Result<(), Failed> {
        self.0.push(END);
        Ok(())
    }
}

impl ser::SerializeStructVariant for Writer<'_> {
    type Ok = ();
    type Error = Failed;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Failed> {
        ser::SerializeStruct::serialize_field(self, name, value)
    }
    fn end(self) -> Result<(), Failed> {
        self.0.push(END);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::append;

    fn key<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
        let mut out = Vec::new();
        assert!(append(value, &mut out));
        out
    }

    #[test]
    fn different_data_makes_different_keys() {
        // Strings that would run together without their lengths.
        assert_ne!(key(&("ab", "c")), key(&("a", "bc")));
        let long = "长".repeat(300);
        assert_ne!(key(&(long.as_str(), "c")), key(&(&long[3..], "长c")));
        // Optional values and sequences that would nest alike.
        assert_ne!(key(&Some(vec![1u8])), key(&vec![Some(1u8)]));
        assert_ne!(key(&None::<u8>), key(&Some(())));
        assert_ne!(key(&vec![vec![1u8], vec![]]), key(&vec![vec![], vec![1u8]]));
        assert_ne!(key(&1i64), key(&1u64));
        let one: BTreeMap<&str, &str> = [("a", "b")].into_iter().collect();
        let two: BTreeMap<&str, &str> = [("a", "b"), ("", "")].into_iter().collect();
        assert_ne!(key(&one), key(&two));
    }

    #[test]
    fn struct_fields_count_by_name() {
        #[derive(Serialize)]
        struct View<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            a: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            b: Option<&'a str>,
        }
        let (a, b) = (
            View {
                a: Some("x"),
                b: None,
            },
            View {
                a: None,
                b: Some("x"),
            },
        );
        assert_ne!(key(&a), key(&b));
        assert_eq!(
            key(&a),
            key(&View {
                a: Some("x"),
                b: None
            })
        );
    }
}

//! CBOR (hayagriva's archive of styles and locales) decoded without error messages.
//!
//! citationberg's types deserialize through serde's buffered (flattened) forms, which
//! try one variant after another and discard an error for each miss. With ciborium's
//! error type every such error formats a message (`unknown variant …, expected one of
//! …`): decoding the default style spent nearly all its time writing them. Here the CBOR
//! is read into a value tree first, and the types are deserialized from it with an
//! error that keeps no message: whether decoding failed is all the caller learns.

use std::fmt;

use ciborium::Value;
use serde::de::value::{MapAccessDeserializer, MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

/// `bytes` decoded as a `T`, or `None` when they are not CBOR of that shape.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let value: Value = ciborium::de::from_reader(bytes).ok()?;
    T::deserialize(Tree(&value)).ok()
}

/// A failed decoding, without the words.
#[derive(Debug)]
struct Failed;

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("not the CBOR expected")
    }
}

impl std::error::Error for Failed {}

impl de::Error for Failed {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Failed
    }
}

/// A node of the value tree, as a serde deserializer that hands out what ciborium's own
/// deserializer would for the same bytes.
#[derive(Clone, Copy)]
struct Tree<'a>(&'a Value);

impl<'de> IntoDeserializer<'de, Failed> for Tree<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> de::Deserializer<'de> for Tree<'de> {
    type Error = Failed;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failed> {
        match self.0 {
            Value::Integer(i) => {
                let i = i128::from(*i);
                match (u64::try_from(i), i64::try_from(i)) {
                    (Ok(u), _) => visitor.visit_u64(u),
                    (_, Ok(s)) => visitor.visit_i64(s),
                    _ => visitor.visit_i128(i),
                }
            }
            Value::Bytes(b) => visitor.visit_borrowed_bytes(b),
            Value::Float(f) => visitor.visit_f64(*f),
            Value::Text(s) => visitor.visit_borrowed_str(s),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Null => visitor.visit_none(),
            Value::Tag(_, inner) => Tree(inner).deserialize_any(visitor),
            Value::Array(items) => visitor.visit_seq(SeqDeserializer::new(items.iter().map(Tree))),
            Value::Map(entries) => {
                visitor.visit_map(MapDeserializer::new(entries.iter().map(|(k, v)| (Tree(k), Tree(v)))))
            }
            _ => Err(Failed),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failed> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failed> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Failed> {
        visitor.visit_newtype_struct(self)
    }

    // An enum is its variant's name alone (a unit variant) or a map of the name to the
    // variant's content.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Failed> {
        match self.0 {
            Value::Text(name) => visitor.visit_enum(name.as_str().into_deserializer()),
            Value::Map(entries) if entries.len() == 1 => visitor.visit_enum(MapAccessDeserializer::new(
                MapDeserializer::new(entries.iter().map(|(k, v)| (Tree(k), Tree(v)))),
            )),
            Value::Tag(_, inner) => Tree(inner).deserialize_enum("", &[], visitor),
            _ => Err(Failed),
        }
    }

    fn is_human_readable(&self) -> bool {
        false
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use hayagriva::archive::{ArchivedStyle, LOCALES, locales};
    use hayagriva::citationberg::{Locale, Style};

    #[test]
    fn archived_locales_decode_as_with_ciborium() {
        let decoded: Vec<Locale> = LOCALES.iter().map(|bytes| super::from_slice(bytes).expect("a locale")).collect();
        assert_eq!(decoded, locales());
    }

    #[test]
    fn archived_styles_written_as_cbor_decode_to_themselves() {
        for archived in ArchivedStyle::all() {
            let style = archived.get();
            let mut bytes = Vec::new();
            ciborium::ser::into_writer(&style, &mut bytes).unwrap();
            assert_eq!(super::from_slice::<Style>(&bytes).as_ref(), Some(&style), "{:?}", archived.names());
        }
    }

    #[test]
    fn what_is_not_the_shape_asked_for_is_none() {
        assert_eq!(super::from_slice::<Locale>(b"\x01"), None);
        assert_eq!(super::from_slice::<Locale>(b"\xff\x00"), None);
        let mut bytes = Vec::new();
        ciborium::ser::into_writer(&vec![1, 2, 3], &mut bytes).unwrap();
        assert_eq!(super::from_slice::<Vec<u8>>(&bytes), Some(vec![1, 2, 3]));
        assert_eq!(super::from_slice::<Vec<String>>(&bytes), None);
    }
}

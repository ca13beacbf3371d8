//! [`OneOrMany`]: a response field Deel sends as one object in some answers and as a list of
//! them in others.
//!
//! Deel's OpenAPI document declares such a field one way and its guides show the other (a
//! created child organization's `data` is an object in the document and a one-item list in the
//! guide). An overlay fact (`x-deel-one-or-many`) gives the field this type, which reads both
//! and hands the caller a list either way.

use std::ops::{Deref, DerefMut};

use super::decode::{Lenient, Read};

/// One or more values, read from a single JSON value or a JSON array of them; written as an
/// array. Derefs to a slice (`.len()`, `[0]`, `.iter()`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<T> OneOrMany<T> {
    /// The values, as a `Vec`.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<T> Deref for OneOrMany<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<T> DerefMut for OneOrMany<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.0
    }
}

impl<T> From<Vec<T>> for OneOrMany<T> {
    fn from(values: Vec<T>) -> Self {
        OneOrMany(values)
    }
}

impl<T> IntoIterator for OneOrMany<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a OneOrMany<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: serde::Serialize> serde::Serialize for OneOrMany<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: for<'a> Lenient<'a>> serde::Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        from_value(value).map_err(serde::de::Error::custom)
    }
}

/// Reads either shape from a buffered value: an array item by item, anything else as one item.
fn from_value<T: for<'a> Lenient<'a>>(value: serde_json::Value) -> Result<OneOrMany<T>, serde_json::Error> {
    match value {
        serde_json::Value::Array(_) => match <Vec<T> as Lenient>::read(value)? {
            Read::Value(items) => Ok(OneOrMany(items)),
            Read::Null | Read::Empty => Ok(OneOrMany(Vec::new())),
        },
        serde_json::Value::Null => Ok(OneOrMany(Vec::new())),
        one => match T::read(one)? {
            Read::Value(item) => Ok(OneOrMany(vec![item])),
            Read::Null | Read::Empty => Ok(OneOrMany(Vec::new())),
        },
    }
}

// Buffered as a `serde_json::Value` to look at its shape first: numbers inside are read from
// the value (printed again, not as sent), a cost only these few fields pay.
impl<'de, T: for<'a> Lenient<'a>> Lenient<'de> for OneOrMany<T> {
    const EXPECTED: &'static str = "object or array";
    fn read<D: serde::Deserializer<'de>>(d: D) -> Result<Read<Self>, D::Error> {
        let value = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
        if value.is_null() {
            return Ok(Read::Null);
        }
        from_value(value).map(Read::Value).map_err(serde::de::Error::custom)
    }
    fn zero() -> Option<Self> {
        Some(OneOrMany(Vec::new()))
    }
}

#[cfg(feature = "schemars")]
impl<T: schemars::JsonSchema> schemars::JsonSchema for OneOrMany<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <Vec<T> as schemars::JsonSchema>::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Vec<T> as schemars::JsonSchema>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_and_a_list_read_alike_and_write_as_a_list() {
        let one: OneOrMany<String> = serde_json::from_str(r#""a""#).unwrap_or_default();
        let many: OneOrMany<String> = serde_json::from_str(r#"["a","b"]"#).unwrap_or_default();
        assert_eq!((one.as_slice(), many.len()), (["a".to_string()].as_slice(), 2));
        assert_eq!(serde_json::to_string(&one).ok().as_deref(), Some(r#"["a"]"#));
        let none: OneOrMany<String> = serde_json::from_str("null").unwrap_or(OneOrMany(vec!["x".into()]));
        assert!(none.is_empty());
    }
}

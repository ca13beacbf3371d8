//! [`Nullable`]: a request field that can be left out, sent as `null`, or sent with a value.
//!
//! An `Option` has two states, and a request body needs three: Deel reads a key that is absent
//! as "leave it as it is" and a key that is `null` as "clear it" (an update that removes a
//! contract's end date). Fields of request bodies that Deel's document declares optional and
//! nullable have this type; every other field keeps `Option`.

use std::fmt;

/// A request field: [`Absent`](Nullable::Absent) (not sent, the default),
/// [`Null`](Nullable::Null) (sent as `null`, which clears it) or [`Value`](Nullable::Value).
///
/// ```
/// use deel_api_gen::runtime::Nullable;
///
/// let end: Nullable<&str> = "2027-01-31".into(); // sent as "2027-01-31"
/// let cleared: Nullable<&str> = Nullable::Null;   // sent as null
/// let untouched: Nullable<&str> = Nullable::default(); // not sent
/// assert!(untouched.is_absent() && cleared.is_null() && end.value() == Some(&"2027-01-31"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Nullable<T> {
    /// Not sent: Deel keeps what it has.
    #[default]
    Absent,
    /// Sent as `null`: Deel clears the field.
    Null,
    /// Sent with this value.
    Value(T),
}

impl<T> Nullable<T> {
    /// Whether the field is left out of the body.
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// Whether the field is sent as `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// The value, when there is one.
    pub fn value(&self) -> Option<&T> {
        match self {
            Nullable::Value(v) => Some(v),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// The value, when there is one, by value.
    pub fn into_value(self) -> Option<T> {
        match self {
            Nullable::Value(v) => Some(v),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// A `Nullable` of a reference to the value.
    pub fn as_ref(&self) -> Nullable<&T> {
        match self {
            Nullable::Absent => Nullable::Absent,
            Nullable::Null => Nullable::Null,
            Nullable::Value(v) => Nullable::Value(v),
        }
    }

    /// The value changed by `f`; absent and `null` stay as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Nullable<U> {
        match self {
            Nullable::Absent => Nullable::Absent,
            Nullable::Null => Nullable::Null,
            Nullable::Value(v) => Nullable::Value(f(v)),
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

/// `Some(v)` is the value and `None` is absent, as these fields were before they had three
/// states; say [`Nullable::Null`] to clear a field.
impl<T> From<Option<T>> for Nullable<T> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Nullable::Absent, Nullable::Value)
    }
}

// Values of request bodies may be personal data: Debug prints what the value's own Debug does,
// so a type that redacts a field keeps doing so through this wrapper.
impl<T: fmt::Debug> fmt::Debug for Nullable<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Nullable::Absent => f.write_str("Absent"),
            Nullable::Null => f.write_str("Null"),
            Nullable::Value(v) => f.debug_tuple("Value").field(v).finish(),
        }
    }
}

/// `null` for [`Nullable::Null`] (and for `Absent`, which a struct leaves out before it gets
/// here), the value otherwise.
impl<T: serde::Serialize> serde::Serialize for Nullable<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(v) => serializer.serialize_some(v),
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
        }
    }
}

/// `null` reads as [`Nullable::Null`]; a struct reads a missing key as `Absent` (its default).
impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Nullable<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.map_or(Nullable::Null, Nullable::Value))
    }
}

// Request bodies are read back only from recorded fixtures (the `dispatch` feature), and then
// as exactly as they were written: `null` stays `Null`.
impl<'de, T: super::decode::Lenient<'de>> super::decode::Lenient<'de> for Nullable<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    fn read<D: serde::Deserializer<'de>>(d: D) -> Result<super::decode::Read<Self>, D::Error> {
        use super::decode::Read;
        Ok(Read::Value(match T::read(d)? {
            Read::Value(v) => Nullable::Value(v),
            Read::Null | Read::Empty => Nullable::Null,
        }))
    }
    fn zero() -> Option<Self> {
        Some(Nullable::Absent)
    }
}

#[cfg(feature = "schemars")]
impl<T: schemars::JsonSchema> schemars::JsonSchema for Nullable<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <Option<T> as schemars::JsonSchema>::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Option<T> as schemars::JsonSchema>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, Default, Debug, PartialEq)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        end_date: Nullable<String>,
    }

    #[test]
    fn three_states_reach_the_wire_as_three_bodies() {
        let body = |p: Patch| serde_json::to_string(&p).unwrap_or_default();
        assert_eq!(body(Patch { end_date: Nullable::Absent }), "{}");
        assert_eq!(body(Patch { end_date: Nullable::Null }), r#"{"end_date":null}"#);
        assert_eq!(body(Patch { end_date: "2027-01-31".to_string().into() }), r#"{"end_date":"2027-01-31"}"#);
    }

    #[test]
    fn bodies_read_back_into_the_state_they_were_written_from() {
        let read = |s: &str| serde_json::from_str::<Patch>(s).ok().map(|p| p.end_date);
        assert_eq!(read("{}"), Some(Nullable::Absent));
        assert_eq!(read(r#"{"end_date":null}"#), Some(Nullable::Null));
        assert_eq!(read(r#"{"end_date":"x"}"#), Some(Nullable::Value("x".into())));
    }

    #[test]
    fn an_option_converts_as_before_and_null_must_be_said() {
        assert_eq!(Nullable::from(Some(3)), Nullable::Value(3));
        assert_eq!(Nullable::<i32>::from(None), Nullable::Absent);
        assert_eq!(Nullable::Value(2).map(|v| v * 2).into_value(), Some(4));
        assert_eq!(format!("{:?}", Nullable::<u8>::Null), "Null");
    }
}

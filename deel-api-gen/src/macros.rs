//! The macros the generated `types.rs` is written in (`open_enum!`, `lean_de!`, `lean_ser!`,
//! `enveloped_de!`, `lenient_via_serde!`, `redacted_debug!`) and the small functions they call (`lean`).
//!
//! Hand-written and compiled here; codegen only emits their invocations. Declared before
//! `types` in `lib.rs` (`#[macro_use]`), so the invocations see them.
// Each area feature uses some of these; with only a few areas, the rest go unused.
#![allow(unused_macros, dead_code)]

/// Declares an open string enum: the known values as variants, plus a catch-all that keeps any
/// other value as sent, so that a value Deel adds later does not fail a whole response.
macro_rules! open_enum {
    ($name:ident, $unknown:ident { $($variant:ident = $wire:literal),* $(,)? }) => {
        #[doc = concat!("`", stringify!($name), "`: one of Deel's known values, or [`", stringify!($name), "::", stringify!($unknown), "`] for a value this SDK does not know yet.")]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("`", $wire, "`")]
                $variant,
            )*
            /// A value this version of the SDK does not know, kept as sent.
            $unknown(::std::string::String),
        }

        impl $name {
            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::$unknown(value) => value.as_str(),
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::$unknown(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    $($wire => Self::$variant,)*
                    _ => Self::$unknown(value),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        // Any string is accepted, so the schema is a string; the known values are its examples.
        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                let mut schema = ::serde_json::Map::new();
                schema.insert("type".into(), "string".into());
                let examples = vec![$(::serde_json::Value::from($wire)),*];
                schema.insert("examples".into(), ::serde_json::Value::Array(examples));
                ::schemars::Schema::from(schema)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                deserializer.deserialize_str(OpenEnumVisitor(::std::marker::PhantomData))
            }
        }

        impl<'de> lean::Lenient<'de> for $name {
            const EXPECTED: &'static str = "string";
            fn read<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<lean::Read<Self>, D::Error> {
                lean::nullable(d)
            }
            #[inline]
            fn zero() -> ::std::option::Option<Self> {
                Some(Self::$unknown(::std::string::String::new()))
            }
        }
    };
}

/// Lenient reading for a type that keeps serde's derive (untagged unions, newtypes): `null` is
/// handled here, the rest strictly, since an untagged union picks the first alternative that
/// decodes and a corrected one would always win. Its zero value is its `Default` (`default`), the
/// empty object for a newtype around one (`map`), its one field's zero (`newtype`), the first
/// alternative whose type has a zero (`first_zero`), or none.
macro_rules! lenient_via_serde {
    ($name:ident, default) => {
        lenient_via_serde!(@impl $name, Some(<$name as ::std::default::Default>::default()));
    };
    ($name:ident, map) => {
        lenient_via_serde!(@impl $name, Some($name(::serde_json::Map::new())));
    };
    ($name:ident, newtype($ty:ty)) => {
        lenient_via_serde!(@impl $name, lean::zero::<$ty>().map($name));
    };
    ($name:ident, first_zero { $($variant:ident($ty:ty)),* $(,)? }) => {
        lenient_via_serde!(@impl $name, {
            $(if let Some(zero) = lean::zero::<$ty>() { return Some($name::$variant(zero)); })*
            None
        });
    };
    ($name:ident) => {
        lenient_via_serde!(@impl $name, None);
    };
    (@impl $name:ident, $zero:expr) => {
        impl<'de> lean::Lenient<'de> for $name {
            const EXPECTED: &'static str = stringify!($name);
            fn read<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<lean::Read<Self>, D::Error> {
                lean::strictly(|| lean::nullable(d))
            }
            #[inline]
            fn zero() -> ::std::option::Option<Self> {
                $zero
            }
        }
    };
}

/// Deserializes any open enum from a string; known values need no allocation.
pub(crate) struct OpenEnumVisitor<T>(pub(crate) ::std::marker::PhantomData<T>);

impl<'de, T> ::serde::de::Visitor<'de> for OpenEnumVisitor<T>
where
    T: for<'a> ::std::convert::From<&'a str> + ::std::convert::From<::std::string::String>,
{
    type Value = T;

    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<T, E> {
        Ok(T::from(value))
    }

    fn visit_string<E: ::serde::de::Error>(
        self,
        value: ::std::string::String,
    ) -> ::std::result::Result<T, E> {
        Ok(T::from(value))
    }
}

/// `Deserialize` for a generated struct, leaner than serde's derive: one `visit_map` that matches
/// keys as strings (no field enum, no `visit_seq`), which halves the code rustc checks per struct
/// (unknown keys ignored, duplicates refused, a missing `Option` field is `None`). Each field
/// says what a missing key means: `req` (its zero value, recorded, in lenient decoding; an error
/// in strict), `opt` (`None`), `default`, or `(with path)` (a typify default function). Fields
/// are read through `runtime::decode::Lenient`, which corrects and records what real responses
/// do differently from the spec. Per field it writes one call into `lean` rather than inline
/// `?`s and branches: rustc checks every line of these bodies ~1,400 times, so each token per
/// field counts.
macro_rules! lean_de {
    ($name:ident { $($field:ident : $ty:ty = $wire:literal $(| $alias:literal)* => $missing:tt),* $(,)? }) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($name)))
                    }
                    #[allow(unused_mut)]
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<$name, A::Error> {
                        $(let mut $field: ::std::option::Option<$ty> = None;)*
                        while let Some(key) = map.next_key::<lean::Key<'de>>()? {
                            match key.as_str() {
                                $(
                                    $wire => lean::take(&mut map, &mut $field, $wire),
                                    $($alias => lean::take(&mut map, &mut $field, $alias),)*
                                )*
                                _ => lean::skip(&mut map),
                            }?;
                        }
                        Ok($name { $($field: lean_de!(@missing $field, $wire, $missing, A),)* })
                    }
                }
                deserializer.deserialize_struct(stringify!($name), &[$($wire),*], Visitor)
            }
        }

        impl<'de> lean::Lenient<'de> for $name {
            const EXPECTED: &'static str = "object";
            fn read<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<lean::Read<Self>, D::Error> {
                lean::nullable(d)
            }
            #[inline]
            fn zero() -> ::std::option::Option<Self> {
                Some($name { $($field: lean::zero::<$ty>()?,)* })
            }
        }
    };
    (@missing $f:ident, $wire:literal, req, $A:ident) => { lean::required::<_, $A::Error>($f, $wire)? };
    (@missing $f:ident, $wire:literal, opt, $A:ident) => { $f.flatten() };
    (@missing $f:ident, $wire:literal, default, $A:ident) => { $f.unwrap_or_default() };
    (@missing $f:ident, $wire:literal, (with $default:expr), $A:ident) => { $f.unwrap_or_else($default) };
}

/// `Deserialize` for a response Deel sends either as declared (`{"data": …}`) or as its `data`
/// object alone (an overlay's `x-deel-envelope` fact): the body is buffered and, without the
/// envelope's key, read whole as the field's value. Replaces `lean_de!` for those few types.
macro_rules! enveloped_de {
    ($name:ident { $field:ident : $ty:ty = $wire:literal }) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let body = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                lean::enveloped::<$ty>(body, $wire)
                    .map(|$field| $name { $field })
                    .map_err(::serde::de::Error::custom)
            }
        }

        impl<'de> lean::Lenient<'de> for $name {
            const EXPECTED: &'static str = "object";
            fn read<D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<lean::Read<Self>, D::Error> {
                lean::nullable(d)
            }
            #[inline]
            fn zero() -> ::std::option::Option<Self> {
                Some($name { $field: lean::zero::<$ty>()? })
            }
        }
    };
}

/// What `lean_de!` and `lean_ser!` call: the key type (borrowed from the input when it can be) and
/// the per-field steps.
pub(crate) mod lean {
    pub(crate) struct Key<'de>(::std::borrow::Cow<'de, str>);

    impl Key<'_> {
        pub(crate) fn as_str(&self) -> &str {
            &self.0
        }
    }

    impl<'de> ::serde::Deserialize<'de> for Key<'de> {
        fn deserialize<D: ::serde::Deserializer<'de>>(
            deserializer: D,
        ) -> ::std::result::Result<Self, D::Error> {
            struct KeyVisitor;
            impl<'de> ::serde::de::Visitor<'de> for KeyVisitor {
                type Value = Key<'de>;
                fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str("a field name")
                }
                fn visit_borrowed_str<E: ::serde::de::Error>(
                    self,
                    v: &'de str,
                ) -> ::std::result::Result<Key<'de>, E> {
                    Ok(Key(::std::borrow::Cow::Borrowed(v)))
                }
                fn visit_str<E: ::serde::de::Error>(self, v: &str) -> ::std::result::Result<Key<'de>, E> {
                    Ok(Key(::std::borrow::Cow::Owned(v.to_string())))
                }
            }
            deserializer.deserialize_identifier(KeyVisitor)
        }
    }

    pub(crate) use crate::runtime::decode::{
        enveloped, field as take, nullable, required, strictly, Lenient, Read,
    };

    /// The zero value of a field's type (client error correction), if it has one.
    pub(crate) fn zero<T: for<'de> Lenient<'de>>() -> Option<T> {
        T::zero()
    }

    /// Skips the value of a key the struct does not have.
    pub(crate) fn skip<'de, A: ::serde::de::MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
        map.next_value::<::serde::de::IgnoredAny>().map(|_| ())
    }

    /// Writes a struct's fields in order, remembering the first error so that each field is one
    /// call in `lean_ser!`; `keep[i]` says whether field `i` is written or skipped.
    pub(crate) struct Fields<'k, S: ::serde::ser::SerializeStruct> {
        state: S,
        keep: &'k [bool],
        at: usize,
        error: Option<S::Error>,
    }

    impl<'k, S: ::serde::ser::SerializeStruct> Fields<'k, S> {
        /// Starts the struct with the number of fields that will be written.
        pub(crate) fn begin<Z>(serializer: Z, name: &'static str, keep: &'k [bool]) -> Result<Self, S::Error>
        where
            Z: ::serde::Serializer<SerializeStruct = S, Error = S::Error>,
        {
            let len = keep.iter().filter(|k| **k).count();
            let state = serializer.serialize_struct(name, len)?;
            Ok(Self { state, keep, at: 0, error: None })
        }

        /// Writes (or skips) the next field.
        pub(crate) fn put<T: ::serde::Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
            let keep = self.keep.get(self.at).copied().unwrap_or(true);
            self.at += 1;
            if self.error.is_some() {
                return;
            }
            let written =
                if keep { self.state.serialize_field(name, value) } else { self.state.skip_field(name) };
            if let Err(e) = written {
                self.error = Some(e);
            }
        }

        /// Ends the struct, or returns the first error.
        pub(crate) fn end(self) -> Result<S::Ok, S::Error> {
            match self.error {
                Some(e) => Err(e),
                None => self.state.end(),
            }
        }
    }
}

/// `Serialize` for a generated struct, the counterpart of `lean_de!` (same output as serde's
/// derive: fields in declaration order under their wire names; a field with a skip test is left
/// out when the test holds).
macro_rules! lean_ser {
    ($name:ident { $($field:ident = $wire:literal => $skip:tt),* $(,)? }) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                let keep = [$(lean_ser!(@keep &self.$field, $skip)),*];
                let mut fields = lean::Fields::begin(serializer, stringify!($name), &keep)?;
                $(fields.put($wire, &self.$field);)*
                fields.end()
            }
        }
    };
    (@keep $v:expr, always) => { true };
    (@keep $v:expr, (unless $skip:path)) => { !$skip($v) };
}

/// `Debug` for a generated struct with secret fields (`hide`): they print as `<redacted>`.
macro_rules! redacted_debug {
    ($name:ident { $($field:ident => $how:ident),* $(,)? }) => {
        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($name))
                    $(.field(stringify!($field), redacted_debug!(@$how self.$field)))*
                    .finish()
            }
        }
    };
    (@show $v:expr) => { &$v };
    (@hide $v:expr) => { &"<redacted>" };
}

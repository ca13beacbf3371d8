//! Decoding success bodies the way Deel sends them, not only the way its spec describes them.
//!
//! Lenient decoding (the default) accepts the differences seen in real responses — a number
//! where the spec says string, a date in a date-time field, `""` for an absent date, a required
//! field left out — and records each one as a [`Correction`]: where (a JSON pointer), what kind,
//! and the JSON type found (never the value, which may be personal data or a token). Strict
//! decoding turns the first correction into an error at its pointer.
//!
//! The generated types read their fields through [`Lenient`]; the mode and the corrections of
//! the decode under way live in thread-local state, because serde's `Deserialize` carries no
//! context and a decode never leaves the thread it started on.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// How a success body is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecodeMode {
    /// Recoverable differences from the spec are corrected and recorded (the default).
    #[default]
    Lenient,
    /// Any difference from the spec is an error (for tests and CI).
    Strict,
}

/// The JSON type of a value found in a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonType {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A non-empty string.
    String,
    /// `""`.
    EmptyString,
    /// An array.
    Array,
    /// An object.
    Object,
    /// No value: the key was not there, or the body was empty.
    Absent,
}

impl JsonType {
    /// The type of `value`.
    pub fn of(value: &serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => JsonType::Null,
            serde_json::Value::Bool(_) => JsonType::Bool,
            serde_json::Value::Number(_) => JsonType::Number,
            serde_json::Value::String(s) if s.is_empty() => JsonType::EmptyString,
            serde_json::Value::String(_) => JsonType::String,
            serde_json::Value::Array(_) => JsonType::Array,
            serde_json::Value::Object(_) => JsonType::Object,
        }
    }

    /// A short name (`number`, `string`, `absent`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Bool => "boolean",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::EmptyString => "empty string",
            JsonType::Array => "array",
            JsonType::Object => "object",
            JsonType::Absent => "absent",
        }
    }
}

impl fmt::Display for JsonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What lenient decoding did to make a value fit its declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CorrectionKind {
    /// A scalar of another JSON type was converted: a number or boolean read as its JSON text
    /// where a string is declared, or a numeric or boolean string read as a number or boolean
    /// (only when it parses exactly).
    Converted,
    /// A date without a time in a date-time field: read as midnight UTC.
    DateOnly,
    /// A date-time without a time zone in a date-time field: read as UTC.
    NoTimeZone,
    /// A date-time in a date field: its date kept.
    DateFromDateTime,
    /// `""` in an optional field whose type is not a string: read as absent.
    EmptyAsAbsent,
    /// A required field absent, null or `""`: its zero value used (empty string, 0, false, the
    /// Unix epoch, an empty list or map, an object of zero values, or an enum's unknown case).
    ZeroFilled,
}

impl CorrectionKind {
    /// A short name (`converted`, `zero-filled`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            CorrectionKind::Converted => "converted",
            CorrectionKind::DateOnly => "date-only",
            CorrectionKind::NoTimeZone => "no-time-zone",
            CorrectionKind::DateFromDateTime => "date-from-date-time",
            CorrectionKind::EmptyAsAbsent => "empty-as-absent",
            CorrectionKind::ZeroFilled => "zero-filled",
        }
    }
}

/// One difference between a response and the spec that lenient decoding corrected.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Correction {
    /// Where, as a JSON pointer (`/data/3/client_legal_entity/id`).
    pub pointer: String,
    /// What was done.
    pub kind: CorrectionKind,
    /// The JSON type found there.
    pub found: JsonType,
    /// The type declared there (`string`, `integer`, `date`, …).
    pub expected: &'static str,
}

impl fmt::Display for Correction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() { "(body)" } else { self.pointer.as_str() };
        write!(f, "{at} {}→{} ({})", self.found, self.expected, self.kind.as_str())
    }
}

/// A step of a pointer, innermost first while a decode bubbles up.
#[derive(Debug, Clone)]
enum Step {
    Key(&'static str),
    Name(String),
    Index(usize),
}

#[derive(Debug)]
struct Record {
    /// Pointer steps, innermost first.
    steps: Vec<Step>,
    kind: CorrectionKind,
    found: JsonType,
    expected: &'static str,
}

thread_local! {
    // Outside a decode started by `decode`, generated types decode strictly: plain
    // `serde_json::from_str` then behaves as serde's derive would, and nothing is corrected
    // unseen.
    static MODE: Cell<DecodeMode> = const { Cell::new(DecodeMode::Strict) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
    static RECORDS: RefCell<Vec<Record>> = const { RefCell::new(Vec::new()) };
    static ERROR_STEPS: RefCell<Vec<Step>> = const { RefCell::new(Vec::new()) };
    // Whether string fields read their value's raw JSON text (see `RAW_TEXT`), and whether a
    // number was read into a string field in this decode (which then runs again with raw text).
    static RAW_STRINGS: Cell<bool> = const { Cell::new(false) };
    static NUMBER_AS_TEXT: Cell<bool> = const { Cell::new(false) };
}

/// Records a correction at the value being read, or fails in strict mode.
#[doc(hidden)]
pub fn correct<E: de::Error>(kind: CorrectionKind, found: JsonType, expected: &'static str) -> Result<(), E> {
    if MODE.get() == DecodeMode::Strict {
        return Err(E::custom(format_args!("expected {expected}, found {found}")));
    }
    RECORDS.with_borrow_mut(|r| r.push(Record { steps: Vec::new(), kind, found, expected }));
    COUNT.set(COUNT.get() + 1);
    Ok(())
}

/// The number of corrections so far, to tell which ones a field's value added.
#[doc(hidden)]
#[inline]
pub fn mark() -> usize {
    COUNT.get()
}

fn attach(mark: usize, step: impl Fn() -> Step) {
    if COUNT.get() > mark {
        RECORDS.with_borrow_mut(|r| r.iter_mut().skip(mark).for_each(|rec| rec.steps.push(step())));
    }
}

fn fail_at(step: Step) {
    ERROR_STEPS.with_borrow_mut(|s| s.push(step));
}

/// A value as read: present, or one that stands for nothing (`null`, or `""` where the type is
/// not a string).
#[doc(hidden)]
pub enum Read<T> {
    Value(T),
    Null,
    Empty,
}

/// How a generated type reads a value leniently, and the value it takes when required but
/// absent.
#[doc(hidden)]
pub trait Lenient<'de>: Sized {
    /// Reads a value; `null` and a non-string `""` come back as [`Read::Null`]/[`Read::Empty`].
    fn read<D: Deserializer<'de>>(deserializer: D) -> Result<Read<Self>, D::Error>;
    /// The zero value of client error correction, if the type has one.
    fn zero() -> Option<Self>;
    /// What the type is called in an error or correction.
    const EXPECTED: &'static str;
}

/// Reads one value through [`Lenient`].
#[doc(hidden)]
pub struct Seed<T>(PhantomData<T>);

impl<T> Default for Seed<T> {
    fn default() -> Self {
        Seed(PhantomData)
    }
}

impl<'de, T: Lenient<'de>> DeserializeSeed<'de> for Seed<T> {
    type Value = Read<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Read<T>, D::Error> {
        T::read(deserializer)
    }
}

/// The value for a required field that came as `null` or `""`, or was `absent`: its zero value,
/// recorded; an error in strict mode or when the type has none.
fn fill<'de, T: Lenient<'de>, E: de::Error>(found: JsonType) -> Result<T, E> {
    match T::zero() {
        Some(zero) => correct(CorrectionKind::ZeroFilled, found, T::EXPECTED).map(|()| zero),
        None => Err(E::custom(format_args!("expected {}, found {found}", T::EXPECTED))),
    }
}

fn settle<'de, T: Lenient<'de>, E: de::Error>(read: Read<T>) -> Result<T, E> {
    match read {
        Read::Value(v) => Ok(v),
        Read::Null => fill(JsonType::Null),
        Read::Empty => fill(JsonType::EmptyString),
    }
}

/// Reads the value of the field `name` into its slot (a key seen twice is an error, as with
/// serde's derive), with the field's name added to the pointer of what it corrected or failed on.
#[doc(hidden)]
pub fn field<'de, A, T>(map: &mut A, slot: &mut Option<T>, name: &'static str) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Lenient<'de>,
{
    if slot.is_some() {
        return Err(<A::Error as de::Error>::duplicate_field(name));
    }
    let mark = mark();
    match map.next_value_seed(Seed::<T>::default()).and_then(settle) {
        Ok(value) => {
            attach(mark, || Step::Key(name));
            *slot = Some(value);
            Ok(())
        }
        Err(e) => {
            fail_at(Step::Key(name));
            Err(e)
        }
    }
}

/// The value of a required field: its slot, or when absent its zero value (recorded).
#[doc(hidden)]
pub fn required<'de, T: Lenient<'de>, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    if let Some(value) = slot {
        return Ok(value);
    }
    let mark = mark();
    if MODE.get() == DecodeMode::Strict {
        fail_at(Step::Key(name));
        return Err(E::missing_field(name));
    }
    match fill::<T, E>(JsonType::Absent) {
        Ok(zero) => {
            attach(mark, || Step::Key(name));
            Ok(zero)
        }
        Err(_) => {
            fail_at(Step::Key(name));
            Err(E::missing_field(name))
        }
    }
}

/// Reads a response body that Deel sends either as declared, `{"<key>": value}`, or as the value
/// itself (an overlay's `x-deel-envelope` fact): with the key, its value is read (and pointers go
/// through it); without it, the whole body is.
#[doc(hidden)]
pub fn enveloped<T: for<'a> Lenient<'a>>(
    body: serde_json::Value,
    key: &'static str,
) -> Result<T, serde_json::Error> {
    match body {
        serde_json::Value::Object(mut map) if map.contains_key(key) => {
            let inner = map.remove(key).unwrap_or_default();
            let mark = mark();
            match T::read(inner).and_then(settle) {
                Ok(value) => {
                    attach(mark, || Step::Key(key));
                    Ok(value)
                }
                Err(e) => {
                    fail_at(Step::Key(key));
                    Err(e)
                }
            }
        }
        bare => T::read(bare).and_then(settle),
    }
}

/// Decodes `T` strictly whatever the mode: for types that choose between alternatives by trying
/// each (untagged unions), where a corrected alternative would always win.
#[doc(hidden)]
pub fn strictly<R>(f: impl FnOnce() -> R) -> R {
    let before = MODE.replace(DecodeMode::Strict);
    let errors = ERROR_STEPS.with_borrow(Vec::len);
    let out = f();
    MODE.set(before);
    // Failed alternatives leave steps behind; only an error that escapes may keep them.
    ERROR_STEPS.with_borrow_mut(|s| s.truncate(errors));
    out
}

/// Reads a value that may be `null` (the `Option` visitor) and otherwise decodes it with `f`.
#[doc(hidden)]
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Read<T>, D::Error>
where
    D: Deserializer<'de>,
    T: de::Deserialize<'de>,
{
    struct V<T>(PhantomData<T>);
    impl<'de, T: de::Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Read<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a value or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Read<T>, E> {
            Ok(Read::Null)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Read<T>, E> {
            Ok(Read::Null)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Read<T>, D::Error> {
            T::deserialize(d).map(Read::Value)
        }
    }
    deserializer.deserialize_option(V(PhantomData))
}

// ---- Leaves -------------------------------------------------------------------------------

macro_rules! scalar_visitor {
    ($visitor:ident, $ty:ty, $expected:literal, { $($body:tt)* }) => {
        struct $visitor;
        impl<'de> Visitor<'de> for $visitor {
            type Value = Read<$ty>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str($expected)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Read::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Read::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            $($body)*
        }
    };
}

scalar_visitor!(StringVisitor, String, "a string", {
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Read::Value(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Read::Value(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        correct(CorrectionKind::Converted, JsonType::Number, "string")?;
        NUMBER_AS_TEXT.set(true);
        Ok(Read::Value(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        correct(CorrectionKind::Converted, JsonType::Number, "string")?;
        NUMBER_AS_TEXT.set(true);
        Ok(Read::Value(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        correct(CorrectionKind::Converted, JsonType::Number, "string")?;
        NUMBER_AS_TEXT.set(true);
        Ok(Read::Value(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        correct(CorrectionKind::Converted, JsonType::Bool, "string")?;
        Ok(Read::Value(v.to_string()))
    }
});

/// The name under which serde_json hands a value over as its raw JSON text (its `raw_value`
/// feature: what `serde_json::value::RawValue` deserializes with). When a body put a number in a
/// string field, `decode` reads it once more with string fields going through this name, so that
/// the number is kept as Deel wrote it (`1500.00`, `7e3`, a 30-digit id), not as a float prints
/// it; bodies without such a number are read once, the fast way. Other deserializers (serde's own
/// buffering inside untagged unions, say) do not know the name and fall back to the plain
/// visitor, which keeps a number's value, printed.
const RAW_TEXT: &str = "$serde_json::private::RawValue";

struct RawStringVisitor;

impl<'de> Visitor<'de> for RawStringVisitor {
    type Value = Read<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    /// serde_json's raw text: a map of one entry whose value is the text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        if map.next_key::<de::IgnoredAny>()?.is_none() {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        }
        let raw = map.next_value::<RawText<'de>>()?;
        from_raw_text(raw.0.trim())
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(StringVisitor)
    }
}

/// A value's raw JSON text, borrowed from the body where it can be.
struct RawText<'de>(std::borrow::Cow<'de, str>);

impl<'de> de::Deserialize<'de> for RawText<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawText<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("raw JSON text")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(RawText(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawText(std::borrow::Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(RawText(std::borrow::Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A string field's value from its JSON text: a string as itself, a number or a boolean as the
/// text Deel sent (recorded as converted), `null` as null.
fn from_raw_text<E: de::Error>(text: &str) -> Result<Read<String>, E> {
    match text.as_bytes().first() {
        Some(b'"') => {
            if text.len() >= 2 && !text.contains('\\') {
                return Ok(Read::Value(text[1..text.len() - 1].to_owned()));
            }
            serde_json::from_str::<String>(text).map(Read::Value).map_err(|_| E::custom("expected a string"))
        }
        Some(b'n') if text == "null" => Ok(Read::Null),
        Some(b't' | b'f') => {
            correct(CorrectionKind::Converted, JsonType::Bool, "string")?;
            Ok(Read::Value(text.to_owned()))
        }
        Some(b'-' | b'0'..=b'9') => {
            correct(CorrectionKind::Converted, JsonType::Number, "string")?;
            Ok(Read::Value(text.to_owned()))
        }
        Some(b'[') => Err(E::invalid_type(de::Unexpected::Seq, &"a string")),
        _ => Err(E::invalid_type(de::Unexpected::Map, &"a string")),
    }
}

impl<'de> Lenient<'de> for String {
    const EXPECTED: &'static str = "string";
    fn read<D: Deserializer<'de>>(d: D) -> Result<Read<Self>, D::Error> {
        if RAW_STRINGS.get() {
            d.deserialize_newtype_struct(RAW_TEXT, RawStringVisitor)
        } else {
            d.deserialize_any(StringVisitor)
        }
    }
    fn zero() -> Option<Self> {
        Some(String::new())
    }
}

scalar_visitor!(BoolVisitor, bool, "a boolean", {
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Read::Value(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let value = match v.trim() {
            "" => return Ok(Read::Empty),
            "true" => true,
            "false" => false,
            _ => return Err(E::custom("expected a boolean, found a string")),
        };
        correct(CorrectionKind::Converted, JsonType::String, "boolean")?;
        Ok(Read::Value(value))
    }
});

impl<'de> Lenient<'de> for bool {
    const EXPECTED: &'static str = "boolean";
    fn read<D: Deserializer<'de>>(d: D) -> Result<Read<Self>, D::Error> {
        d.deserialize_any(BoolVisitor)
    }
    fn zero() -> Option<Self> {
        Some(false)
    }
}

/// A number written as a string: plain, or with comma thousands separators (`"700,000.00"`).
fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    if let Ok(v) = text.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = int.strip_prefix('-').unwrap_or(int);
    let groups: Vec<&str> = digits.split(',').collect();
    let grouped = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    if !grouped {
        return None;
    }
    let plain = format!(
        "{}{}{}{frac}",
        if int.starts_with('-') { "-" } else { "" },
        groups.concat(),
        if frac.is_empty() { "" } else { "." }
    );
    plain.parse::<f64>().ok().filter(|v| v.is_finite())
}

scalar_visitor!(FloatVisitor, f64, "a number", {
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Read::Value(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Read::Value(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Read::Value(v as f64))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            return Ok(Read::Empty);
        }
        let value = parse_number(v).ok_or_else(|| E::custom("expected a number, found a string"))?;
        correct(CorrectionKind::Converted, JsonType::String, "number")?;
        Ok(Read::Value(value))
    }
});

impl<'de> Lenient<'de> for f64 {
    const EXPECTED: &'static str = "number";
    fn read<D: Deserializer<'de>>(d: D) -> Result<Read<Self>, D::Error> {
        d.deserialize_any(FloatVisitor)
    }
    fn zero() -> Option<Self> {
        Some(0.0)
    }
}

scalar_visitor!(IntVisitor, i64, "an integer", {
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Read::Value(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Read::Value)
            .map_err(|_| E::custom("expected an integer, found a number out of range"))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        let value = whole(v).ok_or_else(|| E::custom("expected an integer, found a fraction"))?;
        correct(CorrectionKind::Converted, JsonType::Number, "integer")?;
        Ok(Read::Value(value))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            return Ok(Read::Empty);
        }
        let value = match v.trim().parse::<i64>() {
            Ok(v) => v,
            Err(_) => parse_number(v)
                .and_then(whole)
                .ok_or_else(|| E::custom("expected an integer, found a string"))?,
        };
        correct(CorrectionKind::Converted, JsonType::String, "integer")?;
        Ok(Read::Value(value))
    }
});

/// `v` as an integer when it has no fraction and fits.
fn whole(v: f64) -> Option<i64> {
    (v.fract() == 0.0 && v >= i64::MIN as f64 && v <= i64::MAX as f64).then_some(v as i64)
}

impl<'de> Lenient<'de> for i64 {
    const EXPECTED: &'static str = "integer";
    fn read<D: Deserializer<'de>>(d: D) -> Result<Read<Self>, D::Error> {
        d.deserialize_any(IntVisitor)
    }
    fn zero() -> Option<Self> {
        Some(0)
    }
}

macro_rules! narrow_int {
    ($($ty:ty),*) => {$(
        impl<'de> Lenient<'de> for $ty {
            const EXPECTED: &'static str = "integer";
            fn read<D: Deserializer<'de>>(d: D) -> Result<Read<Self>, D::Error> {
                match d.deserialize_any(IntVisitor)? {
                    Read::Value(v) => <$ty>::try_from(v)
                        .map(Read::Value)
                        .map_err(|_| de::Error::custom("expected an integer, found a number out of range")),
                    Read::Null => Ok(Read::Null),
                    Read::Empty => Ok(Read::Empty),
                }
            }
            fn zero() -> Option<Self> {
                Some(0)
            }
        }
    )*};
}
narrow_int!(u64, i32, u32, i16, u16, i8, u8);

impl<'de> Lenient<'de> for f32 {
    const EXPECTED: &'static str = "number";
    fn read<D: Deserializer<'de>>(d: D) -> Result<Read<Self>, D::Error> {
        Ok(match d.deserialize_any(FloatVisitor)? {
            Read::Value(v) => Read::Value(v as f32),
            Read::Null => Read::Null,
            Read::Empty => Read::Empty,
        })
    }
    fn zero() -> Option<Self> {
        Some(0.0)
    }
}

scalar_visitor!(DateVisitor, chrono::NaiveDate, "a date", {
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() {
            return Ok(Read::Empty);
        }
        if let Ok(date) = v.parse::<chrono::NaiveDate>() {
            return Ok(Read::Value(date));
        }
        let date = v
            .parse::<chrono::DateTime<chrono::FixedOffset>>()
            .map(|d| d.date_naive())
            .or_else(|_| v.parse::<chrono::NaiveDateTime>().map(|d| d.date()))
            .map_err(|_| E::custom("expected a date, found a string that is not one"))?;
        correct(CorrectionKind::DateFromDateTime, JsonType::String, "date")?;
        Ok(Read::Value(date))
    }
});

impl<'de> Lenient<'de> for chrono::NaiveDate {
    const EXPECTED: &'static str = "date";
    fn read<D: Deserializer<'de>>(d: D) -> Result<Read<Self>, D::Error> {
        d.deserialize_any(DateVisitor)
    }
    fn zero() -> Option<Self> {
        Some(chrono::DateTime::UNIX_EPOCH.date_naive())
    }
}

scalar_visitor!(DateTimeVisitor, chrono::DateTime<chrono::Utc>, "a date-time", {
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
        if v.is_empty() {
            return Ok(Read::Empty);
        }
        if let Ok(at) = v.parse::<DateTime<Utc>>() {
            return Ok(Read::Value(at));
        }
        let (kind, at) = if let Ok(date) = v.parse::<NaiveDate>() {
            (CorrectionKind::DateOnly, date.and_time(chrono::NaiveTime::MIN).and_utc())
        } else if let Ok(naive) = v.parse::<NaiveDateTime>() {
            (CorrectionKind::NoTimeZone, naive.and_utc())
        } else if let Ok(naive) = NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S%.f") {
            (CorrectionKind::NoTimeZone, naive.and_utc())
        } else {
            return Err(E::custom("expected a date-time, found a string that is not one"));
        };
        correct(kind, JsonType::String, "date-time")?;
        Ok(Read::Value(at))
    }
});

impl<'de> Lenient<'de> for chrono::DateTime<chrono::Utc> {
    const EXPECTED: &'static str = "date-time";
    fn read<D: Deserializer<'de>>(d: D) -> Result<Read<Self>, D::Error> {
        d.deserialize_any(DateTimeVisitor)
    }
    fn zero() -> Option<Self> {
        Some(chrono::DateTime::UNIX_EPOCH)
    }
}

impl<'de> Lenient<'de> for serde_json::Value {
    const EXPECTED: &'static str = "any value";
    fn read<D: Deserializer<'de>>(d: D) -> Result<Read<Self>, D::Error> {
        de::Deserialize::deserialize(d).map(Read::Value)
    }
    fn zero() -> Option<Self> {
        Some(serde_json::Value::Null)
    }
}

impl<'de> Lenient<'de> for serde_json::Map<String, serde_json::Value> {
    const EXPECTED: &'static str = "object";
    fn read<D: Deserializer<'de>>(d: D) -> Result<Read<Self>, D::Error> {
        nullable(d)
    }
    fn zero() -> Option<Self> {
        Some(serde_json::Map::new())
    }
}

impl<'de, T: Lenient<'de>> Lenient<'de> for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    fn read<D: Deserializer<'de>>(d: D) -> Result<Read<Self>, D::Error> {
        Ok(Read::Value(match T::read(d)? {
            Read::Value(v) => Some(v),
            Read::Null => None,
            Read::Empty => {
                correct(CorrectionKind::EmptyAsAbsent, JsonType::EmptyString, T::EXPECTED)?;
                None
            }
        }))
    }
    fn zero() -> Option<Self> {
        Some(None)
    }
}

impl<'de, T: Lenient<'de>> Lenient<'de> for Box<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    fn read<D: Deserializer<'de>>(d: D) -> Result<Read<Self>, D::Error> {
        Ok(match T::read(d)? {
            Read::Value(v) => Read::Value(Box::new(v)),
            Read::Null => Read::Null,
            Read::Empty => Read::Empty,
        })
    }
    fn zero() -> Option<Self> {
        T::zero().map(Box::new)
    }
}

struct SeqVisitor<T>(PhantomData<T>);

impl<'de, T: Lenient<'de>> Visitor<'de> for SeqVisitor<T> {
    type Value = Read<Vec<T>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Read::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Read::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Bounded, like serde's own: a length hint is the sender's word.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            let mark = mark();
            let index = items.len();
            match seq.next_element_seed(Seed::<T>::default()) {
                Ok(None) => break,
                Ok(Some(read)) => match settle(read) {
                    Ok(item) => {
                        attach(mark, || Step::Index(index));
                        items.push(item);
                    }
                    Err(e) => {
                        fail_at(Step::Index(index));
                        return Err(e);
                    }
                },
                Err(e) => {
                    fail_at(Step::Index(index));
                    return Err(e);
                }
            }
        }
        Ok(Read::Value(items))
    }
}

impl<'de, T: Lenient<'de>> Lenient<'de> for Vec<T> {
    const EXPECTED: &'static str = "array";
    fn read<D: Deserializer<'de>>(d: D) -> Result<Read<Self>, D::Error> {
        d.deserialize_any(SeqVisitor(PhantomData))
    }
    fn zero() -> Option<Self> {
        Some(Vec::new())
    }
}

struct MapVisitor<T>(PhantomData<T>);

impl<'de, T: Lenient<'de>> Visitor<'de> for MapVisitor<T> {
    type Value = Read<HashMap<String, T>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Read::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Read::Null)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = HashMap::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some(key) = map.next_key::<String>()? {
            let mark = mark();
            match map.next_value_seed(Seed::<T>::default()).and_then(settle) {
                Ok(value) => {
                    attach(mark, || Step::Name(key.clone()));
                    out.insert(key, value);
                }
                Err(e) => {
                    fail_at(Step::Name(key));
                    return Err(e);
                }
            }
        }
        Ok(Read::Value(out))
    }
}

impl<'de, T: Lenient<'de>> Lenient<'de> for HashMap<String, T> {
    const EXPECTED: &'static str = "object";
    fn read<D: Deserializer<'de>>(d: D) -> Result<Read<Self>, D::Error> {
        d.deserialize_any(MapVisitor(PhantomData))
    }
    fn zero() -> Option<Self> {
        Some(HashMap::new())
    }
}

// ---- Decoding a body ----------------------------------------------------------------------

/// A success body that could not be decoded into the operation's type.
///
/// Its `Display` and `Debug` are bounded and quote no value from the body (values may be personal
/// data or tokens); the body itself stays available through [`DecodeError::body`].
#[derive(Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status of the response.
    pub status: u16,
    /// Where the failure is, as a JSON pointer (`""` for the whole body).
    pub pointer: String,
    /// What the type declares there (`string`, `struct Contract`, …), when known.
    pub expected: Option<String>,
    /// The JSON type found there.
    pub found: JsonType,
    /// What went wrong, in words that quote no value.
    pub reason: String,
    body: bytes::Bytes,
}

impl DecodeError {
    /// The whole body, as received.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() { "the body" } else { self.pointer.as_str() };
        write!(f, "could not decode a {} response at {at}: {}", self.status, self.reason)?;
        if let Some(expected) = &self.expected {
            write!(f, " (expected {expected}, found {})", self.found)?;
        }
        Ok(())
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("status", &self.status)
            .field("pointer", &self.pointer)
            .field("expected", &self.expected)
            .field("found", &self.found)
            .field("reason", &self.reason)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// Longest text an error keeps from a pointer, a type name or a reason.
const BOUND: usize = 160;

fn bounded(text: &str) -> String {
    super::text::cut(text, BOUND)
}

/// Restores the thread's decode state when a decode ends, even by a panic in user code.
struct Scope {
    mode: DecodeMode,
    count: usize,
    records: Vec<Record>,
    errors: Vec<Step>,
    raw: bool,
    number_as_text: bool,
}

impl Scope {
    fn enter(mode: DecodeMode) -> Self {
        Scope {
            mode: MODE.replace(mode),
            count: COUNT.replace(0),
            records: RECORDS.take(),
            errors: ERROR_STEPS.take(),
            raw: RAW_STRINGS.replace(false),
            number_as_text: NUMBER_AS_TEXT.replace(false),
        }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        MODE.set(self.mode);
        COUNT.set(self.count);
        RECORDS.set(std::mem::take(&mut self.records));
        ERROR_STEPS.set(std::mem::take(&mut self.errors));
        RAW_STRINGS.set(self.raw);
        NUMBER_AS_TEXT.set(self.number_as_text);
    }
}

fn pointer(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps.iter().rev() {
        out.push('/');
        match step {
            Step::Key(k) => escape(&mut out, k),
            Step::Name(k) => escape(&mut out, k),
            Step::Index(i) => out.push_str(&i.to_string()),
        }
    }
    bounded(&out)
}

fn escape(out: &mut String, key: &str) {
    for c in key.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// Decodes a success body into `T` in `mode`, returning the value and what was corrected.
///
/// An empty body (where JSON is declared) reads as `null`: in lenient mode a type with a zero
/// value gets it, with a `zero-filled` correction at the root; otherwise it is a [`DecodeError`]
/// saying the body is empty.
pub fn decode<T>(
    status: u16,
    body: impl Into<bytes::Bytes>,
    mode: DecodeMode,
) -> Result<(T, Vec<Correction>), DecodeError>
where
    T: DeserializeOwned + for<'de> Lenient<'de>,
{
    let body: bytes::Bytes = body.into();
    let scope = Scope::enter(mode);
    let empty = body.iter().all(u8::is_ascii_whitespace);
    let outcome = if empty {
        match (mode, T::zero()) {
            (DecodeMode::Lenient, Some(zero)) => {
                let _ =
                    correct::<serde_json::Error>(CorrectionKind::ZeroFilled, JsonType::Absent, T::EXPECTED);
                Ok(zero)
            }
            _ => {
                drop(scope);
                return Err(DecodeError {
                    status,
                    pointer: String::new(),
                    expected: Some(T::EXPECTED.to_string()),
                    found: JsonType::Absent,
                    reason: "the body is empty".into(),
                    body,
                });
            }
        }
    } else {
        let read = || {
            let mut de = serde_json::Deserializer::from_slice(&body);
            Seed::<T>::default().deserialize(&mut de).and_then(settle).and_then(|v| de.end().map(|()| v))
        };
        match read() {
            // A number in a string field was kept as printed: read again, keeping its text.
            Ok(_) if NUMBER_AS_TEXT.get() => {
                COUNT.set(0);
                RECORDS.with_borrow_mut(Vec::clear);
                RAW_STRINGS.set(true);
                read()
            }
            other => other,
        }
    };
    match outcome {
        Ok(value) => {
            let corrections = RECORDS.with_borrow(|records| {
                records
                    .iter()
                    .map(|r| Correction {
                        pointer: pointer(&r.steps),
                        kind: r.kind,
                        found: r.found,
                        expected: r.expected,
                    })
                    .collect()
            });
            drop(scope);
            Ok((value, corrections))
        }
        Err(e) => {
            let steps = ERROR_STEPS.take();
            drop(scope);
            Err(describe(status, &e, &steps, body))
        }
    }
}

/// A `DecodeError` from serde's error, quoting nothing from the body.
fn describe(status: u16, error: &serde_json::Error, steps: &[Step], body: bytes::Bytes) -> DecodeError {
    use serde_json::error::Category;
    let message = error.to_string();
    let pointer = pointer(steps);
    let (reason, expected, found) = match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => (
            format!("the body is not valid JSON (line {}, column {})", error.line(), error.column()),
            None,
            JsonType::Absent,
        ),
        Category::Data => {
            let found = found_at(&body, &pointer);
            if let Some(rest) = message.strip_prefix("missing field `") {
                let name = rest.split('`').next().unwrap_or_default();
                (format!("missing field `{}`", bounded(name)), Some("a value".to_string()), JsonType::Absent)
            } else {
                // serde's texts: "invalid type: <found> `<value>`, expected <what>" and the like;
                // only the part after the last "expected" is ours (a type's own description), the
                // rest may quote a value, and a value may itself say ", expected ". What still
                // holds a quote is not trusted at all.
                let expected = message
                    .rsplit_once(", expected ")
                    .or_else(|| message.strip_prefix("expected ").map(|what| ("", what)))
                    .map(|(_, what)| {
                        // Our own messages read "expected X, found Y"; the found type is reported
                        // apart.
                        let what = what.split(" at line ").next().unwrap_or(what);
                        bounded(what.split(", found ").next().unwrap_or(what))
                    })
                    .filter(|what| !what.contains('"'));
                let reason = if message.starts_with("invalid type") || message.starts_with("expected ") {
                    "the value has the wrong type"
                } else if message.starts_with("invalid value") || message.starts_with("unknown variant") {
                    "the value is not one the type allows"
                } else if message.starts_with("duplicate field") {
                    "a field appears twice"
                } else if message.starts_with("invalid length") {
                    "the value has the wrong length"
                } else {
                    "the value does not fit the declared type"
                };
                (reason.to_string(), expected, found)
            }
        }
    };
    DecodeError { status, pointer, expected, found, reason, body }
}

/// The JSON type at `pointer` in `body` (the body is parsed again only on this error path).
fn found_at(body: &[u8], pointer: &str) -> JsonType {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.pointer(pointer).map(JsonType::of))
        .unwrap_or(JsonType::Absent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_numbers_parse_only_when_grouped_in_threes() {
        assert_eq!(parse_number("700,000.00"), Some(700_000.0));
        assert_eq!(parse_number("-1,234"), Some(-1234.0));
        assert_eq!(parse_number("5.0000"), Some(5.0));
        assert_eq!(parse_number("1,23"), None);
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number("NaN"), None);
    }

    #[test]
    fn pointers_escape_keys() {
        let steps = vec![Step::Key("a/b"), Step::Index(3), Step::Name("x~y".into())];
        assert_eq!(pointer(&steps), "/x~0y/3/a~1b");
    }
}

//! Deel's request id: which response headers carry it (errors, spans and responses read it).

/// Response headers that carry Deel's request id, in order of preference.
pub const REQUEST_ID_HEADERS: &[&str] = &["x-api-req-id", "x-request-id"];

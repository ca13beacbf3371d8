//! Testing without Deel (the `testing` feature): fixtures, a replay server that answers from
//! them, and a recorder that captures them from a real environment.
//!
//! - [`fixture`]: the file format, one JSON file per exchange.
//! - [`ReplayServer`]: serves fixtures on 127.0.0.1; a request that matches none is refused with
//!   a diagnostic naming the closest fixture, and [`ReplayServer::verify`] fails the test.
//! - [`Recorder`]: a pass-through proxy that writes fixtures with secrets scrubbed ([`scrub`]).
//! - [`dispatch`]: every operation callable by name with arguments read from a fixture's request,
//!   which is how the SDK's own tests drive all of its operations.
//! - [`overlay`]: drafts learned facts (an OpenAPI Overlay) from what decoding corrected in a run.

/// Every operation callable by name (generated).
pub use deel_api_gen::dispatch;
pub mod fixture;
mod http;
pub mod overlay;
mod recorder;
mod replay;
pub mod scrub;

pub use fixture::{json_difference, Fixture, FixtureError, FixtureRequest, FixtureResponse, QueryValue};
pub use recorder::Recorder;
pub use replay::{ReplayError, ReplayServer, NO_MATCH_STATUS};

//! Project automation: `cargo xtask import`, `cargo xtask codegen [--check]`, the API diff
//! between two documents, and the measurements behind the README's compile-time figures. A
//! library, so that its integration tests (`xtask/tests/`) drive the same code as the command.

pub mod api_diff;
pub mod bench_compile;
pub mod check_areas;
pub mod codegen;
#[cfg(test)]
mod cycles;
pub mod fixtures;
pub mod import;
pub mod json;
pub mod webhooks;
pub mod workspace;

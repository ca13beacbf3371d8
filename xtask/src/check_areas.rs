//! `cargo xtask check-areas [--all]`: the facade builds with each area feature on its own.
//!
//! Features are additive, so a cfg that misses a type shows up only when an area is built
//! without the others. CI checks no area and a sample of areas alone (its other steps build the
//! default, `full`); `--all` checks each of the 91 areas alone and `full` (a few minutes).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::codegen;

/// Areas CI builds alone: the facade's own dependency (`worker-session`), the largest areas and
/// ones whose types are shared widely.
const SAMPLE: &[&str] = &["worker-session", "contracts", "ats", "people", "timesheets", "webhooks"];

/// `cargo xtask check-areas [--all]`.
pub fn run(root: &Path, all: bool) -> Result<(), String> {
    let areas = codegen::areas(root)?;
    let mut sets: Vec<String> = vec![String::new()];
    if all {
        sets.extend(areas.iter().cloned());
    } else {
        for a in SAMPLE {
            if !areas.contains(*a) {
                return Err(format!("sample area `{a}` is not an area of openapi/"));
            }
            sets.push(a.to_string());
        }
    }
    // The default build (clippy, tests) is `full` already; build it again only when asked for all.
    if all {
        sets.push("full".into());
    }
    let mut failed = Vec::new();
    for features in &sets {
        let start = Instant::now();
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.current_dir(root).args(["check", "--quiet", "-p", "deel-api", "--no-default-features"]);
        if !features.is_empty() {
            cmd.args(["--features", features]);
        }
        let ok = cmd.status().map_err(|e| format!("cannot start cargo: {e}"))?.success();
        let name = if features.is_empty() { "(no area)" } else { features };
        println!(
            "check-areas: {name:<32} {} {:.1}s",
            if ok { "ok" } else { "FAILED" },
            start.elapsed().as_secs_f64()
        );
        if !ok {
            failed.push(name.to_string());
        }
    }
    if failed.is_empty() {
        println!("check-areas: {}/{} feature sets build", sets.len(), sets.len());
        Ok(())
    } else {
        Err(format!("these feature sets do not build: {}", failed.join(", ")))
    }
}

//! `cargo xtask bench-compile [--from <Deel's openapi.json>]`: what the generated crate costs to
//! build, against progenitor's defaults, in one run on this machine.
//!
//! Builds, each as a debug build with its dependencies already built and incremental compilation
//! off (a clean build of the crate itself, as in CI or a first `cargo build`):
//! - (a) naive: progenitor's default output for Deel's spec normalized only as far as progenitor
//!   needs (every pass except the ones that exist to shrink the crate);
//! - (a') progenitor's default output for the committed `openapi/` (the size passes applied);
//! - (b) `deel-api-gen` with every area;
//! - (c) `deel-api-gen` with only `worker-session`.
//!
//! Peak memory is the largest resident set of any process of the build (rustc, for these
//! crates), read from the kernel's accounting of the finished `cargo` process tree.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::{codegen, import};

/// One measured build.
struct Measure {
    label: &'static str,
    lines: usize,
    wall: Duration,
    peak_bytes: u64,
}

/// `cargo xtask bench-compile`.
pub fn run(root: &Path, from: &Path) -> Result<(), String> {
    let scratch = root.join("target/bench-compile");
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;

    let upstream = import::read_document(from)?;
    let naive = import::import_without(upstream, import::SIZE_PASSES)?.document;
    let naive_dir = scratch.join("naive");
    let naive_lines = codegen::raw_crate(naive, false, &naive_dir)?;
    let committed = import::read_document(&root.join(import::OUTPUT))?;
    let raw_dir = scratch.join("raw");
    let raw_lines = codegen::raw_crate(committed, false, &raw_dir)?;
    let gen_lines = count_lines(&root.join("deel-api-gen/src"))?;

    let scratch_target = scratch.join("target");
    let mut results = Vec::new();
    for (label, dir, lines) in [
        ("(a) naive progenitor output", &naive_dir, naive_lines),
        ("(a') progenitor output of openapi/", &raw_dir, raw_lines),
    ] {
        // Lock versions like the workspace's, so both sides build the same dependency versions.
        let _ = std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"));
        let manifest = dir.join("Cargo.toml");
        let build = |label| -> Result<Measure, String> {
            measure(label, lines, cargo(root, &["build", "--manifest-path"], &manifest, &scratch_target, &[]))
        };
        // Dependencies first, from a stub crate; then the real source, measured.
        let lib = dir.join("src/lib.rs");
        let source = std::fs::read_to_string(&lib).map_err(|e| e.to_string())?;
        std::fs::write(&lib, "").map_err(|e| e.to_string())?;
        build("dependencies")?;
        std::fs::write(&lib, source).map_err(|e| e.to_string())?;
        results.push(build(label)?);
    }
    let manifest = root.join("deel-api-gen/Cargo.toml");
    let target = root.join("target");
    for (label, features) in
        [("(b) deel-api-gen, all areas", "full"), ("(c) deel-api-gen, worker-session only", "worker-session")]
    {
        let args = ["--no-default-features", "--features", features];
        // Prebuild the dependencies, then clean the crate itself so that it builds from scratch.
        measure("dependencies", 0, cargo(root, &["build", "--manifest-path"], &manifest, &target, &args))?;
        measure(
            "clean",
            0,
            cargo(root, &["clean", "-p", "deel-api-gen", "--manifest-path"], &manifest, &target, &[]),
        )?;
        results.push(measure(
            label,
            gen_lines,
            cargo(root, &["build", "--manifest-path"], &manifest, &target, &args),
        )?);
    }

    println!("bench-compile: debug builds of the crate alone, dependencies prebuilt, CARGO_INCREMENTAL=0");
    println!("  {:<40} {:>9} {:>10} {:>12}", "build", "lines", "wall", "peak memory");
    for m in &results {
        println!(
            "  {:<40} {:>9} {:>9.1}s {:>9.2} GB",
            m.label,
            m.lines,
            m.wall.as_secs_f64(),
            m.peak_bytes as f64 / 1e9
        );
    }
    if let [a, a2, b, c] = results.as_slice() {
        for (x, base) in [(b, a), (c, a), (b, a2), (c, a2)] {
            println!(
                "  {} / {}: time {:.3}x, peak memory {:.3}x",
                &x.label[..3],
                base.label.split(' ').next().unwrap_or(""),
                x.wall.as_secs_f64() / base.wall.as_secs_f64(),
                x.peak_bytes as f64 / base.peak_bytes as f64
            );
        }
    }
    Ok(())
}

/// A `cargo` command for `manifest`, with its own target directory and incremental builds off.
fn cargo(root: &Path, verb: &[&str], manifest: &Path, target: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root)
        .args(verb)
        .arg(manifest)
        .args(["--quiet", "--target-dir"])
        .arg(target)
        .args(args)
        .env("CARGO_INCREMENTAL", "0");
    cmd
}

/// Runs `cmd` to completion; its wall time and the peak RSS of its process tree.
fn measure(label: &'static str, lines: usize, mut cmd: Command) -> Result<Measure, String> {
    let start = Instant::now();
    let child = cmd.spawn().map_err(|e| format!("{label}: cannot start cargo: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our own child, reaped here
    // (std's `Child` is dropped without waiting, which neither kills nor reaps it).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if reaped != pid {
        return Err(format!("{label}: wait4 failed: {}", std::io::Error::last_os_error()));
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        return Err(format!("{label}: the build failed"));
    }
    // ru_maxrss is in KiB on Linux, and covers the waited-for descendants (rustc).
    Ok(Measure { label, lines, wall, peak_bytes: usage.ru_maxrss as u64 * 1024 })
}

fn count_lines(dir: &Path) -> Result<usize, String> {
    let mut total = 0;
    let mut dirs: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| e.to_string())?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                total += std::fs::read_to_string(&path).map_err(|e| e.to_string())?.lines().count();
            }
        }
    }
    Ok(total)
}

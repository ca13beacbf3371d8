//! `cargo xtask`: the command line over the [`xtask`] library.

use xtask::workspace::workspace_root;
use xtask::{api_diff, bench_compile, check_areas, codegen, fixtures, import, webhooks};

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage:
  cargo xtask import --from <openapi.json|yaml> [--out openapi/deel-api.json]
  cargo xtask codegen [--check]
  cargo xtask api-diff <old> <new> [--changelog]            (public API changes and semver verdict; upstream or normalized documents)
  cargo xtask raw --style positional|builder --out <dir>   (progenitor's unmodified output, for measurements)
  cargo xtask bench-compile [--from <openapi.json>]         (build time and memory vs progenitor's defaults)
  cargo xtask fixtures                                      (draft a fixture for each operation that has none)
  cargo xtask fixtures --conform                            (make every fixture's request honour formats, enums and branches)
  cargo xtask check-areas [--all]                           (deel-api builds with each area feature alone)
  cargo xtask webhooks --from <dir>                         (Deel's webhook event catalogue, harvested into dir → openapi/webhooks/)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("import") => {
            let from = flag(&args, "--from");
            let out = flag(&args, "--out").map(PathBuf::from).unwrap_or_else(|| root.join(import::OUTPUT));
            match from {
                Some(from) => import::run(Path::new(&from), &out),
                None => Err(format!("import needs --from\n{USAGE}")),
            }
        }
        Some("codegen") => codegen::run(&root, args.iter().any(|a| a == "--check")),
        Some("api-diff") => match (args.get(1), args.get(2)) {
            (Some(old), Some(new)) if !old.starts_with("--") && !new.starts_with("--") => {
                api_diff(Path::new(old), Path::new(new), args.iter().any(|a| a == "--changelog"))
            }
            _ => Err(format!("api-diff needs two documents\n{USAGE}")),
        },
        Some("raw") => match flag(&args, "--out") {
            Some(out) => {
                codegen::raw(&root, flag(&args, "--style").as_deref() == Some("builder"), Path::new(&out))
            }
            None => Err(format!("raw needs --out\n{USAGE}")),
        },
        Some("bench-compile") => {
            let from = flag(&args, "--from")
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join("../shared/reference/deel-openapi.json"));
            bench_compile::run(&root, &from)
        }
        Some("fixtures") if args.iter().any(|a| a == "--conform") => fixtures::conform(&root),
        Some("fixtures") => fixtures::run(&root),
        Some("check-areas") => check_areas::run(&root, args.iter().any(|a| a == "--all")),
        Some("webhooks") => match flag(&args, "--from") {
            Some(from) => webhooks::run(&root, Path::new(&from)),
            None => Err(format!("webhooks needs --from\n{USAGE}")),
        },
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask api-diff OLD NEW [--changelog]`.
fn api_diff(old: &Path, new: &Path, changelog: bool) -> Result<(), String> {
    let diff = api_diff::diff(&import::normalized(old)?, &import::normalized(new)?);
    print!("{}", if changelog { diff.changelog("Unreleased") } else { diff.report() });
    Ok(())
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

//! `cargo xtask import`: Deel's published OpenAPI 3.1 document → the project's own normalized
//! OpenAPI 3.0 document in `openapi/`.
//!
//! The importer keeps facts only (paths, methods, parameters, schema structure, enum values,
//! status codes, servers, scopes) and drops every piece of upstream prose. Each transformation is
//! a small named pass in [`passes`]; the report lists how many places each one touched.

pub mod anchors;
pub mod name_rules;
pub mod overlay;
pub mod passes;
pub mod personal;
pub mod pinned_names;
pub mod words;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::json;

/// Where the normalized document lives, relative to the workspace root.
pub const OUTPUT: &str = "openapi/deel-api.json";

/// One line of the import report.
#[derive(Debug)]
pub struct PassReport {
    pub name: &'static str,
    pub touched: usize,
}

/// The outcome of an import.
#[derive(Debug)]
pub struct Import {
    pub document: Value,
    pub passes: Vec<PassReport>,
    pub overlays: Vec<overlay::Applied>,
    /// What the last step, naming, did (absent when it did not run).
    pub named: Option<pinned_names::Named>,
    pub operations_in: usize,
    pub operations_out: usize,
}

impl Import {
    /// Human-readable report, one pass per line.
    pub fn report(&self) -> String {
        let mut s = String::from("import report\n");
        for p in &self.passes {
            let _ = writeln!(s, "  {:<28} {:>6}", p.name, p.touched);
        }
        for o in &self.overlays {
            let _ = writeln!(s, "  overlay {:<36} {:>3} actions, {} nodes", o.name, o.actions, o.nodes);
        }
        if let Some(n) = &self.named {
            let _ = writeln!(
                s,
                "  names: {} operations, {} renamed; {} types, {} request bodies named; {} new, {} dropped",
                n.file.operations.len(),
                n.operations_renamed,
                n.file.types.len(),
                n.bodies_named,
                n.new.len(),
                n.dropped.len()
            );
        }
        let _ = writeln!(s, "  operations in {}, out {}", self.operations_in, self.operations_out);
        s
    }
}

pub use crate::json::read_document;

/// The passes that only make the generated crate smaller (no behaviour depends on them).
pub const SIZE_PASSES: &[&str] = &["dedupe_schemas", "prune_unreachable"];

/// Runs every pass over `upstream`, in order, and checks that no operation was lost.
pub fn import(doc: Value) -> Result<Import, String> {
    import_without(doc, &[])
}

/// [`import`], then the learned-facts overlays (name and document), in order.
pub fn import_with(doc: Value, overlays: &[(String, Value)]) -> Result<Import, String> {
    let mut result = import(doc)?;
    let mut doc = std::mem::take(&mut result.document);
    for (name, o) in overlays {
        result.overlays.push(overlay::apply(&mut doc, name, o)?);
    }
    result.document = json::canonical(doc);
    Ok(result)
}

/// [`import_with`], then naming ([`pinned_names::apply`]) with the names file's entries first.
pub fn import_named(
    doc: Value,
    overlays: &[(String, Value)],
    pinned: &pinned_names::NamesFile,
) -> Result<Import, String> {
    let mut result = import_with(doc, overlays)?;
    let mut doc = std::mem::take(&mut result.document);
    result.named = Some(pinned_names::apply(&mut doc, pinned)?);
    result.document = json::canonical(doc);
    Ok(result)
}

/// [`import`] with the named passes left out (to measure what they save).
pub fn import_without(mut doc: Value, skip: &[&str]) -> Result<Import, String> {
    if !doc.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.")) {
        return Err("input is not an OpenAPI 3.x document (no `openapi: 3.x` field)".into());
    }
    let before = operation_keys(&mut doc);
    let mut reports = Vec::new();
    for (name, pass) in passes::ALL.iter().filter(|(name, _)| !skip.contains(name)) {
        let touched = pass(&mut doc)?;
        reports.push(PassReport { name, touched });
    }
    let after = operation_keys(&mut doc);
    // Every upstream operation must come out under the same method and path (less the API
    // prefix the importer adds).
    let key = |(m, p, _): &(String, String, String)| {
        let p = p.strip_prefix("/rest/v2").or_else(|| p.strip_prefix("/scim/v2")).unwrap_or(p);
        format!("{} {p}", m.to_uppercase())
    };
    let upstream: BTreeSet<String> = before.iter().map(key).collect();
    let normalized: BTreeSet<String> = after.iter().map(key).collect();
    let missing: Vec<&String> = upstream.difference(&normalized).collect();
    let ids: BTreeSet<&String> = after.iter().map(|(_, _, id)| id).collect();
    if !missing.is_empty() || after.len() != before.len() || ids.len() != after.len() {
        return Err(format!(
            "operations lost in import: {} in, {} out, {} distinct ids; missing: {missing:?}",
            before.len(),
            after.len(),
            ids.len()
        ));
    }
    Ok(Import {
        document: json::canonical(doc),
        passes: reports,
        overlays: Vec::new(),
        named: None,
        operations_in: before.len(),
        operations_out: after.len(),
    })
}

fn operation_keys(doc: &mut Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    json::for_each_operation(doc, &mut |path, method, op| {
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
        out.push((method.to_string(), path.to_string(), id));
    });
    out
}

/// Serializes the document the way it is committed: pretty-printed, sorted keys, trailing newline.
pub fn render(doc: &Value) -> Result<String, String> {
    let mut text = serde_json::to_string_pretty(doc).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

/// A document to compare: a normalized one as it is, an upstream one (not OpenAPI 3.0, as Deel
/// publishes it) through the importer with the committed overlays and names.
pub fn normalized(path: &Path) -> Result<Value, String> {
    let doc = read_document(path)?;
    if doc.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.0")) {
        return Ok(doc);
    }
    let root = crate::workspace::workspace_root();
    let overlays = overlay::load(&root.join(overlay::DIR))?;
    let pinned = pinned_names::NamesFile::load(&root.join(pinned_names::FILE))?;
    Ok(import_named(doc, &overlays, &pinned)?.document)
}

/// `cargo xtask import --from PATH [--out PATH]`.
pub fn run(from: &Path, out: &Path) -> Result<(), String> {
    let upstream = read_document(from)?;
    let overlays = overlay::load(&crate::workspace::workspace_root().join(overlay::DIR))?;
    let names_path = crate::workspace::workspace_root().join(pinned_names::FILE);
    let pinned = pinned_names::NamesFile::load(&names_path)?;
    let result = import_named(upstream, &overlays, &pinned)?;
    let text = render(&result.document)?;
    // What the new document changes for users, against the one it replaces; drafted into the
    // changelog for the maintainer to edit.
    let previous = read_document(out).ok();
    if let Some(previous) = &previous {
        let diff = crate::api_diff::diff(previous, &result.document);
        print!("{}", diff.report());
        let changelog = crate::workspace::workspace_root().join(crate::api_diff::CHANGELOG);
        if let Ok(existing) = std::fs::read_to_string(&changelog) {
            let drafted = crate::api_diff::draft_changelog(&existing, &diff);
            if drafted != existing {
                std::fs::write(&changelog, drafted)
                    .map_err(|e| format!("writing {}: {e}", changelog.display()))?;
                println!("  drafted the changes into {}", crate::api_diff::CHANGELOG);
            }
        }
    }
    if let Some(named) = &result.named {
        let names_text = named.file.render()?;
        std::fs::write(&names_path, names_text)
            .map_err(|e| format!("writing {}: {e}", names_path.display()))?;
    }
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    std::fs::write(out, text).map_err(|e| format!("writing {}: {e}", out.display()))?;
    print!("{}", result.report());
    println!("  wrote {}", out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Value {
        let path = crate::workspace::workspace_root().join("../shared/reference/deel-openapi.json");
        match read_document(&path) {
            Ok(doc) => doc,
            Err(e) => panic!("the reference spec must sit beside the checkout, as in CI: {e}"),
        }
    }

    #[test]
    fn reference_import_reproduces_the_committed_document() {
        let overlays = overlay::load(&crate::workspace::workspace_root().join(overlay::DIR))
            .unwrap_or_else(|e| panic!("{e}"));
        let pinned =
            pinned_names::NamesFile::load(&crate::workspace::workspace_root().join(pinned_names::FILE))
                .unwrap_or_else(|e| panic!("{e}"));
        let first = import_named(reference(), &overlays, &pinned).unwrap_or_else(|e| panic!("{e}"));
        let second = import_named(reference(), &overlays, &pinned).unwrap_or_else(|e| panic!("{e}"));
        let text = render(&first.document);
        assert_eq!(text, render(&second.document), "import is not deterministic");
        let committed = std::fs::read_to_string(crate::workspace::workspace_root().join(OUTPUT)).ok();
        assert!(
            committed == text.ok(),
            "openapi/ is stale: run `cargo xtask import --from ../shared/reference/deel-openapi.json`"
        );
        // Every public name comes from the committed file: a name that moved, or one chosen by
        // rule that the file does not record yet, fails here.
        let named = first.named.unwrap_or_default();
        assert!(named.new.is_empty(), "names chosen by rule, not in {}: {:?}", pinned_names::FILE, named.new);
        assert!(
            named.dropped.is_empty(),
            "entries of {} that match nothing: {:?}",
            pinned_names::FILE,
            named.dropped
        );
        assert_eq!(named.file, pinned, "{} is not what import writes", pinned_names::FILE);
    }

    #[test]
    fn reference_import_keeps_all_393_operations() {
        let result = import(reference()).map_err(|e| e.to_string());
        let counts = result.as_ref().map(|i| (i.operations_in, i.operations_out));
        assert_eq!(counts, Ok((393, 393)));
        let report = result.map(|i| i.report()).unwrap_or_default();
        assert!(report.contains("operations in 393, out 393"), "{report}");
    }

    #[test]
    fn the_importer_applies_overlays_after_its_passes_and_reports_them() {
        let upstream = serde_json::json!({
            "openapi": "3.1.0", "info": { "title": "t", "version": "1", "description": "dropped by strip_prose" },
            "paths": {}
        });
        let o = serde_json::json!({ "overlay": "1.0.0", "info": { "title": "t", "version": "1" }, "actions": [{
            "target": "$.info", "update": { "x-learned": true },
            "x-source": "a test", "x-why": "shows the overlay runs after the passes"
        }] });
        let result = import_with(upstream, &[("learned.yaml".into(), o)]);
        let result = result.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(result.document.pointer("/info/x-learned"), Some(&Value::Bool(true)));
        assert!(result.report().contains("overlay learned.yaml"), "{}", result.report());
        assert!(result.report().contains("1 actions, 1 nodes"), "{}", result.report());
    }

    #[test]
    fn yaml_documents_are_read() {
        let path = std::env::temp_dir().join(format!("deel-rs-import-{}.yaml", std::process::id()));
        let written = std::fs::write(&path, "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
        assert!(written.is_ok());
        let doc = read_document(&path);
        let _ = std::fs::remove_file(&path);
        assert_eq!(doc.ok().and_then(|d| d.get("openapi").cloned()), Some(Value::from("3.1.0")));
    }

    #[test]
    fn documents_that_are_not_openapi_3_are_refused() {
        let err = import(serde_json::json!({ "swagger": "2.0" })).err().unwrap_or_default();
        assert!(err.contains("not an OpenAPI 3.x document"), "{err}");
    }
}

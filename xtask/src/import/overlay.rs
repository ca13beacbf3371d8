//! Learned facts: OpenAPI Overlay 1.0 documents in `openapi/overlays/`, applied by the importer
//! after its passes, in file-name order.
//!
//! Real traffic teaches what the published spec gets wrong (a field it marks required that Deel
//! leaves out, an envelope without `data`). Each such fact is an overlay action whose `target`
//! is a JSONPath (RFC 9535) into the normalized document, with `update` (merged in) or `remove`,
//! and two fields the project requires: `x-source` (a recording in this repository or a public
//! documentation URL) and `x-why`. An action whose target selects nothing is an error, so a fact
//! that no longer applies is noticed at the next import.

use std::path::Path;

use serde_json::Value;
use serde_json_path::JsonPath;

/// Where overlays live, relative to the workspace root.
pub const DIR: &str = "openapi/overlays";

/// What applying one overlay did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The overlay's file name.
    pub name: String,
    /// Actions applied.
    pub actions: usize,
    /// Nodes the actions changed or removed.
    pub nodes: usize,
}

/// Reads every overlay in `dir` (JSON or YAML), sorted by file name; none when `dir` is absent.
pub fn load(dir: &Path) -> Result<Vec<(String, Value)>, String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(Vec::new()) };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "yaml" | "yml")))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            crate::json::read_document(&p).map(|doc| (name, doc))
        })
        .collect()
}

/// Applies one overlay document to `doc`.
pub fn apply(doc: &mut Value, name: &str, overlay: &Value) -> Result<Applied, String> {
    let version = overlay.get("overlay").and_then(Value::as_str).unwrap_or_default();
    if !version.starts_with("1.") {
        return Err(format!("{name}: not an Overlay 1.x document (`overlay: {version}`)"));
    }
    let actions = overlay
        .get("actions")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{name}: no `actions` list"))?;
    let mut nodes = 0;
    for (i, action) in actions.iter().enumerate() {
        let at = |what: &str| format!("{name}: action {i}: {what}");
        for required in ["x-source", "x-why"] {
            if action.get(required).and_then(Value::as_str).is_none_or(|s| s.trim().is_empty()) {
                return Err(at(&format!(
                    "needs `{required}`: every learned fact says where it comes from and why"
                )));
            }
        }
        let target = action.get("target").and_then(Value::as_str).ok_or_else(|| at("no `target`"))?;
        let path = JsonPath::parse(target).map_err(|e| at(&format!("target `{target}`: {e}")))?;
        let pointers: Vec<String> =
            path.query_located(doc).locations().map(|l| l.to_json_pointer()).collect();
        if pointers.is_empty() {
            return Err(at(&format!("target `{target}` selects nothing (is the fact stale?)")));
        }
        let remove = action.get("remove").and_then(Value::as_bool).unwrap_or(false);
        match (remove, action.get("update")) {
            (true, _) => {
                // Last first, so that removing array elements keeps the other indices valid.
                for pointer in pointers.iter().rev() {
                    remove_at(doc, pointer).ok_or_else(|| at(&format!("cannot remove {pointer}")))?;
                }
            }
            (false, Some(update)) => {
                for pointer in &pointers {
                    let node = doc.pointer_mut(pointer).ok_or_else(|| at(&format!("lost {pointer}")))?;
                    merge(node, update);
                }
            }
            (false, None) => return Err(at("has neither `update` nor `remove: true`")),
        }
        nodes += pointers.len();
    }
    Ok(Applied { name: name.to_string(), actions: actions.len(), nodes })
}

/// Overlay 1.0 merge: objects merge recursively, arrays append, anything else replaces.
fn merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(t), Value::Object(u)) => {
            for (k, v) in u {
                match t.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(u)) => t.extend(u.iter().cloned()),
        (t, u) => *t = u.clone(),
    }
}

/// Removes the node at `pointer` from its parent object or array.
fn remove_at(doc: &mut Value, pointer: &str) -> Option<Value> {
    let (parent, last) = pointer.rsplit_once('/')?;
    let key = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent)? {
        Value::Object(map) => map.remove(&key),
        Value::Array(items) => {
            let i: usize = key.parse().ok()?;
            (i < items.len()).then(|| items.remove(i))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({ "components": { "schemas": {
            "TimeOff": { "type": "object", "required": ["id", "created_at"],
                         "properties": { "id": { "type": "string" }, "created_at": { "type": "string" } } },
            "Envelope": { "type": "object", "required": ["data"],
                          "properties": { "data": { "type": "array", "items": { "$ref": "#/components/schemas/TimeOff" } } } }
        } } })
    }

    fn overlay(actions: Value) -> Value {
        json!({ "overlay": "1.0.0", "info": { "title": "t", "version": "1" }, "actions": actions })
    }

    #[test]
    fn a_required_field_becomes_optional_and_is_reported() {
        let mut d = doc();
        let o = overlay(json!([{
            "target": "$.components.schemas.TimeOff.required[?@ == 'created_at']", "remove": true,
            "x-source": "deel-api/fixtures/recorded/x.json", "x-why": "left out in a recording"
        }]));
        let applied = apply(&mut d, "learned.yaml", &o);
        assert_eq!(applied, Ok(Applied { name: "learned.yaml".into(), actions: 1, nodes: 1 }));
        assert_eq!(d.pointer("/components/schemas/TimeOff/required"), Some(&json!(["id"])));
    }

    #[test]
    fn an_update_merges_objects_and_appends_arrays() {
        let mut d = doc();
        let o = overlay(json!([{
            "target": "$.components.schemas.Envelope", "x-source": "https://example.test/docs", "x-why": "w",
            "update": { "properties": { "policies": { "type": "array" } }, "required": ["policies"] }
        }]));
        assert!(apply(&mut d, "o", &o).is_ok());
        assert_eq!(d.pointer("/components/schemas/Envelope/required"), Some(&json!(["data", "policies"])));
        assert_eq!(d.pointer("/components/schemas/Envelope/properties/data/type"), Some(&json!("array")));
        assert!(d.pointer("/components/schemas/Envelope/properties/policies").is_some());
    }

    #[test]
    fn an_action_without_source_or_with_a_stale_target_is_refused() {
        let mut d = doc();
        let no_source = overlay(json!([{ "target": "$.components", "remove": true, "x-why": "w" }]));
        assert!(apply(&mut d, "o", &no_source).is_err_and(|e| e.contains("x-source")));
        let stale = overlay(
            json!([{ "target": "$.components.schemas.Gone", "remove": true, "x-source": "s", "x-why": "w" }]),
        );
        assert!(apply(&mut d, "o", &stale).is_err_and(|e| e.contains("selects nothing")));
        let not_overlay = json!({ "actions": [] });
        assert!(apply(&mut d, "o", &not_overlay).is_err_and(|e| e.contains("Overlay 1.x")));
    }
}

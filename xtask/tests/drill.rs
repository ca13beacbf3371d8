//! A regeneration drill: Deel's document changed the way Deel changes it, in a copy made here
//! (never committed), imported with the committed overlays and names, and compared with the
//! reference's import by the API diff.
//!
//! - The drill: a new area with two operations, one operation removed, and a new required
//!   field in the `POST /workers/session` response, written inline as a restructured document
//!   would (so the schema's importer key moves). Every public type name survives except those
//!   only the removed operation used; the verdict is major, because an operation is gone, and
//!   the additive part alone is minor.
//! - A response field removed: major.
//! - An enum value added: minor.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use xtask::api_diff::{self, ApiDiff, Level};
use xtask::import::{self, anchors, overlay, pinned_names::NamesFile};
use xtask::workspace::workspace_root;

/// Deel's published document, as CI has it beside the checkout.
fn reference() -> Value {
    let path = workspace_root().join("../shared/reference/deel-openapi.json");
    import::read_document(&path)
        .unwrap_or_else(|e| panic!("the reference spec must sit beside the checkout: {e}"))
}

/// `doc` imported as `cargo xtask import` would, with the committed overlays and names.
fn imported(doc: Value) -> Value {
    let root = workspace_root();
    let overlays = overlay::load(&root.join(overlay::DIR)).unwrap_or_else(|e| panic!("{e}"));
    let pinned = NamesFile::load(&root.join(import::pinned_names::FILE)).unwrap_or_else(|e| panic!("{e}"));
    import::import_named(doc, &overlays, &pinned).unwrap_or_else(|e| panic!("{e}")).document
}

/// The public type names of a normalized document.
fn type_names(doc: &Value) -> BTreeSet<String> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default()
}

/// The verdict's level and reason.
fn verdict(diff: &ApiDiff) -> (Level, String) {
    diff.verdict().map(|(l, c)| (l, c.what.clone())).unwrap_or_else(|| panic!("no change found"))
}

/// A new area, `gizmos`, with a list and a create operation, in Deel's own document style.
fn add_gizmos(doc: &mut Value) {
    let r = |n: &str| json!({ "$ref": format!("#/components/schemas/{n}") });
    let json_of = |schema: Value| json!({ "content": { "application/json": { "schema": schema } } });
    doc["paths"]["/gizmos"] = json!({
        "get": {
            "operationId": "list-gizmos",
            "tags": ["subpackage_gizmos"],
            "description": "**Token scopes**: `gizmos:read`",
            "parameters": [{ "name": "limit", "in": "query", "required": false, "schema": { "type": "integer" } }],
            "responses": { "200": json_of(r("Gizmos_listGizmos_Response_200")) }
        },
        "post": {
            "operationId": "create-gizmo",
            "tags": ["subpackage_gizmos"],
            "description": "**Token scopes**: `gizmos:write`",
            "requestBody": json_of(json!({ "type": "object", "properties": { "data": r("GizmosPostRequestBodyContentApplicationJsonSchemaData") }, "required": ["data"] })),
            "responses": { "201": json_of(r("Gizmos_createGizmo_Response_201")) }
        }
    });
    let schemas = &mut doc["components"]["schemas"];
    schemas["GizmoItem"] = json!({ "type": "object", "properties": {
        "id": { "type": "string" }, "label": { "type": "string" }, "weight_grams": { "type": "integer" }
    }, "required": ["id", "label"] });
    schemas["Gizmos_listGizmos_Response_200"] = json!({ "type": "object", "properties": { "data": { "type": "array", "items": r("GizmoItem") } }, "required": ["data"] });
    schemas["Gizmos_createGizmo_Response_201"] =
        json!({ "type": "object", "properties": { "data": r("GizmoItem") }, "required": ["data"] });
    schemas["GizmosPostRequestBodyContentApplicationJsonSchemaData"] =
        json!({ "type": "object", "properties": { "label": { "type": "string" } }, "required": ["label"] });
}

/// A new required field in the worker session's `data`, which the new document writes inline.
fn add_session_field(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    let data_key = "WorkersSessionPostResponsesContentApplicationJsonSchemaData";
    let mut data = schemas[data_key].clone();
    data["properties"]["session_id"] = json!({ "type": "string" });
    data["required"].as_array_mut().unwrap_or_else(|| panic!("required is a list")).push(json!("session_id"));
    if let Some(title) = data.as_object_mut() {
        title.remove("title");
    }
    schemas["Worker Session_createWorkerAccessToken_Response_201"]["properties"]["data"] = data;
    if let Some(all) = schemas.as_object_mut() {
        all.remove(data_key);
    }
}

const REMOVED: (&str, &str) = ("/adjustments/categories", "get");

fn remove_operation(doc: &mut Value) {
    let (path, method) = REMOVED;
    if let Some(item) = doc["paths"][path].as_object_mut() {
        item.remove(method);
    }
    if doc["paths"][path].as_object().is_some_and(|i| i.is_empty()) {
        if let Some(paths) = doc["paths"].as_object_mut() {
            paths.remove(path);
        }
    }
}

#[test]
fn a_regeneration_renames_nothing_and_says_what_changed() {
    let base = imported(reference());
    let base_names = type_names(&base);

    let mut drill = reference();
    add_gizmos(&mut drill);
    add_session_field(&mut drill);
    remove_operation(&mut drill);
    let drilled = imported(drill);
    let drilled_names = type_names(&drilled);

    // The types only the removed operation used (by the base document's uses).
    let removed_op = format!("{} /rest/v2{}", REMOVED.1.to_uppercase(), REMOVED.0);
    let uses = anchors::uses(&base);
    let only_removed: BTreeSet<String> = base_names
        .iter()
        .filter(|t| {
            let mine: Vec<_> = uses.iter().filter(|u| &u.schema == *t).collect();
            !mine.is_empty() && mine.iter().all(|u| u.anchor.starts_with(&format!("{removed_op} ")))
        })
        .cloned()
        .collect();
    assert!(!only_removed.is_empty(), "the removed operation had types of its own");
    let lost: BTreeSet<&String> = base_names.difference(&drilled_names).collect();
    let expected: BTreeSet<&String> = only_removed.iter().collect();
    assert_eq!(lost, expected, "every type name survives but the removed operation's");
    assert!(drilled_names.contains("WorkerAccessToken"), "the session's data keeps its name");
    assert_eq!(
        drilled
            .pointer("/components/schemas/WorkerAccessToken/required")
            .and_then(Value::as_array)
            .map(Vec::len),
        Some(3),
        "and has the new field"
    );

    let diff = api_diff::diff(&base, &drilled);
    assert!(diff.renamed_types().is_empty(), "no public type renamed:\n{}", diff.report());
    let (level, reason) = verdict(&diff);
    assert_eq!(level, Level::Major, "{}", diff.report());
    assert!(
        reason.contains("operation `get_adjustment_categories`") && reason.contains("removed"),
        "{reason}"
    );
    let whats: Vec<&str> = diff.changes.iter().map(|c| c.what.as_str()).collect();
    for expected in [
        "operation `list_gizmos` (GET /rest/v2/gizmos) added",
        "operation `create_gizmo` (POST /rest/v2/gizmos) added",
        "field `WorkerAccessToken.session_id` (string, required) added",
    ] {
        assert!(whats.contains(&expected), "missing `{expected}` in:\n{}", diff.report());
    }

    // The same drill without the removal is additive: minor.
    let mut additive = reference();
    add_gizmos(&mut additive);
    add_session_field(&mut additive);
    let diff = api_diff::diff(&base, &imported(additive));
    assert!(diff.renamed_types().is_empty(), "{}", diff.report());
    assert_eq!(verdict(&diff).0, Level::Minor, "{}", diff.report());
}

#[test]
fn a_removed_response_field_is_major() {
    let base = imported(reference());
    let mut doc = reference();
    let data =
        &mut doc["components"]["schemas"]["WorkersSessionPostResponsesContentApplicationJsonSchemaData"];
    if let Some(properties) = data["properties"].as_object_mut() {
        properties.remove("expires_at");
    }
    data["required"] = json!(["token"]);
    let diff = api_diff::diff(&base, &imported(doc));
    assert!(diff.renamed_types().is_empty(), "{}", diff.report());
    assert_eq!(
        verdict(&diff),
        (Level::Major, "field `WorkerAccessToken.expires_at` removed".to_string()),
        "{}",
        diff.report()
    );
    assert_eq!(diff.changes.len(), 1, "{}", diff.report());
}

#[test]
fn an_added_enum_value_is_minor() {
    let base = imported(reference());
    let mut doc = reference();
    // An enum no other schema repeats, so that the change is to one type.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object_mut().unwrap_or_else(|| panic!("schemas"));
    let key = schemas
        .iter()
        .filter(|(_, s)| s.get("type") == Some(&json!("string")))
        .find(|(_, s)| s.get("enum").is_some_and(|e| text.matches(&e.to_string()).count() == 1))
        .map(|(k, _)| k.clone())
        .unwrap_or_else(|| panic!("an enum of its own"));
    schemas[&key]["enum"].as_array_mut().unwrap_or_else(|| panic!("values")).push(json!("drill_new_value"));
    let diff = api_diff::diff(&base, &imported(doc));
    assert!(diff.renamed_types().is_empty(), "{}", diff.report());
    let (level, reason) = verdict(&diff);
    assert_eq!(level, Level::Minor, "{}", diff.report());
    assert!(reason.starts_with("value `drill_new_value` of enum"), "{reason}");
    assert_eq!(diff.changes.len(), 1, "{}", diff.report());
}

//! Small helpers for walking an OpenAPI document held as `serde_json::Value`.
//!
//! The upstream document is OpenAPI 3.1, which `openapiv3` cannot parse, so the importer works
//! on plain JSON and only hands a 3.0 document to the typed parser at the end.

use std::path::Path;

use serde_json::{Map, Value};

/// HTTP methods that may appear as keys of a path item.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Calls `f` on every schema object reachable from `doc` (components, parameters, bodies,
/// responses, headers and every nested subschema), parents before children.
pub fn for_each_schema(doc: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for schema in schemas.values_mut() {
            visit_schema(schema, f);
        }
    }
    for_each_operation(doc, &mut |_, _, op| {
        if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
            for p in params {
                if let Some(s) = p.get_mut("schema") {
                    visit_schema(s, f);
                }
            }
        }
        if let Some(content) =
            op.get_mut("requestBody").and_then(|b| b.get_mut("content")).and_then(Value::as_object_mut)
        {
            for media in content.values_mut() {
                if let Some(s) = media.get_mut("schema") {
                    visit_schema(s, f);
                }
            }
        }
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for response in responses.values_mut() {
                visit_response_schemas(response, f);
            }
        }
    });
    if let Some(responses) = doc.pointer_mut("/components/responses").and_then(Value::as_object_mut) {
        for response in responses.values_mut() {
            visit_response_schemas(response, f);
        }
    }
}

fn visit_response_schemas(response: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
        for media in content.values_mut() {
            if let Some(s) = media.get_mut("schema") {
                visit_schema(s, f);
            }
        }
    }
    if let Some(headers) = response.get_mut("headers").and_then(Value::as_object_mut) {
        for h in headers.values_mut() {
            if let Some(s) = h.get_mut("schema") {
                visit_schema(s, f);
            }
        }
    }
}

/// Visits one schema and all its subschemas.
pub fn visit_schema(schema: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    let Some(obj) = schema.as_object_mut() else { return };
    f(obj);
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        for p in props.values_mut() {
            visit_schema(p, f);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(s) = obj.get_mut(key) {
            if s.is_object() {
                visit_schema(s, f);
            }
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = obj.get_mut(key).and_then(Value::as_array_mut) {
            for s in list {
                visit_schema(s, f);
            }
        }
    }
}

/// A callback over `(path, method, operation)`.
pub type OperationVisitor<'a> = dyn FnMut(&str, &str, &mut Map<String, Value>) + 'a;

/// Every operation as `(path, method, operation)`, in path then method order, for reading.
pub fn operations(doc: &Value) -> impl Iterator<Item = (&str, &str, &Map<String, Value>)> {
    let paths = doc.get("paths").and_then(Value::as_object);
    paths.into_iter().flatten().flat_map(|(path, item)| {
        let methods = item.as_object().into_iter().flatten();
        methods
            .filter(|(method, _)| METHODS.contains(&method.as_str()))
            .filter_map(move |(method, op)| Some((path.as_str(), method.as_str(), op.as_object()?)))
    })
}

/// Calls `f(path, method, operation)` for every operation, in path then method order.
pub fn for_each_operation(doc: &mut Value, f: &mut OperationVisitor<'_>) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            if let Some(op) = op.as_object_mut() {
                f(path, method, op);
            }
        }
    }
}

/// Rebuilds `value` with every object's keys in sorted order, so that the written document does
/// not depend on how serde_json was configured elsewhere in the dependency graph.
pub fn canonical(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, canonical(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}

/// Rewrites every `$ref` string in the document through `f`; returns how many changed.
pub fn rewrite_refs(value: &mut Value, f: &dyn Fn(&str) -> Option<String>) -> usize {
    match value {
        Value::Object(map) => {
            let mut n = 0;
            for (k, v) in map.iter_mut() {
                if k == "$ref" {
                    if let Value::String(s) = v {
                        if let Some(new) = f(s) {
                            if new != *s {
                                *s = new;
                                n += 1;
                            }
                        }
                    }
                } else {
                    n += rewrite_refs(v, f);
                }
            }
            n
        }
        Value::Array(items) => items.iter_mut().map(|v| rewrite_refs(v, f)).sum(),
        _ => 0,
    }
}

/// Collects every `$ref` string found anywhere under `value`.
pub fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(s)) => out.push(s.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The property names a schema's `required` lists.
pub fn required(schema: &Value) -> impl Iterator<Item = &str> {
    schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
}

/// The component schema name a `#/components/schemas/NAME` reference points at.
pub fn schema_ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

/// Reads a JSON or YAML document from disk.
pub fn read_document(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let is_yaml = matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
    if is_yaml {
        serde_yaml::from_str(&text).map_err(|e| format!("parsing {} as YAML: {e}", path.display()))
    } else {
        serde_json::from_str(&text).map_err(|e| format!("parsing {} as JSON: {e}", path.display()))
    }
}

//! `cargo xtask fixtures`: a first draft of one fixture per operation, from the schemas of
//! `openapi/`, written to `deel-api/fixtures/operations/<area>/<operation>.json`.
//!
//! Existing files are never overwritten: once written, fixtures are committed data and may be
//! edited by hand. The values are our own, chosen from each field's type, format and name.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Map, Value};

use crate::codegen::snake;
use crate::{import, json};

/// Where the fixtures live, relative to the workspace root.
pub const DIR: &str = "deel-api/fixtures/operations";

/// Nesting beyond which only required fields are filled in (recursive schemas end there).
const DEEP: usize = 6;

/// `cargo xtask fixtures`.
pub fn run(root: &Path) -> Result<(), String> {
    let mut doc = import::read_document(&root.join(import::OUTPUT))?;
    let schemas = doc.pointer("/components/schemas").cloned().unwrap_or(Value::Null);
    let sampler = Sampler { schemas: &schemas };
    let mut drafts = Vec::new();
    json::for_each_operation(&mut doc, &mut |path, method, op| {
        drafts.push(draft(&sampler, path, method, op));
    });
    let (mut written, mut kept) = (0, 0);
    for (rel, fixture) in drafts {
        let file = root.join(DIR).join(&rel);
        if file.exists() {
            kept += 1;
            continue;
        }
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        }
        let mut text = serde_json::to_string_pretty(&fixture).map_err(|e| e.to_string())?;
        text.push('\n');
        std::fs::write(&file, text).map_err(|e| format!("writing {}: {e}", file.display()))?;
        written += 1;
    }
    println!("fixtures: {written} written, {kept} already present, in {DIR}");
    Ok(())
}

/// The fixture for one operation, and its file path under [`DIR`].
fn draft(sampler: &Sampler, template: &str, method: &str, op: &Map<String, Value>) -> (String, Value) {
    let whole = Value::Object(op.clone());
    let op = &whole;
    let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default();
    let name = snake(id);
    let area = op.pointer("/tags/0").and_then(Value::as_str).unwrap_or("untagged");
    let mut path = template.to_string();
    let mut query = Map::new();
    for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
        let (Some(pname), Some(place)) =
            (p.get("name").and_then(Value::as_str), p.get("in").and_then(Value::as_str))
        else {
            continue;
        };
        let schema = p.get("schema").cloned().unwrap_or(json!({ "type": "string" }));
        match place {
            "path" => {
                // Path values stay URL-safe, so the fixture's path is what goes on the wire.
                let sampled = text(&sampler.sample(&schema, pname, 0, &mut BTreeSet::new()), pname);
                let value = if sampled.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
                    sampled
                } else {
                    format!("{}-1001", snake(pname).replace('_', "-"))
                };
                path = path.replace(&format!("{{{pname}}}"), &value);
            }
            "query" if p.get("required") == Some(&Value::Bool(true)) => {
                let value = sampler.sample(&schema, pname, 0, &mut BTreeSet::new());
                let value = match value {
                    Value::Array(items) => {
                        Value::Array(items.iter().map(|v| Value::String(text(v, pname))).collect())
                    }
                    other => Value::String(text(&other, pname)),
                };
                query.insert(pname.to_string(), value);
            }
            _ => {}
        }
    }
    let multipart = op.get("x-deel-multipart") == Some(&Value::Bool(true));
    let body = if multipart {
        None
    } else {
        op.pointer("/requestBody/content/application~1json/schema")
            .map(|s| sampler.sample(s, "body", 0, &mut BTreeSet::new()))
    };
    let status = op.get("x-deel-status").and_then(Value::as_u64).unwrap_or(200);
    let success = op.pointer("/responses/2XX/content").and_then(Value::as_object);
    let (status, response_body, headers) = match success {
        Some(content) if content.contains_key("application/json") => {
            let schema =
                content.get("application/json").and_then(|m| m.get("schema")).cloned().unwrap_or(Value::Null);
            (status, Some(sampler.sample(&schema, "response", 0, &mut BTreeSet::new())), None)
        }
        // Downloads: the body is a JSON string standing for the file's bytes.
        Some(content) => {
            let media = content.keys().next().cloned().unwrap_or_default();
            (status, Some(json!("sample file content")), Some(json!({ "content-type": media })))
        }
        None => (if status == 200 { 204 } else { status }, None, None),
    };
    let mut request = json!({ "method": method.to_uppercase(), "path": path });
    if !query.is_empty() {
        request["query"] = Value::Object(query);
    }
    if let Some(body) = body {
        request["body"] = body;
    }
    let mut response = json!({ "status": status });
    if let Some(h) = headers {
        response["headers"] = h;
    }
    if let Some(b) = response_body {
        response["body"] = b;
    }
    (format!("{area}/{name}.json"), json!({ "operation": name, "request": request, "response": response }))
}

/// A sample value as it appears in a path or query string.
fn text(value: &Value, name: &str) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => format!("{}-1", name.replace('_', "-")),
        other => other.to_string(),
    }
}

struct Sampler<'a> {
    schemas: &'a Value,
}

impl Sampler<'_> {
    /// A value valid for `schema`; `name` is the field it is for (it picks realistic strings).
    fn sample(&self, schema: &Value, name: &str, depth: usize, refs: &mut BTreeSet<String>) -> Value {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let Some(target) = json::schema_ref_name(r).and_then(|n| self.schemas.get(n)) else {
                return Value::Null;
            };
            // A schema that contains itself is filled in once, then left minimal.
            if !refs.insert(r.to_string()) {
                return self.minimal(target);
            }
            let v = self.sample(target, name, depth, refs);
            refs.remove(r);
            return v;
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return values.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null);
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for part in all {
                if let Value::Object(o) = self.sample(part, name, depth, refs) {
                    merged.extend(o);
                }
            }
            return Value::Object(merged);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = schema.get(key).and_then(Value::as_array) {
                let branch = branches.iter().find(|b| !is_null_schema(b)).unwrap_or(&Value::Null);
                return self.sample(branch, name, depth, refs);
            }
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("object") => self.object(schema, depth, refs),
            Some("array") => {
                let items = schema.get("items").cloned().unwrap_or(json!({ "type": "string" }));
                let singular = name.strip_suffix('s').unwrap_or(name);
                json!([self.sample(&items, singular, depth + 1, refs)])
            }
            Some("integer") => json!(bounded(schema, 3.0) as i64),
            Some("number") => json!(bounded(schema, 12.5)),
            Some("boolean") => json!(true),
            Some("string") => json!(string(schema, name)),
            _ if schema.get("properties").is_some() => self.object(schema, depth, refs),
            // A schema that allows anything.
            _ => json!({ "note": "free-form" }),
        }
    }

    fn object(&self, schema: &Value, depth: usize, refs: &mut BTreeSet<String>) -> Value {
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut out = Map::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, s) in props {
                if depth < DEEP || required.contains(k.as_str()) {
                    out.insert(k.clone(), self.sample(s, k, depth + 1, refs));
                }
            }
        } else {
            match schema.get("additionalProperties") {
                Some(Value::Object(extra)) if !extra.is_empty() => {
                    out.insert(
                        "key".into(),
                        self.sample(&Value::Object(extra.clone()), "value", depth + 1, refs),
                    );
                }
                _ => {
                    out.insert("note".into(), json!("free-form"));
                }
            }
        }
        Value::Object(out)
    }

    /// The smallest value for a schema met again inside itself: required fields only, lists
    /// empty.
    fn minimal(&self, schema: &Value) -> Value {
        match schema.get("type").and_then(Value::as_str) {
            Some("array") => json!([]),
            Some("object") | None if schema.get("required").is_none() => json!({}),
            _ => self.sample(schema, "nested", DEEP, &mut BTreeSet::new()),
        }
    }
}

fn is_null_schema(s: &Value) -> bool {
    s.get("enum").and_then(Value::as_array).is_some_and(|v| v.iter().all(Value::is_null))
        || s.get("type").and_then(Value::as_str) == Some("null")
}

fn bounded(schema: &Value, preferred: f64) -> f64 {
    let min = schema.get("minimum").and_then(Value::as_f64);
    let max = schema.get("maximum").and_then(Value::as_f64);
    match (min, max) {
        (Some(lo), _) if preferred < lo => lo,
        (_, Some(hi)) if preferred > hi => hi,
        _ => preferred,
    }
}

/// A realistic string for a field, from its format and name.
fn string(schema: &Value, name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let value = match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => return "2026-10-01T08:00:00Z".into(),
        Some("date") => return "2026-10-01".into(),
        _ if lower.ends_with("_at") => "2026-10-01T08:00:00Z".to_string(),
        _ if lower.contains("email") => "ada.lovelace@example.com".to_string(),
        _ if lower.contains("currency") => "EUR".to_string(),
        _ if lower == "country" || lower.ends_with("country_code") || lower == "country_code" => {
            "DE".to_string()
        }
        _ if lower.contains("phone") => "+4930123456".to_string(),
        _ if lower.ends_with("url") || lower.ends_with("link") => "https://example.com/deel-rs".to_string(),
        _ if lower == "id" || lower.ends_with("_id") => format!(
            "{}-1001",
            lower.trim_end_matches("id").trim_end_matches('_').replace('_', "-").trim_matches('-')
        )
        .trim_start_matches('-')
        .to_string(),
        _ if lower.contains("first_name") => "Ada".to_string(),
        _ if lower.contains("last_name") => "Lovelace".to_string(),
        _ if lower.contains("name") => "Ada Lovelace".to_string(),
        _ if lower.contains("title") => "Backend engineer".to_string(),
        _ if lower.contains("date") => "2026-10-01".to_string(),
        _ => format!("sample {}", lower.replace('_', " ")),
    };
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema.get("maxLength").and_then(Value::as_u64).map(|m| m as usize);
    let mut value = value;
    while value.len() < min {
        value.push('x');
    }
    if let Some(max) = max {
        value.truncate(max);
    }
    value
}

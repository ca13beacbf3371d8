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
    request["headers"] = json!({ "x-version": version(op) });
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

/// A value of our own for `schema` (its `$ref`s resolved in `schemas`), as fixtures are drafted.
pub fn sample(schemas: &Value, schema: &Value, name: &str) -> Value {
    Sampler { schemas }.sample(schema, name, 0, &mut BTreeSet::new())
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
        let required: BTreeSet<&str> = json::required(schema).collect();
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
    let format = schema.get("x-deel-format").or_else(|| schema.get("format")).and_then(Value::as_str);
    let value = match format {
        Some("date-time") => return "2026-10-01T08:00:00Z".into(),
        Some("date") => return "2026-10-01".into(),
        Some("uuid") => return uuid_from(&format!("{lower}-1001")),
        Some("email") => return "ada.lovelace@example.com".into(),
        Some("uri" | "url") => return "https://example.com/deel-rs".into(),
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

/// `cargo xtask fixtures --conform`: makes the request of every existing fixture honour the
/// facts of `openapi/` that the typed request does not check — formats kept as `x-deel-format`
/// (uuid, email, uri), enum values, `oneOf` branches and required fields — so that each request
/// is valid against the reference spec (an independent mock such as Prism refuses it otherwise).
/// Values stay our own: an id that is not a UUID becomes a UUID derived from it, the same one
/// wherever the id appears.
pub fn conform(root: &Path) -> Result<(), String> {
    let mut doc = import::read_document(&root.join(import::OUTPUT))?;
    let schemas = doc.pointer("/components/schemas").cloned().unwrap_or(Value::Null);
    let sampler = Sampler { schemas: &schemas };
    let mut ops = std::collections::BTreeMap::new();
    json::for_each_operation(&mut doc, &mut |path, _, op| {
        let name = snake(op.get("operationId").and_then(Value::as_str).unwrap_or_default());
        ops.insert(name, (path.to_string(), Value::Object(op.clone())));
    });
    // Templates of one shape (`/a/{x}/b` and `/a/{y}/b`) match the same requests: a request must
    // honour the format any of them gives a parameter at that place.
    let mut shared: std::collections::BTreeMap<(String, usize), Value> = std::collections::BTreeMap::new();
    for (template, op) in ops.values() {
        for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
            let (Some(name), Some(schema)) = (p.get("name").and_then(Value::as_str), p.get("schema")) else {
                continue;
            };
            let has_format = schema.get("x-deel-format").or_else(|| schema.get("format")).is_some();
            if let (true, Some(at)) =
                (has_format, template.split('/').position(|s| s == format!("{{{name}}}")))
            {
                shared.entry((shape(template), at)).or_insert_with(|| schema.clone());
            }
        }
    }
    for (template, op) in ops.values_mut() {
        let key = shape(template);
        let segments: Vec<String> = template.split('/').map(String::from).collect();
        for p in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
            let Some(name) = p.get("name").and_then(Value::as_str).map(String::from) else { continue };
            let Some(at) = segments.iter().position(|s| *s == format!("{{{name}}}")) else { continue };
            let plain =
                p.get("schema").is_none_or(|s| s.get("x-deel-format").or_else(|| s.get("format")).is_none());
            if let (true, Some(schema)) = (plain, shared.get(&(key.clone(), at))) {
                p["schema"] = schema.clone();
            }
        }
    }
    let (mut changed, mut seen) = (0, 0);
    for file in fixture_files(&root.join(DIR))? {
        let text = std::fs::read_to_string(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
        let mut fixture: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let Some((template, op)) = fixture.get("operation").and_then(Value::as_str).and_then(|n| ops.get(n))
        else {
            continue;
        };
        seen += 1;
        if conform_request(&sampler, template, op, &mut fixture["request"]) {
            let mut out = serde_json::to_string_pretty(&fixture).map_err(|e| e.to_string())?;
            out.push('\n');
            std::fs::write(&file, out).map_err(|e| format!("writing {}: {e}", file.display()))?;
            changed += 1;
        }
    }
    println!("fixtures --conform: {changed} of {seen} requests changed");
    Ok(())
}

/// A path template with its parameter names left out.
fn shape(template: &str) -> String {
    template.split('/').map(|s| if s.starts_with('{') { "{}" } else { s }).collect::<Vec<_>>().join("/")
}

fn fixture_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| format!("reading {}: {e}", d.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The `X-Version` the client sends for an operation: its own version (the importer's
/// `x-deel-version`), which a fixture records so that the replay server checks it.
fn version(op: &Value) -> &str {
    op.get("x-deel-version").and_then(Value::as_str).unwrap_or(crate::import::passes::BASELINE_VERSION)
}

/// Conforms one fixture request (path, query, headers and body) to its operation; says whether it
/// changed.
fn conform_request(sampler: &Sampler, template: &str, op: &Value, request: &mut Value) -> bool {
    let before = request.clone();
    if let Some(request) = request.as_object_mut() {
        let headers = request.entry("headers").or_insert_with(|| json!({}));
        headers["x-version"] = json!(version(op));
    }
    let params: Vec<&Value> = op.get("parameters").and_then(Value::as_array).into_iter().flatten().collect();
    let schema_of = |name: &str, place: &str| {
        params
            .iter()
            .find(|p| {
                p.get("name").and_then(Value::as_str) == Some(name)
                    && p.get("in").and_then(Value::as_str) == Some(place)
            })
            .and_then(|p| p.get("schema"))
            .cloned()
    };
    if let Some(path) = request.get("path").and_then(Value::as_str).map(String::from) {
        let mut parts: Vec<String> = path.split('/').map(String::from).collect();
        for (i, segment) in template.split('/').enumerate() {
            let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else { continue };
            let (Some(schema), Some(part)) = (schema_of(name, "path"), parts.get_mut(i)) else { continue };
            if let Value::String(s) = sampler.conform(&Value::String(part.clone()), &schema, name) {
                if s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
                    *part = s;
                }
            }
        }
        request["path"] = Value::String(parts.join("/"));
    }
    if let Some(query) = request.get_mut("query").and_then(Value::as_object_mut) {
        for (name, value) in query.iter_mut() {
            let Some(schema) = schema_of(name, "query") else { continue };
            let typed = |v: &Value| match v {
                Value::String(s) => {
                    serde_json::from_str::<Value>(s).ok().filter(|p| !p.is_string()).unwrap_or(v.clone())
                }
                other => other.clone(),
            };
            let conformed = sampler.conform(&typed(value), &schema, name);
            *value = match conformed {
                Value::Array(items) => {
                    Value::Array(items.iter().map(|v| Value::String(text(v, name))).collect())
                }
                other => Value::String(text(&other, name)),
            };
        }
    }
    if let (Some(body), Some(schema)) =
        (request.get("body").cloned(), op.pointer("/requestBody/content/application~1json/schema"))
    {
        request["body"] = sampler.conform(&body, schema, "body");
    }
    // An upload's form fields, as the body (the replay server does not compare multipart bodies;
    // the dispatcher sends them as text parts).
    if let Some(schema) = op.pointer("/requestBody/content/multipart~1form-data/schema") {
        let body = request
            .get("body")
            .cloned()
            .unwrap_or_else(|| sampler.sample(schema, "form", 1, &mut BTreeSet::new()));
        request["body"] = sampler.conform(&body, schema, "form");
    }
    *request != before
}

impl Sampler<'_> {
    fn resolve<'s>(&'s self, mut schema: &'s Value) -> &'s Value {
        for _ in 0..16 {
            match schema.get("$ref").and_then(Value::as_str).and_then(json::schema_ref_name) {
                Some(name) => schema = self.schemas.get(name).unwrap_or(&Value::Null),
                None => break,
            }
        }
        schema
    }

    /// `value` made to honour `schema`'s formats, enums, branches and required fields.
    fn conform(&self, value: &Value, schema: &Value, name: &str) -> Value {
        let schema = self.resolve(schema);
        if value.is_null() && schema.get("nullable") == Some(&Value::Bool(true)) {
            return Value::Null;
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            if !values.contains(value) {
                return values.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null);
            }
            return value.clone();
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            return parts.iter().fold(value.clone(), |v, part| self.conform(&v, part, name));
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = schema.get(key).and_then(Value::as_array) {
                if value.is_null() && branches.iter().any(is_null_schema) {
                    return Value::Null;
                }
                let mut live: Vec<&Value> = branches.iter().filter(|b| !is_null_schema(b)).collect();
                live.sort_by_key(|b| self.misfit(value, b));
                // `oneOf` wants exactly one branch to hold: prefer the closest branch whose
                // conformed value no other branch accepts.
                let candidates: Vec<Value> = live.iter().map(|b| self.conform(value, b, name)).collect();
                let unique = candidates
                    .iter()
                    .find(|c| key == "anyOf" || live.iter().filter(|b| self.fits(c, b)).count() == 1);
                return unique.or(candidates.first()).cloned().unwrap_or_else(|| value.clone());
            }
        }
        match (schema.get("type").and_then(Value::as_str), value) {
            (Some("object") | None, Value::Object(map)) => {
                let props = schema.get("properties").and_then(Value::as_object);
                let mut out = Map::new();
                for (k, v) in map {
                    let conformed = match props.and_then(|p| p.get(k)) {
                        Some(s) => self.conform(v, s, k),
                        None => v.clone(),
                    };
                    out.insert(k.clone(), conformed);
                }
                for k in json::required(schema) {
                    if let (false, Some(s)) = (out.contains_key(k), props.and_then(|p| p.get(k))) {
                        let sampled = self.sample(s, k, 1, &mut BTreeSet::new());
                        out.insert(k.to_string(), self.conform(&sampled, s, k));
                    }
                }
                Value::Object(out)
            }
            (Some("array"), Value::Array(items)) => {
                let item = schema.get("items").cloned().unwrap_or(Value::Null);
                Value::Array(items.iter().map(|v| self.conform(v, &item, name)).collect())
            }
            (Some("integer" | "number"), Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .ok()
                .map(Value::from)
                .unwrap_or_else(|| self.sample(schema, name, 0, &mut BTreeSet::new())),
            (Some("string"), Value::String(s)) => {
                let format =
                    schema.get("x-deel-format").or_else(|| schema.get("format")).and_then(Value::as_str);
                Value::String(formatted(s, format))
            }
            (Some("string"), Value::Number(_) | Value::Bool(_)) => Value::String(string(schema, name)),
            _ => value.clone(),
        }
    }

    /// Whether `value` is valid for `schema` as far as the fixtures need: types, enums, formats,
    /// required fields, closed objects and branches.
    fn fits(&self, value: &Value, schema: &Value) -> bool {
        let schema = self.resolve(schema);
        if value.is_null() {
            return schema.get("nullable") == Some(&Value::Bool(true)) || is_null_schema(schema);
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return values.contains(value);
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            return parts.iter().all(|p| self.fits(value, p));
        }
        if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
            return branches.iter().filter(|b| self.fits(value, b)).count() == 1;
        }
        if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            return branches.iter().any(|b| self.fits(value, b));
        }
        match (schema.get("type").and_then(Value::as_str), value) {
            (Some("string"), Value::String(s)) => {
                let format =
                    schema.get("x-deel-format").or_else(|| schema.get("format")).and_then(Value::as_str);
                formatted(s, format) == *s
            }
            (Some("number"), Value::Number(_)) | (Some("boolean"), Value::Bool(_)) => true,
            (Some("integer"), Value::Number(n)) => n.is_i64() || n.is_u64(),
            (Some("array"), Value::Array(items)) => {
                let item = schema.get("items").cloned().unwrap_or(Value::Null);
                items.iter().all(|v| item.is_null() || self.fits(v, &item))
            }
            (Some("object") | None, Value::Object(map)) => {
                let props = schema.get("properties").and_then(Value::as_object);
                let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
                let required_ok = json::required(schema).all(|k| map.contains_key(k));
                required_ok
                    && map.iter().all(|(k, v)| match props.and_then(|p| p.get(k)) {
                        Some(s) => self.fits(v, s),
                        None => !closed,
                    })
            }
            (None, _) => true,
            _ => false,
        }
    }

    /// How badly `value` fits `branch` (lower is better): missing required keys, enum values it
    /// breaks and keys the branch does not have.
    fn misfit(&self, value: &Value, branch: &Value) -> usize {
        let branch = self.resolve(branch);
        let Value::Object(map) = value else {
            let wanted = branch.get("type").and_then(Value::as_str);
            let fits = matches!(
                (wanted, value),
                (Some("string"), Value::String(_))
                    | (Some("number" | "integer"), Value::Number(_))
                    | (Some("boolean"), Value::Bool(_))
                    | (Some("array"), Value::Array(_))
            );
            return usize::from(!fits) * 100;
        };
        let props = branch.get("properties").and_then(Value::as_object);
        let Some(props) = props else { return 50 };
        let missing = json::required(branch).filter(|k| !map.contains_key(*k)).count();
        let unknown = map.keys().filter(|k| !props.contains_key(*k)).count();
        let broken = map
            .iter()
            .filter(|(k, v)| {
                props
                    .get(*k)
                    .map(|s| self.resolve(s))
                    .and_then(|s| s.get("enum"))
                    .and_then(Value::as_array)
                    .is_some_and(|e| !e.contains(v))
            })
            .count();
        // Nested objects count too: branches often differ only below the top level.
        let nested: usize = map
            .iter()
            .filter(|(_, v)| v.is_object())
            .filter_map(|(k, v)| props.get(k).map(|s| (v, self.resolve(s))))
            .filter(|(_, s)| s.get("properties").is_some())
            .map(|(v, s)| self.misfit(v, s))
            .sum();
        missing * 10 + broken * 10 + unknown + nested
    }
}

/// `value` in `format` when it is not already: our own UUID derived from it, an example email or
/// URL, a date.
fn formatted(value: &str, format: Option<&str>) -> String {
    match format {
        Some("uuid") if !is_uuid(value) => uuid_from(value),
        Some("email") if !value.contains('@') => "ada.lovelace@example.com".into(),
        Some("uri" | "url") if !value.contains("://") => "https://example.com/deel-rs".into(),
        Some("date") if value.len() != 10 => "2026-10-01".into(),
        _ => value.to_string(),
    }
}

fn is_uuid(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A version-4-shaped UUID determined by `seed` (FNV-1a), so the same id maps to the same UUID.
fn uuid_from(seed: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut next = || {
        for b in seed.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h
    };
    let (a, b) = (next(), next());
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod conform_tests {
    use super::*;

    #[test]
    fn ids_become_stable_uuids_and_enums_and_branches_are_honoured() {
        let schemas = json!({
            "Kind": { "type": "string", "enum": ["a", "b"] },
            "A": { "type": "object", "required": ["type"], "properties": { "type": { "enum": ["a"] }, "x": { "type": "string" } } },
            "B": { "type": "object", "required": ["type", "owner_id"], "properties": {
                "type": { "enum": ["b"] }, "owner_id": { "type": "string", "x-deel-format": "uuid" } } }
        });
        let sampler = Sampler { schemas: &schemas };
        let id = sampler.conform(
            &json!("contract-1001"),
            &json!({ "type": "string", "x-deel-format": "uuid" }),
            "id",
        );
        assert!(id.as_str().is_some_and(is_uuid), "{id}");
        assert_eq!(id, json!(uuid_from("contract-1001")), "the same id maps to the same UUID");
        assert_eq!(
            sampler.conform(&json!("c"), &json!({ "$ref": "#/components/schemas/Kind" }), "k"),
            json!("a")
        );
        let union =
            json!({ "oneOf": [{ "$ref": "#/components/schemas/A" }, { "$ref": "#/components/schemas/B" }] });
        let body = sampler.conform(&json!({ "type": "b", "owner_id": "owner-1" }), &union, "body");
        assert_eq!(body["type"], json!("b"), "the closer branch is kept");
        assert!(body["owner_id"].as_str().is_some_and(is_uuid), "{body}");
        let filled =
            sampler.conform(&json!({ "type": "b" }), &json!({ "$ref": "#/components/schemas/B" }), "body");
        assert!(filled.get("owner_id").is_some_and(|v| v.as_str().is_some_and(is_uuid)), "{filled}");
    }
}

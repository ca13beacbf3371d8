//! The importer's passes, in the order they run. Each takes the whole document and returns how
//! many places it changed; each is tested on a tiny spec of our own below.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::json::{self, collect_refs, rewrite_refs, schema_ref_name};

pub use super::words::words;

/// A pass: mutates the document, returns the number of places it touched.
pub type Pass = fn(&mut Value) -> Result<usize, String>;

/// Every pass, in order. Order matters where noted.
pub const ALL: &[(&str, Pass)] = &[
    // Must run before prose is dropped: scopes are only written in descriptions.
    ("scopes_to_extension", scopes_to_extension),
    // Before strip_prose, so that a `$ref` whose only sibling was prose is not wrapped.
    ("ref_siblings", ref_siblings),
    ("strip_prose", strip_prose),
    ("info_and_version", info_and_version),
    ("type_arrays", type_arrays),
    ("null_schemas", null_schemas),
    ("exclusive_bounds", exclusive_bounds),
    ("const_to_enum", const_to_enum),
    ("open_objects", open_objects),
    ("sort_enums", sort_enums),
    ("lenient_formats", lenient_formats),
    // After lenient_formats: only formats the generated types parse are left to check.
    ("fitting_defaults", fitting_defaults),
    ("auth_header", auth_header),
    ("path_params", path_params),
    ("paging_integers", paging_integers),
    ("no_content_bodies", no_content_bodies),
    ("single_media_type", single_media_type),
    ("multipart_bodies", multipart_bodies),
    ("binary_responses", binary_responses),
    ("success_response", success_response),
    // After success_response: reads the one `2XX` body.
    ("download_links", download_links),
    ("error_responses", error_responses),
    ("operation_ids", operation_ids),
    // After operation_ids: the ids are unique and kebab-case.
    ("undated_ids", undated_ids),
    // After undated_ids: reads the dates that pass took out of the ids.
    ("endpoint_versions", endpoint_versions),
    ("areas", areas),
    // Paths are rewritten last among the operation passes: earlier passes read the upstream path.
    ("api_prefixes", api_prefixes),
    ("schema_names", schema_names),
    ("undated_schema_names", undated_schema_names),
    // After the names are clean, so that a hoisted type's key is built from one; before
    // dedupe_schemas, so that a hoisted type merges with its identical twins.
    ("hoist_inline_schemas", hoist_inline_schemas),
    ("dedupe_schemas", dedupe_schemas),
    ("prune_unreachable", prune_unreachable),
    // Last: marks the properties that are left, by name (rules in `import::personal`).
    ("personal_fields", super::personal::personal_fields),
];

/// Keys whose values are upstream prose or examples.
const PROSE: &[&str] = &[
    "description",
    "summary",
    "example",
    "examples",
    "title",
    "externalDocs",
    "termsOfService",
    "contact",
    "license",
];

/// Keys whose values are maps from user-chosen names to objects: a property may well be called
/// `description`, so prose is never stripped from the keys of these maps.
const NAME_MAPS: &[&str] = &[
    "properties",
    "schemas",
    "responses",
    "parameters",
    "headers",
    "content",
    "encoding",
    "securitySchemes",
    "paths",
    "links",
    "callbacks",
    "mapping",
    "variables",
    "requestBodies",
];

/// `**Token scopes**: \`a:read\`, \`b:write\`` in an operation description → `x-deel-scopes`.
pub fn scopes_to_extension(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_operation(doc, &mut |_, _, op| {
        let Some(desc) = op.get("description").and_then(Value::as_str) else { return };
        let scopes = parse_scopes(desc);
        if !scopes.is_empty() {
            op.insert("x-deel-scopes".into(), json!(scopes));
            n += 1;
        }
    });
    Ok(n)
}

fn parse_scopes(description: &str) -> Vec<String> {
    let Some(at) = description.find("Token scopes") else { return Vec::new() };
    let line = description[at..].lines().next().unwrap_or_default();
    // Scopes are the backticked words on that line.
    line.split('`').skip(1).step_by(2).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

/// OpenAPI 3.0 forbids siblings next to `$ref`. Prose siblings are dropped; any other sibling
/// keeps its meaning by wrapping the reference in `allOf`.
pub fn ref_siblings(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_schema(doc, &mut |s| {
        if !s.contains_key("$ref") || s.len() == 1 {
            return;
        }
        n += 1;
        s.retain(|k, _| k == "$ref" || !PROSE.contains(&k.as_str()));
        if s.len() > 1 {
            let reference = s.remove("$ref").unwrap_or(Value::Null);
            s.insert("allOf".into(), json!([{ "$ref": reference }]));
        }
    });
    Ok(n)
}

/// Removes descriptions, summaries, titles and examples everywhere, and upstream `x-` extensions.
pub fn strip_prose(doc: &mut Value) -> Result<usize, String> {
    fn walk(value: &mut Value, in_name_map: bool) -> usize {
        match value {
            Value::Object(map) => {
                let mut n = 0;
                if !in_name_map {
                    let before = map.len();
                    map.retain(|k, _| {
                        !PROSE.contains(&k.as_str()) && (!k.starts_with("x-") || k.starts_with("x-deel-"))
                    });
                    n += before - map.len();
                }
                for (k, v) in map.iter_mut() {
                    // `enum` and `default` hold data values, not schema objects.
                    if !in_name_map && (k == "enum" || k == "default") {
                        continue;
                    }
                    n += walk(v, !in_name_map && NAME_MAPS.contains(&k.as_str()));
                }
                n
            }
            Value::Array(items) => items.iter_mut().map(|v| walk(v, false)).sum(),
            _ => 0,
        }
    }
    Ok(walk(doc, false))
}

/// OpenAPI 3.0.3 header, our own title, and a global bearer-token security requirement.
pub fn info_and_version(doc: &mut Value) -> Result<usize, String> {
    let version = doc.pointer("/info/version").cloned().unwrap_or_else(|| json!("0"));
    let obj = doc.as_object_mut().ok_or("document is not an object")?;
    obj.insert("openapi".into(), json!("3.0.3"));
    obj.insert("info".into(), json!({ "title": "Deel API", "version": version }));
    obj.remove("jsonSchemaDialect");
    obj.remove("webhooks");
    let schemes: Vec<String> = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    if !schemes.is_empty() {
        let reqs: Vec<Value> = schemes.iter().map(|s| json!({ s: [] })).collect();
        doc["security"] = Value::Array(reqs);
    }
    Ok(1)
}

/// 3.1 `type: [X, "null"]` → 3.0 `type: X, nullable: true`; several non-null types → `oneOf`.
pub fn type_arrays(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_schema(doc, &mut |s| {
        let Some(Value::Array(types)) = s.get("type").cloned() else { return };
        n += 1;
        let nullable = types.iter().any(|t| t == "null");
        let rest: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
        s.remove("type");
        match rest.len() {
            0 => {
                s.insert("enum".into(), json!([null]));
            }
            1 => {
                s.insert("type".into(), rest[0].clone());
            }
            _ => {
                let branches: Vec<Value> = rest.iter().map(|t| json!({ "type": t })).collect();
                s.insert("oneOf".into(), Value::Array(branches));
            }
        }
        if nullable && !rest.is_empty() {
            s.insert("nullable".into(), json!(true));
        }
    });
    Ok(n)
}

/// 3.1 `{type: "null"}` (usually a `oneOf` branch) → `{enum: [null]}`, which typify turns into
/// `Option<T>` for the surrounding `oneOf`.
pub fn null_schemas(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_schema(doc, &mut |s| {
        if s.get("type") == Some(&json!("null")) {
            s.remove("type");
            s.insert("enum".into(), json!([null]));
            n += 1;
        }
    });
    Ok(n)
}

/// 3.1 numeric `exclusiveMinimum: 5` → 3.0 `minimum: 5, exclusiveMinimum: true` (same for max).
pub fn exclusive_bounds(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_schema(doc, &mut |s| {
        for (ex, plain) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
            if let Some(bound) = s.get(ex).filter(|v| v.is_number()).cloned() {
                s.insert(plain.into(), bound);
                s.insert(ex.into(), json!(true));
                n += 1;
            }
        }
    });
    Ok(n)
}

/// 3.1 `const: v` → `enum: [v]`.
pub fn const_to_enum(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_schema(doc, &mut |s| {
        if let Some(v) = s.remove("const") {
            s.insert("enum".into(), json!([v]));
            n += 1;
        }
    });
    Ok(n)
}

/// Deel adds response fields over time; `additionalProperties: false` would make typify reject
/// them, so objects stay open.
pub fn open_objects(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_schema(doc, &mut |s| {
        if s.get("additionalProperties") == Some(&json!(false)) {
            s.remove("additionalProperties");
            n += 1;
        }
    });
    Ok(n)
}

/// Enum values carry no order on the wire; sorting them keeps diffs small when Deel adds one.
/// `null`, when allowed, stays last.
pub fn sort_enums(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_schema(doc, &mut |s| {
        let Some(Value::Array(values)) = s.get_mut("enum") else { return };
        let mut sorted = values.clone();
        sorted.sort_by_key(|v| (v.is_null(), v.to_string()));
        if sorted != *values {
            *values = sorted;
            n += 1;
        }
    });
    Ok(n)
}

/// Formats Deel does not hold to on the wire become plain strings for the generated types:
/// identifiers marked `uuid` include short non-UUID ids in practice, and one bad id must not fail
/// a whole response. The fact is kept as `x-deel-format`, which the generator ignores and the
/// fixture drafter honours, so that what we send still matches the format.
pub fn lenient_formats(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_schema(doc, &mut |s| {
        let relax = matches!(
            s.get("format").and_then(Value::as_str),
            Some("uuid" | "email" | "uri" | "cuid" | "alphanumeric" | "decimal")
        );
        if relax {
            if let Some(format) = s.remove("format") {
                s.insert("x-deel-format".into(), format);
            }
            n += 1;
        }
    });
    Ok(n)
}

/// A `default` its own schema does not accept is dropped (one date field's default is a
/// sentence): the generated default function would parse it and panic, in `Default`, in
/// decoding a body without the field, and in `schemars` (which calls it for the schema).
pub fn fitting_defaults(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_schema(doc, &mut |s| {
        let Some(default) = s.get("default") else { return };
        let ty = s.get("type").and_then(Value::as_str);
        let format = s.get("format").and_then(Value::as_str);
        let fits = match (ty, default) {
            (_, Value::Null) => s.get("nullable") == Some(&Value::Bool(true)),
            (Some("string"), Value::String(v)) => match format {
                Some("date") => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok(),
                Some("date-time") => chrono::DateTime::parse_from_rfc3339(v).is_ok(),
                _ => true,
            },
            (Some("integer"), v) => v.is_i64() || v.is_u64(),
            (Some("number"), v) => v.is_number(),
            (Some("boolean"), v) => v.is_boolean(),
            (Some("array"), v) => v.is_array(),
            (Some("object"), v) => v.is_object(),
            (Some("string"), _) => false,
            _ => true,
        };
        let listed = s.get("enum").and_then(Value::as_array).is_none_or(|values| values.contains(default));
        if !(fits && listed) {
            s.remove("default");
            n += 1;
        }
    });
    Ok(n)
}

/// The `Authorization` header parameter: authentication belongs to the client, not to each call.
pub fn auth_header(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_operation(doc, &mut |_, _, op| {
        if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
            let before = params.len();
            params.retain(|p| {
                !(p.get("in") == Some(&json!("header"))
                    && p.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.eq_ignore_ascii_case("authorization")))
            });
            n += before - params.len();
        }
    });
    Ok(n)
}

/// Path parameters that do not occur in the path template are dropped (one operation declares
/// both `payslipId` and `payslip_id`); a template variable without a declared parameter is an
/// error, since no client could fill it.
pub fn path_params(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    let mut errors = Vec::new();
    json::for_each_operation(doc, &mut |path, method, op| {
        let vars = template_vars(path);
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
        let params = op.entry("parameters").or_insert_with(|| json!([]));
        let Some(params) = params.as_array_mut() else { return };
        let before = params.len();
        params.retain(|p| {
            p.get("in") != Some(&json!("path"))
                || p.get("name").and_then(Value::as_str).is_some_and(|name| vars.iter().any(|v| v == name))
        });
        n += before - params.len();
        for var in &vars {
            let declared = params.iter().any(|p| {
                p.get("in") == Some(&json!("path")) && p.get("name").and_then(Value::as_str) == Some(var)
            });
            if !declared {
                errors.push(format!(
                    "{id} ({} {path}): path variable `{var}` has no parameter",
                    method.to_uppercase()
                ));
            }
        }
    });
    if errors.is_empty() {
        Ok(n)
    } else {
        Err(errors.join("\n"))
    }
}

/// Query parameters that count items or positions (`limit`, `offset`, …).
const COUNTING_PARAMS: &[&str] =
    &["limit", "offset", "page", "page_size", "per_page", "items_per_page", "count", "startIndex"];

/// Counting query parameters declared as strings or doubles become integers: `limit(50)`, not
/// `limit("50")` or `limit(50.0)`. The wire form of a whole number is the same either way.
pub fn paging_integers(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_operation(doc, &mut |_, _, op| {
        let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else { return };
        for param in params.iter_mut() {
            let counting = param.get("in") == Some(&json!("query"))
                && param
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|name| COUNTING_PARAMS.contains(&name));
            let Some(schema) = param.get_mut("schema").and_then(Value::as_object_mut) else { continue };
            let declared = schema.get("type").and_then(Value::as_str);
            if counting && matches!(declared, Some("string" | "number")) {
                schema.insert("type".into(), json!("integer"));
                for key in ["format", "pattern", "x-deel-format", "minLength", "maxLength"] {
                    schema.remove(key);
                }
                n += 1;
            }
        }
    });
    Ok(n)
}

fn template_vars(path: &str) -> Vec<String> {
    path.split('{').skip(1).filter_map(|s| s.split_once('}')).map(|(v, _)| v.to_string()).collect()
}

/// A 204 carries no body whatever the spec declares.
pub fn no_content_bodies(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_operation(doc, &mut |_, _, op| {
        if let Some(r) = op.get_mut("responses").and_then(|r| r.get_mut("204")).and_then(Value::as_object_mut)
        {
            if r.remove("content").is_some() {
                n += 1;
            }
        }
    });
    Ok(n)
}

/// progenitor cannot generate a body or response with two media types; JSON wins when offered.
pub fn single_media_type(doc: &mut Value) -> Result<usize, String> {
    fn one(content: &mut Map<String, Value>) -> bool {
        if content.len() <= 1 {
            return false;
        }
        let keep = content
            .keys()
            .find(|k| k.starts_with("application/json"))
            .or_else(|| content.keys().next())
            .cloned()
            .unwrap_or_default();
        content.retain(|k, _| *k == keep);
        true
    }
    let mut n = 0;
    json::for_each_operation(doc, &mut |_, _, op| {
        if let Some(c) =
            op.get_mut("requestBody").and_then(|b| b.get_mut("content")).and_then(Value::as_object_mut)
        {
            n += usize::from(one(c));
        }
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for r in responses.values_mut() {
                if let Some(c) = r.get_mut("content").and_then(Value::as_object_mut) {
                    n += usize::from(one(c));
                }
            }
        }
    });
    Ok(n)
}

/// progenitor cannot build `multipart/form-data` bodies. The body stays in the document as a fact;
/// `x-deel-multipart` tells codegen to generate the upload itself.
pub fn multipart_bodies(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_operation(doc, &mut |_, _, op| {
        let multipart = op
            .get("requestBody")
            .and_then(|b| b.get("content"))
            .and_then(Value::as_object)
            .is_some_and(|c| c.contains_key("multipart/form-data"));
        if multipart {
            op.insert("x-deel-multipart".into(), json!(true));
            n += 1;
        }
    });
    Ok(n)
}

/// Binary downloads (`application/octet-stream`) are generated as byte streams; counted so the
/// report shows they were seen.
pub fn binary_responses(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_operation(doc, &mut |_, _, op| {
        if let Some(responses) = op.get("responses").and_then(Value::as_object) {
            n += responses
                .values()
                .filter(|r| r.pointer("/content/application~1octet-stream").is_some())
                .count();
        }
    });
    Ok(n)
}

/// Exactly one success response per operation, declared as the `2XX` range so that a 200 where
/// 201 is documented still decodes. The documented code is kept in `x-deel-status`.
pub fn success_response(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_operation(doc, &mut |_, _, op| {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { return };
        let success: Vec<String> =
            responses.keys().filter(|k| k.starts_with('2') || k.as_str() == "default").cloned().collect();
        let codes: Vec<String> = success.iter().filter(|k| k.as_str() != "default").cloned().collect();
        let mut chosen: Option<Value> = None;
        let mut bodies: Vec<Value> = Vec::new();
        for key in &codes {
            if let Some(r) = responses.remove(key) {
                if let Some(schema) = r.pointer("/content/application~1json/schema") {
                    if !bodies.contains(schema) {
                        bodies.push(schema.clone());
                    }
                }
                if chosen.is_none()
                    || (chosen.as_ref().is_some_and(|c| c.get("content").is_none())
                        && r.get("content").is_some())
                {
                    chosen = Some(r);
                }
            }
        }
        let mut response = chosen.unwrap_or_else(|| json!({}));
        if bodies.len() > 1 {
            // Different documented bodies per code: accept any of them.
            response["content"] = json!({ "application/json": { "schema": { "oneOf": bodies } } });
        }
        if let Some(obj) = response.as_object_mut() {
            obj.insert("description".into(), json!(""));
        }
        responses.insert("2XX".into(), response);
        let documented: Vec<u16> = codes.iter().filter_map(|c| c.parse().ok()).collect();
        if documented.len() == 1 {
            op.insert("x-deel-status".into(), json!(documented[0]));
        } else {
            op.insert("x-deel-status".into(), json!(documented));
        }
        n += 1;
    });
    Ok(n)
}

/// Deel's operations declare 30 different error body shapes; progenitor wants one error type per
/// operation. Every 4xx/5xx becomes one shared raw response, so the body reaches the facade
/// unparsed (with status and headers) and is decoded there into one typed error.
pub fn error_responses(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_operation(doc, &mut |_, _, op| {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { return };
        let before = responses.len();
        responses.retain(|k, _| k.starts_with('2') && k != "default");
        n += before - responses.len();
        for range in ["4XX", "5XX"] {
            responses.insert(range.into(), json!({ "$ref": "#/components/responses/Error" }));
        }
    });
    let components = doc
        .as_object_mut()
        .ok_or("document is not an object")?
        .entry("components")
        .or_insert_with(|| json!({}));
    components["responses"] = json!({
        "Error": {
            "description": "",
            "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } }
        }
    });
    Ok(n)
}

/// Operations that answer with a short-lived link to a file rather than the file: a GET whose
/// path or id says it downloads (a last segment `download` or `pdf`, an id with `download`) and
/// whose JSON body holds `data.url`. The pointer is kept as `x-deel-download-link`, from which
/// codegen gives the request a `download()` that follows the link. Deel's guides describe these
/// links as pre-signed storage URLs that expire (the amendment PDF after 15 minutes:
/// <https://developer.deel.com/api/reference/endpoints/eor-amendments/get-contract-amendment-pdf>).
pub fn download_links(doc: &mut Value) -> Result<usize, String> {
    let schemas = doc.pointer("/components/schemas").cloned().unwrap_or(Value::Null);
    let resolve = |schema: &Value| -> Value {
        let mut schema = schema;
        for _ in 0..8 {
            let Some(name) = schema.get("$ref").and_then(Value::as_str).and_then(schema_ref_name) else {
                break;
            };
            match schemas.get(name) {
                Some(next) => schema = next,
                None => return Value::Null,
            }
        }
        schema.clone()
    };
    let mut n = 0;
    json::for_each_operation(doc, &mut |path, method, op| {
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default();
        let last = path.rsplit('/').next().unwrap_or_default();
        let says_download = last == "download" || last == "pdf" || id.contains("download");
        if method != "get" || !says_download {
            return;
        }
        let body = op.get("responses").and_then(|r| r.pointer("/2XX/content/application~1json/schema"));
        let Some(body) = body else { return };
        let data = resolve(&resolve(body)["properties"]["data"]);
        if resolve(&data["properties"]["url"]).get("type").and_then(Value::as_str) == Some("string") {
            op.insert("x-deel-download-link".into(), json!("/data/url"));
            n += 1;
        }
    });
    Ok(n)
}

/// Operation ids must be unique. A duplicated id gets the first path segment that tells the
/// operations apart as a suffix; the upstream id is kept in `x-deel-upstream-id`.
pub fn operation_ids(doc: &mut Value) -> Result<usize, String> {
    let mut by_id: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    json::for_each_operation(doc, &mut |path, method, op| {
        let id = op.get("operationId").and_then(Value::as_str).map(String::from);
        let id = id.unwrap_or_else(|| format!("{method}-{}", slug(path)));
        by_id.entry(id).or_default().push((path.to_string(), method.to_string()));
    });
    let mut renames: BTreeMap<(String, String), String> = BTreeMap::new();
    for (id, uses) in &by_id {
        if uses.len() == 1 {
            renames.insert(uses[0].clone(), id.clone());
            continue;
        }
        for (path, method) in uses {
            let segment = path.trim_start_matches('/').split('/').next().unwrap_or_default();
            renames.insert((path.clone(), method.clone()), format!("{id}-{}", slug(segment)));
        }
    }
    let unique: BTreeSet<&String> = renames.values().collect();
    if unique.len() != renames.len() {
        return Err("operation ids still collide after disambiguation".into());
    }
    let mut n = 0;
    json::for_each_operation(doc, &mut |path, method, op| {
        let Some(new) = renames.get(&(path.to_string(), method.to_string())) else { return };
        let old = op.get("operationId").and_then(Value::as_str).map(String::from);
        if old.as_deref() != Some(new.as_str()) {
            op.insert("x-deel-upstream-id".into(), json!(old.unwrap_or_default()));
            op.insert("operationId".into(), json!(new));
            n += 1;
        }
    });
    Ok(n)
}

/// An operation id's version date suffix (`…-v-2026-01-01`) and the name before it.
fn split_version(id: &str) -> Option<(&str, &str)> {
    let (base, date) = id.rsplit_once("-v-")?;
    let parts: Vec<&str> = date.split('-').collect();
    let is_date = matches!(parts.as_slice(), [y, m, d]
        if y.len() == 4 && m.len() == 2 && d.len() == 2 && date.chars().all(|c| c.is_ascii_digit() || c == '-'));
    (is_date && !base.is_empty()).then_some((base, date))
}

/// Method names carry no version date (`create_vendor_bill`, not
/// `create_vendor_bill_v_2026_01_01`). Where several operations share a name but for the date,
/// the newest keeps the plain name and the others become `legacy-<name>[-v-<date>]`. The id
/// Deel publishes stays in `x-deel-upstream-id` (for its reference page).
pub fn undated_ids(doc: &mut Value) -> Result<usize, String> {
    let mut ids: Vec<String> = Vec::new();
    json::for_each_operation(doc, &mut |_, _, op| {
        ids.extend(op.get("operationId").and_then(Value::as_str).map(String::from));
    });
    // Each plain name and its versions, oldest first (an undated id counts as the oldest).
    let mut versions: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for id in &ids {
        let (base, date) = split_version(id).unwrap_or((id, ""));
        versions.entry(base.to_string()).or_default().push((date.to_string(), id.clone()));
    }
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    for (base, mut all) in versions {
        all.sort();
        let Some((_, newest)) = all.pop() else { continue };
        renames.insert(newest, base.clone());
        for (date, id) in all {
            let legacy =
                if date.is_empty() { format!("legacy-{base}") } else { format!("legacy-{base}-v-{date}") };
            renames.insert(id, legacy);
        }
    }
    let mut n = 0;
    json::for_each_operation(doc, &mut |_, _, op| {
        let Some(id) = op.get("operationId").and_then(Value::as_str).map(String::from) else { return };
        let Some(new) = renames.get(&id).filter(|new| **new != id) else { return };
        if !op.contains_key("x-deel-upstream-id") {
            op.insert("x-deel-upstream-id".into(), json!(id));
        }
        op.insert("operationId".into(), json!(new));
        n += 1;
    });
    Ok(n)
}

/// The version every endpoint had when Deel introduced per-endpoint versions.
///
/// Source: <https://developer.deel.com/api/api-versioning> ("all existing endpoints are
/// baselined" to this date; a version an endpoint does not publish is answered with a 400).
pub const BASELINE_VERSION: &str = "2026-01-01";

/// Each operation's API version as a fact, `x-deel-version`: the date of its upstream id
/// (`list-tags-v-2026-02-27` → `2026-02-27`), else the baseline. Versions are per endpoint on
/// Deel's platform, so the client sends each operation's own (see `BASELINE_VERSION`'s source);
/// an overlay may correct one. Counts the operations whose version is not the baseline.
pub fn endpoint_versions(doc: &mut Value) -> Result<usize, String> {
    let mut later = 0;
    json::for_each_operation(doc, &mut |_, _, op| {
        let upstream = op.get("x-deel-upstream-id").or_else(|| op.get("operationId")).and_then(Value::as_str);
        let version = upstream.and_then(split_version).map_or(BASELINE_VERSION, |(_, date)| date).to_string();
        later += usize::from(version != BASELINE_VERSION);
        op.insert("x-deel-version".into(), json!(version));
    });
    Ok(later)
}

/// Lowercase kebab-case from any mix of camelCase, snake_case and punctuation.
pub fn slug(s: &str) -> String {
    words(s).join("-").to_lowercase()
}

/// Tags (`subpackage_workerSession`) become area names (`worker-session`); an operation without
/// a tag takes the first segment of its path.
pub fn areas(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    json::for_each_operation(doc, &mut |path, _, op| {
        let tag = op
            .get("tags")
            .and_then(Value::as_array)
            .and_then(|t| t.first())
            .and_then(Value::as_str)
            .unwrap_or_default();
        let base = tag.strip_prefix("subpackage_").unwrap_or(tag);
        let area = if base.is_empty() {
            slug(path.trim_start_matches('/').split('/').next().unwrap_or("misc"))
        } else {
            slug(base)
        };
        if op.get("tags") != Some(&json!([area])) {
            op.insert("tags".into(), json!([area]));
            n += 1;
        }
    });
    Ok(n)
}

/// SCIM resource types; their operations live under `/scim/v2`, the rest under `/rest/v2`.
const SCIM_RESOURCES: &[&str] =
    &["Users", "Groups", "ServiceProviderConfig", "Schemas", "ResourceTypes", "Bulk", "Me"];

/// Deel serves two APIs on one host. Paths are made absolute (`/rest/v2/...`, `/scim/v2/...`) and
/// servers become host-only, so one client reaches both.
pub fn api_prefixes(doc: &mut Value) -> Result<usize, String> {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return Ok(0) };
    let old = std::mem::take(paths);
    let mut scim = 0;
    for (path, item) in old {
        if path.starts_with("/rest/") || path.starts_with("/scim/") {
            paths.insert(path, item);
            continue;
        }
        let first = path.trim_start_matches('/').split('/').next().unwrap_or_default();
        let prefix = if SCIM_RESOURCES.contains(&first) {
            scim += item
                .as_object()
                .map_or(0, |m| m.keys().filter(|k| json::METHODS.contains(&k.as_str())).count());
            "/scim/v2"
        } else {
            "/rest/v2"
        };
        paths.insert(format!("{prefix}{path}"), item);
    }
    let mut hosts: Vec<String> = Vec::new();
    if let Some(servers) = doc.get("servers").and_then(Value::as_array) {
        for s in servers {
            if let Some(url) = s.get("url").and_then(Value::as_str) {
                let host = url
                    .trim_end_matches('/')
                    .trim_end_matches("/rest/v2")
                    .trim_end_matches("/scim/v2")
                    .to_string();
                if !hosts.contains(&host) {
                    hosts.push(host);
                }
            }
        }
    }
    doc["servers"] = Value::Array(hosts.into_iter().map(|url| json!({ "url": url })).collect());
    Ok(scim)
}

/// Schema names become clean, unique PascalCase identifiers (`Worker Session_create_Response_201`
/// → `WorkerSessionCreateResponse201`); every reference follows.
pub fn schema_names(doc: &mut Value) -> Result<usize, String> {
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else {
        return Ok(0);
    };
    let names: Vec<String> = schemas.keys().cloned().collect();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    // Names that are already clean keep them; the rest are assigned in sorted order, so the result
    // depends only on the set of names.
    let (clean, dirty): (Vec<_>, Vec<_>) = names.iter().partition(|n| schema_name(n) == **n);
    for name in clean {
        taken.insert(name.clone());
        map.insert(name.clone(), name.clone());
    }
    for name in dirty {
        let base = schema_name(name);
        let mut candidate = base.clone();
        let mut i = 2;
        while taken.contains(&candidate) {
            candidate = format!("{base}V{i}");
            i += 1;
        }
        taken.insert(candidate.clone());
        map.insert(name.clone(), candidate);
    }
    let renamed = map.iter().filter(|(a, b)| a != b).count();
    rename_schemas(doc, &map);
    Ok(renamed)
}

/// Objects and string enums written inline inside other schemas, or as a JSON response body,
/// become component schemas keyed by where they sat (`…ResponseData`, `…ItemsStatus`), as Deel's
/// document writes most of its own. Then they are merged, named and pinned like every other type:
/// a document that writes a type inline where it used a `$ref` (or the reverse) changes no name.
/// Request bodies are named later, with the names; multipart bodies stay as they are (codegen
/// reads their fields there).
pub fn hoist_inline_schemas(doc: &mut Value) -> Result<usize, String> {
    let mut hoister = Hoister::new(doc);
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (key, schema) in schemas.iter_mut() {
            hoister.within(schema, key);
        }
    }
    json::for_each_operation(doc, &mut |path, method, op| {
        let responses = op.get_mut("responses").and_then(Value::as_object_mut);
        for (_, response) in responses.into_iter().flatten().filter(|(s, _)| s.starts_with('2')) {
            if let Some(schema) = response.pointer_mut("/content/application~1json/schema") {
                hoister.hoist(schema, &format!("{}Response", operation_key(path, method)));
            }
        }
    });
    Ok(hoister.finish(doc))
}

/// `PeopleIdPatch` for `PATCH /rest/v2/people/{id}`: the start of the keys of an operation's
/// bodies.
pub(crate) fn operation_key(path: &str, method: &str) -> String {
    let trimmed = path.trim_start_matches("/rest/v2").trim_start_matches("/scim/v2");
    format!("{}{}", pascal(trimmed), pascal(method))
}

/// Moves inline schemas into components under keys made unique among the document's.
pub(crate) struct Hoister {
    taken: BTreeSet<String>,
    moved: Vec<(String, Value)>,
}

impl Hoister {
    /// A hoister that knows the document's component keys.
    pub(crate) fn new(doc: &Value) -> Self {
        let taken = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|s| s.keys().cloned().collect())
            .unwrap_or_default();
        Self { taken, moved: Vec::new() }
    }

    /// Moves `schema` under `key` when it is an inline type, and what it holds inline in turn.
    fn hoist(&mut self, schema: &mut Value, key: &str) {
        if is_named_shape(schema) {
            self.take(schema, key);
        } else {
            self.within(schema, key);
        }
    }

    /// Moves `schema` under `key` (made unique), leaving a `$ref`, and what it holds inline.
    pub(crate) fn take(&mut self, schema: &mut Value, key: &str) {
        let unique = (1..)
            .map(|i| if i == 1 { key.to_string() } else { format!("{key}V{i}") })
            .find(|k| !self.taken.contains(k));
        let Some(unique) = unique else { return };
        self.taken.insert(unique.clone());
        let mut body = std::mem::replace(schema, json!({ "$ref": format!("#/components/schemas/{unique}") }));
        self.within(&mut body, &unique);
        self.moved.push((unique, body));
    }

    /// Hoists the inline types `schema` holds (its properties, items, map values and variants),
    /// each keyed by `key` and where it sits.
    fn within(&mut self, schema: &mut Value, key: &str) {
        let Some(map) = schema.as_object_mut() else { return };
        if let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) {
            for (name, property) in properties.iter_mut() {
                self.hoist(property, &format!("{key}{}", pascal(name)));
            }
        }
        if let Some(items) = map.get_mut("items") {
            self.hoist(items, &format!("{key}Items"));
        }
        if let Some(values) = map.get_mut("additionalProperties").filter(|v| v.is_object()) {
            self.hoist(values, &format!("{key}Value"));
        }
        for combinator in ["oneOf", "anyOf", "allOf"] {
            for (i, variant) in
                map.get_mut(combinator).and_then(Value::as_array_mut).into_iter().flatten().enumerate()
            {
                self.hoist(variant, &format!("{key}Variant{}", i + 1));
            }
        }
    }

    /// Adds what was moved to the document's components; returns how many.
    pub(crate) fn finish(self, doc: &mut Value) -> usize {
        let count = self.moved.len();
        if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
            schemas.extend(self.moved);
        }
        count
    }
}

/// Whether a schema is one that gets a type of its own.
fn is_named_shape(schema: &Value) -> bool {
    schema.get("$ref").is_none()
        && ((schema.get("type") == Some(&json!("object"))
            && schema.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty()))
            || (schema.get("type") == Some(&json!("string")) && schema.get("enum").is_some()))
}

/// Renames component schemas by `map` (old name → new; names not in it stay) and every `$ref`
/// to them.
pub fn rename_schemas(doc: &mut Value, map: &BTreeMap<String, String>) {
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        let old = std::mem::take(schemas);
        for (name, schema) in old {
            let new = map.get(&name).cloned().unwrap_or(name);
            schemas.insert(new, schema);
        }
    }
    rewrite_refs(doc, &|r| {
        schema_ref_name(r).and_then(|n| map.get(n)).map(|n| format!("#/components/schemas/{n}"))
    });
}

/// `name` without the version dates upstream ids leave in it (`…ByIdV20260101Response200` →
/// `…ByIdResponse200`): a `V` and eight digits starting with 20, followed by an uppercase letter
/// or the end.
fn without_version_dates(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < chars.len() {
        let date = chars.get(i) == Some(&'V')
            && chars
                .get(i + 1..i + 9)
                .is_some_and(|d| d.iter().all(char::is_ascii_digit) && d[..2] == ['2', '0'])
            && chars.get(i + 9).is_none_or(|c| c.is_ascii_uppercase());
        if date {
            i += 9;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Type names carry no version date, like method names (see `undated_ids`). A name whose
/// undated form is taken keeps its date (none in Deel's current document).
pub fn undated_schema_names(doc: &mut Value) -> Result<usize, String> {
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else {
        return Ok(0);
    };
    let mut taken: BTreeSet<String> = schemas.keys().cloned().collect();
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for name in schemas.keys() {
        let plain = without_version_dates(name);
        if plain != *name && !plain.is_empty() && !taken.contains(&plain) {
            taken.insert(plain.clone());
            map.insert(name.clone(), plain);
        }
    }
    rename_schemas(doc, &map);
    Ok(map.len())
}

/// Upstream names spell out where an inline schema sat (`…PostRequestBodyContentApplicationJsonSchemaData`);
/// the media-type part carries no information once the location is known.
const NAME_SHORTENINGS: &[(&str, &str)] = &[
    ("RequestBodyContentApplicationJsonSchema", "Body"),
    ("RequestBodyContentMultipartFormDataSchema", "Form"),
    ("ResponsesContentApplicationJsonSchema", "Response"),
    ("ResponsesContentApplicationOctetStreamSchema", "Download"),
];

/// The Rust-friendly name of a component schema.
pub fn schema_name(s: &str) -> String {
    let mut name = pascal(s);
    for (long, short) in NAME_SHORTENINGS {
        name = name.replace(long, short);
    }
    name
}

/// PascalCase identifier: each word capitalized, the rest lowercase, never starting with a digit.
pub fn pascal(s: &str) -> String {
    let mut out: String = words(s)
        .iter()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "Schema");
    }
    out
}

/// Structurally identical component schemas (the country enum alone appears seven times) are
/// merged into the one with the shortest name, repeated until nothing changes, since merging
/// children can make parents identical.
pub fn dedupe_schemas(doc: &mut Value) -> Result<usize, String> {
    let mut merged = 0;
    loop {
        let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) else {
            return Ok(0);
        };
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, schema) in schemas {
            // Kept format facts (`x-deel-format`) only guide what we send; schemas that differ in
            // them alone still merge, keeping the survivor's.
            let mut bare = schema.clone();
            strip_key(&mut bare, "x-deel-format");
            let key = serde_json::to_string(&json::canonical(bare)).map_err(|e| e.to_string())?;
            groups.entry(key).or_default().push(name.clone());
        }
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        for names in groups.values().filter(|g| g.len() > 1) {
            let keep =
                names.iter().min_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b))).cloned().unwrap_or_default();
            for n in names.iter().filter(|n| **n != keep) {
                map.insert(n.clone(), keep.clone());
            }
        }
        if map.is_empty() {
            return Ok(merged);
        }
        merged += map.len();
        if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
            // A format fact of any merged schema stays on the survivor.
            for (gone, keep) in &map {
                if let Some(other) = schemas.get(gone).cloned() {
                    if let Some(survivor) = schemas.get_mut(keep) {
                        union_key(survivor, &other, "x-deel-format");
                    }
                }
            }
            schemas.retain(|n, _| !map.contains_key(n));
        }
        rewrite_refs(doc, &|r| {
            schema_ref_name(r).and_then(|n| map.get(n)).map(|n| format!("#/components/schemas/{n}"))
        });
    }
}

/// Copies `key` from `other` into `value` wherever `value` (of the same shape) lacks it.
fn union_key(value: &mut Value, other: &Value, key: &str) {
    match (value, other) {
        (Value::Object(v), Value::Object(o)) => {
            if let (false, Some(k)) = (v.contains_key(key), o.get(key)) {
                v.insert(key.to_string(), k.clone());
            }
            for (name, child) in v.iter_mut() {
                if let Some(oc) = o.get(name) {
                    union_key(child, oc, key);
                }
            }
        }
        (Value::Array(v), Value::Array(o)) => v.iter_mut().zip(o).for_each(|(a, b)| union_key(a, b, key)),
        _ => {}
    }
}

/// Removes `key` from every object in `value`.
fn strip_key(value: &mut Value, key: &str) {
    match value {
        Value::Object(map) => {
            map.remove(key);
            map.values_mut().for_each(|v| strip_key(v, key));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| strip_key(v, key)),
        _ => {}
    }
}

/// Component schemas no operation reaches are dropped.
pub fn prune_unreachable(doc: &mut Value) -> Result<usize, String> {
    let mut roots = Vec::new();
    if let Some(paths) = doc.get("paths") {
        collect_refs(paths, &mut roots);
    }
    if let Some(responses) = doc.pointer("/components/responses") {
        collect_refs(responses, &mut roots);
    }
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) else { return Ok(0) };
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut stack: Vec<String> = roots.iter().filter_map(|r| schema_ref_name(r)).map(String::from).collect();
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schemas.get(&name) {
            let mut refs = Vec::new();
            collect_refs(schema, &mut refs);
            stack.extend(refs.iter().filter_map(|r| schema_ref_name(r)).map(String::from));
        }
    }
    let before = schemas.len();
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        schemas.retain(|n, _| seen.contains(n));
        return Ok(before - schemas.len());
    }
    Ok(0)
}

#[cfg(test)]
#[path = "passes_tests.rs"]
mod tests;

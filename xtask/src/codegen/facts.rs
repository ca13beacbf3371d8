//! The facts about each operation that codegen needs beyond what progenitor keeps: where the
//! operation lives, its scopes, its area, and which parameters go where.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::import::passes::words;
use crate::json;

/// One operation of the normalized document.
#[derive(Debug, Clone, Default)]
pub struct Operation {
    pub id: String,
    /// The operation id Deel publishes (differs only where the importer had to disambiguate).
    pub upstream_id: String,
    pub method: String,
    pub path: String,
    pub area: String,
    pub scopes: Vec<String>,
    pub multipart: bool,
    /// The API version the operation is called with (`x-deel-version`; the baseline when the
    /// document has none).
    pub version: String,
    /// Deel serves it only to requests that say `X-Beta: true` (`x-deel-beta`, from an overlay).
    pub beta: bool,
    /// Where the answer holds a short-lived link to the operation's file (`x-deel-download-link`,
    /// a JSON pointer), for operations that answer with one.
    pub download_link: Option<String>,
    /// Parameter name as a Rust identifier → where it goes (`path`, `query`, `header`).
    pub params: BTreeMap<String, String>,
    /// Parameter name as a Rust identifier → its name on the wire.
    pub wire: BTreeMap<String, String>,
}

impl Operation {
    /// The Rust method name progenitor gives this operation.
    pub fn method_name(&self) -> String {
        snake(&self.id)
    }

    /// The operation's page in Deel's API reference.
    pub fn reference_url(&self) -> String {
        format!("https://developer.deel.com/api/reference/endpoints/{}/{}", self.area, self.upstream_id)
    }
}

/// snake_case the way progenitor names methods and parameters.
pub fn snake(s: &str) -> String {
    words(s).join("_").to_lowercase()
}

/// Every operation of the document, keyed by Rust method name.
pub fn operations(doc: &Value) -> Result<BTreeMap<String, Operation>, String> {
    let mut out = BTreeMap::new();
    let mut err = None;
    for (path, method, op) in json::operations(doc) {
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
        let strings = |key: &str| -> Vec<String> {
            op.get(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect())
                .unwrap_or_default()
        };
        let (mut params, mut wire) = (BTreeMap::new(), BTreeMap::new());
        for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
            let (Some(name), Some(place)) =
                (p.get("name").and_then(Value::as_str), p.get("in").and_then(Value::as_str))
            else {
                continue;
            };
            params.insert(snake(name), place.to_string());
            wire.insert(snake(name), name.to_string());
        }
        let operation = Operation {
            upstream_id: op.get("x-deel-upstream-id").and_then(Value::as_str).unwrap_or(&id).to_string(),
            id,
            method: method.to_uppercase(),
            path: path.to_string(),
            area: strings("tags").into_iter().next().unwrap_or_default(),
            scopes: strings("x-deel-scopes"),
            multipart: op.get("x-deel-multipart") == Some(&Value::Bool(true)),
            version: op
                .get("x-deel-version")
                .and_then(Value::as_str)
                .unwrap_or(crate::import::passes::BASELINE_VERSION)
                .to_string(),
            beta: op.get("x-deel-beta") == Some(&Value::Bool(true)),
            download_link: op.get("x-deel-download-link").and_then(Value::as_str).map(String::from),
            params,
            wire,
        };
        let key = operation.method_name();
        if out.insert(key.clone(), operation).is_some() {
            err = Some(format!("two operations map to the Rust method `{key}`"));
        }
    }
    match err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// Drops the request body of operations marked `x-deel-multipart`.
pub fn remove_multipart_bodies(doc: &mut Value) {
    json::for_each_operation(doc, &mut |_, _, op| {
        if op.get("x-deel-multipart") == Some(&Value::Bool(true)) {
            op.remove("requestBody");
        }
    });
}

/// Learned wire names: schema name → property → the other names Deel is known to send it under
/// (`x-deel-wire-aliases`, set by an overlay).
pub type WireAliases = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// Every `x-deel-wire-aliases` of the document's component schemas.
pub fn wire_aliases(doc: &Value) -> WireAliases {
    let mut out = WireAliases::new();
    let schemas = doc.pointer("/components/schemas").and_then(Value::as_object);
    for (schema, body) in schemas.into_iter().flatten() {
        let properties = body.get("properties").and_then(Value::as_object);
        for (property, facts) in properties.into_iter().flatten() {
            let aliases: Vec<String> = facts
                .get("x-deel-wire-aliases")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect())
                .unwrap_or_default();
            if !aliases.is_empty() {
                out.entry(schema.clone()).or_default().insert(property.clone(), aliases);
            }
        }
    }
    out
}

/// What codegen reads from the document's schemas beyond what progenitor keeps: the facts
/// overlays and the importer add.
#[derive(Debug, Default)]
pub struct SchemaFacts {
    /// Other names Deel sends fields under (`x-deel-wire-aliases`).
    pub aliases: WireAliases,
    /// Request fields that can be cleared (optional and nullable).
    pub clearable: Clearable,
    /// Fields Deel sends as one object or a list of them (`x-deel-one-or-many`).
    pub one_or_many: Clearable,
    /// Response schemas Deel may send without their envelope: schema → the envelope's key
    /// (`x-deel-envelope`).
    pub envelopes: BTreeMap<String, String>,
    /// Fields that hold people's personal data: schema → properties (`x-deel-personal`, set by
    /// the importer's rules and overlays).
    pub personal: Clearable,
}

impl SchemaFacts {
    /// Every schema fact of the document.
    pub fn read(doc: &Value) -> Self {
        let schemas = doc.pointer("/components/schemas").and_then(Value::as_object);
        let mut one_or_many = Clearable::new();
        let mut personal = Clearable::new();
        let mut envelopes = BTreeMap::new();
        for (name, schema) in schemas.into_iter().flatten() {
            if let Some(key) = schema.get("x-deel-envelope").and_then(Value::as_str) {
                envelopes.insert(name.clone(), key.to_string());
            }
            for (field, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten()
            {
                if property.get("x-deel-one-or-many") == Some(&Value::Bool(true)) {
                    one_or_many.entry(name.clone()).or_default().insert(field.clone());
                }
                if property.get("x-deel-personal") == Some(&Value::Bool(true)) {
                    personal.entry(name.clone()).or_default().insert(field.clone());
                }
            }
        }
        Self {
            aliases: wire_aliases(doc),
            clearable: clearable_fields(doc),
            one_or_many,
            envelopes,
            personal,
        }
    }
}

/// Fields a request can clear: schema name → the properties that are optional and nullable in a
/// schema only requests use (a key left out means "leave it", `null` means "clear it"). Those
/// fields get three states (`runtime::Nullable`); a schema responses use too keeps `Option`, so
/// that response types are unchanged.
pub type Clearable = BTreeMap<String, std::collections::BTreeSet<String>>;

/// Every clearable field of the document (see [`Clearable`]).
pub fn clearable_fields(doc: &Value) -> Clearable {
    use std::collections::BTreeSet;
    let schemas = doc.pointer("/components/schemas").and_then(Value::as_object);
    let reached = |roots: Vec<String>| {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<String> =
            roots.iter().filter_map(|r| json::schema_ref_name(r)).map(String::from).collect();
        while let Some(name) = todo.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let mut refs = Vec::new();
            if let Some(schema) = schemas.and_then(|s| s.get(&name)) {
                json::collect_refs(schema, &mut refs);
            }
            todo.extend(refs.iter().filter_map(|r| json::schema_ref_name(r)).map(String::from));
        }
        seen
    };
    let (mut sent, mut received) = (Vec::new(), Vec::new());
    for (_, _, op) in json::operations(doc) {
        if let Some(body) = op.get("requestBody") {
            json::collect_refs(body, &mut sent);
        }
        if let Some(responses) = op.get("responses") {
            json::collect_refs(responses, &mut received);
        }
    }
    let received = reached(received);
    let mut out = Clearable::new();
    for name in reached(sent).difference(&received) {
        let Some(schema) = schemas.and_then(|s| s.get(name)) else { continue };
        let required: BTreeSet<&str> = json::required(schema).collect();
        for (field, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            if !required.contains(field.as_str()) && nullable(property) {
                out.entry(name.clone()).or_default().insert(field.clone());
            }
        }
    }
    out
}

/// Whether a property schema admits `null`: `nullable: true`, or a `oneOf`/`anyOf` branch that is
/// `{enum: [null]}` (how the importer writes 3.1's `{type: null}`).
fn nullable(property: &Value) -> bool {
    let null_branch =
        |b: &Value| b.get("enum").and_then(Value::as_array).is_some_and(|e| e.len() == 1 && e[0].is_null());
    property.get("nullable") == Some(&Value::Bool(true))
        || ["oneOf", "anyOf"]
            .iter()
            .any(|k| property.get(*k).and_then(Value::as_array).is_some_and(|bs| bs.iter().any(null_branch)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn clearable_fields_are_optional_nullable_fields_of_schemas_only_requests_use() {
        let doc = json!({ "paths": { "/things/{id}": { "patch": {
            "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Patch" } } } },
            "responses": { "2XX": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Shared" } } } } }
        } } }, "components": { "schemas": {
            "Patch": { "type": "object", "required": ["id"], "properties": {
                "id": { "type": "string", "nullable": true },
                "end_date": { "type": "string", "nullable": true },
                "worker": { "oneOf": [{ "$ref": "#/components/schemas/Shared" }, { "enum": [null] }] },
                "title": { "type": "string" }
            } },
            "Shared": { "type": "object", "properties": { "note": { "type": "string", "nullable": true } } }
        } } });
        let clearable = super::clearable_fields(&doc);
        let patch: Vec<&str> = clearable["Patch"].iter().map(String::as_str).collect();
        assert_eq!(patch, ["end_date", "worker"], "required and non-nullable fields keep their types");
        assert!(!clearable.contains_key("Shared"), "a schema responses use is unchanged");
    }
}

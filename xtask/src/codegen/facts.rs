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

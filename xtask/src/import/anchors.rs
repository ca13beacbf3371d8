//! Where operations use each schema. A use's *anchor* names it by what Deel's API fixes — the
//! operation's method and path, the part (`request`, `response`, `parameter <name>`) and the
//! property path down to the use (`/data`, `/data/[]/client`) — and not by the schema's key,
//! which the importer derives from structure: a key moves when a schema gains a field, is
//! inlined, or stops being identical to another it was merged with. Names are pinned by anchors
//! first (see `names`), so that such a change renames nothing.

use std::collections::{BTreeSet, VecDeque};

use serde_json::Value;

use crate::json::{self, schema_ref_name};

/// One place an operation reaches a component schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// The schema's key.
    pub schema: String,
    /// `POST /rest/v2/workers/session response /data`.
    pub anchor: String,
    /// The JSON pointer of the object holding the `$ref` in the document, so that this one use
    /// can be pointed at another schema.
    pub at: String,
}

/// Every first use of each schema by each operation: operations in document order, and within
/// one, the shallowest use first (breadth first), so that a schema's first anchor is stable.
pub fn uses(doc: &Value) -> Vec<Use> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else { return out };
    for (path, item) in paths {
        for method in json::METHODS {
            let Some(op) = item.get(method) else { continue };
            let at = format!("/paths/{}/{method}", escape(path));
            let head = format!("{} {path}", method.to_uppercase());
            let mut roots: Vec<(String, String)> = Vec::new();
            for (i, p) in op.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
                let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                roots.push((format!("{at}/parameters/{i}/schema"), format!("{head} parameter {name}")));
            }
            let bodies = op.pointer("/requestBody/content").and_then(Value::as_object);
            for media in bodies.into_iter().flat_map(|c| c.keys()) {
                roots.push((
                    format!("{at}/requestBody/content/{}/schema", escape(media)),
                    format!("{head} request"),
                ));
            }
            let responses = op.get("responses").and_then(Value::as_object);
            for (status, response) in responses.into_iter().flatten().filter(|(s, _)| s.starts_with('2')) {
                for media in
                    response.get("content").and_then(Value::as_object).into_iter().flat_map(|c| c.keys())
                {
                    roots.push((
                        format!("{at}/responses/{}/content/{}/schema", escape(status), escape(media)),
                        format!("{head} response"),
                    ));
                }
            }
            walk(doc, roots, &mut out);
        }
    }
    out
}

/// Breadth first from `roots` (JSON pointer, anchor), recording each schema the first time this
/// operation reaches it.
fn walk(doc: &Value, roots: Vec<(String, String)>, out: &mut Vec<Use>) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    // (where in the document, the anchor's head, the property path below it)
    let mut queue: VecDeque<(String, String, String)> =
        roots.into_iter().map(|(at, head)| (at, head, String::new())).collect();
    while let Some((at, head, below)) = queue.pop_front() {
        let Some(node) = doc.pointer(&at) else { continue };
        if let Some(name) = node.get("$ref").and_then(Value::as_str).and_then(schema_ref_name) {
            if seen.insert(name.to_string()) {
                let anchor = if below.is_empty() { head.clone() } else { format!("{head} {below}") };
                out.push(Use { schema: name.to_string(), anchor, at: at.clone() });
                queue.push_back((format!("/components/schemas/{}", escape(name)), head, below));
            }
            continue;
        }
        let mut children: Vec<(String, String)> = Vec::new();
        for name in node.get("properties").and_then(Value::as_object).into_iter().flat_map(|p| p.keys()) {
            children.push((format!("/properties/{}", escape(name)), format!("/{name}")));
        }
        if node.get("items").is_some() {
            children.push(("/items".into(), "/[]".into()));
        }
        if node.get("additionalProperties").is_some_and(Value::is_object) {
            children.push(("/additionalProperties".into(), "/{}".into()));
        }
        for combinator in ["oneOf", "anyOf", "allOf"] {
            for i in 0..node.get(combinator).and_then(Value::as_array).map_or(0, Vec::len) {
                children.push((format!("/{combinator}/{i}"), format!("/{combinator}{i}")));
            }
        }
        for (step, segment) in children {
            queue.push_back((format!("{at}{step}"), head.clone(), format!("{below}{segment}")));
        }
    }
}

/// A JSON pointer segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn anchors_name_uses_by_operation_part_and_property_path() {
        let r = |n: &str| json!({ "$ref": format!("#/components/schemas/{n}") });
        let doc = json!({
            "paths": { "/things/{id}": {
                "get": {
                    "parameters": [{ "name": "status", "in": "query", "schema": r("Status") }],
                    "responses": { "200": { "content": { "application/json": { "schema": r("ThingResponse") } } } }
                },
                "post": {
                    "requestBody": { "content": { "application/json": { "schema": {
                        "type": "object", "properties": { "data": { "type": "array", "items": r("Thing") } } } } } },
                    "responses": { "201": { "content": { "application/json": { "schema": r("ThingResponse") } } } }
                }
            } },
            "components": { "schemas": {
                "ThingResponse": { "type": "object", "properties": { "data": r("Thing") } },
                "Thing": { "type": "object", "properties": { "status": r("Status"), "parent": r("Thing") } },
                "Status": { "type": "string", "enum": ["on"] }
            } }
        });
        let found: Vec<(String, String)> = uses(&doc).into_iter().map(|u| (u.schema, u.anchor)).collect();
        let expected = [
            ("Status", "GET /things/{id} parameter status"),
            ("ThingResponse", "GET /things/{id} response"),
            ("Thing", "GET /things/{id} response /data"),
            ("ThingResponse", "POST /things/{id} response"),
            ("Thing", "POST /things/{id} request /data/[]"),
            ("Status", "POST /things/{id} request /data/[]/status"),
        ];
        let expected: Vec<(String, String)> =
            expected.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        assert_eq!(found, expected, "the self-reference of `parent` is not followed twice");
        // The holder of a use can be pointed elsewhere.
        let thing = uses(&doc).into_iter().find(|u| u.anchor == "GET /things/{id} response /data");
        assert_eq!(
            thing.map(|u| u.at),
            Some("/components/schemas/ThingResponse/properties/data".to_string())
        );
    }
}

//! Classifies list operations by how they page, from the facts in `openapi/`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::facts::snake;
use crate::json;

/// How one operation pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSpec {
    /// The runtime's `PageStyle` variant name.
    pub style: &'static str,
    /// The query parameter that carries the position (Rust name).
    pub position: String,
    /// The query parameter that sets the page size (Rust name), if any.
    pub size: Option<String>,
    /// The top-level response field holding the items, and whether it is optional.
    pub items: Field,
    /// Path to the next-page token, if the style has one.
    pub next: Option<Vec<Field>>,
    /// Path to a "has more" flag, if any.
    pub has_more: Option<Vec<Field>>,
    /// Path to the total item count, if any, and whether it is an integer.
    pub total: Option<(Vec<Field>, bool)>,
}

/// One step of a field path: the Rust field name and whether typify made it an `Option`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub optional: bool,
}

/// The outcome of classifying every list-like operation.
#[derive(Debug, Default)]
pub struct Classification {
    /// Paginated operations, by Rust method name.
    pub paged: BTreeMap<String, PageSpec>,
    /// Operations that look like lists but cannot be paged, with the reason.
    pub unclassified: BTreeMap<String, String>,
}

/// Classifies every operation of the document.
pub fn classify(doc: &Value) -> Classification {
    let schemas = doc.pointer("/components/schemas").cloned().unwrap_or(Value::Null);
    let resolve = |s: &Value| resolve_ref(&schemas, s);
    let mut out = Classification::default();
    let mut doc = doc.clone();
    json::for_each_operation(&mut doc, &mut |_, method, op| {
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default();
        let name = snake(id);
        let query: BTreeMap<String, Value> = op
            .get("parameters")
            .and_then(Value::as_array)
            .map(|ps| {
                ps.iter()
                    .filter(|p| p.get("in") == Some(&Value::from("query")))
                    .filter_map(|p| Some((p.get("name")?.as_str()?.to_string(), p.clone())))
                    .collect()
            })
            .unwrap_or_default();
        if method != "get" {
            return;
        }
        let navigational = ["cursor", "after_cursor", "offset", "next", "startIndex"];
        let has_position = navigational.iter().any(|q| query.contains_key(*q));
        let body = op
            .get("responses")
            .and_then(|r| r.pointer("/2XX/content/application~1json/schema"))
            .map(resolve)
            .unwrap_or(Value::Null);
        // A response that says where the list goes on marks a list operation too.
        let says_more = ["has_more", "next_cursor", "page", "totalResults"]
            .iter()
            .any(|k| body.get("properties").is_some_and(|p| p.get(*k).is_some()));
        if !has_position && !says_more {
            return;
        }
        if !has_position {
            out.unclassified.insert(name, "no query parameter asks for a later page".into());
            return;
        }
        let field = |obj: &Value, key: &str| -> Option<(Field, Value)> {
            let schema = resolve(obj.get("properties")?.get(key)?);
            let required = obj
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|v| v.as_str() == Some(key)));
            let nullable = schema.get("nullable") == Some(&Value::Bool(true));
            let is_array = schema.get("type") == Some(&Value::from("array"));
            // typify: an optional array is a defaulted `Vec`, not an `Option`.
            let optional = nullable || (!required && !is_array);
            Some((Field { name: snake(key), optional }, schema))
        };
        let typed = |s: &Value, t: &str| s.get("type") == Some(&Value::from(t));
        let items =
            ["data", "Resources"].iter().find_map(|k| field(&body, k).filter(|(_, s)| typed(s, "array")));
        let Some((items, _)) = items else {
            out.unclassified.insert(name, "its items are not an array".into());
            return;
        };
        // The field at `path` and its schema.
        let leaf = |path: &[&str]| -> Option<(Vec<Field>, Value)> {
            let mut obj = body.clone();
            let mut steps = Vec::new();
            for key in path {
                let (f, s) = field(&obj, key)?;
                steps.push(f);
                obj = s;
            }
            Some((steps, obj))
        };
        let string_at = |path: &[&str]| leaf(path).filter(|(_, s)| typed(s, "string")).map(|(p, _)| p);
        let number_at = |path: &[&str]| -> Option<(Vec<Field>, bool)> {
            let (steps, s) = leaf(path)?;
            if typed(&s, "integer") {
                Some((steps, true))
            } else {
                typed(&s, "number").then_some((steps, false))
            }
        };
        let bool_at =
            |key: &str| field(&body, key).filter(|(_, s)| typed(s, "boolean")).map(|(f, _)| vec![f]);
        let size = ["limit", "page_size", "count"].iter().find(|k| query.contains_key(**k)).map(|k| snake(k));
        let spec = |style, position: &str, next, total| PageSpec {
            style,
            position: snake(position),
            size: size.clone(),
            items: items.clone(),
            next,
            has_more: bool_at("has_more").or_else(|| bool_at("has_next_page")),
            total,
        };
        let cursor_param = ["cursor", "after_cursor"].into_iter().find(|q| query.contains_key(*q));
        let found = if let (Some(q), Some(next)) =
            (cursor_param, string_at(&["next_cursor"]).or_else(|| string_at(&["cursor"])))
        {
            Some(spec("NextCursor", q, Some(next), number_at(&["total_count"])))
        } else if let (Some(q), Some(next)) = (cursor_param, string_at(&["page", "cursor"])) {
            Some(spec("PageCursor", q, Some(next), number_at(&["page", "total_rows"])))
        } else if query.contains_key("offset") {
            Some(spec("Offset", "offset", None, number_at(&["page", "total_rows"])))
        } else if let (true, Some(next)) = (query.contains_key("next"), string_at(&["next"])) {
            Some(spec("NextToken", "next", Some(next), None))
        } else if query.contains_key("startIndex") {
            Some(spec("ScimIndex", "startIndex", None, number_at(&["totalResults"])))
        } else {
            None
        };
        match found {
            Some(spec) => {
                out.paged.insert(name, spec);
            }
            None => {
                out.unclassified.insert(name, "no response field leads to the next page".into());
            }
        }
    });
    out
}

/// Follows `$ref`s to the schema they name.
fn resolve_ref<'a>(schemas: &'a Value, mut schema: &'a Value) -> Value {
    for _ in 0..16 {
        match schema.get("$ref").and_then(Value::as_str).and_then(json::schema_ref_name) {
            Some(name) => schema = &schemas[name],
            None => break,
        }
    }
    schema.clone()
}

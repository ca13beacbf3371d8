//! Draft learned facts from what lenient decoding corrected: an OpenAPI Overlay 1.0 document,
//! for review, that `cargo xtask import` applies once it sits in `openapi/overlays/`.
//!
//! A field a response left out (or sent as `null`) becomes an action that drops it from its
//! schema's `required` list (or marks it `nullable`); any other correction becomes an
//! `x-deel-observed` note on the field, for a person to turn into a fact. Each action carries the
//! source given and why, as the importer requires.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::{Correction, CorrectionKind, JsonType};

/// What one call of an operation corrected.
#[derive(Debug, Clone)]
pub struct Observed<'a> {
    /// The HTTP method (`GET`).
    pub method: &'a str,
    /// The path template as in `openapi/` (`/rest/v2/contracts`).
    pub template: &'a str,
    /// What decoding corrected.
    pub corrections: &'a [Correction],
}

/// An overlay document drafted from `observed`, against the normalized document `openapi`; each
/// action names `source`. Corrections whose schema cannot be found (inside a union, say) are
/// counted in `x-deel-skipped`.
pub fn draft(openapi: &Value, observed: &[Observed<'_>], source: &str) -> Value {
    let mut actions: BTreeMap<(String, String), Value> = BTreeMap::new();
    let mut skipped = 0;
    for o in observed {
        let method = o.method.to_ascii_lowercase();
        let op = openapi.get("paths").and_then(|p| p.get(o.template)).and_then(|p| p.get(&method));
        let root = op.and_then(|op| op.pointer("/responses/2XX/content/application~1json/schema"));
        for c in o.corrections {
            let Some((parent, field)) = root.and_then(|r| locate(openapi, r, &c.pointer)) else {
                skipped += 1;
                continue;
            };
            let at = format!("{} {} {}", o.method, o.template, c.pointer);
            let (target, action) = match (c.kind, c.found, &field) {
                (CorrectionKind::ZeroFilled, JsonType::Absent, Some(name)) => (
                    format!("{parent}.required[?@ == '{name}']"),
                    json!({ "remove": true, "x-why": format!("required but left out of a response ({at})") }),
                ),
                (CorrectionKind::ZeroFilled, JsonType::Null, Some(name)) => (
                    format!("{parent}.properties['{name}']"),
                    json!({ "update": { "nullable": true }, "x-why": format!("sent as null ({at})") }),
                ),
                (kind, found, Some(name)) => (
                    format!("{parent}.properties['{name}']"),
                    json!({
                        "update": { "x-deel-observed": [format!("{} {found}", kind.as_str())] },
                        "x-why": format!("{found} where {} is declared, corrected ({at})", c.expected)
                    }),
                ),
                (_, _, None) => {
                    skipped += 1;
                    continue;
                }
            };
            let key =
                (target.clone(), action.get("remove").map(|_| "remove".to_string()).unwrap_or_default());
            actions.entry(key).or_insert_with(|| {
                let mut a = action;
                a["target"] = Value::String(target);
                a["x-source"] = Value::String(source.to_string());
                a
            });
        }
    }
    json!({
        "overlay": "1.0.0",
        "info": { "title": "Draft: facts learned from corrected responses (review before committing)", "version": "draft" },
        "x-deel-skipped": skipped,
        "actions": actions.into_values().collect::<Vec<_>>()
    })
}

/// The JSONPath of the schema holding the field `pointer` ends at, and the field's name;
/// `None` when the walk meets a union or leaves the schema.
fn locate(openapi: &Value, root: &Value, pointer: &str) -> Option<(String, Option<String>)> {
    let mut schema = root;
    let mut path = String::new();
    let steps: Vec<String> =
        pointer.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect();
    for (i, step) in steps.iter().enumerate() {
        while let Some(name) =
            schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            path = format!("$.components.schemas['{name}']");
            schema = openapi
                .pointer(&format!("/components/schemas/{}", name.replace('~', "~0").replace('/', "~1")))?;
        }
        if path.is_empty() || ["oneOf", "anyOf", "allOf"].iter().any(|k| schema.get(*k).is_some()) {
            return None;
        }
        if step.parse::<usize>().is_ok() && schema.get("items").is_some() {
            schema = schema.get("items")?;
            path.push_str(".items");
            continue;
        }
        if i + 1 == steps.len() {
            return Some((path, Some(step.clone())));
        }
        schema = schema.get("properties")?.get(step)?;
        path.push_str(&format!(".properties['{step}']"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "paths": { "/rest/v2/time_offs": { "get": { "responses": { "2XX": { "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/TimeOffList" } } } } } } } },
            "components": { "schemas": {
                "TimeOffList": { "type": "object", "required": ["data"],
                    "properties": { "data": { "type": "array", "items": { "$ref": "#/components/schemas/TimeOff" } } } },
                "TimeOff": { "type": "object", "required": ["id", "created_at"],
                    "properties": { "id": { "type": "string" }, "created_at": { "type": "string" } } }
            } }
        })
    }

    fn correction(pointer: &str, kind: CorrectionKind, found: JsonType) -> Correction {
        Correction { pointer: pointer.into(), kind, found, expected: "string" }
    }

    #[test]
    fn corrections_become_reviewed_facts_once_each() {
        let corrections = vec![
            correction("/data/0/created_at", CorrectionKind::ZeroFilled, JsonType::Absent),
            correction("/data/1/created_at", CorrectionKind::ZeroFilled, JsonType::Absent),
            correction("/data/0/id", CorrectionKind::Converted, JsonType::Number),
        ];
        let observed =
            [Observed { method: "GET", template: "/rest/v2/time_offs", corrections: &corrections }];
        let overlay = draft(&doc(), &observed, "conformance run, 2026-11-29");
        let actions = overlay["actions"].as_array().cloned().unwrap_or_default();
        assert_eq!(actions.len(), 2, "{overlay:#}");
        let targets: Vec<&str> = actions.iter().filter_map(|a| a["target"].as_str()).collect();
        assert!(
            targets.contains(&"$.components.schemas['TimeOff'].required[?@ == 'created_at']"),
            "{targets:?}"
        );
        assert!(targets.contains(&"$.components.schemas['TimeOff'].properties['id']"), "{targets:?}");
        assert!(actions
            .iter()
            .all(|a| a["x-source"] == "conformance run, 2026-11-29" && a["x-why"].is_string()));
        assert_eq!(overlay["x-deel-skipped"], 0);
    }
}

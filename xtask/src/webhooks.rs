//! `cargo xtask webhooks --from DIR`: Deel's webhook event catalogue → `openapi/webhooks/`.
//!
//! The catalogue is harvested outside the repository (Deel's guides list each event type with a
//! `payload_example`): `DIR/catalogue.jsonl` has one line per event type (`event_type`,
//! `source_url`, `resource` — the kind of thing it carries —, `payload_file`, `notes`), and
//! `DIR/payloads/` the published examples. Only facts come out of it: each event's name, the
//! schema of its resource (field names and JSON types inferred from the examples, or the REST
//! type Deel's API reference gives the same resource), whether it carries a list, and its
//! sources; and a sample resource of our own values per event. Deel's data and prose stay out.
//!
//! Event names Deel does not print where we could read them (only a page title or slug) are left
//! out: they arrive as the unknown event until a source is found.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{json, Map, Value};

use crate::import::passes::words;
use crate::{fixtures, import, json as jsonpath};

/// Where the catalogue lives, relative to the workspace root.
pub const DIR: &str = "openapi/webhooks";
/// The catalogue file in it.
pub const EVENTS: &str = "openapi/webhooks/events.json";

/// Resource kinds whose events carry what a REST operation of the API returns, by schema name
/// in `openapi/deel-api.json`.
const REST: &[(&str, &str)] = &[
    ("timesheet", "Timesheet"),
    ("invoice_adjustment", "InvoiceAdjustment"),
    ("it_order", "ItOrder"),
    ("it_asset", "ItAsset"),
    ("ats_application", "AtsApplication"),
];

/// Event types whose resource is a payslip list: which REST payslip type each carries.
const PAYSLIPS: &[(&str, &str)] =
    &[("eor.payslips.available", "WorkerPayslip"), ("gp.payslips.available", "GpWorkerPayslip")];

/// One catalogue line.
#[derive(Debug, serde::Deserialize)]
struct Line {
    event_type: String,
    source_url: String,
    resource: Option<String>,
    payload_file: Option<String>,
    #[serde(default)]
    notes: String,
}

/// `cargo xtask webhooks --from DIR`.
pub fn run(root: &Path, from: &Path) -> Result<(), String> {
    let doc = import::read_document(&root.join(import::OUTPUT))?;
    let catalogue = build(&doc, from)?;
    let dir = root.join(DIR);
    std::fs::create_dir_all(dir.join("samples")).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let mut text = serde_json::to_string_pretty(&jsonpath::canonical(catalogue.events.clone()))
        .map_err(|e| e.to_string())?;
    text.push('\n');
    std::fs::write(root.join(EVENTS), text).map_err(|e| format!("writing {EVENTS}: {e}"))?;
    for (event, sample) in &catalogue.samples {
        let mut text = serde_json::to_string_pretty(sample).map_err(|e| e.to_string())?;
        text.push('\n');
        let path = dir.join("samples").join(format!("{event}.json"));
        std::fs::write(&path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    println!(
        "webhooks: {} event types ({} left out: no published name), {} resource schemas of our own, {} samples",
        catalogue.kept, catalogue.left_out, catalogue.schemas, catalogue.samples.len()
    );
    Ok(())
}

/// What one run makes.
struct Catalogue {
    events: Value,
    samples: BTreeMap<String, Value>,
    kept: usize,
    left_out: usize,
    schemas: usize,
}

fn build(doc: &Value, from: &Path) -> Result<Catalogue, String> {
    let text = std::fs::read_to_string(from.join("catalogue.jsonl"))
        .map_err(|e| format!("reading {}: {e}", from.join("catalogue.jsonl").display()))?;
    let lines: Vec<Line> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| format!("catalogue line: {e}")))
        .collect::<Result<_, _>>()?;
    // Examples by resource kind: every published example of that kind shapes its schema.
    let mut examples: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut lists: BTreeSet<String> = BTreeSet::new();
    for line in &lines {
        let (Some(kind), Some(file)) = (&line.resource, &line.payload_file) else { continue };
        let Ok(text) = std::fs::read_to_string(from.join("payloads").join(file)) else { continue };
        let Ok(payload) = serde_json::from_str::<Value>(&text) else { continue };
        // An example is an envelope, or (in one guide) the resource alone.
        let resource = payload.pointer("/data/resource").cloned().unwrap_or(payload);
        if let Value::Array(items) = &resource {
            lists.insert(kind.clone());
            examples.entry(kind.clone()).or_default().extend(items.iter().cloned());
        } else {
            examples.entry(kind.clone()).or_default().push(resource);
        }
    }
    let mut schemas = Map::new();
    for (kind, values) in &examples {
        schemas.insert(resource_name(kind), infer_all(values));
    }
    let mut events = Vec::new();
    let (mut kept, mut left_out) = (0, 0);
    let mut samples = BTreeMap::new();
    let doc_schemas = doc.pointer("/components/schemas").cloned().unwrap_or(Value::Null);
    let mut all_schemas = doc_schemas.as_object().cloned().unwrap_or_default();
    all_schemas.extend(schemas.clone());
    let all_schemas = Value::Object(all_schemas);
    for line in &lines {
        if line.notes.starts_with("NAME INFERRED") || line.notes.starts_with("NAME UNKNOWN") {
            left_out += 1;
            continue;
        }
        kept += 1;
        let kind = line.resource.clone().unwrap_or_default();
        let list = lists.contains(&kind) || line.notes.contains("a LIST");
        let payslip = PAYSLIPS.iter().find(|(e, _)| *e == line.event_type).map(|(_, t)| *t);
        let rest = REST.iter().find(|(k, _)| *k == kind).map(|(_, t)| *t).or(payslip);
        let resource = if schemas.contains_key(&resource_name(&kind)) {
            Some(resource_name(&kind))
        } else {
            rest.filter(|t| doc_schemas.get(t).is_some()).map(String::from)
        };
        let schema = match &resource {
            Some(name) => json!({ "$ref": format!("#/components/schemas/{name}") }),
            None => json!({ "type": "object" }),
        };
        let one = fixtures::sample(&all_schemas, &schema, "resource");
        samples.insert(line.event_type.clone(), if list { json!([one]) } else { one });
        let mut event = json!({
            "event_type": line.event_type,
            "variant": variant(&line.event_type),
            "resource": resource,
            "list": list,
            "source": line.source_url,
        });
        if line.payload_file.is_some() {
            event["shaped_by_example"] = json!(true);
        }
        events.push(event);
    }
    events.sort_by(|a, b| a["event_type"].as_str().cmp(&b["event_type"].as_str()));
    let count = schemas.len();
    Ok(Catalogue {
        events: json!({
            "about": "Deel's webhook event types, each with its source; resource schemas are our own, \
                      inferred from published examples (field names and JSON types) or the REST type \
                      of the same resource. Written by `cargo xtask webhooks`.",
            "events": events,
            "schemas": schemas,
        }),
        samples,
        kept,
        left_out,
        schemas: count,
    })
}

/// `contract` → `WebhookContract`.
fn resource_name(kind: &str) -> String {
    format!("Webhook{}", crate::import::passes::pascal(kind))
}

/// `contract.status.updated` → `ContractStatusUpdated`, `it-order.created` → `ItOrderCreated`.
pub fn variant(event_type: &str) -> String {
    crate::import::name_rules::pascal(&words(event_type))
}

/// The schema every one of `values` fits: their fields, all optional (a webhook carries what
/// its event has), each typed by what the examples show.
fn infer_all(values: &[Value]) -> Value {
    values.iter().fold(Value::Null, |schema, value| merge(schema, infer(value)))
}

/// The schema of one value: an object's fields, an array's items, a scalar's JSON type; `null`
/// says only that the field may be null.
fn infer(value: &Value) -> Value {
    match value {
        Value::Null => json!({ "nullable": true }),
        Value::Bool(_) => json!({ "type": "boolean" }),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({ "type": "integer" }),
        Value::Number(_) => json!({ "type": "number" }),
        Value::String(_) => json!({ "type": "string" }),
        Value::Array(items) => json!({ "type": "array", "items": infer_all(items) }),
        Value::Object(map) => {
            let properties: Map<String, Value> = map.iter().map(|(k, v)| (k.clone(), infer(v))).collect();
            json!({ "type": "object", "properties": properties })
        }
    }
}

/// Two schemas of one field, as one: properties united, an integer widened to a number, a type
/// seen beside `null` made nullable; types that disagree otherwise leave the field untyped.
fn merge(a: Value, b: Value) -> Value {
    if a.is_null() {
        return b;
    }
    let null_only = |s: &Value| *s == json!({ "nullable": true });
    let nullable = |mut s: Value| {
        if let Some(o) = s.as_object_mut() {
            o.insert("nullable".into(), json!(true));
        }
        s
    };
    if null_only(&a) {
        return nullable(b);
    }
    if null_only(&b) {
        return nullable(a);
    }
    let either_nullable = a.get("nullable").is_some() || b.get("nullable").is_some();
    let (ta, tb) = (a.get("type").and_then(Value::as_str), b.get("type").and_then(Value::as_str));
    let out = match (ta, tb) {
        (Some("object"), Some("object")) => {
            let mut properties = a.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
            for (k, v) in b.get("properties").and_then(Value::as_object).into_iter().flatten() {
                let merged = merge(properties.remove(k).unwrap_or(Value::Null), v.clone());
                properties.insert(k.clone(), merged);
            }
            json!({ "type": "object", "properties": properties })
        }
        (Some("array"), Some("array")) => json!({ "type": "array", "items": merge(
            a.get("items").cloned().unwrap_or(Value::Null),
            b.get("items").cloned().unwrap_or(Value::Null)
        ) }),
        (Some(x), Some(y)) if x == y => json!({ "type": x }),
        (Some("integer" | "number"), Some("integer" | "number")) => json!({ "type": "number" }),
        // Types that disagree (or a field already untyped): any JSON value.
        _ => json!({}),
    };
    if either_nullable {
        nullable(out)
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_schemas_come_from_facts_only() {
        assert_eq!(variant("contract.status.updated"), "ContractStatusUpdated");
        assert_eq!(variant("it-order.created"), "ItOrderCreated");
        assert_eq!(variant("worker.v2.created"), "WorkerV2Created");
        let schema = infer_all(&[
            json!({ "id": "a", "count": 1, "tags": ["x"], "note": null, "when": "2026-01-01" }),
            json!({ "id": "b", "count": 2.5, "extra": { "deep": true }, "note": "text" }),
        ]);
        assert_eq!(schema["properties"]["id"], json!({ "type": "string" }));
        assert_eq!(schema["properties"]["count"], json!({ "type": "number" }), "an integer widened");
        assert_eq!(schema["properties"]["note"], json!({ "type": "string", "nullable": true }));
        assert_eq!(schema["properties"]["tags"]["items"], json!({ "type": "string" }));
        assert_eq!(schema["properties"]["extra"]["properties"]["deep"], json!({ "type": "boolean" }));
        assert!(schema.get("required").is_none(), "every field is optional");
        assert!(!schema.to_string().contains("2026-01-01"), "no value is kept");
    }
}

//! Public names, the importer's last step: every operation id and every component schema gets
//! the name the committed names file (`openapi/names.toml`) gives it; what the file does not
//! know yet is named by [`naming`]'s rules and added to it.
//!
//! The file is keyed by what does not change when names do: an operation by its method and path,
//! a schema by the name the importer's passes gave it (built from where it sits in the spec, and
//! the name overlays target). So renaming is an edit of the file, a rule change renames nothing
//! already named, and a test fails if a name moves without the file saying so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::naming::{self, Candidates, OpWords, Origin, Via};
use super::passes::{pascal as schema_pascal, words};
use crate::json::{self, schema_ref_name};

/// Where the names file lives, relative to the workspace root.
pub const FILE: &str = "openapi/names.toml";

/// The names file.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamesFile {
    /// `METHOD /path` → operation id (kebab-case; the Rust method is its snake_case).
    #[serde(default)]
    pub operations: BTreeMap<String, String>,
    /// The importer's schema key → the public type name.
    #[serde(default)]
    pub types: BTreeMap<String, String>,
}

impl NamesFile {
    /// Reads the file; an absent file is an empty one.
    pub fn load(path: &Path) -> Result<NamesFile, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(NamesFile::default()),
            Err(e) => Err(format!("reading {}: {e}", path.display())),
        }
    }

    /// The file's text: a header, then both tables sorted by key.
    pub fn render(&self) -> Result<String, String> {
        let body = toml::to_string(self).map_err(|e| e.to_string())?;
        Ok(format!(
            "# Public names (see xtask/src/import/names.rs). Written by `cargo xtask import`, which adds\n\
             # what it names by rule; edit a value to rename. Keys: `METHOD /path` for operations, the\n\
             # importer's schema key (what overlays target) for types.\n\n{body}"
        ))
    }
}

/// What naming did.
#[derive(Debug, Clone, Default)]
pub struct Named {
    /// The complete file: every operation and every schema of the document.
    pub file: NamesFile,
    /// Operations whose id differs from the passes' (by rule or by the file).
    pub operations_renamed: usize,
    /// Request bodies moved into named schemas.
    pub bodies_named: usize,
    /// Names the file did not have yet (chosen by rule now).
    pub new: Vec<String>,
    /// Entries of the file that matched nothing (left out of the written file).
    pub dropped: Vec<String>,
}

/// Names every operation and schema of `doc`, `pinned` first.
pub fn apply(doc: &mut Value, pinned: &NamesFile) -> Result<Named, String> {
    let mut named = Named::default();
    rename_operations(doc, pinned, &mut named)?;
    named.bodies_named = name_request_bodies(doc);
    let names = type_names(doc, pinned, &mut named)?;
    super::passes::rename_schemas(doc, &names);
    named.dropped = pinned
        .types
        .keys()
        .filter(|k| !names.contains_key(*k))
        .chain(pinned.operations.keys().filter(|k| !named.file.operations.contains_key(*k)))
        .cloned()
        .collect();
    named.file.types = names;
    Ok(named)
}

fn operation_key(method: &str, path: &str) -> String {
    format!("{} {path}", method.to_uppercase())
}

/// Operation ids: the file's, else the rule's ([`naming::plain_id`]) unless another operation
/// has that id already.
fn rename_operations(doc: &mut Value, pinned: &NamesFile, named: &mut Named) -> Result<(), String> {
    let mut ids: Vec<(String, String)> = Vec::new();
    json::for_each_operation(doc, &mut |path, method, op| {
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
        ids.push((operation_key(method, path), id));
    });
    let before: BTreeSet<&String> = ids.iter().map(|(_, id)| id).collect();
    let mut chosen: BTreeMap<String, String> = BTreeMap::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    for (key, _) in &ids {
        if let Some(pin) = pinned.operations.get(key) {
            if !used.insert(pin.clone()) {
                return Err(format!("{FILE}: two operations are named `{pin}`"));
            }
            chosen.insert(key.clone(), pin.clone());
        }
    }
    for (key, id) in &ids {
        if chosen.contains_key(key) {
            continue;
        }
        let plain = naming::plain_id(id);
        let pick = if plain != *id && (before.contains(&plain) || used.contains(&plain)) {
            id.clone()
        } else {
            plain
        };
        if !used.insert(pick.clone()) {
            return Err(format!("two operations would be named `{pick}`"));
        }
        if !pinned.operations.contains_key(key) {
            named.new.push(key.clone());
        }
        chosen.insert(key.clone(), pick);
    }
    json::for_each_operation(doc, &mut |path, method, op| {
        let key = operation_key(method, path);
        let old = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
        let Some(new) = chosen.get(&key) else { return };
        if *new != old {
            named.operations_renamed += 1;
            if !op.contains_key("x-deel-upstream-id") {
                op.insert("x-deel-upstream-id".into(), json!(old));
            }
            op.insert("operationId".into(), json!(new));
        }
    });
    named.file.operations = chosen;
    Ok(())
}

/// Inline JSON request bodies become component schemas (keyed by path and method), so that
/// they are named like every other type (`CreateContractRequest`) and pinned in the file.
fn name_request_bodies(doc: &mut Value) -> usize {
    let mut taken: BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    let mut moved: Vec<(String, Value)> = Vec::new();
    json::for_each_operation(doc, &mut |path, method, op| {
        let Some(schema) =
            op.get_mut("requestBody").and_then(|b| b.pointer_mut("/content/application~1json/schema"))
        else {
            return;
        };
        if schema.get("$ref").is_some() || schema.get("type") != Some(&json!("object")) {
            return;
        }
        let trimmed = path.trim_start_matches("/rest/v2").trim_start_matches("/scim/v2");
        let base = format!("{}{}Body", schema_pascal(trimmed), schema_pascal(method));
        let key = (1..)
            .map(|i| if i == 1 { base.clone() } else { format!("{base}{i}") })
            .find(|k| !taken.contains(k));
        let Some(key) = key else { return };
        taken.insert(key.clone());
        let body = std::mem::replace(schema, json!({ "$ref": format!("#/components/schemas/{key}") }));
        moved.push((key, body));
    });
    let count = moved.len();
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        schemas.extend(moved);
    }
    count
}

/// Every schema's name: pinned, then by rule from the operations down (responses and requests,
/// then what they hold, level by level), then parameters, then anything left.
fn type_names(
    doc: &Value,
    pinned: &NamesFile,
    named: &mut Named,
) -> Result<BTreeMap<String, String>, String> {
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) else {
        return Ok(BTreeMap::new());
    };
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for (key, name) in &pinned.types {
        if !schemas.contains_key(key) {
            continue;
        }
        if !naming::usable(name) {
            return Err(format!("{FILE}: `{name}` (for {key}) is not a usable type name"));
        }
        if !taken.insert(name.clone()) {
            return Err(format!("{FILE}: two types are named `{name}`"));
        }
        names.insert(key.clone(), name.clone());
    }
    // Builders are named after operations and share the area modules with the types.
    for (_, _, op) in json::operations(doc) {
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default();
        taken.insert(naming::pascal(&words(id)));
    }

    // Names the spec's authors gave (`ApiError`, `ServiceProviderConfig`) stay.
    let given: Vec<(String, naming::Candidates)> = schemas
        .keys()
        .filter(|k| !names.contains_key(*k) && naming::is_given_name(k))
        .map(|k| (k.clone(), naming::Candidates { names: vec![k.clone()], bare: false }))
        .collect();
    naming::assign(&given, &mut taken, &mut names);

    let users = area_users(doc);
    let shared = |schema: &str| users.get(schema).is_some_and(|areas| areas.len() > 1);
    let properties = |schema: &str| -> Vec<String> {
        schemas
            .get(schema)
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    };
    // An envelope (`{"data": …}`) is named after what its `data` holds.
    let shape = |schema: &str, suffix: &'static str| {
        let data = schemas.get(schema).and_then(|s| s.pointer("/properties/data"));
        let inner =
            data.and_then(|d| d.get("$ref").or_else(|| d.pointer("/items/$ref"))).and_then(Value::as_str);
        match (properties(schema).as_slice(), inner.and_then(schema_ref_name)) {
            ([only], Some(target)) if only == "data" => {
                let list = data.is_some_and(|d| d.get("items").is_some());
                Origin::Shape {
                    properties: properties(target),
                    suffix: if list { "ListResponse" } else { suffix },
                }
            }
            _ => Origin::Shape { properties: properties(schema), suffix },
        }
    };
    let (mut roots, params) = operation_origins(doc);
    for (schema, origin) in roots.iter_mut() {
        if !shared(schema) {
            continue;
        }
        match origin {
            Origin::Response { .. } => *origin = shape(schema, "Response"),
            Origin::Request { .. } => *origin = shape(schema, "Request"),
            _ => {}
        }
    }
    let fresh = |names: &BTreeMap<String, String>, list: &[(String, Origin)]| -> Vec<(String, Candidates)> {
        let mut seen = BTreeSet::new();
        list.iter()
            .filter(|(s, _)| !names.contains_key(s) && seen.insert(s.clone()))
            .map(|(s, o)| (s.clone(), naming::candidates(o, None)))
            .collect()
    };
    let wanted = fresh(&names, &roots);
    naming::assign(&wanted, &mut taken, &mut names);

    let root_ops: BTreeMap<&str, (OpWords, bool)> = roots
        .iter()
        .filter_map(|(s, o)| match o {
            Origin::Response { op, .. } => Some((s.as_str(), (op.clone(), true))),
            Origin::Request { op } => Some((s.as_str(), (op.clone(), false))),
            _ => None,
        })
        .collect();
    let mut visited: BTreeSet<String> = BTreeSet::new();
    let mut descend = |from: Vec<String>,
                       names: &mut BTreeMap<String, String>,
                       taken: &mut BTreeSet<String>| {
        let mut frontier: Vec<String> = from.into_iter().filter(|s| visited.insert(s.clone())).collect();
        while !frontier.is_empty() {
            let mut batch: Vec<(String, Origin)> = Vec::new();
            for parent in &frontier {
                let mut found = Vec::new();
                if let Some(schema) = schemas.get(parent) {
                    naming::children(schema, None, Via::Property, &mut found);
                }
                for (child, key, via) in found {
                    if !visited.insert(child.clone()) {
                        continue;
                    }
                    let data_of = root_ops.get(parent.as_str()).cloned();
                    let is_data = key.as_deref() == Some("data") && data_of.is_some();
                    let origin = if is_data && shared(&child) {
                        shape(
                            &child,
                            if data_of.as_ref().is_some_and(|(_, response)| !*response) {
                                "Input"
                            } else {
                                ""
                            },
                        )
                    } else {
                        Origin::Child { parent: parent.clone(), key, via, data_of }
                    };
                    batch.push((child, origin));
                }
            }
            // An operation's own resource (`data` of its body) is named before what other
            // bodies hold under the same word.
            let resources_first = |(_, o): &&(String, Origin)| !matches!(o, Origin::Child { key: Some(k), data_of: Some(_), .. } if k == "data");
            let mut ordered: Vec<&(String, Origin)> = batch.iter().collect();
            ordered.sort_by_key(resources_first);
            let wanted: Vec<(String, Candidates)> = ordered
                .into_iter()
                .filter(|(s, _)| !names.contains_key(s))
                .map(|(s, o)| {
                    let parent = match o {
                        Origin::Child { parent, .. } => names.get(parent).map(String::as_str),
                        _ => None,
                    };
                    (s.clone(), naming::candidates(o, parent))
                })
                .collect();
            naming::assign(&wanted, taken, names);
            frontier = batch.into_iter().map(|(s, _)| s).collect();
        }
    };
    descend(roots.iter().map(|(s, _)| s.clone()).collect(), &mut names, &mut taken);

    let wanted = fresh(&names, &params);
    naming::assign(&wanted, &mut taken, &mut names);
    descend(params.iter().map(|(s, _)| s.clone()).collect(), &mut names, &mut taken);
    let rest: Vec<(String, Origin)> = schemas
        .keys()
        .filter(|k| !names.contains_key(*k))
        .map(|k| (k.clone(), Origin::Other { key: k.clone() }))
        .collect();
    let wanted = fresh(&names, &rest);
    naming::assign(&wanted, &mut taken, &mut names);
    descend(rest.iter().map(|(s, _)| s.clone()).collect(), &mut names, &mut taken);

    named.new.extend(names.keys().filter(|k| !pinned.types.contains_key(*k)).cloned());
    Ok(names)
}

/// The areas (operation tags) whose operations reach each schema.
fn area_users(doc: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let schemas = doc.pointer("/components/schemas").and_then(Value::as_object);
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (_, _, op) in json::operations(doc) {
        let area =
            op.get("tags").and_then(|t| t.get(0)).and_then(Value::as_str).unwrap_or_default().to_string();
        let mut refs = Vec::new();
        op.values().for_each(|v| json::collect_refs(v, &mut refs));
        let mut stack: Vec<String> =
            refs.iter().filter_map(|r| schema_ref_name(r)).map(String::from).collect();
        let mut seen = BTreeSet::new();
        while let Some(name) = stack.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            out.entry(name.clone()).or_default().insert(area.clone());
            let mut inner = Vec::new();
            if let Some(schema) = schemas.and_then(|s| s.get(&name)) {
                json::collect_refs(schema, &mut inner);
            }
            stack.extend(inner.iter().filter_map(|r| schema_ref_name(r)).map(String::from));
        }
    }
    out
}

/// The schemas a media type's body refers to, with the key and the way each hangs there.
fn media_refs(media: &Value) -> Vec<(String, Option<String>, Via)> {
    let mut found = Vec::new();
    naming::children(media.get("schema").unwrap_or(&Value::Null), None, Via::Property, &mut found);
    found
}

/// Schemas with where each was found.
type Origins = Vec<(String, Origin)>;

/// The schemas operations use directly, in document order: whole bodies (responses, then the
/// request, per operation) and parameters.
fn operation_origins(doc: &Value) -> (Origins, Origins) {
    let (mut roots, mut params) = (Vec::new(), Vec::new());
    let schemas = doc.pointer("/components/schemas");
    for (_, _, op) in json::operations(doc) {
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default();
        let words = OpWords::new(id);
        let responses = op.get("responses").and_then(Value::as_object);
        for (status, response) in responses.into_iter().flatten() {
            if !status.starts_with('2') {
                continue;
            }
            let content = response.get("content").and_then(Value::as_object);
            for media in content.into_iter().flatten().map(|(_, m)| m) {
                for (schema, key, _) in media_refs(media) {
                    let list = key.is_none()
                        && schemas
                            .and_then(|s| s.get(&schema))
                            .and_then(|s| s.pointer("/properties/data/type"))
                            .is_some_and(|t| t == "array");
                    let origin = if key.is_none() {
                        Origin::Response { op: words.clone(), list }
                    } else {
                        Origin::Other {
                            key: format!("{}{}", words.stem, schema_pascal(&key.unwrap_or_default())),
                        }
                    };
                    roots.push((schema, origin));
                }
            }
        }
        if let Some(body) = op.get("requestBody").and_then(|b| b.get("content")).and_then(Value::as_object) {
            for media in body.values() {
                for (schema, key, via) in media_refs(media) {
                    let origin = match key {
                        None => Origin::Request { op: words.clone() },
                        Some(name) => Origin::Param { op: words.clone(), name, items: via == Via::Items },
                    };
                    roots.push((schema, origin));
                }
            }
        }
        for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            let mut found = Vec::new();
            naming::children(p.get("schema").unwrap_or(&Value::Null), Some(name), Via::Property, &mut found);
            for (schema, _, via) in found {
                params.push((
                    schema,
                    Origin::Param { op: words.clone(), name: name.to_string(), items: via == Via::Items },
                ));
            }
        }
    }
    (roots, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny API of our own: a contract list, a contract create with an inline body, a status
    /// enum used by a response field and a parameter.
    fn doc() -> Value {
        let r = |n: &str| json!({ "$ref": format!("#/components/schemas/{n}") });
        json!({
            "openapi": "3.0.3",
            "paths": {
                "/rest/v2/contracts": {
                    "get": {
                        "operationId": "retrieve-a-list-of-contracts",
                        "parameters": [{ "name": "statuses", "in": "query", "schema": { "type": "array", "items": r("CgpStatusesItems") } }],
                        "responses": { "2XX": { "content": { "application/json": { "schema": r("ContractsGetResponse200") } } } }
                    },
                    "post": {
                        "operationId": "create-contract",
                        "requestBody": { "content": { "application/json": { "schema": {
                            "type": "object", "properties": { "data": r("ContractsPostBodyData") } } } } },
                        "responses": { "2XX": { "content": { "application/json": { "schema": r("ContractsPostResponse201") } } } }
                    }
                }
            },
            "components": { "schemas": {
                "ContractsGetResponse200": { "type": "object", "properties": { "data": { "type": "array", "items": r("ContractsGetResponseDataItems") } } },
                "ContractsGetResponseDataItems": { "type": "object", "properties": {
                    "status": r("ContractsGetResponseDataItemsStatus"), "client": r("ContractsGetResponseDataItemsClient") } },
                "ContractsGetResponseDataItemsStatus": { "type": "string", "enum": ["active"] },
                "ContractsGetResponseDataItemsClient": { "type": "object", "properties": { "id": { "type": "string" } } },
                "CgpStatusesItems": { "type": "string", "enum": ["active", "ended"] },
                "ContractsPostBodyData": { "type": "object", "properties": { "title": { "type": "string" } } },
                "ContractsPostResponse201": { "type": "object", "properties": { "data": r("ContractsGetResponseDataItems") } }
            } }
        })
    }

    fn names_of(named: &Named) -> Vec<(&str, &str)> {
        named.file.types.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    #[test]
    fn schemas_and_operations_get_names_a_person_would_choose() {
        let mut d = doc();
        let named = apply(&mut d, &NamesFile::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            names_of(&named),
            [
                // `ContractStatus` is the response's; the filter is named after its call.
                ("CgpStatusesItems", "ListContractsStatus"),
                ("ContractsGetResponse200", "ContractList"),
                ("ContractsGetResponseDataItems", "Contract"),
                // `Client` alone is the SDK's client.
                ("ContractsGetResponseDataItemsClient", "ContractClient"),
                ("ContractsGetResponseDataItemsStatus", "ContractStatus"),
                ("ContractsPostBody", "CreateContractRequest"),
                ("ContractsPostBodyData", "CreateContractInput"),
                ("ContractsPostResponse201", "CreateContractResponse"),
            ]
        );
        assert_eq!(d.pointer("/paths/~1rest~1v2~1contracts/get/operationId"), Some(&json!("list-contracts")));
        assert_eq!(
            d.pointer("/paths/~1rest~1v2~1contracts/get/x-deel-upstream-id"),
            Some(&json!("retrieve-a-list-of-contracts"))
        );
        assert_eq!(
            d.pointer("/paths/~1rest~1v2~1contracts/post/requestBody/content/application~1json/schema/$ref"),
            Some(&json!("#/components/schemas/CreateContractRequest"))
        );
        assert!(d
            .pointer("/components/schemas/Contract/properties/status/$ref")
            .is_some_and(|r| r == "#/components/schemas/ContractStatus"));
        assert_eq!(named.new.len(), 2 + 8, "{:?}", named.new);
    }

    #[test]
    fn the_file_wins_and_naming_again_changes_nothing() {
        let mut first = doc();
        let named = apply(&mut first, &NamesFile::default()).unwrap_or_else(|e| panic!("{e}"));
        let mut pins = named.file.clone();
        pins.types.insert("CgpStatusesItems".into(), "ContractStatusFilter".into());
        pins.operations.insert("POST /rest/v2/contracts".into(), "new-contract".into());
        let mut again = doc();
        let renamed = apply(&mut again, &pins).unwrap_or_else(|e| panic!("{e}"));
        assert!(renamed.new.is_empty() && renamed.dropped.is_empty(), "{renamed:?}");
        assert_eq!(renamed.file, pins);
        assert!(again.pointer("/components/schemas/ContractStatusFilter").is_some());
        assert_eq!(
            again.pointer("/paths/~1rest~1v2~1contracts/post/operationId"),
            Some(&json!("new-contract"))
        );
        // The file round-trips through its text.
        let text = pins.render().unwrap_or_default();
        assert_eq!(toml::from_str::<NamesFile>(&text).ok(), Some(pins));
    }

    #[test]
    fn a_bad_or_duplicate_name_in_the_file_is_an_error() {
        let mut pins = NamesFile::default();
        pins.types.insert("ContractsGetResponse200".into(), "Result".into());
        assert!(apply(&mut doc(), &pins).err().unwrap_or_default().contains("not a usable type name"));
        pins.types.insert("ContractsGetResponse200".into(), "Same".into());
        pins.types.insert("ContractsPostResponse201".into(), "Same".into());
        assert!(apply(&mut doc(), &pins).err().unwrap_or_default().contains("two types are named `Same`"));
    }
}

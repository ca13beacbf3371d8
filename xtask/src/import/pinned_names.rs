//! Public names, the importer's last step: every operation id and every component schema gets
//! the name the committed names file (`openapi/names.toml`) gives it; what the file does not
//! know yet is named by [`name_rules`]'s rules and added to it.
//!
//! The file pins each name to what does not change when Deel's document does: an operation by its
//! method and path; a type by where operations use it (its anchors, see [`anchors`]: up to two
//! uses, from different operations), with the importer's schema key (what overlays target) as
//! the fallback. So a schema that gains or loses a field, is inlined, or stops being identical to
//! another keeps its name; two named types that become identical stay two types; renaming is an
//! edit of the file; and a test fails if a name moves without the file saying so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::anchors::{self, Use};
use super::name_rules::{self, Candidates, OpWords, Origin, Via};
use super::passes::{operation_key as body_key, pascal as schema_pascal, words, Hoister};
use crate::json::{self, schema_ref_name};

/// Where the names file lives, relative to the workspace root.
pub const FILE: &str = "openapi/names.toml";

/// The names file.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamesFile {
    /// `METHOD /path` → operation id (kebab-case; the Rust method is its snake_case).
    #[serde(default)]
    pub operations: BTreeMap<String, String>,
    /// Public type name → where the type is.
    #[serde(default)]
    pub types: BTreeMap<String, TypePin>,
}

/// Where a named type is: the first thing that finds a schema wins.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypePin {
    /// Anchors of the type's first uses, from different operations (at most [`PINNED_USES`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<String>,
    /// The importer's schema key: found when no anchor is (a type no operation reaches, or one
    /// whose uses all changed).
    pub key: String,
}

impl TypePin {
    /// A pin by key only (what the file held before anchors, and a test's shorthand).
    pub fn key(key: &str) -> Self {
        Self { uses: Vec::new(), key: key.to_string() }
    }
}

/// How many uses a type is pinned by: one from a second operation keeps the name when the first
/// operation is removed.
pub const PINNED_USES: usize = 2;

impl NamesFile {
    /// Reads the file; an absent file is an empty one.
    pub fn load(path: &Path) -> Result<NamesFile, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(NamesFile::default()),
            Err(e) => Err(format!("reading {}: {e}", path.display())),
        }
    }

    /// The file's text: a header, then both tables sorted by key, one line per entry.
    pub fn render(&self) -> Result<String, String> {
        #[derive(Serialize)]
        struct Operations<'a> {
            operations: &'a BTreeMap<String, String>,
        }
        let operations =
            toml::to_string(&Operations { operations: &self.operations }).map_err(|e| e.to_string())?;
        let mut types = String::from("[types]\n");
        for (name, pin) in &self.types {
            let uses: Vec<String> = pin.uses.iter().map(|u| toml_string(u)).collect();
            let uses =
                if uses.is_empty() { String::new() } else { format!("uses = [{}], ", uses.join(", ")) };
            types.push_str(&format!("{name} = {{ {uses}key = {} }}\n", toml_string(&pin.key)));
        }
        Ok(format!(
            "# Public names (see xtask/src/import/names.rs). Written by `cargo xtask import`, which adds\n\
             # what it names by rule; edit a name (the operation's value, the type's key) to rename.\n\
             # Operations are keyed by `METHOD /path`; a type is found by its uses (operation, part,\n\
             # property path), else by the importer's schema key.\n\n{operations}\n{types}"
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
    let found = find_pinned(doc, pinned)?;
    let names = type_names(doc, found)?;
    // What the file records: each type's uses as they are now, and its key.
    let mut uses: BTreeMap<&str, Vec<&Use>> = BTreeMap::new();
    let all = anchors::uses(doc);
    for u in &all {
        let list = uses.entry(u.schema.as_str()).or_default();
        let operation = |anchor: &str| anchor.split(' ').take(2).collect::<Vec<_>>().join(" ");
        if list.len() < PINNED_USES && list.iter().all(|seen| operation(&seen.anchor) != operation(&u.anchor))
        {
            list.push(u);
        }
    }
    named.file.types = names
        .iter()
        .map(|(key, name)| {
            let uses = uses
                .get(key.as_str())
                .map(|l| l.iter().map(|u| u.anchor.clone()).collect())
                .unwrap_or_default();
            (name.clone(), TypePin { uses, key: key.clone() })
        })
        .collect();
    super::passes::rename_schemas(doc, &names);
    named.new.extend(named.file.types.keys().filter(|n| !pinned.types.contains_key(*n)).cloned());
    named.dropped = pinned
        .types
        .keys()
        .filter(|n| !named.file.types.contains_key(*n))
        .chain(pinned.operations.keys().filter(|k| !named.file.operations.contains_key(*k)))
        .cloned()
        .collect();
    Ok(named)
}

/// The schema each pinned name finds (schema key → name): by its uses first, then by its key.
/// A schema two names find (two named types became identical and were merged) is copied, and
/// the later name's uses are pointed at the copy: merging never takes a name away.
fn find_pinned(doc: &mut Value, pinned: &NamesFile) -> Result<BTreeMap<String, String>, String> {
    let uses = anchors::uses(doc);
    let at: BTreeMap<&str, &Use> = uses.iter().map(|u| (u.anchor.as_str(), u)).collect();
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    let mut copies: Vec<(String, String, Vec<String>)> = Vec::new();
    let exists =
        |doc: &Value, key: &str| doc.pointer("/components/schemas").and_then(|s| s.get(key)).is_some();
    for (name, pin) in &pinned.types {
        if !name_rules::usable(name) {
            return Err(format!("{FILE}: `{name}` (for {}) is not a usable type name", pin.key));
        }
        let by_use = pin.uses.iter().find_map(|a| at.get(a.as_str()));
        let schema = match by_use {
            Some(u) => u.schema.clone(),
            None if exists(doc, &pin.key) => pin.key.clone(),
            None => continue,
        };
        match found.entry(schema) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(name.clone());
            }
            std::collections::btree_map::Entry::Occupied(slot) => {
                // Its own uses, where this name was found.
                let schema = slot.key().clone();
                let holders: Vec<String> = pin
                    .uses
                    .iter()
                    .filter_map(|a| at.get(a.as_str()))
                    .filter(|u| u.schema == schema)
                    .map(|u| u.at.clone())
                    .collect();
                copies.push((schema, name.clone(), holders));
            }
        }
    }
    for (schema, name, holders) in copies {
        let copy_key = format!("{schema}__{name}");
        let Some(body) = doc.pointer("/components/schemas").and_then(|s| s.get(&schema)).cloned() else {
            continue;
        };
        if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
            schemas.insert(copy_key.clone(), body);
        }
        for holder in holders {
            if let Some(node) = doc.pointer_mut(&holder).and_then(Value::as_object_mut) {
                node.insert("$ref".into(), json!(format!("#/components/schemas/{copy_key}")));
            }
        }
        found.insert(copy_key, name);
    }
    Ok(found)
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn operation_key(method: &str, path: &str) -> String {
    format!("{} {path}", method.to_uppercase())
}

/// Operation ids: the file's, else the rule's ([`name_rules::plain_id`]) unless another operation
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
        let plain = name_rules::plain_id(id);
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
    let mut hoister = Hoister::new(doc);
    json::for_each_operation(doc, &mut |path, method, op| {
        let schema =
            op.get_mut("requestBody").and_then(|b| b.pointer_mut("/content/application~1json/schema"));
        if let Some(schema) =
            schema.filter(|s| s.get("$ref").is_none() && s.get("type") == Some(&json!("object")))
        {
            hoister.take(schema, &format!("{}Body", body_key(path, method)));
        }
    });
    hoister.finish(doc)
}

/// Every schema's name: pinned, then by rule from the operations down (responses and requests,
/// then what they hold, level by level), then parameters, then anything left.
fn type_names(doc: &Value, pinned: BTreeMap<String, String>) -> Result<BTreeMap<String, String>, String> {
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) else {
        return Ok(BTreeMap::new());
    };
    let mut taken: BTreeSet<String> = pinned.values().cloned().collect();
    let mut names = pinned;
    // Builders are named after operations and share the area modules with the types.
    for (_, _, op) in json::operations(doc) {
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default();
        taken.insert(name_rules::pascal(&words(id)));
    }

    // Names the spec's authors gave (`ApiError`, `ServiceProviderConfig`) stay.
    let given: Vec<(String, name_rules::Candidates)> = schemas
        .keys()
        .filter(|k| !names.contains_key(*k) && name_rules::is_given_name(k))
        .map(|k| (k.clone(), name_rules::Candidates { names: vec![k.clone()], bare: false }))
        .collect();
    name_rules::assign(&given, &mut taken, &mut names);

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
            .map(|(s, o)| (s.clone(), name_rules::candidates(o, None)))
            .collect()
    };
    let wanted = fresh(&names, &roots);
    name_rules::assign(&wanted, &mut taken, &mut names);

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
                    name_rules::children(schema, None, Via::Property, &mut found);
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
                    (s.clone(), name_rules::candidates(o, parent))
                })
                .collect();
            name_rules::assign(&wanted, taken, names);
            frontier = batch.into_iter().map(|(s, _)| s).collect();
        }
    };
    descend(roots.iter().map(|(s, _)| s.clone()).collect(), &mut names, &mut taken);

    let wanted = fresh(&names, &params);
    name_rules::assign(&wanted, &mut taken, &mut names);
    descend(params.iter().map(|(s, _)| s.clone()).collect(), &mut names, &mut taken);
    let rest: Vec<(String, Origin)> = schemas
        .keys()
        .filter(|k| !names.contains_key(*k))
        .map(|k| (k.clone(), Origin::Other { key: k.clone() }))
        .collect();
    let wanted = fresh(&names, &rest);
    name_rules::assign(&wanted, &mut taken, &mut names);
    descend(rest.iter().map(|(s, _)| s.clone()).collect(), &mut names, &mut taken);

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
    name_rules::children(media.get("schema").unwrap_or(&Value::Null), None, Via::Property, &mut found);
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
            name_rules::children(
                p.get("schema").unwrap_or(&Value::Null),
                Some(name),
                Via::Property,
                &mut found,
            );
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

    /// (schema key, name), sorted by key.
    fn names_of(named: &Named) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> =
            named.file.types.iter().map(|(n, p)| (p.key.as_str(), n.as_str())).collect();
        out.sort();
        out
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
        let pin = pins.types.remove("ListContractsStatus").unwrap_or_default();
        pins.types.insert("ContractStatusFilter".into(), pin);
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
    fn a_name_that_is_not_a_usable_type_name_is_an_error() {
        let mut pins = NamesFile::default();
        pins.types.insert("Result".into(), TypePin::key("ContractsGetResponse200"));
        assert!(apply(&mut doc(), &pins).err().unwrap_or_default().contains("not a usable type name"));
    }

    /// The names `doc()` gets, as the file would pin them.
    fn pinned() -> NamesFile {
        apply(&mut doc(), &NamesFile::default()).unwrap_or_else(|e| panic!("{e}")).file
    }

    #[test]
    fn a_type_found_by_its_use_keeps_its_name_when_its_key_moves() {
        // The contract's schema is inlined into the list response (so it has another key) and
        // gains a field: its use, the list's `/data/[]`, still finds it.
        let mut d = doc();
        let mut contract =
            d.pointer("/components/schemas/ContractsGetResponseDataItems").cloned().unwrap_or_default();
        contract["properties"]["signed"] = json!({ "type": "boolean" });
        if let Some(items) =
            d.pointer_mut("/components/schemas/ContractsGetResponse200/properties/data/items")
        {
            *items = json!({ "$ref": "#/components/schemas/ContractsGetResponseDataItemsV2" });
        }
        if let Some(schemas) = d.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
            schemas.insert("ContractsGetResponseDataItemsV2".into(), contract);
        }
        let named = apply(&mut d, &pinned()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            named.file.types.get("Contract").map(|p| p.key.as_str()),
            Some("ContractsGetResponseDataItemsV2")
        );
        assert!(d.pointer("/components/schemas/Contract/properties/signed").is_some());
        // The create response's `data` no longer is the list's item: a new type, named by rule.
        assert_eq!(named.new.len(), 1, "{:?}", named.new);
    }

    #[test]
    fn two_named_types_that_become_identical_stay_two_types() {
        // The create input and the list's client (each `{ id? | title? }`) become the same
        // schema, as after the importer merged them.
        let mut d = doc();
        let body =
            "/paths/~1rest~1v2~1contracts/post/requestBody/content/application~1json/schema/properties/data";
        if let Some(data) = d.pointer_mut(body) {
            *data = json!({ "$ref": "#/components/schemas/ContractsGetResponseDataItemsClient" });
        }
        if let Some(schemas) = d.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
            schemas.remove("ContractsPostBodyData");
        }
        let named = apply(&mut d, &pinned()).unwrap_or_else(|e| panic!("{e}"));
        assert!(named.dropped.is_empty() && named.new.is_empty(), "{named:?}");
        for name in ["CreateContractInput", "ContractClient"] {
            assert!(d.pointer(&format!("/components/schemas/{name}")).is_some(), "{name} is gone");
        }
        assert_eq!(
            d.pointer("/components/schemas/CreateContractRequest/properties/data/$ref"),
            Some(&json!("#/components/schemas/CreateContractInput"))
        );
    }

    #[test]
    fn a_type_keeps_its_name_when_the_operation_it_was_first_found_by_is_removed() {
        let pins = pinned();
        assert_eq!(pins.types.get("Contract").map(|p| p.uses.len()), Some(2), "two operations use it");
        let mut d = doc();
        if let Some(item) = d.pointer_mut("/paths/~1rest~1v2~1contracts").and_then(Value::as_object_mut) {
            item.remove("get");
        }
        // Its key moves too, as when the importer's merge kept another key.
        let mut d = serde_json::from_str::<Value>(
            &d.to_string().replace("ContractsGetResponseDataItems\"", "Moved\""),
        )
        .unwrap_or_default();
        let named = apply(&mut d, &pins).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(named.file.types.get("Contract").map(|p| p.key.as_str()), Some("Moved"));
    }
}

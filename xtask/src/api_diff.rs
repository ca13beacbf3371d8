//! What a regeneration changes in the SDK's public API, and what that means for its version.
//!
//! Two normalized documents (what `cargo xtask import` writes) are read into the API a Rust user
//! sees — operations with their parameters and bodies, types with their fields, enum values and
//! variants — and compared. Each change gets the semver level it forces on the crate:
//!
//! - **major**: something a caller uses goes away or changes type: an operation, parameter, type,
//!   field, enum value or variant removed; a type renamed; a parameter or field retyped; a field
//!   or parameter becoming required or optional (its Rust type or the method's arguments
//!   change); a required field added to a type callers build (a request).
//! - **minor**: something is added: an operation, an optional parameter (a setter), a type, a
//!   field of a type callers only read (a response) or an optional one of a type they build, an
//!   enum value (enums are open and `#[non_exhaustive]`).
//! - **patch**: nothing a caller names changes (an endpoint's version, scopes, path).
//!
//! Building a response type with a struct literal is not covered: Deel adds fields to responses,
//! and the SDK adds them as fields, as a minor change.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::path::Path;

use serde_json::Value;

use crate::json::{self, schema_ref_name};

/// How far a change reaches, by semver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Nothing a caller names changes.
    Patch,
    /// Only additions.
    Minor,
    /// Something a caller may use changes or goes away.
    Major,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Patch => "patch",
            Level::Minor => "minor",
            Level::Major => "major",
        })
    }
}

/// What kind of change, for the changelog's sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Something new.
    Added,
    /// Something different.
    Changed,
    /// Something gone.
    Removed,
}

/// One change of the public API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its semver level.
    pub level: Level,
    /// Added, changed or removed.
    pub kind: Kind,
    /// What changed, in words (`field WorkerAccessToken.session_id (string, required) added`).
    pub what: String,
}

/// The changes between two documents, in a stable order (operations, then types).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiDiff {
    /// Every change.
    pub changes: Vec<Change>,
}

impl ApiDiff {
    /// The level of the release the changes need (`None`: no change at all), and the first change
    /// of that level as the reason.
    pub fn verdict(&self) -> Option<(Level, &Change)> {
        let level = self.changes.iter().map(|c| c.level).max()?;
        self.changes.iter().find(|c| c.level == level).map(|c| (level, c))
    }

    /// Types that went away while another, of the same structure, appeared: renamed.
    pub fn renamed_types(&self) -> Vec<&Change> {
        self.changes
            .iter()
            .filter(|c| c.what.starts_with("type ") && c.what.contains(" renamed to "))
            .collect()
    }

    /// The report `import` and `codegen` print.
    pub fn report(&self) -> String {
        let Some((level, reason)) = self.verdict() else {
            return "API diff: no change\n".to_string();
        };
        let mut out = format!(
            "API diff: {} change{}; semver: {level} ({})\n",
            self.changes.len(),
            if self.changes.len() == 1 { "" } else { "s" },
            reason.what
        );
        for c in &self.changes {
            let sign = match c.kind {
                Kind::Added => '+',
                Kind::Changed => '~',
                Kind::Removed => '-',
            };
            let _ = writeln!(out, "  {sign} {:<5} {}", c.level, c.what);
        }
        out
    }

    /// A `CHANGELOG.md` entry for the changes, headed `heading`.
    pub fn changelog(&self, heading: &str) -> String {
        let Some((level, reason)) = self.verdict() else {
            return format!("## {heading}\n\nNo change to the public API.\n");
        };
        let mut out = format!("## {heading}\n\nSemver: **{level}** ({}).\n", reason.what);
        for (kind, title) in [(Kind::Added, "Added"), (Kind::Changed, "Changed"), (Kind::Removed, "Removed")]
        {
            let items: Vec<&Change> = self.changes.iter().filter(|c| c.kind == kind).collect();
            if items.is_empty() {
                continue;
            }
            let _ = write!(out, "\n### {title}\n\n");
            for c in items {
                let _ =
                    writeln!(out, "- {}{}", c.what, if c.level == Level::Major { " (breaking)" } else { "" });
            }
        }
        out
    }
}

/// An operation as a caller sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Operation {
    method: String,
    path: String,
    /// Parameter name → (where, required, type).
    params: BTreeMap<String, (String, bool, String)>,
    body: Option<String>,
    response: Option<String>,
    version: Option<String>,
}

/// A type as a caller sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Type {
    /// Fields: name → (type, required).
    Object(BTreeMap<String, (String, bool)>),
    /// Known values.
    Enum(BTreeSet<String>),
    /// Variants, described.
    Union(Vec<String>),
    /// Anything else (an alias of a scalar, an array).
    Other(String),
}

/// The public API of one normalized document.
#[derive(Debug, Default)]
struct Api {
    operations: BTreeMap<String, Operation>,
    types: BTreeMap<String, Type>,
    /// Types reachable from request bodies and parameters: callers build these.
    inputs: BTreeSet<String>,
}

/// `T`, `[T]`, `map<T>`, `string(date-time)`, with `?` when null is allowed.
fn describe(schema: &Value) -> String {
    if let Some(name) = schema.get("$ref").and_then(Value::as_str).and_then(schema_ref_name) {
        return name.to_string();
    }
    let nullable = schema.get("nullable") == Some(&Value::Bool(true));
    let mark = if nullable { "?" } else { "" };
    for combinator in ["oneOf", "anyOf"] {
        if let Some(variants) = schema.get(combinator).and_then(Value::as_array) {
            let is_null = |v: &Value| {
                v.get("enum").and_then(Value::as_array).is_some_and(|e| e.iter().all(Value::is_null))
            };
            let rest: Vec<String> = variants.iter().filter(|v| !is_null(v)).map(describe).collect();
            let null = if rest.len() < variants.len() { "?" } else { mark };
            return match rest.as_slice() {
                [one] => format!("{one}{null}"),
                many => format!("({}){null}", many.join(" | ")),
            };
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        return format!("({}){mark}", parts.iter().map(describe).collect::<Vec<_>>().join(" & "));
    }
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or("any");
    let text = match ty {
        "array" => format!("[{}]", describe(schema.get("items").unwrap_or(&Value::Null))),
        "object" => match schema.get("additionalProperties") {
            Some(inner) if inner.is_object() => format!("map<{}>", describe(inner)),
            _ if schema.get("properties").is_some() => "object{..}".to_string(),
            _ => "object".to_string(),
        },
        _ => match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("{ty}({format})"),
            None => ty.to_string(),
        },
    };
    format!("{text}{mark}")
}

/// The JSON body schema of a request or response object, described.
fn json_body(holder: Option<&Value>) -> Option<String> {
    let content = holder?.get("content")?.as_object()?;
    let (_, media) = content.iter().next()?;
    media.get("schema").map(describe)
}

impl Api {
    fn read(doc: &Value) -> Api {
        let mut api = Api::default();
        let mut input_roots: Vec<String> = Vec::new();
        for (path, method, op) in json::operations(doc) {
            let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().replace('-', "_");
            let mut params = BTreeMap::new();
            for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
                let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
                // The client sets these itself.
                if location == "header" {
                    continue;
                }
                let name = p.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
                let required = p.get("required") == Some(&Value::Bool(true));
                let schema = p.get("schema").unwrap_or(&Value::Null);
                collect_names(schema, &mut input_roots);
                params.insert(name, (location.to_string(), required, describe(schema)));
            }
            let request = op.get("requestBody");
            if let Some(body) = request {
                collect_names(body, &mut input_roots);
            }
            let success = op
                .get("responses")
                .and_then(Value::as_object)
                .and_then(|r| r.iter().find(|(status, _)| status.starts_with('2')).map(|(_, v)| v));
            api.operations.insert(
                id,
                Operation {
                    method: method.to_uppercase(),
                    path: path.to_string(),
                    params,
                    body: json_body(request),
                    response: json_body(success),
                    version: op.get("x-deel-version").and_then(Value::as_str).map(String::from),
                },
            );
        }
        let schemas = doc.pointer("/components/schemas").and_then(Value::as_object);
        for (name, schema) in schemas.into_iter().flatten() {
            api.types.insert(name.clone(), Type::read(schema));
        }
        // What callers build: the request bodies and parameters, and what they hold.
        let mut stack = input_roots;
        while let Some(name) = stack.pop() {
            if api.inputs.insert(name.clone()) {
                if let Some(schema) = schemas.and_then(|s| s.get(&name)) {
                    collect_names(schema, &mut stack);
                }
            }
        }
        api
    }
}

/// The schema names `value` refers to.
fn collect_names(value: &Value, out: &mut Vec<String>) {
    let mut refs = Vec::new();
    json::collect_refs(value, &mut refs);
    out.extend(refs.iter().filter_map(|r| schema_ref_name(r)).map(String::from));
}

impl Type {
    fn read(schema: &Value) -> Type {
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return Type::Enum(values.iter().filter_map(|v| v.as_str().map(String::from)).collect());
        }
        if let Some(variants) = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Value::as_array)
        {
            return Type::Union(variants.iter().map(describe).collect());
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            let required: BTreeSet<&str> = json::required(schema).collect();
            return Type::Object(
                properties
                    .iter()
                    .map(|(n, s)| (n.clone(), (describe(s), required.contains(n.as_str()))))
                    .collect(),
            );
        }
        Type::Other(describe(schema))
    }
}

/// Compares two normalized documents.
pub fn diff(old: &Value, new: &Value) -> ApiDiff {
    let (old, new) = (Api::read(old), Api::read(new));
    let mut changes = Vec::new();
    let mut push = |level, kind, what: String| changes.push(Change { level, kind, what });

    for (id, op) in &old.operations {
        match new.operations.get(id) {
            None => push(
                Level::Major,
                Kind::Removed,
                format!("operation `{id}` ({} {}) removed", op.method, op.path),
            ),
            Some(now) => operation_changes(id, op, now, &mut push),
        }
    }
    for (id, op) in new.operations.iter().filter(|(id, _)| !old.operations.contains_key(*id)) {
        push(Level::Minor, Kind::Added, format!("operation `{id}` ({} {}) added", op.method, op.path));
    }

    let gone: Vec<&String> = old.types.keys().filter(|t| !new.types.contains_key(*t)).collect();
    let added: Vec<&String> = new.types.keys().filter(|t| !old.types.contains_key(*t)).collect();
    let mut renamed_to: BTreeSet<&String> = BTreeSet::new();
    for name in gone {
        let same =
            added.iter().find(|a| !renamed_to.contains(**a) && new.types.get(**a) == old.types.get(name));
        match same {
            Some(to) => {
                renamed_to.insert(to);
                push(Level::Major, Kind::Changed, format!("type `{name}` renamed to `{to}`"));
            }
            None => push(Level::Major, Kind::Removed, format!("type `{name}` removed")),
        }
    }
    for name in added.into_iter().filter(|a| !renamed_to.contains(*a)) {
        push(Level::Minor, Kind::Added, format!("type `{name}` added"));
    }
    for (name, was) in &old.types {
        if let Some(now) = new.types.get(name) {
            type_changes(name, was, now, new.inputs.contains(name), &mut push);
        }
    }
    ApiDiff { changes }
}

fn operation_changes(id: &str, was: &Operation, now: &Operation, push: &mut impl FnMut(Level, Kind, String)) {
    if (was.method.as_str(), was.path.as_str()) != (now.method.as_str(), now.path.as_str()) {
        push(Level::Patch, Kind::Changed, format!("operation `{id}` now calls {} {}", now.method, now.path));
    }
    if was.version != now.version {
        let v = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
        push(
            Level::Patch,
            Kind::Changed,
            format!("operation `{id}` sends version {} (was {})", v(&now.version), v(&was.version)),
        );
    }
    for (name, (location, required, ty)) in &was.params {
        match now.params.get(name) {
            None => push(Level::Major, Kind::Removed, format!("parameter `{name}` of `{id}` removed")),
            Some((_, r, t)) => {
                if t != ty {
                    push(
                        Level::Major,
                        Kind::Changed,
                        format!("parameter `{name}` of `{id}` is {t} (was {ty})"),
                    );
                }
                if r != required {
                    let how = if *r { "required (an argument)" } else { "optional (a setter)" };
                    push(
                        Level::Major,
                        Kind::Changed,
                        format!("parameter `{name}` ({location}) of `{id}` is now {how}"),
                    );
                }
            }
        }
    }
    for (name, (location, required, ty)) in now.params.iter().filter(|(n, _)| !was.params.contains_key(*n)) {
        let (level, how) = if *required { (Level::Major, "required") } else { (Level::Minor, "optional") };
        push(level, Kind::Added, format!("parameter `{name}` ({location}, {ty}, {how}) of `{id}` added"));
    }
    for (part, a, b) in [("request body", &was.body, &now.body), ("response", &was.response, &now.response)] {
        if a != b {
            let d = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
            push(Level::Major, Kind::Changed, format!("{part} of `{id}` is {} (was {})", d(b), d(a)));
        }
    }
}

fn type_changes(name: &str, was: &Type, now: &Type, input: bool, push: &mut impl FnMut(Level, Kind, String)) {
    match (was, now) {
        (Type::Object(a), Type::Object(b)) => {
            for (field, (ty, required)) in a {
                match b.get(field) {
                    None => push(Level::Major, Kind::Removed, format!("field `{name}.{field}` removed")),
                    Some((t, r)) => {
                        if t != ty {
                            push(
                                Level::Major,
                                Kind::Changed,
                                format!("field `{name}.{field}` is {t} (was {ty})"),
                            );
                        }
                        if r != required {
                            let how = if *r { "required" } else { "optional" };
                            push(Level::Major, Kind::Changed, format!("field `{name}.{field}` is now {how}"));
                        }
                    }
                }
            }
            for (field, (ty, required)) in b.iter().filter(|(f, _)| !a.contains_key(*f)) {
                let how = if *required { "required" } else { "optional" };
                let level = if input && *required { Level::Major } else { Level::Minor };
                push(level, Kind::Added, format!("field `{name}.{field}` ({ty}, {how}) added"));
            }
        }
        (Type::Enum(a), Type::Enum(b)) => {
            for v in a.difference(b) {
                push(Level::Major, Kind::Removed, format!("value `{v}` of enum `{name}` removed"));
            }
            for v in b.difference(a) {
                push(Level::Minor, Kind::Added, format!("value `{v}` of enum `{name}` added"));
            }
        }
        (Type::Union(a), Type::Union(b)) if a != b => {
            let (sa, sb): (BTreeSet<&String>, BTreeSet<&String>) = (a.iter().collect(), b.iter().collect());
            for v in sa.difference(&sb) {
                push(Level::Major, Kind::Removed, format!("variant {v} of `{name}` removed"));
            }
            for v in sb.difference(&sa) {
                // A new variant breaks an exhaustive match on the union.
                push(Level::Major, Kind::Added, format!("variant {v} of `{name}` added"));
            }
        }
        (a, b) if a != b => push(Level::Major, Kind::Changed, format!("type `{name}` changed shape")),
        _ => {}
    }
}

/// The committed version of the document at `rel` (`git show HEAD:<rel>`), when there is a
/// repository to read it from.
pub fn committed(root: &Path, rel: &str) -> Option<Value> {
    let out = std::process::Command::new("git")
        .args(["show", &format!("HEAD:{rel}")])
        .current_dir(root)
        .output()
        .ok()?;
    out.status.success().then(|| serde_json::from_slice(&out.stdout).ok()).flatten()
}

/// Where the changelog lives, and the heading of the section `import` drafts in it.
pub const CHANGELOG: &str = "CHANGELOG.md";
const DRAFT: &str = "Unreleased (drafted by `cargo xtask import`)";

/// Puts `diff`'s entry at the top of the changelog in place of an earlier draft (a diff with no
/// change removes the draft). Returns the new text.
pub fn draft_changelog(text: &str, diff: &ApiDiff) -> String {
    let heading = format!("## {DRAFT}");
    // The part before the first entry, and the entries without an earlier draft.
    let first_entry = text.find("\n## ").map_or(text.len(), |i| i + 1);
    let (head, entries) = text.split_at(first_entry);
    let entries = match entries.strip_prefix(&heading) {
        Some(rest) => rest.find("\n## ").map_or("", |i| &rest[i + 1..]),
        None => entries,
    };
    let draft = if diff.changes.is_empty() { String::new() } else { format!("{}\n", diff.changelog(DRAFT)) };
    format!("{head}{draft}{entries}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(fields: Value, required: &[&str], status: &[&str], extra_op: bool) -> Value {
        let r = |n: &str| json!({ "$ref": format!("#/components/schemas/{n}") });
        let mut paths = json!({ "/rest/v2/things": { "get": {
            "operationId": "list-things",
            "parameters": [{ "in": "query", "name": "limit", "required": false, "schema": { "type": "integer" } }],
            "responses": { "2XX": { "content": { "application/json": { "schema": r("Thing") } } } }
        }, "post": {
            "operationId": "create-thing",
            "requestBody": { "content": { "application/json": { "schema": r("ThingInput") } } },
            "responses": { "2XX": { "content": { "application/json": { "schema": r("Thing") } } } }
        } } });
        if extra_op {
            paths["/rest/v2/gizmos"] = json!({ "get": { "operationId": "list-gizmos", "responses": {} } });
        }
        json!({ "openapi": "3.0.3", "paths": paths, "components": { "schemas": {
            "Thing": { "type": "object", "properties": fields, "required": required },
            "ThingInput": { "type": "object", "properties": { "name": { "type": "string" }, "status": r("Status") }, "required": ["name"] },
            "Status": { "type": "string", "enum": status }
        } } })
    }

    fn base() -> Value {
        doc(
            json!({ "id": { "type": "string" }, "status": { "$ref": "#/components/schemas/Status" } }),
            &["id"],
            &["on"],
            false,
        )
    }

    #[test]
    fn the_same_document_is_no_change() {
        let d = diff(&base(), &base());
        assert!(d.changes.is_empty());
        assert_eq!(d.report(), "API diff: no change\n");
    }

    #[test]
    fn additions_are_minor_and_removals_major() {
        let added = doc(
            json!({ "id": { "type": "string" }, "status": { "$ref": "#/components/schemas/Status" }, "size": { "type": "integer" } }),
            &["id", "size"],
            &["off", "on"],
            true,
        );
        let d = diff(&base(), &added);
        let (level, _) = d.verdict().unwrap_or_else(|| panic!("no verdict"));
        assert_eq!(level, Level::Minor, "{}", d.report());
        let whats: Vec<&str> = d.changes.iter().map(|c| c.what.as_str()).collect();
        assert!(whats.contains(&"operation `list_gizmos` (GET /rest/v2/gizmos) added"), "{whats:?}");
        assert!(whats.contains(&"field `Thing.size` (integer, required) added"), "{whats:?}");
        assert!(whats.contains(&"value `off` of enum `Status` added"), "{whats:?}");

        let d = diff(&added, &base());
        assert_eq!(d.verdict().map(|(l, _)| l), Some(Level::Major));
        assert!(d.changelog("x").contains("### Removed"), "{}", d.changelog("x"));
    }

    #[test]
    fn a_required_field_callers_must_now_send_is_major() {
        let mut new = base();
        new["components"]["schemas"]["ThingInput"]["properties"]["owner"] = json!({ "type": "string" });
        new["components"]["schemas"]["ThingInput"]["required"] = json!(["name", "owner"]);
        let d = diff(&base(), &new);
        assert_eq!(
            d.verdict().map(|(l, c)| (l, c.what.clone())),
            Some((Level::Major, "field `ThingInput.owner` (string, required) added".into()))
        );
    }

    #[test]
    fn a_type_that_moves_to_another_name_is_a_rename() {
        let mut new = serde_json::from_str::<Value>(
            &base().to_string().replace("\"Status\"", "\"State\"").replace("/Status\"", "/State\""),
        )
        .unwrap_or_default();
        new["openapi"] = json!("3.0.3");
        let d = diff(&base(), &new);
        assert_eq!(d.renamed_types().len(), 1, "{}", d.report());
        assert_eq!(d.verdict().map(|(l, _)| l), Some(Level::Major));
    }

    #[test]
    fn the_draft_replaces_an_earlier_draft_and_keeps_released_entries() {
        let text = "# Changelog\n\nIntro.\n\n## 0.2.0\n\n- things\n";
        let d = diff(&base(), &doc(json!({}), &[], &["on"], true));
        let once = draft_changelog(text, &d);
        assert!(once.starts_with("# Changelog\n\nIntro.\n\n## Unreleased (drafted"), "{once}");
        assert!(once.ends_with("## 0.2.0\n\n- things\n"), "{once}");
        assert_eq!(draft_changelog(&once, &d), once, "drafting again changes nothing");
        assert_eq!(draft_changelog(&once, &ApiDiff::default()), text, "no change, no draft");
    }
}

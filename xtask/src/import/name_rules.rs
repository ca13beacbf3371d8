//! The rules that propose public names: a type after what it holds (`Contract`, `ContractStatus`,
//! `ContractList`, `CreateContractRequest`), an operation id without filler words
//! (`retrieve-a-list-of-ats-offers` → `list-ats-offers`). They only propose: the names file
//! ([`super::pinned_names`]) pins every name once chosen, so a change of rule never renames a type.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::passes::words;
use crate::json::schema_ref_name;

/// The longest public type name the rules produce.
pub const MAX_LEN: usize = 48;

/// Property names that say nothing alone: a type named after one also takes its parent's name
/// (`status` → `ContractStatus`, never a bare `Status` that could belong to anything).
const GENERIC: &[&str] = &[
    "action",
    "additional",
    "amount",
    "answer",
    "attribute",
    "attributes",
    "body",
    "by",
    "category",
    "code",
    "condition",
    "config",
    "configuration",
    "content",
    "context",
    "custom",
    "data",
    "date",
    "dependency",
    "detail",
    "details",
    "direction",
    "document",
    "entry",
    "error",
    "event",
    "extra",
    "field",
    "file",
    "filter",
    "flag",
    "format",
    "frequency",
    "group",
    "id",
    "info",
    "information",
    "input",
    "item",
    "items",
    "key",
    "kind",
    "label",
    "level",
    "link",
    "list",
    "message",
    "meta",
    "metadata",
    "method",
    "mode",
    "name",
    "note",
    "object",
    "option",
    "options",
    "order",
    "other",
    "output",
    "page",
    "params",
    "payload",
    "period",
    "properties",
    "property",
    "question",
    "range",
    "rate",
    "reason",
    "record",
    "request",
    "requirement",
    "response",
    "result",
    "results",
    "role",
    "rule",
    "schema",
    "scope",
    "section",
    "setting",
    "settings",
    "sort",
    "source",
    "stage",
    "state",
    "status",
    "step",
    "summary",
    "tag",
    "target",
    "time",
    "type",
    "unit",
    "value",
    "values",
    "warning",
];

/// Verbs whose response, when it holds a `data` list, is named `…List`.
const LIST_VERBS: &[&str] = &["get", "list", "retrieve", "fetch", "search", "lookup", "query", "find"];

/// Words an operation id's object starts with that are not the object (`a-list-of-…`).
const FILLER: &[&str] = &["a", "an", "the", "list", "of", "all", "paginated"];

/// Words after which an operation id's object is done (`time-off-requests-for-organization`).
const PREPOSITIONS: &[&str] = &["by", "for", "from", "in", "of", "on", "to", "with", "within", "per"];

/// Names that generated code or its users already mean something else by.
const RESERVED: &[&str] = &[
    "Body",
    "Box",
    "ByteStream",
    "Client",
    "Clone",
    "Copy",
    "DateTime",
    "Debug",
    "Default",
    "Deserialize",
    "Display",
    "Empty",
    "Err",
    "Error",
    "From",
    "Into",
    "Iterator",
    "JsonSchema",
    "Key",
    "Lenient",
    "Map",
    "NaiveDate",
    "None",
    "Ok",
    "Option",
    "Pending",
    "Read",
    "Result",
    "Self",
    "Send",
    "Serialize",
    "Some",
    "String",
    "Sync",
    "Utc",
    "Value",
    "Vec",
    "Visitor",
];

/// PascalCase of words (`["sort", "order"]` → `SortOrder`).
pub fn pascal(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase())
                .unwrap_or_default()
        })
        .collect()
}

/// The singular of an English word, for list items (`currencies` → `currency`); words that
/// do not look plural are kept.
pub fn singular(word: &str) -> String {
    let w = word.to_ascii_lowercase();
    let cut = |n: usize| word[..word.len() - n].to_string();
    if w.len() > 4 && w.ends_with("ies") {
        return cut(3) + "y";
    }
    if ["sses", "uses", "xes", "ches", "shes", "zzes"].iter().any(|s| w.ends_with(s)) {
        return cut(2);
    }
    if !w.ends_with('s') || ["ss", "us", "is"].iter().any(|s| w.ends_with(s)) || w.len() < 3 {
        return word.to_string();
    }
    cut(1)
}

fn singular_last(mut ws: Vec<String>) -> Vec<String> {
    if let Some(last) = ws.last_mut() {
        *last = singular(last);
    }
    ws
}

/// `name` shortened to [`MAX_LEN`] by dropping words after its first, so that it keeps what it
/// starts with (the resource) and ends with (what it is).
pub fn fit(name: &str) -> String {
    fit_to(name, MAX_LEN)
}

fn fit_to(name: &str, limit: usize) -> String {
    if name.len() <= limit {
        return name.to_string();
    }
    let mut ws = words(name);
    while ws.iter().map(String::len).sum::<usize>() > limit && ws.len() > 2 {
        ws.remove(1);
    }
    let fitted: String = ws.concat();
    fitted[..fitted.len().min(limit)].to_string()
}

/// Whether a schema key is a name the spec's authors chose rather than one built from where the
/// schema sits (`ApiError` versus `ContractsGetResponseDataItems`): short, not a single
/// generic word, and free of the words path-built names are made of.
pub fn is_given_name(key: &str) -> bool {
    const BUILT: &[&str] = &[
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "body",
        "parameters",
        "items",
        "data",
        "schema",
        "form",
        "response",
    ];
    let ws = words(key);
    key.len() <= 24
        && !key.ends_with(|c: char| c.is_ascii_digit())
        && !is_generic(&ws)
        && !ws.iter().any(|w| BUILT.contains(&w.to_ascii_lowercase().as_str()))
        && usable(key)
}

/// Whether `name` can be a generated type's name.
pub fn usable(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && name.len() <= MAX_LEN
        && !RESERVED.contains(&name)
}

/// An operation id without filler: `retrieve-a-list-of-x` and `retrieve-paginated-list-of-x`
/// become `list-x`, `gets-…` becomes `get-…`, and `a`, `an`, `the`, `given`, `its` go.
pub fn plain_id(id: &str) -> String {
    let mut ws: Vec<&str> = id.split('-').collect();
    if ws.first() == Some(&"gets") {
        ws[0] = "get";
    }
    let list_of = ["retrieve", "get", "fetch"].contains(ws.first().unwrap_or(&""))
        && ws.iter().skip(1).take(3).any(|w| *w == "list")
        && ws.iter().position(|w| *w == "of").is_some_and(|i| i <= 4);
    if list_of {
        let of = ws.iter().position(|w| *w == "of").unwrap_or(0);
        ws.splice(..=of, ["list"]);
    }
    let kept: Vec<&str> =
        ws.iter().copied().filter(|w| !["a", "an", "the", "given", "its"].contains(w)).collect();
    if kept.len() >= 2 {
        kept.join("-")
    } else {
        id.to_string()
    }
}

/// What a schema is, as far as its name goes: where the first thing that uses it found it.
#[derive(Debug, Clone)]
pub enum Origin {
    /// The whole success body of an operation.
    Response { op: OpWords, list: bool },
    /// The whole request body of an operation.
    Request { op: OpWords },
    /// A query, path or header parameter (or its list items).
    Param { op: OpWords, name: String, items: bool },
    /// Under `key` of a named parent (`via` says how: a property, a list's items, a map's
    /// values, or the n-th alternative of a union).
    Child { parent: String, key: Option<String>, via: Via, data_of: Option<(OpWords, bool)> },
    /// Used from somewhere else (a shared error response): its key is all there is.
    Other { key: String },
    /// Shared by several areas: named after what it holds (its property names), never after one
    /// of the operations that use it, with a suffix for its role (`Response`, `Input`, or none).
    Shape { properties: Vec<String>, suffix: &'static str },
}

/// How a child hangs off its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Property,
    Items,
    Values,
    Variant(usize),
}

/// An operation id taken apart: the whole id as a type-name stem, its verb and its object.
#[derive(Debug, Clone)]
pub struct OpWords {
    pub stem: String,
    pub verb: String,
    pub object: Vec<String>,
}

impl OpWords {
    pub fn new(id: &str) -> OpWords {
        let ws: Vec<String> = id.split('-').filter(|w| !w.is_empty()).map(String::from).collect();
        let verb = ws.first().cloned().unwrap_or_default();
        let mut object: Vec<String> = ws.iter().skip(1).cloned().collect();
        while object.first().is_some_and(|w| FILLER.contains(&w.as_str())) {
            object.remove(0);
        }
        if let Some(cut) = object.iter().position(|w| PREPOSITIONS.contains(&w.as_str())).filter(|i| *i > 0) {
            object.truncate(cut);
        }
        OpWords { stem: pascal(&ws), verb, object }
    }

    fn resource(&self) -> Option<String> {
        (!self.object.is_empty()).then(|| pascal(&singular_last(self.object.clone())))
    }
}

/// Candidate names, best first. `bare` says whether the first is a name on its own (given only
/// when no other schema wants it too) rather than one qualified by its context.
pub struct Candidates {
    pub names: Vec<String>,
    pub bare: bool,
}

/// The candidates for a schema from its origin; `parent` is the parent's chosen name.
pub fn candidates(origin: &Origin, parent: Option<&str>) -> Candidates {
    let qualified =
        |names: Vec<String>| Candidates { names: names.into_iter().map(|n| fit(&n)).collect(), bare: false };
    match origin {
        Origin::Response { op, list } => {
            let mut names = Vec::new();
            if *list && LIST_VERBS.contains(&op.verb.as_str()) {
                names.extend(op.resource().map(|r| format!("{r}List")));
            }
            names.push(format!("{}Response", op.stem));
            qualified(names)
        }
        // `create-time-off-request` takes a `CreateTimeOffRequestBody`, not a `…RequestRequest`.
        Origin::Request { op } if op.stem.ends_with("Request") => qualified(vec![format!("{}Body", op.stem)]),
        Origin::Request { op } => qualified(vec![format!("{}Request", op.stem)]),
        Origin::Param { op, name, items } => {
            let mut ws = words(name);
            if *items || ws.last().is_some_and(|w| w.ends_with('s')) {
                ws = singular_last(ws);
            }
            let base = pascal(&ws);
            let mut names = Vec::new();
            let bare = !is_generic(&ws);
            if bare {
                names.push(base.clone());
            }
            names.extend(op.resource().map(|r| join(&r, &base)));
            names.push(join(&op.stem, &base));
            Candidates { names: names.into_iter().map(|n| fit(&n)).collect(), bare }
        }
        Origin::Child { key: Some(key), via, data_of: Some((op, response)), .. } if key == "data" => {
            let variant = variant_suffix(*via);
            let mut names = Vec::new();
            if *response {
                names.extend(op.resource().map(|r| format!("{r}{variant}")));
                names.push(format!("{}Result{variant}", op.stem));
            } else {
                names.push(format!("{}Input{variant}", op.stem));
            }
            // The resource name goes to the first operation that claims it, not to nobody.
            qualified(names)
        }
        Origin::Child { key, via, .. } => {
            let parent = parent.unwrap_or("Unnamed");
            let variant = variant_suffix(*via);
            let Some(key) = key else {
                let tail = match via {
                    Via::Items => "Item".to_string(),
                    Via::Values => "Value".to_string(),
                    Via::Property | Via::Variant(_) => variant,
                };
                return qualified(vec![format!("{parent}{tail}")]);
            };
            let mut ws = key_words(key);
            if matches!(via, Via::Items | Via::Values) {
                ws = singular_last(ws);
            }
            let base = pascal(&ws);
            let bare =
                !is_generic(&ws) && variant.is_empty() && base.starts_with(|c: char| c.is_ascii_alphabetic());
            let pw = words(parent);
            // A long parent lends its last word (what it is), or two when one says too little.
            let last = pw.last().cloned().unwrap_or_default();
            let stem = if parent.len() <= 20 {
                parent.to_string()
            } else if last.len() >= 5
                && !is_generic(std::slice::from_ref(&last))
                && !last.ends_with(|c: char| c.is_ascii_digit())
            {
                last
            } else {
                pw[pw.len().saturating_sub(2)..].concat()
            };
            let mut names = Vec::new();
            if bare {
                names.push(base.clone());
            }
            names.push(join(&stem, &format!("{base}{variant}")));
            if stem != parent {
                names.push(join(parent, &format!("{base}{variant}")));
            }
            Candidates { names: names.into_iter().map(|n| fit(&n)).collect(), bare }
        }
        Origin::Other { key } => qualified(vec![pascal(&words(key))]),
        Origin::Shape { properties, suffix } => {
            let mut ws: Vec<String> = properties.iter().take(3).flat_map(|p| key_words(p)).collect();
            if ws.is_empty() {
                ws.push("empty".into());
            }
            let base = pascal(&ws);
            let names = vec![format!("{base}{suffix}"), format!("{base}Shape{suffix}")];
            qualified(names)
        }
    }
}

/// The words of a property key; a SCIM schema URN (`urn:ietf:params:scim:schemas:extension:
/// enterprise:2.0:User`) keeps only what tells extensions apart (`enterprise user extension`).
fn key_words(key: &str) -> Vec<String> {
    if !key.starts_with("urn:") {
        return words(key);
    }
    let noise = ["urn", "ietf", "params", "scim", "schemas", "extension"];
    let mut ws: Vec<String> = key
        .split(':')
        .filter(|seg| !noise.contains(&seg.to_ascii_lowercase().as_str()))
        .filter(|seg| !seg.starts_with(|c: char| c.is_ascii_digit()))
        .flat_map(words)
        .collect();
    if key.contains(":extension:") {
        ws.push("extension".into());
    }
    ws
}

/// `stem` then `tail`, without saying the word where they meet twice (`AtsJob` + `JobTeam` →
/// `AtsJobTeam`).
fn join(stem: &str, tail: &str) -> String {
    let (sw, tw) = (words(stem), words(tail));
    match (sw.last(), tw.first()) {
        (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) && tw.len() > 1 => {
            format!("{stem}{}", tw[1..].concat())
        }
        _ => format!("{stem}{tail}"),
    }
}

fn variant_suffix(via: Via) -> String {
    match via {
        Via::Variant(i) => format!("Variant{i}"),
        _ => String::new(),
    }
}

fn is_generic(ws: &[String]) -> bool {
    ws.len() == 1 && ws.first().is_some_and(|w| GENERIC.contains(&w.to_ascii_lowercase().as_str()))
}

/// Every `$ref` under `schema`, with the property key and the way it hangs there; a union with
/// a single non-null member counts as that member (it only says "nullable").
pub fn children(schema: &Value, key: Option<&str>, via: Via, out: &mut Vec<(String, Option<String>, Via)>) {
    let Some(map) = schema.as_object() else { return };
    if let Some(target) = map.get("$ref").and_then(Value::as_str).and_then(schema_ref_name) {
        out.push((target.to_string(), key.map(String::from), via));
        return;
    }
    if let Some(props) = map.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            children(v, Some(k), Via::Property, out);
        }
    }
    if let Some(items) = map.get("items") {
        children(items, key, Via::Items, out);
    }
    if let Some(values) = map.get("additionalProperties").filter(|v| v.is_object()) {
        children(values, key, Via::Values, out);
    }
    for union in ["oneOf", "anyOf", "allOf"] {
        let members: Vec<&Value> = map
            .get(union)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|m| {
                m.get("type") != Some(&Value::from("null"))
                    && m.get("enum") != Some(&serde_json::json!([null]))
            })
            .collect();
        if let [only] = members.as_slice() {
            children(only, key, via, out);
            continue;
        }
        for (i, m) in members.iter().enumerate() {
            children(m, key, Via::Variant(i + 1), out);
        }
    }
}

/// Gives each schema of `wanted` (in order) its first free candidate. A bare name wanted by
/// more than one schema goes to none of them, ever (it would say nothing about which); past
/// the candidates, the last one gets a number.
pub fn assign(
    wanted: &[(String, Candidates)],
    taken: &mut BTreeSet<String>,
    names: &mut BTreeMap<String, String>,
) {
    let mut bare_wanted: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, c) in wanted.iter().filter(|(_, c)| c.bare) {
        if let Some(first) = c.names.first() {
            *bare_wanted.entry(first.as_str()).or_default() += 1;
        }
    }
    taken.extend(bare_wanted.iter().filter(|(_, n)| **n > 1).map(|(name, _)| name.to_string()));
    for (schema, c) in wanted {
        let free = c.names.iter().find(|n| usable(n) && !taken.contains(*n)).cloned();
        let name = free.unwrap_or_else(|| {
            let last = c.names.last().cloned().unwrap_or_else(|| "Unnamed".into());
            let base = fit_to(&last, MAX_LEN - 3);
            (2..).map(|i| format!("{base}{i}")).find(|n| !taken.contains(n)).unwrap_or(base)
        });
        taken.insert(name.clone());
        names.insert(schema.clone(), name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singular_handles_the_plurals_deel_uses() {
        let cases = [
            ("currencies", "currency"),
            ("statuses", "status"),
            ("addresses", "address"),
            ("contracts", "contract"),
            ("status", "status"),
            ("data", "data"),
            ("boxes", "box"),
        ];
        for (plural, one) in cases {
            assert_eq!(singular(plural), one, "{plural}");
        }
    }

    #[test]
    fn operation_ids_lose_their_filler() {
        assert_eq!(plain_id("retrieve-a-list-of-ats-offers"), "list-ats-offers");
        assert_eq!(plain_id("retrieve-paginated-list-of-ats-candidates"), "list-ats-candidates");
        assert_eq!(plain_id("gets-payroll-report-for-a-given-cycle"), "get-payroll-report-for-cycle");
        assert_eq!(plain_id("get-contracts"), "get-contracts");
        assert_eq!(plain_id("the"), "the");
    }

    #[test]
    fn names_follow_what_they_hold() {
        let op = OpWords::new("get-contracts");
        let first = |o: &Origin, p: Option<&str>| candidates(o, p).names.first().cloned().unwrap_or_default();
        assert_eq!(first(&Origin::Response { op: op.clone(), list: true }, None), "ContractList");
        assert_eq!(
            first(&Origin::Response { op: OpWords::new("create-contract"), list: false }, None),
            "CreateContractResponse"
        );
        assert_eq!(
            first(&Origin::Request { op: OpWords::new("create-contract") }, None),
            "CreateContractRequest"
        );
        let data = Origin::Child {
            parent: "ContractList".into(),
            key: Some("data".into()),
            via: Via::Items,
            data_of: Some((op.clone(), true)),
        };
        assert_eq!(first(&data, Some("ContractList")), "Contract");
        let status = Origin::Child {
            parent: "Contract".into(),
            key: Some("status".into()),
            via: Via::Property,
            data_of: None,
        };
        let c = candidates(&status, Some("Contract"));
        assert_eq!((c.names.first().map(String::as_str), c.bare), (Some("ContractStatus"), false));
        let param = Origin::Param { op, name: "currencies".into(), items: true };
        assert_eq!(first(&param, None), "Currency");
    }

    #[test]
    fn a_bare_name_two_schemas_want_goes_to_neither() {
        let client = |parent: &str| {
            candidates(
                &Origin::Child {
                    parent: parent.into(),
                    key: Some("owner".into()),
                    via: Via::Property,
                    data_of: None,
                },
                Some(parent),
            )
        };
        let wanted = vec![("A".to_string(), client("Contract")), ("B".to_string(), client("Invoice"))];
        let (mut taken, mut names) = (BTreeSet::new(), BTreeMap::new());
        assign(&wanted, &mut taken, &mut names);
        assert_eq!(names.get("A").map(String::as_str), Some("ContractOwner"));
        assert_eq!(names.get("B").map(String::as_str), Some("InvoiceOwner"));
        let alone = vec![("C".to_string(), client("Payment"))];
        assign(&alone, &mut taken, &mut names);
        assert_eq!(names.get("C").map(String::as_str), Some("PaymentOwner"));
        let other = vec![("D".to_string(), client("Team"))];
        let mut fresh = BTreeSet::new();
        assign(&other, &mut fresh, &mut names);
        assert_eq!(names.get("D").map(String::as_str), Some("Owner"));
    }

    #[test]
    fn shared_shapes_are_named_after_what_they_hold() {
        let shape = |props: &[&str], suffix| Origin::Shape {
            properties: props.iter().map(|p| p.to_string()).collect(),
            suffix,
        };
        let first = |o: &Origin| candidates(o, None).names.first().cloned().unwrap_or_default();
        assert_eq!(first(&shape(&["success"], "")), "Success");
        assert_eq!(first(&shape(&["expires_at", "url"], "Response")), "ExpiresAtUrlResponse");
        assert_eq!(first(&shape(&[], "")), "Empty");
    }

    #[test]
    fn a_word_is_not_said_twice_where_names_meet() {
        assert_eq!(join("AtsJob", "JobTeam"), "AtsJobTeam");
        assert_eq!(join("Day", "Day"), "DayDay");
        assert_eq!(join("Contract", "Status"), "ContractStatus");
        let request = |id: &str| candidates(&Origin::Request { op: OpWords::new(id) }, None).names;
        assert_eq!(request("create-time-off-request"), ["CreateTimeOffRequestBody"]);
        assert_eq!(request("create-contract"), ["CreateContractRequest"]);
    }

    #[test]
    fn scim_extension_keys_name_their_extension() {
        assert_eq!(
            pascal(&key_words("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")),
            "EnterpriseUserExtension"
        );
        assert_eq!(pascal(&key_words("urn:ietf:params:scim:schemas:extension:2.0:User")), "UserExtension");
        assert_eq!(pascal(&key_words("cost_center")), "CostCenter");
    }

    #[test]
    fn long_names_are_fitted_and_never_reserved() {
        let long = "GetPayStubFromEmployeesFromOrganizationIntegratedWithExternalBenefitsVendorResponse";
        let fitted = fit(long);
        assert!(
            fitted.len() <= MAX_LEN && fitted.starts_with("Get") && fitted.ends_with("Response"),
            "{fitted}"
        );
        assert!(!usable("Result") && !usable("9Lives") && usable("ContractList"));
        assert!(is_given_name("ApiError") && is_given_name("ServiceProviderConfig"));
        assert!(
            !is_given_name("Meta") && !is_given_name("PwacPostBodyData") && !is_given_name("Contracts200")
        );
    }
}

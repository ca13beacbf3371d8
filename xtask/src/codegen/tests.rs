//! Codegen on tiny normalized documents written for the test.

use serde_json::json;

use super::*;

fn tiny(op_extra: Value, schemas: Value) -> Value {
    let mut op = json!({
        "operationId": "list-things",
        "tags": ["things"],
        "x-deel-scopes": ["things:read"],
        "parameters": [
            { "name": "limit", "in": "query", "required": false, "schema": { "type": "string" } },
            { "name": "status", "in": "query", "required": false, "schema": { "$ref": "#/components/schemas/Status" } },
            { "name": "thing_id", "in": "path", "required": true, "schema": { "type": "string" } }
        ],
        "responses": {
            "2XX": { "description": "", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } },
            "4XX": { "$ref": "#/components/responses/Error" }
        }
    });
    if let (Some(op), Some(extra)) = (op.as_object_mut(), op_extra.as_object()) {
        for (k, v) in extra {
            op.insert(k.clone(), v.clone());
        }
    }
    let mut all = json!({
        "Status": { "type": "string", "enum": ["active", "unknown"] },
        "Thing": { "type": "object", "required": ["status"], "properties": { "status": { "$ref": "#/components/schemas/Status" } } }
    });
    if let (Some(all), Some(more)) = (all.as_object_mut(), schemas.as_object()) {
        for (k, v) in more {
            all.insert(k.clone(), v.clone());
        }
    }
    json!({
        "openapi": "3.0.3",
        "info": { "title": "t", "version": "1" },
        "paths": { "/rest/v2/things/{thing_id}": { "post": op } },
        "components": {
            "schemas": all,
            "responses": { "Error": { "description": "",
                "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } } }
        }
    })
}

fn all_text(files: &Files) -> String {
    files.values().cloned().collect::<Vec<_>>().join("\n")
}

#[test]
fn operations_get_builders_with_docs_from_facts() {
    let (files, stats) =
        generate(tiny(json!({}), json!({}))).map_err(|e| e.to_string()).unwrap_or_default_files();
    assert_eq!(stats.operations, 1);
    let builder = &files["deel-api-gen/src/builder.rs"];
    let squashed: String = builder.split_whitespace().collect::<Vec<_>>().join(" ");
    let tight = |text: &str| text.split_whitespace().collect::<String>().replace(",)", ")");
    assert!(
        tight(builder).contains(&tight(
            "pub fn list_things(&self, thing_id: impl ::std::convert::Into<::std::string::String>) -> ListThings"
        )),
        "{builder}"
    );
    assert!(
        tight(builder).contains(&tight(
            "pub fn limit(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self"
        )),
        "{builder}"
    );
    assert!(squashed.contains("/// `POST /rest/v2/things/{thing_id}`"), "{builder}");
    assert!(squashed.contains("Token scopes: `things:read`."), "{builder}");
    assert!(
        squashed.contains("<https://developer.deel.com/api/reference/endpoints/things/list-things>"),
        "{builder}"
    );
    assert!(squashed.contains("Sets the optional `limit` query parameter."), "{builder}");
}

#[test]
fn operations_are_plain_functions_returning_a_pending_call() {
    // Compared without whitespace or trailing commas, which depend on line lengths.
    let tight = |text: &str| text.split_whitespace().collect::<String>().replace(",)", ")");
    let no_content = json!({ "responses": { "204": { "description": "" } } });
    for (extra, body) in [(json!({}), ""), (no_content, ", crate::runtime::pending::Empty")] {
        let (files, _) =
            generate(tiny(extra, json!({}))).map_err(|e| e.to_string()).unwrap_or_default_files();
        let ops = tight(&files["deel-api-gen/src/operations.rs"]);
        let builder = tight(&files["deel-api-gen/src/builder.rs"]);
        // No per-operation state machine: nothing in either file is `async` or awaits.
        for text in [&ops, &builder] {
            assert!(!text.contains("async") && !text.contains(".await"), "{text}");
        }
        let value = if body.is_empty() { "types::Thing" } else { "()" };
        // Arguments borrow only for the call; the pending call borrows nothing.
        let positional = tight(&format!(
            "pub(crate) fn send_list_things<'a>(&'a self, thing_id: &str, limit: Option<&str>, \
             status: Option<types::Status>) -> crate::runtime::Pending<{value}{body}>"
        ));
        assert!(ops.contains(&positional), "{ops}");
        assert!(ops.contains(&tight(".build(); crate::runtime::Pending::new(self, request,")), "{ops}");
        let send = tight(&format!("pub fn send(self) -> crate::runtime::Pending<{value}{body}>"));
        assert!(builder.contains(&send), "{builder}");
    }
}

#[test]
fn api_version_header_is_not_sent() {
    let (files, _) =
        generate(tiny(json!({}), json!({}))).map_err(|e| e.to_string()).unwrap_or_default_files();
    let text = all_text(&files);
    assert!(!text.contains("api-version"), "progenitor's header survived");
    assert!(!text.contains("header_map"), "an empty header map is still built per request");
}

#[test]
fn string_enums_are_open_and_keep_a_variant_named_unknown() {
    let (files, stats) =
        generate(tiny(json!({}), json!({}))).map_err(|e| e.to_string()).unwrap_or_default_files();
    assert_eq!(stats.open_enums, 1);
    let types: String = all_types(&files).split_whitespace().collect::<Vec<_>>().join(" ");
    // `unknown` is a real value here, so the catch-all takes another name.
    assert!(
        types.contains("open_enum!(Status, UnknownValue { Active = \"active\", Unknown = \"unknown\" });"),
        "{types}"
    );
    assert!(!types.contains("impl ::std::str::FromStr for Status"), "typify's closed conversions remain");
}

#[test]
fn required_nullable_fields_may_be_missing() {
    let schemas = json!({ "Thing": { "type": "object", "required": ["status", "note"], "properties": {
        "status": { "$ref": "#/components/schemas/Status" },
        "note": { "type": "string", "nullable": true }
    } } });
    let (files, _) = generate(tiny(json!({}), schemas)).map_err(|e| e.to_string()).unwrap_or_default_files();
    let types = &all_types(&files);
    assert!(types.contains("pub note: ::std::option::Option<::std::string::String>"), "{types}");
    assert!(!types.contains("Option::deserialize"), "{types}");
}

#[test]
fn a_required_nullable_field_keeps_its_wire_name() {
    // Found by the every-operation fixture test: `picUrl` was read and written as `pic_url`.
    let schemas = json!({ "Thing": { "type": "object", "required": ["status", "picUrl"], "properties": {
        "status": { "$ref": "#/components/schemas/Status" },
        "picUrl": { "type": "string", "nullable": true }
    } } });
    let (files, _) = generate(tiny(json!({}), schemas)).unwrap_or_default_files();
    let types = &all_types(&files);
    let field = attrs_above(types, "    pub pic_url:");
    assert!(field.contains(r#"rename = "picUrl""#), "{types}");
    assert!(!types.contains("Option::deserialize"), "{types}");
}

#[test]
fn multipart_operations_take_a_form() {
    let doc = tiny(
        json!({
            "x-deel-multipart": true,
            "requestBody": { "content": { "multipart/form-data": { "schema": { "type": "object" } } } }
        }),
        json!({}),
    );
    let (files, stats) = generate(doc).map_err(|e| e.to_string()).unwrap_or_default_files();
    assert_eq!(stats.multipart, 1);
    let ops: String =
        files["deel-api-gen/src/operations.rs"].split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(ops.contains("form: ::reqwest::multipart::Form"), "{ops}");
    assert!(ops.contains(".multipart(form)"), "{ops}");
    let builder: String =
        files["deel-api-gen/src/builder.rs"].split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(builder.contains("form: impl ::std::convert::Into<::reqwest::multipart::Form>"), "{builder}");
    assert!(
        builder.contains("self.limit.as_deref(), self.status, self.form,"),
        "moved into the call: {builder}"
    );
}

#[test]
fn a_failing_operation_is_named_not_a_bare_panic() {
    // An unmarked multipart body makes progenitor give up; the error must say which operation.
    let doc = tiny(
        json!({ "requestBody": { "content": { "multipart/form-data": { "schema": { "type": "object" } } } } }),
        json!({}),
    );
    let err = generate(doc).err().unwrap_or_default();
    assert!(err.contains("list-things") && err.contains("POST /rest/v2/things/{thing_id}"), "{err}");
}

#[test]
fn generation_is_deterministic() {
    let a = generate(tiny(json!({}), json!({}))).map(|(f, _)| f);
    let b = generate(tiny(json!({}), json!({}))).map(|(f, _)| f);
    assert!(a.is_ok());
    assert_eq!(a, b);
}

#[test]
fn generated_files_carry_the_do_not_edit_header() {
    let (files, _) =
        generate(tiny(json!({}), json!({}))).map_err(|e| e.to_string()).unwrap_or_default_files();
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    for expected in ["client.rs", "builder.rs", "operations.rs", "types.rs", "dispatch/generated.rs"] {
        assert!(names.contains(&format!("deel-api-gen/src/{expected}").as_str()), "{names:?}");
    }
    for (name, text) in &files {
        assert!(text.starts_with("// @generated"), "{name}");
        assert!(text.contains("do not edit"), "{name}");
    }
}

/// A GET list operation with the given query parameters and response properties.
fn list_doc(query: &[&str], response: Value) -> Value {
    let params: Vec<Value> = query
        .iter()
        .map(|q| json!({ "name": q, "in": "query", "required": false, "schema": { "type": "string" } }))
        .collect();
    json!({
        "openapi": "3.0.3",
        "info": { "title": "t", "version": "1" },
        "paths": { "/rest/v2/things": { "get": {
            "operationId": "list-things", "parameters": params,
            "responses": { "2XX": { "description": "", "content": { "application/json": { "schema": response } } } }
        } } },
        "components": { "schemas": {} }
    })
}

fn items() -> Value {
    json!({ "type": "array", "items": { "type": "object", "properties": { "id": { "type": "string" } } } })
}

#[test]
fn list_operations_are_classified_by_their_paging_facts() {
    let page = |props: Value| json!({ "type": "object", "properties": props });
    let cases = [
        (
            list_doc(
                &["cursor", "limit"],
                page(
                    json!({ "data": items(), "has_more": { "type": "boolean" }, "next_cursor": { "type": "string" } }),
                ),
            ),
            "NextCursor",
        ),
        (
            list_doc(
                &["after_cursor", "limit"],
                page(
                    json!({ "data": items(), "page": page(json!({ "cursor": { "type": "string" }, "total_rows": { "type": "number" } })) }),
                ),
            ),
            "PageCursor",
        ),
        (
            list_doc(
                &["limit", "offset"],
                page(json!({ "data": items(), "page": page(json!({ "total_rows": { "type": "number" } })) })),
            ),
            "Offset",
        ),
        (
            list_doc(&["next", "page_size"], page(json!({ "data": items(), "next": { "type": "string" } }))),
            "NextToken",
        ),
        (
            list_doc(
                &["startIndex", "count"],
                page(json!({ "Resources": items(), "totalResults": { "type": "integer" } })),
            ),
            "ScimIndex",
        ),
    ];
    for (doc, style) in cases {
        let found = page_styles::classify(&doc);
        assert_eq!(found.paged.get("list_things").map(|s| s.style), Some(style), "{:?}", found.unclassified);
    }
    let page_cursor = page_styles::classify(&cases_page_cursor());
    let spec = &page_cursor.paged["list_things"];
    assert_eq!(spec.position, "after_cursor");
    assert_eq!(spec.size.as_deref(), Some("limit"));
    assert_eq!(
        spec.next.as_ref().map(|p| p.iter().map(|f| f.name.as_str()).collect::<Vec<_>>()),
        Some(vec!["page", "cursor"])
    );
}

fn cases_page_cursor() -> Value {
    let page = |props: Value| json!({ "type": "object", "properties": props });
    list_doc(
        &["after_cursor", "limit"],
        page(json!({ "data": items(), "page": page(json!({ "cursor": { "type": "string" } })) })),
    )
}

#[test]
fn list_operations_that_cannot_be_paged_are_listed_with_the_reason() {
    let page = |props: Value| json!({ "type": "object", "properties": props });
    let no_param = list_doc(&["limit"], page(json!({ "data": items(), "has_more": { "type": "boolean" } })));
    let found = page_styles::classify(&no_param);
    assert!(found.paged.is_empty());
    assert!(found.unclassified["list_things"].contains("no query parameter"), "{:?}", found.unclassified);
    let object_items = list_doc(&["cursor"], page(json!({ "data": { "type": "object" } })));
    assert!(page_styles::classify(&object_items).unclassified["list_things"].contains("not an array"));
    let not_a_list = list_doc(&["limit"], page(json!({ "data": items() })));
    let found = page_styles::classify(&not_a_list);
    assert!(found.paged.is_empty() && found.unclassified.is_empty());
}

/// Test helper: a failed generation yields empty output, which the assertions then reject with
/// the error printed.
/// Two areas: `alpha` reads a `Shared` thing that holds an `OnlyAlpha` part; `beta` reads the
/// same `Shared` thing and creates one from a `NewThing` body.
fn two_areas() -> Value {
    let ok = |schema: &str| {
        json!({ "2XX": { "description": "", "content": { "application/json": {
            "schema": { "$ref": format!("#/components/schemas/{schema}") } } } } })
    };
    json!({
        "openapi": "3.0.3",
        "info": { "title": "t", "version": "1" },
        "paths": {
            "/rest/v2/alpha": { "get": { "operationId": "get-alpha", "tags": ["alpha"], "responses": ok("AlphaPage") } },
            "/rest/v2/beta": {
                "get": { "operationId": "get-beta", "tags": ["beta"], "responses": ok("Shared") },
                "post": { "operationId": "create-beta", "tags": ["beta"], "responses": ok("Shared"),
                    "requestBody": { "required": true, "content": { "application/json": {
                        "schema": { "$ref": "#/components/schemas/NewThing" } } } } }
            }
        },
        "components": { "schemas": {
            "AlphaPage": { "type": "object", "properties": {
                "shared": { "$ref": "#/components/schemas/Shared" },
                "part": { "$ref": "#/components/schemas/OnlyAlpha" } } },
            "Shared": { "type": "object", "properties": { "id": { "type": "string" } } },
            "OnlyAlpha": { "type": "object", "properties": { "n": { "type": "integer" } } },
            "NewThing": { "type": "object", "properties": { "name": { "type": "string" } } }
        } }
    })
}

/// The attribute lines just above `item` in `text` (at any indentation: area types sit in a
/// module).
fn attrs_above(text: &str, item: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with(item.trim_start()))
        .unwrap_or_else(|| panic!("no `{item}` in:\n{text}"));
    lines[..at]
        .iter()
        .map(|l| l.trim_start())
        .rev()
        .take_while(|l| l.starts_with("#[") || l.starts_with("///"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn operations_and_types_are_compiled_only_with_an_area_that_reaches_them() {
    let (files, stats) = generate(two_areas()).unwrap_or_default_files();
    assert_eq!(stats.areas.iter().map(String::as_str).collect::<Vec<_>>(), ["alpha", "beta"]);
    assert_eq!(stats.unreached, 0);
    let ops = &files["deel-api-gen/src/operations.rs"];
    assert!(
        attrs_above(ops, "    pub(crate) fn send_get_alpha").contains(r#"#[cfg(feature = "alpha")]"#),
        "{ops}"
    );
    assert!(
        attrs_above(ops, "    pub(crate) fn send_create_beta").contains(r#"#[cfg(feature = "beta")]"#),
        "{ops}"
    );
    let builder = &files["deel-api-gen/src/builder.rs"];
    assert!(
        attrs_above(builder, "pub struct GetAlpha ").contains(r#"#[cfg(feature = "alpha")]"#),
        "{builder}"
    );
    let types = &all_types(&files);
    assert!(attrs_above(types, "pub struct Shared ")
        .contains(r#"#[cfg(any(feature = "alpha", feature = "beta"))]"#));
    assert!(attrs_above(types, "pub struct OnlyAlpha ").contains(r#"#[cfg(feature = "alpha")]"#));
    assert!(attrs_above(types, "pub struct NewThing ").contains(r#"#[cfg(feature = "beta")]"#));
}

/// The attribute lines above the `lean_de!` or `lean_ser!` invocation for `name` (its
/// `Deserialize` or `Serialize` impl).
fn lean_attrs(types: &str, mac: &str, name: &str) -> Option<String> {
    let lines: Vec<&str> = types.lines().map(str::trim_start).collect();
    let opens = |i: usize| {
        lines[i].starts_with(&format!("{mac}!({name} {{"))
            || (lines[i] == format!("{mac}!(")
                && lines.get(i + 1).is_some_and(|l| l.starts_with(&format!("{name} {{"))))
    };
    let at = (0..lines.len()).find(|i| opens(*i))?;
    Some(lines[..at].iter().rev().take_while(|l| l.starts_with("#[")).copied().collect::<Vec<_>>().join("\n"))
}

#[test]
fn types_only_sent_in_requests_deserialize_only_for_dispatch() {
    let (files, _) = generate(two_areas()).unwrap_or_default_files();
    let types = &all_types(&files);
    for name in ["NewThing", "Shared"] {
        let derive = attrs_above(types, &format!("pub struct {name} "));
        assert!(!derive.contains("::serde::"), "serde's derives are replaced: {derive}");
        let ser = lean_attrs(types, "lean_ser", name).unwrap_or_else(|| panic!("no lean_ser! for {name}"));
        assert!(!ser.contains("dispatch"), "{ser}");
    }
    let sent = lean_attrs(types, "lean_de", "NewThing")
        .unwrap_or_else(|| panic!("no lean_de! for NewThing:\n{types}"));
    assert!(sent.contains(r#"#[cfg(feature = "dispatch")]"#), "{sent}");
    let received =
        lean_attrs(types, "lean_de", "Shared").unwrap_or_else(|| panic!("no lean_de! for Shared:\n{types}"));
    assert!(!received.contains("dispatch"), "{received}");
}

#[test]
fn manifests_get_one_feature_per_area_and_full() {
    let areas: BTreeSet<String> = ["alpha".to_string(), "beta".to_string()].into();
    let gen = areas::gen_features(&areas);
    assert_eq!(gen, "full = [\n    \"alpha\",\n    \"beta\",\n]\nalpha = []\nbeta = []\n");
    let facade = areas::facade_features(&areas);
    assert!(facade.starts_with("full = [\n    \"alpha\",\n    \"beta\",\n]\n"), "{facade}");
    assert!(facade.contains("beta = [\"deel-api-gen/beta\"]\n"), "{facade}");
}

trait OrEmpty {
    fn unwrap_or_default_files(self) -> (Files, Stats);
}

impl OrEmpty for Result<(Files, Stats), String> {
    fn unwrap_or_default_files(self) -> (Files, Stats) {
        match self {
            Ok(v) => v,
            Err(e) => panic!("generation failed: {e}"),
        }
    }
}

#[test]
fn a_stale_file_is_shown_as_a_unified_diff_of_its_first_hunks() {
    let old = "a\nb\nc\nd\n";
    let new = "a\nB\nc\nd\n";
    let diff = super::first_hunks("deel-api-gen/src/types.rs", old, new, 3);
    assert!(diff.contains("@@ -1,4 +1,4 @@"), "{diff}");
    assert!(diff.contains("-b\n") && diff.contains("+B\n"), "{diff}");
    let many_old: String = (0..100).map(|i| format!("{i}\n")).collect();
    let many_new: String =
        (0..100).map(|i| if i % 20 == 0 { format!("x{i}\n") } else { format!("{i}\n") }).collect();
    let diff = super::first_hunks("f", &many_old, &many_new, 3);
    assert!(diff.ends_with("... and 2 more hunks\n"), "{diff}");
}

#[test]
fn the_secret_field_names_come_from_the_runtime() {
    let fields = super::types::secret_fields().unwrap_or_default();
    assert!(fields.iter().any(|f| f == "token") && fields.iter().any(|f| f == "signing_key"), "{fields:?}");
}

/// Codegen decides on syntax trees: no pass prints tokens to compare them with text, which
/// would silently stop matching when progenitor's spacing or paths change.
#[test]
fn no_decision_compares_printed_tokens() {
    let dir = crate::workspace::workspace_root().join("xtask/src/codegen");
    let (mut offences, mut read) = (Vec::new(), 0);
    let entries = std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).collect::<Vec<_>>());
    for path in entries.unwrap_or_default() {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if name == "tests.rs" || !name.ends_with(".rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        read += usize::from(!text.is_empty());
        // Unit tests may print what they generate; only the passes themselves are checked.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            let printed = ["to_token_stream().to_string()", "into_token_stream().to_string()"]
                .iter()
                .any(|p| line.contains(p));
            // `quote!`'s printed form spaces paths and method calls (`a :: b`, `x . y`).
            let token_text = line.contains(" :: ") || line.contains(" . ");
            if printed || token_text {
                offences.push(format!("{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(read >= 10, "read only {read} codegen sources from {}", dir.display());
    assert!(offences.is_empty(), "codegen compares printed tokens:\n{}", offences.join("\n"));
}

/// The golden spec: a small API written for these tests (`xtask/tests/golden/spec.json`) with
/// each feature codegen handles — cursor, offset and SCIM paging, multipart, binary and empty
/// responses, open enums, nullable and secret fields, untagged unions, three areas. Its output
/// is committed beside it, so that a change to codegen shows up as a readable diff of that
/// output. `UPDATE_GOLDEN=1 cargo test -p xtask golden` rewrites it after a deliberate change.
#[test]
fn golden_spec_output_is_committed() {
    let dir = crate::workspace::workspace_root().join("xtask/tests/golden");
    let doc = import::read_document(&dir.join("spec.json")).unwrap_or_else(|e| panic!("{e}"));
    let (files, stats) = generate(doc).unwrap_or_default_files();
    let mut expected: BTreeMap<String, String> = files
        .iter()
        .map(|(path, text)| (path.trim_start_matches(&format!("{OUT_DIR}/")).to_string(), text.clone()))
        .collect();
    expected.insert("report.txt".into(), format!("{stats}\n"));
    let out = dir.join("out");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&out);
        for (rel, text) in &expected {
            let path = out.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
            }
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let mut diffs = Vec::new();
    for (rel, text) in &expected {
        let committed = std::fs::read_to_string(out.join(rel)).unwrap_or_default();
        if &committed != text {
            diffs.push(super::first_hunks(rel, &committed, text, 4));
        }
    }
    let mut committed_files = Vec::new();
    let mut stack = vec![out.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(&out) {
                committed_files.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    committed_files.retain(|f| !expected.contains_key(f));
    assert!(committed_files.is_empty(), "golden files codegen no longer writes: {committed_files:?}");
    assert!(
        diffs.is_empty(),
        "codegen's output for the golden spec changed (UPDATE_GOLDEN=1 to accept):\n{}",
        diffs.join("\n")
    );
    // The spec exercises what it claims to.
    assert_eq!((stats.operations, stats.multipart, stats.paginated, stats.areas.len()), (9, 1, 3, 3));
    assert!(stats.passes.contains(&("clearable_fields", 1)), "{:?}", stats.passes);
    let out = |f: &str| expected.get(f).cloned().unwrap_or_default();
    assert!(
        out("operations.rs").contains("version: \"2026-03-30\""),
        "a later version reaches its operation"
    );
    assert!(out("builder.rs").contains("pub fn download(self)"), "a linked download gets `download()`");
    assert!(out("areas.rs").contains("crate::runtime::Nullable<"), "a clearable field has three states");
    let all = format!("{}{}", out("types.rs"), out("areas.rs"));
    assert!(tight_text(&all).contains("phone=>hide"), "a personal field is redacted in Debug");
    assert!(
        out("dispatch/generated.rs").contains("PERSONAL_FIELDS: &[&str] = &[\"phone\"]"),
        "and listed for the recorder"
    );
}

/// Whether a public name carries a version date (`…V20260101…`, `…_v_2026_01_01`).
fn dated(name: &str) -> bool {
    let digits: Vec<bool> = name.chars().map(|c| c.is_ascii_digit()).collect();
    let compact = name
        .match_indices("V20")
        .any(|(i, _)| digits.get(i + 1..i + 9).is_some_and(|d| d.iter().all(|x| *x)));
    compact || name.contains("_v_20")
}

/// The features an item is compiled under (`#[cfg(feature = "a")]` or
/// `#[cfg(any(feature = "a", feature = "b"))]`), which are the areas that use it.
fn item_areas(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("cfg")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("feature") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                out.push(lit.value());
            } else if meta.path.is_ident("any") {
                meta.parse_nested_meta(|inner| {
                    let lit: syn::LitStr = inner.value()?.parse()?;
                    out.push(lit.value());
                    Ok(())
                })?;
            }
            Ok(())
        });
    }
    out.retain(|f| f != "dispatch");
    out
}

/// The operation whose id `name` starts with (`ListContractsStatus` and `list-contracts`), as
/// (id words in PascalCase, area): a type named so is named after that operation's area.
fn named_after<'a>(name: &str, stems: &'a [(String, String)]) -> Option<&'a (String, String)> {
    stems
        .iter()
        .filter(|(stem, _)| name.starts_with(stem.as_str()))
        .filter(|(stem, _)| {
            name[stem.len()..].starts_with(|c: char| c.is_ascii_uppercase()) || name.len() == stem.len()
        })
        .max_by_key(|(stem, _)| stem.len())
}

/// The public names of the committed generated crate, measured against issue 14's targets: its
/// types (structs, enums, aliases, open enums and builders) have a median name of at most 24
/// characters and none over 48; no type or method name carries a version date; and no type is
/// named after an area that does not use it.
#[test]
fn generated_public_names_are_short_undated_and_named_for_their_own_area() {
    let root = crate::workspace::workspace_root().join(OUT_DIR);
    let read = |file: &str| {
        let text = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        syn::parse_file(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
    };
    // Every public type with the areas that compile it.
    let mut types: Vec<(String, Vec<String>)> = Vec::new();
    let area_items = read("areas.rs").items.into_iter().flat_map(|item| match item {
        syn::Item::Mod(m) => m.content.map(|(_, items)| items).unwrap_or_default(),
        _ => Vec::new(),
    });
    for item in read("types.rs").items.into_iter().chain(area_items) {
        match item {
            syn::Item::Struct(s) if matches!(s.vis, syn::Visibility::Public(_)) => {
                types.push((s.ident.to_string(), item_areas(&s.attrs)))
            }
            syn::Item::Enum(e) if matches!(e.vis, syn::Visibility::Public(_)) => {
                types.push((e.ident.to_string(), item_areas(&e.attrs)))
            }
            syn::Item::Type(t) if matches!(t.vis, syn::Visibility::Public(_)) => {
                types.push((t.ident.to_string(), item_areas(&t.attrs)))
            }
            syn::Item::Macro(m) if m.mac.path.is_ident("open_enum") => {
                if let Some(proc_macro2::TokenTree::Ident(name)) = m.mac.tokens.clone().into_iter().next() {
                    types.push((name.to_string(), item_areas(&m.attrs)));
                }
            }
            _ => {}
        }
    }
    let mut methods: Vec<String> = Vec::new();
    for item in read("builder.rs").items {
        match item {
            syn::Item::Impl(imp) => methods.extend(imp.items.iter().filter_map(|i| match i {
                syn::ImplItem::Fn(f) if matches!(f.vis, syn::Visibility::Public(_)) => {
                    Some(f.sig.ident.to_string())
                }
                _ => None,
            })),
            syn::Item::Struct(s) => types.push((s.ident.to_string(), item_areas(&s.attrs))),
            _ => {}
        }
    }
    assert!(
        types.len() > 1000 && methods.len() > 393,
        "read {} types, {} methods",
        types.len(),
        methods.len()
    );

    let dated_names: Vec<&String> =
        types.iter().map(|(n, _)| n).chain(&methods).filter(|n| dated(n)).collect();
    assert!(dated_names.is_empty(), "public names with a version date: {dated_names:?}");

    let mut lengths: Vec<usize> = types.iter().map(|(n, _)| n.len()).collect();
    lengths.sort_unstable();
    let median = lengths[lengths.len() / 2];
    let longest = types.iter().map(|(n, _)| n).max_by_key(|n| n.len()).cloned().unwrap_or_default();
    let over: Vec<&String> = types.iter().map(|(n, _)| n).filter(|n| n.len() > 48).collect();

    // Names come from what a type holds, or from the one operation it belongs to: then that
    // operation's area must use it, and a type several areas share is named after none of them.
    let doc = crate::import::read_document(&crate::workspace::workspace_root().join("openapi/deel-api.json"))
        .unwrap_or_default();
    let stems: Vec<(String, String)> = super::facts::operations(&doc)
        .unwrap_or_default()
        .values()
        .map(|op| (crate::import::name_rules::pascal(&crate::import::passes::words(&op.id)), op.area.clone()))
        .filter(|(stem, _)| crate::import::passes::words(stem).len() >= 2)
        .collect();
    assert!(stems.len() > 380, "{} operation stems", stems.len());
    let builders: BTreeSet<&String> = stems.iter().map(|(s, _)| s).collect();
    let strangers: Vec<String> = types
        .iter()
        .filter(|(name, _)| !builders.contains(name))
        .filter_map(|(name, users)| {
            let (stem, area) = named_after(name, &stems)?;
            (users.len() > 1 || !users.contains(area))
                .then(|| format!("{name} (after `{stem}` of `{area}`, used by {users:?})"))
        })
        .collect();
    eprintln!(
        "generated public types: {}, median name {median} characters, longest {} ({longest}), over 48: {}, \
         named after another area: {}",
        types.len(),
        longest.len(),
        over.len(),
        strangers.len()
    );
    assert!(median <= 24, "median public type name: {median} characters");
    assert!(over.is_empty(), "public type names over 48 characters: {over:?}");
    assert!(strangers.is_empty(), "types named after an area that does not use them: {strangers:?}");
    assert!(dated("AccountingGetInvoiceByIdV20260101Response200") && dated("list_tasks_v_2026_03_03"));
    assert!(!dated("PlanV2Item") && !dated("Covid2020Report"));
    let some =
        [("GetPeople".to_string(), "people".to_string()), ("GetPeopleList".to_string(), "x".to_string())];
    assert_eq!(named_after("GetPeopleSortOrder", &some).map(|s| s.1.as_str()), Some("people"));
    assert_eq!(named_after("GetPeopleListResponse", &some).map(|s| s.1.as_str()), Some("x"));
    assert_eq!(named_after("GetPeopled", &some), None);
    assert_eq!(named_after("Person", &some), None);
}

#[test]
fn each_area_is_a_module_of_its_builders_and_the_types_only_it_uses() {
    let (files, stats) = generate(two_areas()).unwrap_or_default_files();
    let modules = tight_text(&files["deel-api-gen/src/areas.rs"]);
    let types = tight_text(&files["deel-api-gen/src/types.rs"]);
    assert!(stats.passes.contains(&("area_modules", 3)), "{:?}", stats.passes);
    assert!(modules.contains(&tight_text(
        r#"#[cfg(feature = "alpha")] /// The `alpha` area: its request builders and the types only it uses. /// /// - `GET /rest/v2/alpha`: [`Client::get_alpha`](crate::Client::get_alpha) pub mod alpha {"#
    )), "{modules}");
    // Types one area uses are defined in its module, and `types` re-exports them.
    let alpha = modules.split("pubmodbeta").next().unwrap_or_default();
    for defined in ["pubstructAlphaPage{", "pubstructOnlyAlpha{", "lean_de!(OnlyAlpha", "usecrate::types::*;"]
    {
        assert!(alpha.contains(defined), "{defined} not in alpha: {alpha}");
    }
    assert!(
        types.contains(&tight_text(
            r#"#[cfg(feature = "alpha")] pub use crate::areas::alpha::{AlphaPage, OnlyAlpha};"#
        )),
        "{types}"
    );
    assert!(!types.contains("pubstructOnlyAlpha"), "{types}");
    // `Shared` is used by both areas: it is defined in `types` only.
    assert!(types.contains("pubstructShared{") && !modules.contains("pubstructShared"), "{modules}");
    assert!(
        modules.contains(&tight_text("pub mod beta {")) && modules.contains("pubstructNewThing{"),
        "{modules}"
    );
    assert!(modules.contains(&tight_text("pub use crate::builder::{GetBeta, CreateBeta};")), "{modules}");
}

/// Every generated type's source: the shared ones in `types.rs` and the area ones in `areas.rs`.
fn all_types(files: &Files) -> String {
    format!("{}\n{}", files["deel-api-gen/src/types.rs"], files["deel-api-gen/src/areas.rs"])
}

/// `text` without whitespace or trailing commas.
fn tight_text(text: &str) -> String {
    text.split_whitespace().collect::<String>().replace(",}", "}").replace(",)", ")")
}

#[test]
fn the_client_struct_is_documented_for_sdk_users_not_with_the_spec_title() {
    let (files, _) = generate(two_areas()).unwrap_or_default_files();
    let client = &files["deel-api-gen/src/client.rs"];
    assert!(client.contains("/// The Deel API client: every operation is a method"), "{client}");
    assert!(!client.contains("Client for "), "{client}");
}

/// The first word of a method name says what the call does; a name that says the opposite
/// (`get_contract_invitations` deleting them) is a trap no doc comment makes up for.
#[test]
fn no_operation_name_contradicts_its_http_method() {
    const READS: &[&str] = &["get", "list", "retrieve", "fetch", "search"];
    const WRITES: &[&str] = &["delete", "create", "update", "add", "remove"];
    // POSTs that only read: the request body carries the question, nothing is changed.
    const POSTS_THAT_READ: &[(&str, &str)] = &[
        ("get_employment_cost", "a cost calculation from the posted terms"),
        ("fetch_multiple_eor_contract_forms", "form definitions for the posted countries"),
        (
            "get_time_tracking_timesheets_upload_url",
            "a pre-signed upload link; nothing changes until a file is uploaded to it",
        ),
        ("search_users", "SCIM's search: filters travel in the body"),
    ];
    let doc = crate::import::read_document(&crate::workspace::workspace_root().join("openapi/deel-api.json"))
        .unwrap_or_default();
    let ops = super::facts::operations(&doc).unwrap_or_default();
    assert_eq!(ops.len(), 393);
    let mut contradictions = Vec::new();
    let mut excused = BTreeSet::new();
    for (name, op) in &ops {
        let first = name.split('_').next().unwrap_or_default();
        let wrong = match op.method.as_str() {
            "GET" => WRITES.contains(&first),
            "POST" if READS.contains(&first) => match POSTS_THAT_READ.iter().find(|(n, _)| n == name) {
                Some(_) => !excused.insert(name.as_str()),
                None => true,
            },
            _ => READS.contains(&first),
        };
        if wrong {
            contradictions.push(format!("{} {} = {name}", op.method, op.path));
        }
    }
    assert!(contradictions.is_empty(), "names that contradict their method: {contradictions:#?}");
    let stale: Vec<&str> = POSTS_THAT_READ.iter().map(|(n, _)| *n).filter(|n| !excused.contains(n)).collect();
    assert!(stale.is_empty(), "exceptions that match no POST: {stale:?}");
}

//! Each pass on a tiny spec written for the test.

use serde_json::json;

use super::*;

/// A document with one operation whose 200 response is `schema`.
fn doc_with_schema(schema: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": { "title": "t", "version": "1" },
        "paths": { "/things": { "get": {
            "operationId": "get-things",
            "responses": { "200": { "description": "ok",
                "content": { "application/json": { "schema": schema } } } }
        } } },
        "components": { "schemas": {} }
    })
}

fn response_schema(doc: &Value) -> &Value {
    &doc["paths"]["/things"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
}

#[test]
fn scopes_are_read_from_descriptions() {
    let mut doc = doc_with_schema(json!({}));
    doc["paths"]["/things"]["get"]["description"] =
        json!("Lists things.\n **Token scopes**: `things:read`, `people:read`\nMore text.");
    assert_eq!(scopes_to_extension(&mut doc), Ok(1));
    assert_eq!(doc["paths"]["/things"]["get"]["x-deel-scopes"], json!(["things:read", "people:read"]));
}

#[test]
fn operations_without_scopes_get_no_extension() {
    let mut doc = doc_with_schema(json!({}));
    doc["paths"]["/things"]["get"]["description"] = json!("No scopes here.");
    assert_eq!(scopes_to_extension(&mut doc), Ok(0));
    assert!(doc["paths"]["/things"]["get"].get("x-deel-scopes").is_none());
}

#[test]
fn prose_is_stripped_but_properties_named_like_keywords_survive() {
    let mut doc = doc_with_schema(json!({
        "type": "object",
        "title": "Thing",
        "description": "A thing we made up.",
        "example": { "description": "x" },
        "properties": {
            "description": { "type": "string", "description": "Its description." },
            "title": { "type": "string", "examples": ["a"] }
        }
    }));
    doc["paths"]["/things"]["get"]["summary"] = json!("List things");
    doc["paths"]["/things"]["get"]["x-upstream-extra"] = json!("kept out");
    let touched = strip_prose(&mut doc).map_err(|e| e.to_string());
    assert!(touched.is_ok_and(|n| n >= 7));
    assert_eq!(
        *response_schema(&doc),
        json!({ "type": "object", "properties": { "description": { "type": "string" }, "title": { "type": "string" } } })
    );
    assert!(doc["paths"]["/things"]["get"].get("summary").is_none());
    assert!(doc["paths"]["/things"]["get"].get("x-upstream-extra").is_none());
}

#[test]
fn enum_and_default_values_are_data_not_prose() {
    let mut doc =
        doc_with_schema(json!({ "type": "string", "enum": ["description"], "default": "description" }));
    strip_prose(&mut doc).ok();
    assert_eq!(response_schema(&doc)["enum"], json!(["description"]));
    assert_eq!(response_schema(&doc)["default"], json!("description"));
}

#[test]
fn ref_with_prose_sibling_becomes_a_plain_ref() {
    let mut doc = doc_with_schema(json!({ "$ref": "#/components/schemas/A", "description": "about A" }));
    assert_eq!(ref_siblings(&mut doc), Ok(1));
    assert_eq!(*response_schema(&doc), json!({ "$ref": "#/components/schemas/A" }));
}

#[test]
fn ref_with_a_real_sibling_is_wrapped_in_all_of() {
    let mut doc = doc_with_schema(json!({ "$ref": "#/components/schemas/A", "nullable": true }));
    assert_eq!(ref_siblings(&mut doc), Ok(1));
    assert_eq!(
        *response_schema(&doc),
        json!({ "allOf": [{ "$ref": "#/components/schemas/A" }], "nullable": true })
    );
}

#[test]
fn type_arrays_become_nullable_types() {
    let mut doc = doc_with_schema(json!({
        "type": "object",
        "properties": {
            "a": { "type": ["string", "null"] },
            "b": { "type": ["integer", "string"] },
            "c": { "type": ["null"] }
        }
    }));
    assert_eq!(type_arrays(&mut doc), Ok(3));
    let props = &response_schema(&doc)["properties"];
    assert_eq!(props["a"], json!({ "type": "string", "nullable": true }));
    assert_eq!(props["b"], json!({ "oneOf": [{ "type": "integer" }, { "type": "string" }] }));
    assert_eq!(props["c"], json!({ "enum": [null] }));
}

#[test]
fn null_branches_become_null_enums() {
    let mut doc =
        doc_with_schema(json!({ "oneOf": [{ "$ref": "#/components/schemas/A" }, { "type": "null" }] }));
    assert_eq!(null_schemas(&mut doc), Ok(1));
    assert_eq!(
        *response_schema(&doc),
        json!({ "oneOf": [{ "$ref": "#/components/schemas/A" }, { "enum": [null] }] })
    );
}

#[test]
fn numeric_exclusive_bounds_become_boolean_flags() {
    let mut doc = doc_with_schema(json!({ "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10 }));
    assert_eq!(exclusive_bounds(&mut doc), Ok(2));
    assert_eq!(
        *response_schema(&doc),
        json!({ "type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "exclusiveMaximum": true })
    );
}

#[test]
fn const_becomes_a_single_value_enum() {
    let mut doc = doc_with_schema(json!({ "type": "string", "const": "fixed" }));
    assert_eq!(const_to_enum(&mut doc), Ok(1));
    assert_eq!(*response_schema(&doc), json!({ "type": "string", "enum": ["fixed"] }));
}

#[test]
fn closed_objects_are_opened() {
    let mut doc = doc_with_schema(json!({ "type": "object", "additionalProperties": false }));
    assert_eq!(open_objects(&mut doc), Ok(1));
    assert_eq!(*response_schema(&doc), json!({ "type": "object" }));
}

#[test]
fn enums_are_sorted_with_null_last() {
    let mut doc = doc_with_schema(json!({ "enum": ["b", null, "a"] }));
    assert_eq!(sort_enums(&mut doc), Ok(1));
    assert_eq!(response_schema(&doc)["enum"], json!(["a", "b", null]));
}

#[test]
fn strict_formats_are_relaxed_but_dates_stay() {
    let mut doc = doc_with_schema(json!({ "type": "object", "properties": {
        "id": { "type": "string", "format": "uuid" },
        "at": { "type": "string", "format": "date-time" }
    } }));
    assert_eq!(lenient_formats(&mut doc), Ok(1));
    assert_eq!(
        response_schema(&doc)["properties"]["id"],
        json!({ "type": "string", "x-deel-format": "uuid" })
    );
    assert_eq!(response_schema(&doc)["properties"]["at"]["format"], json!("date-time"));
}

#[test]
fn authorization_header_parameters_are_removed() {
    let mut doc = doc_with_schema(json!({}));
    doc["paths"]["/things"]["get"]["parameters"] = json!([
        { "name": "Authorization", "in": "header", "required": true, "schema": { "type": "string" } },
        { "name": "limit", "in": "query", "schema": { "type": "string" } }
    ]);
    assert_eq!(auth_header(&mut doc), Ok(1));
    assert_eq!(
        doc["paths"]["/things"]["get"]["parameters"],
        json!([{ "name": "limit", "in": "query", "schema": { "type": "string" } }])
    );
}

#[test]
fn path_parameters_outside_the_template_are_dropped() {
    let mut doc = json!({ "openapi": "3.1.0", "paths": { "/p/{payslip_id}": { "get": {
        "operationId": "get-p",
        "parameters": [
            { "name": "payslipId", "in": "path", "required": true, "schema": { "type": "string" } },
            { "name": "payslip_id", "in": "path", "required": true, "schema": { "type": "string" } }
        ],
        "responses": {}
    } } } });
    assert_eq!(path_params(&mut doc), Ok(1));
    assert_eq!(doc["paths"]["/p/{payslip_id}"]["get"]["parameters"][0]["name"], json!("payslip_id"));
}

#[test]
fn an_undeclared_template_variable_is_an_error_naming_the_operation() {
    let mut doc = json!({ "openapi": "3.1.0", "paths": { "/p/{id}": { "get": {
        "operationId": "get-p", "responses": {}
    } } } });
    let err = path_params(&mut doc).err().unwrap_or_default();
    assert!(err.contains("get-p") && err.contains("`id`"), "{err}");
}

#[test]
fn no_content_responses_lose_their_body() {
    let mut doc = json!({ "openapi": "3.1.0", "paths": { "/x": { "delete": {
        "operationId": "del-x",
        "responses": { "204": { "description": "", "content": { "application/json": { "schema": {} } } } }
    } } } });
    assert_eq!(no_content_bodies(&mut doc), Ok(1));
    assert_eq!(doc["paths"]["/x"]["delete"]["responses"]["204"], json!({ "description": "" }));
}

#[test]
fn json_wins_when_a_body_offers_two_media_types() {
    let mut doc = json!({ "openapi": "3.1.0", "paths": { "/x": { "post": {
        "operationId": "post-x",
        "requestBody": { "content": {
            "application/x-www-form-urlencoded": { "schema": {} },
            "application/json": { "schema": { "type": "object" } }
        } },
        "responses": {}
    } } } });
    assert_eq!(single_media_type(&mut doc), Ok(1));
    assert_eq!(
        doc["paths"]["/x"]["post"]["requestBody"]["content"],
        json!({ "application/json": { "schema": { "type": "object" } } })
    );
}

#[test]
fn multipart_bodies_are_marked_and_kept() {
    let mut doc = json!({ "openapi": "3.1.0", "paths": { "/x": { "post": {
        "operationId": "upload-x",
        "requestBody": { "content": { "multipart/form-data": { "schema": { "type": "object" } } } },
        "responses": {}
    } } } });
    assert_eq!(multipart_bodies(&mut doc), Ok(1));
    let op = &doc["paths"]["/x"]["post"];
    assert_eq!(op["x-deel-multipart"], json!(true));
    assert!(op["requestBody"]["content"]["multipart/form-data"].is_object());
}

#[test]
fn success_responses_collapse_to_one_2xx_range() {
    let mut doc = json!({ "openapi": "3.1.0", "paths": { "/x": { "post": {
        "operationId": "make-x",
        "responses": {
            "201": { "description": "made", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/X" } } } },
            "400": { "description": "bad" }
        }
    } } } });
    assert_eq!(success_response(&mut doc), Ok(1));
    let op = &doc["paths"]["/x"]["post"];
    assert_eq!(op["x-deel-status"], json!(201));
    assert_eq!(
        op["responses"]["2XX"]["content"]["application/json"]["schema"]["$ref"],
        json!("#/components/schemas/X")
    );
    assert!(op["responses"].get("201").is_none());
}

#[test]
fn differing_success_bodies_are_all_accepted() {
    let mut doc = json!({ "openapi": "3.1.0", "paths": { "/x": { "post": {
        "operationId": "make-x",
        "responses": {
            "200": { "description": "", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/A" } } } },
            "201": { "description": "", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/B" } } } }
        }
    } } } });
    success_response(&mut doc).ok();
    let schema = &doc["paths"]["/x"]["post"]["responses"]["2XX"]["content"]["application/json"]["schema"];
    assert_eq!(schema["oneOf"].as_array().map(Vec::len), Some(2));
    assert_eq!(doc["paths"]["/x"]["post"]["x-deel-status"], json!([200, 201]));
}

#[test]
fn error_responses_share_one_raw_response() {
    let mut doc = json!({ "openapi": "3.1.0", "paths": { "/x": { "get": {
        "operationId": "get-x",
        "responses": {
            "2XX": { "description": "" },
            "400": { "description": "", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/E1" } } } },
            "500": { "description": "", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/E2" } } } }
        }
    } } } });
    assert_eq!(error_responses(&mut doc), Ok(2));
    let responses = &doc["paths"]["/x"]["get"]["responses"];
    assert_eq!(responses["4XX"], json!({ "$ref": "#/components/responses/Error" }));
    assert_eq!(responses["5XX"], json!({ "$ref": "#/components/responses/Error" }));
    assert!(responses.get("400").is_none());
    assert!(doc["components"]["responses"]["Error"]["content"]["application/octet-stream"].is_object());
}

#[test]
fn duplicate_operation_ids_are_told_apart_by_path() {
    let mut doc = json!({ "openapi": "3.1.0", "paths": {
        "/worker": { "post": { "operationId": "create-worker", "responses": {} } },
        "/eor/worker": { "post": { "operationId": "create-worker", "responses": {} } },
        "/other": { "get": { "operationId": "get-other", "responses": {} } }
    } });
    assert_eq!(operation_ids(&mut doc), Ok(2));
    assert_eq!(doc["paths"]["/worker"]["post"]["operationId"], json!("create-worker-worker"));
    assert_eq!(doc["paths"]["/eor/worker"]["post"]["operationId"], json!("create-worker-eor"));
    assert_eq!(doc["paths"]["/eor/worker"]["post"]["x-deel-upstream-id"], json!("create-worker"));
    assert_eq!(doc["paths"]["/other"]["get"]["operationId"], json!("get-other"));
}

#[test]
fn tags_become_kebab_case_areas() {
    let mut doc = json!({ "openapi": "3.1.0", "paths": {
        "/workers/session": { "post": { "operationId": "a", "tags": ["subpackage_workerSession"], "responses": {} } },
        "/profiles": { "patch": { "operationId": "b", "tags": [""], "responses": {} } }
    } });
    assert_eq!(areas(&mut doc), Ok(2));
    assert_eq!(doc["paths"]["/workers/session"]["post"]["tags"], json!(["worker-session"]));
    assert_eq!(doc["paths"]["/profiles"]["patch"]["tags"], json!(["profiles"]));
}

#[test]
fn scim_paths_go_under_scim_and_the_rest_under_rest() {
    let mut doc = json!({
        "openapi": "3.1.0",
        "servers": [
            { "url": "https://api.example.test/rest/v2" },
            { "url": "https://api.example.test/scim/v2" },
            { "url": "https://staging.example.test/rest/v2" }
        ],
        "paths": {
            "/Users/{id}": { "get": { "operationId": "u", "responses": {} } },
            "/contracts": { "get": { "operationId": "c", "responses": {} } }
        }
    });
    assert_eq!(api_prefixes(&mut doc), Ok(1));
    assert!(doc["paths"].get("/scim/v2/Users/{id}").is_some());
    assert!(doc["paths"].get("/rest/v2/contracts").is_some());
    assert_eq!(
        doc["servers"],
        json!([{ "url": "https://api.example.test" }, { "url": "https://staging.example.test" }])
    );
}

#[test]
fn schema_names_become_unique_identifiers_and_refs_follow() {
    let mut doc = json!({
        "openapi": "3.1.0",
        "paths": { "/x": { "get": { "operationId": "x", "responses": { "200": { "description": "",
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Worker Session_create_Response_201" } } } } } } } },
        "components": { "schemas": {
            "Worker Session_create_Response_201": { "type": "object", "properties": { "n": { "$ref": "#/components/schemas/worker-session" } } },
            "worker-session": { "type": "string" },
            "WorkerSession": { "type": "integer" },
            "ThingsPostRequestBodyContentApplicationJsonSchemaData": { "type": "boolean" }
        } }
    });
    assert_eq!(schema_names(&mut doc), Ok(3));
    let schemas = doc["components"]["schemas"].as_object().map(|m| m.keys().cloned().collect::<Vec<_>>());
    assert_eq!(
        schemas,
        Some(vec![
            "ThingsPostBodyData".to_string(),
            "WorkerSession".into(),
            "WorkerSessionCreateResponse201".into(),
            "WorkerSessionV2".into()
        ])
    );
    assert_eq!(
        doc["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        json!("#/components/schemas/WorkerSessionCreateResponse201")
    );
    assert_eq!(
        doc["components"]["schemas"]["WorkerSessionCreateResponse201"]["properties"]["n"]["$ref"],
        json!("#/components/schemas/WorkerSessionV2")
    );
}

#[test]
fn identical_schemas_are_merged_until_parents_match_too() {
    let mut doc = json!({
        "openapi": "3.1.0",
        "paths": { "/x": { "get": { "operationId": "x", "responses": { "200": { "description": "",
            "content": { "application/json": { "schema": { "oneOf": [
                { "$ref": "#/components/schemas/ParentA" }, { "$ref": "#/components/schemas/ParentLonger" }
            ] } } } } } } } },
        "components": { "schemas": {
            "CountryA": { "type": "string", "enum": ["DE", "FR"] },
            "CountryLonger": { "type": "string", "enum": ["DE", "FR"] },
            "ParentA": { "type": "object", "properties": { "c": { "$ref": "#/components/schemas/CountryA" } } },
            "ParentLonger": { "type": "object", "properties": { "c": { "$ref": "#/components/schemas/CountryLonger" } } }
        } }
    });
    assert_eq!(dedupe_schemas(&mut doc), Ok(2));
    let names: Vec<String> =
        doc["components"]["schemas"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    assert_eq!(names, vec!["CountryA".to_string(), "ParentA".into()]);
    let branches =
        &doc["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["oneOf"];
    assert_eq!(
        *branches,
        json!([{ "$ref": "#/components/schemas/ParentA" }, { "$ref": "#/components/schemas/ParentA" }])
    );
}

#[test]
fn unreachable_schemas_are_pruned() {
    let mut doc = doc_with_schema(json!({ "$ref": "#/components/schemas/Used" }));
    doc["components"]["schemas"] = json!({
        "Used": { "type": "object", "properties": { "inner": { "$ref": "#/components/schemas/Inner" } } },
        "Inner": { "type": "string" },
        "Orphan": { "type": "string" }
    });
    assert_eq!(prune_unreachable(&mut doc), Ok(1));
    assert!(doc["components"]["schemas"].get("Orphan").is_none());
    assert!(doc["components"]["schemas"].get("Inner").is_some());
}

#[test]
fn words_split_case_digits_and_punctuation() {
    assert_eq!(
        words("Worker Session_createWorkerAccessToken_Response_201"),
        ["Worker", "Session", "create", "Worker", "Access", "Token", "Response", "201"]
    );
    assert_eq!(words("HTTPServer"), ["HTTP", "Server"]);
    assert_eq!(pascal("eor-amendments_validateEORAmendments"), "EorAmendmentsValidateEorAmendments");
    assert_eq!(pascal("2fa"), "Schema2Fa");
}

#[test]
fn counting_query_parameters_become_integers() {
    let param =
        |name: &str, place: &str, schema: Value| json!({ "name": name, "in": place, "schema": schema });
    let mut doc = json!({ "openapi": "3.1.0", "paths": { "/p": { "get": {
        "operationId": "get-p",
        "parameters": [
            param("limit", "query", json!({ "type": "string", "pattern": "^[0-9]+$" })),
            param("offset", "query", json!({ "type": "number", "format": "double" })),
            param("page_size", "query", json!({ "type": "integer" })),
            param("limit", "header", json!({ "type": "string" })),
            param("cursor", "query", json!({ "type": "string" }))
        ],
        "responses": {}
    } } } });
    assert_eq!(paging_integers(&mut doc), Ok(2));
    let params = &doc["paths"]["/p"]["get"]["parameters"];
    assert_eq!(params[0]["schema"], json!({ "type": "integer" }));
    assert_eq!(params[1]["schema"], json!({ "type": "integer" }));
    assert_eq!(params[3]["schema"]["type"], json!("string"), "only query parameters");
    assert_eq!(params[4]["schema"]["type"], json!("string"), "only counting parameters");
}

#[test]
fn version_dates_leave_ids_and_the_newest_version_keeps_the_plain_name() {
    let op = |id: &str| json!({ "operationId": id, "responses": {} });
    let mut doc = json!({ "openapi": "3.1.0", "paths": {
        "/a": { "get": op("get-report-v-2026-03-30"), "post": op("create-bill-v-2026-01-01") },
        "/b": { "get": op("get-report-v-2026-01-01"), "post": op("get-report") },
        "/c": { "get": op("list-things"), "post": op("pay-v-2-bills") }
    } });
    assert_eq!(undated_ids(&mut doc), Ok(4));
    let id = |path: &str, method: &str| doc["paths"][path][method]["operationId"].clone();
    assert_eq!(id("/a", "get"), json!("get-report"));
    assert_eq!(id("/a", "post"), json!("create-bill"));
    assert_eq!(id("/b", "get"), json!("legacy-get-report-v-2026-01-01"));
    assert_eq!(id("/b", "post"), json!("legacy-get-report"));
    assert_eq!(id("/c", "get"), json!("list-things"));
    assert_eq!(id("/c", "post"), json!("pay-v-2-bills"), "not a date");
    assert_eq!(doc["paths"]["/a"]["get"]["x-deel-upstream-id"], json!("get-report-v-2026-03-30"));
}

#[test]
fn each_operation_keeps_the_date_of_its_upstream_id_as_its_version() {
    let op = |id: &str| json!({ "operationId": id, "responses": {} });
    let mut doc = json!({ "openapi": "3.1.0", "paths": {
        "/a": { "get": op("list-tags-v-2026-02-27"), "post": op("create-bill-v-2026-01-01") },
        "/b": { "get": op("list-things") }
    } });
    assert_eq!(undated_ids(&mut doc), Ok(2));
    assert_eq!(endpoint_versions(&mut doc), Ok(1), "one operation is past the baseline");
    let version = |path: &str, method: &str| doc["paths"][path][method]["x-deel-version"].clone();
    assert_eq!(version("/a", "get"), json!("2026-02-27"));
    assert_eq!(version("/a", "post"), json!("2026-01-01"));
    assert_eq!(version("/b", "get"), json!(BASELINE_VERSION), "an undated id is on the baseline");
}

#[test]
fn schema_names_lose_their_version_dates_and_references_follow() {
    let mut doc = json!({ "openapi": "3.1.0", "paths": {}, "components": { "schemas": {
        "GetInvoiceV20260101Response200": { "type": "object",
            "properties": { "data": { "$ref": "#/components/schemas/InvoiceV20260101" } } },
        "InvoiceV20260101": { "type": "object" },
        "Invoice": { "type": "object" },
        "PlanV2Item": { "type": "object" },
        "Covid2020V20260101Extra": { "type": "object" }
    } } });
    assert_eq!(undated_schema_names(&mut doc), Ok(2));
    let schemas = &doc["components"]["schemas"];
    assert!(schemas.get("GetInvoiceResponse200").is_some());
    assert!(schemas.get("InvoiceV20260101").is_some(), "`Invoice` is taken: the date stays");
    assert!(schemas.get("PlanV2Item").is_some(), "not a date");
    assert!(schemas.get("Covid2020Extra").is_some());
    assert_eq!(
        schemas["GetInvoiceResponse200"]["properties"]["data"]["$ref"],
        json!("#/components/schemas/InvoiceV20260101")
    );
}

#[test]
fn defaults_their_schema_rejects_are_dropped() {
    let mut doc = doc_with_schema(json!({ "type": "object", "properties": {
        "approved_on": { "type": "string", "format": "date", "default": "when it starts" },
        "starts_on": { "type": "string", "format": "date", "default": "2026-01-01" },
        "at": { "type": "string", "format": "date-time", "default": "2026-01-01T00:00:00Z" },
        "count": { "type": "integer", "default": 1.5 },
        "notice": { "type": "number", "default": 10 },
        "kind": { "type": "string", "enum": ["a", "b"], "default": "c" },
        "version": { "type": "string", "default": "v2" }
    } }));
    assert_eq!(fitting_defaults(&mut doc), Ok(3));
    let props = &response_schema(&doc)["properties"];
    let kept: Vec<&str> = ["approved_on", "starts_on", "at", "count", "notice", "kind", "version"]
        .into_iter()
        .filter(|p| props[p].get("default").is_some())
        .collect();
    assert_eq!(kept, ["starts_on", "at", "notice", "version"]);
}

#[test]
fn operations_that_answer_with_a_link_to_their_file_are_marked() {
    let link = json!({ "type": "object", "properties": { "data": { "$ref": "#/components/schemas/Link" } } });
    let op = |id: &str, body: Value| {
        json!({ "operationId": id, "responses": { "2XX": { "description": "",
        "content": { "application/json": { "schema": body } } } } })
    };
    let mut doc = json!({ "openapi": "3.1.0", "paths": {
        "/invoices/{id}/download": { "get": op("get-invoice-link", link.clone()) },
        "/contracts/{id}/pdf": { "get": op("contract-pdf", link.clone()) },
        "/documents/{id}": { "get": op("download-document", link.clone()), "post": op("download-x", link.clone()) },
        "/contracts/{id}": { "get": op("get-contract", link) },
        "/payslips/{id}/download": { "get": op("get-payslip", json!({ "type": "string" })) }
    }, "components": { "schemas": { "Link": { "type": "object",
        "properties": { "url": { "type": "string" }, "expires_at": { "type": "string" } } } } } });
    assert_eq!(download_links(&mut doc), Ok(3));
    let marked = |path: &str, method: &str| doc["paths"][path][method].get("x-deel-download-link").cloned();
    assert_eq!(marked("/invoices/{id}/download", "get"), Some(json!("/data/url")));
    assert_eq!(marked("/contracts/{id}/pdf", "get"), Some(json!("/data/url")));
    assert_eq!(marked("/documents/{id}", "get"), Some(json!("/data/url")), "its id says download");
    assert_eq!(marked("/documents/{id}", "post"), None, "only GETs");
    assert_eq!(marked("/contracts/{id}", "get"), None, "nothing says it downloads");
    assert_eq!(marked("/payslips/{id}/download", "get"), None, "no link in the body");
}

#[test]
fn inline_types_get_components_of_their_own_keyed_by_where_they_sat() {
    let mut doc = json!({ "openapi": "3.0.3", "paths": { "/rest/v2/things": { "get": { "responses": {
        "2XX": { "content": { "application/json": { "schema": {
            "type": "object", "properties": { "data": { "type": "array", "items": { "$ref": "#/components/schemas/Thing" } } } } } } },
        "4XX": { "content": { "application/json": { "schema": { "type": "object", "properties": { "error": { "type": "string" } } } } } }
    } } } }, "components": { "schemas": {
        "Thing": { "type": "object", "properties": {
            "owner": { "type": "object", "properties": { "id": { "type": "string" },
                "role": { "type": "string", "enum": ["admin"] } } },
            "tags": { "type": "array", "items": { "type": "string" } },
            "empty": { "type": "object", "properties": {} }
        } }
    } } });
    assert_eq!(hoist_inline_schemas(&mut doc), Ok(3));
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["Thing"]["properties"]["owner"], json!({ "$ref": "#/components/schemas/ThingOwner" }));
    assert_eq!(
        schemas["ThingOwner"]["properties"]["role"],
        json!({ "$ref": "#/components/schemas/ThingOwnerRole" })
    );
    assert_eq!(schemas["ThingOwnerRole"]["enum"], json!(["admin"]));
    let body =
        &doc["paths"]["/rest/v2/things"]["get"]["responses"]["2XX"]["content"]["application/json"]["schema"];
    assert_eq!(body, &json!({ "$ref": "#/components/schemas/ThingsGetResponse" }));
    assert!(schemas["ThingsGetResponse"]["properties"]["data"].is_object());
    // Plain strings, lists of them, empty objects and error bodies stay where they are.
    assert_eq!(schemas["Thing"]["properties"]["tags"]["items"], json!({ "type": "string" }));
    assert_eq!(schemas["Thing"]["properties"]["empty"]["type"], json!("object"));
    assert!(doc["paths"]["/rest/v2/things"]["get"]["responses"]["4XX"]["content"]["application/json"]
        ["schema"]
        .get("$ref")
        .is_none());
}

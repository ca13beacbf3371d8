//! With the `schemars` feature, generated types describe their JSON shape (run by CI with
//! `--features schemars`).
#![cfg(feature = "schemars")]

use deel_api::schemars::schema_for;
use deel_api::types;
use serde_json::json;

#[test]
fn the_worker_session_response_schema_has_its_fields() {
    let schema =
        serde_json::to_value(schema_for!(types::CreateWorkerAccessTokenResponse)).unwrap_or_default();
    assert_eq!(schema["required"], json!(["data"]), "{schema}");
    let data = &schema["$defs"]["WorkerAccessToken"];
    assert_eq!(data["properties"]["expires_at"]["format"], json!("date-time"), "{schema}");
    assert_eq!(data["properties"]["token"]["type"], json!("string"), "{schema}");
}

#[test]
fn open_enums_accept_any_string_and_list_the_known_values() {
    let schema = serde_json::to_value(schema_for!(types::TimesheetReviewStatus)).unwrap_or_default();
    assert_eq!(schema["type"], json!("string"), "{schema}");
    assert!(schema["examples"].as_array().is_some_and(|v| v.contains(&json!("APPROVED"))), "{schema}");
}

#[test]
fn schemas_use_wire_names_and_know_which_fields_may_be_left_out() {
    let schema = serde_json::to_value(schema_for!(types::RowWorker)).unwrap_or_default();
    assert!(schema["properties"]["picUrl"].is_object(), "renamed field under its wire name: {schema}");
    assert!(schema["properties"].get("pic_url").is_none(), "{schema}");
    let required = schema["required"].as_array().cloned().unwrap_or_default();
    assert!(!required.contains(&json!("contract_id")), "optional field listed as required: {schema}");
}

#[test]
fn a_default_the_spec_gets_wrong_never_panics() {
    // The reference spec gives one date field a sentence as its default; the generated default
    // function parsed it with `unwrap()`, and schemars calls it to describe the field.
    let schema = std::panic::catch_unwind(|| {
        serde_json::to_value(schema_for!(types::PayrollInputTimeOffVariant1)).unwrap_or_default()
    });
    let schema = schema.unwrap_or_else(|_| panic!("describing the type panicked"));
    assert!(schema["properties"]["approved_at"].get("default").is_none(), "{schema}");
}

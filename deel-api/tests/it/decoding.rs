//! How generated structs decode JSON (their `Deserialize` is the generator's `lean_de!`, not
//! serde's derive): unknown keys ignored, duplicates and missing required fields refused, missing
//! optional fields `None`, defaults applied, escaped keys read, no panic on the wrong shape.

use deel_api::types::Contract;
use serde_json::{Map, Value};

/// A contract list item from the committed `get_contracts` fixture.
fn item() -> Map<String, Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/operations/contracts/get_contracts.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
    let fixture: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    match &fixture["response"]["body"]["data"][0] {
        Value::Object(m) => m.clone(),
        other => panic!("not an object: {other}"),
    }
}

fn decode(map: Map<String, Value>) -> Result<Contract, serde_json::Error> {
    serde_json::from_value(Value::Object(map))
}

#[test]
fn a_complete_item_round_trips() {
    let map = item();
    let contract = decode(map.clone()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(serde_json::to_value(&contract).ok(), Some(Value::Object(map)));
}

#[test]
fn missing_fields_follow_the_schema() {
    let mut map = item();
    for key in ["external_id", "cost_centers", "notice_period"] {
        map.remove(key);
    }
    let contract = decode(map).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(contract.external_id, None, "optional: None");
    assert!(contract.cost_centers.is_empty(), "a list with a default: empty");
    assert_eq!(contract.notice_period, 0.0, "a field with a schema default: that default");
    let back = serde_json::to_value(&contract).unwrap_or_default();
    assert!(back.get("external_id").is_none(), "None is left out when serialized: {back}");
    assert!(back.get("cost_centers").is_none(), "an empty list with a skip rule is left out: {back}");

    let mut map = item();
    map.remove("id");
    let err = decode(map).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("missing field `id`"), "required: an error naming it, got {err:?}");
}

#[test]
fn unknown_keys_are_ignored_and_duplicates_refused() {
    let mut map = item();
    map.insert("added_by_deel_later".into(), serde_json::json!({ "nested": [1, 2, 3] }));
    assert!(decode(map).is_ok());

    let text = Value::Object(item()).to_string();
    let duplicated = format!("{{\"id\":\"ctr-twice\",{}", &text[1..]);
    let err = serde_json::from_str::<Contract>(&duplicated).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("duplicate field `id`"), "{err:?}");
}

#[test]
fn an_escaped_key_is_read() {
    let mut map = item();
    map.remove("id");
    let text = Value::Object(map).to_string();
    let escaped = format!("{{\"\\u0069d\":\"ctr-escaped\",{}", &text[1..]);
    let contract: Contract = serde_json::from_str(&escaped).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(contract.id, "ctr-escaped");
}

#[test]
fn the_wrong_shape_is_an_error_not_a_panic() {
    for text in ["[]", "[1, 2]", "\"contract\"", "null", "{\"id\": 5}", "{"] {
        assert!(serde_json::from_str::<Contract>(text).is_err(), "{text}");
    }
}

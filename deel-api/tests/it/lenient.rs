//! Lenient decoding, kind by kind, on our own synthetic bodies: the value the caller gets, the
//! correction recorded (pointer, kind, JSON type found), and the strict-mode error at the same
//! pointer. Contracts and payslips stand for every generated type: they all read their fields
//! through the same `Lenient` leaves.

use deel_api::types::{
    AtsDepartmentList as Departments, ContractList as Contracts, WorkerPayslipList as Payslips,
};
use deel_api::{decode, Correction, CorrectionKind, DecodeMode, JsonType};
use serde_json::{json, Value};

fn contract(id: &str) -> Value {
    json!({ "id": id, "title": "Backend engineer", "type": "eor", "status": "in_progress",
            "client": { "team": { "id": "team-1", "name": "Platform" } }, "invitations": {}, "signatures": {},
            "is_archived": false, "is_shielded": false, "notice_period": 30, "created_at": "2026-10-01T08:00:00Z" })
}

fn contracts(items: Vec<Value>) -> Value {
    json!({ "data": items, "page": { "cursor": "c2", "total_rows": 3 } })
}

fn payslips(item: Value) -> Value {
    json!({ "data": [item] })
}

/// Decodes leniently (expecting success) and strictly (expecting failure at the same pointer).
fn both<T>(body: &Value) -> (T, Vec<Correction>, deel_api::DecodeError)
where
    T: serde::de::DeserializeOwned + for<'de> deel_api::Lenient<'de>,
{
    let text = body.to_string().into_bytes();
    let (value, corrections) =
        decode::<T>(200, text.clone(), DecodeMode::Lenient).unwrap_or_else(|e| panic!("lenient: {e}"));
    let strict =
        decode::<T>(200, text, DecodeMode::Strict).err().unwrap_or_else(|| panic!("strict must fail"));
    (value, corrections, strict)
}

fn one(corrections: &[Correction]) -> &Correction {
    assert_eq!(corrections.len(), 1, "{corrections:?}");
    &corrections[0]
}

#[test]
fn a_number_where_a_string_is_declared_is_kept_as_its_json_text() {
    let mut item = contract("ctr-1");
    item["client"]["team"]["id"] = json!(242423);
    let body = contracts(vec![contract("ctr-0"), item]);
    let (value, corrections, strict) = both::<Contracts>(&body);
    let entity = value.data[1].client.team.as_ref().map(|t| t.id.clone());
    assert_eq!(entity.as_deref(), Some("242423"));
    let c = one(&corrections);
    assert_eq!(
        (c.pointer.as_str(), c.kind, c.found),
        ("/data/1/client/team/id", CorrectionKind::Converted, JsonType::Number)
    );
    assert_eq!(c.to_string(), "/data/1/client/team/id number→string (converted)");
    assert_eq!(strict.pointer, "/data/1/client/team/id");
    assert_eq!(strict.found, JsonType::Number);
    assert_eq!(strict.expected.as_deref(), Some("string"));
    assert!(strict.to_string().ends_with("(expected string, found number)"), "{strict}");

    // Exactly the text Deel sent, not a float's printing of it.
    for text in ["1500.00", "7e3", "123456789012345678901234567890", "-0.10", "1E+2", "true"] {
        let body = format!(
            r#"{{"data":[{{"id":"c","title":"t","type":"eor","status":"in_progress","client":{{"team":{{"id":{text}}}}},"invitations":{{}},"signatures":{{}},"is_archived":false,"is_shielded":false,"notice_period":0}}],"page":{{}}}}"#
        );
        let (value, corrections) = decode::<Contracts>(200, body.into_bytes(), DecodeMode::Lenient)
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(value.data[0].client.team.as_ref().map(|t| t.id.as_str()), Some(text));
        assert_eq!(corrections.iter().filter(|c| c.kind == CorrectionKind::Converted).count(), 1, "{text}");
    }
    // Strings keep their escapes' meaning.
    let mut item = contract("ctr-2");
    item["title"] = json!("quote \" and \\ and \u{e9}");
    let (value, _) = decode::<Contracts>(200, contracts(vec![item]).to_string(), DecodeMode::Strict)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(value.data[0].title, "quote \" and \\ and é");
}

#[test]
fn a_date_only_value_in_a_date_time_field_is_midnight_utc() {
    let mut item = contract("ctr-1");
    item["created_at"] = json!("2023-07-25");
    let (value, corrections, strict) = both::<Contracts>(&contracts(vec![item]));
    assert_eq!(
        value.data[0].created_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2023-07-25T00:00:00+00:00")
    );
    let c = one(&corrections);
    assert_eq!((c.pointer.as_str(), c.kind), ("/data/0/created_at", CorrectionKind::DateOnly));
    assert_eq!(strict.pointer, "/data/0/created_at");
}

#[test]
fn a_date_time_in_a_date_field_keeps_its_date() {
    let body = payslips(
        json!({ "id": "ps-1", "status": "paid", "from": "2023-01-01T00:00:00Z", "to": "2023-01-31" }),
    );
    let (value, corrections, strict) = both::<Payslips>(&body);
    assert_eq!(value.data[0].from.to_string(), "2023-01-01");
    let c = one(&corrections);
    assert_eq!(
        (c.pointer.as_str(), c.kind, c.found),
        ("/data/0/from", CorrectionKind::DateFromDateTime, JsonType::String)
    );
    assert_eq!(strict.pointer, "/data/0/from");
}

#[test]
fn null_and_empty_dates_read_as_absent_or_zero() {
    // Optional date: "" is absent. Required date: null is the epoch, recorded.
    let body = payslips(json!({ "id": "ps-1", "status": "paid", "from": null, "to": "" }));
    let text = body.to_string().into_bytes();
    let (value, corrections) =
        decode::<Payslips>(200, text.clone(), DecodeMode::Lenient).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(value.data[0].to, None);
    assert_eq!(value.data[0].from.to_string(), "1970-01-01");
    let found: Vec<(&str, CorrectionKind, JsonType)> =
        corrections.iter().map(|c| (c.pointer.as_str(), c.kind, c.found)).collect();
    assert_eq!(
        found,
        [
            ("/data/0/from", CorrectionKind::ZeroFilled, JsonType::Null),
            ("/data/0/to", CorrectionKind::EmptyAsAbsent, JsonType::EmptyString)
        ]
    );
    let strict = decode::<Payslips>(200, text, DecodeMode::Strict).err().unwrap_or_else(|| panic!("strict"));
    assert_eq!(strict.pointer, "/data/0/from");
}

#[test]
fn an_absent_required_field_gets_its_zero_value() {
    let mut item = contract("ctr-1");
    if let Some(map) = item.as_object_mut() {
        map.remove("title");
        map.remove("is_archived");
    }
    let (value, corrections, strict) = both::<Contracts>(&contracts(vec![item]));
    assert_eq!((value.data[0].title.as_str(), value.data[0].is_archived), ("", false));
    let found: Vec<(&str, CorrectionKind, JsonType)> =
        corrections.iter().map(|c| (c.pointer.as_str(), c.kind, c.found)).collect();
    assert!(found.contains(&("/data/0/title", CorrectionKind::ZeroFilled, JsonType::Absent)), "{found:?}");
    assert!(
        found.contains(&("/data/0/is_archived", CorrectionKind::ZeroFilled, JsonType::Absent)),
        "{found:?}"
    );
    assert!(
        ["/data/0/title", "/data/0/is_archived"].contains(&strict.pointer.as_str()),
        "{}",
        strict.pointer
    );
    assert!(strict.to_string().contains("missing field"), "{strict}");
}

#[test]
fn an_absent_field_of_a_union_type_is_zero_filled_not_fatal() {
    // `id` is a string-or-integer union; before unions had zero values, leaving it out failed the
    // whole response (seen on a list of invoice adjustments whose `reported_by` had no id).
    let (value, corrections, strict) =
        both::<deel_api::types::AdjustmentReportedBy>(&json!({ "full_name": "Grace Hopper" }));
    assert!(
        matches!(value.id, deel_api::types::ContractTemplateId::String(ref s) if s.is_empty()),
        "{value:?}"
    );
    let c = one(&corrections);
    assert_eq!((c.pointer.as_str(), c.kind, c.found), ("/id", CorrectionKind::ZeroFilled, JsonType::Absent));
    assert_eq!(strict.pointer, "/id");
}

#[test]
fn booleans_and_numbers_as_strings_are_read_when_they_parse_exactly() {
    let mut item = contract("ctr-1");
    item["is_shielded"] = json!("true");
    item["notice_period"] = json!("5.0000");
    let mut body = contracts(vec![item]);
    body["page"]["total_rows"] = json!("700,000.00");
    let (value, corrections, strict) = both::<Contracts>(&body);
    assert!(value.data[0].is_shielded);
    assert_eq!(value.data[0].notice_period, 5.0);
    assert_eq!(value.page.total_rows, 700_000.0);
    let found: Vec<(&str, JsonType, &str)> =
        corrections.iter().map(|c| (c.pointer.as_str(), c.found, c.expected)).collect();
    assert_eq!(
        found,
        [
            ("/data/0/is_shielded", JsonType::String, "boolean"),
            ("/data/0/notice_period", JsonType::String, "number"),
            ("/page/total_rows", JsonType::String, "number")
        ]
    );
    assert_eq!(strict.pointer, "/data/0/is_shielded");

    // Integers: "12" reads, "12.5" does not (it would lose the fraction).
    let departments = |total: Value| json!({ "data": [], "has_more": false, "total_count": total });
    let (value, corrections, _) = both::<Departments>(&departments(json!("12")));
    assert_eq!((value.total_count, one(&corrections).pointer.as_str()), (12, "/total_count"));
    let err = decode::<Departments>(200, departments(json!("12.5")).to_string(), DecodeMode::Lenient).err();
    assert_eq!(err.map(|e| e.pointer), Some("/total_count".to_string()));
}

#[test]
fn an_envelope_without_data_is_zero_filled_and_recorded_never_silent() {
    // The spec says {"data": [...]}; a body under another key loses nothing silently: `data`
    // is recorded as absent (the overlay fixes the envelopes we know of), and the raw body is
    // one call away with `.json()`.
    let body = json!({ "policies": [{ "id": "p-1" }] });
    let (value, corrections, strict) = both::<Payslips>(&body);
    assert!(value.data.is_empty());
    assert_eq!(one(&corrections).pointer, "/data");
    assert_eq!(strict.pointer, "/data");
    // `data` an array where an object is declared is not recoverable: an error at /data.
    let err = decode::<deel_api::types::CreateWorkerAccessTokenResponse>(
        201,
        json!({ "data": [] }).to_string(),
        DecodeMode::Lenient,
    )
    .err()
    .unwrap_or_else(|| panic!("an array is no object"));
    assert_eq!((err.pointer.as_str(), err.found), ("/data", JsonType::Array));
}

#[test]
fn an_empty_body_where_json_is_declared_has_a_documented_outcome() {
    let (value, corrections) =
        decode::<Contracts>(200, Vec::new(), DecodeMode::Lenient).unwrap_or_else(|e| panic!("{e}"));
    assert!(value.data.is_empty());
    let c = one(&corrections);
    assert_eq!((c.pointer.as_str(), c.kind, c.found), ("", CorrectionKind::ZeroFilled, JsonType::Absent));
    let strict = decode::<Contracts>(200, b"  ".to_vec(), DecodeMode::Strict)
        .err()
        .unwrap_or_else(|| panic!("strict"));
    assert_eq!(
        strict.to_string(),
        "could not decode a 200 response at the body: the body is empty (expected object, found absent)"
    );
}

#[test]
fn unknown_fields_and_enum_values_need_no_correction() {
    let mut item = contract("ctr-1");
    item["status"] = json!("a_status_added_later");
    item["added_later"] = json!({ "x": 1 });
    let text = contracts(vec![item]).to_string();
    let (value, corrections) =
        decode::<Contracts>(200, text, DecodeMode::Strict).unwrap_or_else(|e| panic!("{e}"));
    assert!(corrections.is_empty());
    assert_eq!(value.data[0].status.as_str(), "a_status_added_later");
}

#[test]
fn decode_errors_quote_no_value() {
    let mut item = contract("ctr-1");
    item["client"] = json!("secret-looking-value-123");
    let err = decode::<Contracts>(200, contracts(vec![item]).to_string(), DecodeMode::Lenient)
        .err()
        .unwrap_or_else(|| panic!("a string is no object"));
    let text = format!("{err} {err:?}");
    assert!(!text.contains("secret-looking"), "{text}");
    assert_eq!((err.pointer.as_str(), err.found), ("/data/0/client", JsonType::String));

    // Whatever the value says: serde's text quotes it before its own ", expected …".
    for value in ["note, expected tax-id-777", "note\", expected tax-id-777", "expected tax-id-777"] {
        let mut item = contract("ctr-1");
        item["client"] = json!(value);
        let err = decode::<Contracts>(200, contracts(vec![item]).to_string(), DecodeMode::Lenient)
            .err()
            .unwrap_or_else(|| panic!("a string is no object"));
        let text = format!("{err} {err:?}");
        assert!(!text.contains("tax-id-777"), "{value}: {text}");
        assert_eq!(err.expected.as_deref(), Some("struct ContractClient"), "{text}");
    }
}

#[tokio::test]
async fn any_operation_gives_its_raw_body_with_the_same_errors() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/rest/v2/webhooks/wh-1"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({ "error": "no such webhook" })))
        .mount(&server)
        .await;
    // A body no generated type could read: the raw ways still get it.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "policies": [{ "id": 7 }] })))
        .mount(&server)
        .await;
    let client = crate::common::build(crate::common::builder(&server).strict_decoding(true));
    let typed = client.get_contracts().send().await;
    assert!(matches!(typed, Err(deel_api::Error::Decode(_))), "strict: the typed call fails");
    let value = client.get_contracts().send().json().await.map(|r| r.into_inner());
    assert_eq!(value.ok(), Some(json!({ "policies": [{ "id": 7 }] })));
    let bytes = client.get_contracts().send().bytes().await.map(|r| r.into_inner().len());
    assert_eq!(bytes.ok(), Some(json!({ "policies": [{ "id": 7 }] }).to_string().len()));
    let err = client.get_webhook("wh-1").send().json().await.err();
    assert!(matches!(err, Some(deel_api::Error::NotFound(_))), "{err:?}");
}

#[test]
fn facts_learned_in_the_overlay_decode_without_corrections_even_strictly() {
    use deel_api::types::{CreateTimeOffRequestResponse as Created, TimeOffProfileList as TimeOffs};
    // Our own values, shaped like the bodies in Deel's time-off guide
    // (openapi/overlays/0003-time-off-requests.yaml): list items without timestamps, type or unit.
    let item = json!({ "id": "to-7", "amount": 2, "is_paid": true, "status": "REQUESTED",
        "start_date": "2026-03-02", "end_date": "2026-03-03", "requested_at": "2026-02-20",
        "half_start_date": false, "half_end_date": true });
    let list = json!({ "data": [item], "page_size": 20, "has_next_page": false }).to_string();
    let (value, corrections) =
        decode::<TimeOffs>(200, list.into_bytes(), DecodeMode::Strict).unwrap_or_else(|e| panic!("{e}"));
    assert!(corrections.is_empty(), "{corrections:?}");
    let first = &value.data[0];
    assert_eq!((first.created_at, first.updated_at, first.time_off_type_id.as_deref()), (None, None, None));
    assert!(first.entitlement_unit.is_none() && first.half_end_date);

    // A created request under the camel-case key: read, not zero-filled.
    let made = json!({ "id": "to-8", "is_paid": false, "start_date": "2026-04-01", "end_date": "2026-04-01",
        "requested_at": "2026-03-30", "half_start_date": true, "half_end_date": false,
        "created_at": "2026-03-30T10:00:00Z", "updated_at": "2026-03-30T10:00:00Z" });
    let body = json!({ "timeOffs": [made] }).to_string();
    let (value, corrections) =
        decode::<Created>(201, body.into_bytes(), DecodeMode::Strict).unwrap_or_else(|e| panic!("{e}"));
    assert!(corrections.is_empty(), "{corrections:?}");
    assert_eq!(value.time_offs.len(), 1);
    assert_eq!(value.time_offs[0].id.as_deref(), Some("to-8"));
    // It serializes under the spec's name, and the spec's name still reads.
    let again = serde_json::to_value(&value).unwrap_or_default();
    assert!(again.get("time_offs").is_some() && again.get("timeOffs").is_none(), "{again}");
    let (value, _) = decode::<Created>(201, again.to_string().into_bytes(), DecodeMode::Strict)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(value.time_offs.len(), 1);

    // A policy without its request rules and flags: "not sent", not a definite `false`.
    let policy = json!({ "id": "pol-1", "name": "Leave of our own", "leave_type": "SHORT_TERM_LEAVE",
        "tracking_unit": "YEAR", "tracking_unit_amount": 1, "policy_type": { "id": "pt-1", "name": "Ours" },
        "created_at": "2026-01-05T09:00:00Z", "updated_at": "2026-01-05T09:00:00Z" });
    let body = json!({ "policies": [policy] }).to_string();
    let (value, corrections) =
        decode::<deel_api::types::GetTimeOffPoliciesResponse>(200, body.into_bytes(), DecodeMode::Strict)
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(corrections.is_empty(), "{corrections:?}");
    let first = &value.policies[0];
    assert_eq!((first.is_description_required, first.allow_to_edit_past_time_offs), (None, None));

    // A group's external metadata as text (openapi/overlays/0004-group-external-metadata.yaml):
    // kept as sent, where an object-only type failed the whole response.
    for metadata in [json!("{'region': 'emea'}"), json!({ "region": "emea" })] {
        let body =
            json!({ "data": { "id": "grp-1", "name": "Ours", "external_metadata": metadata.clone() } });
        let (value, corrections) = decode::<deel_api::types::CreateGroupResponse>(
            201,
            body.to_string().into_bytes(),
            DecodeMode::Strict,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(corrections.is_empty(), "{corrections:?}");
        assert_eq!(value.data.and_then(|d| d.external_metadata), Some(metadata));
    }
}

/// The envelopes Deel's guides show where the spec declares another
/// (openapi/overlays/0005-guide-bodies.yaml), on bodies of our own: read, not zero-filled.
#[test]
fn envelopes_as_deel_sends_them_decode_without_corrections_even_strictly() {
    use deel_api::types::{
        CreateOrganizationChildResponse as Child, CreatedResponse as Acknowledged,
        GetTimeTrackingShiftByExternalIdResponse as Shift, UpdateTimeOffRequestResponse as Updated,
    };
    fn strict<T: serde::de::DeserializeOwned + for<'de> deel_api::Lenient<'de>>(body: Value) -> T {
        let (value, corrections) = decode::<T>(200, body.to_string().into_bytes(), DecodeMode::Strict)
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        assert!(corrections.is_empty(), "{corrections:?}");
        value
    }
    // A created child organization: a list of one in the guide, one object in the spec.
    let child = json!({ "id": "org-9", "token": "child-org-token-of-ours", "created_at": "2026-01-02T03:04:05Z",
        "updated_at": "2026-01-02T03:04:05Z" });
    for body in [json!({ "data": [child.clone()] }), json!({ "data": child.clone() })] {
        let value: Child = strict(body);
        assert_eq!(value.data.len(), 1);
        assert_eq!(value.data[0].id, "org-9");
    }
    // An updated time-off request: a `timeOffs` list in the guide, a `time_off` object in the spec.
    let request = json!({ "id": "to-9", "amount": 2, "is_paid": true, "start_date": "2026-05-04", "end_date": "2026-05-05",
        "requested_at": "2026-05-01", "half_start_date": false, "half_end_date": false,
        "created_at": "2026-05-01T10:00:00Z", "updated_at": "2026-05-01T10:00:00Z" });
    for body in [json!({ "timeOffs": [request.clone()] }), json!({ "time_off": request.clone() })] {
        let value: Updated = strict(body);
        assert_eq!(value.time_off.first().and_then(|t| t.id.as_deref()), Some("to-9"));
    }
    // A shift fetched by its external id: bare in the guide, under `data` in the spec.
    let shift = json!({ "external_id": "shift-of-ours-1", "description": "night", "contract_id": "c-1" });
    for body in [shift.clone(), json!({ "data": shift.clone() })] {
        let value: Shift = strict(body);
        assert_eq!(value.data.external_id.as_deref(), Some("shift-of-ours-1"));
    }
    // A new candidate acknowledged with a message alone: no invented `created: false`.
    let value: Acknowledged = strict(json!({ "message": "Ok" }));
    assert_eq!((value.data.is_none(), value.message.as_deref()), (true, Some("Ok")));
    // And a bare shift that differs from its type still reports where, without `/data`.
    let (_, corrections) =
        decode::<Shift>(200, json!({ "external_id": 42 }).to_string().into_bytes(), DecodeMode::Lenient)
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(corrections.iter().map(|c| c.pointer.as_str()).collect::<Vec<_>>(), ["/external_id"]);
    let (_, corrections) = decode::<Shift>(
        200,
        json!({ "data": { "external_id": 42 } }).to_string().into_bytes(),
        DecodeMode::Lenient,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(corrections.iter().map(|c| c.pointer.as_str()).collect::<Vec<_>>(), ["/data/external_id"]);
}

//! Success bodies: lenient decoding keeps what Deel sends and says what it corrected; strict
//! decoding refuses any difference; neither quotes a value in its errors.

use deel_api_gen::runtime::decode::decode;
use deel_api_gen::types::CreateWorkerAccessTokenResponse;
use deel_api_gen::{CorrectionKind, DecodeMode, Error};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

type Session = CreateWorkerAccessTokenResponse;

#[test]
fn a_number_where_a_string_is_declared_is_kept_as_printed_and_reported() {
    let body = r#"{"data":{"token":12345678901234567890,"expires_at":"2026-12-08T10:00:00Z"}}"#;
    let (value, corrections) = decode::<Session>(200, body.as_bytes().to_vec(), DecodeMode::Lenient)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(value.data.token, "12345678901234567890", "the digits as sent, not a float's");
    assert_eq!(corrections.len(), 1);
    assert_eq!(
        (corrections[0].pointer.as_str(), corrections[0].kind),
        ("/data/token", CorrectionKind::Converted)
    );

    let strict = decode::<Session>(200, body.as_bytes().to_vec(), DecodeMode::Strict).err();
    assert_eq!(strict.map(|e| e.pointer), Some("/data/token".to_string()));
}

#[test]
fn a_date_without_a_time_is_read_as_midnight_utc_and_reported() {
    let body = r#"{"data":{"token":"t","expires_at":"2026-12-08"}}"#;
    let (value, corrections) = decode::<Session>(200, body.as_bytes().to_vec(), DecodeMode::Lenient)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(value.data.expires_at.to_rfc3339(), "2026-12-08T00:00:00+00:00");
    assert_eq!(corrections.first().map(|c| c.kind), Some(CorrectionKind::DateOnly));
}

#[test]
fn unknown_fields_are_ignored_without_a_correction() {
    let body = r#"{"data":{"token":"t","expires_at":"2026-12-08T10:00:00Z","new_field":[1,2]},"meta":{}}"#;
    let (_, corrections) = decode::<Session>(200, body.as_bytes().to_vec(), DecodeMode::Strict)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(corrections.is_empty());
}

#[test]
fn malformed_and_mistyped_bodies_are_errors_that_quote_no_value() {
    let broken =
        decode::<Session>(200, b"{\"data\": {\"token\": \"secret-value".to_vec(), DecodeMode::Lenient);
    let error = broken.err().unwrap_or_else(|| panic!("malformed JSON decoded"));
    assert!(error.reason.contains("not valid JSON"), "{}", error.reason);

    let wrong = r#"{"data":{"token":{"nested":"secret-value"},"expires_at":"2026-12-08T10:00:00Z"}}"#;
    let error = decode::<Session>(200, wrong.as_bytes().to_vec(), DecodeMode::Lenient).err();
    let error = error.unwrap_or_else(|| panic!("an object decoded as a string"));
    assert_eq!(error.pointer, "/data/token");
    assert!(!error.to_string().contains("secret-value"), "{error}");
    assert_eq!(error.body(), wrong.as_bytes(), "the body is kept as bytes for the caller");
}

#[test]
fn an_empty_body_is_zero_filled_when_lenient_and_an_error_when_strict() {
    let (value, corrections) =
        decode::<Session>(200, Vec::new(), DecodeMode::Lenient).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(value.data.token, "");
    assert_eq!(
        corrections.iter().map(|c| (c.pointer.as_str(), c.kind)).collect::<Vec<_>>(),
        [("", CorrectionKind::ZeroFilled)]
    );
    let error = decode::<Session>(200, Vec::new(), DecodeMode::Strict).err();
    assert_eq!(error.map(|e| e.reason), Some("the body is empty".to_string()));
}

#[tokio::test]
async fn the_client_decodes_as_its_mode_says() {
    let server = MockServer::start().await;
    let body = r#"{"data":{"token":42,"expires_at":"2026-12-08T10:00:00Z"}}"#;
    Mock::given(path("/rest/v2/workers/session"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let lenient = crate::client(&server).create_worker_access_token(crate::session_body("p")).send().await;
    let lenient = lenient.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lenient.corrections().len(), 1);
    assert_eq!(lenient.into_inner().data.token, "42");

    let strict = crate::builder(&server).strict_decoding(true).build().unwrap_or_else(|e| panic!("{e}"));
    let outcome = strict.create_worker_access_token(crate::session_body("p")).send().await;
    assert!(matches!(outcome, Err(Error::Decode(e)) if e.pointer == "/data/token"));
}

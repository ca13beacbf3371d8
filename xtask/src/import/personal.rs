//! Which fields hold people's personal data: the rules, as data, and the pass that applies them.
//!
//! A field whose name matches a rule is marked `x-deel-personal: true`; codegen then prints it as
//! `<redacted>` in `Debug` and the recorder replaces its values with placeholders. An overlay may
//! set or clear the mark where a name misleads. A name matches a pattern when it is the pattern,
//! or ends with it as whole words (`employee_date_of_birth` matches `date_of_birth`); names are
//! compared in snake case (`postalCode` is `postal_code`).

use serde_json::{json, Map, Value};

use super::words::words;
use crate::json;

/// The rules: what kind of personal data, and the field names that hold it.
pub const RULES: &[(&str, &[&str])] = &[
    (
        "national id",
        &["national_id", "national_identification_number", "personal_id", "identity_document_number"],
    ),
    ("social security number", &["ssn", "social_security_number"]),
    ("tax id", &["tax_id", "tax_id_number", "tax_number", "taxpayer_id", "tin"]),
    ("bank account", &["iban", "account_number", "routing_number", "sort_code"]),
    ("date of birth", &["date_of_birth", "birth_date", "birthday", "dob"]),
    (
        "address line",
        &[
            "address",
            "addresses",
            "address_line1",
            "address_line2",
            "address_line_1",
            "address_line_2",
            "address_number",
            "line1",
            "line2",
            "line_two",
            "first_line",
            "street",
            "street_address",
            "zip",
            "zip_code",
            "postal",
            "postal_code",
            "post_code",
        ],
    ),
    ("passport", &["passport", "passport_number"]),
    ("phone", &["phone", "phones", "phone_number", "phone_numbers", "mobile", "mobile_number"]),
    ("personal email", &["personal_email", "private_email", "alternate_email"]),
    // GDPR's special categories (art. 9) and what reveals them.
    ("special category", &["ethnicity", "gender", "marital_status", "was_premature_birth"]),
    (
        "salary and compensation",
        &[
            "salary",
            "annual_salary",
            "salary_total",
            "salary_total_usd",
            "gross_salary_total",
            "gross_salary_total_usd",
            "hourly_rate",
            "compensation",
            "compensation_amount",
            "compensation_details",
            "current_compensation",
            "bonus",
            "signing_bonus",
            "gross_signing_bonus",
            "gross_variable_bonus",
            "gross_pay",
            "severance_amount",
        ],
    ),
];

/// The rule a field name falls under, if any.
pub fn rule_for(name: &str) -> Option<&'static str> {
    let snake = words(name).join("_").to_lowercase();
    RULES.iter().find_map(|(kind, patterns)| {
        patterns
            .iter()
            .any(|p| snake == *p || snake.strip_suffix(p).is_some_and(|rest| rest.ends_with('_')))
            .then_some(*kind)
    })
}

/// `personal_fields`: marks every property whose name a rule covers with `x-deel-personal: true`,
/// wherever it is declared (component schemas, bodies, nested objects). Counts the properties
/// marked.
pub fn personal_fields(doc: &mut Value) -> Result<usize, String> {
    let mut marked = 0;
    json::for_each_schema(doc, &mut |schema: &mut Map<String, Value>| {
        let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else { return };
        for (name, property) in properties.iter_mut() {
            let Some(property) = property.as_object_mut() else { continue };
            if rule_for(name).is_some() && !property.contains_key("x-deel-personal") {
                property.insert("x-deel-personal".into(), json!(true));
                marked += 1;
            }
        }
    });
    Ok(marked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_whole_words_at_the_end_in_any_case() {
        assert_eq!(rule_for("date_of_birth"), Some("date of birth"));
        assert_eq!(rule_for("employee_date_of_birth"), Some("date of birth"));
        assert_eq!(rule_for("postalCode"), Some("address line"));
        assert_eq!(rule_for("IBAN"), Some("bank account"));
        assert_eq!(rule_for("ach_routing_number"), Some("bank account"));
        assert_eq!(rule_for("gross_annual_salary"), Some("salary and compensation"));
        assert_eq!(rule_for("phone_numbers"), Some("phone"));
        // Not a word boundary, or not personal.
        assert_eq!(rule_for("destination"), None, "ends with `tin` but not as a word");
        assert_eq!(rule_for("amount"), None);
        assert_eq!(rule_for("email"), None, "a work email is how Deel addresses a worker");
        assert_eq!(rule_for("tax_rate"), None);
        assert_eq!(rule_for("salary_currency"), None);
    }

    #[test]
    fn the_pass_marks_properties_at_any_depth_and_keeps_an_overlay_s_word() {
        let mut doc = json!({ "openapi": "3.1.0", "paths": {}, "components": { "schemas": {
            "Worker": { "type": "object", "properties": {
                "name": { "type": "string" },
                "date_of_birth": { "type": "string" },
                "bank": { "type": "object", "properties": {
                    "iban": { "type": "string" },
                    "holder": { "type": "object", "properties": { "phone": { "type": "string" } } }
                } },
                "salary": { "type": "number", "x-deel-personal": false }
            } }
        } } });
        assert_eq!(personal_fields(&mut doc), Ok(3));
        let worker = &doc["components"]["schemas"]["Worker"]["properties"];
        assert_eq!(worker["date_of_birth"]["x-deel-personal"], json!(true));
        assert_eq!(worker["bank"]["properties"]["iban"]["x-deel-personal"], json!(true));
        assert_eq!(
            worker["bank"]["properties"]["holder"]["properties"]["phone"]["x-deel-personal"],
            json!(true)
        );
        assert_eq!(worker["name"].get("x-deel-personal"), None);
        assert_eq!(worker["salary"]["x-deel-personal"], json!(false), "already decided");
    }
}

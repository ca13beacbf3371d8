//! `events.rs` (the `webhooks` feature): Deel's webhook event types as one enum, `Event`, with
//! each event's resource typed, from the catalogue `cargo xtask webhooks` writes
//! (`openapi/webhooks/events.json`, merged into the document as `x-deel-webhooks`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// The area whose feature compiles the events.
pub const AREA: &str = "webhooks";

/// One event type of the catalogue.
#[derive(Debug, Clone)]
pub struct WebhookEvent {
    pub event_type: String,
    pub variant: String,
    /// The resource's schema name, or none for a resource only known to be an object.
    pub resource: Option<String>,
    /// Whether the event carries a list of resources.
    pub list: bool,
    pub source: String,
}

/// The catalogue in a document (`x-deel-webhooks`), if any.
pub fn catalogue(doc: &Value) -> Result<Vec<WebhookEvent>, String> {
    let Some(events) = doc.get("x-deel-webhooks").and_then(Value::as_array) else { return Ok(Vec::new()) };
    events
        .iter()
        .map(|e| {
            let text = |k: &str| e.get(k).and_then(Value::as_str).map(String::from);
            Ok(WebhookEvent {
                event_type: text("event_type").ok_or("a webhook event without `event_type`")?,
                variant: text("variant").ok_or("a webhook event without `variant`")?,
                resource: text("resource"),
                list: e.get("list") == Some(&Value::Bool(true)),
                source: text("source").unwrap_or_default(),
            })
        })
        .collect()
}

/// Merges the catalogue file's schemas into `doc`'s components and its events into
/// `x-deel-webhooks`, so that progenitor generates the resource types with the rest.
pub fn merge_into(doc: &mut Value, catalogue: &Value) -> Result<(), String> {
    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .ok_or("the document has no components.schemas")?;
    for (name, schema) in catalogue.get("schemas").and_then(Value::as_object).into_iter().flatten() {
        if schemas.insert(name.clone(), schema.clone()).is_some() {
            return Err(format!("webhook schema `{name}` collides with a schema of the API"));
        }
    }
    let events = catalogue.get("events").cloned().unwrap_or(Value::Array(Vec::new()));
    if let Some(root) = doc.as_object_mut() {
        root.insert("x-deel-webhooks".into(), events);
    }
    Ok(())
}

/// The Rust type of an event's resource.
fn resource_type(event: &WebhookEvent) -> TokenStream {
    let one = match &event.resource {
        Some(name) => {
            let ident = format_ident!("{}", name);
            quote!(crate::types::#ident)
        }
        None => quote!(::serde_json::Map<::std::string::String, ::serde_json::Value>),
    };
    if event.list {
        quote!(::std::vec::Vec<#one>)
    } else {
        one
    }
}

/// The types the events name (roots of the `webhooks` area's reach).
pub fn resource_tokens(events: &[WebhookEvent]) -> TokenStream {
    let types = events.iter().map(resource_type);
    quote!(#(#types)*)
}

/// The generated file.
pub fn file(events: &[WebhookEvent]) -> syn::File {
    let variants: Vec<_> = events.iter().map(|e| format_ident!("{}", e.variant)).collect();
    let names: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    let types: Vec<TokenStream> = events.iter().map(resource_type).collect();
    let docs: Vec<String> = events
        .iter()
        .map(|e| {
            let shape = if e.list { "a list of resources" } else { "its resource" };
            format!(" `{}`, with {shape}. Source: <{}>", e.event_type, e.source)
        })
        .collect();
    syn::parse_quote! {
        use crate::runtime::{decode, Correction, DecodeError, DecodeMode};

        /// A Deel webhook event, typed by its `data.meta.event_type`: one variant per event type
        /// Deel publishes, holding its resource (`data.resource`), and [`Event::Unknown`] for
        /// a type this SDK does not know yet.
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum Event {
            #(
                #[doc = #docs]
                #variants(#types),
            )*
            /// An event type this version of the SDK does not know, with its resource as sent.
            Unknown {
                /// `data.meta.event_type`.
                event_type: ::std::string::String,
                /// `data.resource`, as sent.
                payload: ::serde_json::Value,
            },
        }

        impl Event {
            /// Every event type this SDK types, as Deel names them.
            pub const TYPES: &'static [&'static str] = &[#(#names),*];

            /// The event type, as Deel names it.
            pub fn event_type(&self) -> &str {
                match self {
                    #(Self::#variants(_) => #names,)*
                    Self::Unknown { event_type, .. } => event_type,
                }
            }

            /// Decodes `resource` (the JSON of `data.resource`) as the payload of `event_type`,
            /// the way responses are decoded (`mode`), with what was corrected. An event type
            /// this SDK does not know is [`Event::Unknown`], its resource kept as sent.
            pub fn decode(
                event_type: &str,
                resource: impl Into<bytes::Bytes>,
                mode: DecodeMode,
            ) -> Result<(Self, Vec<Correction>), DecodeError> {
                let resource: bytes::Bytes = resource.into();
                match event_type {
                    #(#names => decode::decode(200, resource, mode).map(|(v, c)| (Self::#variants(v), c)),)*
                    other => Ok((
                        Self::Unknown {
                            event_type: other.to_string(),
                            payload: ::serde_json::from_slice(&resource).unwrap_or(::serde_json::Value::Null),
                        },
                        Vec::new(),
                    )),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_type_is_a_variant_holding_its_resource_and_unknown_types_are_kept() {
        let events = catalogue(&serde_json::json!({ "x-deel-webhooks": [
            { "event_type": "contract.created", "variant": "ContractCreated", "resource": "WebhookContract", "list": false, "source": "https://example.test/a" },
            { "event_type": "timesheet.reviewed", "variant": "TimesheetReviewed", "resource": "Timesheet", "list": true, "source": "https://example.test/b" },
            { "event_type": "employee.created.direct", "variant": "EmployeeCreatedDirect", "list": false, "source": "https://example.test/c" }
        ] }))
        .expect("reads");
        let text: String = prettyplease::unparse(&file(&events)).split_whitespace().collect::<String>();
        for expected in [
            "ContractCreated(crate::types::WebhookContract)",
            "TimesheetReviewed(::std::vec::Vec<crate::types::Timesheet>)",
            "EmployeeCreatedDirect(::serde_json::Map<::std::string::String,::serde_json::Value>)",
            r#""timesheet.reviewed"=>{decode::decode(200,resource,mode).map(|(v,c)|(Self::TimesheetReviewed(v),c))}"#,
            r#"pubconstTYPES:&'static[&'staticstr]=&["contract.created","timesheet.reviewed","employee.created.direct",];"#,
            "Unknown{",
        ] {
            assert!(text.contains(expected), "{expected} not in {text}");
        }
        assert!(catalogue(&serde_json::json!({ "x-deel-webhooks": [{ "variant": "X" }] })).is_err());
    }
}

//! `dispatch.rs` (the `dispatch` feature): every operation callable by name, with its arguments
//! read from a recorded request. The every-operation fixture test and the live conformance check
//! drive the client through it; without it they would need 393 hand-written call sites.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Attribute, ImplItemFn, Type};

use super::facts::Operation;
use super::operations::pending_parts;
use super::syntax::{option_inner, typed_args};

/// `&'a T` → `T`, `&'a str` → `String`; the flag says whether the argument is passed by reference.
fn owned(ty: &Type) -> (Type, bool, bool) {
    match ty {
        Type::Reference(r) => {
            let is_str = matches!(&*r.elem, Type::Path(p) if p.path.is_ident("str"));
            let owned: Type =
                if is_str { syn::parse_quote!(::std::string::String) } else { (*r.elem).clone() };
            (owned, true, is_str)
        }
        other => (other.clone(), false, false),
    }
}

/// One `match` arm: reads each argument from the call, then calls the positional method.
pub fn arm(f: &ImplItemFn, op: &Operation, gate: &Attribute) -> Result<TokenStream, String> {
    let name = op.method_name();
    let template = &op.path;
    let mut lets = Vec::new();
    let mut passes = Vec::new();
    for (i, (ident, ty)) in typed_args(f).into_iter().enumerate() {
        let var = format_ident!("a{i}");
        let key = ident.to_string().trim_end_matches('_').to_string();
        if ident == "form" {
            lets.push(quote!(let #var = multipart_form(call.body);));
            passes.push(quote!(#var));
            continue;
        }
        let (optional, inner) = match option_inner(&ty) {
            Some(inner) => (true, inner),
            None => (false, ty.clone()),
        };
        let (owned, by_ref, is_str) = owned(&inner);
        let wire = op.wire.get(&key).cloned().unwrap_or_else(|| key.clone());
        let read = match op.params.get(&key).map(String::as_str) {
            _ if ident == "body" => quote!(body_arg(call.body)?),
            Some("path") => quote!(path_arg(#template, call.path, #wire)?),
            Some("query") if optional => quote!(query_arg(call.query, #wire)?),
            Some("query") => quote!(required(query_arg(call.query, #wire)?, #wire)?),
            other => return Err(format!("{name}: argument `{ident}` in {other:?} cannot be dispatched")),
        };
        let ty: Type = if optional { syn::parse_quote!(Option<#owned>) } else { owned };
        lets.push(quote!(let #var: #ty = #read;));
        passes.push(match (optional, by_ref, is_str) {
            (false, true, _) => quote!(&#var),
            (false, false, _) => quote!(#var),
            (true, true, true) => quote!(#var.as_deref()),
            (true, true, false) => quote!(#var.as_ref()),
            (true, false, _) => quote!(#var),
        });
    }
    let method = &f.sig.ident;
    // The dispatch helpers are named like the runtime's decoders: `json`, `empty`, `stream`.
    let (_, outcome) =
        pending_parts(f).ok_or_else(|| format!("{name}: does not return a runtime::Pending"))?;
    Ok(quote! {
        #gate
        #name => {
            #(#lets)*
            #outcome(client.#method(#(#passes),*).await)
        }
    })
}

/// One arm of `decode`, for an operation with a JSON success body: decodes a body as the
/// operation's response type. `None` for other operations.
pub fn decode_arm(f: &ImplItemFn, op: &Operation, gate: &Attribute) -> Option<TokenStream> {
    let (ty, body) = pending_parts(f)?;
    let name = op.method_name();
    (body == "json").then(|| {
        quote! {
            #gate
            #name => Some(crate::runtime::decode::decode::<#ty>(status, body, mode).map(|(_, c)| c)),
        }
    })
}

/// The generated half of the dispatch module (its helpers are the hand-written
/// `dispatch/mod.rs`): the operation table, `call` and `decode`.
pub fn file(
    arms: &[TokenStream],
    decoders: &[TokenStream],
    ops: &[(Attribute, &Operation)],
    personal: &super::facts::Clearable,
) -> syn::File {
    let entries = ops.iter().map(|(gate, op)| {
        let (name, method, path) = (op.method_name(), &op.method, &op.path);
        quote!(#gate (#name, #method, #path))
    });
    let personal: std::collections::BTreeSet<&String> = personal.values().flatten().collect();
    let personal = personal.into_iter();
    syn::parse_quote! {
        /// Every operation compiled in: Rust method name, HTTP method and path template.
        pub const OPERATIONS: &[(&str, &str, &str)] = &[#(#entries),*];

        /// The wire names of the fields marked as people's personal data (`x-deel-personal`), in
        /// any schema: what the recorder replaces with placeholders.
        pub const PERSONAL_FIELDS: &[&str] = &[#(#personal),*];

        /// Calls `call.operation` with arguments read from the call's path, query and body.
        pub async fn call(client: &crate::Client, call: &Call<'_>) -> Result<Outcome, DispatchError> {
            match call.operation {
                #(#arms)*
                other => Err(DispatchError::UnknownOperation(other.to_string())),
            }
        }

        /// Decodes `body` as `operation`'s success type, as its call would (for fuzzing the
        /// decoders without a server): the corrections made, or why it failed. `None` for an
        /// unknown operation or one whose success body is not JSON.
        pub fn decode(
            operation: &str,
            status: u16,
            body: bytes::Bytes,
            mode: crate::runtime::DecodeMode,
        ) -> Option<Result<Vec<crate::runtime::Correction>, crate::runtime::DecodeError>> {
            match operation {
                #(#decoders)*
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use syn::parse_quote;

    use super::*;

    fn tight(tokens: &TokenStream) -> String {
        let squashed: String = tokens.to_string().split_whitespace().collect();
        squashed.replace(",)", ")")
    }

    fn op(params: &[(&str, &str)]) -> Operation {
        Operation {
            id: "update-thing".into(),
            method: "PATCH".into(),
            path: "/things/{thing_id}".into(),
            params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            wire: BTreeMap::from([("page_size".to_string(), "pageSize".to_string())]),
            ..Operation::default()
        }
    }

    fn positional(output: Type) -> ImplItemFn {
        parse_quote! {
            pub(crate) fn send_update_thing<'a>(&'a self, thing_id: &str, page_size: Option<i64>,
                note: Option<&str>, body: &types::ThingPatch) -> #output { todo!() }
        }
    }

    #[test]
    fn an_arm_reads_each_argument_from_the_call_by_its_place_and_wire_name() {
        let f = positional(parse_quote!(crate::runtime::Pending<types::Thing>));
        let params = [("thing_id", "path"), ("page_size", "query"), ("note", "query")];
        let arm = arm(&f, &op(&params), &parse_quote!(#[cfg(feature = "things")])).expect("an arm");
        let t = tight(&arm);
        for part in [
            "\"update_thing\"=>{",
            "leta0:::std::string::String=path_arg(\"/things/{thing_id}\",call.path,\"thing_id\")?;",
            "leta1:Option<i64>=query_arg(call.query,\"pageSize\")?;",
            "leta2:Option<::std::string::String>=query_arg(call.query,\"note\")?;",
            "leta3:types::ThingPatch=body_arg(call.body)?;",
            "json(client.send_update_thing(&a0,a1,a2.as_deref(),&a3).await)",
        ] {
            assert!(t.contains(part), "{part} in {t}");
        }
        let decode = decode_arm(&f, &op(&params), &parse_quote!(#[cfg(feature = "things")])).expect("JSON");
        assert!(tight(&decode).contains("decode::<types::Thing>(status,body,mode)"), "{decode}");
    }

    #[test]
    fn a_body_that_is_not_json_has_no_decoder_and_an_unknown_place_is_named() {
        let f = positional(parse_quote!(crate::runtime::Pending<(), crate::runtime::pending::Empty>));
        let gate: Attribute = parse_quote!(#[cfg(feature = "things")]);
        assert!(decode_arm(&f, &op(&[("thing_id", "path")]), &gate).is_none());
        let err =
            arm(&f, &op(&[("thing_id", "path"), ("page_size", "header")]), &gate).err().unwrap_or_default();
        assert!(err.contains("update_thing") && err.contains("page_size"), "{err}");
    }
}

//! The public request builder of each operation (`client.get_contracts().limit(10).send()`),
//! made from its rewritten positional method and documented from facts only.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{Ident, ImplItemFn, Type};

use super::facts::Operation;
use super::syntax::{option_inner, pascal_ident, public_name, return_type, typed_args, unraw};

/// The builder method on `Client`, the builder struct and its setters and `send`.
pub fn builder(positional: &ImplItemFn, op: &Operation) -> Result<TokenStream, String> {
    let name = format_ident!("{}", public_name(&positional.sig.ident));
    let output = return_type(positional).ok_or_else(|| format!("{name}: no return type"))?;
    let args: Vec<(Ident, Type)> =
        typed_args(positional).into_iter().map(|(ident, ty)| (ident, borrowing(ty))).collect();
    let mut required: Vec<(&Ident, &Type)> = Vec::new();
    let mut optional: Vec<(&Ident, Type)> = Vec::new();
    for (ident, ty) in &args {
        match option_inner(ty) {
            Some(inner) => optional.push((ident, inner)),
            None => required.push((ident, ty)),
        }
    }

    let builder = pascal_ident(&name.to_string());
    let positional = &positional.sig.ident;
    let req_names: Vec<&Ident> = required.iter().map(|(i, _)| *i).collect();
    let req_types: Vec<&Type> = required.iter().map(|(_, t)| *t).collect();
    let opt_names: Vec<&Ident> = optional.iter().map(|(i, _)| *i).collect();
    let opt_types: Vec<&Type> = optional.iter().map(|(_, t)| t).collect();
    let all_names: Vec<&Ident> = args.iter().map(|(i, _)| i).collect();
    let setter_docs: Vec<String> = optional.iter().map(|(i, _)| setter_doc(i, op)).collect();

    let doc = op_doc(op);
    let struct_doc = format!("Request builder for [`Client::{name}`]; finish with [`{builder}::send`].");
    let derive = if op.multipart { quote!() } else { quote!(#[derive(Clone)]) };
    Ok(quote! {
        impl Client {
            #(#[doc = #doc])*
            pub fn #name<'a>(&'a self, #(#req_names: #req_types),*) -> #builder<'a> {
                #builder { client: self, #(#req_names,)* #(#opt_names: None,)* }
            }
        }

        #[doc = #struct_doc]
        #derive
        #[must_use = "a request builder does nothing until `send()` is awaited"]
        pub struct #builder<'a> {
            client: &'a Client,
            #(#req_names: #req_types,)*
            #(#opt_names: Option<#opt_types>,)*
        }

        impl<'a> #builder<'a> {
            #(
                #[doc = #setter_docs]
                pub fn #opt_names(mut self, value: #opt_types) -> Self {
                    self.#opt_names = Some(value);
                    self
                }
            )*

            /// Sends the request when awaited, and decodes the response.
            pub fn send(self) -> #output {
                self.client.#positional(#(self.#all_names),*)
            }
        }
    })
}

/// A builder holds its arguments for as long as it lives: references borrow for `'a`.
fn borrowing(mut ty: Type) -> Type {
    struct Borrow;
    impl VisitMut for Borrow {
        fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
            if r.lifetime.is_none() {
                r.lifetime = Some(syn::Lifetime::new("'a", proc_macro2::Span::call_site()));
            }
            syn::visit_mut::visit_type_reference_mut(self, r);
        }
    }
    Borrow.visit_type_mut(&mut ty);
    ty
}

fn setter_doc(arg: &Ident, op: &Operation) -> String {
    let raw = unraw(arg);
    let key = raw.trim_end_matches('_');
    match op.params.get(key).map(String::as_str) {
        Some(place) => format!("Sets the optional `{key}` {place} parameter."),
        None => format!("Sets the optional `{key}` parameter."),
    }
}

/// Doc lines for an operation, from facts only.
pub fn op_doc(op: &Operation) -> Vec<String> {
    let mut lines = vec![format!("`{} {}`", op.method, op.path)];
    if !op.scopes.is_empty() {
        let scopes: Vec<String> = op.scopes.iter().map(|s| format!("`{s}`")).collect();
        lines.push(String::new());
        lines.push(format!("Token scopes: {}.", scopes.join(", ")));
    }
    if op.multipart {
        lines.push(String::new());
        lines.push("The request body is a `multipart/form-data` form.".into());
    }
    lines.push(String::new());
    lines.push(format!("Deel API reference: <{}>", op.reference_url()));
    lines.iter().map(|l| if l.is_empty() { String::new() } else { format!(" {l}") }).collect()
}

#[cfg(test)]
mod tests {
    /// `s` without whitespace, to compare generated code whatever its line breaks.
    fn tight(s: &str) -> String {
        s.split_whitespace().collect()
    }

    use std::collections::BTreeMap;

    use syn::parse_quote;

    use super::*;

    #[test]
    fn a_builder_holds_required_arguments_and_sets_optional_ones() {
        let f: ImplItemFn = parse_quote! {
            pub(crate) fn send_get_thing<'a>(&'a self, id: &str, limit: Option<i64>, status: Option<&types::Status>)
                -> crate::runtime::Pending<'a, types::Thing> { todo!() }
        };
        let op = Operation {
            method: "GET".into(),
            path: "/things/{id}".into(),
            area: "things".into(),
            upstream_id: "getThing".into(),
            scopes: vec!["things:read".into()],
            params: BTreeMap::from([("limit".into(), "query".into())]),
            ..Operation::default()
        };
        let tokens = builder(&f, &op).expect("builds");
        let file: syn::File = syn::parse2(tokens).expect("parses");
        let t = prettyplease::unparse(&file).split_whitespace().collect::<String>();
        assert!(t.contains(&tight("pub fn get_thing<'a>(&'a self, id: &'a str) -> GetThing<'a>")), "{t}");
        assert!(t.contains(&tight("/// `GET /things/{id}`")), "{t}");
        assert!(t.contains(&tight("/// Token scopes: `things:read`.")), "{t}");
        assert!(t.contains(&tight("#[derive(Clone)] #[must_use")), "{t}");
        assert!(
            t.contains(&tight(
                "/// Sets the optional `limit` query parameter. pub fn limit(mut self, value: i64) -> Self"
            )),
            "{t}"
        );
        assert!(t.contains(&tight("pub fn status(mut self, value: &'a types::Status) -> Self")), "{t}");
        assert!(t.contains(&tight("self.client.send_get_thing(self.id, self.limit, self.status)")), "{t}");
    }
}

//! The public request builder of each operation (`client.get_contracts().limit(10).send()`),
//! made from its rewritten positional method and documented from facts only.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{parse_quote, Ident, ImplItemFn, Type};

use super::facts::Operation;
use super::syntax::{
    generic_args, option_inner, pascal_ident, public_name, return_type, type_name, typed_args, unraw,
};

/// How a positional argument is held by a builder and passed back to the positional method.
#[derive(Debug, Clone)]
pub enum Held {
    /// `&str`: held as a `String`, set from `impl Into<String>`.
    Str,
    /// `&Vec<T>`: held as a `Vec<T>`, set from any iterator of `impl Into<T>`.
    List(Type),
    /// `&T`: held as a `T`, set from `impl Into<T>`.
    Borrowed(Type),
    /// `T` by value: held as is, set from `impl Into<T>`.
    Value(Type),
}

impl Held {
    /// Reads a positional argument's type (the `T` of an `Option<T>` for optional ones).
    pub fn of(ty: &Type) -> Held {
        let Type::Reference(r) = ty else { return Held::Value(ty.clone()) };
        match type_name(&r.elem) {
            Some(name) if name == "str" => Held::Str,
            Some(name) if name == "Vec" => match generic_args(&r.elem).and_then(|a| a.into_iter().next()) {
                Some(item) => Held::List(item),
                None => Held::Borrowed((*r.elem).clone()),
            },
            _ => Held::Borrowed((*r.elem).clone()),
        }
    }

    /// The type a builder stores.
    pub fn stored(&self) -> Type {
        match self {
            Held::Str => parse_quote!(::std::string::String),
            Held::List(item) => parse_quote!(::std::vec::Vec<#item>),
            Held::Borrowed(t) | Held::Value(t) => t.clone(),
        }
    }

    /// A setter's (or the builder method's) parameter type.
    fn accepted(&self) -> TokenStream {
        match self {
            Held::Str => quote!(impl ::std::convert::Into<::std::string::String>),
            Held::List(item) => {
                quote!(impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<#item>>)
            }
            Held::Borrowed(t) | Held::Value(t) => quote!(impl ::std::convert::Into<#t>),
        }
    }

    /// Converts an accepted `value` into the stored type.
    fn store(&self, value: &Ident) -> TokenStream {
        match self {
            Held::List(_) => quote!(#value.into_iter().map(::std::convert::Into::into).collect()),
            _ => quote!(#value.into()),
        }
    }

    /// Passes the stored `self.field` (an `Option` when `optional`) to the positional method;
    /// `by_move` when the builder is being consumed.
    pub fn pass(&self, field: &Ident, optional: bool, by_move: bool) -> TokenStream {
        match (self, optional) {
            (Held::Str, false) | (Held::List(_), false) | (Held::Borrowed(_), false) => quote!(&self.#field),
            (Held::Str, true) => quote!(self.#field.as_deref()),
            (Held::List(_), true) | (Held::Borrowed(_), true) => quote!(self.#field.as_ref()),
            (Held::Value(_), _) if by_move => quote!(self.#field),
            (Held::Value(_), _) => quote!(self.#field.clone()),
        }
    }
}

/// One argument of a positional method, as a builder holds it.
pub struct BuilderArg {
    pub ident: Ident,
    pub held: Held,
    pub optional: bool,
}

/// The arguments of a rewritten positional method, as its builder holds them.
pub fn builder_args(positional: &ImplItemFn) -> Vec<BuilderArg> {
    typed_args(positional)
        .into_iter()
        .map(|(ident, ty)| match option_inner(&ty) {
            Some(inner) => BuilderArg { ident, held: Held::of(&inner), optional: true },
            None => BuilderArg { ident, held: Held::of(&ty), optional: false },
        })
        .collect()
}

/// The builder method on `Client`, the builder struct and its setters and `send`. A builder owns
/// what it holds (a clone of the client, strings, lists, bodies): it can be stored, cloned, moved
/// to another task and sent there.
pub fn builder(positional: &ImplItemFn, op: &Operation) -> Result<TokenStream, String> {
    let name = format_ident!("{}", public_name(&positional.sig.ident));
    let output = return_type(positional).ok_or_else(|| format!("{name}: no return type"))?;
    let args = builder_args(positional);
    let required: Vec<&BuilderArg> = args.iter().filter(|a| !a.optional).collect();
    let optional: Vec<&BuilderArg> = args.iter().filter(|a| a.optional).collect();

    let builder = pascal_ident(&name.to_string());
    let positional = &positional.sig.ident;
    let req_names: Vec<&Ident> = required.iter().map(|a| &a.ident).collect();
    let req_accepted: Vec<TokenStream> = required.iter().map(|a| a.held.accepted()).collect();
    let req_stored: Vec<Type> = required.iter().map(|a| a.held.stored()).collect();
    let req_store: Vec<TokenStream> = required.iter().map(|a| a.held.store(&a.ident)).collect();
    let opt_names: Vec<&Ident> = optional.iter().map(|a| &a.ident).collect();
    let opt_accepted: Vec<TokenStream> = optional.iter().map(|a| a.held.accepted()).collect();
    let opt_stored: Vec<Type> = optional.iter().map(|a| a.held.stored()).collect();
    let value = format_ident!("value");
    let opt_store: Vec<TokenStream> = optional.iter().map(|a| a.held.store(&value)).collect();
    let passes: Vec<TokenStream> = args.iter().map(|a| a.held.pass(&a.ident, a.optional, true)).collect();
    let setter_docs: Vec<String> = optional.iter().map(|a| setter_doc(&a.ident, op)).collect();

    let doc = op_doc(op);
    let struct_doc = format!("Request builder for [`Client::{name}`]; finish with [`{builder}::send`].");
    let derive = if op.multipart { quote!() } else { quote!(#[derive(Clone)]) };
    // Deel honours idempotency keys on POST and PATCH only: other builders have no setter.
    let idempotency_key = matches!(op.method.as_str(), "POST" | "PATCH").then(|| {
        quote! {
            /// Sends `key` (at most 64 characters) as this request's `Idempotency-Key`: a call
            /// carrying one may be retried, and Deel performs it once per key within 24 hours.
            #[inline]
            pub fn idempotency_key(mut self, key: &str) -> Self {
                self.options.idempotency_key(key);
                self
            }
        }
    });
    let download = op.download_link.as_deref().map(|pointer| {
        let doc = format!(
            " Fetches the file this operation links to (the short-lived link at `{pointer}` of its \
             answer), without sending Deel's token or headers to the storage host; see \
             [`Download`](crate::runtime::download::Download)."
        );
        quote! {
            #[doc = #doc]
            pub fn download(self) -> crate::runtime::download::Download {
                crate::runtime::download::Download::new(#pointer, move || self.clone().send().bytes())
            }
        }
    });
    Ok(quote! {
        impl Client {
            #(#[doc = #doc])*
            pub fn #name(&self, #(#req_names: #req_accepted),*) -> #builder {
                #builder {
                    client: self.clone(),
                    options: ::std::default::Default::default(),
                    #(#req_names: #req_store,)*
                    #(#opt_names: None,)*
                }
            }
        }

        #[doc = #struct_doc]
        #derive
        #[must_use = "a request builder does nothing until `send()` is awaited"]
        pub struct #builder {
            client: Client,
            options: crate::runtime::pending::CallOptions,
            #(#req_names: #req_stored,)*
            #(#opt_names: Option<#opt_stored>,)*
        }

        impl #builder {
            #(
                #[doc = #setter_docs]
                pub fn #opt_names(mut self, value: #opt_accepted) -> Self {
                    self.#opt_names = Some(#opt_store);
                    self
                }
            )*

            /// Time allowed for this request (each attempt), in place of the client's timeout.
            #[inline]
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.options.timeout(timeout);
                self
            }

            /// Sends `name: value` with this request only.
            #[inline]
            pub fn header(mut self, name: &str, value: &str) -> Self {
                self.options.header(name, value);
                self
            }

            #idempotency_key

            /// Sends the request when awaited, and decodes the response.
            pub fn send(self) -> #output {
                self.client.#positional(#(#passes),*).with_options(self.options)
            }

            #download
        }
    })
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
    /// `s` without whitespace or trailing commas, to compare generated code whatever its line
    /// breaks.
    fn tight(s: &str) -> String {
        let squashed: String = s.split_whitespace().collect();
        squashed.replace(",)", ")").replace(",}", "}").replace(",>", ">")
    }

    use std::collections::BTreeMap;

    use syn::parse_quote;

    use super::*;

    #[test]
    fn a_builder_owns_required_arguments_and_sets_optional_ones_from_anything_that_converts() {
        let f: ImplItemFn = parse_quote! {
            pub(crate) fn send_get_thing<'a>(&'a self, id: &str, limit: Option<i64>,
                status: Option<&types::Status>, tags: Option<&::std::vec::Vec<::std::string::String>>)
                -> crate::runtime::Pending<types::Thing> { todo!() }
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
        let t = tight(&prettyplease::unparse(&file));
        let has = |s: &str| t.contains(&tight(s));
        assert!(
            has("pub fn get_thing(&self, id: impl ::std::convert::Into<::std::string::String>,) -> GetThing"),
            "{t}"
        );
        assert!(
            has("GetThing { client: self.clone(), options: ::std::default::Default::default(), id: id.into(), limit: None, status: None, tags: None, }"),
            "{t}"
        );
        assert!(has("/// `GET /things/{id}`"), "{t}");
        assert!(has("/// Token scopes: `things:read`."), "{t}");
        assert!(has("#[derive(Clone)] #[must_use"), "{t}");
        assert!(has("pub struct GetThing { client: Client, options: crate::runtime::pending::CallOptions, id: ::std::string::String, limit: Option<i64>, status: Option<types::Status>, tags: Option<::std::vec::Vec<::std::string::String>>, }"), "{t}");
        assert!(has("///Sets the optional `limit` query parameter. pub fn limit(mut self, value: impl ::std::convert::Into<i64>) -> Self { self.limit = Some(value.into()); self }"), "{t}");
        assert!(has("pub fn tags(mut self, value: impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<::std::string::String>>,) -> Self { self.tags = Some(value.into_iter().map(::std::convert::Into::into).collect()); self }"), "{t}");
        assert!(!t.contains("idempotency_key"), "Deel honours keys on POST and PATCH only: {t}");
        assert!(!t.contains("download"), "{t}");
        assert!(has("pub fn send(self) -> crate::runtime::Pending<types::Thing> { self.client.send_get_thing(&self.id, self.limit, self.status.as_ref(), self.tags.as_ref()).with_options(self.options) }"), "{t}");
        assert!(!t.contains("'a"), "a builder borrows nothing: {t}");

        let text = |op: &Operation| {
            let file: syn::File = syn::parse2(builder(&f, op).expect("builds")).expect("parses");
            tight(&prettyplease::unparse(&file))
        };
        let post = text(&Operation { method: "POST".into(), ..op.clone() });
        assert!(post.contains(&tight("pub fn idempotency_key(mut self, key: &str) -> Self { self.options.idempotency_key(key); self }")), "{post}");
        let linked = text(&Operation { download_link: Some("/data/url".into()), ..op });
        assert!(linked.contains(&tight(r#"pub fn download(self) -> crate::runtime::download::Download { crate::runtime::download::Download::new("/data/url", move || self.clone().send().bytes()) }"#)), "{linked}");
    }
}

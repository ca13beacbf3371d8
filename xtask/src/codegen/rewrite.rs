//! Reshapes progenitor's output into the crate's public interface.
//!
//! - `types`: closed string enums become open enums (an `Unknown(String)` case keeps values Deel
//!   adds later), through one `open_enum!` macro instead of five impls per enum.
//!   Required-but-nullable fields may be missing; with the `schemars` feature every type derives
//!   `JsonSchema`. Structs get `Serialize`/`Deserialize` from the `lean_ser!`/`lean_de!` macros.
//! - areas: every operation and type is put behind its area features (see `areas`), and
//!   `dispatch.rs` calls any operation by name (see `dispatch`).
//! - operations: progenitor's positional `async fn`s become crate-private plain functions that
//!   build the request and return a `runtime::Pending` (sent through the facade's transport when
//!   awaited, decoded into the value or one typed `Error`); each operation gets a request builder
//!   (`client.get_contracts().limit("10").send()`), documented from facts only, and paginated ones
//!   implement `runtime::pagination::Paginated`.
//! - progenitor's `api-version` header is not sent (Deel versions by `X-Version`, set by the
//!   facade); multipart operations take a `reqwest::multipart::Form`.

use std::collections::BTreeMap;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::visit_mut::VisitMut;
use syn::{parse_quote, FnArg, Ident, ImplItem, ImplItemFn, Item, Pat, ReturnType, Type};

use super::areas::{self, OperationUse};
use super::dispatch;
use super::pagination::PageSpec;
use super::Operation;

/// The rewritten crate, split into files.
pub struct Output {
    pub files: Vec<(String, syn::File)>,
    pub operations: usize,
    pub open_enums: usize,
    /// Every area (one Cargo feature each).
    pub areas: std::collections::BTreeSet<String>,
    /// Types that no operation reaches (left out).
    pub unreached: usize,
}

/// Rewrites progenitor's single-file output.
pub fn rewrite(
    file: syn::File,
    ops: &BTreeMap<String, Operation>,
    pages: &BTreeMap<String, PageSpec>,
) -> Result<Output, String> {
    let mut lib_items: Vec<Item> = Vec::new();
    let mut type_items: Vec<Item> = Vec::new();
    let mut op_fns: Vec<ImplItemFn> = Vec::new();
    for item in file.items {
        match item {
            Item::Mod(m) if m.ident == "types" => {
                type_items = m.content.map(|(_, items)| items).unwrap_or_default();
            }
            // progenitor's prelude only re-exports `Client`; the crate root already does.
            Item::Mod(m) if m.ident == "prelude" => {}
            Item::Impl(imp) if is_operations_impl(&imp) => {
                for it in imp.items {
                    if let ImplItem::Fn(f) = it {
                        op_fns.push(f);
                    }
                }
            }
            // The crate's `Error` is the runtime's typed error, not progenitor's.
            Item::Use(u) if u.to_token_stream().to_string().contains("progenitor_client :: { ByteStream") => {
                lib_items.push(parse_quote!(
                    pub use progenitor_client::{ByteStream, ClientInfo};
                ));
            }
            other => lib_items.push(other),
        }
    }

    let item_types = list_item_types(&type_items);
    let (type_items, open_enums) = open_enums(type_items);
    let type_items = lenient_nullable_fields(type_items);
    let type_items = schema_derives(type_items);
    let type_items = lean_serde(type_items);
    let type_items = lenient_serde_types(type_items);
    let type_items = redact_secret_fields(type_items, &secret_fields()?);

    let mut operations = Vec::new();
    let mut builders = Vec::new();
    let mut uses = Vec::new();
    let mut arms = Vec::new();
    let mut decoders = Vec::new();
    let mut listed = Vec::new();
    for f in op_fns {
        let name = f.sig.ident.to_string();
        let op = ops.get(&name).ok_or_else(|| {
            format!("progenitor generated `{name}`, which matches no operation of openapi/")
        })?;
        let (mut positional, mut builder) = operation(f, op)?;
        if let Some(spec) = pages.get(&name) {
            builder.extend(paginated(&positional, spec, &item_types)?);
        }
        uses.push(OperationUse {
            area: op.area.clone(),
            request: positional.sig.inputs.to_token_stream(),
            response: positional.sig.output.to_token_stream(),
        });
        let gate = areas::cfg([&op.area]);
        arms.push(dispatch::arm(&positional, op, &gate)?);
        decoders.extend(dispatch::decode_arm(&positional, op, &gate));
        listed.push((gate.clone(), op));
        positional.attrs.insert(0, gate.clone());
        operations.push(positional);
        builders.push(areas::gate_items(builder, &gate)?);
    }
    let reach = areas::reach(&type_items, &uses);
    let (type_items, unreached) = areas::gate_types(type_items, &reach);
    if operations.len() != ops.len() {
        let made: Vec<String> = operations.iter().map(|f| f.sig.ident.to_string()).collect();
        let missing: Vec<&String> =
            ops.keys().filter(|k| !made.iter().any(|m| m == &format!("send_{k}"))).collect();
        return Err(format!("operations without a generated method: {missing:?}"));
    }
    let count = operations.len();

    let client_file: syn::File = parse_quote! {
        #(#lib_items)*
    };
    let operations_file: syn::File = parse_quote! {
        use crate::types;
        use progenitor_client::{encode_path, ByteStream};

        impl crate::Client {
            #(#operations)*
        }
    };
    let page_names: Vec<&String> = pages.keys().collect();
    let page_styles: Vec<Ident> = pages.values().map(|p| format_ident!("{}", p.style)).collect();
    let page_gates: Vec<syn::Attribute> =
        pages.keys().map(|name| areas::cfg(ops.get(name).map(|o| &o.area))).collect();
    let builder_file: syn::File = parse_quote! {
        use crate::types;
        use crate::Client;
        use progenitor_client::ByteStream;

        #(#builders)*

        /// Every paginated operation and how it pages.
        pub const PAGINATED: &[(&str, crate::runtime::pagination::PageStyle)] = &[
            #(#page_gates (#page_names, crate::runtime::pagination::PageStyle::#page_styles)),*
        ];
    };
    let types_file: syn::File = parse_quote! {
        #(#type_items)*
    };
    Ok(Output {
        files: vec![
            ("client.rs".into(), client_file),
            ("operations.rs".into(), operations_file),
            ("builder.rs".into(), builder_file),
            ("types.rs".into(), types_file),
            ("dispatch/generated.rs".into(), dispatch::file(&arms, &decoders, &listed)),
        ],
        operations: count,
        open_enums,
        areas: ops.values().map(|o| o.area.clone()).collect(),
        unreached,
    })
}

fn is_operations_impl(imp: &syn::ItemImpl) -> bool {
    imp.trait_.is_none()
        && matches!(&*imp.self_ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("Client"))
        && imp.items.iter().any(|i| matches!(i, ImplItem::Fn(f) if f.sig.asyncness.is_some()))
}

/// Turns one progenitor method into a private positional method plus its public builder.
fn operation(mut f: ImplItemFn, op: &Operation) -> Result<(ImplItemFn, TokenStream), String> {
    let name = f.sig.ident.clone();
    f.attrs.clear();
    f.attrs.push(parse_quote!(#[allow(clippy::too_many_arguments)]));
    f.vis = parse_quote!(pub(crate));
    f.sig.ident = format_ident!("send_{}", name);
    if op.multipart {
        add_multipart(&mut f)?;
    }
    // Deel versions its API by `X-Version` (set by the facade); progenitor's header would send the
    // spec's document version on every call.
    f.block.stmts.retain(|s| !s.to_token_stream().to_string().contains("\"api-version\""));
    drop_empty_header_map(&mut f);
    send_through_runtime(&mut f, op)?;

    let mut required: Vec<(Ident, Type)> = Vec::new();
    let mut optional: Vec<(Ident, Type)> = Vec::new();
    for (ident, ty) in typed_args(&f) {
        match option_inner(&ty) {
            Some(inner) => optional.push((ident, inner)),
            None => required.push((ident, ty)),
        }
    }
    let output = match &f.sig.output {
        ReturnType::Type(_, t) => (**t).clone(),
        ReturnType::Default => return Err(format!("{name}: no return type")),
    };

    let builder = pascal_ident(&name.to_string());
    let positional = &f.sig.ident;
    let req_names: Vec<&Ident> = required.iter().map(|(i, _)| i).collect();
    let req_types: Vec<&Type> = required.iter().map(|(_, t)| t).collect();
    let opt_names: Vec<&Ident> = optional.iter().map(|(i, _)| i).collect();
    let opt_types: Vec<&Type> = optional.iter().map(|(_, t)| t).collect();
    let all_names: Vec<Ident> = typed_args(&f).into_iter().map(|(i, _)| i).collect();
    let setter_docs: Vec<String> = optional
        .iter()
        .map(|(i, _)| {
            let raw = i.to_string();
            let key = raw.trim_end_matches('_');
            match op.params.get(key).map(String::as_str) {
                Some(place) => format!("Sets the optional `{key}` {place} parameter."),
                None => format!("Sets the optional `{key}` parameter."),
            }
        })
        .collect();

    let doc = op_doc(op);
    let struct_doc = format!("Request builder for [`Client::{name}`]; finish with [`{builder}::send`].");
    let derive = if op.multipart { quote!() } else { quote!(#[derive(Clone)]) };
    let tokens = quote! {
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
    };
    elide_argument_lifetimes(&mut f);
    Ok((f, tokens))
}

/// For each struct in `types`, its fields' types (to find a page's item type).
fn list_item_types(items: &[Item]) -> BTreeMap<String, BTreeMap<String, Type>> {
    let mut out = BTreeMap::new();
    for item in items {
        let Item::Struct(s) = item else { continue };
        let fields =
            s.fields.iter().filter_map(|f| Some((f.ident.as_ref()?.to_string(), f.ty.clone()))).collect();
        out.insert(s.ident.to_string(), fields);
    }
    out
}

/// The innermost type argument of `Option<Vec<T>>` / `Vec<T>`.
fn element_type(ty: &Type) -> Option<Type> {
    let inner = option_inner(ty).unwrap_or_else(|| ty.clone());
    let Type::Path(p) = &inner else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != "Vec" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &seg.arguments else { return None };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => {
            let mut t = t.clone();
            syn::visit_mut::VisitMut::visit_type_mut(&mut QualifyTypes, &mut t);
            Some(t)
        }
        _ => None,
    }
}

/// Prefixes bare generated type names with `types::`, for use outside the types module.
struct QualifyTypes;

impl syn::visit_mut::VisitMut for QualifyTypes {
    fn visit_type_path_mut(&mut self, t: &mut syn::TypePath) {
        syn::visit_mut::visit_type_path_mut(self, t);
        let bare = t.qself.is_none() && t.path.leading_colon.is_none() && t.path.segments.len() == 1;
        if bare {
            let ident = t.path.segments[0].ident.clone();
            let builtin =
                ["Option", "Vec", "String", "Box", "bool", "f32", "f64", "i32", "i64", "u32", "u64"];
            if !builtin.iter().any(|b| ident == b) {
                *t = parse_quote!(types::#ident);
            }
        }
    }
}

/// The `Paginated` impl of one operation's builder.
fn paginated(
    positional: &ImplItemFn,
    spec: &PageSpec,
    item_types: &BTreeMap<String, BTreeMap<String, Type>>,
) -> Result<TokenStream, String> {
    let name = positional.sig.ident.to_string().trim_start_matches("send_").to_string();
    let builder = pascal_ident(&name);
    let positional_name = &positional.sig.ident;
    // Page type: the `T` of `Pending<'a, T>`.
    let page_ty = match pending_parts(positional) {
        Some((ty, body)) if body == "json" => ty,
        _ => return Err(format!("{name}: a page must be a JSON body")),
    };
    let page_name = page_ty.to_token_stream().to_string().trim_start_matches("types ::").trim().to_string();
    let item_ty = item_types
        .get(&page_name)
        .and_then(|fields| fields.get(&spec.items.name))
        .and_then(element_type)
        .ok_or_else(|| format!("{name}: no list field `{}` in `{page_name}`", spec.items.name))?;

    let kinds: BTreeMap<String, String> = typed_args(positional)
        .into_iter()
        .map(|(i, ty)| {
            let kind = option_inner(&ty).map(|t| t.to_token_stream().to_string()).unwrap_or_default();
            (i.to_string().trim_end_matches('_').to_string(), kind)
        })
        .collect();
    let kind_of = |param: &str| kinds.get(param).cloned().unwrap_or_default();

    let position = format_ident!("{}", spec.position);
    let start_at = if spec.style == "ScimIndex" { 1u64 } else { 0 };
    let (bind, value) = match kind_of(&spec.position).as_str() {
        "& str" if start_at == 0 => (quote!(), quote!(position.or(self.#position))),
        "& str" => (
            quote! {
                let start = position.and_then(|p| p.parse::<u64>().ok()).map(|seen| (seen + #start_at).to_string());
            },
            quote!(start.as_deref().or(self.#position)),
        ),
        "f64" => (
            quote!(),
            quote!(position.and_then(|p| p.parse::<f64>().ok()).map(|v| v + #start_at as f64).or(self.#position)),
        ),
        "i64" => (
            quote!(),
            quote!(position.and_then(|p| p.parse::<i64>().ok()).map(|v| v + #start_at as i64).or(self.#position)),
        ),
        other => {
            return Err(format!(
                "{name}: position parameter `{}` has unsupported type `{other}`",
                spec.position
            ))
        }
    };
    // The builder's own starting position, for counting styles (0-based).
    let start = if matches!(spec.style, "Offset" | "ScimIndex") {
        let read = match kind_of(&spec.position).as_str() {
            "& str" => quote!(self.#position.and_then(|v| v.trim().parse::<u64>().ok())),
            "f64" => quote!(self.#position.and_then(crate::runtime::pagination::count)),
            _ => quote!(self.#position.and_then(|v| u64::try_from(v).ok())),
        };
        quote!(#read.map(|v| v.saturating_sub(#start_at)).unwrap_or(0))
    } else {
        quote!(0)
    };
    let args: Vec<TokenStream> = typed_args(positional)
        .into_iter()
        .map(|(i, ty)| {
            if i == position {
                value.clone()
            } else if matches!(ty, Type::Reference(_)) {
                // References are copied; owned values (open enums) are cloned.
                quote!(self.#i)
            } else {
                quote!(self.#i.clone())
            }
        })
        .collect();
    let size = match &spec.size {
        None => quote!(None),
        Some(size) => {
            let s = format_ident!("{}", size);
            match kind_of(size).as_str() {
                "& str" => quote!(self.#s.and_then(|v| v.trim().parse::<u64>().ok())),
                "f64" => quote!(self.#s.and_then(crate::runtime::pagination::count)),
                "i64" => quote!(self.#s.and_then(|v| u64::try_from(v).ok())),
                _ => quote!(None),
            }
        }
    };
    let path = |steps: &[super::pagination::Field]| -> TokenStream {
        let mut expr = quote!(Some(page));
        for step in steps {
            let f = format_ident!("{}", step.name);
            expr = if step.optional {
                quote!(#expr.and_then(|v| v.#f.as_ref()))
            } else {
                quote!(#expr.map(|v| &v.#f))
            };
        }
        expr
    };
    let next = match &spec.next {
        Some(steps) => {
            let p = path(steps);
            quote!(#p.filter(|s| !s.is_empty()).cloned())
        }
        None => quote!(None),
    };
    let has_more = match &spec.has_more {
        Some(steps) => {
            let p = path(steps);
            quote!(#p.copied())
        }
        None => quote!(None),
    };
    let total = match &spec.total {
        Some((steps, true)) => {
            let p = path(steps);
            quote!(#p.and_then(|v| u64::try_from(*v).ok()))
        }
        Some((steps, false)) => {
            let p = path(steps);
            quote!(#p.and_then(|v| crate::runtime::pagination::count(f64::from(*v))))
        }
        None => quote!(None),
    };
    let items_field = format_ident!("{}", spec.items.name);
    let items = if spec.items.optional {
        quote!(page.#items_field.unwrap_or_default())
    } else {
        quote!(page.#items_field)
    };
    let style = format_ident!("{}", spec.style);
    Ok(quote! {
        impl<'a> crate::runtime::pagination::Paginated for #builder<'a> {
            type Page = #page_ty;
            type Item = #item_ty;
            const STYLE: crate::runtime::pagination::PageStyle = crate::runtime::pagination::PageStyle::#style;

            fn fetch_page<'s>(&'s self, position: Option<&'s str>) -> crate::runtime::Pending<'s, Self::Page> {
                #bind
                self.client.#positional_name(#(#args),*)
            }

            fn page_size(&self) -> Option<u64> {
                #size
            }

            fn start(&self) -> u64 {
                #start
            }

            #[allow(unused_variables)]
            fn page_info(page: &Self::Page) -> crate::runtime::pagination::PageInfo {
                crate::runtime::pagination::PageInfo { next: #next, has_more: #has_more, total: #total }
            }

            fn into_items(page: Self::Page) -> Vec<Self::Item> {
                #items
            }
        }
    })
}

/// Doc lines for an operation, from facts only.
fn op_doc(op: &Operation) -> Vec<String> {
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

/// Replaces progenitor's hooks and status match with the runtime: the method becomes a plain
/// function that builds the request and returns a `runtime::Pending`, which sends it through the
/// installed transport and turns the response into a value or a typed `crate::Error`.
///
/// A plain function rather than progenitor's `async fn`: with the builders' `send`, that was 786
/// state machines, about a sixth of the crate's build (20.6 s → 17.0 s without them), for work
/// the runtime's shared future does once.
fn send_through_runtime(f: &mut ImplItemFn, op: &Operation) -> Result<(), String> {
    let name = f.sig.ident.to_string();
    let last = f.block.stmts.last().map(|s| s.to_token_stream().to_string()).unwrap_or_default();
    let success_arm = last.split("=>").nth(1).unwrap_or_default();
    let body = if success_arm.contains("from_response") {
        None
    } else if success_arm.contains("ResponseValue :: empty") {
        Some(quote!(crate::runtime::pending::Empty))
    } else if success_arm.contains("ResponseValue :: stream") {
        Some(quote!(crate::runtime::pending::Stream))
    } else {
        return Err(format!("{name}: unrecognised success handling `{success_arm}`"));
    };
    let Some(request_at) = f.block.stmts.iter().position(
        |s| matches!(s, syn::Stmt::Local(l) if l.pat.to_token_stream().to_string().ends_with("request")),
    ) else {
        return Err(format!("{name}: no `request` to send"));
    };
    f.block.stmts.truncate(request_at + 1);
    // A request that fails to build is reported when the `Pending` is awaited.
    if let Some(syn::Stmt::Local(local)) = f.block.stmts.last_mut() {
        if let Some(init) = &mut local.init {
            if let syn::Expr::Try(t) = &*init.expr {
                init.expr = t.expr.clone();
            }
        }
    }
    let (id, method, path) = (op.method_name(), op.method.as_str(), op.path.as_str());
    f.block.stmts.push(syn::Stmt::Expr(
        parse_quote! {
            crate::runtime::Pending::new(
                self,
                request,
                crate::runtime::Operation { id: #id, method: #method, path: #path },
            )
        },
        None,
    ));
    f.sig.asyncness = None;
    let value = success_type(&f.sig.output)
        .ok_or_else(|| format!("{name}: return type is not Result<ResponseValue<T>, _>"))?;
    f.sig.output = match body {
        None => parse_quote!(-> crate::runtime::Pending<'a, #value>),
        Some(body) => parse_quote!(-> crate::runtime::Pending<'a, #value, #body>),
    };
    Ok(())
}

/// The `T` of progenitor's `Result<ResponseValue<T>, _>`.
fn success_type(output: &ReturnType) -> Option<Type> {
    let ReturnType::Type(_, ty) = output else { return None };
    let value = generic_args(ty)?.into_iter().next()?;
    generic_args(&value)?.into_iter().next()
}

/// The type arguments of the last segment of a path type (`A<X, Y>` → `[X, Y]`).
fn generic_args(ty: &Type) -> Option<Vec<Type>> {
    let Type::Path(p) = ty else { return None };
    let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else { return None };
    Some(
        args.args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
    )
}

/// A rewritten positional method's `Pending<'a, T, K>` arguments: the success type `T` and how
/// the body is read, named like the dispatch helpers (`json`, `empty` or `stream`).
pub(super) fn pending_parts(f: &ImplItemFn) -> Option<(Type, Ident)> {
    let ReturnType::Type(_, ty) = &f.sig.output else { return None };
    let mut args = generic_args(ty)?.into_iter();
    let value = args.next()?;
    let body = match args.next() {
        None => format_ident!("json"),
        Some(Type::Path(p)) => format_ident!("{}", p.path.segments.last()?.ident.to_string().to_lowercase()),
        Some(_) => return None,
    };
    Some((value, body))
}

/// Makes the arguments of a positional method borrow only for the call: the request is built
/// before it returns, and the `Pending` keeps only the client.
fn elide_argument_lifetimes(f: &mut ImplItemFn) {
    struct Elide;
    impl VisitMut for Elide {
        fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
            r.lifetime = None;
            syn::visit_mut::visit_type_reference_mut(self, r);
        }
    }
    for input in f.sig.inputs.iter_mut() {
        if let syn::FnArg::Typed(arg) = input {
            Elide.visit_type_mut(&mut arg.ty);
        }
    }
}

/// Without `api-version` and `Authorization`, no Deel operation has a header parameter left; an
/// empty `HeaderMap` would still cost an allocation per request.
fn drop_empty_header_map(f: &mut ImplItemFn) {
    let uses = |s: &syn::Stmt| s.to_token_stream().to_string().contains("header_map . append");
    if f.block.stmts.iter().any(uses) {
        return;
    }
    f.block.stmts.retain(
        |s| !matches!(s, syn::Stmt::Local(l) if l.pat.to_token_stream().to_string().contains("header_map")),
    );
    for stmt in &mut f.block.stmts {
        let syn::Stmt::Local(local) = stmt else { continue };
        let Some(init) = &mut local.init else { continue };
        strip_call(&mut init.expr, "headers");
    }
}

/// Removes every `.name(..)` call from a method-call chain.
fn strip_call(expr: &mut syn::Expr, name: &str) {
    loop {
        match expr {
            syn::Expr::Try(t) => return strip_call(&mut t.expr, name),
            syn::Expr::MethodCall(call) if call.method == name => {
                let receiver = (*call.receiver).clone();
                *expr = receiver;
            }
            syn::Expr::MethodCall(call) => return strip_call(&mut call.receiver, name),
            _ => return,
        }
    }
}

/// Adds `form: reqwest::multipart::Form` and sends it as the body.
fn add_multipart(f: &mut ImplItemFn) -> Result<(), String> {
    f.sig.inputs.push(parse_quote!(form: ::reqwest::multipart::Form));
    for stmt in &mut f.block.stmts {
        let syn::Stmt::Local(local) = stmt else { continue };
        let Some(init) = &mut local.init else { continue };
        let syn::Expr::Try(t) = &mut *init.expr else { continue };
        let syn::Expr::MethodCall(call) = &mut *t.expr else { continue };
        if call.method == "build" {
            let receiver = &call.receiver;
            let with_form: syn::Expr = parse_quote!(#receiver.multipart(form));
            *call.receiver = with_form;
            return Ok(());
        }
    }
    Err(format!("{}: no request `build()` to attach the multipart form to", f.sig.ident))
}

/// The named, typed arguments of a method, `self` excluded.
pub(super) fn typed_args(f: &ImplItemFn) -> Vec<(Ident, Type)> {
    f.sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            FnArg::Typed(pt) => match &*pt.pat {
                Pat::Ident(pi) => Some((pi.ident.clone(), (*pt.ty).clone())),
                _ => None,
            },
            FnArg::Receiver(_) => None,
        })
        .collect()
}

pub(super) fn option_inner(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &seg.arguments else { return None };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

/// A builder's type name: the operation's method name in PascalCase, as schema names are made.
fn pascal_ident(snake: &str) -> Ident {
    Ident::new(&crate::import::passes::pascal(snake), Span::call_site())
}

/// Replaces typify's closed string enums with `open_enum!` invocations; returns the new items and
/// how many enums were opened.
fn open_enums(items: Vec<Item>) -> (Vec<Item>, usize) {
    let mut opened: BTreeMap<String, ()> = BTreeMap::new();
    let mut out: Vec<Item> = Vec::new();
    let mut rest = Vec::new();
    for item in items {
        match item {
            Item::Enum(e) if is_string_enum(&e) => {
                let name = e.ident.clone();
                let mut variants = Vec::new();
                let mut wires = Vec::new();
                for v in &e.variants {
                    variants.push(v.ident.clone());
                    wires.push(serde_rename(&v.attrs).unwrap_or_else(|| v.ident.to_string()));
                }
                let unknown = if variants.iter().any(|v| v == "Unknown") {
                    format_ident!("UnknownValue")
                } else {
                    format_ident!("Unknown")
                };
                opened.insert(name.to_string(), ());
                rest.push(parse_quote! {
                    open_enum!(#name, #unknown { #(#variants = #wires),* });
                });
            }
            other => rest.push(other),
        }
    }
    // typify's conversions for the opened enums are replaced by the macro's.
    rest.retain(|item| {
        let Item::Impl(imp) = item else { return true };
        let self_ty = imp.self_ty.to_token_stream().to_string();
        if !opened.contains_key(&self_ty) {
            return true;
        }
        let Some((_, path, _)) = &imp.trait_ else { return true };
        let last = path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        !matches!(last.as_str(), "Display" | "FromStr" | "TryFrom")
    });
    let count = opened.len();
    out.extend(rest);
    (out, count)
}

/// typify insists that a required-but-nullable field be present, even as `null`. Deel omits such
/// fields at times; a missing one now reads as `None` instead of failing the whole response.
/// (Serialization is unchanged: `None` is still sent as `null`.)
fn lenient_nullable_fields(mut items: Vec<Item>) -> Vec<Item> {
    type Metas = syn::punctuated::Punctuated<syn::Meta, syn::Token![,]>;
    for item in &mut items {
        let Item::Struct(s) = item else { continue };
        for field in s.fields.iter_mut() {
            // Only `deserialize_with` goes: the same attribute may carry the field's wire name.
            field.attrs.retain_mut(|a| {
                if !a.path().is_ident("serde") {
                    return true;
                }
                let Ok(metas) = a.parse_args_with(Metas::parse_terminated) else { return true };
                let kept: Vec<&syn::Meta> = metas
                    .iter()
                    .filter(|m| {
                        !(m.path().is_ident("deserialize_with")
                            && m.to_token_stream()
                                .to_string()
                                .contains("\"::std::option::Option::deserialize\""))
                    })
                    .collect();
                if kept.len() == metas.len() {
                    return true;
                }
                *a = parse_quote!(#[serde(#(#kept),*)]);
                !kept.is_empty()
            });
        }
    }
    items
}

/// Replaces serde's derives on plain structs with `lean_de!` and `lean_ser!` invocations (see
/// `open_enum.rs.in`): the derives were most of the crate's compile time and memory. Structs with
/// serde attributes the macro does not model keep the derive.
fn lean_serde(items: Vec<Item>) -> Vec<Item> {
    let mut out = Vec::with_capacity(items.len());
    for mut item in items {
        let Item::Struct(s) = &mut item else {
            out.push(item);
            continue;
        };
        let Some((fields, ser)) = lean_fields(s) else {
            out.push(item);
            continue;
        };
        remove_derives(&mut s.attrs, &["Deserialize", "Serialize"]);
        // Without serde's derives, `#[serde]` is only a helper attribute of schemars' derive,
        // which reads it for wire names and optional fields.
        if let syn::Fields::Named(named) = &mut s.fields {
            for field in named.named.iter_mut() {
                for attr in field.attrs.iter_mut().filter(|a| a.path().is_ident("serde")) {
                    if let syn::Meta::List(list) = &attr.meta {
                        let args = &list.tokens;
                        *attr = parse_quote!(#[cfg_attr(feature = "schemars", serde(#args))]);
                    }
                }
            }
        }
        let name = s.ident.clone();
        out.push(item);
        out.push(parse_quote!(lean_de!(#name { #(#fields),* });));
        out.push(parse_quote!(lean_ser!(#name { #(#ser),* });));
    }
    out
}

/// Types that keep serde's derive (untagged unions, newtypes) read fields leniently through
/// `lenient_via_serde!`: nullable, otherwise strict (see the macro).
fn lenient_serde_types(items: Vec<Item>) -> Vec<Item> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let name = match &item {
            Item::Struct(s) if derives(&s.attrs, "Deserialize") => Some(s.ident.clone()),
            Item::Enum(e) if derives(&e.attrs, "Deserialize") => Some(e.ident.clone()),
            _ => None,
        };
        let zero = match &item {
            Item::Struct(s) if derives(&s.attrs, "Default") => Some(quote!(default)),
            Item::Struct(s) if is_transparent_map(s) => Some(quote!(map)),
            Item::Enum(e) if derives(&e.attrs, "Default") => Some(quote!(default)),
            _ => None,
        };
        out.push(item);
        match (name, zero) {
            (Some(name), Some(zero)) => out.push(parse_quote!(lenient_via_serde!(#name, #zero);)),
            (Some(name), None) => out.push(parse_quote!(lenient_via_serde!(#name);)),
            (None, _) => {}
        }
    }
    out
}

/// Where the runtime keeps the field names whose values are secrets; codegen reads the list
/// from there, so that error bodies, fixtures and `Debug` redact the same fields.
const SECRET_FIELDS_SOURCE: &str = "deel-api-gen/src/runtime/error.rs";

/// The string literals of `const SECRET_FIELDS: &[&str] = &[...]` in the runtime's source.
pub(super) fn secret_fields() -> Result<Vec<String>, String> {
    let path = crate::workspace_root().join(SECRET_FIELDS_SOURCE);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let file = syn::parse_file(&text).map_err(|e| format!("parsing {SECRET_FIELDS_SOURCE}: {e}"))?;
    let list = file.items.iter().find_map(|item| match item {
        Item::Const(c) if c.ident == "SECRET_FIELDS" => match &*c.expr {
            syn::Expr::Reference(r) => match &*r.expr {
                syn::Expr::Array(a) => Some(a.elems.iter().map(|e| match e {
                    syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                    _ => None,
                })),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    });
    let list: Option<Vec<String>> = list.and_then(|items| items.collect());
    list.filter(|l| !l.is_empty()).ok_or_else(|| {
        format!("{SECRET_FIELDS_SOURCE}: expected `const SECRET_FIELDS: &[&str] = &[\"...\", ...]`")
    })
}

/// A struct with a secret-named field (a worker session's `token`, a webhook's `signing_key`)
/// gets a `Debug` that prints `<redacted>` for it, through `redacted_debug!`, instead of the
/// derived one: such responses end up in logs.
fn redact_secret_fields(items: Vec<Item>, secrets: &[String]) -> Vec<Item> {
    let mut out = Vec::with_capacity(items.len());
    for mut item in items {
        let Item::Struct(s) = &mut item else {
            out.push(item);
            continue;
        };
        let syn::Fields::Named(named) = &s.fields else {
            out.push(item);
            continue;
        };
        let fields: Vec<(Ident, bool)> = named
            .named
            .iter()
            .filter_map(|f| f.ident.clone())
            .map(|i| {
                let name = i.to_string();
                let secret = secrets.iter().any(|s| s == name.trim_start_matches("r#"));
                (i, secret)
            })
            .collect();
        if !fields.iter().any(|(_, secret)| *secret) || !remove_derives(&mut s.attrs, &["Debug"]) {
            out.push(item);
            continue;
        }
        let name = s.ident.clone();
        let list =
            fields.iter().map(|(i, secret)| if *secret { quote!(#i => hide) } else { quote!(#i => show) });
        out.push(item);
        out.push(parse_quote!(redacted_debug!(#name { #(#list),* });));
    }
    out
}

/// A newtype around a JSON object (`struct X(Map<String, Value>)`): its zero value is the empty
/// object.
fn is_transparent_map(s: &syn::ItemStruct) -> bool {
    let syn::Fields::Unnamed(fields) = &s.fields else { return false };
    let [only] = fields.unnamed.iter().collect::<Vec<_>>()[..] else { return false };
    matches!(&only.ty, Type::Path(p) if p.path.segments.last().is_some_and(|seg| seg.ident == "Map"))
}

/// Whether `#[derive(...)]` among `attrs` names `name` (by its last path segment).
pub(super) fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    type Paths = syn::punctuated::Punctuated<syn::Path, syn::Token![,]>;
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
        a.parse_args_with(Paths::parse_terminated)
            .is_ok_and(|paths| paths.iter().any(|p| p.segments.last().is_some_and(|s| s.ident == name)))
    })
}

/// Removes the named traits from `#[derive(...)]` attributes; says whether any was there.
pub(super) fn remove_derives(attrs: &mut [syn::Attribute], traits: &[&str]) -> bool {
    type Paths = syn::punctuated::Punctuated<syn::Path, syn::Token![,]>;
    let mut removed = false;
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) = attr.parse_args_with(Paths::parse_terminated) else { continue };
        let kept: Vec<&syn::Path> = paths
            .iter()
            .filter(|p| p.segments.last().is_none_or(|s| !traits.iter().any(|t| s.ident == t)))
            .collect();
        removed |= kept.len() != paths.len();
        *attr = parse_quote!(#[derive(#(#kept),*)]);
    }
    removed
}

/// The `lean_de!` field list of a struct that derives `Deserialize` with only the serde
/// attributes the macro models (`rename`, `default`, `default = "…"`, `skip_serializing_if`);
/// `None` for any other struct.
fn lean_fields(s: &syn::ItemStruct) -> Option<(Vec<TokenStream>, Vec<TokenStream>)> {
    type Metas = syn::punctuated::Punctuated<syn::Meta, syn::Token![,]>;
    let derives_de = derives(&s.attrs, "Deserialize");
    let container_serde = s.attrs.iter().any(|a| a.path().is_ident("serde"));
    let syn::Fields::Named(named) = &s.fields else { return None };
    if !derives_de || container_serde {
        return None;
    }
    let (mut fields, mut ser) = (Vec::new(), Vec::new());
    for field in &named.named {
        let ident = field.ident.clone()?;
        let mut wire = ident.to_string().trim_start_matches("r#").to_string();
        let mut missing = if option_inner(&field.ty).is_some() { quote!(opt) } else { quote!(req) };
        let mut skip = quote!(always);
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            for meta in attr.parse_args_with(Metas::parse_terminated).ok()? {
                let text = |v: &syn::Expr| match v {
                    syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                    _ => None,
                };
                match &meta {
                    syn::Meta::NameValue(nv) if nv.path.is_ident("rename") => wire = text(&nv.value)?,
                    syn::Meta::Path(p) if p.is_ident("default") => missing = quote!(default),
                    syn::Meta::NameValue(nv) if nv.path.is_ident("default") => {
                        let path = syn::parse_str::<syn::Expr>(&text(&nv.value)?).ok()?;
                        missing = quote!((with #path));
                    }
                    syn::Meta::NameValue(nv) if nv.path.is_ident("skip_serializing_if") => {
                        let path = syn::parse_str::<syn::Path>(&text(&nv.value)?).ok()?;
                        skip = quote!((unless #path));
                    }
                    _ => return None,
                }
            }
        }
        let ty = &field.ty;
        fields.push(quote!(#ident: #ty = #wire => #missing));
        ser.push(quote!(#ident = #wire => #skip));
    }
    Some((fields, ser))
}

/// With the `schemars` feature, every generated type describes itself as a JSON Schema (open enums
/// implement it in their macro), so fixtures and user data can be checked against Deel's shapes.
fn schema_derives(mut items: Vec<Item>) -> Vec<Item> {
    let attr: syn::Attribute =
        parse_quote!(#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]);
    for item in &mut items {
        match item {
            Item::Struct(s) => s.attrs.push(attr.clone()),
            Item::Enum(e) => e.attrs.push(attr.clone()),
            _ => {}
        }
    }
    items
}

fn is_string_enum(e: &syn::ItemEnum) -> bool {
    let derives_serde = derives(&e.attrs, "Deserialize");
    let serde_container_attrs = e.attrs.iter().any(|a| a.path().is_ident("serde"));
    derives_serde
        && !serde_container_attrs
        && !e.variants.is_empty()
        && e.variants.iter().all(|v| matches!(v.fields, syn::Fields::Unit))
}

fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut found = None;
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                found = Some(lit.value());
            }
            Ok(())
        });
    }
    found
}

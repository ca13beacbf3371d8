//! Reshapes progenitor's output into the crate's public interface, as a list of named passes:
//!
//! 1. `split` takes progenitor's file apart (client, types, one method per operation);
//! 2. the type passes: learned wire names ([`types::wire_aliases`]), request fields that can be
//!    cleared ([`types::clearable_fields`]), fields sent as one or many
//!    ([`types::one_or_many_fields`]), then [`types::PASSES`]: open enums, lenient fields, lean
//!    serde, schemas; then `Debug` without secrets or personal data ([`types::redacted_fields`])
//!    and responses sent with or without their envelope ([`types::enveloped_responses`]);
//! 3. the operation passes ([`operations::PASSES`]) make each method a plain function that
//!    returns a `runtime::Pending`;
//! 4. from each rewritten method: its public builder ([`builders`]), its pager ([`paged`]) and
//!    its dispatch arm ([`dispatch`]), all gated by its area ([`areas`]);
//! 5. types are gated by the areas whose operations reach them.
//!
//! Each pass counts what it changed; the counts are printed with codegen's report.

use std::collections::{BTreeMap, BTreeSet};

use quote::{format_ident, ToTokens};
use syn::{parse_quote, Ident, ImplItemFn, Item};

use super::areas::{self, OperationUse};
use super::facts::{Operation, SchemaFacts};
use super::page_styles::PageSpec;
use super::{builders, dispatch, events, operations, paginated_impls, split, syntax, types};

/// The rewritten crate, split into files.
pub struct Output {
    pub files: Vec<(String, syn::File)>,
    pub operations: usize,
    pub open_enums: usize,
    /// Every area (one Cargo feature each).
    pub areas: BTreeSet<String>,
    /// Types that no operation reaches (left out).
    pub unreached: usize,
    /// Every pass, in the order it ran, with how many items or operations it changed.
    pub passes: Vec<(&'static str, usize)>,
}

/// Runs every pass on progenitor's single-file output.
pub fn rewrite(
    file: syn::File,
    ops: &BTreeMap<String, Operation>,
    pages: &BTreeMap<String, PageSpec>,
    facts: &SchemaFacts,
    webhook_events: &[events::WebhookEvent],
) -> Result<Output, String> {
    let parts = split::split(file)?;
    let mut report: Vec<(&'static str, usize)> = vec![("split", parts.operations.len())];

    let field_types = paginated_impls::field_types(&parts.types);
    // First of the type passes: the learned names are serde attributes that the others read.
    let (mut type_items, placed) = types::wire_aliases(parts.types, &facts.aliases)?;
    report.push(("wire_aliases", placed));
    // Before field_docs, which documents the field types they give.
    let (items, placed) = types::clearable_fields(type_items, &facts.clearable)?;
    report.push(("clearable_fields", placed));
    let (items, placed) = types::one_or_many_fields(items, &facts.one_or_many)?;
    type_items = items;
    report.push(("one_or_many_fields", placed));
    for (name, pass) in types::PASSES {
        let (items, changed) = pass(type_items)?;
        type_items = items;
        report.push((name, changed));
    }
    let (items, placed) = types::redacted_fields(type_items, &facts.personal)?;
    report.push(("redacted_fields", placed));
    // After lean_serde, whose `lean_de!` it replaces.
    let (items, placed) = types::enveloped_responses(items, &facts.envelopes)?;
    type_items = items;
    report.push(("enveloped_responses", placed));
    let open_enums = report.iter().find(|(n, _)| *n == "open_enums").map_or(0, |(_, c)| *c);

    let mut methods: Vec<(ImplItemFn, &Operation)> = Vec::new();
    let mut changed = vec![0usize; operations::PASSES.len()];
    for mut f in parts.operations {
        let op = ops.get(&f.sig.ident.to_string()).ok_or_else(|| {
            format!("progenitor generated `{}`, which matches no operation of openapi/", f.sig.ident)
        })?;
        for (i, (_, pass)) in operations::PASSES.iter().enumerate() {
            changed[i] += usize::from(pass(&mut f, op)?);
        }
        methods.push((f, op));
    }
    report.extend(operations::PASSES.iter().map(|(name, _)| *name).zip(changed));
    check_every_operation_made(&methods, ops)?;

    let mut emitted = Emitted::default();
    for (mut positional, op) in methods {
        let gate = areas::cfg([&op.area]);
        let mut builder = builders::builder(&positional, op)?;
        if let Some(spec) = pages.get(&op.method_name()) {
            builder.extend(paginated_impls::paginated(&positional, spec, &field_types)?);
            emitted.paged += 1;
        }
        emitted.uses.push(OperationUse {
            operation: op.method_name(),
            area: op.area.clone(),
            request: positional.sig.inputs.to_token_stream(),
            response: positional.sig.output.to_token_stream(),
        });
        emitted.arms.push(dispatch::arm(&positional, op, &gate)?);
        emitted.decoders.extend(dispatch::decode_arm(&positional, op, &gate));
        emitted.listed.push((gate.clone(), op));
        emitted.areas.push(areas::Listed {
            area: op.area.clone(),
            method: op.method.clone(),
            path: op.path.clone(),
            name: format_ident!("{}", op.method_name()),
            builder: syntax::pascal_ident(&op.method_name()),
        });
        emitted.builders.push(areas::gate_items(builder, &gate)?);
        positional.attrs.insert(0, gate);
        emitted.operations.push(positional);
    }
    report.push(("builders", emitted.builders.len()));
    report.push(("paged", emitted.paged));
    report.push(("dispatch", emitted.arms.len()));

    // The webhook events' resources are reached from the `webhooks` area, as if an operation
    // returned them.
    if !webhook_events.is_empty() {
        if !ops.values().any(|o| o.area == events::AREA) {
            return Err(format!("webhook events need an area `{}` to compile under", events::AREA));
        }
        emitted.uses.push(OperationUse {
            operation: "webhook events".into(),
            area: events::AREA.into(),
            request: proc_macro2::TokenStream::new(),
            response: events::resource_tokens(webhook_events),
        });
    }
    report.push(("webhook_events", webhook_events.len()));
    let reach = areas::reach(&type_items, &emitted.uses);
    let (type_items, documented) = types::usage_docs(type_items, &reach.operations, ops);
    report.push(("usage_docs", documented));
    let (type_items, unreached) = areas::gate_types(type_items, &reach);
    let (area_modules, type_items, placed) = areas::modules(&emitted.areas, &reach, type_items);
    report.push(("area_modules", placed));

    let count = emitted.operations.len();
    let mut files = vec![
        ("client.rs".into(), client_file(parts.client)),
        ("operations.rs".into(), operations_file(&emitted.operations)),
        ("builder.rs".into(), builder_file(&emitted.builders, pages, ops)),
        ("types.rs".into(), parse_quote!(#(#type_items)*)),
        ("areas.rs".into(), area_modules),
        (
            "dispatch/generated.rs".into(),
            dispatch::file(&emitted.arms, &emitted.decoders, &emitted.listed, &facts.personal),
        ),
    ];
    if !webhook_events.is_empty() {
        files.push(("events.rs".into(), events::file(webhook_events)));
    }
    Ok(Output {
        files,
        operations: count,
        open_enums,
        areas: ops.values().map(|o| o.area.clone()).collect(),
        unreached,
        passes: report,
    })
}

/// What the per-operation emitters made.
#[derive(Default)]
struct Emitted<'o> {
    operations: Vec<ImplItemFn>,
    builders: Vec<proc_macro2::TokenStream>,
    paged: usize,
    uses: Vec<OperationUse>,
    arms: Vec<proc_macro2::TokenStream>,
    decoders: Vec<proc_macro2::TokenStream>,
    listed: Vec<(syn::Attribute, &'o Operation)>,
    areas: Vec<areas::Listed>,
}

fn check_every_operation_made(
    made: &[(ImplItemFn, &Operation)],
    ops: &BTreeMap<String, Operation>,
) -> Result<(), String> {
    if made.len() == ops.len() {
        return Ok(());
    }
    let made: BTreeSet<String> = made.iter().map(|(_, op)| op.method_name()).collect();
    let missing: Vec<&String> = ops.keys().filter(|k| !made.contains(*k)).collect();
    Err(format!("operations without a generated method: {missing:?}"))
}

/// progenitor's client module, with the `Client` struct documented as what it is to a user of
/// the SDK (progenitor's doc is the spec's title and version).
fn client_file(mut items: Vec<Item>) -> syn::File {
    const DOC: &[&str] = &[
        " The Deel API client: every operation is a method that returns a request builder, and",
        " `send().await` performs the call with the client's credentials, versioning headers,",
        " retries and rate limit.",
        "",
        " Build it with `Client::builder()` or `Client::from_env()` (see `runtime::ClientBuilder`);",
        " clones are cheap and share the connection pool and the rate limiter.",
    ];
    for item in &mut items {
        match item {
            Item::Struct(s) if s.ident == "Client" => {
                s.attrs.retain(|a| !a.path().is_ident("doc"));
                s.attrs.extend(DOC.iter().map(|line| -> syn::Attribute { parse_quote!(#[doc = #line]) }));
            }
            // One way to build a client, the builder: progenitor's constructors would make one
            // without its timeouts, headers, user agent and rate limit.
            Item::Impl(imp) if imp.trait_.is_none() => {
                imp.items.retain(|i| !matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "new"));
                for i in &mut imp.items {
                    if let syn::ImplItem::Fn(f) = i {
                        if f.sig.ident == "new_with_client" {
                            f.vis = parse_quote!(pub(crate));
                            f.attrs.retain(|a| !a.path().is_ident("doc"));
                            f.attrs.push(parse_quote!(#[doc = " The client the builder made (`runtime::ClientBuilder::build`)."]));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    parse_quote!(#(#items)*)
}

fn operations_file(operations: &[ImplItemFn]) -> syn::File {
    parse_quote! {
        use crate::types;
        use progenitor_client::{encode_path, ByteStream};

        impl crate::Client {
            #(#operations)*
        }
    }
}

fn builder_file(
    builders: &[proc_macro2::TokenStream],
    pages: &BTreeMap<String, PageSpec>,
    ops: &BTreeMap<String, Operation>,
) -> syn::File {
    let page_names: Vec<&String> = pages.keys().collect();
    let page_styles: Vec<Ident> = pages.values().map(|p| format_ident!("{}", p.style)).collect();
    let page_gates: Vec<syn::Attribute> =
        pages.keys().map(|name| areas::cfg(ops.get(name).map(|o| &o.area))).collect();
    parse_quote! {
        use crate::types;
        use crate::Client;
        use progenitor_client::ByteStream;

        #(#builders)*

        /// Every paginated operation and how it pages.
        pub const PAGINATED: &[(&str, crate::runtime::pagination::PageStyle)] = &[
            #(#page_gates (#page_names, crate::runtime::pagination::PageStyle::#page_styles)),*
        ];
    }
}

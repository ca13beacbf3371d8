//! Per-area features: which generated items each Deel API area needs.
//!
//! Every operation belongs to one area (its tag). A type is compiled when some enabled area
//! reaches it, following the references between the generated Rust items themselves, so the cfg
//! of a type always covers the cfgs of everything that names it. The same walk tells which types
//! only ever travel in requests: those do not need a `Deserialize` impl, the costliest derive.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, ToTokens};
use syn::{parse_quote, Attribute, Ident, Item};

use super::syntax::remove_derives;

/// What one operation's generated code names: its area, the types in its arguments and the types
/// in its result.
pub struct OperationUse {
    /// The operation's method name.
    pub operation: String,
    pub area: String,
    pub request: TokenStream,
    pub response: TokenStream,
}

/// Where each generated type is needed.
pub struct Reach {
    /// Type name → the areas whose operations reach it.
    pub areas: BTreeMap<String, BTreeSet<String>>,
    /// Types reached from requests only.
    pub request_only: BTreeSet<String>,
    /// Type name → the operations that reach it.
    pub operations: BTreeMap<String, BTreeSet<String>>,
}

/// The type a top-level item of `types.rs` defines or implements, if any.
fn owner(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        // `open_enum!(Name, ...)`
        Item::Macro(m) => m.mac.tokens.clone().into_iter().find_map(|t| match t {
            TokenTree::Ident(i) => Some(i.to_string()),
            _ => None,
        }),
        Item::Impl(imp) => match &*imp.self_ty {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// Every identifier in `tokens` that names one of `names`.
fn named(tokens: TokenStream, names: &BTreeSet<String>, out: &mut BTreeSet<String>) {
    for tree in tokens {
        match tree {
            TokenTree::Ident(i) => {
                let s = i.to_string();
                if names.contains(&s) {
                    out.insert(s);
                }
            }
            TokenTree::Group(g) => named(g.stream(), names, out),
            _ => {}
        }
    }
}

fn closure(roots: BTreeSet<String>, edges: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = roots.into_iter().collect();
    while let Some(t) = todo.pop() {
        if seen.insert(t.clone()) {
            todo.extend(edges.get(&t).into_iter().flatten().filter(|n| !seen.contains(*n)).cloned());
        }
    }
    seen
}

/// Computes which areas reach each type of `types`.
pub fn reach(types: &[Item], ops: &[OperationUse]) -> Reach {
    let names: BTreeSet<String> =
        types.iter().filter(|i| !matches!(i, Item::Impl(_))).filter_map(owner).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in types {
        if let Some(o) = owner(item) {
            let entry = edges.entry(o.clone()).or_default();
            named(item.to_token_stream(), &names, entry);
            entry.remove(&o);
        }
    }
    let mut areas: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut operations: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut requests = BTreeSet::new();
    let mut responses = BTreeSet::new();
    for op in ops {
        let mut req = BTreeSet::new();
        named(op.request.clone(), &names, &mut req);
        let mut resp = BTreeSet::new();
        named(op.response.clone(), &names, &mut resp);
        let req = closure(req, &edges);
        let resp = closure(resp, &edges);
        for t in req.iter().chain(&resp) {
            areas.entry(t.clone()).or_default().insert(op.area.clone());
            operations.entry(t.clone()).or_default().insert(op.operation.clone());
        }
        requests.extend(req);
        responses.extend(resp);
    }
    let request_only = requests.difference(&responses).cloned().collect();
    Reach { areas, request_only, operations }
}

/// `#[cfg(feature = "a")]` or `#[cfg(any(feature = "a", …))]`.
pub fn cfg<'a>(areas: impl IntoIterator<Item = &'a String>) -> Attribute {
    let areas: Vec<&String> = areas.into_iter().collect();
    match areas.as_slice() {
        [one] => parse_quote!(#[cfg(feature = #one)]),
        many => parse_quote!(#[cfg(any(#(feature = #many),*))]),
    }
}

/// Puts each type item behind the features of the areas that reach it; a type that is only ever
/// sent implements `Deserialize` only with the `dispatch` feature. Returns the items and how many
/// types no operation reaches (those are left out).
pub fn gate_types(items: Vec<Item>, reach: &Reach) -> (Vec<Item>, usize) {
    let mut out = Vec::with_capacity(items.len());
    let mut unreached = BTreeSet::new();
    for mut item in items {
        let Some(o) = owner(&item) else {
            out.push(item);
            continue;
        };
        let Some(areas) = reach.areas.get(&o) else {
            unreached.insert(o);
            continue;
        };
        let attr = cfg(areas);
        let send_only = reach.request_only.contains(&o);
        match &mut item {
            Item::Struct(s) => {
                if send_only {
                    drop_deserialize(&mut s.attrs);
                }
                s.attrs.insert(0, attr);
            }
            Item::Enum(e) => {
                if send_only {
                    drop_deserialize(&mut e.attrs);
                }
                e.attrs.insert(0, attr);
            }
            Item::Type(t) => t.attrs.insert(0, attr),
            Item::Macro(m) => {
                // A `lean_de!` Deserialize impl of a type that is only sent: for dispatch only.
                if send_only && (m.mac.path.is_ident("lean_de") || m.mac.path.is_ident("lenient_via_serde")) {
                    m.attrs.insert(0, parse_quote!(#[cfg(feature = "dispatch")]));
                }
                m.attrs.insert(0, attr)
            }
            Item::Impl(i) => i.attrs.insert(0, attr),
            _ => {}
        }
        out.push(item);
    }
    (out, unreached.len())
}

/// Deserialize only with the `dispatch` feature, which reads request bodies from fixtures.
fn drop_deserialize(attrs: &mut Vec<Attribute>) {
    if remove_derives(attrs, &["Deserialize"]) {
        attrs.push(parse_quote!(#[cfg_attr(feature = "dispatch", derive(::serde::Deserialize))]));
    }
}

/// Adds `attr` to every item of a generated token stream (an operation's builder and impls).
pub fn gate_items(tokens: TokenStream, attr: &Attribute) -> Result<TokenStream, String> {
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| format!("builder does not parse: {e}"))?;
    for item in &mut file.items {
        match item {
            Item::Struct(s) => s.attrs.insert(0, attr.clone()),
            Item::Impl(i) => i.attrs.insert(0, attr.clone()),
            Item::Fn(f) => f.attrs.insert(0, attr.clone()),
            Item::Const(c) => c.attrs.insert(0, attr.clone()),
            other => return Err(format!("unexpected item in a builder: {}", other.to_token_stream())),
        }
    }
    Ok(file.into_token_stream())
}

/// The `[features]` entries for the generated crate: `full` and one per area.
pub fn gen_features(areas: &BTreeSet<String>) -> String {
    features(areas, |_| "[]".to_string())
}

/// The `[features]` entries for the facade: `full` and one per area, each forwarded to the
/// generated crate (the facade's own area-specific helpers test its features).
pub fn facade_features(areas: &BTreeSet<String>) -> String {
    features(areas, |a| format!("[\"deel-api-gen/{a}\"]"))
}

fn features(areas: &BTreeSet<String>, enables: impl Fn(&str) -> String) -> String {
    let list: String = areas.iter().map(|a| format!("    \"{a}\",\n")).collect();
    let mut out = format!("full = [\n{list}]\n");
    for a in areas {
        out.push_str(&format!("{a} = {}\n", enables(a)));
    }
    out
}

/// One operation, as its area's module lists it.
pub struct Listed {
    pub area: String,
    pub method: String,
    pub path: String,
    /// The `Client` method.
    pub name: Ident,
    /// The request builder.
    pub builder: Ident,
}

/// The Rust module name of an area (`eor-contract` → `eor_contract`).
pub fn module_name(area: &str) -> Ident {
    let name = area.replace('-', "_");
    syn::parse_str::<Ident>(&name).unwrap_or_else(|_| Ident::new_raw(&name, proc_macro2::Span::call_site()))
}

/// `areas.rs`: a module per area, behind its feature, holding the area's request builders and
/// the types no other area uses (moved there from `types`, with their impls and macro
/// invocations), and listing its operations (method and path) as its docs. Types several areas
/// use stay in `types`, which also re-exports every area type, so `types::X` names any type.
/// Returns the areas file, what stays in `types`, and how many types moved.
pub fn modules(ops: &[Listed], reach: &Reach, types: Vec<Item>) -> (syn::File, Vec<Item>, usize) {
    let mut by_area: BTreeMap<&str, Vec<&Listed>> = BTreeMap::new();
    for op in ops {
        by_area.entry(op.area.as_str()).or_default().push(op);
    }
    let builders: BTreeMap<&str, BTreeSet<String>> = by_area
        .iter()
        .map(|(area, ops)| (*area, ops.iter().map(|o| o.builder.to_string()).collect()))
        .collect();
    // A type one area alone uses lives in that area's module, unless it is named like one of the
    // area's builders (both cannot share the module).
    let home = |ty: &str| -> Option<&str> {
        match reach.areas.get(ty).map(|a| a.iter().collect::<Vec<_>>()).as_deref() {
            Some([only]) if !builders.get(only.as_str()).is_some_and(|b| b.contains(ty)) => {
                Some(only.as_str())
            }
            _ => None,
        }
    };
    let mut kept = Vec::new();
    let mut moved: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for mut item in types {
        let owner_name = owner(&item);
        match owner_name.as_deref().and_then(home) {
            Some(area) => {
                if let Some(name) = defined_name(&item) {
                    names.entry(area.to_string()).or_default().insert(name);
                }
                moved.entry(area.to_string()).or_default().push(item);
            }
            None => {
                crate_visible_defaults(&mut item);
                kept.push(item);
            }
        }
    }
    let placed = names.values().map(BTreeSet::len).sum();
    let mut modules = Vec::new();
    for (area, ops) in by_area {
        let module = module_name(area);
        let gate = cfg([&area.to_string()]);
        let mut docs = vec![
            format!(" The `{area}` area: its request builders and the types only it uses."),
            String::new(),
        ];
        docs.extend(ops.iter().map(|o| {
            format!(" - `{} {}`: [`Client::{}`](crate::Client::{})", o.method, o.path, o.name, o.name)
        }));
        let builder_idents = ops.iter().map(|o| &o.builder);
        let items = moved.remove(area).unwrap_or_default();
        let own = names
            .get(area)
            .map(|n| n.iter().map(|t| Ident::new(t, proc_macro2::Span::call_site())).collect::<Vec<_>>());
        let imports = (!items.is_empty()).then(|| {
            quote! {
                // The area's types are written like those in `types`, which they may name.
                #[allow(unused_imports)]
                use crate::macros::{lean, OpenEnumVisitor};
                #[allow(unused_imports)]
                use crate::types::*;
            }
        });
        if let Some(own) = own.filter(|o| !o.is_empty()) {
            kept.push(parse_quote!(#gate pub use crate::areas::#module::{#(#own),*};));
        }
        modules.push(quote! {
            #gate
            #(#[doc = #docs])*
            pub mod #module {
                #imports
                pub use crate::builder::{#(#builder_idents),*};
                #(#items)*
            }
        });
    }
    (parse_quote!(#(#modules)*), kept, placed)
}

/// The public name an item defines (a struct, enum, alias or `open_enum!`), not an impl's.
fn defined_name(item: &Item) -> Option<String> {
    match item {
        Item::Struct(_) | Item::Enum(_) | Item::Type(_) => owner(item),
        Item::Macro(m) if m.mac.path.is_ident("open_enum") => owner(item),
        _ => None,
    }
}

/// typify's `defaults` functions are `pub(super)`, visible to `types` only; types moved into an
/// area module name them too.
fn crate_visible_defaults(item: &mut Item) {
    let Item::Mod(m) = item else { return };
    if m.ident != "defaults" {
        return;
    }
    for inner in m.content.iter_mut().flat_map(|(_, items)| items.iter_mut()) {
        if let Item::Fn(f) = inner {
            if matches!(f.vis, syn::Visibility::Restricted(_)) {
                f.vis = parse_quote!(pub(crate));
            }
        }
    }
}

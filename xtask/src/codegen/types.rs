//! Passes over the items of progenitor's `mod types`, in the order they run. Each returns the
//! new items and how many it changed; each is tested on a small input below.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{parse_quote, Ident, Item, Type};

use super::facts::{Clearable, WireAliases};
use super::syntax::{
    derives, generic_args, option_inner, remove_derives, serde_metas, serde_rename, type_name, unraw,
};

/// A pass over the generated types.
pub type TypePass = fn(Vec<Item>) -> Result<(Vec<Item>, usize), String>;

/// Every type pass, in order.
pub const PASSES: &[(&str, TypePass)] = &[
    // First: it reads typify's serde attributes, which later passes rewrite.
    ("field_docs", field_docs),
    ("open_enums", open_enums),
    ("lenient_nullable_fields", lenient_nullable_fields),
    // Before lean_serde, which turns `#[serde]` on fields into schemars-only attributes.
    ("schema_derives", schema_derives),
    ("lean_serde", lean_serde),
    // After lean_serde: the types that still derive serde's `Deserialize` are the ones it kept.
    ("lenient_serde_types", lenient_serde_types),
];

/// `wire_aliases`: a field that Deel is known to send under another name (an overlay's
/// `x-deel-wire-aliases`) also reads under that name, through `#[serde(alias)]`, which
/// `lean_serde` turns into an extra match arm. Every alias must land: one whose struct or field
/// is not in progenitor's output is an error naming it, so a learned fact is never dropped.
pub fn wire_aliases(mut items: Vec<Item>, aliases: &WireAliases) -> Result<(Vec<Item>, usize), String> {
    let mut placed = 0;
    let mut wanted: usize = aliases.values().map(|fields| fields.len()).sum();
    for item in &mut items {
        let Item::Struct(s) = item else { continue };
        let Some(fields) = aliases.get(&s.ident.to_string()) else { continue };
        for field in s.fields.iter_mut() {
            let Some(ident) = &field.ident else { continue };
            let wire = serde_rename(&field.attrs).unwrap_or_else(|| unraw(ident));
            let Some(names) = fields.get(&wire) else { continue };
            field.attrs.push(parse_quote!(#[serde(#(alias = #names),*)]));
            placed += 1;
            wanted = wanted.saturating_sub(1);
        }
    }
    if wanted > 0 {
        let missing: Vec<String> = aliases
            .iter()
            .flat_map(|(schema, fields)| fields.keys().map(move |f| format!("{schema}.{f}")))
            .collect();
        return Err(format!(
            "wire_aliases: {wanted} learned wire name(s) found no generated field; expected a struct \
             field for each of {missing:?}"
        ));
    }
    Ok((items, placed))
}

/// `clearable_fields`: in a struct only requests use, a field that is optional and nullable
/// becomes `runtime::Nullable<T>` instead of `Option<T>`, left out when absent and written as
/// `null` when `Nullable::Null` — so that a PATCH can clear a field. Every listed field
/// must land, as with `wire_aliases`.
pub fn clearable_fields(mut items: Vec<Item>, clearable: &Clearable) -> Result<(Vec<Item>, usize), String> {
    type Metas = syn::punctuated::Punctuated<syn::Meta, syn::Token![,]>;
    let mut placed = 0;
    let mut missing: Vec<String> = Vec::new();
    for (schema, fields) in clearable {
        let Some(s) = items.iter_mut().find_map(|i| match i {
            Item::Struct(s) if s.ident == schema.as_str() => Some(s),
            _ => None,
        }) else {
            missing.extend(fields.iter().map(|f| format!("{schema}.{f}")));
            continue;
        };
        for wanted in fields {
            let field = s.fields.iter_mut().find(|f| {
                f.ident
                    .as_ref()
                    .is_some_and(|i| serde_rename(&f.attrs).unwrap_or_else(|| unraw(i)) == *wanted)
            });
            let Some((field, inner)) = field.and_then(|f| option_inner(&f.ty).map(|t| (f, t))) else {
                missing.push(format!("{schema}.{wanted}"));
                continue;
            };
            field.ty = parse_quote!(crate::runtime::Nullable<#inner>);
            // typify's `default` and `skip_serializing_if` are about `Option`; the rest (a wire
            // name) stays.
            field.attrs.retain_mut(|a| {
                if !a.path().is_ident("serde") {
                    return true;
                }
                let Ok(metas) = a.parse_args_with(Metas::parse_terminated) else { return true };
                let kept: Vec<&syn::Meta> = metas
                    .iter()
                    .filter(|m| !m.path().is_ident("default") && !m.path().is_ident("skip_serializing_if"))
                    .collect();
                *a = parse_quote!(#[serde(#(#kept),*)]);
                !kept.is_empty()
            });
            field.attrs.push(parse_quote!(
                #[serde(default, skip_serializing_if = "crate::runtime::Nullable::is_absent")]
            ));
            placed += 1;
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "clearable_fields: {} optional nullable request field(s) are not an `Option` field of a \
             generated struct: {missing:?}",
            missing.len()
        ));
    }
    Ok((items, placed))
}

/// `one_or_many_fields`: a field Deel sends as one object in some answers and a list in others
/// (`x-deel-one-or-many`, from an overlay; the document declares it an array) becomes
/// `runtime::OneOrMany<T>` instead of `Vec<T>`, which reads both. Every listed field must land.
pub fn one_or_many_fields(mut items: Vec<Item>, fields: &Clearable) -> Result<(Vec<Item>, usize), String> {
    let mut placed = 0;
    let mut missing: Vec<String> = Vec::new();
    for (schema, wanted) in fields {
        let found = items.iter_mut().find_map(|i| match i {
            Item::Struct(s) if s.ident == schema.as_str() => Some(s),
            _ => None,
        });
        let Some(s) = found else {
            missing.extend(wanted.iter().map(|f| format!("{schema}.{f}")));
            continue;
        };
        for wire in wanted {
            let field = s.fields.iter_mut().find(|f| {
                f.ident.as_ref().is_some_and(|i| serde_rename(&f.attrs).unwrap_or_else(|| unraw(i)) == *wire)
            });
            let Some(field) = field else {
                missing.push(format!("{schema}.{wire}"));
                continue;
            };
            let (optional, list) = match option_inner(&field.ty) {
                Some(inner) => (true, inner),
                None => (false, field.ty.clone()),
            };
            let item = match (type_name(&list), generic_args(&list)) {
                (Some(name), Some(args)) if name == "Vec" && args.len() == 1 => args[0].clone(),
                _ => {
                    missing.push(format!("{schema}.{wire} (not a list)"));
                    continue;
                }
            };
            field.ty = if optional {
                parse_quote!(::std::option::Option<crate::runtime::OneOrMany<#item>>)
            } else {
                parse_quote!(crate::runtime::OneOrMany<#item>)
            };
            placed += 1;
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "one_or_many_fields: {} field(s) marked x-deel-one-or-many are not a list field of a \
             generated struct: {missing:?}",
            missing.len()
        ));
    }
    Ok((items, placed))
}

/// `enveloped_responses`: a response Deel may send as its envelope's value alone
/// (`x-deel-envelope: data`, from an overlay) reads either shape, through `enveloped_de!` in place
/// of its `lean_de!`. The struct must hold only that field.
pub fn enveloped_responses(
    mut items: Vec<Item>,
    envelopes: &std::collections::BTreeMap<String, String>,
) -> Result<(Vec<Item>, usize), String> {
    let mut placed = 0;
    for (schema, key) in envelopes {
        let field = items.iter().find_map(|i| match i {
            Item::Struct(s) if s.ident == schema.as_str() => match &s.fields {
                syn::Fields::Named(named) if named.named.len() == 1 => named.named.first().cloned(),
                _ => None,
            },
            _ => None,
        });
        let field = field.filter(|f| {
            f.ident.as_ref().is_some_and(|i| serde_rename(&f.attrs).unwrap_or_else(|| unraw(i)) == *key)
        });
        let Some(field) = field else {
            return Err(format!(
                "enveloped_responses: `{schema}` is not a struct whose one field is `{key}`"
            ));
        };
        let (ident, ty, name) = (field.ident, field.ty, format_ident!("{}", schema));
        let de = items.iter_mut().find(|i| {
            matches!(i, Item::Macro(m) if m.mac.path.is_ident("lean_de")
                && m.mac.tokens.clone().into_iter().next().is_some_and(|t| t.to_string() == *schema))
        });
        let Some(de) = de else {
            return Err(format!("enveloped_responses: `{schema}` has no `lean_de!` to replace"));
        };
        *de = parse_quote!(enveloped_de!(#name { #ident: #ty = #key }););
        placed += 1;
    }
    Ok((items, placed))
}

/// Every field of a generated struct gets a doc line from facts: its JSON name, its JSON type
/// (with the format where the Rust type tells it) and whether Deel may leave it out or send
/// `null`.
pub fn field_docs(mut items: Vec<Item>) -> Result<(Vec<Item>, usize), String> {
    let mut count = 0;
    for item in &mut items {
        let Item::Struct(s) = item else { continue };
        let syn::Fields::Named(named) = &mut s.fields else { continue };
        for field in named.named.iter_mut() {
            let Some(ident) = &field.ident else { continue };
            let wire = serde_rename(&field.attrs).unwrap_or_else(|| unraw(ident));
            let presence = presence(field);
            let also: String =
                serde_aliases(&field.attrs).iter().map(|a| format!("; also read as `{a}`")).collect();
            let doc = format!(" `{wire}`: {}; {presence}{also}.", json_type(&field.ty));
            field.attrs.insert(0, parse_quote!(#[doc = #doc]));
            count += 1;
        }
    }
    Ok((items, count))
}

/// The other wire names a field reads under (`#[serde(alias = "…")]`).
fn serde_aliases(attrs: &[syn::Attribute]) -> Vec<String> {
    serde_metas(attrs)
        .into_iter()
        .filter_map(|m| match m {
            syn::Meta::NameValue(nv) if nv.path.is_ident("alias") => match nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Whether a field may be absent or `null`, from its type and typify's serde attributes.
fn presence(field: &syn::Field) -> &'static str {
    let metas = serde_metas(&field.attrs);
    let insists = metas.iter().any(|m| match m {
        syn::Meta::NameValue(nv) if nv.path.is_ident("deserialize_with") => matches!(
            &nv.value,
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) if s.value() == REQUIRED_NULLABLE
        ),
        _ => false,
    });
    let defaulted = metas.iter().any(|m| m.path().is_ident("default"));
    if type_name(&field.ty).is_some_and(|t| t == "Nullable") {
        return "optional, may be null (`Nullable::Null` sends `null`, which clears it)";
    }
    match (option_inner(&field.ty).is_some(), insists, defaulted) {
        (true, true, _) => "required, may be null",
        (true, false, _) => "optional, may be null",
        (false, _, true) => "optional, a default when absent",
        (false, _, false) => "required",
    }
}

/// The JSON type a Rust field type reads, linking generated types.
fn json_type(ty: &Type) -> String {
    let Some(name) = type_name(ty) else { return "a JSON value".into() };
    let first_arg = || generic_args(ty).and_then(|a| a.into_iter().next());
    match name.to_string().as_str() {
        "Option" | "Box" | "Nullable" => first_arg().map_or_else(|| "a JSON value".into(), |t| json_type(&t)),
        "Vec" => first_arg().map_or_else(|| "array".into(), |t| format!("array of {}", json_type(&t))),
        "OneOrMany" => first_arg().map_or_else(
            || "array".into(),
            |t| format!("array of {item}, or one {item} alone", item = json_type(&t)),
        ),
        "String" => "string".into(),
        "bool" => "boolean".into(),
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "NonZeroU64" => "integer".into(),
        "f32" | "f64" => "number".into(),
        "DateTime" => "string (date-time)".into(),
        "NaiveDate" => "string (date)".into(),
        "Map" | "HashMap" | "BTreeMap" => "object".into(),
        "Value" => "any JSON value".into(),
        other => format!("[`{other}`]"),
    }
}

/// Adds to each struct's docs the operations whose requests or responses use it (the first
/// three, by method and path, and how many more).
pub fn usage_docs(
    mut items: Vec<Item>,
    users: &std::collections::BTreeMap<String, BTreeSet<String>>,
    ops: &std::collections::BTreeMap<String, super::facts::Operation>,
) -> (Vec<Item>, usize) {
    let mut count = 0;
    for item in &mut items {
        let (ident, attrs) = match item {
            Item::Struct(s) => (s.ident.to_string(), &mut s.attrs),
            Item::Type(t) => (t.ident.to_string(), &mut t.attrs),
            _ => continue,
        };
        let Some(names) = users.get(&ident) else { continue };
        let mut lines = vec![String::new(), " Used by:".to_string()];
        for name in names.iter().take(3) {
            if let Some(op) = ops.get(name) {
                lines.push(format!(" - `{name}` (`{} {}`)", op.method, op.path));
            }
        }
        if names.len() > 3 {
            lines.push(format!(" - and {} more operations", names.len() - 3));
        }
        // After the existing doc lines, before the derives.
        let at = attrs.iter().take_while(|a| a.path().is_ident("doc")).count();
        for (i, line) in lines.into_iter().enumerate() {
            attrs.insert(at + i, parse_quote!(#[doc = #line]));
        }
        count += 1;
    }
    (items, count)
}

/// Replaces typify's closed string enums with `open_enum!` invocations (an `Unknown(String)`
/// case keeps values Deel adds later), and drops typify's conversions for them, which the macro
/// provides.
pub fn open_enums(items: Vec<Item>) -> Result<(Vec<Item>, usize), String> {
    let mut opened: BTreeSet<Ident> = BTreeSet::new();
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
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
                opened.insert(name.clone());
                out.push(parse_quote! {
                    open_enum!(#name, #unknown { #(#variants = #wires),* });
                });
            }
            other => out.push(other),
        }
    }
    let mut converted: BTreeSet<Ident> = BTreeSet::new();
    out.retain(|item| {
        let Item::Impl(imp) = item else { return true };
        let Some(self_ty) = type_name(&imp.self_ty).filter(|t| opened.contains(t)) else { return true };
        let Some((_, path, _)) = &imp.trait_ else { return true };
        let replaced = path
            .segments
            .last()
            .is_some_and(|s| ["Display", "FromStr", "TryFrom"].iter().any(|t| s.ident == t));
        if replaced {
            converted.insert(self_ty);
        }
        !replaced
    });
    // typify writes `Display` and `FromStr` for every string enum; without them to replace, its
    // output has changed shape and the macro's impls would be the only ones by accident.
    if let Some(missing) = opened.difference(&converted).next() {
        return Err(format!(
            "open_enums: expected typify's `Display`/`FromStr` impls for string enum `{missing}`"
        ));
    }
    let count = opened.len();
    Ok((out, count))
}

fn is_string_enum(e: &syn::ItemEnum) -> bool {
    derives(&e.attrs, "Deserialize")
        && !e.attrs.iter().any(|a| a.path().is_ident("serde"))
        && !e.variants.is_empty()
        && e.variants.iter().all(|v| matches!(v.fields, syn::Fields::Unit))
}

/// The function typify names to make a required-but-nullable field insist on being present.
const REQUIRED_NULLABLE: &str = "::std::option::Option::deserialize";

/// typify insists that a required-but-nullable field be present, even as `null`. Deel omits such
/// fields at times; a missing one now reads as `None` instead of failing the whole response.
/// (Serialization is unchanged: `None` is still sent as `null`.)
pub fn lenient_nullable_fields(mut items: Vec<Item>) -> Result<(Vec<Item>, usize), String> {
    type Metas = syn::punctuated::Punctuated<syn::Meta, syn::Token![,]>;
    let insists = |m: &syn::Meta| match m {
        syn::Meta::NameValue(nv) if nv.path.is_ident("deserialize_with") => matches!(
            &nv.value,
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) if s.value() == REQUIRED_NULLABLE
        ),
        _ => false,
    };
    let mut count = 0;
    for item in &mut items {
        let Item::Struct(s) = item else { continue };
        for field in s.fields.iter_mut() {
            // Only `deserialize_with` goes: the same attribute may carry the field's wire name.
            field.attrs.retain_mut(|a| {
                if !a.path().is_ident("serde") {
                    return true;
                }
                let Ok(metas) = a.parse_args_with(Metas::parse_terminated) else { return true };
                let kept: Vec<&syn::Meta> = metas.iter().filter(|m| !insists(m)).collect();
                if kept.len() == metas.len() {
                    return true;
                }
                count += 1;
                *a = parse_quote!(#[serde(#(#kept),*)]);
                !kept.is_empty()
            });
        }
    }
    Ok((items, count))
}

/// With the `schemars` feature, every generated type describes itself as a JSON Schema (open enums
/// implement it in their macro), so fixtures and user data can be checked against Deel's shapes.
pub fn schema_derives(mut items: Vec<Item>) -> Result<(Vec<Item>, usize), String> {
    let attr: syn::Attribute =
        parse_quote!(#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]);
    let mut count = 0;
    for item in &mut items {
        let attrs = match item {
            Item::Struct(s) => &mut s.attrs,
            Item::Enum(e) => &mut e.attrs,
            _ => continue,
        };
        attrs.push(attr.clone());
        count += 1;
    }
    Ok((items, count))
}

/// Replaces serde's derives on plain structs with `lean_de!` and `lean_ser!` invocations (see
/// `deel-api-gen/src/macros.rs`): the derives were most of the crate's compile time and memory.
/// Structs with serde attributes the macro does not model keep the derive.
pub fn lean_serde(items: Vec<Item>) -> Result<(Vec<Item>, usize), String> {
    let mut out = Vec::with_capacity(items.len());
    let mut count = 0;
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
        count += 1;
        out.push(item);
        out.push(parse_quote!(lean_de!(#name { #(#fields),* });));
        out.push(parse_quote!(lean_ser!(#name { #(#ser),* });));
    }
    Ok((out, count))
}

/// The `lean_de!` field list of a struct that derives `Deserialize` with only the serde
/// attributes the macro models (`rename`, `default`, `default = "…"`, `skip_serializing_if`);
/// `None` for any other struct.
fn lean_fields(s: &syn::ItemStruct) -> Option<(Vec<TokenStream>, Vec<TokenStream>)> {
    type Metas = syn::punctuated::Punctuated<syn::Meta, syn::Token![,]>;
    let container_serde = s.attrs.iter().any(|a| a.path().is_ident("serde"));
    let syn::Fields::Named(named) = &s.fields else { return None };
    if !derives(&s.attrs, "Deserialize") || container_serde {
        return None;
    }
    let text = |v: &syn::Expr| match v {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
        _ => None,
    };
    let (mut fields, mut ser) = (Vec::new(), Vec::new());
    for field in &named.named {
        let ident = field.ident.clone()?;
        let mut wire = unraw(&ident);
        let mut missing = if option_inner(&field.ty).is_some() { quote!(opt) } else { quote!(req) };
        let mut skip = quote!(always);
        let mut aliases = Vec::new();
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            for meta in attr.parse_args_with(Metas::parse_terminated).ok()? {
                match &meta {
                    syn::Meta::NameValue(nv) if nv.path.is_ident("rename") => wire = text(&nv.value)?,
                    syn::Meta::NameValue(nv) if nv.path.is_ident("alias") => aliases.push(text(&nv.value)?),
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
        fields.push(quote!(#ident: #ty = #wire #(| #aliases)* => #missing));
        ser.push(quote!(#ident = #wire => #skip));
    }
    Some((fields, ser))
}

/// Types that keep serde's derive (untagged unions, newtypes) read fields leniently through
/// `lenient_via_serde!`: nullable, otherwise strict (see the macro). Their zero value, for a
/// required field Deel leaves out: `Default` where derived, the empty object for a newtype around
/// one, else the first alternative (or the newtype's one field) whose type has a zero — a union
/// of a string and a number reads an absent id as `""`, recorded, instead of failing the whole
/// response.
pub fn lenient_serde_types(items: Vec<Item>) -> Result<(Vec<Item>, usize), String> {
    let mut out = Vec::with_capacity(items.len());
    let mut count = 0;
    for item in items {
        let (name, zero) = match &item {
            Item::Struct(s) if derives(&s.attrs, "Deserialize") => {
                let zero = if derives(&s.attrs, "Default") {
                    Some(quote!(default))
                } else if is_transparent_map(s) {
                    Some(quote!(map))
                } else {
                    match &s.fields {
                        syn::Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                            let ty = &f.unnamed[0].ty;
                            Some(quote!(newtype(#ty)))
                        }
                        _ => None,
                    }
                };
                (s.ident.clone(), zero)
            }
            Item::Enum(e) if derives(&e.attrs, "Deserialize") => {
                let zero = if derives(&e.attrs, "Default") {
                    Some(quote!(default))
                } else {
                    let alternatives: Option<Vec<TokenStream>> = e
                        .variants
                        .iter()
                        .map(|v| match &v.fields {
                            syn::Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                                let (ident, ty) = (&v.ident, &f.unnamed[0].ty);
                                Some(quote!(#ident(#ty)))
                            }
                            _ => None,
                        })
                        .collect();
                    alternatives.filter(|a| !a.is_empty()).map(|a| quote!(first_zero { #(#a),* }))
                };
                (e.ident.clone(), zero)
            }
            _ => {
                out.push(item);
                continue;
            }
        };
        count += 1;
        out.push(item);
        match zero {
            Some(zero) => out.push(parse_quote!(lenient_via_serde!(#name, #zero);)),
            None => out.push(parse_quote!(lenient_via_serde!(#name);)),
        }
    }
    Ok((out, count))
}

/// A newtype around a JSON object (`struct X(Map<String, Value>)`): its zero value is the empty
/// object.
fn is_transparent_map(s: &syn::ItemStruct) -> bool {
    let syn::Fields::Unnamed(fields) = &s.fields else { return false };
    let [only] = fields.unnamed.iter().collect::<Vec<_>>()[..] else { return false };
    type_name(&only.ty).is_some_and(|t| t == "Map") && matches!(only.ty, Type::Path(_))
}

/// Where the runtime keeps the field names whose values are secrets; codegen reads the list
/// from there, so that error bodies, fixtures and `Debug` redact the same fields.
const SECRET_FIELDS_SOURCE: &str = "deel-api-gen/src/runtime/secrets.rs";

/// The string literals of `const SECRET_FIELDS: &[&str] = &[...]` in the runtime's source.
pub fn secret_fields() -> Result<Vec<String>, String> {
    let path = crate::workspace::workspace_root().join(SECRET_FIELDS_SOURCE);
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

/// `redacted_fields`: a struct with a secret-named field (a worker session's `token`, a webhook's
/// `signing_key`) or a field of personal data (`x-deel-personal`: a tax id, an IBAN, a date of
/// birth, …) gets a `Debug` that prints `<redacted>` for it, through `redacted_debug!`, instead of
/// the derived one: values end up in logs through `{:?}`. Nested types redact their own fields,
/// so a value is hidden at any depth; fields and `Serialize` still give it whole.
pub fn redacted_fields(items: Vec<Item>, personal: &Clearable) -> Result<(Vec<Item>, usize), String> {
    redact_fields(items, &secret_fields()?, personal)
}

fn redact_fields(
    items: Vec<Item>,
    secrets: &[String],
    personal: &Clearable,
) -> Result<(Vec<Item>, usize), String> {
    let mut out = Vec::with_capacity(items.len());
    let mut count = 0;
    for mut item in items {
        let Item::Struct(s) = &mut item else {
            out.push(item);
            continue;
        };
        let syn::Fields::Named(named) = &s.fields else {
            out.push(item);
            continue;
        };
        let personal = personal.get(&s.ident.to_string());
        let fields: Vec<(Ident, bool)> = named
            .named
            .iter()
            .filter_map(|f| f.ident.clone())
            .map(|i| {
                let name = unraw(&i);
                let secret = secrets.contains(&name);
                // Fields are named after their wire names in snake case.
                let private = personal
                    .is_some_and(|p| p.iter().any(|wire| *wire == name || super::facts::snake(wire) == name));
                (i, secret || private)
            })
            .collect();
        if !fields.iter().any(|(_, secret)| *secret) || !remove_derives(&mut s.attrs, &["Debug"]) {
            out.push(item);
            continue;
        }
        let name = s.ident.clone();
        let list =
            fields.iter().map(|(i, secret)| if *secret { quote!(#i => hide) } else { quote!(#i => show) });
        count += 1;
        out.push(item);
        out.push(parse_quote!(redacted_debug!(#name { #(#list),* });));
    }
    Ok((out, count))
}

#[cfg(test)]
mod tests {
    /// `s` without whitespace or trailing commas, to compare generated code whatever its line
    /// breaks.
    fn tight(s: &str) -> String {
        let squashed: String = s.split_whitespace().collect();
        squashed.replace(",)", ")").replace(",}", "}").replace(",>", ">")
    }

    use super::*;

    fn items(file: syn::File) -> Vec<Item> {
        file.items
    }

    /// The items' text with whitespace squashed, for assertions on shape.
    fn text(items: &[Item]) -> String {
        let file = syn::File { shebang: None, attrs: Vec::new(), items: items.to_vec() };
        tight(&prettyplease::unparse(&file))
    }

    fn string_enum() -> syn::File {
        parse_quote! {
            #[derive(Clone, Debug, Deserialize, Serialize)]
            pub enum Status {
                #[serde(rename = "active")]
                Active,
                #[serde(rename = "unknown")]
                Unknown,
            }
            impl ::std::fmt::Display for Status { fn fmt(&self, f: &mut Formatter) -> Result { todo!() } }
            impl ::std::str::FromStr for Status { type Err = (); fn from_str(s: &str) -> Result<Self, ()> { todo!() } }
            impl ::std::convert::TryFrom<&str> for Status { type Error = (); fn try_from(s: &str) -> Result<Self, ()> { todo!() } }
            impl Status { pub fn kept(&self) {} }
        }
    }

    #[test]
    fn string_enums_become_open_and_lose_typifys_conversions() {
        let (out, n) = open_enums(items(string_enum())).expect("opens");
        assert_eq!(n, 1);
        let t = text(&out);
        assert!(
            t.contains(&tight(
                "open_enum!(Status, UnknownValue { Active = \"active\", Unknown = \"unknown\" });"
            )),
            "{t}"
        );
        assert!(
            !t.contains(&tight("Display"))
                && !t.contains(&tight("FromStr"))
                && !t.contains(&tight("TryFrom")),
            "{t}"
        );
        assert!(t.contains(&tight("pub fn kept")), "inherent impls stay: {t}");
    }

    #[test]
    fn a_string_enum_without_typifys_impls_is_an_error() {
        let mut file = string_enum();
        file.items.retain(|i| !matches!(i, Item::Impl(imp) if imp.trait_.is_some()));
        let err = open_enums(items(file)).err().unwrap_or_default();
        assert!(err.contains("`Status`"), "{err}");
    }

    #[test]
    fn only_the_insisting_deserializer_is_removed() {
        let file: syn::File = parse_quote! {
            pub struct Thing {
                #[serde(rename = "a-b", deserialize_with = "::std::option::Option::deserialize")]
                pub a_b: Option<String>,
                #[serde(deserialize_with = "::std::option::Option::deserialize")]
                pub c: Option<String>,
                #[serde(deserialize_with = "other")]
                pub d: Option<String>,
            }
        };
        let (out, n) = lenient_nullable_fields(items(file)).expect("passes");
        assert_eq!(n, 2);
        let t = text(&out);
        assert!(t.contains(&tight("#[serde(rename = \"a-b\")] pub a_b")), "{t}");
        assert!(t.contains(&tight("pub c: Option<String>")) && !t.contains(&tight("#[serde()]")), "{t}");
        assert!(t.contains(&tight("deserialize_with = \"other\"")), "{t}");
    }

    #[test]
    fn every_type_derives_json_schema_behind_the_feature() {
        let file: syn::File = parse_quote! { pub struct A; pub enum B { X } pub type C = A; };
        let (out, n) = schema_derives(items(file)).expect("passes");
        assert_eq!(n, 2);
        assert_eq!(
            text(&out)
                .matches(&tight("cfg_attr(feature = \"schemars\", derive(::schemars::JsonSchema))"))
                .count(),
            2
        );
    }

    #[test]
    fn a_learned_wire_name_becomes_an_extra_match_arm_and_a_doc_note() {
        let file: syn::File = parse_quote! {
            #[derive(Debug, Deserialize, Serialize)]
            pub struct Created { pub made_items: Vec<String>, pub id: String }
        };
        let aliases: WireAliases =
            [("Created".to_string(), [("made_items".to_string(), vec!["madeItems".to_string()])].into())]
                .into();
        let (out, n) = wire_aliases(items(file), &aliases).expect("placed");
        assert_eq!(n, 1);
        let (out, _) = field_docs(out).expect("documented");
        let (out, _) = lean_serde(out).expect("lean");
        let t = tight(&quote!(#(#out)*).to_string());
        assert!(t.contains(&tight("= \"made_items\" | \"madeItems\" => req")), "{t}");
        assert!(t.contains(&tight("= \"id\" => req")), "{t}");
        assert!(t.contains("alsoreadas`madeItems`"), "{t}");
        // Serialization keeps the spec's name.
        assert!(t.contains(&tight("made_items = \"made_items\" => always")), "{t}");
    }

    #[test]
    fn a_learned_wire_name_that_finds_no_field_is_an_error_naming_it() {
        let file: syn::File = parse_quote! {
            #[derive(Debug, Deserialize, Serialize)]
            pub struct Created { pub id: String }
        };
        let aliases: WireAliases =
            [("Created".to_string(), [("gone".to_string(), vec!["Gone".to_string()])].into())].into();
        let err = wire_aliases(items(file), &aliases).err().unwrap_or_default();
        assert!(err.contains("Created.gone"), "{err}");
    }

    #[test]
    fn plain_structs_use_the_lean_macros_and_others_keep_the_derive() {
        let file: syn::File = parse_quote! {
            #[derive(Debug, Deserialize, Serialize)]
            pub struct Plain {
                #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
                pub type_: Option<String>,
                pub id: String,
            }
            #[derive(Debug, Deserialize, Serialize)]
            #[serde(untagged)]
            pub struct Tagged { pub id: String }
            #[derive(Debug, Deserialize, Serialize)]
            pub struct Flattened { #[serde(flatten)] pub rest: Map<String, Value> }
        };
        let (out, n) = lean_serde(items(file)).expect("passes");
        assert_eq!(n, 1);
        let t = text(&out);
        assert!(t.contains(&tight("#[derive(Debug)] pub struct Plain")), "{t}");
        assert!(t.contains(&tight("lean_de!(Plain { type_ : Option < String > = \"type\" => default, id : String = \"id\" => req });"))
            || t.contains(&tight("lean_de!(Plain { type_: Option<String> = \"type\" => default, id: String = \"id\" => req });")), "{t}");
        assert!(t.contains(&tight("lean_ser!(Plain {")), "{t}");
        assert!(t.contains(&tight("#[cfg_attr(feature = \"schemars\", serde(rename = \"type\"")), "{t}");
        assert_eq!(t.matches("lean_de!").count(), 1, "{t}");
    }

    #[test]
    fn types_keeping_serde_read_leniently_with_their_zero() {
        let file: syn::File = parse_quote! {
            #[derive(Deserialize, Default)] pub struct WithDefault { pub a: i64 }
            #[derive(Deserialize)] #[serde(transparent)] pub struct Object(pub Map<String, Value>);
            #[derive(Deserialize)] #[serde(untagged)] pub enum Either { A(i64), B(String) }
            #[derive(Deserialize)] #[serde(untagged)] pub enum Shapes { Unit, B(String) }
            #[derive(Deserialize)] pub struct Code(pub String);
            #[derive(Debug)] pub struct NotSerde;
        };
        let (out, n) = lenient_serde_types(items(file)).expect("passes");
        assert_eq!(n, 5);
        let t = text(&out);
        assert!(t.contains(&tight("lenient_via_serde!(WithDefault, default);")), "{t}");
        assert!(t.contains(&tight("lenient_via_serde!(Object, map);")), "{t}");
        assert!(t.contains(&tight("lenient_via_serde!(Either, first_zero { A(i64), B(String) });")), "{t}");
        assert!(t.contains(&tight("lenient_via_serde!(Code, newtype(String));")), "{t}");
        assert!(t.contains(&tight("lenient_via_serde!(Shapes);")), "a unit alternative: no zero known: {t}");
        assert!(!t.contains(&tight("lenient_via_serde!(NotSerde")), "{t}");
    }

    #[test]
    fn structs_with_secret_fields_get_a_redacting_debug() {
        let file: syn::File = parse_quote! {
            #[derive(Clone, Debug)] pub struct Session { pub token: String, pub id: String }
            #[derive(Clone, Debug)] pub struct Plain { pub id: String }
        };
        let (out, n) = redact_fields(items(file), &["token".into()], &Clearable::new()).expect("passes");
        assert_eq!(n, 1);
        let t = text(&out);
        assert!(t.contains(&tight("#[derive(Clone)] pub struct Session")), "{t}");
        assert!(t.contains(&tight("redacted_debug!(Session { token => hide, id => show });")), "{t}");
        assert!(t.contains(&tight("#[derive(Clone, Debug)] pub struct Plain")), "{t}");
    }

    #[test]
    fn every_field_is_documented_from_facts() {
        let file: syn::File = parse_quote! {
            pub struct Thing {
                #[serde(rename = "type")]
                pub type_: String,
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub created_at: Option<::chrono::DateTime<::chrono::offset::Utc>>,
                #[serde(deserialize_with = "::std::option::Option::deserialize")]
                pub owner: Option<Person>,
                #[serde(default)]
                pub tags: Vec<String>,
                pub total: i64,
            }
        };
        let (out, n) = field_docs(items(file)).expect("documents");
        assert_eq!(n, 5);
        let t = text(&out);
        for line in [
            "/// `type`: string; required.",
            "/// `created_at`: string (date-time); optional, may be null.",
            "/// `owner`: [`Person`]; required, may be null.",
            "/// `tags`: array of string; optional, a default when absent.",
            "/// `total`: integer; required.",
        ] {
            assert!(t.contains(&tight(line)), "{line} in {t}");
        }
    }

    #[test]
    fn structs_name_the_operations_that_use_them() {
        let file: syn::File = parse_quote! {
            /// `Thing`
            #[derive(Debug)]
            pub struct Thing { pub id: String }
            pub struct Unused;
        };
        let op = |name: &str| super::super::facts::Operation {
            method: "GET".into(),
            path: format!("/rest/v2/{name}"),
            ..Default::default()
        };
        let ops = std::collections::BTreeMap::from(["a", "b", "c", "d"].map(|n| (n.to_string(), op(n))));
        let users = std::collections::BTreeMap::from([(
            "Thing".to_string(),
            ["a", "b", "c", "d"].iter().map(|n| n.to_string()).collect::<BTreeSet<_>>(),
        )]);
        let (out, n) = usage_docs(items(file), &users, &ops);
        assert_eq!(n, 1);
        let t = text(&out);
        assert!(t.contains(&tight("/// `Thing` /// /// Used by: /// - `a` (`GET /rest/v2/a`)")), "{t}");
        assert!(
            t.contains(&tight(
                "/// - `c` (`GET /rest/v2/c`) /// - and 1 more operations #[derive(Debug)] pub struct Thing"
            )),
            "{t}"
        );
        assert!(!t.contains(&tight("Used by: /// - `a` (`GET /rest/v2/a`) /// - `b` (`GET /rest/v2/b`) /// - `c` (`GET /rest/v2/c`) /// - `d`")), "{t}");
    }

    #[test]
    fn optional_nullable_request_fields_get_three_states_and_the_rest_keep_option() {
        let file: syn::File = parse_quote! {
            #[derive(Clone, Debug, Deserialize, Serialize)]
            pub struct UpdateThing {
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub end_date: ::std::option::Option<::chrono::naive::NaiveDate>,
                #[serde(rename = "hourlyRate", default, skip_serializing_if = "::std::option::Option::is_none")]
                pub hourly_rate: ::std::option::Option<f64>,
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub title: ::std::option::Option<::std::string::String>,
            }
        };
        let clearable: Clearable =
            [("UpdateThing".to_string(), ["end_date", "hourlyRate"].map(String::from).into())].into();
        let (out, n) = clearable_fields(items(file), &clearable).expect("every field lands");
        assert_eq!(n, 2);
        let t = text(&out);
        assert!(t.contains(&tight(r#"#[serde(default, skip_serializing_if = "crate::runtime::Nullable::is_absent")] pub end_date: crate::runtime::Nullable<::chrono::naive::NaiveDate>"#)), "{t}");
        assert!(t.contains(&tight(r#"#[serde(rename = "hourlyRate")] #[serde(default, skip_serializing_if = "crate::runtime::Nullable::is_absent")] pub hourly_rate: crate::runtime::Nullable<f64>"#)), "{t}");
        assert!(t.contains(&tight("pub title: ::std::option::Option<::std::string::String>")), "{t}");
        // lean_serde reads the new attributes: absent is the default, and is left out.
        let (lean, _) = lean_serde(out).expect("lean");
        let t = text(&lean);
        assert!(
            t.contains(&tight(
                r#"end_date: crate::runtime::Nullable<::chrono::naive::NaiveDate> = "end_date" => default"#
            )),
            "{t}"
        );
        assert!(
            t.contains(&tight(r#"end_date = "end_date" => (unless crate::runtime::Nullable::is_absent)"#)),
            "{t}"
        );

        let missing: Clearable = [("UpdateThing".to_string(), ["nope".to_string()].into())].into();
        let err = clearable_fields(
            items(parse_quote!(
                pub struct UpdateThing {
                    pub a: u8,
                }
            )),
            &missing,
        );
        assert!(err.err().unwrap_or_default().contains("UpdateThing.nope"));
    }

    #[test]
    fn a_field_sent_as_one_or_many_reads_both_and_an_envelope_may_be_left_out() {
        let file: syn::File = parse_quote! {
            #[derive(Clone, Debug, Deserialize, Serialize)]
            pub struct ChildResponse { pub data: ::std::vec::Vec<Child>, pub notes: ::std::option::Option<::std::vec::Vec<String>> }
            #[derive(Clone, Debug, Deserialize, Serialize)]
            pub struct ShiftResponse { pub data: Shift }
        };
        let many: Clearable =
            [("ChildResponse".to_string(), ["data", "notes"].map(String::from).into())].into();
        let (out, n) = one_or_many_fields(items(file), &many).expect("lands");
        assert_eq!(n, 2);
        let t = text(&out);
        assert!(t.contains(&tight("pub data: crate::runtime::OneOrMany<Child>")), "{t}");
        assert!(
            t.contains(&tight("pub notes: ::std::option::Option<crate::runtime::OneOrMany<String>>")),
            "{t}"
        );
        let (lean, _) = lean_serde(out).expect("lean");
        let envelopes = [("ShiftResponse".to_string(), "data".to_string())].into();
        let (out, n) = enveloped_responses(lean, &envelopes).expect("replaces");
        assert_eq!(n, 1);
        let t = text(&out);
        assert!(t.contains(&tight(r#"enveloped_de!(ShiftResponse { data: Shift = "data" });"#)), "{t}");
        assert!(!t.contains("lean_de!(ShiftResponse"), "{t}");
        assert!(t.contains("lean_de!(ChildResponse"), "{t}");

        let not_a_list: Clearable = [("ShiftResponse".to_string(), ["data".to_string()].into())].into();
        let err = one_or_many_fields(out.clone(), &not_a_list).err().unwrap_or_default();
        assert!(err.contains("ShiftResponse.data (not a list)"), "{err}");
        let wrong = [("ChildResponse".to_string(), "data".to_string())].into();
        let err = enveloped_responses(out, &wrong).err().unwrap_or_default();
        assert!(err.contains("`ChildResponse` is not a struct whose one field is `data`"), "{err}");
    }
}

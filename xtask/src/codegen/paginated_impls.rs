//! The `runtime::pagination::Paginated` impl of each list operation's builder, from the paging
//! facts `page_styles::classify` found in the document.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{ImplItemFn, Item, Type};

use super::builders::builder_args;
use super::operations::pending_parts;
use super::page_styles::{Field, PageSpec};
use super::syntax::{element_type, option_inner, pascal_ident, public_name, type_name, typed_args, Scalar};

/// For each struct in `types`, its fields' types (to find a page's item type).
pub type FieldTypes = BTreeMap<String, BTreeMap<String, Type>>;

/// Reads the field types of every generated struct.
pub fn field_types(items: &[Item]) -> FieldTypes {
    let mut out = BTreeMap::new();
    for item in items {
        let Item::Struct(s) = item else { continue };
        let fields =
            s.fields.iter().filter_map(|f| Some((f.ident.as_ref()?.to_string(), f.ty.clone()))).collect();
        out.insert(s.ident.to_string(), fields);
    }
    out
}

/// The `Paginated` impl of one operation's builder.
pub fn paginated(
    positional: &ImplItemFn,
    spec: &PageSpec,
    types: &FieldTypes,
) -> Result<TokenStream, String> {
    let name = public_name(&positional.sig.ident);
    let builder = pascal_ident(&name);
    let positional_name = &positional.sig.ident;
    let page_ty = match pending_parts(positional) {
        Some((ty, body)) if body == "json" => ty,
        _ => return Err(format!("{name}: a page must be a JSON body")),
    };
    let page_name = type_name(&page_ty).map(|i| i.to_string()).unwrap_or_default();
    let item_ty = types
        .get(&page_name)
        .and_then(|fields| fields.get(&spec.items.name))
        .and_then(element_type)
        .ok_or_else(|| format!("{name}: no list field `{}` in `{page_name}`", spec.items.name))?;

    // Each optional parameter's scalar type, by its wire-like name.
    let kinds: BTreeMap<String, Option<Scalar>> = typed_args(positional)
        .into_iter()
        .map(|(i, ty)| {
            let kind = option_inner(&ty).as_ref().and_then(Scalar::of);
            (i.to_string().trim_end_matches('_').to_string(), kind)
        })
        .collect();
    let kind_of = |param: &str| kinds.get(param).copied().flatten();

    let position = format_ident!("{}", spec.position);
    let start_at = if spec.style == "ScimIndex" { 1u64 } else { 0 };
    let Some(position_kind) = kind_of(&spec.position) else {
        return Err(format!(
            "{name}: position parameter `{}` is not an optional `&str`, `f64` or `i64`",
            spec.position
        ));
    };
    let (bind, value) = match position_kind {
        Scalar::Str if start_at == 0 => (quote!(), quote!(position.or(self.#position.as_deref()))),
        Scalar::Str => (
            quote! {
                let start = position.and_then(|p| p.parse::<u64>().ok()).map(|seen| (seen + #start_at).to_string());
            },
            quote!(start.as_deref().or(self.#position.as_deref())),
        ),
        Scalar::F64 => (
            quote!(),
            quote!(position.and_then(|p| p.parse::<f64>().ok()).map(|v| v + #start_at as f64).or(self.#position)),
        ),
        Scalar::I64 => (
            quote!(),
            quote!(position.and_then(|p| p.parse::<i64>().ok()).map(|v| v + #start_at as i64).or(self.#position)),
        ),
    };
    // The builder's own starting position, for counting styles (0-based).
    let start = if matches!(spec.style, "Offset" | "ScimIndex") {
        let read = count(&position, position_kind);
        quote!(#read.map(|v| v.saturating_sub(#start_at)).unwrap_or(0))
    } else {
        quote!(0)
    };
    let args: Vec<TokenStream> = builder_args(positional)
        .iter()
        .map(|a| if a.ident == position { value.clone() } else { a.held.pass(&a.ident, a.optional, false) })
        .collect();
    let size = match &spec.size {
        Some(size) => match kind_of(size) {
            Some(kind) => count(&format_ident!("{}", size), kind),
            None => quote!(None),
        },
        None => quote!(None),
    };
    let path = |steps: &[Field]| -> TokenStream {
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
        impl #builder {
            /// The listing as a stream of pages or items, fetched as they are wanted (see
            /// [`Paginator`](crate::runtime::pagination::Paginator)); this request's own position
            /// applies to the first page.
            pub fn paginate(self) -> crate::runtime::pagination::Paginator<Self> {
                crate::runtime::pagination::Paginator::new(self)
            }
        }

        impl crate::runtime::pagination::Paginated for #builder {
            type Page = #page_ty;
            type Item = #item_ty;
            const STYLE: crate::runtime::pagination::PageStyle = crate::runtime::pagination::PageStyle::#style;

            fn fetch_page(&self, position: Option<&str>) -> crate::runtime::Pending<Self::Page> {
                #bind
                self.client.#positional_name(#(#args),*).with_options(self.options.clone())
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

/// Reads an optional count parameter of the builder as a `u64`.
fn count(field: &syn::Ident, kind: Scalar) -> TokenStream {
    match kind {
        Scalar::Str => quote!(self.#field.as_deref().and_then(|v| v.trim().parse::<u64>().ok())),
        Scalar::F64 => quote!(self.#field.and_then(crate::runtime::pagination::count)),
        Scalar::I64 => quote!(self.#field.and_then(|v| u64::try_from(v).ok())),
    }
}

#[cfg(test)]
mod tests {
    /// `s` without whitespace or trailing commas, to compare generated code whatever its line
    /// breaks.
    fn tight(s: &str) -> String {
        let squashed: String = s.split_whitespace().collect();
        squashed.replace(",)", ")").replace(",}", "}").replace(",>", ">")
    }

    use syn::parse_quote;

    use super::*;

    fn spec(style: &'static str, position: &str) -> PageSpec {
        PageSpec {
            style,
            position: position.into(),
            size: Some("limit".into()),
            items: Field { name: "data".into(), optional: false },
            next: None,
            has_more: None,
            total: None,
        }
    }

    fn list_method(offset: syn::Type) -> ImplItemFn {
        parse_quote! {
            pub(crate) fn send_list_things<'a>(&'a self, limit: Option<i64>, offset: #offset)
                -> crate::runtime::Pending<types::ThingList> { todo!() }
        }
    }

    fn types() -> FieldTypes {
        field_types(&[parse_quote!(
            pub struct ThingList {
                pub data: Vec<Thing>,
            }
        )])
    }

    fn squashed(tokens: TokenStream) -> String {
        let file: syn::File = syn::parse2(tokens).expect("parses");
        tight(&prettyplease::unparse(&file))
    }

    #[test]
    fn an_offset_list_pages_from_the_builders_offset() {
        let t = squashed(
            paginated(&list_method(parse_quote!(Option<&str>)), &spec("Offset", "offset"), &types())
                .expect("pages"),
        );
        assert!(t.contains(&tight("impl crate::runtime::pagination::Paginated for ListThings")), "{t}");
        assert!(t.contains(&tight("type Item = types::Thing;")), "{t}");
        assert!(
            t.contains(&tight(
                "self.client.send_list_things(self.limit.clone(), position.or(self.offset.as_deref()))"
            )),
            "{t}"
        );
        assert!(
            t.contains(&tight("self.offset.as_deref().and_then(|v| v.trim().parse::<u64>().ok())")),
            "{t}"
        );
        assert!(
            t.contains(&tight(
                "fn page_size(&self) -> Option<u64> { self.limit.and_then(|v| u64::try_from(v).ok()) }"
            )),
            "{t}"
        );
    }

    #[test]
    fn list_requests_page_with_an_inherent_method() {
        let t = squashed(
            paginated(&list_method(parse_quote!(Option<&str>)), &spec("Offset", "offset"), &types())
                .expect("pages"),
        );
        assert!(t.contains(&tight("impl ListThings { ///")), "{t}");
        assert!(t.contains(&tight("pub fn paginate(self) -> crate::runtime::pagination::Paginator<Self> { crate::runtime::pagination::Paginator::new(self) }")), "{t}");
    }

    #[test]
    fn a_scim_index_starts_at_one() {
        let t = squashed(
            paginated(&list_method(parse_quote!(Option<f64>)), &spec("ScimIndex", "offset"), &types())
                .expect("pages"),
        );
        assert!(
            t.contains(&tight("position.and_then(|p| p.parse::<f64>().ok()).map(|v| v + 1u64 as f64)")),
            "{t}"
        );
        assert!(t.contains(&tight(".map(|v| v.saturating_sub(1u64)).unwrap_or(0)")), "{t}");
    }

    #[test]
    fn unexpected_shapes_are_named() {
        let err = paginated(&list_method(parse_quote!(Option<bool>)), &spec("Offset", "offset"), &types())
            .err()
            .unwrap_or_default();
        assert!(err.contains("list_things") && err.contains("`offset`"), "{err}");
        let mut other = spec("Offset", "offset");
        other.items.name = "items".into();
        let err =
            paginated(&list_method(parse_quote!(Option<&str>)), &other, &types()).err().unwrap_or_default();
        assert!(err.contains("no list field `items` in `ThingList`"), "{err}");
    }
}

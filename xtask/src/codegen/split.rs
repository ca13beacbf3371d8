//! The first pass: progenitor's single file, taken apart into the pieces the other passes
//! reshape. Fails, naming what it expected, when progenitor's output has another shape.

use syn::{parse_quote, ImplItem, ImplItemFn, Item, Type, UseTree};

/// progenitor's output, by kind.
pub struct Parts {
    /// Items kept in the crate root's `client.rs` (the `Client` struct and its inherent setup).
    pub client: Vec<Item>,
    /// The items of `mod types`.
    pub types: Vec<Item>,
    /// One positional `async fn` per operation.
    pub operations: Vec<ImplItemFn>,
}

/// Splits progenitor's file. progenitor's `prelude` module only re-exports `Client` (the crate
/// root already does) and its `use progenitor_client::{ByteStream, .., Error, ..}` becomes the
/// runtime's own: the crate's `Error` is the runtime's typed error, not progenitor's.
pub fn split(file: syn::File) -> Result<Parts, String> {
    let mut parts = Parts { client: Vec::new(), types: Vec::new(), operations: Vec::new() };
    let (mut saw_types, mut saw_reexport) = (false, false);
    for item in file.items {
        match item {
            Item::Mod(m) if m.ident == "types" => {
                saw_types = true;
                parts.types = m.content.map(|(_, items)| items).unwrap_or_default();
            }
            Item::Mod(m) if m.ident == "prelude" => {}
            Item::Impl(imp) if is_operations_impl(&imp) => {
                parts.operations.extend(imp.items.into_iter().filter_map(|it| match it {
                    ImplItem::Fn(f) => Some(f),
                    _ => None,
                }));
            }
            Item::Use(u) if uses_from(&u.tree, "progenitor_client", "ByteStream") => {
                saw_reexport = true;
                parts.client.push(parse_quote!(
                    pub use progenitor_client::{ByteStream, ClientInfo};
                ));
            }
            other => parts.client.push(other),
        }
    }
    if !saw_types {
        return Err("split: progenitor's output has no `mod types`".into());
    }
    if !saw_reexport {
        return Err("split: expected progenitor's `pub use progenitor_client::{ByteStream, ..}`, \
                    to replace with the runtime's re-exports"
            .into());
    }
    if parts.operations.is_empty() {
        return Err("split: progenitor's output has no `impl Client` with operation methods".into());
    }
    Ok(parts)
}

fn is_operations_impl(imp: &syn::ItemImpl) -> bool {
    imp.trait_.is_none()
        && matches!(&*imp.self_ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("Client"))
        && imp.items.iter().any(|i| matches!(i, ImplItem::Fn(f) if f.sig.asyncness.is_some()))
}

/// Whether a `use` tree imports `name` from the crate `krate` (`krate::{.., name, ..}`).
fn uses_from(tree: &UseTree, krate: &str, name: &str) -> bool {
    fn names(tree: &UseTree, name: &str) -> bool {
        match tree {
            UseTree::Name(n) => n.ident == name,
            UseTree::Rename(r) => r.ident == name,
            UseTree::Group(g) => g.items.iter().any(|t| names(t, name)),
            UseTree::Path(p) => names(&p.tree, name),
            UseTree::Glob(_) => false,
        }
    }
    matches!(tree, UseTree::Path(p) if p.ident == krate && names(&p.tree, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progenitor_like() -> syn::File {
        parse_quote! {
            pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue};
            pub mod types { pub struct Thing; }
            pub struct Client;
            impl Client { pub fn new() -> Self { Client } }
            impl Client { pub async fn get_thing(&self) {} }
            pub mod prelude { pub use super::Client; }
        }
    }

    #[test]
    fn progenitor_output_is_split_by_kind() {
        let parts = split(progenitor_like()).expect("splits");
        assert_eq!(parts.types.len(), 1);
        assert_eq!(parts.operations.len(), 1);
        assert_eq!(parts.operations[0].sig.ident, "get_thing");
        // The re-export, the struct and its constructor; the prelude is gone.
        assert_eq!(parts.client.len(), 3);
        let Item::Use(u) = &parts.client[0] else { panic!("the re-export comes first") };
        assert!(!uses_from(&u.tree, "progenitor_client", "Error"));
    }

    #[test]
    fn an_unexpected_shape_is_named() {
        let mut file = progenitor_like();
        file.items.remove(0);
        let err = split(file).err().unwrap_or_default();
        assert!(err.contains("progenitor_client::{ByteStream"), "{err}");

        let mut file = progenitor_like();
        file.items.retain(|i| !matches!(i, Item::Mod(m) if m.ident == "types"));
        assert!(split(file).err().unwrap_or_default().contains("no `mod types`"));
    }
}

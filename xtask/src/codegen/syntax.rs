//! Helpers that read and edit syntax trees. Every decision in codegen goes through paths,
//! idents and types here; none compares the printed text of tokens (a test in `tests.rs` keeps
//! it so). Nothing here imports another codegen module.

use proc_macro2::Span;
use syn::visit::Visit;
use syn::{parse_quote, FnArg, Ident, ImplItemFn, Pat, ReturnType, Type};

/// The named, typed arguments of a method, `self` excluded.
pub fn typed_args(f: &ImplItemFn) -> Vec<(Ident, Type)> {
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

/// The `T` of `Option<T>`.
pub fn option_inner(ty: &Type) -> Option<Type> {
    match last_segment(ty)? {
        (ident, args) if ident == "Option" => args.into_iter().next(),
        _ => None,
    }
}

/// The type arguments of the last segment of a path type (`A<X, Y>` → `[X, Y]`).
pub fn generic_args(ty: &Type) -> Option<Vec<Type>> {
    last_segment(ty).map(|(_, args)| args)
}

/// The last segment of a path type: its ident and type arguments.
fn last_segment(ty: &Type) -> Option<(Ident, Vec<Type>)> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    let args = match &seg.arguments {
        syn::PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some((seg.ident.clone(), args))
}

/// The name a path type ends with (`types::Contract` → `Contract`).
pub fn type_name(ty: &Type) -> Option<Ident> {
    last_segment(ty).map(|(ident, _)| ident)
}

/// The `T` of `Option<Vec<T>>` or `Vec<T>`, with generated names qualified as `types::T`.
pub fn element_type(ty: &Type) -> Option<Type> {
    let inner = option_inner(ty).unwrap_or_else(|| ty.clone());
    let (ident, args) = last_segment(&inner)?;
    if ident != "Vec" {
        return None;
    }
    let mut t = args.into_iter().next()?;
    syn::visit_mut::VisitMut::visit_type_mut(&mut QualifyTypes, &mut t);
    Some(t)
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

/// How a parameter's value is typed, for the code that reads or sets it as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// `&str`
    Str,
    /// `f64`
    F64,
    /// `i64`
    I64,
}

impl Scalar {
    /// Classifies `&str`, `f64` and `i64`; `None` for any other type.
    pub fn of(ty: &Type) -> Option<Scalar> {
        match ty {
            Type::Reference(r) if type_name(&r.elem).is_some_and(|i| i == "str") => Some(Scalar::Str),
            Type::Path(_) => match type_name(ty)? {
                i if i == "f64" => Some(Scalar::F64),
                i if i == "i64" => Some(Scalar::I64),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Whether a pattern binds exactly `name` (`name` or `mut name`).
pub fn binds(pat: &Pat, name: &str) -> bool {
    matches!(pat, Pat::Ident(pi) if pi.ident == name)
}

/// Whether `node` contains a string literal whose value is `value`.
pub fn has_str_literal<'a>(node: &'a impl HasVisit<'a>, value: &str) -> bool {
    struct Find<'v> {
        value: &'v str,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_lit_str(&mut self, lit: &'ast syn::LitStr) {
            self.found |= lit.value() == self.value;
        }
    }
    let mut find = Find { value, found: false };
    node.visit_with(&mut find);
    find.found
}

/// Whether `node` contains a method call `receiver.method(..)` on a local named `receiver`.
pub fn calls_method_on<'a>(node: &'a impl HasVisit<'a>, receiver: &str, method: &str) -> bool {
    struct Find<'v> {
        receiver: &'v str,
        method: &'v str,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            let on_local = matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident(self.receiver));
            self.found |= on_local && call.method == self.method;
            syn::visit::visit_expr_method_call(self, call);
        }
    }
    let mut find = Find { receiver, method, found: false };
    node.visit_with(&mut find);
    find.found
}

/// The last segments of every path called as a function in `node` (`ResponseValue::empty(r)`
/// gives `["ResponseValue", "empty"]`), in source order.
pub fn called_paths<'a>(node: &'a impl HasVisit<'a>) -> Vec<Vec<String>> {
    struct Find(Vec<Vec<String>>);
    impl<'ast> Visit<'ast> for Find {
        fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
            if let syn::Expr::Path(p) = &*call.func {
                self.0.push(p.path.segments.iter().map(|s| s.ident.to_string()).collect());
            }
            syn::visit::visit_expr_call(self, call);
        }
    }
    let mut find = Find(Vec::new());
    node.visit_with(&mut find);
    find.0
}

/// Syntax nodes the search helpers above can walk.
pub trait HasVisit<'a> {
    /// Walks `self` with `v`.
    fn visit_with(&'a self, v: &mut dyn Visit<'a>);
}

impl<'a> HasVisit<'a> for syn::Stmt {
    fn visit_with(&'a self, v: &mut dyn Visit<'a>) {
        v.visit_stmt(self);
    }
}

impl<'a> HasVisit<'a> for syn::Expr {
    fn visit_with(&'a self, v: &mut dyn Visit<'a>) {
        v.visit_expr(self);
    }
}

impl<'a> HasVisit<'a> for syn::Meta {
    fn visit_with(&'a self, v: &mut dyn Visit<'a>) {
        v.visit_meta(self);
    }
}

/// Removes every `.name(..)` call from a method-call chain; says whether one was there.
pub fn strip_call(expr: &mut syn::Expr, name: &str) -> bool {
    let mut removed = false;
    let mut expr = expr;
    loop {
        match expr {
            syn::Expr::Try(t) => expr = &mut t.expr,
            syn::Expr::MethodCall(call) if call.method == name => {
                let receiver = (*call.receiver).clone();
                *expr = receiver;
                removed = true;
            }
            syn::Expr::MethodCall(call) => expr = &mut call.receiver,
            _ => return removed,
        }
    }
}

/// The statement `let [mut] x = <chain>.build()?;` that builds the request, with its index
/// and the bound name.
pub fn request_local(f: &ImplItemFn) -> Option<(usize, Ident)> {
    f.block.stmts.iter().enumerate().find_map(|(at, stmt)| {
        let syn::Stmt::Local(local) = stmt else { return None };
        let Pat::Ident(pi) = &local.pat else { return None };
        let syn::Expr::Try(t) = &*local.init.as_ref()?.expr else { return None };
        let syn::Expr::MethodCall(call) = &*t.expr else { return None };
        (call.method == "build").then(|| (at, pi.ident.clone()))
    })
}

/// The return type of a method, if it has one.
pub fn return_type(f: &ImplItemFn) -> Option<&Type> {
    match &f.sig.output {
        ReturnType::Type(_, t) => Some(t),
        ReturnType::Default => None,
    }
}

/// A type name from a method name, in PascalCase as schema names are made.
pub fn pascal_ident(snake: &str) -> Ident {
    Ident::new(&crate::import::passes::pascal(snake), Span::call_site())
}

/// The method name a positional method was renamed from (`send_x` → `x`).
pub fn public_name(positional: &Ident) -> String {
    let name = positional.to_string();
    name.strip_prefix("send_").unwrap_or(&name).to_string()
}

/// Whether `#[derive(...)]` among `attrs` names `name` (by its last path segment).
pub fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    type Paths = syn::punctuated::Punctuated<syn::Path, syn::Token![,]>;
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
        a.parse_args_with(Paths::parse_terminated)
            .is_ok_and(|paths| paths.iter().any(|p| p.segments.last().is_some_and(|s| s.ident == name)))
    })
}

/// Removes the named traits from `#[derive(...)]` attributes; says whether any was there.
pub fn remove_derives(attrs: &mut [syn::Attribute], traits: &[&str]) -> bool {
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

/// The value of `#[serde(rename = "...")]` among `attrs`.
pub fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
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

/// Every item of every `#[serde(...)]` attribute (`rename = "…"`, `default`, …).
pub fn serde_metas(attrs: &[syn::Attribute]) -> Vec<syn::Meta> {
    type Metas = syn::punctuated::Punctuated<syn::Meta, syn::Token![,]>;
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .filter_map(|a| a.parse_args_with(Metas::parse_terminated).ok())
        .flatten()
        .collect()
}

/// The ident of `x` for a field, an argument or a type named `r#x`, as written on the wire.
pub fn unraw(ident: &Ident) -> String {
    let name = ident.to_string();
    name.trim_start_matches("r#").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_read_from_types() {
        assert_eq!(Scalar::of(&parse_quote!(&'a str)), Some(Scalar::Str));
        assert_eq!(Scalar::of(&parse_quote!(f64)), Some(Scalar::F64));
        assert_eq!(Scalar::of(&parse_quote!(i64)), Some(Scalar::I64));
        assert_eq!(Scalar::of(&parse_quote!(&'a types::Status)), None);
        assert_eq!(Scalar::of(&parse_quote!(u8)), None);
    }

    #[test]
    fn element_types_are_qualified() {
        let t = element_type(&parse_quote!(Option<Vec<Contract>>)).map(|t| quote::quote!(#t).to_string());
        assert_eq!(t.as_deref(), Some("types :: Contract"));
        assert!(element_type(&parse_quote!(Option<Contract>)).is_none());
    }

    #[test]
    fn searches_see_through_nesting() {
        let stmt: syn::Stmt = parse_quote! {
            header_map.append(HeaderName::from_static("api-version"), HeaderValue::from_static(v()));
        };
        assert!(has_str_literal(&stmt, "api-version"));
        assert!(!has_str_literal(&stmt, "api"));
        assert!(calls_method_on(&stmt, "header_map", "append"));
        assert!(!calls_method_on(&stmt, "headers", "append"));
        assert_eq!(called_paths(&stmt)[0], ["HeaderName", "from_static"]);
    }

    #[test]
    fn strip_call_removes_every_link_with_the_name() {
        let mut e: syn::Expr = parse_quote!(client.get(url).headers(h).query(q).build()?);
        assert!(strip_call(&mut e, "headers"));
        assert_eq!(
            quote::quote!(#e).to_string(),
            quote::quote!(client.get(url).query(q).build()?).to_string()
        );
        assert!(!strip_call(&mut e, "headers"));
    }

    #[test]
    fn the_request_is_the_local_that_builds() {
        let f: ImplItemFn = parse_quote! {
            fn x(&self) {
                let url = format!("/");
                let mut _request = self.client.get(url).build()?;
                let result = self.exec(_request);
            }
        };
        let (at, name) = request_local(&f).expect("a request local");
        assert_eq!((at, name.to_string().as_str()), (1, "_request"));
    }
}

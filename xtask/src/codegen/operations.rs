//! Passes over each of progenitor's positional `async fn`s, in the order they run. Together they
//! turn it into a crate-private plain function that builds the request and returns a
//! `runtime::Pending`; the public builders, pagers and dispatch arms are made from the result.
//! Each pass says whether it changed the method, and fails naming the operation when
//! progenitor's output does not have the shape it expects.

use quote::format_ident;
use syn::visit_mut::VisitMut;
use syn::{parse_quote, Ident, ImplItemFn, Type};

use super::facts::Operation;
use super::syntax::{
    binds, called_paths, calls_method_on, generic_args, has_str_literal, request_local, return_type,
    strip_call, type_name,
};

/// A pass over one operation's method.
pub type OperationPass = fn(&mut ImplItemFn, &Operation) -> Result<bool, String>;

/// Every operation pass, in order.
pub const PASSES: &[(&str, OperationPass)] = &[
    ("positional", positional),
    ("multipart_form", multipart_form),
    ("drop_api_version", drop_api_version),
    // After drop_api_version: the map is empty only once that header is gone.
    ("drop_empty_header_map", drop_empty_header_map),
    ("send_through_runtime", send_through_runtime),
    ("elide_argument_lifetimes", elide_argument_lifetimes),
];

/// The public builder keeps the operation's name; the positional method it calls becomes
/// `send_<name>`, crate-private, without progenitor's docs.
pub fn positional(f: &mut ImplItemFn, _: &Operation) -> Result<bool, String> {
    f.attrs.clear();
    f.attrs.push(parse_quote!(#[allow(clippy::too_many_arguments)]));
    f.vis = parse_quote!(pub(crate));
    f.sig.ident = format_ident!("send_{}", f.sig.ident);
    Ok(true)
}

/// progenitor cannot build multipart bodies (codegen removes them from its input): adds
/// `form: reqwest::multipart::Form` and sends it as the body.
pub fn multipart_form(f: &mut ImplItemFn, op: &Operation) -> Result<bool, String> {
    if !op.multipart {
        return Ok(false);
    }
    let name = f.sig.ident.clone();
    let Some((at, _)) = request_local(f) else {
        return Err(format!("{name}: expected `let request = ….build()?;` to attach the multipart form to"));
    };
    f.sig.inputs.push(parse_quote!(form: ::reqwest::multipart::Form));
    if let syn::Stmt::Local(local) = &mut f.block.stmts[at] {
        if let Some(init) = &mut local.init {
            if let syn::Expr::Try(t) = &mut *init.expr {
                if let syn::Expr::MethodCall(call) = &mut *t.expr {
                    let receiver = &call.receiver;
                    let with_form: syn::Expr = parse_quote!(#receiver.multipart(form));
                    *call.receiver = with_form;
                }
            }
        }
    }
    Ok(true)
}

/// Deel versions its API by `X-Version` (set by the facade); progenitor's `api-version` header
/// would send the spec's document version on every call.
pub fn drop_api_version(f: &mut ImplItemFn, _: &Operation) -> Result<bool, String> {
    let is_api_version =
        |s: &syn::Stmt| calls_method_on(s, "header_map", "append") && has_str_literal(s, "api-version");
    let before = f.block.stmts.len();
    f.block.stmts.retain(|s| !is_api_version(s));
    if f.block.stmts.len() == before {
        return Err(format!(
            "{}: expected progenitor's `header_map.append(\"api-version\", …)`",
            f.sig.ident
        ));
    }
    Ok(true)
}

/// Without `api-version` and `Authorization`, no Deel operation has a header parameter left; an
/// empty `HeaderMap` would still cost an allocation per request.
pub fn drop_empty_header_map(f: &mut ImplItemFn, _: &Operation) -> Result<bool, String> {
    if f.block.stmts.iter().any(|s| calls_method_on(s, "header_map", "append")) {
        return Ok(false);
    }
    let name = f.sig.ident.clone();
    let before = f.block.stmts.len();
    f.block.stmts.retain(|s| !matches!(s, syn::Stmt::Local(l) if binds(&l.pat, "header_map")));
    if f.block.stmts.len() == before {
        return Err(format!("{name}: expected progenitor's `let mut header_map = HeaderMap::…`"));
    }
    let stripped = match request_local(f) {
        Some((at, _)) => match &mut f.block.stmts[at] {
            syn::Stmt::Local(syn::Local { init: Some(init), .. }) => strip_call(&mut init.expr, "headers"),
            _ => false,
        },
        None => false,
    };
    if !stripped {
        return Err(format!("{name}: expected `.headers(header_map)` in the request's builder chain"));
    }
    Ok(true)
}

/// How progenitor reads a success body, named like the runtime's body kinds.
fn success_kind(f: &ImplItemFn) -> Result<Option<syn::Path>, String> {
    let name = &f.sig.ident;
    let Some(syn::Stmt::Expr(syn::Expr::Match(m), _)) = f.block.stmts.last() else {
        return Err(format!("{name}: expected a final `match` on the response status"));
    };
    let mut kinds: Vec<String> = Vec::new();
    for arm in &m.arms {
        let calls = called_paths(&*arm.body);
        let is_error = calls.iter().any(|p| p.first().is_some_and(|s| s == "Error"));
        if is_error {
            continue;
        }
        for call in calls {
            if let [.., ty, kind] = &call[..] {
                if ty == "ResponseValue" && !kinds.contains(kind) {
                    kinds.push(kind.clone());
                }
            }
        }
    }
    match kinds.as_slice() {
        [one] if one == "from_response" => Ok(None),
        [one] if one == "empty" => Ok(Some(parse_quote!(crate::runtime::pending::Empty))),
        [one] if one == "stream" => Ok(Some(parse_quote!(crate::runtime::pending::Stream))),
        other => Err(format!(
            "{name}: expected one success arm calling `ResponseValue::from_response`, `empty` or \
             `stream`, found {other:?}"
        )),
    }
}

/// Replaces progenitor's hooks and status match with the runtime: the method becomes a plain
/// function that builds the request and returns a `runtime::Pending`, which sends it through the
/// installed transport and turns the response into a value or a typed `crate::Error`.
///
/// A plain function rather than progenitor's `async fn`: with the builders' `send`, that was 786
/// state machines, about a sixth of the crate's build (20.6 s → 17.0 s without them), for work
/// the runtime's shared future does once.
pub fn send_through_runtime(f: &mut ImplItemFn, op: &Operation) -> Result<bool, String> {
    let name = f.sig.ident.clone();
    let body = success_kind(f)?;
    let value =
        success_type(f).ok_or_else(|| format!("{name}: return type is not Result<ResponseValue<T>, _>"))?;
    let Some((at, request)) = request_local(f) else {
        return Err(format!("{name}: expected `let request = ….build()?;` to send"));
    };
    f.block.stmts.truncate(at + 1);
    // A request that fails to build is reported when the `Pending` is awaited.
    if let Some(syn::Stmt::Local(syn::Local { init: Some(init), .. })) = f.block.stmts.last_mut() {
        if let syn::Expr::Try(t) = &*init.expr {
            init.expr = t.expr.clone();
        }
    }
    let (id, method, path) = (op.method_name(), op.method.as_str(), op.path.as_str());
    let (version, beta) = (op.version.as_str(), op.beta);
    f.block.stmts.push(syn::Stmt::Expr(
        parse_quote! {
            crate::runtime::Pending::new(
                self,
                #request,
                crate::runtime::Operation {
                    id: #id, method: #method, path: #path, version: #version, beta: #beta,
                },
            )
        },
        None,
    ));
    f.sig.asyncness = None;
    f.sig.output = match body {
        None => parse_quote!(-> crate::runtime::Pending<#value>),
        Some(body) => parse_quote!(-> crate::runtime::Pending<#value, #body>),
    };
    Ok(true)
}

/// The `T` of progenitor's `Result<ResponseValue<T>, _>`.
fn success_type(f: &ImplItemFn) -> Option<Type> {
    let ty = return_type(f)?;
    let value = generic_args(ty)?.into_iter().next()?;
    generic_args(&value)?.into_iter().next()
}

/// Makes the arguments of a positional method borrow only for the call: the request is built
/// before it returns, and the `Pending` keeps only the client.
pub fn elide_argument_lifetimes(f: &mut ImplItemFn, _: &Operation) -> Result<bool, String> {
    struct Elide(bool);
    impl VisitMut for Elide {
        fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
            self.0 |= r.lifetime.take().is_some();
            syn::visit_mut::visit_type_reference_mut(self, r);
        }
    }
    let mut elide = Elide(false);
    for input in f.sig.inputs.iter_mut() {
        if let syn::FnArg::Typed(arg) = input {
            elide.visit_type_mut(&mut arg.ty);
        }
    }
    Ok(elide.0)
}

/// A rewritten positional method's `Pending<T, K>` arguments: the success type `T` and how
/// the body is read, named like the dispatch helpers (`json`, `empty` or `stream`).
pub fn pending_parts(f: &ImplItemFn) -> Option<(Type, Ident)> {
    let mut args = generic_args(return_type(f)?)?.into_iter();
    let value = args.next()?;
    let body = match args.next() {
        None => format_ident!("json"),
        Some(t) => format_ident!("{}", type_name(&t)?.to_string().to_lowercase()),
    };
    Some((value, body))
}

#[cfg(test)]
mod tests {
    /// `s` without whitespace or trailing commas, to compare generated code whatever its line
    /// breaks.
    fn tight(s: &str) -> String {
        let squashed: String = s.split_whitespace().collect();
        squashed.replace(",)", ")").replace(",}", "}").replace(",>", ">")
    }

    use quote::quote;

    use super::*;

    /// A method shaped like progenitor's output for `GET /things/{id}`.
    fn progenitor_method(success: syn::Expr) -> ImplItemFn {
        parse_quote! {
            pub async fn get_thing<'a>(&'a self, id: &'a str, limit: Option<i64>)
                -> Result<ResponseValue<types::Thing>, Error<()>> {
                let url = format!("{}/things/{}", self.baseurl, encode_path(&id.to_string()));
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(Client::api_version()),
                );
                #[allow(unused_mut)]
                let mut request = self.client.get(url).query(&progenitor_client::QueryParam::new("limit", &limit)).headers(header_map).build()?;
                let info = OperationInfo { operation_id: "get_thing" };
                let result = self.exec(request, &info).await;
                let response = result?;
                match response.status().as_u16() {
                    200u16 => #success,
                    400u16..=499u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                    _ => Err(Error::UnexpectedResponse(response)),
                }
            }
        }
    }

    fn op(multipart: bool) -> Operation {
        Operation {
            id: "get-thing".into(),
            upstream_id: "getThing".into(),
            method: "GET".into(),
            path: "/things/{id}".into(),
            area: "things".into(),
            multipart,
            version: "2026-03-30".into(),
            ..Operation::default()
        }
    }

    fn run_all(f: &mut ImplItemFn, op: &Operation) -> Result<Vec<bool>, String> {
        PASSES.iter().map(|(_, pass)| pass(f, op)).collect()
    }

    fn squashed(f: &ImplItemFn) -> String {
        let file: syn::File = parse_quote!(impl Client { #f });
        tight(&prettyplease::unparse(&file))
    }

    #[test]
    fn a_progenitor_method_becomes_a_pending_call() {
        let mut f = progenitor_method(parse_quote!(ResponseValue::from_response(response).await));
        let changed = run_all(&mut f, &op(false)).expect("every pass applies");
        assert_eq!(changed, [true, false, true, true, true, true]);
        let t = squashed(&f);
        assert!(t.contains(&tight("pub(crate) fn send_get_thing<'a>( &'a self, id: &str, limit: Option<i64>, ) -> crate::runtime::Pending<types::Thing>")), "{t}");
        assert!(
            !t.contains(&tight("api-version"))
                && !t.contains(&tight("header_map"))
                && !t.contains(&tight("async")),
            "{t}"
        );
        assert!(t.contains(&tight("let mut request = self.client.get(url).query(")), "{t}");
        assert!(t.ends_with(&tight("crate::runtime::Pending::new( self, request, crate::runtime::Operation { id: \"get_thing\", method: \"GET\", path: \"/things/{id}\", version: \"2026-03-30\", beta: false, }, ) } }")), "{t}");
    }

    #[test]
    fn empty_and_binary_successes_pick_their_body_kind() {
        for (success, kind) in [
            (parse_quote!(Ok(ResponseValue::empty(response))), "Empty"),
            (parse_quote!(Ok(ResponseValue::stream(response))), "Stream"),
        ] {
            let mut f = progenitor_method(success);
            run_all(&mut f, &op(false)).expect("every pass applies");
            let t = squashed(&f);
            assert!(
                t.contains(&tight(&format!("Pending<types::Thing, crate::runtime::pending::{kind}>"))),
                "{t}"
            );
        }
    }

    #[test]
    fn multipart_operations_send_a_form() {
        let mut f = progenitor_method(parse_quote!(ResponseValue::from_response(response).await));
        assert!(multipart_form(&mut f, &op(true)).expect("applies"));
        let t = squashed(&f);
        assert!(t.contains(&tight("limit: Option<i64>, form: ::reqwest::multipart::Form")), "{t}");
        assert!(t.contains(&tight(".headers(header_map).multipart(form).build()?")), "{t}");
    }

    #[test]
    fn a_header_parameter_keeps_the_map() {
        let mut f = progenitor_method(parse_quote!(ResponseValue::from_response(response).await));
        f.block.stmts.insert(3, parse_quote!(header_map.append("x-thing", value);));
        drop_api_version(&mut f, &op(false)).expect("applies");
        assert!(!drop_empty_header_map(&mut f, &op(false)).expect("applies"));
        assert!(squashed(&f).contains(".headers(header_map)"));
    }

    #[test]
    fn unexpected_shapes_are_named() {
        let plain = || progenitor_method(parse_quote!(ResponseValue::from_response(response).await));

        let mut f = plain();
        f.block.stmts.remove(2);
        let err = drop_api_version(&mut f, &op(false)).err().unwrap_or_default();
        assert!(err.contains("get_thing") && err.contains("api-version"), "{err}");

        let mut f = plain();
        drop_api_version(&mut f, &op(false)).expect("applies");
        f.block.stmts.remove(1);
        let err = drop_empty_header_map(&mut f, &op(false)).err().unwrap_or_default();
        assert!(err.contains("let mut header_map"), "{err}");

        let mut f = progenitor_method(parse_quote!(ResponseValue::upgrade(response).await));
        let err = send_through_runtime(&mut f, &op(false)).err().unwrap_or_default();
        assert!(err.contains("get_thing") && err.contains("[\"upgrade\"]"), "{err}");

        let mut f = plain();
        f.block.stmts.pop();
        let err = send_through_runtime(&mut f, &op(false)).err().unwrap_or_default();
        assert!(err.contains("final `match`"), "{err}");

        let mut f = plain();
        f.block.stmts.retain(|s| !matches!(s, syn::Stmt::Local(l) if binds(&l.pat, "request")));
        let err = multipart_form(&mut f, &op(true)).err().unwrap_or_default();
        assert!(err.contains("multipart form"), "{err}");
        let err = send_through_runtime(&mut f, &op(false)).err().unwrap_or_default();
        assert!(err.contains("to send"), "{err}");
    }

    #[test]
    fn pending_parts_read_the_body_kind() {
        let mut f = progenitor_method(parse_quote!(Ok(ResponseValue::empty(response))));
        run_all(&mut f, &op(false)).expect("every pass applies");
        let (ty, kind) = pending_parts(&f).expect("a pending call");
        assert_eq!(
            (quote!(#ty).to_string().as_str(), kind.to_string().as_str()),
            ("types :: Thing", "empty")
        );
    }
}

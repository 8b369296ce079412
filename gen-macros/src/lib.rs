//! The procedural macros of [`corogen`](https://docs.rs/corogen). Depend on `corogen`, which
//! re-exports them with their documentation.
//!
//! Each expansion goes through the same phases, one file each: `args` (the attribute's options)
//! → `signature` (types, lifetimes, parameters) and `analyze` (the whole body: every `yield_!`
//! and every misuse), both reporting into one `Ctxt` → `lower` (emits the code, trusting the
//! checks) or, when anything was reported, `fallback` (a stand-in item beside the errors).
#![forbid(unsafe_code)]

mod analyze;
mod args;
mod ctxt;
mod fallback;
mod krate;
mod lower;
mod manifest;
mod names;
mod repair;
mod signature;

use ctxt::Ctxt;
use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use syn::parse::{ParseStream, Parser};

/// See `corogen::generator`.
#[proc_macro_attribute]
pub fn generator(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_generator(args.into(), item.into()).into()
}

/// See `corogen::gen_`.
#[proc_macro]
pub fn gen_(input: TokenStream) -> TokenStream {
    expand_gen_expr(input.into(), false).into()
}

/// See `corogen::gen_local`.
#[proc_macro]
pub fn gen_local(input: TokenStream) -> TokenStream {
    expand_gen_expr(input.into(), true).into()
}

/// See `corogen::yield_`.
#[proc_macro]
pub fn yield_(_input: TokenStream) -> TokenStream {
    outside_generator("yield_")
}

/// See `corogen::yield_from`.
#[proc_macro]
pub fn yield_from(_input: TokenStream) -> TokenStream {
    outside_generator("yield_from")
}

/// `yield_!` and `yield_from!` reach rustc's own expansion only where `#[generator]` did not
/// rewrite them: outside any generator.
fn outside_generator(name: &str) -> TokenStream {
    syn::Error::new(
        Span::call_site(),
        format!(
            "`{name}!` is not inside a generator: write it directly in the body of a \
             `#[generator(yield = Type)]` function or of a `gen_!({{ ... }})` block (a `{name}!` \
             that another macro's expansion produces is not seen there)"
        ),
    )
    .into_compile_error()
    .into()
}

fn expand_generator(args: TokenStream2, item: TokenStream2) -> TokenStream2 {
    let (item, body_error) = match parse_item(item) {
        Ok(parsed) => parsed,
        Err(error) => return error.into_compile_error(),
    };
    let cx = Ctxt::new();
    let args = args::parse(&cx, args);
    let krate = krate::resolve(args.krate.as_ref());
    let signature = signature::analyze(&cx, &item.sig, &args);
    let delegates = match body_error {
        Some(error) => {
            cx.syn_error(error);
            false
        }
        None => analyze::check_body(&cx, &item.block, item.sig.asyncness.is_some()).delegates,
    };
    if let Some(recycle) = &args.recycle {
        check_recycle(
            &cx,
            recycle,
            args.local.is_some(),
            item.sig.asyncness.is_some(),
        );
    }
    if let Some(local) = &args.local {
        check_local(&cx, local, delegates, item.sig.asyncness.is_some());
    } else if !ALLOC {
        cx.error_at(Span::call_site(), needs_alloc("`#[generator]`", "`local`"));
    }
    if cx.has_errors() {
        let mut signature = signature;
        if !ALLOC {
            // `Gen` and `AsyncGen` do not exist without `alloc`: stand in with a `GenLocal`.
            if let Some(signature) = &mut signature {
                signature.is_local = true;
                signature.is_async = false;
            }
        }
        let fallback = fallback::fallback_fn(&item, signature.as_ref(), &krate);
        let errors = cx.into_compile_errors();
        return quote!(#errors #fallback);
    }
    let signature = signature.expect("no errors, so the signature was read");
    let lowering = lower::Lowering {
        krate: &krate,
        yield_ty: Some(&signature.yield_ty),
        resume_ty: &signature.resume_ty,
        return_ty: Some(&signature.return_ty),
        first_arg: args.first_arg.as_ref(),
        name: item.sig.ident.to_string(),
        delegates,
        recycles: args.recycle.is_some(),
        throws: args.throw_ty.is_some(),
        takes_values: signature.is_async && (args.resume_ty.is_some() || args.throw_ty.is_some()),
        is_async: signature.is_async,
        is_local: signature.is_local,
        require_send: args.send.as_ref().map(syn::Ident::span),
    };
    let output = lower::generator_fn(&item, &signature, &lowering);
    cx.check().expect("no errors");
    output
}

/// Parses the item under `#[generator]`, explaining what it must be when it is something else.
///
/// A function whose body does not parse (as while it is being typed) still yields its signature,
/// with an empty block, and the parse error: the fallback then keeps the function visible to its
/// callers and to rust-analyzer.
fn parse_item(item: TokenStream2) -> syn::Result<(syn::ItemFn, Option<syn::Error>)> {
    let body_error = match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(function) => return Ok((function, None)),
        Err(error) => error,
    };
    if let Ok(signature_only) = parse_signature_only.parse2(item.clone()) {
        return Ok((signature_only, Some(body_error)));
    }
    match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Verbatim(_)) | Err(_) => {}
        Ok(other) => {
            return Err(syn::Error::new(
                item.into_iter()
                    .next()
                    .map_or_else(Span::call_site, |tt| tt.span()),
                format!(
                    "`#[generator]` can only be put on a function with a body, not on {}: write \
                     it on a `fn` that yields, e.g. `#[generator(yield = u32)] fn numbers() {{ \
                     yield_!(1); }}`",
                    item_kind(&other)
                ),
            ));
        }
    }
    if let Ok(method) = syn::parse2::<syn::TraitItemFn>(item) {
        if method.default.is_none() {
            return Err(syn::Error::new_spanned(
                &method.sig,
                "`#[generator]` needs a function body: put it on the method in the `impl` block, \
                 and declare the trait method as returning `impl Generator<…>` or `Gen<…>`",
            ));
        }
    }
    Err(body_error)
}

/// `attrs vis sig { any tokens }`: a function with its body left unparsed.
fn parse_signature_only(input: ParseStream) -> syn::Result<syn::ItemFn> {
    let attrs = input.call(syn::Attribute::parse_outer)?;
    let vis = input.parse()?;
    let sig = input.parse()?;
    let body;
    let brace_token = syn::braced!(body in input);
    body.parse::<TokenStream2>()?;
    Ok(syn::ItemFn {
        attrs,
        vis,
        sig,
        block: Box::new(syn::Block {
            brace_token,
            stmts: Vec::new(),
        }),
    })
}

/// "a struct", "an `impl` block": what the attribute was put on, for the error.
fn item_kind(item: &syn::Item) -> &'static str {
    match item {
        syn::Item::Const(_) => "a `const`",
        syn::Item::Enum(_) => "an enum",
        syn::Item::ExternCrate(_) => "an `extern crate`",
        syn::Item::ForeignMod(_) => "an `extern` block",
        syn::Item::Impl(_) => "an `impl` block (put it on a method inside)",
        syn::Item::Macro(_) => "a macro",
        syn::Item::Mod(_) => "a module",
        syn::Item::Static(_) => "a `static`",
        syn::Item::Struct(_) => "a struct",
        syn::Item::Trait(_) | syn::Item::TraitAlias(_) => "a trait",
        syn::Item::Type(_) => "a type alias",
        syn::Item::Union(_) => "a union",
        syn::Item::Use(_) => "a `use`",
        _ => "this item",
    }
}

/// Whether corogen's `alloc` feature is on (it turns on ours): without it only the zero-allocation
/// `GenLocal` exists.
const ALLOC: bool = cfg!(feature = "alloc");

/// The error for a generator that needs an allocator in a build without one.
fn needs_alloc(what: &str, instead: &str) -> String {
    format!(
        "{what} makes a `Gen`, which allocates its state: enable corogen's `alloc` feature \
         (`corogen = {{ version = \"0.1\", default-features = false, features = [\"alloc\"] }}`), \
         or use {instead} for a `GenLocal`, which needs no allocator"
    )
}

/// `local` cannot hold a delegation stack (it has no allocation to keep one in) and has no
/// async form.
fn check_local(cx: &Ctxt, local: &syn::Ident, delegates: bool, is_async: bool) {
    if delegates {
        cx.error_spanned_by(
            local,
            "a `local` generator cannot use `yield_from!`: remove `local` (a `Gen` delegates), \
             or loop over the sub-generator and `yield_!` each item",
        );
    }
    if is_async {
        cx.error_spanned_by(
            local,
            "`local` is not available on async generators: remove `local`",
        );
    }
}

/// `recycle` changes where a `Gen`'s body lives: a `local` generator has no block to recycle,
/// and an async generator's is not a `Gen`'s.
fn check_recycle(cx: &Ctxt, recycle: &syn::Ident, is_local: bool, is_async: bool) {
    if is_local {
        cx.error_spanned_by(
            recycle,
            "`recycle` is for generators that allocate: a `local` generator allocates nothing, \
             remove `recycle`",
        );
    }
    if is_async {
        cx.error_spanned_by(
            recycle,
            "`recycle` is not available on async generators: remove `recycle`",
        );
    }
}

/// `gen_!({ ... })`: an anonymous generator that moves what it captures.
fn expand_gen_expr(input: TokenStream2, is_local: bool) -> TokenStream2 {
    // `{ ... }` or `async move { ... }` (an async generator).
    let parser = |input: ParseStream| {
        let is_async = input.parse::<Option<syn::Token![async]>>()?.is_some();
        if is_async {
            input.parse::<Option<syn::Token![move]>>()?;
        }
        let block: syn::Block = input.parse()?;
        Ok((is_async, block))
    };
    // A body that does not parse because a line is being typed (`items.`, `total +`) is
    // repaired, so that the rest of it still expands; the repair's `compile_error!` is then the
    // one error.
    let parsed = parser.parse2(input.clone()).or_else(|error| {
        repair::repair(input)
            .and_then(|repaired| parser.parse2(repaired).ok())
            .ok_or(error)
    });
    let (is_async, block) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            return syn::Error::new(
                error.span(),
                "expected a block: `gen_!({ ... yield_!(value); ... })` or \
                 `gen_!(async move { ... })`",
            )
            .into_compile_error();
        }
    };
    let cx = Ctxt::new();
    let facts = analyze::check_body(&cx, &block, is_async);
    if is_local {
        let name = syn::Ident::new("gen_local", Span::call_site());
        check_local(&cx, &name, facts.delegates, is_async);
    } else if !ALLOC {
        cx.error_at(Span::call_site(), needs_alloc("`gen_!`", "`gen_local!`"));
    }
    let krate = krate::resolve(None);
    if cx.has_errors() {
        let errors = cx.into_compile_errors();
        let fallback = match (is_async, is_local) {
            _ if !ALLOC => quote!(fallback_local),
            (true, _) => quote!(fallback_async),
            (false, true) => quote!(fallback_local),
            (false, false) => quote!(fallback),
        };
        // The yield and return types are left to inference, so that the code using the
        // generator gets no error of its own.
        return quote!({ #errors #krate::__private::#fallback::<_, (), _>() });
    }
    cx.check().expect("no errors");
    let unit: syn::Type = syn::parse_quote!(());
    let lowering = lower::Lowering {
        krate: &krate,
        // With no `yield_!` there is nothing to infer the yield type from.
        yield_ty: (facts.yield_count == 0).then_some(&unit),
        resume_ty: &unit,
        return_ty: None,
        first_arg: None,
        name: "<gen_!>".to_owned(),
        delegates: facts.delegates,
        recycles: false,
        throws: false,
        takes_values: false,
        is_async,
        is_local,
        require_send: None,
    };
    lower::generator_expr(&lowering, &[], block)
}

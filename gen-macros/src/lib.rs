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
mod names;
mod signature;

use ctxt::Ctxt;
use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::quote;

/// See `corogen::generator`.
#[proc_macro_attribute]
pub fn generator(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_generator(args.into(), item.into()).into()
}

/// See `corogen::gen_`.
#[proc_macro]
pub fn gen_(input: TokenStream) -> TokenStream {
    expand_gen_expr(input.into()).into()
}

/// See `corogen::yield_`.
#[proc_macro]
pub fn yield_(input: TokenStream) -> TokenStream {
    outside_generator("yield_", input)
}

/// See `corogen::yield_from`.
#[proc_macro]
pub fn yield_from(input: TokenStream) -> TokenStream {
    outside_generator("yield_from", input)
}

/// `yield_!` and `yield_from!` reach rustc's own expansion only where `#[generator]` did not
/// rewrite them: outside any generator.
fn outside_generator(name: &str, input: TokenStream) -> TokenStream {
    let span = input
        .into_iter()
        .next()
        .map_or_else(proc_macro::Span::call_site, |tt| tt.span());
    syn::Error::new(
        span.into(),
        format!(
            "`{name}!` can only be used directly in the body of a `#[generator]` function or a \
             `gen_!` block (not in a closure, nested function or another macro's arguments)"
        ),
    )
    .into_compile_error()
    .into()
}

fn expand_generator(args: TokenStream2, item: TokenStream2) -> TokenStream2 {
    let item = match parse_item(item) {
        Ok(item) => item,
        Err(error) => return error.into_compile_error(),
    };
    let cx = Ctxt::new();
    let args = args::parse(&cx, args);
    let krate = krate::resolve(args.krate.as_ref());
    let signature = signature::analyze(&cx, &item.sig, &args);
    analyze::check_body(&cx, &item.block, item.sig.asyncness.is_some());
    if cx.has_errors() {
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
    };
    let output = lower::generator_fn(&item, &signature, &lowering);
    cx.check().expect("no errors");
    output
}

/// Parses the item under `#[generator]`, explaining what it must be when it is something else.
fn parse_item(item: TokenStream2) -> syn::Result<syn::ItemFn> {
    if let Ok(function) = syn::parse2::<syn::ItemFn>(item.clone()) {
        return Ok(function);
    }
    if let Ok(method) = syn::parse2::<syn::TraitItemFn>(item.clone()) {
        if method.default.is_none() {
            return Err(syn::Error::new_spanned(
                &method.sig,
                "`#[generator]` needs a function body: put it on the method in the `impl` block, \
                 and declare the trait method as returning `impl Generator<…>` or `Gen<…>`",
            ));
        }
    }
    let span_source = item.into_iter().next();
    Err(syn::Error::new(
        span_source.map_or_else(proc_macro2::Span::call_site, |tt| tt.span()),
        "`#[generator]` can only be put on a function or method with a body",
    ))
}

/// `gen_!({ ... })`: an anonymous generator that moves what it captures.
fn expand_gen_expr(input: TokenStream2) -> TokenStream2 {
    let block: syn::Block = match syn::parse2(input) {
        Ok(block) => block,
        Err(error) => {
            return syn::Error::new(
                error.span(),
                "expected a block: `gen_!({ ... yield_!(value); ... })`",
            )
            .into_compile_error();
        }
    };
    let cx = Ctxt::new();
    let facts = analyze::check_body(&cx, &block, false);
    let krate = krate::resolve(None);
    if cx.has_errors() {
        let errors = cx.into_compile_errors();
        return quote!({ #errors #krate::__private::fallback::<(), (), ()>() });
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
    };
    lower::generator_expr(&lowering, &[], block)
}

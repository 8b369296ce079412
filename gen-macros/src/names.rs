//! Recognising our own macros inside a body, by the last segment of their path.

use syn::parse::Parser;
use syn::{Expr, Macro};

pub enum MacroKind {
    /// `yield_!(v)` or `yield_!()`.
    Yield,
    /// `yield_from!(sub)`.
    YieldFrom,
    /// `gen_!(...)`: a generator of its own, expanded on its own.
    GenExpr,
    Other,
}

pub fn macro_kind(mac: &Macro) -> MacroKind {
    match mac
        .path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .as_deref()
    {
        Some("yield_") => MacroKind::Yield,
        Some("yield_from") => MacroKind::YieldFrom,
        Some("gen_") => MacroKind::GenExpr,
        _ => MacroKind::Other,
    }
}

/// The argument of `yield_!(arg)` or `yield_from!(arg)`; `None` for `yield_!()`.
pub fn yield_argument(mac: &Macro) -> syn::Result<Option<Expr>> {
    if mac.tokens.is_empty() {
        return Ok(None);
    }
    let parser = |input: syn::parse::ParseStream| {
        let expr: Expr = input.parse()?;
        let _ = input.parse::<Option<syn::Token![,]>>()?;
        Ok(expr)
    };
    // `parse_body_with`, not `parse2`: an argument that ends too early (`yield_!(p.)`, while it
    // is being typed) is then reported at the macro's closing delimiter, right after the
    // unfinished argument, instead of on the whole `#[generator]` attribute.
    mac.parse_body_with(parser).map(Some).or_else(|error| {
        // An argument being typed (`v.`, `n +`) is repaired, so that the body still expands;
        // the repair's `compile_error!` is then the one error.
        crate::repair::repair(mac.tokens.clone())
            .and_then(|repaired| parser.parse2(repaired).ok())
            .map(Some)
            .ok_or(error)
    })
}

//! The options of `#[generator(...)]`: `yield = Y`, `resume = R [as name]`, `throw = E`, the
//! flags `local`, `recycle` and `send`, `crate = path`.

use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, Path, Token, Type};

#[derive(Default)]
pub struct Args {
    /// `yield = Y`: the type of the yielded values.
    pub yield_ty: Option<Type>,
    /// `resume = R`: the type of the values `send`/`resume` take.
    pub resume_ty: Option<Type>,
    /// `resume = R as name`: the binding of the first resume argument.
    pub first_arg: Option<Ident>,
    /// `throw = E`: the error type `throw` raises at a `yield_!`.
    pub throw_ty: Option<Type>,
    /// `local`: the zero-allocation form, a `GenLocal` to pin where it lives.
    pub local: Option<Ident>,
    /// `recycle`: the body's block comes from a per-thread free list, not from the allocator.
    pub recycle: Option<Ident>,
    /// `send`: the generator must be `Send`, checked at the definition.
    pub send: Option<Ident>,
    /// `crate = path`: where `corogen` is, for crates that re-export it.
    pub krate: Option<Path>,
}

const HELP: &str = "expected `yield = Type`, `resume = Type`, `resume = Type as name`, \
                    `throw = Type`, `local`, `recycle`, `send` or `crate = path`";

/// Parses the options, recording every problem in `cx` and keeping what could be read.
pub fn parse(cx: &Ctxt, tokens: TokenStream) -> Args {
    let mut args = Args::default();
    let parser = |input: ParseStream| {
        while !input.is_empty() {
            if let Err(error) = parse_one(cx, input, &mut args) {
                cx.syn_error(error);
                skip_to_comma(input);
            }
            if input.is_empty() {
                break;
            }
            if let Err(error) = input.parse::<Token![,]>() {
                cx.syn_error(error);
                skip_to_comma(input);
                let _ = input.parse::<Option<Token![,]>>();
            }
        }
        Ok(())
    };
    if let Err(error) = parser.parse2(tokens) {
        cx.syn_error(error);
    }
    args
}

fn parse_one(cx: &Ctxt, input: ParseStream, args: &mut Args) -> syn::Result<()> {
    let key = input
        .call(Ident::parse_any)
        .map_err(|e| syn::Error::new(e.span(), HELP))?;
    let name = key.to_string();
    if name == "local" || name == "recycle" {
        let flag = key.clone();
        let slot = if name == "local" {
            &mut args.local
        } else {
            &mut args.recycle
        };
        set_once(cx, &key, slot, flag);
        return Ok(());
    }
    if name == "send" {
        let flag = key.clone();
        set_once(cx, &key, &mut args.send, flag);
        return Ok(());
    }
    if !matches!(name.as_str(), "yield" | "resume" | "throw" | "crate") {
        return Err(syn::Error::new(
            key.span(),
            format!("unknown option `{name}`: {HELP}"),
        ));
    }
    input
        .parse::<Token![=]>()
        .map_err(|e| syn::Error::new(e.span(), format!("expected `=` after `{name}`")))?;
    match name.as_str() {
        "yield" => set_once(cx, &key, &mut args.yield_ty, input.parse()?),
        "resume" => {
            set_once(cx, &key, &mut args.resume_ty, input.parse()?);
            if input.peek(Token![as]) {
                input.parse::<Token![as]>()?;
                args.first_arg = Some(input.parse()?);
            }
        }
        "throw" => set_once(cx, &key, &mut args.throw_ty, input.parse()?),
        _ => set_once(
            cx,
            &key,
            &mut args.krate,
            input.call(Path::parse_mod_style)?,
        ),
    }
    Ok(())
}

fn set_once<T>(cx: &Ctxt, key: &Ident, slot: &mut Option<T>, value: T) {
    if slot.is_some() {
        cx.error_at(key.span(), format!("`{key}` is given twice; give it once"));
    } else {
        *slot = Some(value);
    }
}

fn skip_to_comma(input: ParseStream) {
    let _ = input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            if matches!(&tt, proc_macro2::TokenTree::Punct(p) if p.as_char() == ',') {
                return Ok(((), rest));
            }
            rest = next;
        }
        Ok(((), rest))
    });
}

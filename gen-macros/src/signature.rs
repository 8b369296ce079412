//! The signature of a generator function: its three types, its lifetimes and its parameters.
//!
//! The function keeps its name, generics and parameters but returns a `Gen<impl Body<…>>`, so
//! - elided input lifetimes get names (`&self` → `&'__life0 self`), because the returned type must
//!   name every lifetime it captures (edition 2021 captures only named ones);
//! - elided lifetimes in the yield, resume and return types follow the elision rules of a return
//!   type: the lifetime of `&self`/`&mut self`, else the only input lifetime;
//! - each parameter is moved into the body by a `let` at its top, so that it lives until the body
//!   ends even when the body never mentions it (a pattern parameter becomes a hidden name and the
//!   pattern moves into that `let`).

use crate::args::Args;
use crate::ctxt::Ctxt;
use proc_macro2::Span;
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{
    FnArg, GenericArgument, GenericParam, Ident, Lifetime, LifetimeParam, Pat, PathArguments,
    ReturnType, Signature, Type, TypeParamBound, TypeReference,
};

pub struct GenSignature {
    /// The signature with named lifetimes and plain parameter names; its output is still the
    /// user's.
    pub sig: Signature,
    /// How each parameter moves into the body.
    pub parameters: Vec<MovedParameter>,
    pub yield_ty: Type,
    pub resume_ty: Type,
    pub return_ty: Type,
    /// Every lifetime parameter, for the `Captures` bounds.
    pub lifetimes: Vec<Lifetime>,
    /// Whether the function takes `self` (then `Self` is named in the bounds too).
    pub has_receiver: bool,
    /// `async fn`: an async generator (a `Stream`); the emitted function itself is not async.
    pub is_async: bool,
    /// `local`: the zero-allocation form (`GenLocal`).
    pub is_local: bool,
}

/// Reads `sig` and the attribute's `args`. Records every problem in `cx`; `None` when the types
/// could not be determined.
pub fn analyze(cx: &Ctxt, sig: &Signature, args: &Args) -> Option<GenSignature> {
    check_qualifiers(cx, sig);
    let mut sig = sig.clone();
    let is_async = sig.asyncness.take().is_some();

    let mut namer = ElisionNamer::default();
    for input in &mut sig.inputs {
        namer.visit_fn_arg_mut(input);
    }
    for lifetime in &namer.fresh {
        sig.generics
            .params
            .push(GenericParam::Lifetime(LifetimeParam::new(lifetime.clone())));
    }
    let output_lifetime = output_lifetime(&sig);

    let (user_return, iterator_item) = match &sig.output {
        ReturnType::Default => (syn::parse_quote!(()), None),
        // `-> !`, the natural signature of an endless generator: `!` is not a type stable Rust
        // lets us name elsewhere (`Return = !` is E0658), so the return type is `Infallible`,
        // which the body's diverging tail coerces to like any type.
        ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_)) => {
            let at_never = Span::mixed_site().located_at(ty.span());
            (
                syn::parse_quote_spanned!(at_never=> ::core::convert::Infallible),
                None,
            )
        }
        ReturnType::Type(_, ty) => ((**ty).clone(), impl_iterator_item(ty)),
    };
    let (yield_ty, return_ty) = match (&args.yield_ty, iterator_item) {
        (Some(yield_ty), _) => (yield_ty.clone(), user_return),
        (None, Some(item)) => (item, syn::parse_quote!(())),
        (None, None) => {
            cx.error_at(
                sig.ident.span(),
                "the yield type of this generator is not given: write `#[generator(yield = Type)]`, \
                 or return `impl Iterator<Item = Type>`",
            );
            return None;
        }
    };
    let mut resume_ty = match &args.resume_ty {
        Some(resume_ty) => resume_ty.clone(),
        None => syn::parse_quote!(()),
    };
    if let Some(throw_ty) = &args.throw_ty {
        // `throw = E`: each resume is `Ok(sent)` or `Err(thrown)`.
        resume_ty = syn::parse_quote!(::core::result::Result<#resume_ty, #throw_ty>);
    }

    let mut filler = ElisionFiller {
        cx,
        lifetime: output_lifetime,
    };
    let [mut yield_ty, mut resume_ty, mut return_ty] = [yield_ty, resume_ty, return_ty];
    filler.visit_type_mut(&mut yield_ty);
    filler.visit_type_mut(&mut resume_ty);
    filler.visit_type_mut(&mut return_ty);

    let parameters = bind_parameters(&mut sig);
    let lifetimes = sig
        .generics
        .lifetimes()
        .map(|param| param.lifetime.clone())
        .collect();
    let has_receiver = sig.receiver().is_some();
    Some(GenSignature {
        sig,
        parameters,
        yield_ty,
        resume_ty,
        return_ty,
        lifetimes,
        has_receiver,
        is_async,
        is_local: args.local.is_some(),
    })
}

fn check_qualifiers(cx: &Ctxt, sig: &Signature) {
    if let Some(constness) = &sig.constness {
        cx.error_spanned_by(
            constness,
            "a generator cannot be a `const fn`: its body runs later, when it is resumed; remove `const`",
        );
    }
    if let Some(abi) = &sig.abi {
        cx.error_spanned_by(
            abi,
            "a generator cannot be an `extern` function: it returns a Rust generator object; \
             remove the ABI, or wrap the generator in an `extern` function of your own",
        );
    }
    if let Some(variadic) = &sig.variadic {
        cx.error_spanned_by(variadic, "a generator cannot be variadic");
    }
}

/// The item type of `impl Iterator<Item = T>`.
fn impl_iterator_item(ty: &Type) -> Option<Type> {
    let Type::ImplTrait(impl_trait) = ty else {
        return None;
    };
    impl_trait.bounds.iter().find_map(|bound| {
        let TypeParamBound::Trait(trait_bound) = bound else {
            return None;
        };
        let last = trait_bound.path.segments.last()?;
        if last.ident != "Iterator" {
            return None;
        }
        let PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        args.args.iter().find_map(|arg| match arg {
            GenericArgument::AssocType(assoc) if assoc.ident == "Item" => Some(assoc.ty.clone()),
            _ => None,
        })
    })
}

/// The lifetime elided output lifetimes stand for: that of `&self`, else the only input lifetime.
fn output_lifetime(sig: &Signature) -> Option<Lifetime> {
    if let Some(receiver) = sig.receiver() {
        if let Some((_, Some(lifetime))) = &receiver.reference {
            return Some(lifetime.clone());
        }
        if let Type::Reference(TypeReference {
            lifetime: Some(lifetime),
            ..
        }) = &*receiver.ty
        {
            return Some(lifetime.clone());
        }
    }
    let mut collector = LifetimeCollector::default();
    for input in &sig.inputs {
        if let FnArg::Typed(typed) = input {
            syn::visit::Visit::visit_type(&mut collector, &typed.ty);
        }
    }
    collector.lifetimes.dedup_by(|a, b| a.ident == b.ident);
    match collector.lifetimes.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    }
}

/// Gives every elided lifetime of the inputs a name, except inside `fn(&T)` types and `Fn(&T)`
/// bounds, where elision means a higher-ranked lifetime.
#[derive(Default)]
struct ElisionNamer {
    fresh: Vec<Lifetime>,
}

impl ElisionNamer {
    fn fresh(&mut self, span: Span) -> Lifetime {
        let lifetime = Lifetime::new(&format!("'__life{}", self.fresh.len()), span);
        self.fresh.push(lifetime.clone());
        lifetime
    }
}

impl VisitMut for ElisionNamer {
    fn visit_receiver_mut(&mut self, receiver: &mut syn::Receiver) {
        if let Some((and, lifetime @ None)) = &mut receiver.reference {
            let named = self.fresh(and.span);
            *lifetime = Some(named.clone());
            if let Type::Reference(reference) = &mut *receiver.ty {
                reference.lifetime = Some(named);
            }
            return;
        }
        visit_mut::visit_receiver_mut(self, receiver);
    }

    fn visit_type_reference_mut(&mut self, reference: &mut TypeReference) {
        if reference.lifetime.is_none() {
            reference.lifetime = Some(self.fresh(reference.and_token.span));
        }
        visit_mut::visit_type_reference_mut(self, reference);
    }

    fn visit_lifetime_mut(&mut self, lifetime: &mut Lifetime) {
        if lifetime.ident == "_" {
            *lifetime = self.fresh(lifetime.span());
        }
    }

    fn visit_type_bare_fn_mut(&mut self, _: &mut syn::TypeBareFn) {}

    fn visit_parenthesized_generic_arguments_mut(
        &mut self,
        _: &mut syn::ParenthesizedGenericArguments,
    ) {
    }
}

/// Replaces elided lifetimes in an output type by the elision lifetime.
struct ElisionFiller<'a> {
    cx: &'a Ctxt,
    lifetime: Option<Lifetime>,
}

impl ElisionFiller<'_> {
    fn fill(&self, span: Span) -> Option<Lifetime> {
        if self.lifetime.is_none() {
            self.cx.error_at(
                span,
                "missing lifetime: this generator has no `&self` and not exactly one input \
                 lifetime to borrow from; name the lifetime, e.g. `fn f<'a>(x: &'a str)` with \
                 `yield = &'a str`",
            );
        }
        self.lifetime.clone()
    }
}

impl VisitMut for ElisionFiller<'_> {
    fn visit_type_reference_mut(&mut self, reference: &mut TypeReference) {
        if reference.lifetime.is_none() {
            reference.lifetime = self.fill(reference.and_token.span);
        }
        visit_mut::visit_type_reference_mut(self, reference);
    }

    fn visit_lifetime_mut(&mut self, lifetime: &mut Lifetime) {
        if lifetime.ident == "_" {
            if let Some(filled) = self.fill(lifetime.span()) {
                *lifetime = filled;
            }
        }
    }

    fn visit_type_bare_fn_mut(&mut self, _: &mut syn::TypeBareFn) {}

    fn visit_parenthesized_generic_arguments_mut(
        &mut self,
        _: &mut syn::ParenthesizedGenericArguments,
    ) {
    }
}

#[derive(Default)]
struct LifetimeCollector {
    lifetimes: Vec<Lifetime>,
}

impl<'ast> syn::visit::Visit<'ast> for LifetimeCollector {
    fn visit_lifetime(&mut self, lifetime: &'ast Lifetime) {
        if lifetime.ident != "static"
            && !self
                .lifetimes
                .iter()
                .any(|seen| seen.ident == lifetime.ident)
        {
            self.lifetimes.push(lifetime.clone());
        }
    }

    fn visit_type_bare_fn(&mut self, _: &'ast syn::TypeBareFn) {}

    fn visit_parenthesized_generic_arguments(
        &mut self,
        _: &'ast syn::ParenthesizedGenericArguments,
    ) {
    }
}

/// A parameter as the body takes it: the user's pattern, bound to the value the function
/// received (`argument`, the parameter's name in the emitted signature).
pub struct MovedParameter {
    pub pattern: Pat,
    pub argument: Ident,
}

/// How each parameter moves into the body, so it lives until the body ends.
///
/// Input:  `fn f(mut n: u32, (a, b): (u8, u8), _: Guard)`
/// Output: `fn f(n: u32, __arg1: (u8, u8), __arg2: Guard)` and the parameters `mut n` (from
///         `n`), `(a, b)` (from `__arg1`) and `__arg2` (from `__arg2`), which the lowering makes
///         the body's async closure's (`body_with_parameters` in `lower.rs`)
fn bind_parameters(sig: &mut Signature) -> Vec<MovedParameter> {
    let mut parameters = Vec::new();
    for (index, input) in sig.inputs.iter_mut().enumerate() {
        let FnArg::Typed(typed) = input else { continue };
        match &mut *typed.pat {
            Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => {
                let mutability = pat.mutability.take();
                let ident = pat.ident.clone();
                parameters.push(MovedParameter {
                    pattern: syn::parse_quote!(#mutability #ident),
                    argument: ident,
                });
            }
            pat => {
                let hidden = format_ident!("__arg{}", index, span = Span::mixed_site());
                let user_pat = std::mem::replace(pat, Pat::Verbatim(quote!(#hidden)));
                let pattern = match user_pat {
                    // A `_` would drop the value at once: it is bound, so it lives on too.
                    Pat::Wild(_) => Pat::Verbatim(quote!(#hidden)),
                    user_pat => user_pat,
                };
                parameters.push(MovedParameter {
                    pattern,
                    argument: hidden,
                });
            }
        }
    }
    parameters
}

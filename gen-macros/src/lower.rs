//! The lowering: a generator body becomes an `async` block that the runtime drives.
//!
//! # The transform
//!
//! Rust already turns `async` blocks into state machines: every `.await` is a suspension point,
//! every live local is saved in the state, every scope drops its locals in order, and borrows of
//! the block's own locals may live across suspensions (the state is pinned). A generator needs
//! exactly that, plus a way to pass one value out at each suspension and one value in at each
//! resume. So the macro does not build a state machine itself; it rewrites the body into an
//! `async` block and each `yield_!` into an await:
//!
//! ```text
//! #[generator(yield = u64)]                fn fib(n: usize) -> Gen<impl Body<Yield = u64,
//! fn fib(n: usize) -> &'static str {                               Resume = (), Return = &'static str>> {
//!     let (mut a, mut b) = (0, 1);             enum __CorogenMarker {}          // one per expansion
//!     for _ in 0..n {                          impl Marker for __CorogenMarker { const NAME = "fib"; }
//!         yield_!(a);            ==>           let __co = unsafe { Co::<u64, (), __CorogenMarker>::new() };
//!         (a, b) = (b, a + b);                 new_gen(__co, call_once_1(async move |n| {
//!     }                                            let __ret: &'static str = {
//!     "done"                                           let (mut a, mut b) = (0, 1);
//! }                                                    for _ in 0..n {
//!                                                          __co.yield_(a).await;
//!                                                          (a, b) = (b, a + b);
//!                                                      }
//!                                                      "done"
//!                                                  };
//!                                                  __ret
//!                                              }, n))                           // parameters move in
//!                                          }
//! ```
//!
//! With parameters, the async block is the body of an async closure that takes them and is
//! called once (`call_once_N`, one per arity up to 8, then one tuple): its future is the same
//! state machine as `async move { let n = n; … }`, and the parameters are dropped when the body
//! ends, after its locals, as an `async fn`'s are. Written as the closure's parameters they are
//! parameters to rust-analyzer too (hover says `n: usize`, not `let n`). Without parameters it
//! is a plain `async move` block.
//!
//! `Gen::resume(arg)` (in `gen-runtime`) puts `arg` in a slot in its own stack frame and polls the
//! block once with a waker whose data pointer is that slot. `__co.yield_(v)` is a future that, on
//! its first poll, moves `v` into the slot and returns `Pending`; `resume` then takes `v` out and
//! returns `Yielded(v)`. On the next resume the same future is polled again, takes the new `arg`
//! from the slot and completes with it: that is the value of the `yield_!` expression. When the
//! block completes, `resume` returns `Complete(ret)`. Nothing is allocated per item and no state
//! is shared but the slot, which lives only during one `resume`; after inlining, the optimiser
//! sees a plain store and load.
//!
//! # States
//!
//! The async block's own states are the generator's, and `Gen` adds a status around them:
//! - `Created`: the block has not been polled; no code of the body has run. The first resume
//!   runs it to its first `yield_!` (its argument is dropped unless `resume = R as name` binds it:
//!   then the body starts with `let name = __co.first_arg().await;`, a future that is ready at
//!   once with the argument).
//! - `Suspended(k)`: stopped at the k-th `yield_!`, every local live there saved in the block.
//! - `Delegating(k, stack)`: suspended at the k-th `yield_from!`, with the stack of delegates
//!   that resumes go to (see below).
//! - `Running`: inside `resume`. A resume that unwinds leaves this status behind, and it then
//!   means "poisoned": resuming again panics with a clear message.
//! - `Completed`: the block returned (or a `throw` finished it); resuming panics,
//!   `Iterator::next` returns `None`.
//! - `Closed`: `close()` dropped the block before its end.
//!
//! Dropping a `Gen` drops the block, which drops the locals live at its suspension point,
//! innermost scope first: the Rust form of Python's `finally` on `close()`.
//!
//! # Delegation: `yield_from!`
//!
//! ```text
//! let r = yield_from!(sub);   ==>   let r = {
//!                                       let mut __sub = match sub {
//!                                           v => (&v).__corogen_kind().delegate(__co, v),
//!                                       };
//!                                       __co.delegate(&mut __sub).await;
//!                                       Finish::finish(&mut __sub)
//!                                   };
//! ```
//!
//! Method resolution on `&sub` picks the delegate: a `Gen` (by value or `&mut`) is
//! resumed as a generator and `Finish` takes its return value; anything else `IntoIterator` is
//! iterated and gives `()`. `__sub` is a `Checked`: the delegate, after a table of what the
//! runtime can do with it without knowing its type. The delegate future does not loop over the
//! sub-generator. Its first poll leaves a request (a pointer to `__sub` and the resume function
//! of its type) in the slot and returns `Pending`; the `Gen` that polled the body then resumes
//! `__sub` itself, and when `__sub` delegates in turn, the request travels up to the outermost
//! `Gen`, which keeps them all on one stack. Each resume goes straight to the innermost delegate,
//! whose body is polled with the outermost resume's own slot (its marker switched to that
//! body's), so items cost the same at any depth. When a delegate completes it is popped and its
//! parent is polled again: the delegate future completes, and `Finish` takes the result out of
//! `__sub`, which is then dropped in place at the end of the block.
//!
//! A thrown error is a resume value like any other, so it reaches the innermost delegate first.
//! In a generator with `throw = E` the tag's method is `delegate_throwing`: a generator is
//! delegated to as above (its `Result` return value carries an error it did not handle), and an
//! iterable, which cannot handle one, ends at a thrown error, which `Finish` then gives as the
//! `Err` of the `Result<(), E>` that `yield_from!` evaluates to there.
//!
//! Closing or dropping the outer generator ends its delegation top first, through the tables: each
//! owned delegate's body is dropped in place (the innermost generator's locals go first, and the
//! `__sub` its parent then drops is empty, so no drop recurses down the chain), then the outer
//! body. A delegate borrowed through `&mut` is closed by `close()`; on a drop it takes back the
//! entries above it, its own delegation, and goes on alone.
//!
//! The stack holds raw pointers into suspended parents' states. The argument that they stay valid
//! (`gen-runtime/src/delegate.rs`): each points at a `__sub` local of a pinned body that stays
//! suspended at that `.await` until the pointer is popped; a body is dropped only after every
//! entry pointing into it was popped; a panic poisons the outermost generator, which never resumes
//! through its stack again (its drop only ends the entries). The pointers are `Send`/`Sync`
//! exactly when the generator's body is, because they point into that body.
//!
//! # Async generators
//!
//! An `async fn` generator (or `gen_!(async move { … })`) is lowered the same way, through an
//! `AsyncCo<Y, M, R>` into an `AsyncGen`, whose polls find the slot through a wrapper of the
//! executor's waker (`gen-runtime/src/async_slot.rs`); the body may await anything.
//!
//! ```text
//! #[generator(yield = Y, resume = R as first)]   ==>   let __co = unsafe { AsyncCo::<Y, M, R>::new() };
//! async fn f() { … let x = yield_!(v); … }             new_async_gen(__co, async move {
//!                                                          let first: R = __co.first_arg().await;
//!                                                          … let x = __co.yield_taking(v).await; …
//!                                                      })
//! ```
//!
//! - Without `resume =` (or `throw =`) it takes no values, and is a plain `Stream`: yields are
//!   `__co.yield_(v).await`, which evaluate to `()` and never read a value, and the marker's
//!   `TAKES_VALUES` is left `false`. A plain stream's items then cost what they did before async
//!   generators could take values.
//! - With them it takes values (`TAKES_VALUES = true`): yields are `yield_taking`, which evaluate
//!   to the value sent, and the body starts by taking the first value (bound by `as first`, else
//!   dropped at once, as a plain generator drops it). So every value offered is taken by the
//!   body as soon as the body reaches it, and the runtime tells a value delivered from one that
//!   is not by whether it is still there (see `AsyncGen`'s cancellation docs).
//! - `yield_from!(sub)` becomes the same block as above, with the tag picked among async
//!   generators and plain generators, `Stream`s, and iterables, by
//!   `(&&&probe(&sub)).__corogen_async_kind()` (one more level of the autoref technique than the
//!   plain generators need: `gen-runtime/src/async_delegate.rs`); the outermost `AsyncGen` keeps
//!   the stack of requests and polls the top.
//!
//! # A line being typed
//!
//! An editor expands the macros on every keystroke, so the body is often half written. Where
//! rustc and rust-analyzer would repair it themselves (a broken line outside any macro call),
//! they do; inside `yield_!(…)`, `yield_from!(…)` and `gen_!(…)` the tokens reach us as typed,
//! and the lowering keeps the rest of the body expanding:
//!
//! ```text
//! yield_!(v.)            ==>  __co.yield_(v.__corogen_unfinished(compile_error!("…"))).await
//! total +;  (in gen_!)   ==>  total + compile_error!("…");
//! yield_!(helper(n n))   ==>  __co.yield_({ unparsed!(helper(n n)); (compile_error!("…")) }).await
//! ```
//!
//! The first two are `repair.rs`: the method comes from `Unfinished`, which every expansion
//! imports, so that the finished and the unfinished line expand alike up to the cursor. The last
//! is `repair::keep_unparsed`: the tokens reach an expression only under `cfg(rust_analyzer)`.
//! Each time the `compile_error!` is the mistake's one error and has the error type, so rustc
//! reports nothing else about that yield. Generated tokens are never located on a user token:
//! rust-analyzer would take each as one more meaning of it (hover, go-to-definition).
//!
//! # Soundness
//!
//! All `unsafe` is in `gen-runtime`; generated code contains one `unsafe` block, around
//! `Co::new()` (or `AsyncCo::new()`), with no user expression in it (it is spanned `mixed_site`, so the user's
//! `#![forbid(unsafe_code)]` does not apply to it). The argument:
//! - `__co` is hygienic (`Span::mixed_site()`): user code cannot name it, so every yield future
//!   in the block was made by this lowering, and only for this block.
//! - Yields are rewritten only directly in the body, never inside closures, nested items, async
//!   blocks or other macros' arguments (`analyze` rejects those): a yield future is therefore
//!   polled only when this block is, which is only inside this generator's `resume`.
//! - The runtime checks at each poll that the waker is a slot waker (vtable compared by address)
//!   and that the slot's marker is this expansion's `__CorogenMarker`, so even a future that
//!   reached another generator would panic rather than write into the wrong slot. A waker clone
//!   never carries the slot pointer, so nothing can reach the slot after `resume` returns.
//! - Awaiting a foreign future that returns `Pending` in a plain generator leaves the slot empty;
//!   `resume` sees that and panics rather than report a yield it does not have.

use crate::names::{MacroKind, macro_kind, yield_argument};
use crate::signature::{GenSignature, MovedParameter};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, Ident, ItemFn, Path, Stmt, Type};

/// What the lowering needs besides the body.
pub struct Lowering<'a> {
    pub krate: &'a Path,
    pub yield_ty: Option<&'a Type>,
    pub resume_ty: &'a Type,
    pub return_ty: Option<&'a Type>,
    pub first_arg: Option<&'a Ident>,
    pub name: String,
    /// Whether the body has a `yield_from!`.
    pub delegates: bool,
    /// Whether the generator can be thrown into (`throw = E`): its resume type is then
    /// `Result<R, E>`, and a `yield_from!` of an iterable evaluates to `Result<(), E>`.
    pub throws: bool,
    /// An async generator that takes values (`resume =` or `throw =` given): its yields
    /// evaluate to the value sent, and its body takes the first one at its top.
    pub takes_values: bool,
    /// An async generator: yields go through an `AsyncCo` and the result is an `AsyncGen`.
    pub is_async: bool,
    /// The zero-allocation form: the result is a `GenLocal`.
    pub is_local: bool,
    /// `recycle`: the `Gen`'s body block comes from a per-thread free list.
    pub recycles: bool,
    /// `send`: where the option was written, at which a generator that is not `Send` is
    /// reported.
    pub require_send: Option<Span>,
}

/// The hidden name of the yield capability inside the body.
fn co_ident() -> Ident {
    Ident::new("__co", Span::mixed_site())
}

/// Emits the expression that builds the generator from `body` (already checked by `analyze`).
///
/// Input:  `{ stmts }` plus the parameters it takes
/// Output: `{ marker; let __co = unsafe { Co::new() }; new_gen(__co, call_once_N(async move |…| { … }, …)) }`
pub fn generator_expr(
    lowering: &Lowering,
    parameters: &[MovedParameter],
    mut body: Block,
) -> TokenStream {
    let Lowering {
        krate,
        resume_ty,
        first_arg,
        name,
        ..
    } = lowering;
    let private = quote!(#krate::__private);
    let delegates = lowering.delegates;
    // Only `recycle` generators say so: the others keep the trait's default (and their
    // expansion stays as it was).
    let recycles = lowering
        .recycles
        .then(|| quote_spanned!(Span::mixed_site()=> const RECYCLES: bool = true;));
    YieldRewriter {
        private: &private,
        yield_ty: lowering.yield_ty.filter(|ty| !contains_impl_trait(ty)),
        throws: lowering.throws,
        is_async: lowering.is_async,
        takes_values: lowering.takes_values,
    }
    .visit_block_mut(&mut body);
    let mixed = Span::mixed_site();
    let co = co_ident();
    let marker = Ident::new("__CorogenMarker", mixed);
    let takes_values = lowering
        .takes_values
        .then(|| quote_spanned!(mixed=> const TAKES_VALUES: bool = true;));
    let yield_ty = lowering
        .yield_ty
        .map_or_else(|| quote!(_), ToTokens::to_token_stream);
    let first = first_arg.map(
        |first| quote_spanned!(first.span()=> let #first: #resume_ty = #co.first_arg().await;),
    );
    let ret = Ident::new("__ret", mixed);
    let tail = match lowering.return_ty {
        // The `let` gives the block's value its type, so a wrong value is reported at the body's
        // tail, not at the signature.
        Some(return_ty) if !contains_impl_trait(return_ty) => {
            // A `return` in the body returns from the async block, whose output type is
            // inferred from its first `return`: this never-taken one, spanned on the written
            // return type, makes a `return value` of the wrong type an error at `value`.
            // `unreachable_code`, `diverging_sub_expression`: the `return` is never reached, on
            // purpose; only its type matters.
            let typed_return = quote_spanned! {return_ty.span()=>
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                if false {
                    return ::core::panic!() as #return_ty;
                }
            };
            quote_spanned! {mixed=>
                #typed_return
                let #ret: #return_ty = #body;
                #[allow(unreachable_code)]
                #ret
            }
        }
        // The block's statements, not the block: braces around a tail would draw `unused_braces`.
        _ => {
            let stmts = &body.stmts;
            quote!(#(#stmts)*)
        }
    };
    let new_gen = if lowering.is_local {
        quote!(new_local_gen)
    } else {
        quote!(new_gen)
    };
    // Input:  `#[generator(…, send)]`
    // Output: `new_gen(__co, require_send(async move { … }))`: a body that holds something not
    // `Send` across a yield is then an error at the definition, naming that local, its type and
    // the yield, rather than at a distant `thread::spawn` naming the runtime's types.
    let require_send = |block: TokenStream| match lowering.require_send {
        Some(at_option) => {
            let check = quote_spanned!(at_option.resolved_at(mixed)=> #private::require_send);
            quote_spanned!(mixed=> #check(#block))
        }
        None => block,
    };
    // An async generator binds its first argument its own way (below).
    let first = first.filter(|_| !lowering.is_async);
    let body_future = require_send(body_with_parameters(
        &private,
        parameters,
        quote_spanned!(mixed=> #first #tail),
    ));
    let construct = if lowering.is_async {
        // An async generator that takes values takes the first one at its top, as a plain
        // generator's `first_arg` does, bound or dropped at once: then every value sent is taken
        // by the body as soon as it reaches it, which is how the runtime tells a value delivered.
        let first = lowering.takes_values.then(|| match first_arg {
            Some(first) => {
                quote_spanned!(first.span()=> let #first: #resume_ty = #co.first_arg().await;)
            }
            None => quote_spanned!(mixed=> let _: #resume_ty = #co.first_arg().await;),
        });
        let async_body_future = require_send(body_with_parameters(
            &private,
            parameters,
            quote_spanned!(mixed=> #first #tail),
        ));
        quote_spanned! {mixed=>
            // SAFETY: `__co` is hygienic, so only yields this expansion rewrote use it, all
            // awaited where they stand directly in the body whose future is passed with it to
            // `new_async_gen` (`analyze` rejects yields in closures, nested async blocks and
            // other macros);
            // `__CorogenMarker` is this expansion's own, and says whether the body takes values
            // (`yield_taking`, `first_arg`) and delegates (`delegate`).
            let #co = unsafe { #private::AsyncCo::<#yield_ty, #marker, #resume_ty>::new() };
            #private::new_async_gen(#co, #async_body_future)
        }
    } else {
        quote_spanned! {mixed=>
            // SAFETY: `__co` is hygienic, so only yields this expansion rewrote use it, all
            // inside the body whose future is passed with it to `new_gen` (the async block, or
            // the async closure's body that `call_once_N` starts); `__CorogenMarker` is this
            // expansion's own.
            let #co = unsafe { #private::Co::<#yield_ty, #resume_ty, #marker>::new() };
            #private::#new_gen(#co, #body_future)
        }
    };
    quote_spanned! {mixed=>
        {
            enum #marker {}
            impl #private::Marker for #marker {
                const NAME: &'static str = #name;
                const DELEGATES: bool = #delegates;
                #recycles
                #takes_values
            }
            // For a line being typed: `v.` is repaired into a call of `Unfinished`'s method
            // (see `repair.rs`). Imported by every expansion, so that the finished and the
            // unfinished line expand alike.
            #[allow(unused_imports)]
            use #private::Unfinished as _;
            #construct
        }
    }
}

/// The generator function: the user's item with the new return type and body.
pub fn generator_fn(item: &ItemFn, signature: &GenSignature, lowering: &Lowering) -> TokenStream {
    let mut sig = signature.sig.clone();
    let return_type = gen_return_type(signature, lowering.krate);
    sig.output = syn::parse_quote_spanned!(sig.output.span()=> -> #return_type);
    let body = generator_expr(lowering, &signature.parameters, (*item.block).clone());
    let attrs = &item.attrs;
    // An async generator function only moves its arguments into the body and boxes it: inlined
    // into its caller, the optimiser sees the whole stream (and may keep the body's state out of
    // memory) instead of an opaque call. The user's own `#[inline(…)]` wins.
    let inline = (lowering.is_async && !attrs.iter().any(|attr| attr.path().is_ident("inline")))
        .then(|| quote!(#[inline]));
    let vis = &item.vis;
    quote! {
        #(#attrs)*
        #inline
        #vis #sig
        #body
    }
}

/// `Gen<impl Body<Yield = Y, Resume = R, Return = Ret> + Captures<…>>`.
pub fn gen_return_type(signature: &GenSignature, krate: &Path) -> TokenStream {
    let GenSignature {
        yield_ty,
        resume_ty,
        return_ty,
        lifetimes,
        has_receiver,
        is_async,
        ..
    } = signature;
    let captures_self = has_receiver.then(|| quote!(+ #krate::__private::Captures<Self>));
    let kind = match (*is_async, signature.is_local) {
        (true, _) => quote!(AsyncGen),
        (false, true) => quote!(GenLocal),
        (false, false) => quote!(Gen),
    };
    quote! {
        #krate::#kind<impl #krate::Body<Yield = #yield_ty, Resume = #resume_ty, Return = #return_ty>
            #(+ #krate::__private::Captures<&#lifetimes ()>)*
            #captures_self>
    }
}

/// Input:  the parameters `n` (from `n`) and `(a, b)` (from `__arg1`), and the body's statements
/// Output: `call_once_2(async move |n, (a, b)| { body }, n, __arg1)`, or `async move { body }`
///         when there are no parameters
/// The parameters are the async closure's, so that the editor shows them as parameters; they
/// are moved into the body and dropped when it ends, after its locals, as an `async fn`'s are.
fn body_with_parameters(
    private: &TokenStream,
    parameters: &[MovedParameter],
    body: TokenStream,
) -> TokenStream {
    let mixed = Span::mixed_site();
    if parameters.is_empty() {
        return quote_spanned!(mixed=> async move { #body });
    }
    let patterns = parameters.iter().map(|parameter| &parameter.pattern);
    let arguments = parameters.iter().map(|parameter| &parameter.argument);
    // `call_once_N` for up to 8 parameters (see the runtime's `__private`), else a tuple.
    if parameters.len() <= 8 {
        let call = Ident::new(&format!("call_once_{}", parameters.len()), mixed);
        quote_spanned! {mixed=>
            #private::#call(async move |#(#patterns),*| { #body }, #(#arguments),*)
        }
    } else {
        quote_spanned! {mixed=>
            #private::call_once_tuple(async move |(#(#patterns,)*)| { #body }, (#(#arguments,)*))
        }
    }
}

fn contains_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_type(&mut finder, ty);
    finder.0
}

/// Rewrites each `yield_!` that stands directly in the body (closures, async blocks, nested items
/// and other macros are not entered: `analyze` already rejected yields there).
struct YieldRewriter<'a> {
    private: &'a TokenStream,
    /// The declared yield type, when a `let` can name it.
    yield_ty: Option<&'a Type>,
    /// `throw = E`: delegations go through the tags' `delegate_throwing`.
    throws: bool,
    /// An async generator: `yield_from!` picks among the async tags.
    is_async: bool,
    /// An async generator that takes values: `yield_!` is `yield_taking`.
    takes_values: bool,
}

impl YieldRewriter<'_> {
    fn rewrite(&mut self, mac: &syn::Macro) -> Option<Expr> {
        match macro_kind(mac) {
            MacroKind::Yield => Some(self.rewrite_yield(mac)),
            MacroKind::YieldFrom => Some(self.rewrite_yield_from(mac)),
            MacroKind::GenExpr | MacroKind::Other => None,
        }
    }

    fn argument(&mut self, mac: &syn::Macro) -> Expr {
        let span = mac.span();
        let mut value = match yield_argument(mac) {
            Ok(Some(value)) => value,
            Ok(None) => syn::parse_quote_spanned!(span=> ()),
            Err(error) => return crate::repair::keep_unparsed(self.private, mac, &error),
        };
        self.visit_expr_mut(&mut value);
        value
    }

    /// Input:  `yield_!(value)` / `yield_!()`
    /// Output: `__co.yield_(value).await` / `__co.yield_(()).await`
    fn rewrite_yield(&mut self, mac: &syn::Macro) -> Expr {
        let mut value = self.argument(mac);
        if let Some(yield_ty) = self.yield_ty {
            // A value of the wrong type is then reported at the argument, with "expected due to
            // this" at `yield = Type`, not as a bad argument to a runtime method.
            // The `let` is generated: spanned on the user's value, it would be a second token
            // at the value's place (rust-analyzer then shows the `let` keyword's docs on hover).
            let typed = Ident::new("__yielded", Span::mixed_site());
            value = syn::parse_quote_spanned!(Span::mixed_site()=> {
                let #typed: #yield_ty = #value;
                #typed
            });
        }
        let co = co_ident();
        if self.takes_values {
            syn::parse_quote_spanned!(mac.span()=> #co.yield_taking(#value).await)
        } else {
            syn::parse_quote_spanned!(mac.span()=> #co.yield_(#value).await)
        }
    }

    /// Input:  `yield_from!(sub)`
    /// Output: `{ let mut __sub = match sub { v => (&v).__corogen_kind().delegate(__co, v) };
    ///            __co.delegate(&mut __sub).await;
    ///            Finish::finish(&mut __sub) }`
    /// The method call picks, by the type of `sub`, between resuming a generator (whose return
    /// value is the result) and iterating anything else (`()`). In a generator with `throw = E`
    /// it is `delegate_throwing`: an iterable then ends at a thrown error, and the result is
    /// `Result<(), E>` (a generator's is its own `Result`, which carries the error it did not
    /// handle).
    fn rewrite_yield_from(&mut self, mac: &syn::Macro) -> Expr {
        let sub = self.argument(mac);
        let co = co_ident();
        let private = self.private;
        let local = Ident::new("__sub", Span::mixed_site());
        let span = mac.span();
        // The delegate call is located on the macro's name (hygiene kept): a value that is not
        // iterable, or yields the wrong type, is reported once, at this `yield_from!`. Not on the
        // argument: rust-analyzer takes every generated token located on (or around) a token of
        // the user's as one more meaning of it, so hover and go-to-definition on `helper` in
        // `yield_from!(helper(n))` also listed `__value`, `delegate` and `__corogen_kind`.
        let macro_name = mac
            .path
            .segments
            .last()
            .map_or_else(|| mac.span(), |s| s.ident.span());
        let at_argument = Span::mixed_site().located_at(macro_name);
        let value = Ident::new("__value", at_argument);
        let co_at_argument = Ident::new("__co", at_argument);
        let delegate = if self.throws {
            Ident::new("delegate_throwing", at_argument)
        } else {
            Ident::new("delegate", at_argument)
        };
        let finish = self.finish_call(&local, span);
        if self.is_async {
            // Input:  `yield_from!(sub)` in an async generator
            // Output: as above, with the tag picked among generators, streams and iterables by
            //         `(&&&probe(&v)).__corogen_async_kind()` (see `async_delegate.rs`)
            let pick = quote_spanned! {at_argument=>
                (&&&#private::probe(&#value)).__corogen_async_kind()
                    .#delegate(#co_at_argument, #value)
            };
            return syn::parse_quote_spanned! {span=>
                {
                    #[allow(unused_imports)]
                    use #private::{AsyncGenKind as _, StreamKind as _, AsyncIterKind as _};
                    let mut #local = match #sub {
                        #value => #pick,
                    };
                    #co.delegate(&mut #local).await;
                    #finish
                }
            };
        }
        let pick = quote_spanned! {at_argument=>
            (&#value).__corogen_kind().#delegate(#co_at_argument, #value)
        };
        syn::parse_quote_spanned! {span=>
            {
                #[allow(unused_imports)]
                use #private::{GenKind as _, IterKind as _};
                let mut #local = match #sub {
                    #value => #pick,
                };
                #co.delegate(&mut #local).await;
                #finish
            }
        }
    }

    /// `Finish::finish(&mut __sub)`, the call whose panic (a delegate that had already handed out
    /// its return value) is reported at its caller's location. That location is the call's
    /// span with macro expansions walked out, so the call is spanned on the user's `yield_from!`
    /// throughout, path included: `#[track_caller]` then reports that line, not the attribute.
    /// The path resolves the same there (call-site hygiene), unless it holds a `$crate` from a
    /// wrapping `macro_rules!`, which keeps its own span.
    fn finish_call(&self, local: &Ident, span: Span) -> TokenStream {
        let has_dollar_crate = self
            .private
            .clone()
            .into_iter()
            .any(|tt| matches!(&tt, proc_macro2::TokenTree::Ident(i) if i == "$crate"));
        let private: TokenStream = if has_dollar_crate {
            self.private.clone()
        } else {
            respan(self.private.clone(), span)
        };
        quote_spanned!(span=> #private::Finish::finish(&mut #local))
    }
}

/// `tokens` with every span set to `span`, inside groups too.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(group) = &tt {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tt = proc_macro2::TokenTree::Group(inner);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

impl VisitMut for YieldRewriter<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Expr::Macro(mac) = expr {
            if let Some(rewritten) = self.rewrite(&mac.mac) {
                *expr = rewritten;
            }
            return;
        }
        visit_mut::visit_expr_mut(self, expr);
    }

    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        if let Stmt::Macro(mac) = stmt {
            if let Some(rewritten) = self.rewrite(&mac.mac) {
                *stmt = Stmt::Expr(rewritten, mac.semi_token);
            }
            return;
        }
        visit_mut::visit_stmt_mut(self, stmt);
    }

    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
    fn visit_expr_async_mut(&mut self, _: &mut syn::ExprAsync) {}
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

//! The whole-body check: finds every `yield_!` and reports each one the lowering cannot rewrite,
//! with what to write instead. It reads the body and changes nothing.
//!
//! A `yield_!` is rewritten only where it stands directly in the generator's body. Inside a
//! closure, a nested `fn` or other item, an `async` block, or the arguments of any other macro it
//! would end up in another function or coroutine (a macro may wrap its input in one), so it is an
//! error there: a soundness rule, not a style rule. `gen_!` and a nested `#[generator]` function
//! inside a body are generators of their own and are left to their own expansion.

use crate::ctxt::Ctxt;
use crate::names::{MacroKind, macro_kind};
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::visit::{self, Visit};
use syn::{Attribute, Block, ExprAsync, ExprAwait, ExprClosure, ImplItemFn, Item, ItemFn, Macro};

/// What the body holds, for the lowering.
pub struct BodyFacts {
    pub yield_count: usize,
    /// Whether the body has a `yield_from!` (the runtime then keeps a delegation stack).
    pub delegates: bool,
}

/// Checks `body`; `is_async` tells whether `.await` is allowed.
pub fn check_body(cx: &Ctxt, body: &Block, is_async: bool) -> BodyFacts {
    let mut finder = YieldFinder {
        cx,
        is_async,
        scope: Scope::Body,
        yield_count: 0,
        delegates: false,
    };
    finder.visit_block(body);
    BodyFacts {
        yield_count: finder.yield_count,
        delegates: finder.delegates,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Scope {
    Body,
    Closure,
    AsyncBlock,
    NestedItem,
}

struct YieldFinder<'a> {
    cx: &'a Ctxt,
    is_async: bool,
    scope: Scope,
    yield_count: usize,
    delegates: bool,
}

impl YieldFinder<'_> {
    fn within(&mut self, scope: Scope, visit: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.scope, scope);
        visit(self);
        self.scope = outer;
    }

    fn check_yield(&mut self, mac: &Macro) {
        let what = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        match self.scope {
            Scope::Body => self.yield_count += 1,
            Scope::Closure => self.cx.error_spanned_by(
                mac,
                format!(
                    "`{what}!` cannot be used inside a closure: the closure is a function of its \
                     own and cannot suspend the generator; use a `for` loop or `match` in the \
                     generator body instead, or make the closure a generator with `gen_!` and \
                     delegate to it with `yield_from!`"
                ),
            ),
            Scope::AsyncBlock => self.cx.error_spanned_by(
                mac,
                format!(
                    "`{what}!` cannot be used inside an `async` block: the block is a future of \
                     its own; yield from the generator body instead"
                ),
            ),
            Scope::NestedItem => self.cx.error_spanned_by(
                mac,
                format!(
                    "`{what}!` cannot be used inside a nested item: only the generator's own body \
                     can yield; make the inner function a `#[generator]` and delegate to it with \
                     `yield_from!(inner(...))`"
                ),
            ),
        }
    }
}

impl<'ast> Visit<'ast> for YieldFinder<'_> {
    fn visit_expr_closure(&mut self, node: &'ast ExprClosure) {
        self.within(Scope::Closure, |this| visit::visit_expr_closure(this, node));
    }

    fn visit_expr_async(&mut self, node: &'ast ExprAsync) {
        self.within(Scope::AsyncBlock, |this| {
            visit::visit_expr_async(this, node)
        });
    }

    fn visit_item(&mut self, node: &'ast Item) {
        self.within(Scope::NestedItem, |this| visit::visit_item(this, node));
    }

    // A nested `#[generator]` function is a generator of its own, expanded on its own.
    fn visit_item_fn(&mut self, node: &'ast ItemFn) {
        if !is_generator(&node.attrs) {
            visit::visit_item_fn(self, node);
        }
    }

    fn visit_impl_item_fn(&mut self, node: &'ast ImplItemFn) {
        if !is_generator(&node.attrs) {
            visit::visit_impl_item_fn(self, node);
        }
    }

    fn visit_expr_await(&mut self, node: &'ast ExprAwait) {
        if self.scope == Scope::Body && !self.is_async {
            self.cx
                .error_spanned_by(node.await_token, AWAIT_IN_PLAIN_GENERATOR);
        }
        visit::visit_expr_await(self, node);
    }

    fn visit_macro(&mut self, mac: &'ast Macro) {
        match macro_kind(mac) {
            MacroKind::YieldFrom if mac.tokens.is_empty() => {
                self.cx.error_spanned_by(
                    mac,
                    "`yield_from!` needs a generator or an iterable: `yield_from!(sub)`",
                );
            }
            MacroKind::Yield | MacroKind::YieldFrom => {
                if matches!(macro_kind(mac), MacroKind::YieldFrom) && self.scope == Scope::Body {
                    self.delegates = true;
                }
                self.check_yield(mac);
                // `yield_!(yield_!(1))` is two yields; their arguments are expressions.
                match crate::names::yield_argument(mac) {
                    Ok(Some(arg)) => self.visit_expr(&arg),
                    Ok(None) => {}
                    // An argument that does not parse is no error of the analysis: the lowering
                    // reports it where syn stopped and lowers the rest of the generator
                    // (`repair::keep_unparsed`).
                    Err(_) => {}
                }
            }
            MacroKind::GenExpr => {}
            MacroKind::Other => {
                // `id!(fut.await)` is an `.await` in the body all the same, once `id!` expands.
                if self.scope == Scope::Body && !self.is_async {
                    if let Some(at) = find_await_tokens(&mac.tokens) {
                        self.cx.error_at(at, AWAIT_IN_PLAIN_GENERATOR);
                    }
                }
                if let Some(inner) = find_yield_tokens(&mac.tokens) {
                    let name = mac
                        .path
                        .segments
                        .last()
                        .map(|s| s.ident.to_string())
                        .unwrap_or_default();
                    self.cx.error_at(
                        inner,
                        format!(
                            "`yield_!` cannot be used inside the arguments of `{name}!`: a macro \
                             may move its arguments into a closure or another function; bind the \
                             value first: `let value = yield_!(...);` and pass `value` to `{name}!`"
                        ),
                    );
                }
            }
        }
    }
}

const AWAIT_IN_PLAIN_GENERATOR: &str = "`.await` cannot be used in a plain generator: it is \
    resumed synchronously by `next`/`send` and has nothing to wait with; make it an async \
    generator (a `Stream`) with `#[generator(yield = Type)] async fn`, or `gen_!(async move { \
    ... })`";

/// Whether `attrs` has `#[generator]` (by any path: `#[corogen::generator(...)]`).
fn is_generator(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path()
            .segments
            .last()
            .is_some_and(|s| s.ident == "generator")
    })
}

/// Finds `yield_ !` in raw macro tokens (they are not parsed: any macro may take any syntax).
fn find_yield_tokens(tokens: &TokenStream) -> Option<proc_macro2::Span> {
    let mut previous_was_yield: Option<proc_macro2::Span> = None;
    for tt in tokens.clone() {
        match &tt {
            TokenTree::Punct(p) if p.as_char() == '!' => {
                if let Some(span) = previous_was_yield {
                    return Some(span);
                }
            }
            TokenTree::Group(group) => {
                if let Some(span) = find_yield_tokens(&group.stream()) {
                    return Some(span);
                }
            }
            _ => {}
        }
        previous_was_yield = match &tt {
            TokenTree::Ident(ident) if ident == "yield_" || ident == "yield_from" => {
                Some(ident.span())
            }
            _ => None,
        };
    }
    None
}

/// Finds `.await` in raw macro tokens, outside the `async` blocks and async closures written in
/// them (`block_on(async { f().await })` is legitimate: the block is a future of its own).
fn find_await_tokens(tokens: &TokenStream) -> Option<proc_macro2::Span> {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let is_punct = |at: usize, c: char| matches!(tokens.get(at), Some(TokenTree::Punct(p)) if p.as_char() == c);
    let is_ident =
        |at: usize, name: &str| matches!(tokens.get(at), Some(TokenTree::Ident(i)) if i == name);
    let mut at = 0;
    while at < tokens.len() {
        if is_ident(at, "async") {
            let mut next = at + 1;
            if is_ident(next, "move") {
                next += 1;
            }
            match tokens.get(next) {
                // `async { … }`, `async move { … }`: skipped whole.
                Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => {
                    at = next + 1;
                    continue;
                }
                // `async |…| body`: the parameters, then the body up to the end of the argument.
                Some(TokenTree::Punct(p)) if p.as_char() == '|' => {
                    next += 1;
                    while next < tokens.len() && !is_punct(next, '|') {
                        next += 1;
                    }
                    next += 1;
                    while next < tokens.len() && !is_punct(next, ',') && !is_punct(next, ';') {
                        next += 1;
                    }
                    at = next;
                    continue;
                }
                _ => {}
            }
        }
        match &tokens[at] {
            TokenTree::Punct(p) if p.as_char() == '.' && is_ident(at + 1, "await") => {
                return tokens.get(at + 1).map(TokenTree::span);
            }
            TokenTree::Group(group) => {
                if let Some(span) = find_await_tokens(&group.stream()) {
                    return Some(span);
                }
            }
            _ => {}
        }
        at += 1;
    }
    None
}

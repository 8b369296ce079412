//! fauxgen 0.1 in the generator workloads: `#[fauxgen::generator(yield = …)] fn` with
//! `r#yield!`, the syntax closest to corogen's, pinned with `pin!` to iterate (as its README
//! shows). Its `stream` rows are in [`crate::stream_peers`] and [`crate::stream_opaque`], its
//! `flat-map` rows in [`crate::flat_map`].
//!
//! - `send`: `arg = u64`; `r#yield!` evaluates to the next resume argument, and the first one
//!   (which only starts the body) is ignored, as in every other implementation.
//! - `delegate-*` and `tree`: fauxgen has no delegation, so each level loops over the level
//!   below and re-yields its items (as its own docs nest generators: `for i in
//!   pin!(range(31)) { r#yield!(1 << i) }`); the leaf is pinned in its parent's state, deeper
//!   levels and subtrees are `Box::pin`ned, which the recursion needs.
//! - `fauxgen-token` (in `tree`): the token form, `gen!(|token: GeneratorToken<u64>| …)`, with a
//!   recursive `async fn` that takes the token and yields through it: one generator per
//!   traversal, as genawaiter's rows do. `#[generator]` hides its token, so this is the only way
//!   to yield from a helper.
//!
//! The code lives in its own module (not in `fib.rs`, `send.rs`, …) so that adding it does not
//! regroup the existing workloads' code into other codegen units.

use crate::mix;
use crate::send::K;
use crate::tree::{NODES, Node, root};
use fauxgen::{Generator, GeneratorState, GeneratorToken};
use std::hint::black_box;
use std::pin::pin;

#[fauxgen::generator(yield = u64)]
pub fn fib_fauxgen(n: usize) {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        r#yield!(a);
        (a, b) = (b, a.wrapping_add(b));
    }
}

/// `fib`: the pinned generator, iterated.
#[inline(never)]
pub fn fib(n: usize) -> u64 {
    pin!(fib_fauxgen(n)).fold(0, mix)
}

#[fauxgen::generator(yield = u64, arg = u64)]
fn send_fauxgen(k: u64) {
    let mut x = 0u64;
    loop {
        x = r#yield!(x.wrapping_mul(3) ^ k);
    }
}

/// `send`'s driver (as `send.rs`'s): `n` resumes, each fed with the previous reply.
#[inline(always)]
fn drive(n: usize, mut send: impl FnMut(u64) -> u64) -> u64 {
    let (mut v, mut acc) = (0u64, 0u64);
    for i in 0..n {
        v = send(v ^ i as u64);
        acc = mix(acc, v);
    }
    acc
}

/// `send`: `Generator::resume` on the pinned generator.
#[inline(never)]
pub fn send(n: usize) -> u64 {
    let mut g = pin!(send_fauxgen(black_box(K)));
    drive(n, |v| match g.as_mut().resume(v) {
        GeneratorState::Yielded(y) => y,
        GeneratorState::Complete(()) => unreachable!("send_fauxgen never returns"),
    })
}

/// `create`'s 3 items.
#[fauxgen::generator(yield = u64)]
fn three_fauxgen(i: u64) {
    r#yield!(i);
    r#yield!(i.wrapping_add(1));
    r#yield!(i.wrapping_mul(3));
}

/// `create`: one generator pinned on the stack per 3 items; when `ESCAPE`, the
/// `Pin<&mut …>` passes through `black_box` (as `corogen-local`'s does).
#[inline(always)]
fn create<const ESCAPE: bool>(n: usize) -> u64 {
    (0..n as u64).fold(0, |acc, i| {
        let g = pin!(three_fauxgen(i));
        let g = if ESCAPE { black_box(g) } else { g };
        g.fold(acc, mix)
    })
}

/// `create`: created and drained in place.
#[inline(never)]
pub fn create_local(n: usize) -> u64 {
    create::<false>(n)
}

/// `create-escaped`: the pinned handle passes through `black_box`.
#[inline(never)]
pub fn create_escaped(n: usize) -> u64 {
    create::<true>(n)
}

/// One level of the `delegate-*` chain: the level below, re-yielded.
#[fauxgen::generator(yield = u64)]
fn level_fauxgen(depth: u32, n: usize) {
    if depth == 1 {
        for x in pin!(fib_fauxgen(n)) {
            r#yield!(x);
        }
    } else {
        for x in Box::pin(level_fauxgen(depth - 1, n)) {
            r#yield!(x);
        }
    }
}

#[inline(always)]
fn delegate(depth: u32, n: usize) -> u64 {
    pin!(level_fauxgen(depth, n)).fold(0, mix)
}

/// `delegate-1`.
#[inline(never)]
pub fn delegate1(n: usize) -> u64 {
    delegate(1, n)
}

/// `delegate-4`.
#[inline(never)]
pub fn delegate4(n: usize) -> u64 {
    delegate(4, n)
}

/// `delegate-16`.
#[inline(never)]
pub fn delegate16(n: usize) -> u64 {
    delegate(16, n)
}

/// `tree.rs`'s `traversals`: one traversal per `NODES` items, one accumulator.
#[inline(always)]
fn traversals(n: usize, mut traverse: impl FnMut(&'static Node, u64) -> u64) -> u64 {
    let root = root();
    (0..n.div_ceil(NODES)).fold(0, |acc, _| traverse(root, acc))
}

/// A boxed generator per subtree, its items re-yielded by the parent.
#[fauxgen::generator(yield = u64)]
fn inorder_fauxgen(node: &Node) {
    if let Some(left) = &node.left {
        for x in Box::pin(inorder_fauxgen(left)) {
            r#yield!(x);
        }
    }
    r#yield!(node.value);
    if let Some(right) = &node.right {
        for x in Box::pin(inorder_fauxgen(right)) {
            r#yield!(x);
        }
    }
}

/// `tree`: a generator per node, re-yielding through every level.
#[inline(never)]
pub fn tree(n: usize) -> u64 {
    traversals(n, |root, acc| pin!(inorder_fauxgen(root)).fold(acc, mix))
}

/// The recursive walk of `tree-token`: yields through the one generator's token.
async fn walk_fauxgen(token: &GeneratorToken<u64>, node: &Node) {
    if let Some(left) = &node.left {
        Box::pin(walk_fauxgen(token, left)).await;
    }
    token.yield_(node.value).await;
    if let Some(right) = &node.right {
        Box::pin(walk_fauxgen(token, right)).await;
    }
}

/// `tree`, token form: one `gen!` generator per traversal, a recursive `async fn` sharing its
/// token.
#[inline(never)]
pub fn tree_token(n: usize) -> u64 {
    traversals(n, |root, acc| {
        let g = fauxgen::r#gen!(|token: GeneratorToken<u64>| {
            walk_fauxgen(&token, root).await;
        });
        pin!(g).fold(acc, mix)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Fib;

    #[test]
    fn fib_is_fibonacci() {
        let v: Vec<u64> = pin!(fib_fauxgen(8)).collect();
        assert_eq!(v, Fib::new(8).collect::<Vec<_>>());
    }
}

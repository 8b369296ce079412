//! `tree`: in-order traversal of a complete binary tree of 65,535 nodes (16 levels), repeated, each
//! visited node's value folded. Recursion is where generators pay for their nesting.
//!
//! - The baseline is a hand-written explicit-stack iterator (`InOrder`).
//! - corogen is written the Python way:
//!   `yield_from!(inorder(left)); yield_!(node.value); yield_from!(inorder(right))`.
//! - diapause: the same with `yield_all!(box …)` (boxing is required for recursion).
//! - next-gen has no delegation and no way to yield from a helper, so each node is a boxed
//!   generator whose parent re-yields its items.
//! - genawaiter: one generator; a recursive `async fn` takes its `Co` and yields through it (each
//!   recursive call boxed, as Rust requires). That is cheaper than a generator per node.
//! - generator-rs and corosensei are stackful: one coroutine runs a plain recursive function that
//!   yields from any depth, which is their strength.
//!
//! The tree is built once (`prepare`), outside every timed or counted region, and leaked to
//! `'static` so that every peer can borrow it, including those whose closures must be `'static`.

use crate::mix;
use corosensei::{Coroutine, CoroutineResult, Yielder};
use genawaiter::stack::let_gen_using;
use std::hint::black_box;
use std::sync::OnceLock;

/// Nodes in the tree: 2^16 - 1, a complete binary tree of 16 levels.
pub const NODES: usize = (1 << 16) - 1;

/// A node of the tree.
pub struct Node {
    /// What the traversal yields.
    pub value: u64,
    /// The left subtree.
    pub left: Option<Box<Node>>,
    /// The right subtree.
    pub right: Option<Box<Node>>,
}

/// The subtree holding in-order positions `lo..hi`, built in pre-order (as a recursive builder
/// allocates), with values that depend on `seed`.
fn build(lo: u64, hi: u64, seed: u64) -> Option<Box<Node>> {
    if lo >= hi {
        return None;
    }
    let mid = lo + (hi - lo) / 2;
    Some(Box::new(Node {
        value: mid.wrapping_mul(seed) ^ (mid >> 3),
        left: build(lo, mid, seed),
        right: build(mid + 1, hi, seed),
    }))
}

static TREE: OnceLock<Box<Node>> = OnceLock::new();

/// The tree, built on first use.
pub fn root() -> &'static Node {
    TREE.get_or_init(|| build(0, NODES as u64, black_box(0x9E37_79B9_7F4A_7C15)).expect("tree"))
}

/// Builds the tree, so that no measured call does.
pub fn prepare() {
    root();
}

/// Runs `traverse` over the tree once per `NODES` items (at least once when `n > 0`),
/// continuing one accumulator.
#[inline(always)]
fn traversals(n: usize, mut traverse: impl FnMut(&'static Node, u64) -> u64) -> u64 {
    let root = root();
    (0..n.div_ceil(NODES)).fold(0, |acc, _| traverse(root, acc))
}

/// The baseline: an in-order iterator with an explicit stack of the nodes whose left subtree is
/// being visited.
pub struct InOrder<'a> {
    stack: Vec<&'a Node>,
}

impl<'a> InOrder<'a> {
    /// A traversal of the tree under `root`.
    pub fn new(root: &'a Node) -> Self {
        let mut it = InOrder {
            stack: Vec::with_capacity(32),
        };
        it.push_left_spine(Some(root));
        it
    }

    #[inline]
    fn push_left_spine(&mut self, mut node: Option<&'a Node>) {
        while let Some(n) = node {
            self.stack.push(n);
            node = n.left.as_deref();
        }
    }
}

impl Iterator for InOrder<'_> {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        let node = self.stack.pop()?;
        self.push_left_spine(node.right.as_deref());
        Some(node.value)
    }
}

/// Hand-written explicit-stack iterator.
#[inline(never)]
pub fn hand(n: usize) -> u64 {
    traversals(n, |root, acc| InOrder::new(root).fold(acc, mix))
}

/// `std::iter::from_fn` over the same explicit stack (a closure cannot recurse into itself).
#[inline(never)]
pub fn from_fn(n: usize) -> u64 {
    traversals(n, |root, acc| {
        let mut stack: Vec<&Node> = Vec::with_capacity(32);
        let mut node = Some(root);
        while let Some(n) = node {
            stack.push(n);
            node = n.left.as_deref();
        }
        std::iter::from_fn(move || {
            let top = stack.pop()?;
            let mut node = top.right.as_deref();
            while let Some(n) = node {
                stack.push(n);
                node = n.left.as_deref();
            }
            Some(top.value)
        })
        .fold(acc, mix)
    })
}

/// corogen, the Python way.
#[corogen::generator(yield = u64)]
pub fn inorder(node: &Node) {
    if let Some(left) = &node.left {
        corogen::yield_from!(inorder(left));
    }
    corogen::yield_!(node.value);
    if let Some(right) = &node.right {
        corogen::yield_from!(inorder(right));
    }
}

/// corogen recursive `yield_from!`.
#[inline(never)]
pub fn corogen(n: usize) -> u64 {
    traversals(n, |root, acc| inorder(root).fold(acc, mix))
}

/// The recursive walk of the genawaiter generators: `$co` is a `&Co` of either flavour.
macro_rules! genawaiter_walk {
    ($walk:ident, $co:expr, $node:expr) => {{
        let node: &Node = $node;
        if let Some(left) = &node.left {
            Box::pin($walk($co, left)).await;
        }
        $co.yield_(node.value).await;
        if let Some(right) = &node.right {
            Box::pin($walk($co, right)).await;
        }
    }};
}

async fn walk_stack(co: &genawaiter::stack::Co<'_, u64>, node: &Node) {
    genawaiter_walk!(walk_stack, co, node)
}

async fn walk_rc(co: &genawaiter::rc::Co<u64>, node: &Node) {
    genawaiter_walk!(walk_rc, co, node)
}

/// genawaiter `stack`: one generator on a `Shelf`, a recursive `async fn` sharing its `Co`.
#[inline(never)]
pub fn genawaiter_stack(n: usize) -> u64 {
    traversals(n, |root, acc| {
        let_gen_using!(g, |co| async move { walk_stack(&co, root).await });
        g.into_iter().fold(acc, mix)
    })
}

/// genawaiter `rc`: one generator, a recursive `async fn` sharing its `Co`.
#[inline(never)]
pub fn genawaiter_rc(n: usize) -> u64 {
    traversals(n, |root, acc| {
        genawaiter::rc::Gen::new(|co| async move { walk_rc(&co, root).await })
            .into_iter()
            .fold(acc, mix)
    })
}

/// next-gen: a boxed generator per subtree, its items re-yielded by the parent.
#[next_gen::generator(yield(u64))]
fn inorder_next_gen(node: &'static Node) {
    if let Some(left) = &node.left {
        next_gen::mk_gen!(let inner = box inorder_next_gen(left));
        for x in inner {
            yield_!(x);
        }
    }
    yield_!(node.value);
    if let Some(right) = &node.right {
        next_gen::mk_gen!(let inner = box inorder_next_gen(right));
        for x in inner {
            yield_!(x);
        }
    }
}

/// next-gen, re-yielding through every level.
#[inline(never)]
pub fn next_gen(n: usize) -> u64 {
    traversals(n, |root, acc| {
        next_gen::mk_gen!(let g = inorder_next_gen(root));
        g.fold(acc, mix)
    })
}

/// diapause: `yield_all!(box …)` per subtree.
#[diapause::coroutine(yield = u64)]
pub fn inorder_diapause(node: &'static Node) {
    if let Some(left) = &node.left {
        let sub: inorder_diapause::State = inorder_diapause(left);
        yield_all!(box sub);
    }
    yield_!(node.value);
    if let Some(right) = &node.right {
        let sub: inorder_diapause::State = inorder_diapause(right);
        yield_all!(box sub);
    }
}

/// diapause recursive `yield_all!`.
#[inline(never)]
pub fn diapause(n: usize) -> u64 {
    traversals(n, |root, acc| {
        diapause::Iter::new(inorder_diapause(root)).fold(acc, mix)
    })
}

fn walk_generator_rs(s: &mut generator::Scope<'_, '_, (), u64>, node: &Node) {
    if let Some(left) = &node.left {
        walk_generator_rs(s, left);
    }
    s.yield_with(node.value);
    if let Some(right) = &node.right {
        walk_generator_rs(s, right);
    }
}

/// generator-rs: one stackful generator running a recursive function.
#[inline(never)]
pub fn generator_rs(n: usize) -> u64 {
    traversals(n, |root, acc| {
        generator::Gn::<()>::new_scoped(move |mut s| {
            walk_generator_rs(&mut s, root);
            generator::done!()
        })
        .fold(acc, mix)
    })
}

fn walk_corosensei(yielder: &Yielder<(), u64>, node: &Node) {
    if let Some(left) = &node.left {
        walk_corosensei(yielder, left);
    }
    yielder.suspend(node.value);
    if let Some(right) = &node.right {
        walk_corosensei(yielder, right);
    }
}

/// corosensei: one stackful coroutine running a recursive function.
#[inline(never)]
pub fn corosensei(n: usize) -> u64 {
    traversals(n, |root, mut acc| {
        let mut co = Coroutine::new(move |yielder, ()| walk_corosensei(yielder, root));
        while let CoroutineResult::Yield(x) = co.resume(()) {
            acc = mix(acc, x);
        }
        acc
    })
}

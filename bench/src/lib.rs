//! Workloads shared by the criterion benches (`benches/generators.rs`), the table binary
//! (`src/bin/table.rs`) and its callgrind mode. The scheduler workloads (S1–S5 against tokio and
//! smol) are in [`sched`], for `src/bin/sched_table.rs`.
//!
//! Every workload exists in a hand-written version (the baseline, always the first
//! implementation), a corogen version and the same work written with each peer crate that can
//! express it, item for item, so the ratio to the baseline is each implementation's overhead.
//! Each entry point is `#[inline(never)]` and takes its size as an argument, so that:
//! - the callers pass it through `black_box` and LLVM cannot precompute the result;
//! - callgrind's `--toggle-collect` can name the function and count only its instructions.
//!
//! Results are folded with [`mix`], a rotate-and-xor that has no closed form, so the loops must
//! really run item by item.
//!
//! Peers are used the way their documentation shows. Where a peer lacks a feature (delegation,
//! Iterator), the workload does what its users would write instead; the module of each workload
//! says how.

pub mod create;
pub mod delegate;
pub mod fauxgen_peer;
pub mod fib;
pub mod flat_map;
pub mod sched;
pub mod send;
pub mod stream;
pub mod stream_opaque;
pub mod stream_peers;
pub mod tree;

/// Items in the `fib` workload.
pub const FIB_ITEMS: usize = 10_000_000;
/// Round trips in the `send` workload.
pub const SEND_ITEMS: usize = 10_000_000;
/// Generators created and drained in the `create` workloads (each yields 3 items).
pub const CREATE_ITEMS: usize = 1_000_000;
/// Items that pass through the delegation chain in each `delegate-*` workload.
pub const DELEGATE_ITEMS: usize = 2_000_000;
/// Nodes visited in the `tree` workload: 32 in-order traversals of the 65,535-node tree.
pub const TREE_ITEMS: usize = 32 * tree::NODES;
/// Items in the `stream` and `stream-opaque` workloads.
pub const STREAM_ITEMS: usize = 10_000_000;
/// Input elements in the `flat-map` workloads (each becomes 3 items).
pub const FLAT_MAP_ITEMS: usize = 10_000_000;
/// Items that pass through the delegation chain in each `stream-delegate-*` workload.
pub const STREAM_DELEGATE_ITEMS: usize = 2_000_000;
/// Round trips in the `stream-send` workload.
pub const STREAM_SEND_ITEMS: usize = 10_000_000;

/// Folds one item into an accumulator; order-dependent so no reassociation or close form.
#[inline(always)]
pub fn mix(acc: u64, x: u64) -> u64 {
    acc.rotate_left(5) ^ x
}

/// One implementation of one workload: its name and the function that runs it for `n` items.
#[derive(Clone, Copy)]
pub struct Impl {
    /// Short name, used on the command line and in tables.
    pub name: &'static str,
    /// Runs the workload over `n` items and returns its folded result.
    pub run: fn(usize) -> u64,
    /// The demangled name of `run`, for callgrind's `--toggle-collect`.
    pub symbol: &'static str,
    /// This implementation runs `items / divisor` items per run instead of the workload's
    /// `items` (per-item figures stay comparable). Only for implementations whose items cost
    /// microseconds, such as mapping a fresh stack per generator.
    pub divisor: usize,
}

impl Impl {
    /// The number of items one timed run of this implementation covers.
    pub fn items(&self, workload: &Workload) -> usize {
        workload.round(workload.items / self.divisor)
    }
}

/// `imp!("name", module::function)`: an [`Impl`] whose `symbol` cannot drift from its `run`;
/// `imp!("name", module::function, divisor)` runs fewer items (see [`Impl::divisor`]).
macro_rules! imp {
    ($name:literal, $($segment:ident)::+) => {
        imp!($name, $($segment)::+, 1)
    };
    ($name:literal, $($segment:ident)::+, $divisor:literal) => {
        Impl {
            name: $name,
            run: $crate::$($segment)::+,
            symbol: concat!("corogen_bench" $(, "::", stringify!($segment))+),
            divisor: $divisor,
        }
    };
}

/// A workload and its implementations; the first implementation is the hand-written baseline.
#[derive(Clone, Copy)]
pub struct Workload {
    /// Short name, used on the command line and in tables.
    pub name: &'static str,
    /// What one "item" is, for per-item figures.
    pub item: &'static str,
    /// The default number of items.
    pub items: usize,
    /// Runs cover whole multiples of this many items (the tree's node count), so that the
    /// per-item figures divide by what really ran.
    pub granule: usize,
    /// Builds what the workload reads (the tree), outside any timed or counted region.
    pub prepare: fn(),
    /// Implementations, baseline first.
    pub impls: &'static [Impl],
}

impl Workload {
    /// `n` rounded down to whole granules (at least one when `n > 0`).
    pub fn round(&self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (n / self.granule).max(1) * self.granule
        }
    }
}

fn nothing_to_prepare() {}

/// The `delegate-*` workloads: the same implementations at each depth.
macro_rules! delegate_workload {
    ($name:literal, $depth:ident, $fauxgen:ident) => {
        Workload {
            name: $name,
            item: "u64 passed up through the delegation chain",
            items: DELEGATE_ITEMS,
            granule: 1,
            prepare: nothing_to_prepare,
            impls: &[
                imp!("hand-written", delegate::$depth::hand),
                imp!("iter-from_fn", delegate::$depth::from_fn),
                imp!("corogen", delegate::$depth::corogen),
                imp!("genawaiter-stack", delegate::$depth::genawaiter_stack),
                imp!("genawaiter-rc", delegate::$depth::genawaiter_rc),
                imp!("next-gen", delegate::$depth::next_gen),
                imp!("diapause", delegate::$depth::diapause),
                imp!("generator-rs", delegate::$depth::generator_rs),
                imp!("corosensei", delegate::$depth::corosensei),
                imp!("fauxgen", fauxgen_peer::$fauxgen),
            ],
        }
    };
}

/// The `create` workloads: the same implementations, with and without escaping generators.
macro_rules! create_workload {
    ($name:literal, $item:literal, $module:ident, $fauxgen:ident) => {
        Workload {
            name: $name,
            item: $item,
            items: CREATE_ITEMS,
            granule: 1,
            prepare: nothing_to_prepare,
            impls: &[
                imp!("hand-written", create::$module::hand),
                imp!("iter-from_fn", create::$module::from_fn),
                imp!("corogen-fn", create::$module::corogen_fn),
                imp!("corogen-gen_", create::$module::corogen_expr),
                imp!("corogen-recycle", create::$module::corogen_recycle),
                imp!("corogen-local", create::$module::corogen_local),
                imp!("genawaiter-stack", create::$module::genawaiter_stack),
                imp!("genawaiter-rc", create::$module::genawaiter_rc),
                imp!("next-gen", create::$module::next_gen),
                imp!("diapause", create::$module::diapause),
                // A fresh stack per generator costs ~10 us (mmap, guard page, munmap): 1M of
                // them would take most of a minute per run, so these run 1/50 of the items.
                imp!("generator-rs", create::$module::generator_rs, 50),
                imp!("corosensei", create::$module::corosensei, 50),
                imp!("corosensei-reuse", create::$module::corosensei_reuse),
                imp!("fauxgen", fauxgen_peer::$fauxgen),
            ],
        }
    };
}

/// The `flat-map` workloads: the same implementations, with each consumer.
macro_rules! flat_map_workload {
    ($name:literal, $item:literal, $consumer:ident) => {
        Workload {
            name: $name,
            item: $item,
            items: FLAT_MAP_ITEMS,
            granule: 1,
            prepare: nothing_to_prepare,
            impls: &[
                imp!("arrays", flat_map::$consumer::arrays),
                imp!("iter-from_fn", flat_map::$consumer::from_fn),
                imp!("hand-state", flat_map::$consumer::hand_state),
                imp!("corogen", flat_map::$consumer::corogen),
                imp!(
                    "corogen-local-boxed",
                    flat_map::$consumer::corogen_local_boxed
                ),
                imp!(
                    "corogen-local-adapter",
                    flat_map::$consumer::corogen_local_adapter
                ),
                imp!(
                    "corogen-local-loop",
                    flat_map::$consumer::corogen_local_loop
                ),
                imp!("genawaiter-rc", flat_map::$consumer::genawaiter_rc),
                imp!("diapause", flat_map::$consumer::diapause),
                imp!("fauxgen", flat_map::$consumer::fauxgen),
            ],
        }
    };
}

/// All workloads, in table order.
pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "fib",
        item: "yielded u64",
        items: FIB_ITEMS,
        granule: 1,
        prepare: nothing_to_prepare,
        impls: &[
            imp!("hand-written", fib::hand),
            imp!("iter-from_fn", fib::from_fn),
            imp!("corogen", fib::corogen),
            imp!("genawaiter-stack", fib::genawaiter_stack),
            imp!("genawaiter-rc", fib::genawaiter_rc),
            imp!("next-gen", fib::next_gen),
            imp!("diapause", fib::diapause),
            imp!("generator-rs", fib::generator_rs),
            imp!("corosensei", fib::corosensei),
            imp!("fauxgen", fauxgen_peer::fib),
        ],
    },
    Workload {
        name: "send",
        item: "send round trip",
        items: SEND_ITEMS,
        granule: 1,
        prepare: nothing_to_prepare,
        impls: &[
            imp!("hand-written", send::hand),
            imp!("corogen", send::corogen),
            imp!("genawaiter-stack", send::genawaiter_stack),
            imp!("genawaiter-rc", send::genawaiter_rc),
            imp!("next-gen", send::next_gen),
            imp!("diapause", send::diapause),
            imp!("generator-rs", send::generator_rs),
            imp!("corosensei", send::corosensei),
            imp!("fauxgen", fauxgen_peer::send),
        ],
    },
    create_workload!(
        "create",
        "3-item generator created and drained",
        local,
        create_local
    ),
    create_workload!(
        "create-escaped",
        "3-item generator created, passed through black_box, drained",
        escaped,
        create_escaped
    ),
    flat_map_workload!(
        "flat-map",
        "input element flat-mapped to 3 items, folded with fold",
        fold
    ),
    flat_map_workload!(
        "flat-map-for",
        "input element flat-mapped to 3 items, folded in a for loop",
        for_loop
    ),
    delegate_workload!("delegate-1", depth1, delegate1),
    delegate_workload!("delegate-4", depth4, delegate4),
    delegate_workload!("delegate-16", depth16, delegate16),
    Workload {
        name: "tree",
        item: "node visited by an in-order traversal",
        items: TREE_ITEMS,
        granule: tree::NODES,
        prepare: tree::prepare,
        impls: &[
            imp!("hand-written", tree::hand),
            imp!("iter-from_fn", tree::from_fn),
            imp!("corogen", tree::corogen),
            imp!("genawaiter-stack", tree::genawaiter_stack),
            imp!("genawaiter-rc", tree::genawaiter_rc),
            imp!("next-gen", tree::next_gen),
            imp!("diapause", tree::diapause),
            imp!("generator-rs", tree::generator_rs),
            imp!("corosensei", tree::corosensei),
            imp!("fauxgen", fauxgen_peer::tree),
            imp!("fauxgen-token", fauxgen_peer::tree_token),
        ],
    },
    Workload {
        name: "stream",
        item: "u64 from a Stream polled by a minimal executor",
        items: STREAM_ITEMS,
        granule: 1,
        prepare: nothing_to_prepare,
        impls: &[
            imp!("hand-written", stream::hand),
            imp!("corogen", stream::corogen),
            imp!("async-stream", stream::async_stream),
            imp!("fauxgen", stream_peers::fauxgen),
            imp!("asynk-strim", stream_peers::asynk_strim),
        ],
    },
    Workload {
        name: "stream-opaque",
        item: "u64 from a Stream polled through Pin<&mut dyn Stream> by a minimal executor",
        items: STREAM_ITEMS,
        granule: 1,
        prepare: nothing_to_prepare,
        impls: &[
            imp!("hand-written", stream_opaque::hand),
            imp!("corogen", stream_opaque::corogen),
            imp!("async-stream", stream_opaque::async_stream),
            imp!("fauxgen", stream_opaque::fauxgen),
            imp!("asynk-strim", stream_opaque::asynk_strim),
        ],
    },
    Workload {
        name: "stream-delegate-1",
        item: "u64 of a Stream passed up through the async delegation chain",
        items: STREAM_DELEGATE_ITEMS,
        granule: 1,
        prepare: nothing_to_prepare,
        impls: &[
            imp!("hand-written", stream::delegate1_hand),
            imp!("hand-forward", stream::delegate1_hand_forward),
            imp!("corogen", stream::delegate1_corogen),
            imp!("async-stream", stream::delegate1_async_stream),
        ],
    },
    Workload {
        name: "stream-delegate-4",
        item: "u64 of a Stream passed up through the async delegation chain",
        items: STREAM_DELEGATE_ITEMS,
        granule: 1,
        prepare: nothing_to_prepare,
        impls: &[
            imp!("hand-written", stream::delegate4_hand),
            imp!("hand-forward", stream::delegate4_hand_forward),
            imp!("corogen", stream::delegate4_corogen),
            imp!("async-stream", stream::delegate4_async_stream),
        ],
    },
    Workload {
        name: "stream-delegate-16",
        item: "u64 of a Stream passed up through the async delegation chain",
        items: STREAM_DELEGATE_ITEMS,
        granule: 1,
        prepare: nothing_to_prepare,
        impls: &[
            imp!("hand-written", stream::delegate16_hand),
            imp!("hand-forward", stream::delegate16_hand_forward),
            imp!("corogen", stream::delegate16_corogen),
            imp!("async-stream", stream::delegate16_async_stream),
        ],
    },
    Workload {
        name: "stream-send",
        item: "send round trip into an async generator",
        items: STREAM_SEND_ITEMS,
        granule: 1,
        prepare: nothing_to_prepare,
        impls: &[
            imp!("hand-written", send::async_hand),
            imp!("corogen", send::async_corogen),
        ],
    },
];

/// Finds a workload by name.
pub fn workload(name: &str) -> Option<&'static Workload> {
    WORKLOADS.iter().find(|w| w.name == name)
}

/// Runs every implementation of every workload on a small size and panics if any disagrees with
/// its baseline. Called once, outside any timed region.
pub fn check_all(n: usize) {
    for w in WORKLOADS {
        (w.prepare)();
        let expected = (w.impls[0].run)(n);
        for imp in &w.impls[1..] {
            assert_eq!(
                (imp.run)(n),
                expected,
                "{}/{} disagrees with {}",
                w.name,
                imp.name,
                w.impls[0].name
            );
        }
    }
}

/// The wrapping Fibonacci sequence the `fib`, `delegate` and `stream` workloads produce.
#[derive(Clone)]
pub struct Fib {
    a: u64,
    b: u64,
    remaining: usize,
}

impl Fib {
    /// The first `n` wrapping Fibonacci numbers.
    pub fn new(n: usize) -> Self {
        Fib {
            a: 0,
            b: 1,
            remaining: n,
        }
    }
}

impl Iterator for Fib {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let a = self.a;
        (self.a, self.b) = (self.b, self.a.wrapping_add(self.b));
        Some(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implementations_agree() {
        for n in [0, 1, 2, 3, 10, 1000] {
            check_all(n);
        }
    }

    #[test]
    fn fib_is_fibonacci() {
        let v: Vec<u64> = fib::fib_gen(8).collect();
        assert_eq!(v, [0, 1, 1, 2, 3, 5, 8, 13]);
    }

    #[test]
    fn symbols_name_their_functions() {
        let fib = workload("delegate-16").unwrap();
        assert_eq!(
            fib.impls[2].symbol,
            "corogen_bench::delegate::depth16::corogen"
        );
    }
}

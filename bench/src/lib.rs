//! Workloads shared by the criterion benches (`benches/generators.rs`), the table binary
//! (`src/bin/table.rs`) and its callgrind mode.
//!
//! Every workload exists in a hand-written version (the baseline) and a corogen version that do
//! the same work item for item, so the ratio between them is corogen's overhead. Each entry point
//! is `#[inline(never)]` and takes its size as an argument, so that:
//! - the callers pass it through `black_box` and LLVM cannot precompute the result;
//! - callgrind's `--toggle-collect` can name the function and count only its instructions.
//!
//! Results are folded with [`mix`], a rotate-and-xor that has no closed form, so the loops must
//! really run item by item.

use corogen::prelude::*;

/// Items in the `fib` workload.
pub const FIB_ITEMS: usize = 10_000_000;
/// Round trips in the `send` workload.
pub const SEND_ITEMS: usize = 10_000_000;
/// Generators created and drained in the `create` workload (each yields 3 items).
pub const CREATE_ITEMS: usize = 1_000_000;

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
}

/// `imp!("name", module::function)`: an [`Impl`] whose `symbol` cannot drift from its `run`.
macro_rules! imp {
    ($name:literal, $module:ident :: $function:ident) => {
        Impl {
            name: $name,
            run: $module::$function,
            symbol: concat!(
                "corogen_bench::",
                stringify!($module),
                "::",
                stringify!($function)
            ),
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
    /// Implementations, baseline first.
    pub impls: &'static [Impl],
}

/// All workloads, in table order.
pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "fib",
        item: "yielded u64",
        items: FIB_ITEMS,
        impls: &[
            imp!("hand-written", fib::hand),
            imp!("iter-from_fn", fib::from_fn),
            imp!("corogen", fib::corogen),
        ],
    },
    Workload {
        name: "send",
        item: "send round trip",
        items: SEND_ITEMS,
        impls: &[
            imp!("hand-written", send::hand),
            imp!("corogen", send::corogen),
        ],
    },
    Workload {
        name: "create",
        item: "3-item generator created and drained",
        items: CREATE_ITEMS,
        impls: &[
            imp!("hand-written", create::hand),
            imp!("corogen-fn", create::corogen_fn),
            imp!("corogen-gen_", create::corogen_expr),
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

/// Wrapping Fibonacci, `n` items, folded with [`mix`].
pub mod fib {
    use super::*;

    /// The baseline: a hand-written `Iterator`.
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

    /// The same sequence as a corogen generator.
    #[generator(yield = u64)]
    pub fn fib_gen(n: usize) {
        let (mut a, mut b) = (0u64, 1u64);
        for _ in 0..n {
            yield_!(a);
            (a, b) = (b, a.wrapping_add(b));
        }
    }

    /// Hand-written iterator.
    #[inline(never)]
    pub fn hand(n: usize) -> u64 {
        Fib::new(n).fold(0, mix)
    }

    /// `std::iter::from_fn` over a closure with the same state.
    #[inline(never)]
    pub fn from_fn(n: usize) -> u64 {
        let (mut a, mut b, mut remaining) = (0u64, 1u64, n);
        std::iter::from_fn(move || {
            if remaining == 0 {
                return None;
            }
            remaining -= 1;
            let out = a;
            (a, b) = (b, a.wrapping_add(b));
            Some(out)
        })
        .fold(0, mix)
    }

    /// corogen `#[generator(yield = u64)]`.
    #[inline(never)]
    pub fn corogen(n: usize) -> u64 {
        fib_gen(n).fold(0, mix)
    }
}

/// `n` send round trips: each sends the previous answer (xor the index) and folds the reply.
pub mod send {
    use super::*;

    /// The constant xored into every reply.
    pub const K: u64 = 0x9E37_79B9_7F4A_7C15;

    /// The baseline: what the generator below does, written as a struct. Like the generator it
    /// ignores the argument of the first send (which only starts the body).
    pub struct Hand {
        k: u64,
        started: bool,
    }

    impl Hand {
        /// A fresh coroutine that xors its replies with `k`.
        pub fn new(k: u64) -> Self {
            Hand { k, started: false }
        }

        /// Takes `v`, returns the reply.
        #[inline]
        pub fn send(&mut self, v: u64) -> u64 {
            let x = if self.started {
                v
            } else {
                self.started = true;
                0
            };
            x.wrapping_mul(3) ^ self.k
        }
    }

    /// The generator: each resume value becomes `x`, each reply is `x * 3 ^ k`.
    #[generator(yield = u64, resume = u64)]
    pub fn send_gen(k: u64) {
        let mut x = 0u64;
        loop {
            x = yield_!(x.wrapping_mul(3) ^ k);
        }
    }

    /// The driver both implementations share: `n` calls of `send`, each fed with the previous
    /// reply, so every round trip depends on the one before.
    #[inline(always)]
    fn drive(n: usize, mut send: impl FnMut(u64) -> u64) -> u64 {
        let (mut v, mut acc) = (0u64, 0u64);
        for i in 0..n {
            v = send(v ^ i as u64);
            acc = mix(acc, v);
        }
        acc
    }

    /// Hand-written `send` method.
    #[inline(never)]
    pub fn hand(n: usize) -> u64 {
        let mut h = Hand::new(std::hint::black_box(K));
        drive(n, |v| h.send(v))
    }

    /// corogen `Gen::send`.
    #[inline(never)]
    pub fn corogen(n: usize) -> u64 {
        let mut g = send_gen(std::hint::black_box(K));
        drive(n, |v| match g.send(v) {
            Ok(y) => y,
            Err(_) => unreachable!("send_gen never returns"),
        })
    }
}

/// `n` tiny generators of 3 items each, created and drained: the per-generator setup cost.
pub mod create {
    use super::*;

    /// The baseline: a hand-written 3-item iterator.
    pub struct Three {
        i: u64,
        state: u8,
    }

    impl Iterator for Three {
        type Item = u64;

        #[inline]
        fn next(&mut self) -> Option<u64> {
            let out = match self.state {
                0 => self.i,
                1 => self.i.wrapping_add(1),
                2 => self.i.wrapping_mul(3),
                _ => return None,
            };
            self.state += 1;
            Some(out)
        }
    }

    /// The same 3 items from a `#[generator]` function.
    #[generator(yield = u64)]
    pub fn three(i: u64) {
        yield_!(i);
        yield_!(i.wrapping_add(1));
        yield_!(i.wrapping_mul(3));
    }

    /// Hand-written iterator.
    #[inline(never)]
    pub fn hand(n: usize) -> u64 {
        (0..n as u64).fold(0, |acc, i| Three { i, state: 0 }.fold(acc, mix))
    }

    /// corogen `#[generator]` function.
    #[inline(never)]
    pub fn corogen_fn(n: usize) -> u64 {
        (0..n as u64).fold(0, |acc, i| three(i).fold(acc, mix))
    }

    /// corogen `gen_!` expression.
    #[inline(never)]
    pub fn corogen_expr(n: usize) -> u64 {
        (0..n as u64).fold(0, |acc, i| {
            gen_!({
                yield_!(i);
                yield_!(i.wrapping_add(1));
                yield_!(i.wrapping_mul(3));
            })
            .fold(acc, mix)
        })
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
}

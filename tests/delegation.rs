//! `yield_from!` (PEP 380), ported from CPython's behaviours: chained generators, recursive
//! generators, return values of sub-generators, values sent straight through, depth.

use corogen::prelude::*;
use std::cell::RefCell;

/// CPython's `test_generators` prime sieve: an infinite stream of integers, filtered by a chain
/// of generators, one per prime found.
#[generator(yield = u32)]
fn intsfrom(start: u32) {
    let mut n = start;
    loop {
        yield_!(n);
        n += 1;
    }
}

#[generator(yield = u32)]
fn exclude_multiples(n: u32, ints: Box<dyn Iterator<Item = u32>>) {
    for i in ints {
        if i % n != 0 {
            yield_!(i);
        }
    }
}

#[generator(yield = u32)]
fn sieve(ints: Box<dyn Iterator<Item = u32>>) {
    let mut ints = ints;
    let Some(prime) = ints.next() else { return };
    yield_!(prime);
    let rest = exclude_multiples(prime, ints);
    yield_from!(sieve(Box::new(rest)));
}

#[test]
fn prime_sieve_of_chained_generators() {
    let primes: Vec<u32> = sieve(Box::new(intsfrom(2))).take(20).collect();
    assert_eq!(
        primes,
        [
            2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71
        ]
    );
}

/// Guido's tree from PEP 255: a complete binary tree over "A".."Z", traversed in order by a
/// recursive generator written the Python way.
struct Tree {
    label: char,
    left: Option<Box<Tree>>,
    right: Option<Box<Tree>>,
}

fn tree(labels: &[char]) -> Option<Box<Tree>> {
    if labels.is_empty() {
        return None;
    }
    let mid = labels.len() / 2;
    Some(Box::new(Tree {
        label: labels[mid],
        left: tree(&labels[..mid]),
        right: tree(&labels[mid + 1..]),
    }))
}

#[generator(yield = char)]
fn inorder(t: &Tree) {
    if let Some(left) = &t.left {
        yield_from!(inorder(left));
    }
    yield_!(t.label);
    if let Some(right) = &t.right {
        yield_from!(inorder(right));
    }
}

#[test]
fn recursive_inorder_traversal() {
    let labels: Vec<char> = ('A'..='Z').collect();
    let root = tree(&labels).unwrap();
    assert_eq!(
        inorder(&root).collect::<String>(),
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    );
}

#[generator(yield = i32, resume = Option<i32>)]
fn subgen() -> &'static str {
    let received = yield_!(1);
    assert_eq!(received, Some(42));
    yield_!(2);
    "sub result"
}

#[generator(yield = i32, resume = Option<i32>)]
fn delegator(log: &RefCell<Vec<String>>) -> usize {
    let result = yield_from!(subgen());
    log.borrow_mut()
        .push(format!("yield from returned {result:?}"));
    yield_!(3);
    result.len()
}

#[test]
fn sent_values_reach_the_subgenerator_and_its_return_value_comes_out() {
    let log = RefCell::new(Vec::new());
    let mut g = delegator(&log);
    assert_eq!(g.send(None), Ok(1));
    assert_eq!(g.send(Some(42)), Ok(2));
    assert!(log.borrow().is_empty());
    assert_eq!(g.send(None), Ok(3));
    assert_eq!(*log.borrow(), [r#"yield from returned "sub result""#]);
    assert_eq!(g.send(None), Err(StopIteration(10)));
}

/// `print((yield 1))` with `send(42)`: in Rust, `let v = yield_!(1); println!("{v}")`.
#[generator(yield = i32, resume = Option<i32>)]
fn print_yield(printed: &RefCell<Vec<String>>) {
    let v = yield_!(1);
    printed.borrow_mut().push(format!("{v:?}"));
}

#[test]
fn print_of_a_yield_receives_the_sent_value() {
    let printed = RefCell::new(Vec::new());
    let mut g = print_yield(&printed);
    assert_eq!(g.next(), Some(1));
    assert_eq!(g.send(Some(42)), Err(StopIteration(())));
    assert_eq!(*printed.borrow(), ["Some(42)"]);
}

/// `count += yield` accumulating the values sent.
#[generator(yield = i32, resume = i32)]
fn accumulate() -> i32 {
    let mut count = 0;
    loop {
        count += yield_!(count);
        if count >= 60 {
            return count;
        }
    }
}

#[test]
fn count_plus_equals_yield_accumulates() {
    let mut g = accumulate();
    assert_eq!(g.send(0), Ok(0));
    assert_eq!(g.send(10), Ok(10));
    assert_eq!(g.send(20), Ok(30));
    assert_eq!(g.send(30), Err(StopIteration(60)));
}

#[generator(yield = u32)]
fn nested(depth: u32, items: u32) -> u32 {
    if depth == 0 {
        for i in 0..items {
            yield_!(i);
        }
        return items;
    }
    let inner = yield_from!(nested(depth - 1, items));
    yield_!(1000 + depth);
    inner + depth
}

#[test]
fn deep_delegation_passes_every_item_and_return_value() {
    for depth in [0, 1, 4, 16, 64] {
        let mut g = nested(depth, 3);
        let mut expected: Vec<u32> = (0..3).collect();
        expected.extend((1..=depth).map(|d| 1000 + d));
        assert_eq!(g.by_ref().collect::<Vec<_>>(), expected, "depth {depth}");
        assert_eq!(g.return_value(), Some(&(3 + depth * (depth + 1) / 2)));
    }
}

#[test]
fn delegation_to_iterables_and_borrowed_locals() {
    let mut g = gen_!({
        let local = [1, 2];
        yield_from!(local.iter().copied());
        yield_from!(vec![3, 4]);
        yield_from!(5..7);
        let mut sub = gen_!({
            yield_!(7);
            "sub done"
        });
        let result: &str = yield_from!(&mut sub);
        assert_eq!(result, "sub done");
        yield_from!(std::iter::empty());
        local.len()
    });
    assert_eq!(g.by_ref().collect::<Vec<i32>>(), [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(g.return_value(), Some(&2));
}

#[test]
fn a_generator_partly_driven_by_hand_can_then_be_delegated_to() {
    let mut sub = nested(2, 2);
    assert_eq!(sub.next(), Some(0));
    let mut outer = gen_!({
        let r = yield_from!(sub);
        yield_!(r);
    });
    assert_eq!(outer.by_ref().collect::<Vec<_>>(), [1, 1001, 1002, 5]);
}

#[cfg(not(target_family = "wasm"))] // spawns a thread: wasm has none
#[test]
fn delegation_keeps_generators_send() {
    fn assert_send<T: Send>(t: T) -> T {
        t
    }
    let g = assert_send(nested(3, 2));
    let total: u32 = std::thread::spawn(move || g.sum()).join().unwrap();
    assert_eq!(total, 1 + 1001 + 1002 + 1003);
}

#[cfg(panic = "unwind")] // catches a panic: wasm has no unwinding
#[test]
fn a_panic_in_a_delegate_propagates_and_poisons_the_outer_generator() {
    let mut g = gen_!({
        yield_from!(gen_!({
            yield_!(1);
            panic!("inner failure");
        }));
        yield_!(2);
    });
    assert_eq!(g.next(), Some(1));
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.next())).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"inner failure"));
    assert_eq!(g.state(), corogen::GenState::Panicked);
    assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.next())).is_err());
}

#[generator(yield = u32)]
fn yields_then_delegates_to_an_iterable() {
    yield_!(1);
    yield_from!(vec![2, 3, 4]);
    yield_!(5);
}

// Symptom: `sub.collect()` gave `[5]`: the `yield_from!` of `sub` itself was on the outer
// generator's stack, and went with it.
#[test]
fn a_borrowed_delegate_keeps_its_own_iterable_delegation_when_the_delegator_is_dropped() {
    let mut sub = yields_then_delegates_to_an_iterable();
    let sub_ref = &mut sub;
    let mut outer = gen_!({ yield_from!(&mut *sub_ref) });
    assert_eq!(outer.next(), Some(1));
    assert_eq!(outer.next(), Some(2));
    drop(outer);
    assert_eq!(sub.state(), corogen::GenState::Suspended);
    assert_eq!(sub.collect::<Vec<_>>(), [3, 4, 5]);
}

#[generator(yield = u32)]
fn leaf() -> &'static str {
    yield_!(2);
    yield_!(3);
    yield_!(4);
    "leaf done"
}

#[generator(yield = u32)]
fn yields_then_delegates_to_a_generator() -> &'static str {
    yield_!(1);
    let r = yield_from!(leaf());
    yield_!(5);
    r
}

// Symptom: `sub.next()` panicked with "`yield_from!` delegated to `leaf`, which had already
// finished": `leaf` was resumed by the outer generator's stack, which went with it.
#[test]
fn a_borrowed_delegate_keeps_its_own_generator_delegation_when_the_delegator_is_dropped() {
    let mut sub = yields_then_delegates_to_a_generator();
    let sub_ref = &mut sub;
    let mut outer = gen_!({ yield_from!(&mut *sub_ref) });
    assert_eq!(outer.next(), Some(1));
    assert_eq!(outer.next(), Some(2));
    drop(outer);
    assert_eq!(sub.by_ref().collect::<Vec<_>>(), [3, 4, 5]);
    assert_eq!(sub.return_value(), Some(&"leaf done"));
}

#[generator(yield = u32)]
fn borrows_and_delegates<'a>(
    inner: &'a mut corogen::Gen<
        impl corogen::Body<Yield = u32, Resume = (), Return = &'static str>,
    >,
) -> &'static str {
    yield_!(0);
    let r = yield_from!(inner);
    yield_!(6);
    r
}

// Two borrowed levels: each drop hands the entries above the borrowed delegate back to it.
#[test]
fn borrowed_delegates_at_two_levels_each_go_on_alone_in_turn() {
    let mut sub = yields_then_delegates_to_a_generator();
    let mut mid = borrows_and_delegates(&mut sub);
    {
        let mid_ref = &mut mid;
        let mut outer = gen_!({ yield_from!(&mut *mid_ref) });
        assert_eq!(outer.by_ref().take(3).collect::<Vec<_>>(), [0, 1, 2]);
    }
    assert_eq!(mid.next(), Some(3));
    drop(mid);
    assert_eq!(sub.by_ref().collect::<Vec<_>>(), [4, 5]);
    assert_eq!(sub.return_value(), Some(&"leaf done"));
}

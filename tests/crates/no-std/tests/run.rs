//! The `#![no_std]` library's generators, run on the host with corogen's `alloc` feature alone.

use corogen::prelude::*;
use corogen_test_no_std::*;

#[test]
fn fib_yields_and_returns_like_the_seed() {
    let mut g = fib(10);
    assert_eq!(
        g.by_ref().collect::<Vec<_>>(),
        [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    );
    assert_eq!(g.return_value(), Some(&"done"));
    assert_eq!(state_of(&g), GenState::Completed);
}

#[test]
fn send_reaches_the_coroutine() {
    let mut g = averager();
    assert_eq!(g.send(None), Ok(0));
    assert_eq!(g.send(Some(10)), Ok(10));
    assert_eq!(g.send(Some(20)), Ok(15));
    assert_eq!(g.send(None), Err(StopIteration(30)));
}

#[test]
fn recursive_delegation_walks_the_tree_in_order() {
    let mut g = in_order(0, 4);
    assert_eq!(g.by_ref().collect::<Vec<_>>(), (0..15).collect::<Vec<_>>());
    assert_eq!(g.return_value(), Some(&15));
}

#[test]
fn delegation_to_iterables_and_generators() {
    let mut g = report();
    assert_eq!(g.send(None), Ok(100));
    assert_eq!(g.send(None), Ok(200));
    assert_eq!(g.send(None), Ok(0)); // the averager starts
    assert_eq!(g.send(Some(4)), Ok(4));
    assert_eq!(g.send(None), Err(StopIteration(vec![4])));
}

#[test]
fn throw_and_close() {
    let mut g = counter();
    assert_eq!(g.next(), Some(0));
    assert_eq!(g.throw(Signal::Skip), GeneratorState::Yielded(10));
    assert_eq!(
        g.throw(Signal::Fatal("disk full")),
        GeneratorState::Complete(Err(Signal::Fatal("disk full")))
    );
    let mut h = counter();
    assert_eq!(h.next(), Some(0));
    h.close();
    assert_eq!(state_of(&h), GenState::Closed);
}

#[test]
fn boxed_trait_objects() {
    let evens: Vec<u32> = std::iter::from_fn({
        let mut g = evens(7);
        move || match std::pin::Pin::new(&mut g).resume(()) {
            GeneratorState::Yielded(v) => Some(v),
            GeneratorState::Complete(()) => None,
        }
    })
    .collect();
    assert_eq!(evens, [0, 2, 4, 6]);
}

#[test]
fn async_generators_are_streams() {
    assert_eq!(drain_countdown(3), (vec![3, 2, 1], Some("liftoff")));
}

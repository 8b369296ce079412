//! `#[generator(recycle, …)]`: a `Gen` whose body block comes from a per-thread free list
//! behaves as any other `Gen` (items, return values, drops, panics, other threads).

use corogen::prelude::*;
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

#[generator(recycle, yield = u32)]
fn pair(x: u32) -> u32 {
    yield_!(x);
    yield_!(x + 1);
    2 * x + 1
}

/// A bigger body (another size class) that logs its drop.
#[generator(recycle, yield = u64)]
fn logged(id: u64, log: Rc<RefCell<Vec<u64>>>) {
    let _guard = Logged(id, log);
    let padding = [id; 16];
    for x in padding.iter().take(3) {
        yield_!(*x + 1);
    }
}

struct Logged(u64, Rc<RefCell<Vec<u64>>>);

impl Drop for Logged {
    fn drop(&mut self) {
        self.1.borrow_mut().push(self.0);
    }
}

#[test]
fn recycled_generators_keep_their_items_and_return_values_while_many_are_alive() {
    // Alive at once, half of them started, then finished last to first: a block is reused
    // only once its generator is gone.
    let mut alive: Vec<(u32, _)> = (0..50).map(|x| (x, pair(x))).collect();
    for (x, g) in alive.iter_mut().step_by(2) {
        assert_eq!(g.next(), Some(*x));
    }
    for (x, mut g) in alive.into_iter().rev() {
        let rest: Vec<u32> = g.by_ref().collect();
        if x % 2 == 0 {
            assert_eq!(rest, [x + 1]);
        } else {
            assert_eq!(rest, [x, x + 1]);
        }
        assert_eq!(g.return_value(), Some(&(2 * x + 1)));
    }
    // And again, from the free list.
    for x in 0..100 {
        let mut g = pair(x);
        assert_eq!(g.send(()), Ok(x));
        assert_eq!(g.send(()), Ok(x + 1));
        assert_eq!(g.send(()), Err(StopIteration(2 * x + 1)));
    }
}

#[test]
fn dropping_suspended_recycled_generators_drops_their_locals_once() {
    let log = Rc::new(RefCell::new(Vec::new()));
    for round in 0..3u64 {
        let mut a = logged(10 * round, Rc::clone(&log));
        let mut b = logged(10 * round + 1, Rc::clone(&log));
        assert_eq!(a.next(), Some(10 * round + 1));
        assert_eq!(b.next(), Some(10 * round + 2));
        drop(b);
        drop(a);
    }
    assert_eq!(*log.borrow(), [1, 0, 11, 10, 21, 20]);
    assert_eq!(Rc::strong_count(&log), 1);
}

#[generator(recycle, yield = u32)]
fn fails_at(n: u32) {
    for i in 0..n {
        yield_!(i);
    }
    panic!("failed at {n}");
}

#[test]
fn a_recycled_generator_that_panicked_gives_its_block_back() {
    for n in 0..20 {
        let mut g = fails_at(n);
        let caught = catch_unwind(AssertUnwindSafe(|| g.by_ref().count()));
        assert!(caught.is_err());
        let again = catch_unwind(AssertUnwindSafe(|| g.next()));
        assert!(again.is_err(), "a panicked generator is not resumed again");
        // A fresh one (likely in the same block) runs normally.
        assert_eq!(pair(n).collect::<Vec<_>>(), [n, n + 1]);
    }
}

#[test]
fn recycled_generators_move_between_threads() {
    // Made here, finished and dropped on another thread (whose free list keeps the block),
    // and the other way round.
    let here: Vec<_> = (0..8).map(pair).collect();
    let made_there = std::thread::spawn(move || {
        for (x, g) in here.into_iter().enumerate() {
            assert_eq!(g.sum::<u32>(), 2 * x as u32 + 1);
        }
        (100..108).map(pair).collect::<Vec<_>>()
    })
    .join()
    .unwrap();
    for (x, g) in (100..).zip(made_there) {
        assert_eq!(g.collect::<Vec<_>>(), [x, x + 1]);
    }
}

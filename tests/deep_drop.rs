//! Dropping and closing a suspended `yield_from!` chain takes constant stack, whatever its depth,
//! and drops the innermost generator's locals first, as a chain of `finally:`s would run.

use corogen::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

type Log = Rc<RefCell<Vec<u32>>>;

/// Logs its depth when dropped.
struct Noted(u32, Log);

impl Drop for Noted {
    fn drop(&mut self) {
        self.1.borrow_mut().push(self.0);
    }
}

/// `depth` generators deep, each delegating to the next through `yield_from!`.
#[generator(yield = u32)]
fn chain(depth: u32, log: Log) -> u32 {
    let _noted = Noted(depth, log.clone());
    if depth == 0 {
        yield_!(0);
        yield_!(1);
        return 0;
    }
    yield_from!(chain(depth - 1, log)) + 1
}

fn innermost_first(depth: u32) -> Vec<u32> {
    (0..=depth).collect()
}

#[test]
fn dropping_and_closing_a_suspended_chain_drops_innermost_first() {
    let log = Log::default();
    let mut g = chain(3, log.clone());
    assert_eq!(g.next(), Some(0));
    drop(g);
    assert_eq!(*log.borrow(), innermost_first(3));

    log.borrow_mut().clear();
    let mut g = chain(3, log.clone());
    assert_eq!(g.next(), Some(0));
    g.close();
    assert_eq!(*log.borrow(), innermost_first(3));
    assert_eq!(g.state(), GenState::Closed);
    assert_eq!(g.next(), None);
    drop(g);
    assert_eq!(log.borrow().len(), 4, "nothing is dropped twice");
    assert_eq!(Rc::strong_count(&log), 1);
}

/// Runs `f` on a thread with a 2 MiB stack, the default of spawned threads.
#[cfg(not(target_family = "wasm"))]
fn on_a_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[cfg(not(target_family = "wasm"))]
const DEEP: u32 = 100_000;

// Symptom: "thread has overflowed its stack", and the process aborted: each level's drop
// dropped the next level's generator from inside its own body's drop.
#[cfg(not(target_family = "wasm"))] // spawns a thread: wasm has none
#[test]
fn dropping_a_deeply_suspended_chain_does_not_overflow_the_stack() {
    on_a_small_stack(|| {
        let log = Log::default();
        let mut g = chain(DEEP, log.clone());
        assert_eq!(g.next(), Some(0));
        drop(g);
        assert!(*log.borrow() == innermost_first(DEEP), "innermost first");
        assert_eq!(Rc::strong_count(&log), 1);

        log.borrow_mut().clear();
        let mut g = chain(DEEP, log.clone());
        assert_eq!(g.next(), Some(0));
        g.close();
        assert!(*log.borrow() == innermost_first(DEEP), "innermost first");
        assert_eq!(g.state(), GenState::Closed);

        log.borrow_mut().clear();
        let first: Vec<u32> = chain(DEEP, log.clone()).take(1).collect();
        assert_eq!(first, [0]);
        assert!(*log.borrow() == innermost_first(DEEP), "innermost first");
    });
}

/// `depth` async generators deep, each delegating to the next through `yield_from!`.
#[generator(yield = u32)]
async fn async_chain(depth: u32, log: Log) -> u32 {
    let _noted = Noted(depth, log.clone());
    if depth == 0 {
        std::future::ready(()).await;
        yield_!(0);
        yield_!(1);
        return 0;
    }
    yield_from!(async_chain(depth - 1, log)) + 1
}

/// The next item of `stream`, polled once with a no-op waker.
fn next_now<S: futures::Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::Pin::new(stream).poll_next(&mut cx) {
        std::task::Poll::Ready(item) => item,
        std::task::Poll::Pending => panic!("pending"),
    }
}

#[test]
fn dropping_and_closing_a_suspended_async_chain_drops_innermost_first() {
    let log = Log::default();
    let mut g = async_chain(3, log.clone());
    assert_eq!(next_now(&mut g), Some(0));
    drop(g);
    assert_eq!(*log.borrow(), innermost_first(3));

    log.borrow_mut().clear();
    let mut g = async_chain(3, log.clone());
    assert_eq!(next_now(&mut g), Some(0));
    g.close();
    assert_eq!(*log.borrow(), innermost_first(3));
    assert_eq!(g.state(), GenState::Closed);
    assert_eq!(next_now(&mut g), None);
    drop(g);
    assert_eq!(log.borrow().len(), 4, "nothing is dropped twice");
    assert_eq!(Rc::strong_count(&log), 1);
}

// As for plain generators: an async generator's drop must not drop the next level's generator
// from inside its own body's drop.
#[cfg(not(target_family = "wasm"))] // spawns a thread: wasm has none
#[test]
fn dropping_a_deeply_suspended_async_chain_does_not_overflow_the_stack() {
    on_a_small_stack(|| {
        let log = Log::default();
        let mut g = async_chain(DEEP, log.clone());
        assert_eq!(next_now(&mut g), Some(0));
        drop(g);
        assert!(*log.borrow() == innermost_first(DEEP), "innermost first");
        assert_eq!(Rc::strong_count(&log), 1);

        log.borrow_mut().clear();
        let mut g = async_chain(DEEP, log.clone());
        assert_eq!(next_now(&mut g), Some(0));
        g.close();
        assert!(*log.borrow() == innermost_first(DEEP), "innermost first");
        assert_eq!(g.state(), GenState::Closed);

        // Run to its end: the chain unwinds one level per poll, in constant stack too.
        log.borrow_mut().clear();
        let mut g = async_chain(DEEP, log.clone());
        let mut items = Vec::new();
        while let Some(item) = next_now(&mut g) {
            items.push(item);
        }
        assert_eq!(items, [0, 1]);
        assert_eq!(g.return_value(), Some(&DEEP));
        assert!(*log.borrow() == innermost_first(DEEP), "innermost first");
    });
}

//! The runtime's core paths, small enough for Miri: `cargo +nightly miri test -p corogen-runtime
//! --test core`. Each test drives the slot waker, the yield futures and the status machine.
#![cfg_attr(not(panic = "unwind"), allow(dead_code, unused_imports, unused_macros))] // helpers of tests gated on unwinding

use corogen::prelude::*;
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

#[generator(yield = &'a u32, resume = u32)]
fn borrow_locals<'a>(base: &'a [u32]) -> u32 {
    let local = vec![10, 20, 30];
    let mut total = 0;
    for x in &local {
        total += yield_!(&base[(*x as usize / 10) % base.len()]);
        total += *x;
    }
    total
}

#[test]
fn borrows_of_locals_across_yields_and_resume_values() {
    let base = [7, 8, 9];
    let mut g = borrow_locals(&base);
    assert_eq!(g.send(0), Ok(&8));
    assert_eq!(g.send(1), Ok(&9));
    assert_eq!(g.send(2), Ok(&7));
    assert_eq!(g.send(3), Err(StopIteration(66)));
}

/// Pushes its number to the log when dropped.
struct Noted(u32, Rc<std::cell::RefCell<Vec<u32>>>);

impl Drop for Noted {
    fn drop(&mut self) {
        self.1.borrow_mut().push(self.0);
    }
}

#[generator(local, yield = u32)]
fn noted_pair(x: u32, log: Rc<std::cell::RefCell<Vec<u32>>>) {
    let _noted = Noted(x, log);
    yield_!(x);
    yield_!(x + 1);
}

// `FlatMapPinned` replaces each pinned `GenLocal` in place: the one before is dropped (its
// suspended locals with it) before the next is built, and the last with the adapter.
#[test]
fn flat_map_pinned_replaces_each_local_generator_in_place() {
    let log = Rc::new(std::cell::RefCell::new(Vec::new()));
    {
        let inner_log = Rc::clone(&log);
        let mut items = std::pin::pin!(corogen::FlatMapPinned::new([10, 20, 30], move |x| {
            noted_pair(x, Rc::clone(&inner_log))
        }));
        assert_eq!(items.next(), Some(10));
        assert_eq!(items.next(), Some(11));
        assert_eq!(items.next(), Some(20));
        assert_eq!(*log.borrow(), [10]);
        let rest: Vec<u32> = items.as_mut().collect();
        assert_eq!(rest, [21, 30, 31]);
        assert_eq!(*log.borrow(), [10, 20, 30]);
    }
    assert_eq!(*log.borrow(), [10, 20, 30]);
    assert_eq!(Rc::strong_count(&log), 1);
}

#[cfg(not(target_family = "wasm"))]
#[generator(recycle, yield = u64)]
fn recycled_pair(x: u64) {
    let kept = [x; 3];
    yield_!(kept[0]);
    yield_!(kept[1] + 1);
}

// `recycle` blocks go back to the free list of the thread that drops them, which gives them
// back to the allocator when it exits; a block made on one thread may be kept by another.
#[test]
#[cfg(not(target_family = "wasm"))] // spawns a thread: wasm has none
fn recycled_blocks_move_between_threads_and_are_freed_at_thread_exit() {
    let made_here: Vec<_> = (0..3).map(recycled_pair).collect();
    let made_there = std::thread::spawn(move || {
        for (x, g) in (0..).zip(made_here) {
            assert_eq!(g.collect::<Vec<_>>(), [x, x + 1]);
        }
        let mut kept: Vec<_> = (10..13).map(recycled_pair).collect();
        assert_eq!(kept[0].next(), Some(10));
        kept
    })
    .join()
    .unwrap();
    for (x, g) in (10..).zip(made_there) {
        assert_eq!(g.last(), Some(x + 1));
    }
    for x in 0..4 {
        assert_eq!(recycled_pair(x).sum::<u64>(), 2 * x + 1);
    }
}

struct Count(Rc<Cell<u32>>);
impl Drop for Count {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn drops_of_suspended_and_finished_generators() {
    let drops = Rc::new(Cell::new(0));
    let make = |drops: Rc<Cell<u32>>| {
        gen_!({
            let _a = Count(drops.clone());
            let _b = Count(drops);
            yield_!(Count(Rc::new(Cell::new(0))));
        })
    };
    let mut g = make(drops.clone());
    drop(g.next());
    drop(g);
    assert_eq!(drops.get(), 2);
    let mut g = make(drops.clone());
    assert_eq!(g.by_ref().count(), 1);
    assert_eq!(drops.get(), 4);
    drop(make(drops.clone()));
    assert_eq!(
        drops.get(),
        4,
        "an unstarted generator only drops its captures"
    );
    assert_eq!(Rc::strong_count(&drops), 1);
}

#[cfg(panic = "unwind")] // catches a panic: wasm has no unwinding
#[test]
fn panics_poison_and_clear_messages() {
    let mut g = gen_!({
        yield_!(1);
        panic!("inside");
    });
    assert_eq!(g.next(), Some(1));
    assert!(catch_unwind(AssertUnwindSafe(|| g.next())).is_err());
    assert!(catch_unwind(AssertUnwindSafe(|| g.next())).is_err());
    assert!(g.is_finished());
}

struct Pending;
impl std::future::Future for Pending {
    type Output = ();
    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        let kept = cx.waker().clone();
        kept.wake_by_ref();
        drop(kept.clone());
        kept.wake();
        std::task::Poll::Pending
    }
}

macro_rules! hidden_await {
    ($e:expr) => {
        $e.await
    };
}

#[cfg(panic = "unwind")] // catches a panic: wasm has no unwinding
#[test]
fn foreign_pending_future_is_refused_without_touching_the_slot() {
    let mut g = gen_!({
        hidden_await!(Pending);
        yield_!(());
    });
    assert!(catch_unwind(AssertUnwindSafe(|| g.next())).is_err());
}

#[test]
fn nested_generators_each_use_their_own_slot() {
    let mut outer = gen_!({
        let inner = gen_!({
            yield_!(1u8);
            yield_!(2u8);
        });
        for x in inner {
            yield_!(u32::from(x) * 100);
            yield_!(u32::from(x));
        }
    });
    assert_eq!(outer.by_ref().collect::<Vec<_>>(), [100, 1, 200, 2]);
}

#[generator(yield = u32, resume = Option<u32>)]
fn depth(n: u32, local: &[u32]) -> u32 {
    if n == 0 {
        let mut sum = 0;
        for x in local {
            sum += yield_!(*x).unwrap_or(0);
        }
        return sum;
    }
    let borrowed = vec![n; 2];
    let inner = yield_from!(depth(n - 1, &borrowed));
    yield_!(inner);
    inner + n
}

#[test]
fn delegation_stack_through_levels_with_borrowed_locals() {
    let data = [5, 6];
    let mut g = depth(3, &data);
    assert_eq!(g.send(None), Ok(1));
    assert_eq!(g.send(Some(10)), Ok(1));
    assert_eq!(g.send(Some(20)), Ok(30));
    assert_eq!(g.send(None), Ok(31));
    assert_eq!(g.send(None), Ok(33));
    assert_eq!(g.send(None), Err(StopIteration(36)));
}

#[test]
fn closing_and_dropping_while_delegating() {
    let drops = Rc::new(Cell::new(0));
    let make = |drops: Rc<Cell<u32>>| {
        gen_!({
            let _outer = Count(drops.clone());
            yield_from!(gen_!({
                let _inner = Count(drops);
                yield_!(1);
                yield_!(2);
            }));
        })
    };
    let mut g = make(drops.clone());
    assert_eq!(g.next(), Some(1));
    g.close();
    assert_eq!(drops.get(), 2);
    let mut g = make(drops.clone());
    assert_eq!(g.next(), Some(1));
    drop(g);
    assert_eq!(drops.get(), 4);
    assert_eq!(Rc::strong_count(&drops), 1);
}

#[generator(yield = u8, resume = (), throw = &'static str)]
fn thrown_into() -> Result<(), &'static str> {
    yield_!(1)?;
    Ok(())
}

#[test]
fn throw_through_a_delegation() {
    let mut outer = thrown_outer();
    assert_eq!(outer.next(), Some(1));
    assert_eq!(outer.throw("x"), GeneratorState::Complete(Err("x")));
}

#[generator(yield = u8, resume = (), throw = &'static str)]
fn thrown_outer() -> Result<(), &'static str> {
    yield_from!(thrown_into())
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

struct YieldOnce(bool);
impl std::future::Future for YieldOnce {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            return std::task::Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

#[test]
fn async_generator_slot_yields_and_real_pending() {
    let drops = Rc::new(Cell::new(0));
    let guard_drops = drops.clone();
    let local = vec![3u32, 4];
    let mut stream = gen_!(async move {
        let _guard = Count(guard_drops);
        for x in &local {
            YieldOnce(false).await;
            yield_!(*x);
        }
        local.len()
    });
    assert_eq!(block_on(stream.next()), Some(3));
    assert_eq!(block_on(stream.next()), Some(4));
    assert_eq!(block_on(stream.next()), None);
    assert_eq!(stream.return_value(), Some(&2));
    assert_eq!(drops.get(), 1);
    let mut unfinished = gen_!(async move {
        yield_!(1u8);
        yield_!(2u8);
    });
    assert_eq!(block_on(unfinished.next()), Some(1));
    drop(unfinished);
}

/// Keeps a clone of the waker it is polled with, wakes it later through the clone.
struct KeepsWaker(Rc<Cell<Option<std::task::Waker>>>, bool);
impl std::future::Future for KeepsWaker {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.1 {
            return std::task::Poll::Ready(());
        }
        self.1 = true;
        self.0.set(Some(cx.waker().clone()));
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

struct CountWakes(std::sync::atomic::AtomicUsize);
impl std::task::Wake for CountWakes {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn nested_async_generators_wake_and_clone_through_their_wrappers() {
    // A plain stream polled in the body of a plain stream polled in the body of one that
    // delegates: the innermost slot's outer waker is the middle one's wrapper, whose own is
    // the outer's (full) slot's executor waker.
    let kept = Rc::new(Cell::new(None));
    let inner_kept = kept.clone();
    let mut outer = gen_!(async move {
        let mut middle = gen_!(async move {
            let mut inner = gen_!(async move {
                KeepsWaker(inner_kept, false).await;
                yield_!(1u32);
            });
            while let Some(x) = inner.next().await {
                yield_!(x + 1);
            }
        });
        yield_from!(std::iter::once(0u32));
        while let Some(x) = middle.next().await {
            yield_!(x + 1);
        }
    });
    let counter = std::sync::Arc::new(CountWakes(std::sync::atomic::AtomicUsize::new(0)));
    let executor = std::task::Waker::from(counter.clone());
    let mut cx = std::task::Context::from_waker(&executor);
    let mut items = Vec::new();
    let mut pending = 0;
    loop {
        match futures_core::Stream::poll_next(std::pin::Pin::new(&mut outer), &mut cx) {
            std::task::Poll::Ready(Some(x)) => items.push(x),
            std::task::Poll::Ready(None) => break,
            std::task::Poll::Pending => pending += 1,
        }
    }
    assert_eq!(items, [0, 3]);
    assert_eq!(pending, 1);
    // `wake_by_ref` through both wrappers reached the executor's waker.
    assert_eq!(counter.0.load(std::sync::atomic::Ordering::SeqCst), 1);
    // The clone is the executor's own waker, valid after the polls: waking it counts.
    let clone = kept.take().expect("the inner future kept a waker");
    assert_eq!(clone.data(), executor.data());
    clone.wake();
    assert_eq!(counter.0.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[test]
fn local_generators_pin_in_place() {
    let drops = Rc::new(Cell::new(0));
    let guard_drops = drops.clone();
    let local = [7u32, 8];
    let mut g = std::pin::pin!(gen_local!({
        let _guard = Count(guard_drops);
        let owned: Vec<u32> = (1..=2).collect();
        for (x, y) in owned.iter().zip(&local) {
            yield_!(x + y);
        }
        owned.len()
    }));
    assert_eq!(g.as_mut().next(), Some(8));
    assert_eq!(g.as_mut().next(), Some(10));
    assert_eq!(g.as_mut().next(), None);
    assert_eq!(g.return_value(), Some(&2));
    assert_eq!(drops.get(), 1);
}

// Delegation polls each delegate's body directly with the outermost resume's slot (its marker
// switched per body): mixed delegates, a delegate driven before, panics, and threads.

#[generator(yield = u32, resume = Option<u32>)]
fn echo_twice() -> u32 {
    let a = yield_!(1).unwrap_or(0);
    let b = yield_!(2).unwrap_or(0);
    a + b
}

#[generator(yield = u32, resume = Option<u32>)]
fn mixed_inner() -> u32 {
    yield_from!(0..0u32); // an empty delegate completes at once
    let r = yield_from!(echo_twice());
    yield_!(r);
    r * 2
}

#[generator(yield = u32, resume = Option<u32>)]
fn mixed_outer() {
    yield_from!(vec![10u32, 11]);
    let r = yield_from!(mixed_inner());
    yield_!(r);
    yield_from!(Some(99u32));
}

#[test]
fn one_slot_serves_generator_and_iterator_delegates_at_every_level() {
    let mut g = mixed_outer();
    assert_eq!(g.send(Some(7)), Ok(10));
    assert_eq!(g.send(Some(7)), Ok(11));
    assert_eq!(g.send(Some(7)), Ok(1));
    assert_eq!(g.send(Some(3)), Ok(2));
    assert_eq!(g.send(Some(4)), Ok(7));
    assert_eq!(g.send(None), Ok(14));
    assert_eq!(g.send(None), Ok(99));
    assert_eq!(g.send(None), Err(StopIteration(())));
}

#[generator(yield = u32, resume = Option<u32>)]
fn borrowing_delegator<'a, B: corogen::Body<Yield = u32, Resume = Option<u32>, Return = u32>>(
    sub: &'a mut corogen::Gen<B>,
    plus: u32,
) -> u32 {
    let r = yield_from!(sub);
    yield_!(r + plus);
    r
}

#[test]
fn delegating_to_a_generator_driven_before_and_to_one_mid_delegation() {
    let mut sub = echo_twice();
    assert_eq!(sub.send(None), Ok(1));
    let mut outer = borrowing_delegator(&mut sub, 0);
    // `sub` goes on from where it was, with `None` (the value that starts `outer` is dropped).
    assert_eq!(outer.send(Some(5)), Ok(2));
    assert_eq!(outer.send(Some(6)), Ok(6));
    assert_eq!(outer.send(None), Err(StopIteration(6)));
    drop(outer);
    assert!(sub.is_finished());

    // A delegate that is itself delegating on its own stack runs as its own outermost.
    let mut inner = echo_twice();
    let mut mid = borrowing_delegator(&mut inner, 100);
    assert_eq!(mid.send(None), Ok(1));
    let mut top = borrowing_delegator(&mut mid, 1000);
    assert_eq!(top.send(None), Ok(2));
    assert_eq!(top.send(Some(8)), Ok(108));
    assert_eq!(top.send(None), Ok(1008));
    assert_eq!(top.send(None), Err(StopIteration(8)));
}

#[cfg(panic = "unwind")] // catches a panic: wasm has no unwinding
#[test]
fn a_panic_mid_delegation_poisons_the_outermost_and_drops_every_level() {
    let drops = Rc::new(Cell::new(0));
    let (outer_drops, mid_drops, inner_drops) = (drops.clone(), drops.clone(), drops.clone());
    let mut g = gen_!({
        let _outer = Count(outer_drops);
        yield_from!(gen_!({
            let _mid = Count(mid_drops);
            yield_from!(gen_!({
                let _inner = Count(inner_drops);
                yield_!(1);
                panic!("deep");
            }));
        }));
    });
    assert_eq!(g.next(), Some(1));
    assert!(catch_unwind(AssertUnwindSafe(|| g.next())).is_err());
    assert_eq!(g.state(), corogen::GenState::Panicked);
    assert!(catch_unwind(AssertUnwindSafe(|| g.next())).is_err());
    assert_eq!(drops.get(), 1, "the panicking body dropped its own locals");
    drop(g);
    assert_eq!(drops.get(), 3);
    assert_eq!(Rc::strong_count(&drops), 1);
}

#[generator(yield = u32, resume = Option<u32>)]
fn two_levels<'a, B: corogen::Body<Yield = u32, Resume = Option<u32>, Return = u32>>(
    sub: &'a mut corogen::Gen<B>,
) -> u32 {
    yield_from!(borrowing_delegator(sub, 0))
}

#[test]
fn dropping_mid_delegation_at_depth_then_reusing_a_borrowed_delegate() {
    let mut sub = echo_twice();
    let mut g = two_levels(&mut sub);
    assert_eq!(g.send(None), Ok(1));
    drop(g);
    // `sub` was left suspended at its first yield; it can still be driven to its end.
    assert_eq!(sub.send(Some(1)), Ok(2));
    assert_eq!(sub.send(Some(2)), Err(StopIteration(3)));
}

#[test]
fn closing_mid_delegation_at_depth_closes_a_borrowed_delegate_too() {
    let mut sub = echo_twice();
    let mut g = two_levels(&mut sub);
    assert_eq!(g.send(None), Ok(1));
    g.close();
    drop(g);
    assert_eq!(sub.state(), corogen::GenState::Closed);
    assert_eq!(sub.next(), None);
}

#[generator(yield = u64)]
fn count_down(n: u64) -> u64 {
    if n > 0 {
        yield_!(n);
        let below = yield_from!(count_down(n - 1));
        return below + n;
    }
    0
}

#[cfg(not(target_family = "wasm"))] // spawns a thread: wasm has none
#[test]
fn a_delegating_generator_moves_to_another_thread_mid_delegation() {
    let mut g = count_down(4);
    assert_eq!(g.next(), Some(4));
    assert_eq!(g.next(), Some(3));
    let g = std::thread::spawn(move || {
        let mut g = g;
        assert_eq!(g.by_ref().collect::<Vec<_>>(), [2, 1]);
        g
    })
    .join()
    .unwrap();
    assert_eq!(g.return_value(), Some(&10));
}

// The bodies of delegating generators live in blocks recycled through per-thread free lists.

#[generator(yield = u32)]
fn tree_walk(depth: u32, base: u32) -> u32 {
    if depth == 0 {
        return 0;
    }
    let left = yield_from!(tree_walk(depth - 1, base * 2));
    yield_!(base);
    let right = yield_from!(tree_walk(depth - 1, base * 2 + 1));
    left + right + 1
}

#[cfg(not(target_family = "wasm"))] // spawns a thread: wasm has none
#[test]
fn recursive_generators_reuse_their_blocks_across_traversals_and_threads() {
    let walk = |depth| {
        let mut g = tree_walk(depth, 1);
        let items: Vec<u32> = g.by_ref().collect();
        (items.len(), *g.return_value().unwrap())
    };
    for _ in 0..3 {
        assert_eq!(walk(4), (15, 15));
    }
    // Made here, half-driven, dropped (and its blocks released) on another thread, whose lists
    // are freed at its exit; then this thread's lists serve again.
    let mut g = tree_walk(3, 1);
    assert_eq!(g.next(), Some(4));
    std::thread::spawn(move || {
        assert_eq!(g.next(), Some(2));
        drop(g);
        assert_eq!(walk(3), (7, 7));
    })
    .join()
    .unwrap();
    assert_eq!(walk(2), (3, 3));
}

struct PanicOnDrop;
impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("drop");
    }
}

#[cfg(panic = "unwind")] // catches a panic: wasm has no unwinding
#[test]
fn a_body_whose_drop_panics_still_gives_its_block_back() {
    let drops = Rc::new(Cell::new(0));
    let make = |drops: Rc<Cell<u32>>| {
        gen_!({
            let _count = Count(drops);
            let _bomb = PanicOnDrop;
            yield_from!(gen_!({
                yield_!(1);
            }));
        })
    };
    let mut g = make(drops.clone());
    assert_eq!(g.next(), Some(1));
    assert!(catch_unwind(AssertUnwindSafe(move || drop(g))).is_err());
    assert_eq!(drops.get(), 1);
    // The block went back to the list: the next generator of this type takes it.
    let mut g = make(drops.clone());
    assert_eq!(g.next(), Some(1));
    assert!(catch_unwind(AssertUnwindSafe(move || drop(g))).is_err());
    assert_eq!(drops.get(), 2);
    assert_eq!(Rc::strong_count(&drops), 1);
}

#[test]
fn big_delegating_bodies_use_a_plain_box() {
    let mut g = gen_!({
        let big = [7u8; 2048];
        yield_from!(big.iter().map(|&b| u32::from(b)).take(2));
        yield_!(u32::from(big[2047]));
    });
    assert_eq!(g.by_ref().collect::<Vec<_>>(), [7, 7, 7]);
}

// The end of an unfinished delegation (see `delegate.rs`): top first, owned delegates dropped in
// place, borrowed ones handed back their own delegation (drop) or closed (close).

type DropLog = Rc<std::cell::RefCell<Vec<u32>>>;

struct Logged(u32, DropLog);
impl Drop for Logged {
    fn drop(&mut self) {
        self.1.borrow_mut().push(self.0);
    }
}

#[generator(yield = u32)]
fn logged_chain(depth: u32, log: DropLog) -> u32 {
    let _logged = Logged(depth, log.clone());
    if depth == 0 {
        yield_from!([0u32, 1]);
        return 0;
    }
    yield_from!(logged_chain(depth - 1, log)) + 1
}

#[test]
fn an_unfinished_delegation_is_dropped_and_closed_innermost_first() {
    let log = DropLog::default();
    let mut g = logged_chain(4, Rc::clone(&log));
    assert_eq!(g.next(), Some(0));
    drop(g);
    assert_eq!(*log.borrow(), [0, 1, 2, 3, 4]);
    log.borrow_mut().clear();
    let mut g = logged_chain(4, Rc::clone(&log));
    assert_eq!(g.next(), Some(0));
    g.close();
    assert_eq!(*log.borrow(), [0, 1, 2, 3, 4]);
    assert_eq!(g.next(), None);
    drop(g);
    assert_eq!(log.borrow().len(), 5);
    assert_eq!(Rc::strong_count(&log), 1);
}

#[generator(yield = u32)]
fn lends<'a, B: corogen::Body<Yield = u32, Resume = (), Return = u32>>(
    sub: &'a mut corogen::Gen<B>,
    log: DropLog,
) -> u32 {
    let _logged = Logged(100, log);
    yield_from!(sub) + 100
}

#[test]
fn borrowed_delegates_take_back_their_delegation_at_each_drop() {
    let log = DropLog::default();
    let mut inner = logged_chain(2, Rc::clone(&log));
    let mut mid = lends(&mut inner, Rc::clone(&log));
    {
        let mid = &mut mid;
        let mut top = gen_!({ yield_from!(&mut *mid) });
        assert_eq!(top.next(), Some(0));
        // `mid` takes back `inner` and its two levels.
    }
    assert!(log.borrow().is_empty());
    assert_eq!(mid.next(), Some(1));
    drop(mid);
    assert_eq!(*log.borrow(), [100]);
    // `inner` takes back its two levels.
    assert_eq!(inner.by_ref().collect::<Vec<_>>(), []);
    assert_eq!(inner.return_value(), Some(&2));
    assert_eq!(*log.borrow(), [100, 0, 1, 2]);
}

#[test]
fn close_goes_through_borrowed_delegates() {
    let log = DropLog::default();
    let mut inner = logged_chain(2, Rc::clone(&log));
    let mut mid = lends(&mut inner, Rc::clone(&log));
    let mid_ref = &mut mid;
    let mut top = gen_!({ yield_from!(&mut *mid_ref) });
    assert_eq!(top.next(), Some(0));
    top.close();
    assert_eq!(*log.borrow(), [0, 1, 2, 100]);
    drop(top);
    assert_eq!(mid.state(), corogen::GenState::Closed);
    drop(mid);
    assert_eq!(inner.state(), corogen::GenState::Closed);
    assert_eq!(Rc::strong_count(&log), 1, "closed: nothing holds the log");
}

#[cfg(panic = "unwind")] // catches a panic: wasm has no unwinding
#[test]
fn a_panic_above_a_borrowed_delegate_poisons_it_and_it_still_drops_its_delegation() {
    let log = DropLog::default();
    let inner_log = Rc::clone(&log);
    let mut inner = gen_!({
        let _logged = Logged(1, inner_log.clone());
        yield_from!(gen_!({
            let _logged = Logged(0, inner_log);
            yield_!(7u32);
            panic!("deep");
        }));
        0u32
    });
    let inner_ref = &mut inner;
    let mut top = gen_!({ yield_from!(&mut *inner_ref) });
    assert_eq!(top.next(), Some(7));
    assert!(catch_unwind(AssertUnwindSafe(|| top.next())).is_err());
    assert_eq!(
        *log.borrow(),
        [0],
        "the panicking body dropped its own locals"
    );
    drop(top);
    assert_eq!(inner.state(), corogen::GenState::Panicked);
    assert!(catch_unwind(AssertUnwindSafe(|| inner.next())).is_err());
    drop(inner);
    assert_eq!(*log.borrow(), [0, 1]);
    assert_eq!(Rc::strong_count(&log), 1);
}

#[cfg(panic = "unwind")] // catches a panic: wasm has no unwinding
#[test]
fn a_drop_that_panics_mid_chain_lets_the_rest_of_the_chain_drop() {
    let log = DropLog::default();
    let make = |log: DropLog| {
        let (outer_log, mid_log) = (Rc::clone(&log), Rc::clone(&log));
        gen_!({
            let _logged = Logged(2, outer_log);
            yield_from!(gen_!({
                let _logged = Logged(1, mid_log);
                let _bomb = PanicOnDrop;
                yield_from!(gen_!({
                    let _logged = Logged(0, log);
                    yield_!(1u32);
                }));
            }));
        })
    };
    let mut g = make(Rc::clone(&log));
    assert_eq!(g.next(), Some(1));
    assert!(catch_unwind(AssertUnwindSafe(move || drop(g))).is_err());
    assert_eq!(*log.borrow(), [0, 1, 2]);
    log.borrow_mut().clear();
    let mut g = make(Rc::clone(&log));
    assert_eq!(g.next(), Some(1));
    assert!(catch_unwind(AssertUnwindSafe(|| g.close())).is_err());
    assert_eq!(*log.borrow(), [0, 1, 2]);
    assert_eq!(g.state(), corogen::GenState::Closed);
    drop(g);
    assert_eq!(log.borrow().len(), 3);
    assert_eq!(Rc::strong_count(&log), 1);
}

#[generator(yield = u128, resume = (), throw = &'static str)]
fn over_aligned() -> Result<u128, &'static str> {
    let r = yield_from!([1u128, 2, 3]);
    yield_!(u128::from(r.is_err()))?;
    yield_from!(over_aligned_leaf())
}

#[repr(align(64))]
struct Aligned(u128);

#[generator(yield = u128, resume = (), throw = &'static str)]
fn over_aligned_leaf() -> Result<u128, &'static str> {
    let kept = Aligned(9);
    yield_!(kept.0)?;
    Ok(kept.0 + 1)
}

// Delegates aligned to more than a word keep their table in the word before them too.
#[test]
fn throws_into_and_drops_of_over_aligned_delegates() {
    let mut g = over_aligned();
    assert_eq!(g.next(), Some(1));
    assert_eq!(g.throw("x"), GeneratorState::Yielded(1));
    assert_eq!(g.next(), Some(9));
    assert_eq!(g.next(), None);
    assert_eq!(g.return_value(), Some(&Ok(10)));
    let mut g = over_aligned();
    assert_eq!(g.next(), Some(1));
    g.close();
    let mut g = over_aligned();
    g.next();
    g.next();
    g.next();
    drop(g);
}

// A generator driven by hand, then delegated to by value, runs its own delegation on its own
// stack; dropping the delegating generator drops that delegation too, innermost first.
#[test]
fn dropping_a_delegation_to_a_generator_that_delegates_on_its_own_stack() {
    let log = DropLog::default();
    let mut sub = logged_chain(2, Rc::clone(&log));
    assert_eq!(sub.next(), Some(0));
    let mut outer = gen_!({
        let r = yield_from!(sub);
        yield_!(r);
    });
    assert_eq!(outer.next(), Some(1));
    drop(outer);
    assert_eq!(*log.borrow(), [0, 1, 2]);
    assert_eq!(Rc::strong_count(&log), 1);
}

// Async generators that delegate and take values: the full slot (its marker switched to each
// body polled), async requests, the start values put aside, streams polled pinned in place, and
// the end of unfinished async delegations.

/// A stream that must not move once polled (it checks its own address), pending once per item.
struct PinnedStream {
    left: u32,
    ready: bool,
    at: Option<usize>,
    _pinned: std::marker::PhantomPinned,
}

impl PinnedStream {
    fn new(left: u32) -> Self {
        PinnedStream {
            left,
            ready: false,
            at: None,
            _pinned: std::marker::PhantomPinned,
        }
    }
}

impl futures_core::Stream for PinnedStream {
    type Item = u32;
    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<u32>> {
        // SAFETY: nothing is moved out; only plain fields are written.
        let this = unsafe { self.get_unchecked_mut() };
        let here = std::ptr::from_mut(this) as usize;
        assert_eq!(
            *this.at.get_or_insert(here),
            here,
            "moved after it was pinned"
        );
        if this.left == 0 {
            return std::task::Poll::Ready(None);
        }
        if !this.ready {
            this.ready = true;
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        this.ready = false;
        this.left -= 1;
        std::task::Poll::Ready(Some(100 + this.left))
    }
}

#[generator(yield = &'a u32)]
async fn async_depth<'a>(n: u32, base: &'a [u32]) -> u32 {
    if n == 0 {
        YieldOnce(false).await;
        yield_!(&base[0]);
        return 1;
    }
    let local = [n];
    let below = yield_from!(async_depth(n - 1, base));
    yield_from!(base[1..].iter());
    yield_!(&base[(local[0] as usize) % base.len()]);
    below + 1
}

#[test]
fn async_delegation_stack_through_levels_with_borrowed_locals() {
    let base = [7, 8, 9];
    let mut g = async_depth(3, &base);
    let mut items = Vec::new();
    while let Some(item) = block_on(g.next()) {
        items.push(*item);
    }
    assert_eq!(items, [7, 8, 9, 8, 8, 9, 9, 8, 9, 7]);
    assert_eq!(g.return_value(), Some(&4));
}

#[generator(yield = u32, resume = Option<u32>)]
fn plain_echo() -> u32 {
    let mut last = 0;
    while let Some(x) = yield_!(last) {
        last = x;
    }
    last
}

#[generator(yield = u32, resume = Option<u32> as first)]
async fn async_echo(tag: u32) -> u32 {
    let mut last = first.unwrap_or(tag);
    loop {
        YieldOnce(false).await;
        match yield_!(last) {
            Some(x) => last = x,
            None => return last,
        }
    }
}

#[generator(yield = u32, resume = Option<u32>)]
async fn mixed_async() -> u32 {
    let a = yield_from!(async_echo(1));
    let b = yield_from!(plain_echo());
    let mut sub = async_echo(2);
    let c = yield_from!(&mut sub);
    let mut plain = plain_echo();
    let d = yield_from!(&mut plain);
    yield_from!(PinnedStream::new(2));
    yield_from!([a, b, c, d]);
    a + b + c + d
}

#[test]
fn one_full_slot_serves_async_plain_stream_and_iterator_delegates() {
    block_on(async {
        let mut g = mixed_async();
        assert_eq!(g.send(None).await, Ok(1)); // starts `async_echo(1)`, which took `None`
        assert_eq!(g.send(Some(5)).await, Ok(5));
        assert_eq!(g.send(None).await, Ok(0)); // 5; `plain_echo` starts
        assert_eq!(g.send(Some(6)).await, Ok(6));
        assert_eq!(g.send(None).await, Ok(2)); // 6; the borrowed `async_echo(2)` starts
        assert_eq!(g.send(None).await, Ok(0)); // 2; the borrowed `plain_echo` starts
        assert_eq!(g.send(Some(3)).await, Ok(3));
        assert_eq!(g.send(None).await, Ok(101)); // 3; the stream, pinned in place
        assert_eq!(g.send(Some(9)).await, Ok(100)); // dropped: a stream takes no values
        assert_eq!(g.send(None).await, Ok(5));
        let rest: Vec<u32> = (&mut g).collect_all().await;
        assert_eq!(rest, [6, 2, 3]);
        assert_eq!(g.return_value(), Some(&16));
    });
}

/// Collects a stream without `StreamExt`.
trait CollectAll: futures_core::Stream + Unpin + Sized {
    async fn collect_all(mut self) -> Vec<Self::Item> {
        let mut items = Vec::new();
        while let Some(item) =
            std::future::poll_fn(|cx| std::pin::Pin::new(&mut self).poll_next(cx)).await
        {
            items.push(item);
        }
        items
    }
}
impl<S: futures_core::Stream + Unpin> CollectAll for S {}

#[test]
fn cancelled_sends_keep_undelivered_values_and_drop_answers_nobody_waits_for() {
    #[generator(yield = Vec<u32>, resume = Vec<u32>)]
    async fn doubles() {
        let mut x = yield_!(Vec::new());
        loop {
            YieldOnce(false).await;
            YieldOnce(false).await;
            x = yield_!(x.iter().map(|v| v * 2).collect());
        }
    }
    let mut g = doubles();
    drop(g.send(vec![0])); // never polled: kept
    assert_eq!(g.take_undelivered(), Some(vec![0]));
    assert_eq!(block_on(g.send(vec![])), Ok(vec![]));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    // Delivered, then given up on mid-step.
    let mut send = g.send(vec![21]);
    assert!(std::pin::Pin::new(&mut send).poll(&mut cx).is_pending());
    drop(send);
    // Not deliverable while that step runs: kept when dropped.
    let mut send = g.send(vec![1]);
    assert!(std::pin::Pin::new(&mut send).poll(&mut cx).is_pending());
    drop(send);
    assert_eq!(g.take_undelivered(), Some(vec![1]));
    // The step ends with [42], which nobody waits for; then [5] is delivered.
    assert_eq!(block_on(g.send(vec![5])), Ok(vec![10]));
}

#[generator(yield = u32)]
async fn async_logged_chain(depth: u32, log: DropLog) -> u32 {
    let _logged = Logged(depth, log.clone());
    if depth == 0 {
        yield_from!(PinnedStream::new(2));
        return 0;
    }
    yield_from!(async_logged_chain(depth - 1, log)) + 1
}

#[generator(yield = u32)]
async fn async_lends<'a, B: corogen::Body<Yield = u32, Resume = (), Return = u32>>(
    sub: &'a mut corogen::AsyncGen<B>,
    log: DropLog,
) -> u32 {
    let _logged = Logged(100, log);
    yield_from!(sub) + 100
}

#[test]
fn unfinished_async_delegations_end_innermost_first_and_borrowed_ones_take_theirs_back() {
    let log = DropLog::default();
    let mut g = async_logged_chain(3, Rc::clone(&log));
    assert_eq!(block_on(g.next()), Some(101));
    drop(g);
    assert_eq!(*log.borrow(), [0, 1, 2, 3]);

    log.borrow_mut().clear();
    let mut inner = async_logged_chain(2, Rc::clone(&log));
    let mut mid = async_lends(&mut inner, Rc::clone(&log));
    {
        let mid = &mut mid;
        let mut top = gen_!(async move { yield_from!(&mut *mid) });
        assert_eq!(block_on(top.next()), Some(101));
        // `mid` takes back `inner` and its levels.
    }
    assert!(log.borrow().is_empty());
    assert_eq!(block_on(mid.next()), Some(100));
    drop(mid);
    assert_eq!(*log.borrow(), [100]);
    assert_eq!(inner.state(), corogen::GenState::Suspended);
    assert_eq!(block_on(inner.next()), None);
    assert_eq!(inner.return_value(), Some(&2));

    log.borrow_mut().clear();
    let mut inner = async_logged_chain(1, Rc::clone(&log));
    let mut top = async_lends(&mut inner, Rc::clone(&log));
    assert_eq!(block_on(top.next()), Some(101));
    top.close();
    assert_eq!(*log.borrow(), [0, 1, 100]);
    drop(top);
    assert_eq!(inner.state(), corogen::GenState::Closed);
    assert_eq!(Rc::strong_count(&log), 1);
}

#[cfg(panic = "unwind")] // catches a panic: wasm has no unwinding
#[test]
fn a_panic_mid_async_delegation_poisons_the_outermost_and_drops_every_level() {
    #[generator(yield = u32)]
    async fn explodes(log: DropLog) {
        let _logged = Logged(0, log);
        yield_!(1);
        YieldOnce(false).await;
        panic!("inner failure");
    }
    #[generator(yield = u32)]
    async fn over(log: DropLog) {
        let _logged = Logged(1, log.clone());
        yield_from!(explodes(log));
    }
    let log = DropLog::default();
    let mut g = over(Rc::clone(&log));
    assert_eq!(block_on(g.next()), Some(1));
    assert!(catch_unwind(AssertUnwindSafe(|| block_on(g.next()))).is_err());
    assert_eq!(g.state(), corogen::GenState::Panicked);
    assert_eq!(
        *log.borrow(),
        [0],
        "the panic dropped the inner body's locals"
    );
    assert!(catch_unwind(AssertUnwindSafe(|| block_on(g.next()))).is_err());
    drop(g);
    assert_eq!(*log.borrow(), [0, 1]);
    assert_eq!(Rc::strong_count(&log), 1);
}

/// A stream aligned to more than a word: its `yield_from!` local's table sits in the head's last
/// word.
#[repr(align(32))]
struct OverAlignedStream(u32);

impl futures_core::Stream for OverAlignedStream {
    type Item = u32;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<u32>> {
        assert_eq!(std::ptr::from_ref(&*self) as usize % 32, 0);
        let left = self.0;
        self.0 = left.saturating_sub(1);
        std::task::Poll::Ready((left > 0).then_some(left))
    }
}

#[test]
fn throws_into_and_drops_of_over_aligned_async_delegates() {
    #[generator(yield = u32, resume = (), throw = &'static str)]
    async fn over_aligned() -> Result<u32, &'static str> {
        let r = yield_from!(OverAlignedStream(3));
        assert_eq!(r, Err("stop"));
        yield_from!(OverAlignedStream(2))?;
        Ok(0)
    }
    block_on(async {
        let mut g = over_aligned();
        assert_eq!(g.next().await, Some(3));
        assert_eq!(g.throw("stop").await, corogen::GeneratorState::Yielded(2));
        drop(g); // mid-delegation
        let mut g = over_aligned();
        assert_eq!(g.next().await, Some(3));
        g.close();
    });
}

//! A panic of misuse (resuming a generator that completed, was closed or panicked) is reported at
//! the caller's line, not inside the runtime: every public path that can raise one is
//! `#[track_caller]`.
#![cfg(panic = "unwind")] // every test catches a panic: wasm has no unwinding

use corogen::prelude::*;
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::pin::{Pin, pin};
use std::sync::Once;

thread_local! {
    static LAST_PANIC: RefCell<Option<(String, u32)>> = const { RefCell::new(None) };
}

/// Runs `f`, which must panic, and returns the file and line the panic was reported at.
fn panic_location(f: impl FnOnce()) -> (String, u32) {
    static QUIET_HOOK: Once = Once::new();
    // One hook for the whole binary (tests run on several threads); it records per thread.
    QUIET_HOOK.call_once(|| {
        panic::set_hook(Box::new(|info| {
            let at = info.location().map(|l| (l.file().to_owned(), l.line()));
            LAST_PANIC.with(|last| *last.borrow_mut() = at);
        }));
    });
    LAST_PANIC.with(|last| *last.borrow_mut() = None);
    assert!(
        panic::catch_unwind(AssertUnwindSafe(f)).is_err(),
        "it should panic"
    );
    LAST_PANIC
        .with(|last| last.borrow_mut().take())
        .expect("the hook saw the panic")
}

/// Asserts that evaluating `$misuse` panics, reported at this very line of this file.
macro_rules! assert_panics_here {
    ($misuse:expr) => {{
        let (file, line) = panic_location(|| {
            let _ = $misuse;
        });
        assert_eq!((file.as_str(), line), (file!(), line!()));
    }};
}

#[generator(yield = u32)]
fn one() {
    yield_!(1);
}

#[generator(yield = u32)]
fn fragile() {
    yield_!(0);
    panic!("boom");
}

#[generator(yield = u32)]
fn delegating() {
    yield_from!(one());
}

#[generator(yield = u32, resume = (), throw = String)]
fn throwable() -> Result<(), String> {
    yield_!(1)?;
    Ok(())
}

fn finished<G: Iterator>(mut g: G) -> G {
    for _ in g.by_ref() {}
    g
}

#[test]
fn resume_after_completion() {
    let mut g = finished(one());
    assert_panics_here!(g.resume(()));
}

#[test]
fn send_after_completion() {
    let mut g = finished(one());
    assert_panics_here!(g.send(()));
}

#[test]
fn resume_after_close_of_a_delegating_generator() {
    let mut g = delegating();
    g.close();
    assert_panics_here!(g.resume(()));
}

#[test]
fn next_after_a_panic() {
    let mut g = fragile();
    assert_eq!(g.next(), Some(0));
    let _ = panic_location(|| {
        g.next();
    });
    assert_panics_here!(g.next());
}

#[test]
fn throw_after_completion() {
    let mut g = throwable();
    assert_eq!(g.send(Ok(())), Ok(1));
    assert_eq!(g.send(Ok(())), Err(StopIteration(Ok(()))));
    assert_panics_here!(g.throw("late".into()));
}

#[test]
fn generator_trait_through_pin_and_box() {
    let mut g = finished(one());
    assert_panics_here!(Generator::resume(Pin::new(&mut g), ()));
    let mut boxed = Box::new(finished(one()));
    assert_panics_here!(Generator::resume(Pin::new(&mut boxed), ()));
    let mut by_ref = &mut boxed;
    assert_panics_here!(Generator::resume(Pin::new(&mut by_ref), ()));
}

#[test]
fn local_generator_after_completion() {
    let mut g = pin!(gen_local!({ yield_!(1u8) }));
    assert_eq!(g.as_mut().send(()), Ok(1));
    assert_eq!(g.as_mut().send(()), Err(StopIteration(())));
    assert_panics_here!(g.as_mut().resume(()));
    assert_panics_here!(g.as_mut().send(()));
}

#[generator(yield = u32)]
async fn fragile_stream() {
    yield_!(0);
    panic!("boom");
}

fn poll_next_noop<S: futures::Stream + Unpin>(stream: &mut S) -> std::task::Poll<Option<S::Item>> {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    futures::Stream::poll_next(Pin::new(stream), &mut cx)
}

#[test]
fn async_generator_polled_after_a_panic() {
    let mut g = fragile_stream();
    assert_eq!(poll_next_noop(&mut g), std::task::Poll::Ready(Some(0)));
    let _ = panic_location(|| {
        let _ = poll_next_noop(&mut g);
    });
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert_panics_here!(futures::Stream::poll_next(Pin::new(&mut g), &mut cx));
}

#[generator(yield = u32)]
fn delegates_to_spent(
    inner: &mut corogen::Gen<impl corogen::Body<Yield = u32, Resume = (), Return = ()>>,
) {
    yield_from!(inner); // SPENT_DELEGATION
}

// The delegate had already handed out its return value: `yield_from!` has none to give. The
// panic is reported inside the delegating body, at its `yield_from!`.
#[test]
fn yield_from_a_generator_that_handed_out_its_return_value() {
    let mut inner = finished(one());
    assert_eq!(inner.take_return_value(), Some(()));
    let mut outer = delegates_to_spent(&mut inner);
    let at = panic_location(|| {
        outer.next();
    });
    let line = include_str!("panic_locations.rs")
        .lines()
        .position(|line| line.ends_with("// SPENT_DELEGATION") && !line.contains("ends_with"))
        .unwrap() as u32
        + 1;
    assert_eq!((at.0.as_str(), at.1), (file!(), line));
}

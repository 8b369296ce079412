//! `throw`, `close` and `state` (PEP 342), ported from CPython's behaviours, with drop counters.

use corogen::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

type Log = Rc<RefCell<Vec<String>>>;

struct Finally(Log, &'static str);

impl Drop for Finally {
    fn drop(&mut self) {
        self.0.borrow_mut().push(format!("finally {}", self.1));
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Signal {
    Skip,
    Fatal(&'static str),
}

#[generator(yield = u32, resume = (), throw = Signal)]
fn counter(log: Log) -> Result<u32, Signal> {
    let _guard = Finally(log.clone(), "counter");
    let mut n = 0;
    loop {
        match yield_!(n) {
            Ok(()) => n += 1,
            Err(Signal::Skip) => {
                log.borrow_mut().push("caught Skip".into());
                n += 10;
            }
            Err(fatal) => return Err(fatal),
        }
        if n > 30 {
            return Ok(n);
        }
    }
}

#[test]
fn a_caught_throw_lets_the_generator_go_on() {
    let log = Log::default();
    let mut g = counter(log.clone());
    assert_eq!(g.send(Ok(())), Ok(0));
    assert_eq!(g.throw(Signal::Skip), GeneratorState::Yielded(10));
    assert_eq!(g.next(), Some(11));
    assert_eq!(*log.borrow(), ["caught Skip"]);
    assert_eq!(g.state(), GenState::Suspended);
}

#[test]
fn an_uncaught_throw_finishes_the_generator_and_comes_back_out() {
    let log = Log::default();
    let mut g = counter(log.clone());
    assert_eq!(g.next(), Some(0));
    assert_eq!(
        g.throw(Signal::Fatal("disk full")),
        GeneratorState::Complete(Err(Signal::Fatal("disk full")))
    );
    assert_eq!(*log.borrow(), ["finally counter"]);
    assert_eq!(g.state(), GenState::Completed);
    assert_eq!(g.next(), None);
}

#[generator(yield = u8, resume = (), throw = String)]
fn propagates() -> Result<(), String> {
    yield_!(1)?;
    yield_!(2)?;
    Ok(())
}

#[test]
fn question_mark_on_a_yield_propagates_a_thrown_error() {
    let mut g = propagates();
    assert_eq!(g.next(), Some(1));
    assert_eq!(
        g.throw("stop".into()),
        GeneratorState::Complete(Err("stop".into()))
    );
}

#[test]
fn throw_into_a_created_generator_finishes_it_without_running_the_body() {
    let log = Log::default();
    let mut g = counter(log.clone());
    assert_eq!(g.state(), GenState::Created);
    assert_eq!(
        g.throw(Signal::Skip),
        GeneratorState::Complete(Err(Signal::Skip))
    );
    assert!(
        log.borrow().is_empty(),
        "the body never ran, so no guard existed"
    );
    assert_eq!(g.state(), GenState::Completed);
    assert_eq!(
        Rc::strong_count(&log),
        1,
        "the captured argument was dropped"
    );
}

#[generator(yield = u32)]
fn with_cleanup(log: Log) {
    let _outer = Finally(log.clone(), "outer");
    for i in 0.. {
        let _inner = Finally(log.clone(), "inner");
        yield_!(i);
    }
}

#[cfg(panic = "unwind")] // catches a panic: wasm has no unwinding
#[test]
fn close_runs_cleanup_innermost_first_and_is_idempotent() {
    let log = Log::default();
    let mut g = with_cleanup(log.clone());
    assert_eq!(g.next(), Some(0));
    assert_eq!(g.next(), Some(1));
    assert_eq!(*log.borrow(), ["finally inner"]);
    g.close();
    assert_eq!(
        *log.borrow(),
        ["finally inner", "finally inner", "finally outer"]
    );
    assert_eq!(g.state(), GenState::Closed);
    g.close();
    assert_eq!(log.borrow().len(), 3, "closing twice is a no-op");
    assert_eq!(g.next(), None);
    let resumed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.resume(())));
    assert!(resumed.is_err(), "resuming a closed generator panics");
    assert_eq!(Rc::strong_count(&log), 1);
}

#[test]
fn close_on_created_and_finished_generators() {
    let log = Log::default();
    let mut created = with_cleanup(log.clone());
    created.close();
    assert!(log.borrow().is_empty());
    assert_eq!(created.state(), GenState::Closed);

    let mut finished = gen_!({ yield_!(1) });
    assert_eq!(finished.by_ref().count(), 1);
    finished.close();
    assert_eq!(
        finished.state(),
        GenState::Completed,
        "closing a finished generator changes nothing"
    );
}

#[generator(yield = u32, resume = (), throw = Signal)]
fn inner_worker(log: Log) -> Result<&'static str, Signal> {
    let _guard = Finally(log.clone(), "inner worker");
    loop {
        if let Err(signal) = yield_!(1) {
            log.borrow_mut().push(format!("inner got {signal:?}"));
            return Err(signal);
        }
    }
}

#[generator(yield = u32, resume = (), throw = Signal)]
fn outer_delegator(log: Log) -> Result<&'static str, Signal> {
    let _guard = Finally(log.clone(), "outer delegator");
    let result = yield_from!(inner_worker(log.clone()));
    log.borrow_mut().push(format!("outer saw {result:?}"));
    result
}

#[test]
fn throw_reaches_the_subgenerator_first() {
    let log = Log::default();
    let mut g = outer_delegator(log.clone());
    assert_eq!(g.next(), Some(1));
    assert_eq!(
        g.throw(Signal::Fatal("x")),
        GeneratorState::Complete(Err(Signal::Fatal("x")))
    );
    assert_eq!(
        *log.borrow(),
        [
            "inner got Fatal(\"x\")",
            "finally inner worker",
            "outer saw Err(Fatal(\"x\"))",
            "finally outer delegator",
        ]
    );
}

#[test]
fn closing_a_delegating_generator_closes_the_subgenerator_first() {
    let log = Log::default();
    let mut g = outer_delegator(log.clone());
    assert_eq!(g.next(), Some(1));
    assert_eq!(g.state(), GenState::Suspended);
    g.close();
    assert_eq!(
        *log.borrow(),
        ["finally inner worker", "finally outer delegator"]
    );
    drop(g);
    assert_eq!(Rc::strong_count(&log), 1);
}

#[test]
fn dropping_a_delegating_generator_is_a_close() {
    let log = Log::default();
    let mut g = outer_delegator(log.clone());
    g.next();
    drop(g);
    assert_eq!(
        *log.borrow(),
        ["finally inner worker", "finally outer delegator"]
    );
}

#[generator(yield = u32, resume = (), throw = Signal)]
fn delegates_to_a_range(log: Log) -> Result<(), Signal> {
    let _guard = Finally(log.clone(), "delegator");
    let r = yield_from!(0..10);
    log.borrow_mut().push(format!("yield_from! gave {r:?}"));
    match yield_!(100) {
        Ok(()) => Ok(()),
        Err(e) => Err(e),
    }
}

// Symptom: `throw` returned the range's next item, 5, and the error was gone.
#[test]
fn a_throw_into_yield_from_over_an_iterable_is_raised_in_the_delegator() {
    let log = Log::default();
    let mut g = delegates_to_a_range(log.clone());
    assert_eq!(g.by_ref().take(5).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    assert_eq!(g.throw(Signal::Skip), GeneratorState::Yielded(100));
    assert_eq!(*log.borrow(), ["yield_from! gave Err(Skip)"]);
    assert_eq!(g.next(), None);
    assert_eq!(g.return_value(), Some(&Ok(())));
}

#[generator(yield = u32, resume = (), throw = Signal)]
fn delegates_to<'a>(
    log: Log,
    inner: &'a mut corogen::Gen<
        impl corogen::Body<Yield = u32, Resume = Result<(), Signal>, Return = Result<u32, Signal>>,
    >,
) -> Result<u32, Signal> {
    let _guard = Finally(log.clone(), "outer");
    yield_from!(inner)
}

// Symptom: `close()` ran the delegator's cleanup and left the borrowed delegate suspended.
#[test]
fn close_closes_a_borrowed_delegate_first() {
    let log = Log::default();
    let mut inner = counter(log.clone());
    assert_eq!(inner.next(), Some(0));
    let mut outer = delegates_to(log.clone(), &mut inner);
    assert_eq!(outer.next(), Some(1));
    outer.close();
    assert_eq!(*log.borrow(), ["finally counter", "finally outer"]);
    assert_eq!(outer.state(), GenState::Closed);
    drop(outer);
    assert_eq!(inner.state(), GenState::Closed);
    assert_eq!(inner.next(), None);
}

// Ported from CPython's `Lib/test/test_yield_from.py` (PEP 380, after Greg Ewing's tests): the
// throws into and closes of a delegation. A `finally:` is a guard's `Drop`; the trace is a log.

/// Pushes `Finishing <name>` when dropped: the `finally:` of the Python tests.
struct Finishing(Log, &'static str);

impl Drop for Finishing {
    fn drop(&mut self) {
        self.0.borrow_mut().push(format!("Finishing {}", self.1));
    }
}

fn trace(log: &Log, line: impl Into<String>) {
    log.borrow_mut().push(line.into());
}

#[generator(yield = u32, resume = (), throw = &'static str)]
fn g_range_10(log: Log) -> Result<(), &'static str> {
    let _finally = Finishing(log.clone(), "g");
    trace(&log, "Starting g");
    yield_from!(0..10)?;
    Ok(())
}

/// `test_delegating_throw_to_non_generator`.
#[test]
fn delegating_throw_to_non_generator() {
    let log = Log::default();
    let mut gi = g_range_10(log.clone());
    for _ in 0..5 {
        let x = gi.next().unwrap();
        trace(&log, format!("Yielded {x}"));
    }
    assert_eq!(
        gi.throw("tomato ejected"),
        GeneratorState::Complete(Err("tomato ejected"))
    );
    assert_eq!(
        *log.borrow(),
        [
            "Starting g",
            "Yielded 0",
            "Yielded 1",
            "Yielded 2",
            "Yielded 3",
            "Yielded 4",
            "Finishing g",
        ]
    );
}

#[generator(yield = u32)]
fn g_range_3(log: Log) {
    let _finally = Finishing(log.clone(), "g");
    trace(&log, "starting g");
    yield_from!(0..3);
    trace(&log, "g should not be here");
}

/// `test_delegation_of_close_to_non_generator`.
#[test]
fn delegation_of_close_to_non_generator() {
    let log = Log::default();
    let mut gi = g_range_3(log.clone());
    assert_eq!(gi.next(), Some(0));
    gi.close();
    assert_eq!(*log.borrow(), ["starting g", "Finishing g"]);
}

#[generator(yield = &'static str)]
fn g2(log: Log, explodes: bool) {
    let _finally = Finishing(log.clone(), "g2");
    let _explosion = if explodes { Some(Explodes) } else { None };
    trace(&log, "Starting g2");
    yield_!("g2 spam");
    yield_!("g2 more spam");
}

/// The `raise ValueError(...)` in a `finally:`: a `Drop` that panics.
struct Explodes;

impl Drop for Explodes {
    fn drop(&mut self) {
        panic!("nybbles have exploded with delight");
    }
}

#[generator(yield = &'static str)]
fn g1(log: Log, explodes: bool) {
    let _finally = Finishing(log.clone(), "g1");
    trace(&log, "Starting g1");
    yield_!("g1 ham");
    yield_from!(g2(log.clone(), explodes));
    yield_!("g1 eggs");
}

const CLOSED_DELEGATION: [&str; 6] = [
    "Starting g1",
    "Yielded g1 ham",
    "Starting g2",
    "Yielded g2 spam",
    "Finishing g2",
    "Finishing g1",
];

/// `test_delegating_close`.
#[test]
fn delegating_close() {
    let log = Log::default();
    let mut g = g1(log.clone(), false);
    for _ in 0..2 {
        let x = g.next().unwrap();
        trace(&log, format!("Yielded {x}"));
    }
    g.close();
    assert_eq!(*log.borrow(), CLOSED_DELEGATION);
}

/// `test_handing_exception_while_delegating_close`: the panic comes out of `close`, after the
/// delegator's own cleanup ran.
#[cfg(panic = "unwind")] // catches a panic: wasm has no unwinding
#[test]
fn handling_exception_while_delegating_close() {
    let log = Log::default();
    let mut g = g1(log.clone(), true);
    for _ in 0..2 {
        let x = g.next().unwrap();
        trace(&log, format!("Yielded {x}"));
    }
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.close())).unwrap_err();
    assert_eq!(
        err.downcast_ref::<&str>(),
        Some(&"nybbles have exploded with delight")
    );
    assert_eq!(*log.borrow(), CLOSED_DELEGATION);
    assert_eq!(g.state(), GenState::Closed);
    drop(g);
    assert_eq!(
        log.borrow().len(),
        CLOSED_DELEGATION.len(),
        "nothing ran twice"
    );
    assert_eq!(Rc::strong_count(&log), 1);
}

#[generator(yield = &'static str)]
fn g1_borrowing<'a>(
    log: Log,
    sub: &'a mut corogen::Gen<impl corogen::Body<Yield = &'static str, Resume = (), Return = ()>>,
) {
    let _finally = Finishing(log.clone(), "g1");
    trace(&log, "Starting g1");
    yield_!("g1 ham");
    yield_from!(sub);
    yield_!("g1 eggs");
}

/// `test_delegating_close` with the sub-generator made outside and delegated to through `&mut`,
/// as Python code that keeps a reference to it: `close` closes it all the same.
#[test]
fn delegating_close_to_a_borrowed_generator() {
    let log = Log::default();
    let mut sub = g2(log.clone(), false);
    let mut g = g1_borrowing(log.clone(), &mut sub);
    for _ in 0..2 {
        let x = g.next().unwrap();
        trace(&log, format!("Yielded {x}"));
    }
    g.close();
    drop(g);
    assert_eq!(*log.borrow(), CLOSED_DELEGATION);
    assert_eq!(sub.state(), GenState::Closed);
}

#[generator(yield = ())]
fn innermost(log: Log) {
    let _finally = Finishing(log.clone(), "innermost");
    yield_!();
}

#[generator(yield = ())]
fn inner(log: Log) {
    let _finally = Finishing(log.clone(), "inner");
    yield_!();
    yield_from!(innermost(log.clone()));
}

#[generator(yield = ())]
fn outer<'a>(
    log: Log,
    inner_gen: &'a mut corogen::Gen<impl corogen::Body<Yield = (), Resume = (), Return = ()>>,
) {
    let _finally = Finishing(log.clone(), "outer");
    yield_!();
    yield_from!(inner_gen);
}

/// The stack of `test_close_with_cleared_frame` (issue #17669): `outer` delegating to `inner`,
/// made first and shared, delegating to `innermost`; `outer` goes first, then `inner`. Dropping
/// `outer` leaves `inner` its own delegation, which it then closes as it goes.
#[test]
fn close_with_cleared_frame() {
    let log = Log::default();
    let mut inner_gen = inner(log.clone());
    let mut outer_gen = outer(log.clone(), &mut inner_gen);
    assert_eq!(outer_gen.next(), Some(()));
    assert_eq!(outer_gen.next(), Some(()));
    assert_eq!(outer_gen.next(), Some(()));
    drop(outer_gen);
    assert_eq!(*log.borrow(), ["Finishing outer"]);
    assert_eq!(inner_gen.state(), GenState::Suspended);
    drop(inner_gen);
    assert_eq!(
        *log.borrow(),
        ["Finishing outer", "Finishing innermost", "Finishing inner"]
    );
}

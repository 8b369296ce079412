//! `throw`, `close` and `state` (PEP 342), ported from CPython's behaviours, with drop counters.

use corogen::GenState;
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

//! Drops happen where ordinary Rust would drop: at the end of each scope, and when a suspended
//! generator is dropped, innermost scope first (Python's `finally` on `close()`). Nothing leaks.

use corogen::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

type Log = Rc<RefCell<Vec<&'static str>>>;

struct Noisy(&'static str, Log);

impl Drop for Noisy {
    fn drop(&mut self) {
        self.1.borrow_mut().push(self.0);
    }
}

#[generator(yield = u32)]
fn scoped(log: Log) {
    let _outer = Noisy("outer", log.clone());
    {
        let _inner = Noisy("inner", log.clone());
        yield_!(1);
        log.borrow_mut().push("after first yield");
    }
    log.borrow_mut().push("inner scope ended");
    let _late = Noisy("late", log.clone());
    yield_!(2);
}

#[test]
fn locals_drop_at_the_end_of_their_scope() {
    let log = Log::default();
    let mut g = scoped(log.clone());
    assert_eq!(g.next(), Some(1));
    assert!(log.borrow().is_empty());
    assert_eq!(g.next(), Some(2));
    assert_eq!(
        *log.borrow(),
        ["after first yield", "inner", "inner scope ended"]
    );
    assert_eq!(g.next(), None);
    assert_eq!(
        *log.borrow(),
        [
            "after first yield",
            "inner",
            "inner scope ended",
            "late",
            "outer"
        ]
    );
    assert_eq!(
        Rc::strong_count(&log),
        1,
        "the generator holds no clone after completing"
    );
}

#[test]
fn dropping_a_suspended_generator_drops_innermost_first() {
    let log = Log::default();
    let mut g = scoped(log.clone());
    assert_eq!(g.next(), Some(1));
    drop(g);
    assert_eq!(*log.borrow(), ["inner", "outer"]);
    assert_eq!(Rc::strong_count(&log), 1);
}

#[test]
fn dropping_an_unstarted_generator_drops_its_arguments_only() {
    let log = Log::default();
    let g = scoped(log.clone());
    assert_eq!(Rc::strong_count(&log), 2);
    drop(g);
    assert!(log.borrow().is_empty(), "no body code ran");
    assert_eq!(Rc::strong_count(&log), 1);
}

#[generator(yield = ())]
fn holds_unused(_guard: Noisy, log: Log) {
    log.borrow_mut().push("body start");
    yield_!();
    log.borrow_mut().push("body end");
}

#[test]
fn parameters_live_until_the_body_ends_even_when_unused() {
    let log = Log::default();
    let mut g = holds_unused(Noisy("guard", log.clone()), log.clone());
    g.next();
    assert_eq!(*log.borrow(), ["body start"]);
    g.next();
    assert_eq!(*log.borrow(), ["body start", "body end", "guard"]);
}

#[test]
fn yielded_values_and_the_return_value_are_dropped_by_their_owner() {
    let log = Log::default();
    let mut g = gen_!({
        let log = log;
        yield_!(Noisy("yielded", log.clone()));
        Noisy("returned", log)
    });
    let yielded = g.next().unwrap();
    assert_eq!(g.next().map(|_| ()), None);
    let returned = g.take_return_value().unwrap();
    let log = returned.1.clone();
    assert!(log.borrow().is_empty());
    drop(yielded);
    drop(returned);
    assert_eq!(*log.borrow(), ["yielded", "returned"]);
    drop(g);
    assert_eq!(Rc::strong_count(&log), 1);
}

#[test]
fn unread_first_resume_argument_is_dropped_during_that_resume() {
    let log = Log::default();
    let mut g = gen_noisy_resume();
    g.resume(Noisy("first arg", log.clone()));
    assert_eq!(*log.borrow(), ["first arg"]);
    g.resume(Noisy("second arg", log.clone()));
    assert_eq!(*log.borrow(), ["first arg", "second arg"]);
}

#[generator(yield = (), resume = Noisy)]
fn gen_noisy_resume() {
    let received = yield_!();
    drop(received);
    yield_!();
}

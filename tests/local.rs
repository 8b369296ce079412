//! The zero-allocation form: `#[generator(local)]` and `gen_local!` give a `GenLocal` pinned
//! where it lives, with the same behaviour as `Gen`.
#![cfg_attr(not(panic = "unwind"), allow(dead_code, unused_imports, unused_macros))] // helpers of tests gated on unwinding

use corogen::GenLocal;
use corogen::prelude::*;
use std::cell::RefCell;
use std::pin::pin;

struct Finally<'a>(&'a RefCell<Vec<&'static str>>, &'static str);
impl Drop for Finally<'_> {
    fn drop(&mut self) {
        self.0.borrow_mut().push(self.1);
    }
}

#[generator(local, yield = u64, resume = u64)]
fn scaled(factor: u64) -> &'static str {
    let mut x = 0;
    for _ in 0..2 {
        x = yield_!(x * factor);
    }
    "done"
}

#[cfg(panic = "unwind")] // catches a panic: wasm has no unwinding
#[test]
fn send_resume_and_return_value() {
    let mut g = pin!(scaled(3));
    assert_eq!(g.state(), GenState::Created);
    assert_eq!(g.as_mut().send(7), Ok(0));
    assert_eq!(g.as_mut().send(5), Ok(15));
    assert_eq!(g.as_mut().send(1), Err(StopIteration("done")));
    assert_eq!(g.state(), GenState::Completed);
    let again = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.as_mut().resume(0)));
    assert!(again.is_err(), "resuming a completed generator panics");
}

#[test]
fn iterator_keeps_the_return_value_and_stays_fused() {
    let mut g = pin!(gen_local!({
        yield_!(1);
        yield_!(2);
        "end"
    }));
    assert_eq!(g.as_mut().collect::<Vec<_>>(), [1, 2]);
    assert_eq!(g.return_value(), Some(&"end"));
    assert_eq!(g.as_mut().next(), None);
}

#[test]
fn drops_innermost_first_where_it_lives() {
    let log_cell = RefCell::new(Vec::new());
    let log = &log_cell;
    {
        let mut g = pin!(gen_local!({
            let _outer = Finally(log, "outer");
            let _inner = Finally(log, "inner");
            yield_!(());
        }));
        g.as_mut().next();
        assert!(log.borrow().is_empty());
    }
    assert_eq!(*log.borrow(), ["inner", "outer"]);
}

#[test]
fn boxed_pinning_and_the_generator_trait() {
    let mut g: std::pin::Pin<Box<GenLocal<_>>> = Box::pin(scaled(2));
    assert_eq!(Generator::resume(g.as_mut(), 0), GeneratorState::Yielded(0));
    assert_eq!(
        format!("{:?}", g),
        r#"GenLocal { name: "scaled", state: Suspended, .. }"#
    );
}

#[cfg(panic = "unwind")] // catches a panic: wasm has no unwinding
#[test]
fn a_panic_poisons_it() {
    let mut g = pin!(gen_local!({
        yield_!(1);
        panic!("boom");
    }));
    assert_eq!(g.as_mut().next(), Some(1));
    assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.as_mut().next())).is_err());
    assert_eq!(g.state(), GenState::Panicked);
}

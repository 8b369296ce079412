//! A user crate that forbids unsafe code still compiles its generators: generated code never
//! wraps a user expression in `unsafe`, and its one `unsafe` call is the macro's own.
#![forbid(unsafe_code)]
#![deny(warnings)]

use corogen::prelude::*;

#[generator(yield = u8, resume = u8 as first)]
fn echo() -> u8 {
    let mut last = first;
    for _ in 0..2 {
        last = yield_!(last);
    }
    last
}

#[test]
fn generators_compile_under_forbid_unsafe_code() {
    let mut g = echo();
    assert_eq!(g.send(1), Ok(1));
    assert_eq!(g.send(2), Ok(2));
    assert_eq!(g.send(3), Err(StopIteration(3)));
    assert_eq!(gen_!({ yield_!(4u8) }).collect::<Vec<_>>(), [4]);
}

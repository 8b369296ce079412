//! Generated code resolves with hostile names in scope: a local `core`, `std`, `Result`,
//! `Option`, `Some`, `Ok`, `Box`, `Pin`, `Future`, and warnings denied.
#![deny(warnings)]
#![allow(non_camel_case_types, dead_code, clippy::all)]

mod core {}
mod std {}
struct Result;
struct Option;
struct Box;
struct Pin;
struct Future;
struct Some;
struct Ok;
struct Err;
struct None;
trait Iterator {}
fn drop() {}

use ::corogen::prelude::*;

#[generator(yield = u8, resume = u8 as first)]
fn hostile(n: u8) -> u8 {
    let mut last = first;
    for _ in 0..n {
        last = yield_!(last);
    }
    last
}

#[generator]
fn via_impl_iterator() -> impl ::core::iter::Iterator<Item = u8> {
    yield_!(1);
}

#[generator(yield = u8)]
fn endless() -> ! {
    let mut n = 0u8;
    loop {
        yield_!(n);
        n = n.wrapping_add(1);
    }
}

#[generator(yield = u8)]
async fn endless_stream() -> ! {
    loop {
        yield_!(0);
    }
}

#[generator(yield = u8, resume = ::core::option::Option<u8> as first, throw = u8)]
async fn hostile_async(n: u8) -> ::core::result::Result<::core::option::Option<u8>, u8> {
    let mut last = first?;
    yield_from!(0..n)?;
    for _ in 0..n {
        last = yield_!(n)?;
    }
    ::core::result::Result::Ok(last)
}

#[generator(yield = u8, resume = ::core::option::Option<u8>, throw = u8)]
async fn hostile_delegator() -> ::core::result::Result<::core::option::Option<u8>, u8> {
    yield_from!(hostile_async(1))
}

#[generator(yield = u8)]
async fn hostile_stream() {
    yield_from!(gen_!(async move { yield_!(1u8) }));
    yield_from!(via_impl_iterator());
}

#[test]
fn generated_code_resolves_despite_hostile_names() {
    let mut g = hostile(1);
    assert_eq!(g.send(5), ::core::result::Result::Ok(5));
    assert_eq!(g.send(6), ::core::result::Result::Err(StopIteration(6)));
    let mut e = gen_!({ yield_!(7u8) });
    assert_eq!(
        ::core::iter::Iterator::next(&mut e),
        ::core::option::Option::Some(7)
    );
    assert_eq!(::core::iter::Iterator::count(via_impl_iterator()), 1);
    assert_eq!(
        ::core::iter::Iterator::nth(&mut endless(), 300),
        ::core::option::Option::Some(44)
    );
    let _ = endless_stream();
    let _ = (hostile_delegator(), hostile_stream());
}

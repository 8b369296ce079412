use corogen::prelude::*;

#[generator(yield = u32, resume = Option<String>)]
fn takes_strings() {
    let _text: Option<String> = yield_!(1);
}

// What is sent to `delegator` goes on to its delegate, which takes another type: one error, at
// the argument, that names both types.
#[generator(yield = u32, resume = Option<u64>)]
fn delegator() {
    yield_from!(takes_strings());
}

fn main() {
    let _ = delegator();
}

use corogen::prelude::*;

#[generator(yield = u32)]
fn words() {
    yield_!(1);
}

#[generator(yield = &'static str)]
fn delegator() {
    yield_from!(vec![1u32, 2]);
    yield_from!(words());
}

fn main() {
    let _ = delegator();
}

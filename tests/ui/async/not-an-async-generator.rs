// A plain generator (or a `Stream`) is not an `AsyncGenerator`.
use corogen::AsyncGenerator;
use corogen::prelude::*;

fn drive(_: impl AsyncGenerator<u32, Yield = u32>) {}

#[generator(yield = u32, resume = u32)]
fn plain() {
    let _ = yield_!(1);
}

fn main() {
    drive(plain());
}

// `yield_from!` in a generator that can be thrown into: each delegation is a `Checked` local and
// an await of the delegate future; `delegate_throwing` makes an iterable's `yield_from!` a
// `Result<(), E>` (a thrown error ends it) and leaves a generator's as its own `Result`.
use corogen::prelude::*;

#[generator(yield = u32, resume = (), throw = String)]
fn countdown(from: u32) -> Result<u32, String> {
    yield_from!((1..=from).rev())?;
    Ok(from)
}

#[generator(yield = u32, resume = (), throw = String)]
fn twice(from: u32) -> Result<u32, String> {
    let first = yield_from!(countdown(from))?;
    let second = yield_from!(countdown(from))?;
    Ok(first + second)
}

fn main() {
    let _ = twice(3);
}

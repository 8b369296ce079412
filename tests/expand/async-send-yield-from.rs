// An async generator that takes values (`resume = R`) and delegates (`yield_from!`).
use corogen::prelude::*;

#[generator(yield = u32, resume = Option<u32>)]
async fn relay(n: u32) -> u32 {
    yield_from!(0..n);
    let sent = yield_!(n);
    sent.unwrap_or(0)
}

fn main() {
    let _ = relay(3);
}

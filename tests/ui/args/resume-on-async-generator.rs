use corogen::prelude::*;

#[generator(yield = u32, resume = u32)]
async fn ticks() {
    let _ = yield_!(1);
}

fn main() {
    let _ = ticks();
}

use corogen::prelude::*;

#[generator(local, recycle, yield = u32)]
fn count() {
    yield_!(1);
}

#[generator(recycle, yield = u32)]
async fn ticks() {
    yield_!(1);
}

fn main() {
    let _ = count();
    let _ = ticks();
}

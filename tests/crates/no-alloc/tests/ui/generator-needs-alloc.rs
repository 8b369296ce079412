use corogen::prelude::*;

#[generator(yield = u32)]
fn numbers() -> u32 {
    yield_!(1);
    2
}

fn main() {
    let mut g = core::pin::pin!(numbers());
    let _ = g.as_mut().next();
}

use corogen::prelude::*;

#[generator(yield = u32, yield = u64)]
fn count() {
    yield_!(1);
}

fn main() {
    let _ = count();
}

use corogen::prelude::*;

#[generator(yield = u32)]
const fn count() {
    yield_!(1);
}

fn main() {
    let _ = count();
}

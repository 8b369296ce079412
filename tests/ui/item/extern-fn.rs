use corogen::prelude::*;

#[generator(yield = u32)]
extern "C" fn count() {
    yield_!(1);
}

fn main() {
    let _ = count();
}

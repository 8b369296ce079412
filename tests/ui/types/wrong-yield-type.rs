use corogen::prelude::*;

#[generator(yield = u32)]
fn names() {
    yield_!(1);
    yield_!("two");
}

fn main() {
    let _ = names();
}

use corogen::prelude::*;

#[generator]
fn count() -> u32 {
    yield_!(1);
    1
}

fn main() {
    let _ = count();
}

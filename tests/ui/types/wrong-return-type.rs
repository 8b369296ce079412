use corogen::prelude::*;

#[generator(yield = u32)]
fn count(n: u32) -> u32 {
    for i in 0..n {
        yield_!(i);
    }
    "done"
}

fn main() {
    let _ = count(3);
}

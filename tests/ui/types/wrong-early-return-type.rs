use corogen::prelude::*;

#[generator(yield = u32)]
fn count(n: u32) -> u32 {
    for i in 0..n {
        if i == 2 {
            return "stopped";
        }
        yield_!(i);
    }
    n
}

fn main() {
    let _ = count(3);
}

use corogen::prelude::*;

#[generator(yield = u32, resume = u32)]
fn accumulate() -> u32 {
    let mut total = 0;
    loop {
        total += yield_!(total);
    }
}

fn main() {
    let mut acc = accumulate();
    let _ = acc.send("ten");
}

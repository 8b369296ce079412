use corogen::prelude::*;

#[generator(yield = u32, resume = u32)]
fn echo() {
    println!("got {}", yield_!(1));
}

fn main() {
    let _ = echo();
}

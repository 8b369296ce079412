use corogen::prelude::*;

#[generator(yield = u32)]
struct Counter {
    next: u32,
}

fn main() {}

use corogen::prelude::*;

fn not_a_generator() -> u32 {
    yield_!(1);
    0
}

fn main() {
    not_a_generator();
}

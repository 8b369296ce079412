use corogen::prelude::*;

#[generator(yield = u32, resume = u64)]
fn takes_numbers() {
    let _n: u64 = yield_!(1);
}

fn main() {
    for item in takes_numbers() {
        let _ = item;
    }
    let _: Vec<u32> = takes_numbers().collect();
}

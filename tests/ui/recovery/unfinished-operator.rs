// An operand still being typed (`total +`) is one error, at the operator, in a `gen_!` body and
// in a `yield_!` argument; the code around it still expands, and gets no error of its own.
use corogen::prelude::*;

#[generator(yield = u32)]
fn sums(n: u32) {
    yield_!(n +);
    yield_!(n * 2);
}

fn main() {
    let items = vec![1u32, 2];
    let g = gen_!({
        let mut total = 0;
        for item in &items {
            total +;
            yield_!(total + item);
        }
    });
    let _: Vec<u32> = g.chain(sums(1)).collect();
}

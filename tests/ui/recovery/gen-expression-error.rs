// A mistake in a `gen_!` block is reported once; the code using the generator gets no error of
// its own, whether it fixes the yield type (`Vec<u32>`) or leaves it to inference.
use corogen::prelude::*;

fn main() {
    let items = vec![1u32, 2];
    let doubled = gen_!({
        items.iter().for_each(|&x| {
            yield_!(x * 2);
        });
    });
    let collected: Vec<u32> = doubled.collect();
    drop(collected);

    let unconstrained = gen_!({
        async {
            yield_!(1);
        };
    });
    for x in unconstrained {
        let _ = x;
    }
}

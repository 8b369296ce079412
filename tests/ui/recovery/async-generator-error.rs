// A mistake in an async generator is reported once; its callers get no error of their own.
use corogen::prelude::*;

#[generator(yield = u32)]
async fn ticks(items: Vec<u32>) {
    items.iter().for_each(|&item| {
        yield_!(item);
    });
}

fn main() {
    let _ = ticks(vec![1]);
}

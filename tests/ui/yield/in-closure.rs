use corogen::prelude::*;

#[generator(yield = u32)]
fn each_twice(items: Vec<u32>) {
    items.iter().for_each(|&item| {
        yield_!(item);
    });
}

fn main() {
    let _ = each_twice(vec![1, 2]);
}

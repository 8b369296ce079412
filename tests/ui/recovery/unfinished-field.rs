// A field or method name still being typed (`items.`) is one error, at the `.`: in a statement
// of a `gen_!` body and in an async generator's `yield_!`; nothing else is reported.
use corogen::prelude::*;

struct Point {
    x: u32,
}

#[generator(yield = u32)]
async fn coordinates(p: Point) {
    yield_!(p.);
    yield_!(p.x);
}

fn main() {
    let items = vec![1u32, 2];
    let g = gen_!({
        let count = items.;
        for item in &items {
            yield_!(item + count);
        }
    });
    let _: Vec<u32> = g.collect();
    let _ = coordinates(Point { x: 1 });
}

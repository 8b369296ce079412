// An argument still being typed (`p.`) is one error, right after it, not on the attribute; the
// caller below gets no error of its own.
use corogen::prelude::*;

struct Point {
    x: u32,
}

#[generator(yield = u32)]
fn coords(p: Point) {
    yield_!(p.);
    yield_!(p.x);
}

fn main() {
    let _: Option<u32> = coords(Point { x: 1 }).next();
}

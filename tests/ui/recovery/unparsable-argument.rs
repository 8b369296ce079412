// An argument that does not parse, and that no repair completes, is one error, where the parse
// failed; the generator around it still expands, so nothing else is reported (the argument's
// tokens are kept for editors only: see `unparsed!` in the runtime's `__private`).
use corogen::prelude::*;

fn helper(n: u32) -> impl Iterator<Item = u32> {
    0..n
}

#[generator(yield = u32)]
fn delegating(n: u32) -> u32 {
    yield_from!(helper(n n));
    yield_!(n n);
    let _x: () = yield_!(n n);
    n
}

#[generator(yield = u32)]
async fn async_delegating(n: u32) {
    yield_from!(helper(n n));
}

fn main() {
    let _ = delegating(1).count();
    let _ = async_delegating(1);
    // The only yield of a `gen_!` block: its yield type is left to inference.
    let g = gen_!({
        yield_!(1 2);
    });
    let _ = g.count();
}

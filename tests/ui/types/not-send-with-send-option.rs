use corogen::prelude::*;
use std::rc::Rc;

// `send` asks for a `Send` generator: holding an `Rc` across a yield is an error here, at the
// definition, on the local held across the yield.
#[generator(yield = u32, send)]
fn shared() {
    let counter = Rc::new(1);
    yield_!(*counter);
    yield_!(*counter + 1);
}

fn main() {
    let _ = shared();
}

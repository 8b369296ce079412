use corogen::prelude::*;

// `-> !` becomes `Infallible`; `send` checks the body is `Send` where the generator is made.
#[generator(yield = u64, send)]
fn naturals() -> ! {
    let mut n = 0;
    loop {
        yield_!(n);
        n += 1;
    }
}

fn main() {
    let _ = naturals();
}

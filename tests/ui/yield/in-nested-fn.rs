use corogen::prelude::*;

#[generator(yield = u32)]
fn outer() {
    fn helper() {
        yield_!(1);
    }
    helper();
}

fn main() {
    let _ = outer();
}

use corogen::prelude::*;

#[generator(yield = u32)]
fn outer() {
    let future = async {
        yield_!(1);
    };
    drop(future);
}

fn main() {
    let _ = outer();
}

use corogen::prelude::*;

#[generator(local, yield = u32)]
fn flat() {
    yield_from!(0..3);
}

fn main() {
    let _ = flat();
}

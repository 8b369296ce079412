use corogen::prelude::*;

#[generator(yield = u32, yeild_ty = u32)]
fn count() {
    yield_!(1);
}

fn main() {
    let _ = count();
}

use corogen::prelude::*;

#[generator(yield = u32)]
async fn delegator() {
    yield_from!(42u32);
}

fn main() {
    let _ = delegator();
}

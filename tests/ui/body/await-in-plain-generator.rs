use corogen::prelude::*;

async fn fetch() -> u32 {
    1
}

#[generator(yield = u32)]
fn fetched() {
    let value = fetch().await;
    yield_!(value);
}

fn main() {
    let _ = fetched();
}

use corogen::prelude::*;
use std::pin::Pin;

fn drive<G: Generator<u32> + Unpin>(mut generator: G) {
    let _ = Pin::new(&mut generator).resume(1);
}

// An iterator is not a generator: the error says what makes one.
fn main() {
    drive(vec![1, 2].into_iter());
}

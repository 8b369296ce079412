use corogen::prelude::*;
use std::rc::Rc;

#[generator(yield = u32)]
fn shared() {
    let counter = Rc::new(1);
    yield_!(*counter);
    yield_!(*counter + 1);
}

fn spawn_worker<T: Send>(value: T) -> T {
    value
}

fn main() {
    let _ = spawn_worker(shared());
}

//! genawaiter 0.99 with `default-features = false` (no proc macros): `rc::Gen::new` over an
//! `async fn` that yields through its `Co`.
use genawaiter::rc::{Co, Gen};

async fn fib(co: Co<u64>, n: usize) {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        co.yield_(a).await;
        (a, b) = (b, a + b);
    }
}

fn main() {
    let sum: u64 = Gen::new(|co| fib(co, 50)).into_iter().sum();
    println!("{sum}");
}

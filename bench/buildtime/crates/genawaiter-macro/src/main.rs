//! genawaiter 0.99 with its default `proc_macro` feature: `rc::gen!` with `yield_!` (its
//! documented form for one generator; `r#gen!` since `gen` is reserved in edition 2024).
use genawaiter::{rc::r#gen, yield_};

fn fib(n: usize) -> impl Iterator<Item = u64> {
    r#gen!({
        let (mut a, mut b) = (0u64, 1u64);
        for _ in 0..n {
            yield_!(a);
            (a, b) = (b, a + b);
        }
    })
    .into_iter()
}

fn main() {
    let sum: u64 = fib(50).sum();
    println!("{sum}");
}

//! Not a generator: the reference point for "a bare syn/quote proc macro". An iterator written
//! with `std::iter::from_fn`, inside a function the macro parses and prints back.

#[bt_syn_quote_macro::passthrough]
fn fib(n: usize) -> impl Iterator<Item = u64> {
    let (mut a, mut b, mut left) = (0u64, 1u64, n);
    std::iter::from_fn(move || {
        left = left.checked_sub(1)?;
        let out = a;
        (a, b) = (b, a + b);
        Some(out)
    })
}

fn main() {
    let sum: u64 = fib(50).sum();
    println!("{sum}");
}

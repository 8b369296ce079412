use corogen::prelude::*;

// `gen_!` moves what it uses, as `async move` does: a value the caller uses afterwards must be
// lent with a reference made outside (see the `gen_!` docs). rustc's error cannot be extended;
// this pins that it points at the `gen_!` as the place of the move.
fn main() {
    let names = vec!["ada".to_string(), "grace".to_string()];
    let lengths = gen_!({
        for name in &names {
            yield_!(name.len());
        }
    });
    let total: usize = lengths.sum();
    println!("{total} over {}", names.len());
}

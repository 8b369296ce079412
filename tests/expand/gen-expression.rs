// `gen_!`: an anonymous generator; its yield type is inferred from its `yield_!`s.
use corogen::prelude::*;

fn main() {
    let limit = 5;
    let doubled = gen_!({
        for x in 0..limit {
            yield_!(x * 2);
        }
    });
    let _ = doubled;
}

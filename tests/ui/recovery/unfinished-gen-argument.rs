// The same in a `gen_!` block and in `yield_from!`: each unfinished argument is one error, right
// after it.
use corogen::prelude::*;

fn main() {
    let v = vec![1u32];
    let g = gen_!({
        yield_!(v.);
    });
    let h = gen_!({
        yield_from!(v.iter().);
    });
    let _ = (g, h);
}

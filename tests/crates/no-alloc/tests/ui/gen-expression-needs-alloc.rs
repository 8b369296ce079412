use corogen::prelude::*;

fn main() {
    let g = gen_!({
        yield_!(1u8);
    });
    let _ = g;
}

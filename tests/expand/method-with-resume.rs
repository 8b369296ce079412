// A `&self` method that receives values: the elided lifetime of `&self` gets a name, the
// returned type captures it and `Self`, and `resume = R as first` binds the first `send`.
use corogen::prelude::*;

struct Scale {
    factor: u32,
}

impl Scale {
    #[generator(yield = u32, resume = u32 as first)]
    fn scaled(&self) -> u32 {
        let mut total = first;
        loop {
            let next = yield_!(total * self.factor);
            if next == 0 {
                return total;
            }
            total += next;
        }
    }
}

fn main() {
    let _ = Scale { factor: 2 }.scaled();
}

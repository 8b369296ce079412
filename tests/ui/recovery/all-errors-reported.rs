// Several mistakes in one generator: each is reported once, and the caller below, which uses
// the generator correctly, gets no error of its own.
use corogen::prelude::*;

#[generator(yield = u32, resume = u32, speed = 3)]
const fn many_mistakes(items: Vec<u32>) -> u32 {
    items.iter().for_each(|&item| {
        yield_!(item);
    });
    let later = async {
        yield_!(0);
    };
    drop(later);
    println!("{}", yield_!(1));
    7
}

fn main() {
    let mut g = many_mistakes(vec![1]);
    let _: Result<u32, StopIteration<u32>> = g.send(5);
}

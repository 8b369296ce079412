use corogen::prelude::*;

trait Numbers {
    #[generator(yield = u32)]
    fn numbers(&self);
}

fn main() {}

//! Regression: a `#[generator]` function nested in a generator's body was rejected ("`yield_!`
//! cannot be used inside a nested item"), though that error's own advice is to write one.

use corogen::prelude::*;

#[generator(yield = u32)]
fn outer() {
    #[generator(yield = u32)]
    fn inner() {
        yield_!(1);
    }

    struct Twice(u32);
    impl Twice {
        #[generator(yield = u32)]
        fn items(&self) {
            yield_!(self.0);
            yield_!(self.0);
        }
    }

    for x in inner() {
        yield_!(x + 1);
    }
    for x in Twice(7).items() {
        yield_!(x);
    }
}

#[test]
fn a_nested_generator_function_expands_on_its_own() {
    assert_eq!(outer().collect::<Vec<_>>(), [2, 7, 7]);
}

//! A crate that renames the dependency (`co = { package = "corogen" }`) compiles its generators
//! without options: the macro reads the name from this crate's `Cargo.toml`.
#![deny(warnings)]

use co::prelude::*;

#[generator(yield = u8)]
pub fn two() -> &'static str {
    yield_!(1);
    yield_!(2);
    "end"
}

/// A crate that re-exports corogen under another path names it with `crate = …`.
pub mod reexport {
    pub use co as engine;
}

#[generator(yield = u8, crate = crate::reexport::engine)]
pub fn through_reexport() {
    yield_!(3);
}

/// `-> !`: an endless generator, whose return type is `Infallible`.
#[generator(yield = u8, crate = crate::reexport::engine)]
pub fn endless() -> ! {
    loop {
        yield_!(4);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_dependency_and_crate_option() {
        let mut g = two();
        assert_eq!(g.by_ref().collect::<Vec<_>>(), [1, 2]);
        assert_eq!(g.return_value(), Some(&"end"));
        assert_eq!(through_reexport().collect::<Vec<_>>(), [3]);
        assert_eq!(gen_!({ yield_!('x') }).collect::<String>(), "x");
        assert_eq!(endless().nth(10), Some(4));
    }
}

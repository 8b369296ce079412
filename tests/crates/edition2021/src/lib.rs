//! Generators in an edition 2021 crate, where `impl Trait` captures only the lifetimes it names:
//! the returned type must still capture every input lifetime.
#![deny(warnings)]

use corogen::prelude::*;

pub struct Words<'t> {
    text: &'t str,
}

impl<'t> Words<'t> {
    /// Borrows `self` (elided) and yields slices of `'t`.
    #[generator(yield = &'t str)]
    pub fn iter(&self) -> usize {
        let mut n = 0;
        for word in self.text.split(' ') {
            n += 1;
            yield_!(word);
        }
        n
    }

    /// Yields slices borrowed from `self` through the elided lifetime.
    #[generator(yield = &str)]
    pub fn firsts(&self) {
        for word in self.text.split(' ') {
            yield_!(&word[..1]);
        }
    }
}

#[generator(yield = (&'a str, &'b str))]
pub fn zip_words<'a, 'b>(left: &'a str, right: &'b str) {
    for pair in left.split(' ').zip(right.split(' ')) {
        yield_!(pair);
    }
}

#[generator(yield = String)]
pub fn show_all(items: &[impl std::fmt::Display], prefix: &str) {
    for item in items {
        yield_!(format!("{prefix}{item}"));
    }
}

#[generator(yield = T)]
pub fn cloned<'a, T: Clone + 'a>(items: &'a [T]) {
    for item in items {
        yield_!(item.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_lifetime_is_captured() {
        let text = String::from("to be");
        let words = Words { text: &text };
        let mut it = words.iter();
        assert_eq!(it.by_ref().collect::<Vec<_>>(), ["to", "be"]);
        assert_eq!(it.return_value(), Some(&2));
        assert_eq!(words.firsts().collect::<String>(), "tb");
        assert_eq!(
            zip_words("a b", "x y").collect::<Vec<_>>(),
            [("a", "x"), ("b", "y")]
        );
        assert_eq!(show_all(&[1, 2], "#").collect::<Vec<_>>(), ["#1", "#2"]);
        assert_eq!(cloned(&[String::from("s")]).collect::<Vec<_>>(), ["s"]);
    }
}

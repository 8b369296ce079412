//! [`FlatMapPinned`]: `flat_map` over inner iterators that must be pinned, such as a
//! [`GenLocal`](crate::GenLocal), with no allocation per element.
//!
//! `Iterator::flat_map` keeps its current inner iterator in its own fields, which move with it,
//! so the inner iterator must be `Unpin`; a `Gen` is, because its body is boxed, and pays one
//! allocation per element for it (unless the consumer folds, when LLVM may remove the box). This
//! adapter is pinned itself, keeps the current inner iterator in its pinned state and replaces
//! it in place (`Pin::set`), so a `GenLocal` per element allocates nothing, in a `for` loop as
//! with `fold`.

use core::fmt;
use core::pin::{Pin, pin};

/// `iter.flat_map(f)` for an `f` that returns an iterator which must be pinned to run (a
/// [`GenLocal`](crate::GenLocal), or anything `G` for which `Pin<&mut G>` is an [`Iterator`]).
///
/// Pin the adapter where it lives ([`core::pin::pin!`]) and iterate the pinned reference:
/// `Pin<&mut FlatMapPinned<…>>` is the [`Iterator`]. Nothing is allocated: each element's
/// generator is built in the adapter, in place of the one before. With the consumer folding
/// (`sum`, `for_each`, `fold`), each later generator is pinned on the stack and folded whole.
///
/// This is the form to use for `flat_map(|x| small_generator(x))` over many elements; see the
/// crate's README, "Performance", for what each form costs.
///
/// ```
/// use corogen::FlatMapPinned;
/// use corogen::prelude::*;
/// use std::pin::pin;
///
/// #[generator(local, yield = u64)]
/// fn around(x: u64) {
///     yield_!(x * 10);
///     yield_!(x * 10 + 1);
/// }
///
/// let items = pin!(FlatMapPinned::new(1..4, around));
/// let mut seen = Vec::new();
/// for item in items {
///     seen.push(item);
/// }
/// assert_eq!(seen, [10, 11, 20, 21, 30, 31]);
///
/// // Folding consumers work too (and pin each generator on the stack):
/// let total: u64 = pin!(FlatMapPinned::new(1..4, around)).sum();
/// assert_eq!(total, 123);
/// ```
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct FlatMapPinned<I, F, G> {
    iter: I,
    f: F,
    /// The current inner iterator. Pinned structurally: never moved out, only replaced with
    /// `Pin::set` or reached as `Pin<&mut Option<G>>`.
    front: Option<G>,
}

impl<I, F, G> FlatMapPinned<I, F, G> {
    /// `iter.flat_map(f)`, to be pinned before use.
    #[inline]
    pub fn new<J>(iter: J, f: F) -> Self
    where
        J: IntoIterator<IntoIter = I>,
    {
        FlatMapPinned {
            iter: iter.into_iter(),
            f,
            front: None,
        }
    }

    /// The outer iterator (not pinned) and the current inner one (pinned).
    #[inline]
    fn project(self: Pin<&mut Self>) -> (&mut I, &mut F, Pin<&mut Option<G>>) {
        // SAFETY: only `front` is pinned, structurally (see its doc): it is handed out only as
        // `Pin<&mut Option<G>>`, and `FlatMapPinned` has no `Drop` impl, so it is dropped in
        // place. `iter` and `f` are never pinned and may be used through `&mut`.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: as above: `front` is not moved out of while the adapter is pinned.
        let front = unsafe { Pin::new_unchecked(&mut this.front) };
        (&mut this.iter, &mut this.f, front)
    }
}

impl<I, F, G, T> Iterator for Pin<&mut FlatMapPinned<I, F, G>>
where
    I: Iterator,
    F: FnMut(I::Item) -> G,
    for<'a> Pin<&'a mut G>: Iterator<Item = T>,
{
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        let (iter, f, mut front) = self.as_mut().project();
        loop {
            if let Some(inner) = front.as_mut().as_pin_mut() {
                let mut inner = inner;
                if let Some(item) = inner.next() {
                    return Some(item);
                }
            }
            let element = iter.next()?;
            front.set(Some(f(element)));
        }
    }

    /// Internal iteration, as `FlatMap::fold` does it: each later inner iterator is pinned on
    /// the stack and folded whole, so the optimiser sees its whole life.
    #[inline]
    fn fold<Acc, Fold>(mut self, init: Acc, mut fold: Fold) -> Acc
    where
        Fold: FnMut(Acc, T) -> Acc,
    {
        let (iter, f, mut front) = self.as_mut().project();
        let mut acc = init;
        if let Some(inner) = front.as_mut().as_pin_mut() {
            acc = inner.fold(acc, &mut fold);
            // Drained: a later `next` through another `Pin<&mut Self>` goes on with `iter`.
            front.set(None);
        }
        iter.fold(acc, |acc, element| pin!(f(element)).fold(acc, &mut fold))
    }
}

impl<I: fmt::Debug, F, G> fmt::Debug for FlatMapPinned<I, F, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlatMapPinned")
            .field("iter", &self.iter)
            .field("has_front", &self.front.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::FlatMapPinned;
    use core::cell::Cell;
    use core::marker::PhantomPinned;
    use core::pin::{Pin, pin};

    /// A `!Unpin` inner iterator that counts its drops: yields `start..start + len`.
    struct Run<'a> {
        next: u32,
        end: u32,
        drops: &'a Cell<u32>,
        _pinned: PhantomPinned,
    }

    impl Iterator for Pin<&mut Run<'_>> {
        type Item = u32;
        fn next(&mut self) -> Option<u32> {
            // SAFETY: no field of `Run` is pinned structurally; `next` is a plain counter.
            let this = unsafe { self.as_mut().get_unchecked_mut() };
            (this.next < this.end).then(|| {
                this.next += 1;
                this.next - 1
            })
        }
    }

    impl Drop for Run<'_> {
        fn drop(&mut self) {
            self.drops.set(self.drops.get() + 1);
        }
    }

    /// Element `x` becomes the run `x..x + len(x)`.
    fn runs<'a>(drops: &'a Cell<u32>, len: fn(u32) -> u32) -> impl FnMut(u32) -> Run<'a> + 'a {
        move |x| Run {
            next: x,
            end: x + len(x),
            drops,
            _pinned: PhantomPinned,
        }
    }

    #[test]
    fn next_visits_every_inner_item_in_order_and_drops_each_inner_once() {
        let drops = Cell::new(0);
        {
            let mut items = pin!(FlatMapPinned::new([1, 10, 100], runs(&drops, |_| 2)));
            let mut seen = [0; 6];
            for slot in &mut seen {
                *slot = items.next().unwrap();
            }
            assert_eq!(seen, [1, 2, 10, 11, 100, 101]);
            assert_eq!(items.next(), None);
            assert_eq!(items.next(), None);
            // The last inner iterator stays in place until the adapter drops.
            assert_eq!(drops.get(), 2);
        }
        assert_eq!(drops.get(), 3);
    }

    #[test]
    fn fold_after_next_goes_on_where_next_stopped() {
        let drops = Cell::new(0);
        {
            let mut items = pin!(FlatMapPinned::new([1, 10, 100], runs(&drops, |_| 2)));
            assert_eq!(items.next(), Some(1));
            let mut seen = [0; 5];
            let count = items.as_mut().fold(0, |i, x| {
                seen[i] = x;
                i + 1
            });
            assert_eq!((count, seen), (5, [2, 10, 11, 100, 101]));
            assert_eq!(items.next(), None);
            // The one `next` had started and the two `fold` pinned on its stack.
            assert_eq!(drops.get(), 3);
        }
        assert_eq!(drops.get(), 3);
    }

    #[test]
    fn empty_inner_iterators_are_skipped() {
        let drops = Cell::new(0);
        let mut items = pin!(FlatMapPinned::new(0..5, runs(&drops, |x| x % 3)));
        let mut seen = [0; 4];
        for slot in &mut seen {
            *slot = items.next().unwrap();
        }
        // 0 and 3 give nothing, 1 gives [1], 2 gives [2, 3], 4 gives [4].
        assert_eq!(seen, [1, 2, 3, 4]);
        assert_eq!(items.next(), None);
        assert_eq!(drops.get(), 4);
    }
}

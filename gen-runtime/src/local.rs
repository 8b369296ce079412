//! [`GenLocal`]: the zero-allocation form of a generator, pinned where it lives.

use core::fmt;
use core::iter::FusedIterator;
use core::pin::Pin;

use crate::body::Body;
use crate::protocol::{Generator, GeneratorState, NextArg, StopIteration};
use crate::state::GenState;
use crate::step::{BodyStep, poll_body};

/// A generator whose state lives inline, with no allocation: what `#[generator(local, …)]`
/// functions and `gen_local!` return. Pin it (with [`core::pin::pin!`] on the stack, or
/// `Box::pin`) to use it; `Pin<&mut GenLocal<…>>` is an [`Iterator`].
///
/// It trades [`Gen`](crate::Gen)'s one allocation for being `!Unpin`: it cannot move once
/// resumed, and `yield_from!` in its body is not supported (it may be delegated *to* as an
/// iterator). Use it for hot loops that create many short generators.
///
/// A `GenLocal` cannot be what `Iterator::flat_map`'s closure returns (it must be pinned
/// first); for `flat_map(|x| small_generator(x))` use [`FlatMapPinned`](crate::FlatMapPinned),
/// which keeps each element's generator in its own pinned state and allocates nothing.
///
/// ```
/// use corogen::prelude::*;
/// use std::pin::pin;
///
/// #[generator(local, yield = u32)]
/// fn triple(base: u32) -> u32 {
///     for i in 0..3 {
///         yield_!(base + i);
///     }
///     base * 3 + 3
/// }
///
/// let mut total = 0;
/// for base in 0..1000 {
///     let mut g = pin!(triple(base));
///     total += g.as_mut().sum::<u32>();
///     assert_eq!(g.return_value(), Some(&(base * 3 + 3)));
/// }
/// assert_eq!(total, (0..1000).map(|b| 3 * b + 3).sum());
/// ```
#[must_use = "a generator does nothing until it is resumed or iterated"]
pub struct GenLocal<B: Body> {
    /// Structurally pinned.
    body: B,
    state: GenState,
    returned: Option<B::Return>,
}

impl<B: Body> GenLocal<B> {
    #[inline(always)]
    pub(crate) fn from_body(body: B) -> Self {
        GenLocal {
            body,
            state: GenState::Created,
            returned: None,
        }
    }

    /// Runs the generator to its next `yield_!` or its end: as [`Gen::resume`](crate::Gen::resume).
    ///
    /// # Panics
    /// If the generator already finished or panicked, or its body awaits a foreign future that
    /// is not ready.
    #[inline]
    #[track_caller]
    pub fn resume(self: Pin<&mut Self>, arg: B::Resume) -> GeneratorState<B::Yield, B::Return> {
        // SAFETY: `body` is pinned structurally (it is only reached as `Pin<&mut B>` below, is
        // never moved out, and `GenLocal` has no `Drop` impl); the other fields are not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        if !matches!(this.state, GenState::Created | GenState::Suspended) {
            cannot_resume(this.state, B::NAME);
        }
        // Left behind if the poll unwinds: a panicked generator is never resumed again.
        this.state = GenState::Panicked;
        // SAFETY: see above.
        let body = unsafe { Pin::new_unchecked(&mut this.body) };
        match poll_body(body, arg) {
            BodyStep::Yielded(value) => {
                this.state = GenState::Suspended;
                GeneratorState::Yielded(value)
            }
            BodyStep::Complete(value) => {
                this.state = GenState::Completed;
                GeneratorState::Complete(value)
            }
        }
    }

    /// Python's `send`: as [`Gen::send`](crate::Gen::send).
    #[inline]
    #[track_caller]
    pub fn send(
        self: Pin<&mut Self>,
        arg: B::Resume,
    ) -> Result<B::Yield, StopIteration<B::Return>> {
        self.resume(arg).into_result()
    }

    /// The return value, once the [`Iterator`] side has consumed the end.
    pub fn return_value(&self) -> Option<&B::Return> {
        self.returned.as_ref()
    }

    /// Where the generator is in its life.
    pub fn state(&self) -> GenState {
        self.state
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn cannot_resume(state: GenState, name: &str) -> ! {
    match state {
        GenState::Completed => panic!("`{name}` resumed after it completed"),
        _ => panic!("`{name}` resumed after it panicked"),
    }
}

impl<B: Body> Generator<B::Resume> for GenLocal<B> {
    type Yield = B::Yield;
    type Return = B::Return;

    #[inline]
    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: B::Resume) -> GeneratorState<B::Yield, B::Return> {
        GenLocal::resume(self, arg)
    }
}

impl<B: Body> Iterator for Pin<&mut GenLocal<B>>
where
    B::Resume: NextArg,
{
    type Item = B::Yield;

    #[inline]
    #[track_caller]
    fn next(&mut self) -> Option<B::Yield> {
        if self.state == GenState::Completed {
            return None;
        }
        match self.as_mut().resume(NextArg::next_arg()) {
            GeneratorState::Yielded(value) => Some(value),
            GeneratorState::Complete(value) => {
                // SAFETY: `returned` is not pinned structurally.
                unsafe { self.as_mut().get_unchecked_mut() }.returned = Some(value);
                None
            }
        }
    }
}

impl<B: Body> FusedIterator for Pin<&mut GenLocal<B>> where B::Resume: NextArg {}

impl<B: Body> fmt::Debug for GenLocal<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenLocal")
            .field("name", &B::NAME)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

//! The body of a generator: the state machine `#[generator]` makes of a function, as a type.

use core::any::TypeId;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};

/// The state machine of one generator, as written by `#[generator]` or `gen_!`.
///
/// A generator function returns [`Gen<impl Body<Yield = Y, Resume = R, Return = Ret>>`](crate::Gen):
/// this trait only carries the three types into the signature. It is sealed: only the macros
/// implement it (through a type of `__private`), and nothing but [`Gen`](crate::Gen) drives it.
///
/// ```
/// use corogen::prelude::*;
/// use corogen::{Body, Gen};
///
/// // Naming the type of a generator in a signature:
/// fn evens(limit: u32) -> Gen<impl Body<Yield = u32, Resume = (), Return = ()>> {
///     gen_!({
///         for i in (0..limit).step_by(2) {
///             yield_!(i);
///         }
///     })
/// }
/// assert_eq!(evens(7).collect::<Vec<_>>(), [0, 2, 4, 6]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a generator body",
    label = "not the body of a `#[generator]` function or a `gen_!`",
    note = "only corogen's macros make bodies: name one as `impl Body<Yield = Y, Resume = R, Return = T>`"
)]
pub trait Body: sealed::Sealed {
    /// The type of the values `yield_!` hands out.
    type Yield;
    /// The type of the values `send`/`resume` hand in.
    type Resume;
    /// The type of the value the body returns at its end.
    type Return;

    #[doc(hidden)]
    const NAME: &'static str;

    #[doc(hidden)]
    const DELEGATES: bool;

    #[doc(hidden)]
    const RECYCLES: bool;

    #[doc(hidden)]
    const TAKES_VALUES: bool;

    #[doc(hidden)]
    fn __marker() -> TypeId;

    #[doc(hidden)]
    fn __poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Return>;
}

mod sealed {
    pub trait Sealed {}
}

/// Implemented by the marker type each generator expansion declares.
pub trait Marker: 'static {
    /// The generator's name, for `Debug` (`fib`, or `<gen_!>` for an expression).
    const NAME: &'static str;

    /// Whether the body contains a `yield_from!`. Only then does `resume` look at the delegation
    /// stack: for every other generator that code is compiled away, which keeps the generator's
    /// state out of memory when the optimiser can see the whole loop.
    const DELEGATES: bool = false;

    /// Whether the generator was declared `#[generator(recycle, …)]`: its `Gen`'s body block is
    /// then taken from, and given back to, a per-thread free list (with `std`), as a delegating
    /// body's is.
    const RECYCLES: bool = false;

    /// Whether the body's yields evaluate to the values sent in: an async generator declared
    /// with `resume = R`. Only then does a resume of an async generator hand its body a value
    /// (and the body take it, at its first poll, for `resume = R as first`): an async generator
    /// without it is a plain `Stream`, whose items cost no more for it. Plain generators' yields
    /// always read their resume value (in registers), so they ignore it.
    const TAKES_VALUES: bool = false;
}

/// The one implementation of [`Body`]: a body future tagged with its marker and its types.
pub struct Framed<M, Y, R, F> {
    future: F,
    _types: crate::slot::Invariant<Y, R, M>,
}

impl<M, Y, R, F> Framed<M, Y, R, F> {
    #[inline(always)]
    pub(crate) fn new(future: F) -> Self {
        Framed {
            future,
            _types: PhantomData,
        }
    }
}

impl<M, Y, R, F> sealed::Sealed for Framed<M, Y, R, F> {}

impl<M: Marker, Y, R, F: Future> Body for Framed<M, Y, R, F> {
    type Yield = Y;
    type Resume = R;
    type Return = F::Output;

    const NAME: &'static str = M::NAME;

    const DELEGATES: bool = M::DELEGATES;

    const RECYCLES: bool = M::RECYCLES;
    const TAKES_VALUES: bool = M::TAKES_VALUES;

    #[inline(always)]
    fn __marker() -> TypeId {
        TypeId::of::<M>()
    }

    #[inline(always)]
    fn __poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is pinned structurally: it is never moved out of a pinned `Framed`,
        // `Framed` has no `Drop` impl and is `Unpin` only when `F` is.
        unsafe { self.map_unchecked_mut(|framed| &mut framed.future) }.poll(cx)
    }
}

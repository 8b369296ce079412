//! The generator protocol: the [`Generator`] trait and the types it speaks in.

use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};

/// What one `resume` produced: a yielded value, or the body's return value.
///
/// The twin of `std::ops::CoroutineState`.
///
/// ```
/// use corogen::prelude::*;
///
/// #[generator(yield = char)]
/// fn one() -> u8 {
///     yield_!('a');
///     7
/// }
/// let mut g = one();
/// assert_eq!(g.resume(()), GeneratorState::Yielded('a'));
/// assert_eq!(g.resume(()), GeneratorState::Complete(7));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GeneratorState<Y, R> {
    /// The generator suspended at a `yield_!` with this value.
    Yielded(Y),
    /// The generator finished with this return value.
    Complete(R),
}

impl<Y, R> GeneratorState<Y, R> {
    /// Turns the state into Python's view: a yielded value, or [`StopIteration`] carrying the
    /// return value.
    ///
    /// ```
    /// use corogen::{GeneratorState, StopIteration};
    /// let done: GeneratorState<u8, &str> = GeneratorState::Complete("done");
    /// assert_eq!(done.into_result(), Err(StopIteration("done")));
    /// ```
    #[inline]
    pub fn into_result(self) -> Result<Y, StopIteration<R>> {
        match self {
            GeneratorState::Yielded(value) => Ok(value),
            GeneratorState::Complete(value) => Err(StopIteration(value)),
        }
    }
}

/// The end of a generator, carrying its return value: Python's `StopIteration.value`.
///
/// [`Gen::send`](crate::Gen::send) returns it as the error once the body has returned.
///
/// ```
/// use corogen::prelude::*;
///
/// #[generator(yield = u32)]
/// fn countdown(n: u32) -> &'static str {
///     for i in (1..=n).rev() {
///         yield_!(i);
///     }
///     "liftoff"
/// }
/// let mut g = countdown(1);
/// assert_eq!(g.send(()), Ok(1));
/// let stop = g.send(()).unwrap_err();
/// assert_eq!(stop.0, "liftoff");
/// assert_eq!(stop.to_string(), "generator returned \"liftoff\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StopIteration<R>(pub R);

impl<R: fmt::Debug> fmt::Display for StopIteration<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "generator returned {:?}", self.0)
    }
}

impl<R: fmt::Debug> core::error::Error for StopIteration<R> {}

/// A resumable computation that yields values and finally returns one: the stable twin of
/// `std::ops::Coroutine`.
///
/// Every generator made by `#[generator]` or `gen_!` implements it, and it is object safe:
///
/// ```
/// use corogen::prelude::*;
/// use std::pin::Pin;
///
/// #[generator(yield = i32, resume = i32)]
/// fn doubler() {
///     let mut x = 0;
///     loop {
///         x = yield_!(x * 2);
///     }
/// }
/// // Generators are `Unpin`, so a box of them needs no pinning:
/// let mut g: Box<dyn Generator<i32, Yield = i32, Return = ()> + Unpin> = Box::new(doubler());
/// assert_eq!(Pin::new(&mut g).resume(0), GeneratorState::Yielded(0));
/// assert_eq!(Pin::new(&mut g).resume(21), GeneratorState::Yielded(42));
///
/// // Any generator, `Unpin` or not, behind `Pin<Box<dyn …>>`:
/// let mut g: Pin<Box<dyn Generator<i32, Yield = i32, Return = ()>>> = Box::pin(doubler());
/// assert_eq!(g.as_mut().resume(0), GeneratorState::Yielded(0));
/// assert_eq!(g.as_mut().resume(5), GeneratorState::Yielded(10));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a generator that takes `{R}`",
    label = "expected a generator resumed with `{R}`",
    note = "`#[generator]` functions and `gen_!` make generators (`Gen`, and `GenLocal` once pinned); \
            one that takes values is declared with `resume = {R}`"
)]
pub trait Generator<R = ()> {
    /// The type of the values the generator yields.
    type Yield;
    /// The type of the value the generator returns at its end.
    type Return;

    /// Runs the generator to its next `yield_!` or to its end, handing it `arg`.
    ///
    /// The first resume starts the body; `arg` is then dropped unless the generator binds it
    /// (`resume = R as first`). Later resumes make `arg` the value of the `yield_!` the generator
    /// is suspended at.
    ///
    /// # Panics
    /// If the generator already finished, or an earlier resume panicked.
    fn resume(self: Pin<&mut Self>, arg: R) -> GeneratorState<Self::Yield, Self::Return>;
}

impl<G: Generator<R> + Unpin + ?Sized, R> Generator<R> for &mut G {
    type Yield = G::Yield;
    type Return = G::Return;

    #[inline]
    #[track_caller]
    fn resume(mut self: Pin<&mut Self>, arg: R) -> GeneratorState<G::Yield, G::Return> {
        G::resume(Pin::new(&mut **self), arg)
    }
}

#[cfg(feature = "alloc")]
impl<G: Generator<R> + Unpin + ?Sized, R> Generator<R> for alloc::boxed::Box<G> {
    type Yield = G::Yield;
    type Return = G::Return;

    #[inline]
    #[track_caller]
    fn resume(mut self: Pin<&mut Self>, arg: R) -> GeneratorState<G::Yield, G::Return> {
        G::resume(Pin::new(&mut **self), arg)
    }
}

#[cfg(feature = "alloc")]
impl<G: Generator<R> + ?Sized, R> Generator<R> for Pin<alloc::boxed::Box<G>> {
    type Yield = G::Yield;
    type Return = G::Return;

    #[inline]
    #[track_caller]
    fn resume(mut self: Pin<&mut Self>, arg: R) -> GeneratorState<G::Yield, G::Return> {
        G::resume((*self).as_mut(), arg)
    }
}

impl<G: Generator<R> + ?Sized, R> Generator<R> for Pin<&mut G> {
    type Yield = G::Yield;
    type Return = G::Return;

    #[inline]
    #[track_caller]
    fn resume(mut self: Pin<&mut Self>, arg: R) -> GeneratorState<G::Yield, G::Return> {
        G::resume((*self).as_mut(), arg)
    }
}

/// An async generator that takes values: the async twin of [`Generator`], as `Stream` (and
/// std's `AsyncIterator`) is the async twin of `Iterator`. Python's `asend`/`athrow` protocol.
///
/// Every async generator made by `#[generator(…)] async fn` or `gen_!(async move { … })`
/// implements it ([`AsyncGen`](crate::AsyncGen)); its `send`/`resume`/`throw` methods are
/// futures built on [`poll_resume`](AsyncGenerator::poll_resume), and the trait is object safe:
///
/// ```
/// use corogen::prelude::*;
/// use corogen::AsyncGenerator;
/// use std::future::poll_fn;
/// use std::pin::Pin;
///
/// #[generator(yield = u32, resume = u32)]
/// async fn doubler() {
///     let mut x = 0;
///     loop {
///         std::future::ready(()).await; // any future
///         x = yield_!(x * 2);
///     }
/// }
///
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// block_on(async {
///     let mut g: Box<dyn AsyncGenerator<u32, Yield = u32, Return = ()> + Unpin> =
///         Box::new(doubler());
///     let mut value = Some(0); // taken when the generator's body takes it
///     let first = poll_fn(|cx| Pin::new(&mut g).poll_resume(cx, &mut value)).await;
///     assert_eq!(first, GeneratorState::Yielded(0));
///     let mut value = Some(21);
///     let second = poll_fn(|cx| Pin::new(&mut g).poll_resume(cx, &mut value)).await;
///     assert_eq!(second, GeneratorState::Yielded(42));
///     assert_eq!(value, None, "delivered");
/// });
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an async generator that takes `{R}`",
    label = "not an async generator resumed with `{R}`",
    note = "`#[generator(yield = Y, resume = R)] async fn` makes one; a plain generator is a \
            `Generator`, and a `Stream` takes no values"
)]
pub trait AsyncGenerator<R = ()> {
    /// The type of the values the generator yields.
    type Yield;
    /// The type of the value the generator returns at its end.
    type Return;

    /// Polls the generator on towards its next `yield_!` or its end, offering it `arg`.
    ///
    /// The value in `arg` is delivered when the body takes it: at once when the generator is
    /// suspended at a `yield_!` (or has not started: the first value is then bound by `resume
    /// = R as first`, or dropped), which leaves `arg` empty. `Ready(Yielded(value))` is always
    /// the answer to the value delivered: if a step begun earlier was still under way (its
    /// caller stopped polling: a resume future dropped before it finished), it is finished
    /// first, and the value it yields, which nobody waits for any more, is dropped. `Pending`
    /// with `arg` empty means the value was delivered and the step waits on a future the body
    /// awaits; with `arg` still full, that the earlier step still runs. A value left in `arg`
    /// when this returns `Ready(Complete(…))` (the earlier step ended the generator) was never
    /// delivered: it is the caller's again.
    ///
    /// Poll again with the same `arg` until it is `Ready`; a poll with `arg` empty while the
    /// generator waits at a `yield_!` panics.
    ///
    /// # Panics
    /// If the generator already finished, was closed or panicked.
    fn poll_resume(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
    ) -> Poll<GeneratorState<Self::Yield, Self::Return>>;
}

impl<G: AsyncGenerator<R> + Unpin + ?Sized, R> AsyncGenerator<R> for &mut G {
    type Yield = G::Yield;
    type Return = G::Return;

    #[inline]
    fn poll_resume(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
    ) -> Poll<GeneratorState<G::Yield, G::Return>> {
        G::poll_resume(Pin::new(&mut **self), cx, arg)
    }
}

#[cfg(feature = "alloc")]
impl<G: AsyncGenerator<R> + Unpin + ?Sized, R> AsyncGenerator<R> for alloc::boxed::Box<G> {
    type Yield = G::Yield;
    type Return = G::Return;

    #[inline]
    fn poll_resume(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
    ) -> Poll<GeneratorState<G::Yield, G::Return>> {
        G::poll_resume(Pin::new(&mut **self), cx, arg)
    }
}

#[cfg(feature = "alloc")]
impl<G: AsyncGenerator<R> + ?Sized, R> AsyncGenerator<R> for Pin<alloc::boxed::Box<G>> {
    type Yield = G::Yield;
    type Return = G::Return;

    #[inline]
    fn poll_resume(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
    ) -> Poll<GeneratorState<G::Yield, G::Return>> {
        G::poll_resume((*self).as_mut(), cx, arg)
    }
}

impl<G: AsyncGenerator<R> + ?Sized, R> AsyncGenerator<R> for Pin<&mut G> {
    type Yield = G::Yield;
    type Return = G::Return;

    #[inline]
    fn poll_resume(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
    ) -> Poll<GeneratorState<G::Yield, G::Return>> {
        G::poll_resume((*self).as_mut(), cx, arg)
    }
}

/// The value `next()` sends into a generator: Python's `next(g)` is `g.send(None)`.
///
/// A generator is an [`Iterator`] when its resume type implements this: `()` and `Option<T>` (whose
/// `next()` sends `None`) do, and so may your own types.
///
/// ```
/// use corogen::prelude::*;
///
/// #[generator(yield = u32, resume = Option<u32>)]
/// fn accumulate() {
///     let mut total = 0;
///     loop {
///         if let Some(add) = yield_!(total) {
///             total += add;
///         }
///     }
/// }
/// let mut g = accumulate();
/// assert_eq!(g.next(), Some(0));
/// assert_eq!(g.send(Some(5)), Ok(5));
/// assert_eq!(g.next(), Some(5)); // sends None
/// ```
#[diagnostic::on_unimplemented(
    message = "a generator that takes `{Self}` cannot be resumed without a value",
    label = "`{Self}` is not `()` or an `Option`: `next()` has nothing to send",
    note = "`for` loops, iterator methods and `yield_from!` resume with a default value: use \
            `resume = Option<T>` (`next()` sends `None`, `send(Some(value))` a value) or \
            `resume = ()`, or implement `NextArg` for `{Self}`"
)]
pub trait NextArg {
    /// The value to send for a plain `next()`.
    fn next_arg() -> Self;
}

impl NextArg for () {
    #[inline(always)]
    fn next_arg() -> Self {}
}

impl<T> NextArg for Option<T> {
    #[inline(always)]
    fn next_arg() -> Self {
        None
    }
}

/// A generator that can be thrown into (`throw = E`) resumes with `Ok(next_arg)` on `next()`.
impl<R: NextArg, E> NextArg for Result<R, E> {
    #[inline(always)]
    fn next_arg() -> Self {
        Ok(R::next_arg())
    }
}

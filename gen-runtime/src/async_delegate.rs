//! Delegation in async generators (`yield_from!` in an `async fn` generator, Python's
//! `async for x in sub: yield x` with `sub`'s return value): the plain generators' design
//! (`delegate.rs`), polled instead of resumed.
//!
//! The outermost `AsyncGen` keeps the stack of its delegates' requests and polls the top
//! directly, whatever the depth: one indirect call to the top's poll function, which polls the
//! delegate with the outermost poll's own [`FullSlot`]. A delegate is one of:
//!
//! - another async generator ([`AsyncGen`], by value or `&mut`): its body is polled with the
//!   slot (its marker written first), yields go out, values sent go in, and its return value is
//!   what `yield_from!` evaluates to; its own `yield_from!`s are handed up to the outermost;
//! - a plain generator ([`Gen`], by value or `&mut`): resumed synchronously with the value sent
//!   (`R::next_arg()` if none), its return value is the result;
//! - a [`Stream`]: polled with the executor's waker (the slot's outer waker); `Pending` from it
//!   makes the whole generator `Pending`, and the executor's wake reaches the stream directly;
//!   `yield_from!` evaluates to `()`;
//! - an iterable ([`IntoIterator`]): iterated; `()`.
//!
//! Values sent while a stream or an iterable runs are dropped, as neither can take them. In a
//! generator that can be thrown into (`throw = E`), a thrown error ends a stream or an iterable
//! where it is, and `yield_from!` evaluates to `Err(error)` (a generator gets the error).
//!
//! `Pending` from the top (an awaited future not ready in a delegate's body, or a stream) ends
//! the poll: the step is under way, and the next poll goes back to the top.
//!
//! The `yield_from!` local is a [`Checked`] of kind [`AsyncStack`], whose table (the same
//! [`DelegateOps`] as a plain generator's) makes [`AsyncRequest`]s. Everything `delegate.rs`
//! says about why the pointers stay valid, and about how an unfinished delegation ends (top
//! first, borrowed delegates handed back their own delegation on a drop and closed on a
//! `close()`, in constant stack), holds as written: the stacks are ended by the same
//! `end_stack`.
//!
//! One more rule, for the streams: a delegate is polled through `&mut` to the local, but the
//! local is never moved from the moment its request is made until it is dropped in place (it
//! lies in the pinned state of its parent's body, and the `yield_from!` expansion only borrows
//! it), so a stream in it may be polled pinned: `AsyncDelegate::__poll`'s contract.
//!
//! [`AsyncGen`]: crate::AsyncGen
//! [`Gen`]: crate::Gen

use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};

use futures_core::Stream;

use crate::async_gen::AsyncGen;
use crate::async_slot::{AsyncCo, FullSlot};
use crate::body::Body;
use crate::delegate::{
    Checked, DelegateOps, Finish, Held, IterDelegate, IterThrowDelegate, Request, already_finished,
    close_borrowed, end_owned,
};
use crate::generator::Gen;
use crate::protocol::{GeneratorState, NextArg};

/// The kind of a [`Checked`] whose requests go on an async generator's stack.
pub enum AsyncStack {}

/// The `yield_from!` local of an async generator.
pub type AsyncChecked<D, Y, R> = Checked<D, Y, R, AsyncStack>;

/// What one poll of a delegate (or of the outermost body) left in the slot.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AsyncProgress {
    /// A value waits in the slot's `yielded`.
    Yielded,
    /// It reached a `yield_from!` of its own: a request waits in the slot's `delegate`, and its
    /// `start` holds the value that starts the new delegate.
    Delegated,
    /// It finished; its return value (if any) is kept in it for `yield_from!` to take.
    Completed,
    /// It waits for a future that is not ready (or a stream that is pending).
    Pending,
}

/// How a request polls its delegate: a function monomorphised for the delegate's type, called
/// with the erased pointer to it.
#[doc(hidden)]
pub type AsyncPollFn<Y, R> = unsafe fn(NonNull<()>, &mut FullSlot<'_, Y, R>) -> AsyncProgress;

/// An entry of an async generator's delegation stack.
pub type AsyncRequest<Y, R> = Request<AsyncPollFn<Y, R>>;

impl<Y, R> AsyncRequest<Y, R> {
    /// Polls the delegate once with the slot's `arg`.
    ///
    /// # Safety
    /// As [`DelegateRequest::resume`](crate::delegate::DelegateRequest): the delegate is live,
    /// reached only through this request, the top of the stack of the generator being polled.
    #[inline(always)]
    pub(crate) unsafe fn poll(&self, slot: &mut FullSlot<'_, Y, R>) -> AsyncProgress {
        // SAFETY: the function was chosen for the type of the delegate that `target` points at
        // (`request_async_erased`), and the pointer is valid and unaliased per this function's
        // contract.
        unsafe { (self.resume)(self.target, slot) }
    }
}

/// Something `yield_from!` in an async generator can delegate to: an async generator, a plain
/// generator, a stream, an iterator. Only this crate implements it.
#[diagnostic::on_unimplemented(
    message = "`yield_from!` cannot delegate to `{Self}` from an async generator that yields `{Y}` and takes `{R}`",
    label = "a generator that yields `{Y}` and takes `{R}` is needed here",
    note = "a sub-generator (async or not) must have the same yield and resume types as the generator delegating to it; a `Stream` or an iterable must have `{Y}` as its item type"
)]
pub trait AsyncDelegate<Y, R>: Sized {
    /// Polls the delegate once with the slot's `arg`, leaving what it did in the slot.
    ///
    /// # Safety
    /// `self` is not moved from now until it is dropped (it may be polled pinned).
    #[doc(hidden)]
    unsafe fn __poll(&mut self, slot: &mut FullSlot<'_, Y, R>) -> AsyncProgress;

    /// The function that polls this delegate through a request (which points at it).
    #[doc(hidden)]
    #[inline(always)]
    fn __poll_fn(&mut self) -> AsyncPollFn<Y, R> {
        poll_erased::<Self, Y, R>
    }

    /// What the end of an unfinished delegation does with this delegate.
    #[doc(hidden)]
    const __HELD: Held;
}

/// The table of the async delegates of type `D`.
struct AsyncOpsOf<D, Y, R>(PhantomData<fn(D, Y, R)>);

impl<D: AsyncDelegate<Y, R>, Y, R> AsyncOpsOf<D, Y, R> {
    const OPS: &'static DelegateOps = &DelegateOps {
        request: request_async_erased::<D, Y, R>,
        held: D::__HELD,
    };
}

/// The `AsyncPollFn` of delegates of type `D`.
///
/// # Safety
/// `target` points at a live `D`, in a `yield_from!` local that is never moved again, that
/// nothing else accesses during the call.
unsafe fn poll_erased<D: AsyncDelegate<Y, R>, Y, R>(
    target: NonNull<()>,
    slot: &mut FullSlot<'_, Y, R>,
) -> AsyncProgress {
    // SAFETY: per this function's contract.
    unsafe { target.cast::<D>().as_mut().__poll(slot) }
}

/// `DelegateOps::request` for async delegates of type `D`.
///
/// # Safety
/// `target` points at a live `D` reached through a `&mut` (to the `Checked` it lies in), and
/// `into` at an `Option<AsyncRequest<Y, R>>`.
#[inline(always)]
unsafe fn request_async_erased<D: AsyncDelegate<Y, R>, Y, R>(target: NonNull<()>, into: *mut ()) {
    // SAFETY: per this function's contract.
    let resume = unsafe { target.cast::<D>().as_mut() }.__poll_fn();
    let request = Request { target, resume };
    // SAFETY: per this function's contract.
    unsafe { *into.cast::<Option<AsyncRequest<Y, R>>>() = Some(request) };
}

impl<D, Y, R> AsyncChecked<D, Y, R> {
    #[inline(always)]
    fn new_async(delegate: D) -> Self
    where
        D: AsyncDelegate<Y, R>,
    {
        // SAFETY: the table is `AsyncOpsOf::<D, Y, R>::OPS`, made for this very type, whose
        // `request` writes an `AsyncRequest<Y, R>`, the request type of `AsyncStack`.
        unsafe { Checked::with_table(delegate, AsyncOpsOf::<D, Y, R>::OPS) }
    }

    /// The request that lets the outermost generator poll this delegate directly: a pointer to
    /// the delegate, which the caller must not touch (nor move this `Checked`) until the request
    /// is popped.
    #[inline(always)]
    pub(crate) fn request_async(&mut self) -> AsyncRequest<Y, R> {
        // SAFETY: a `Checked` of `AsyncStack` is made only by `new_async`, whose table writes an
        // `AsyncRequest<Y, R>`.
        unsafe { self.request_as() }
    }
}

// Async generators, owned or borrowed.

impl<B: Body> AsyncDelegate<B::Yield, B::Resume> for AsyncGen<B> {
    #[inline(always)]
    unsafe fn __poll(&mut self, slot: &mut FullSlot<'_, B::Yield, B::Resume>) -> AsyncProgress {
        self.poll_in_slot(slot)
    }

    /// An owned async generator (a `yield_from!` local) is reached only through its request
    /// until the delegation ends, and after that only to take its return value and drop it. So
    /// if it can be polled as a delegate now, it is polled with no status check or update at all
    /// (the check is done once, here), as a plain generator's owned delegate is resumed: should
    /// it panic, the outermost generator is poisoned and never polls it again, and its own
    /// status is never looked at before it is dropped.
    #[inline(always)]
    fn __poll_fn(&mut self) -> AsyncPollFn<B::Yield, B::Resume> {
        if self.can_poll_delegated() {
            poll_owned_erased::<B>
        } else {
            poll_erased::<Self, B::Yield, B::Resume>
        }
    }

    const __HELD: Held = Held::Owned(end_owned_async::<B>);
}

/// The `AsyncPollFn` of an owned async generator that could be polled as a delegate when its
/// delegation began (see [`AsyncGen`'s `__poll_fn`](AsyncDelegate::__poll_fn)).
///
/// # Safety
/// `target` points at a live `AsyncGen<B>` that nothing else accesses during the call, for which
/// `can_poll_delegated()` held when its delegation began, and which nothing but this function
/// has polled since (see [`AsyncGen::poll_delegated`]).
///
/// It is the one function that polls bodies of type `B` on behalf of another generator (a
/// borrowed delegate's checked poll calls it too), so the optimiser inlines the body's poll here
/// (and folds its marker check) rather than leave it apart.
#[inline(never)]
pub(crate) unsafe fn poll_owned_erased<B: Body>(
    target: NonNull<()>,
    slot: &mut FullSlot<'_, B::Yield, B::Resume>,
) -> AsyncProgress {
    // SAFETY: per this function's contract.
    unsafe { target.cast::<AsyncGen<B>>().as_mut().poll_delegated(slot) }
}

impl<B: Body> AsyncDelegate<B::Yield, B::Resume> for &mut AsyncGen<B> {
    #[inline(always)]
    unsafe fn __poll(&mut self, slot: &mut FullSlot<'_, B::Yield, B::Resume>) -> AsyncProgress {
        (**self).poll_in_slot(slot)
    }

    const __HELD: Held = Held::Borrowed {
        close: close_borrowed_async::<B>,
        hand_back: hand_back_async::<B>,
    };
}

/// `Held::Owned` for `AsyncGen<B>`: ends it in place.
///
/// # Safety
/// `target` points at a live `AsyncGen<B>`, the delegate of a `Checked` whose request was
/// popped from the stack that held it, and nothing else accesses it during the call.
unsafe fn end_owned_async<B: Body>(target: *mut (), end: crate::delegate::End) {
    // SAFETY: per this function's contract.
    unsafe { (*target.cast::<AsyncGen<B>>()).end(end) };
}

/// The async generator the `&mut AsyncGen<B>` at `target` borrows.
///
/// # Safety
/// `target` points at a live `&mut AsyncGen<B>` (the delegate of a `Checked`), and nothing else
/// accesses it or the generator during the lifetime chosen.
#[inline]
unsafe fn borrowed_async<'a, B: Body>(target: *mut ()) -> &'a mut AsyncGen<B> {
    // SAFETY: per this function's contract.
    unsafe { &mut **target.cast::<&mut AsyncGen<B>>() }
}

/// `Held::Borrowed::close` for `AsyncGen<B>`.
///
/// # Safety
/// As [`borrowed_async`]; the request was popped from the stack that held it.
unsafe fn close_borrowed_async<B: Body>(target: *mut ()) {
    // SAFETY: per this function's contract.
    unsafe { borrowed_async::<B>(target) }.close();
}

/// `Held::Borrowed::hand_back` for `AsyncGen<B>`.
///
/// # Safety
/// As [`borrowed_async`]; `stack` points at the `Vec<AsyncRequest<B::Yield, B::Resume>>` that
/// holds the request for `target` at `from - 1`, and the entries from `from` on are the
/// generator's own delegation.
unsafe fn hand_back_async<B: Body>(target: *mut (), stack: *mut (), from: usize, poisoned: bool) {
    // SAFETY: per this function's contract.
    let stack = unsafe { &mut *stack.cast::<alloc::vec::Vec<AsyncRequest<B::Yield, B::Resume>>>() };
    // SAFETY: per this function's contract.
    unsafe { borrowed_async::<B>(target) }.take_back(stack.drain(from..), poisoned);
}

/// `Held::Borrowed::hand_back` for a plain generator on an async generator's stack: nothing is
/// above it (it delegates on a stack of its own), so there is nothing to hand back, and a panic
/// that went through it poisoned it already.
unsafe fn hand_back_nothing(_: *mut (), _: *mut (), _: usize, _: bool) {}

impl<B: Body> Finish for AsyncGen<B> {
    type Output = B::Return;
    #[inline]
    fn finish(&mut self) -> B::Return {
        self.take_return_value()
            .unwrap_or_else(|| already_finished(B::NAME))
    }
}

impl<B: Body> Finish for &mut AsyncGen<B> {
    type Output = B::Return;
    #[inline]
    fn finish(&mut self) -> B::Return {
        self.take_return_value()
            .unwrap_or_else(|| already_finished(B::NAME))
    }
}

// Plain generators: resumed synchronously; a leaf of the async stack (their own delegation is
// on their own stack).

impl<B: Body> AsyncDelegate<B::Yield, B::Resume> for Gen<B>
where
    B::Resume: NextArg,
{
    #[inline(always)]
    unsafe fn __poll(&mut self, slot: &mut FullSlot<'_, B::Yield, B::Resume>) -> AsyncProgress {
        resume_gen(self, slot)
    }

    const __HELD: Held = Held::Owned(end_owned::<B>);
}

impl<B: Body> AsyncDelegate<B::Yield, B::Resume> for &mut Gen<B>
where
    B::Resume: NextArg,
{
    #[inline(always)]
    unsafe fn __poll(&mut self, slot: &mut FullSlot<'_, B::Yield, B::Resume>) -> AsyncProgress {
        resume_gen(self, slot)
    }

    const __HELD: Held = Held::Borrowed {
        close: close_borrowed::<B>,
        hand_back: hand_back_nothing,
    };
}

/// Resumes `generator` once with the value the poll offers.
#[inline(always)]
fn resume_gen<B: Body>(
    generator: &mut Gen<B>,
    slot: &mut FullSlot<'_, B::Yield, B::Resume>,
) -> AsyncProgress
where
    B::Resume: NextArg,
{
    if generator.is_finished() {
        // `Finish` takes its return value, or says it had handed it out already.
        return AsyncProgress::Completed;
    }
    let arg = slot.arg.take().unwrap_or_else(B::Resume::next_arg);
    match generator.resume(arg) {
        GeneratorState::Yielded(value) => {
            *slot.yielded() = Some(value);
            AsyncProgress::Yielded
        }
        GeneratorState::Complete(value) => {
            generator.keep_return_value(value);
            AsyncProgress::Completed
        }
    }
}

// Iterables.

impl<I: Iterator, R> AsyncDelegate<I::Item, R> for IterDelegate<I> {
    #[inline(always)]
    unsafe fn __poll(&mut self, slot: &mut FullSlot<'_, I::Item, R>) -> AsyncProgress {
        slot.arg = None;
        next_into(&mut self.0, slot)
    }

    const __HELD: Held = Held::Iterator;
}

impl<I: Iterator, R, E> AsyncDelegate<I::Item, Result<R, E>> for IterThrowDelegate<I, E> {
    #[inline(always)]
    unsafe fn __poll(&mut self, slot: &mut FullSlot<'_, I::Item, Result<R, E>>) -> AsyncProgress {
        if let Some(Err(error)) = slot.arg.take() {
            self.thrown = Some(error);
            return AsyncProgress::Completed;
        }
        next_into(&mut self.iter, slot)
    }

    const __HELD: Held = Held::Iterator;
}

#[inline(always)]
fn next_into<I: Iterator, R>(iter: &mut I, slot: &mut FullSlot<'_, I::Item, R>) -> AsyncProgress {
    match iter.next() {
        Some(item) => {
            *slot.yielded() = Some(item);
            AsyncProgress::Yielded
        }
        None => AsyncProgress::Completed,
    }
}

// Streams.

/// Delegation to a [`Stream`] (`async for x in stream: yield x`): values sent while it runs are
/// dropped, as a stream cannot take them.
pub struct StreamDelegate<S>(S);

/// Delegation to a [`Stream`] in an async generator that can be thrown into: an error thrown
/// while it runs ends it, and `yield_from!` evaluates to `Err(error)`.
pub struct StreamThrowDelegate<S, E> {
    stream: S,
    thrown: Option<E>,
}

impl<S: Stream, R> AsyncDelegate<S::Item, R> for StreamDelegate<S> {
    #[inline(always)]
    unsafe fn __poll(&mut self, slot: &mut FullSlot<'_, S::Item, R>) -> AsyncProgress {
        slot.arg = None;
        // SAFETY: `self` is not moved until it is dropped (this function's contract), so neither
        // is the stream in it: it may be pinned.
        let stream = unsafe { Pin::new_unchecked(&mut self.0) };
        poll_stream(stream, slot)
    }

    const __HELD: Held = Held::Iterator;
}

impl<S: Stream, R, E> AsyncDelegate<S::Item, Result<R, E>> for StreamThrowDelegate<S, E> {
    #[inline(always)]
    unsafe fn __poll(&mut self, slot: &mut FullSlot<'_, S::Item, Result<R, E>>) -> AsyncProgress {
        if let Some(Err(error)) = slot.arg.take() {
            self.thrown = Some(error);
            return AsyncProgress::Completed;
        }
        // SAFETY: as in `StreamDelegate::__poll`.
        let stream = unsafe { Pin::new_unchecked(&mut self.stream) };
        poll_stream(stream, slot)
    }

    const __HELD: Held = Held::Iterator;
}

/// Polls `stream` once with the executor's own waker.
#[inline(always)]
fn poll_stream<S: Stream, R>(
    stream: Pin<&mut S>,
    slot: &mut FullSlot<'_, S::Item, R>,
) -> AsyncProgress {
    let mut cx = Context::from_waker(slot.outer());
    match stream.poll_next(&mut cx) {
        Poll::Ready(Some(item)) => {
            *slot.yielded() = Some(item);
            AsyncProgress::Yielded
        }
        Poll::Ready(None) => AsyncProgress::Completed,
        Poll::Pending => AsyncProgress::Pending,
    }
}

impl<S> Finish for StreamDelegate<S> {
    type Output = ();
    #[inline(always)]
    fn finish(&mut self) {}
}

impl<S, E> Finish for StreamThrowDelegate<S, E> {
    type Output = Result<(), E>;
    #[inline(always)]
    fn finish(&mut self) -> Result<(), E> {
        match self.thrown.take() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

// How `yield_from!` in an async generator picks its delegate: as `GenKind`/`IterKind` do
// (`delegate.rs`), by method resolution, with one more level for streams. The expansion calls
// `(&&&probe(&value)).__corogen_async_kind()`, which autoderef tries against `&&Probe<T>` (a
// generator), then `&Probe<T>` (a stream), then `Probe<T>` (anything else: an iterable).

/// Carries the type of `yield_from!`'s argument to the kind traits.
pub struct Probe<T>(PhantomData<fn() -> T>);

/// The [`Probe`] of `value`'s type.
#[inline(always)]
pub fn probe<T>(_value: &T) -> Probe<T> {
    Probe(PhantomData)
}

/// Picks [`AsyncGenTag`] for generators, async or not, by value or `&mut`.
pub trait AsyncGenKind {
    /// The tag for generators.
    #[inline(always)]
    fn __corogen_async_kind(&self) -> AsyncGenTag {
        AsyncGenTag
    }
}

impl<B: Body> AsyncGenKind for &&Probe<AsyncGen<B>> {}
impl<B: Body> AsyncGenKind for &&Probe<&mut AsyncGen<B>> {}
impl<B: Body> AsyncGenKind for &&Probe<Gen<B>> {}
impl<B: Body> AsyncGenKind for &&Probe<&mut Gen<B>> {}

/// Picks [`StreamTag`] for streams that are not generators.
pub trait StreamKind {
    /// The tag for streams.
    #[inline(always)]
    fn __corogen_async_kind(&self) -> StreamTag {
        StreamTag
    }
}

impl<S: Stream> StreamKind for &Probe<S> {}

/// The fallback: anything else is treated as an iterable.
pub trait AsyncIterKind {
    /// The tag for iterables.
    #[inline(always)]
    fn __corogen_async_kind(&self) -> AsyncIterTag {
        AsyncIterTag
    }
}

impl<T> AsyncIterKind for Probe<T> {}

/// Delegation to a generator from an async generator: polled (or resumed) directly; its return
/// value is the result.
pub struct AsyncGenTag;

impl AsyncGenTag {
    /// Checks that `generator` yields and takes what this generator does (reported here, at
    /// the argument) and wraps it.
    #[inline(always)]
    pub fn delegate<Y, M, R, G>(self, _co: AsyncCo<Y, M, R>, generator: G) -> AsyncChecked<G, Y, R>
    where
        G: AsyncDelegate<Y, R> + Finish,
    {
        AsyncChecked::new_async(generator)
    }

    /// [`delegate`](Self::delegate) in a generator that can be thrown into: the same, as a
    /// thrown error reaches the sub-generator.
    #[inline(always)]
    pub fn delegate_throwing<Y, M, R, G>(
        self,
        _co: AsyncCo<Y, M, R>,
        generator: G,
    ) -> AsyncChecked<G, Y, R>
    where
        G: AsyncDelegate<Y, R> + Finish,
    {
        AsyncChecked::new_async(generator)
    }
}

/// Delegation to a stream: polled with the executor's waker; the result is `()` (or, in a
/// generator that can be thrown into, `Result<(), E>`).
pub struct StreamTag;

impl StreamTag {
    /// As [`AsyncGenTag::delegate`], for a stream of the yield type.
    #[inline(always)]
    pub fn delegate<Y, M, R, S>(
        self,
        _co: AsyncCo<Y, M, R>,
        stream: S,
    ) -> AsyncChecked<StreamDelegate<S>, Y, R>
    where
        S: Stream<Item = Y>,
    {
        AsyncChecked::new_async(StreamDelegate(stream))
    }

    /// As [`delegate`](Self::delegate), in a generator that can be thrown into: an error thrown
    /// while the stream runs ends it, and `yield_from!` evaluates to `Err(error)`.
    #[inline(always)]
    pub fn delegate_throwing<Y, M, R, E, S>(
        self,
        _co: AsyncCo<Y, M, Result<R, E>>,
        stream: S,
    ) -> AsyncChecked<StreamThrowDelegate<S, E>, Y, Result<R, E>>
    where
        S: Stream<Item = Y>,
    {
        AsyncChecked::new_async(StreamThrowDelegate {
            stream,
            thrown: None,
        })
    }
}

/// Delegation to an iterable from an async generator: iterated; the result is `()` (or
/// `Result<(), E>`).
pub struct AsyncIterTag;

impl AsyncIterTag {
    /// As [`AsyncGenTag::delegate`], for an iterable of the yield type.
    #[inline(always)]
    pub fn delegate<Y, M, R, I>(
        self,
        _co: AsyncCo<Y, M, R>,
        iterable: I,
    ) -> AsyncChecked<IterDelegate<I::IntoIter>, Y, R>
    where
        I: IntoIterator<Item = Y>,
    {
        AsyncChecked::new_async(IterDelegate(iterable.into_iter()))
    }

    /// As [`delegate`](Self::delegate), in a generator that can be thrown into.
    #[inline(always)]
    pub fn delegate_throwing<Y, M, R, E, I>(
        self,
        _co: AsyncCo<Y, M, Result<R, E>>,
        iterable: I,
    ) -> AsyncChecked<IterThrowDelegate<I::IntoIter, E>, Y, Result<R, E>>
    where
        I: IntoIterator<Item = Y>,
    {
        AsyncChecked::new_async(IterThrowDelegate::new(iterable.into_iter()))
    }
}

//! Async generators (PEP 525): a body with both `.await` and `yield_!`, consumed as a
//! [`Stream`](futures_core::Stream), resumed with values ([`AsyncGen::send`], Python's `asend`)
//! and delegating with `yield_from!`.
//!
//! How values travel, and why a yield may write where it does, is `async_slot.rs`; delegation
//! is `async_delegate.rs`. This module is the generator: its states, the poll that drives its
//! body or the top of its delegation stack, and the futures of `send`, `resume` and `throw`.
//!
//! # States
//!
//! See [`Status`]. A poll moves a resumable generator (`Created`, `Suspended`) to `Suspended`,
//! waiting at a yield when it yields, awaiting when it returns `Pending` (a real wait), and to
//! `Completed` when the body returns; `close` and drop move it to `Closed`, and a poll that
//! unwinds leaves `Panicked` behind (a drop guard, so a normal poll pays nothing for it).
//!
//! # Two polls
//!
//! A generator whose body takes no values and has no `yield_from!` (a plain `Stream`) is polled
//! by [`AsyncGen::poll_plain`] with an `AsyncSlot`: its body only, no value offered, no stack;
//! the optimiser sees the whole of it, which is what the `stream` benchmark row measures. Every
//! other generator is polled by [`AsyncGen::poll_stack`] with a `FullSlot`: the value offered,
//! the top of the delegation stack polled directly (or the body), requests pushed and finished
//! delegates popped until something yields, waits, or the body ends.

use core::fmt;
use core::future::Future;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll, Waker};

use alloc::vec::Vec;
use futures_core::{FusedStream, Stream};

use crate::async_delegate::{AsyncProgress, AsyncRequest, poll_owned_erased};
use crate::async_slot::{AsyncCo, AsyncSlot, FullSlot};
use crate::body::{Body, Framed, Marker};
use crate::body_box::BodyBox;
use crate::delegate::{End, end_stack};
use crate::protocol::{AsyncGenerator, GeneratorState, NextArg, StopIteration};
use crate::state::GenState;

// Where the hub looks through the wrapper waker (`adopt_foreign`, the blocking pool).
#[cfg(feature = "hub")]
pub(crate) use crate::async_slot::outer_waker;

/// Where an async generator is in its life.
///
/// `Awaiting` and `Suspended` are 0 and 1, the discriminants of `Option`'s `None` and `Some`:
/// what a poll that returned `Pending` stores is then the discriminant of the slot's yielded
/// value, one store, with no flag to compute beside it (a plain stream's `poll_next` out of
/// line, the `stream-opaque` row).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
enum Status {
    /// Invariant: the body is present and was polled, and a step is under way: the body, or
    /// the top delegate, waits inside a future it awaits, and the value of this step was
    /// delivered.
    Awaiting = 0,
    /// Invariant: the body is present and was polled. It waits at a `yield_!` (its own, or the
    /// top delegate's) for the next value.
    Suspended = 1,
    /// Invariant: the body is present and was never polled; the stack is empty.
    Created = 2,
    /// Invariant: the stack is empty; the body returned (or was thrown into before it started)
    /// and is gone.
    Completed,
    /// Invariant: the stack is empty and the body is gone.
    Closed,
    /// A poll unwound: the body (and the stack, which may point into bodies left mid-poll) are
    /// never polled again, only ended.
    Panicked,
}

impl Status {
    /// The status after a poll of the body that returned `Pending`: `Suspended` if it yielded
    /// (waits at a yield), else `Awaiting`.
    #[inline(always)]
    fn after_pending(yielded: bool) -> Status {
        if yielded {
            Status::Suspended
        } else {
            Status::Awaiting
        }
    }
}

/// Makes the async generator whose body is `future`, which yields through `co`.
///
/// Taking the `AsyncCo` ties the generator's `Y`, `R` and `M` to those of the yields in the
/// body.
#[inline]
pub fn new_async_gen<M: Marker, Y, R, F: Future>(
    co: AsyncCo<Y, M, R>,
    future: F,
) -> AsyncGen<Framed<M, Y, R, F>> {
    let _ = co;
    AsyncGen {
        body: Some(BodyBox::new(Framed::new(future))),
        status: Status::Created,
        returned: None,
        stack: ManuallyDrop::new(Vec::new()),
        undelivered: None,
    }
}

/// An async generator: what an `async fn` with `#[generator]` (or `gen_!(async move { … })`)
/// returns. It is a [`Stream`] of its yields and keeps its return value.
///
/// ```
/// use corogen::prelude::*;
///
/// #[generator(yield = u32)]
/// async fn ticks(n: u32) -> &'static str {
///     for i in 0..n {
///         std::future::ready(()).await; // any future: a timer, a socket read…
///         yield_!(i);
///     }
///     "done"
/// }
///
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// block_on(async {
///     let mut stream = ticks(3);
///     let mut seen = Vec::new();
///     while let Some(i) = stream.next().await {
///         seen.push(i);
///     }
///     assert_eq!(seen, [0, 1, 2]);
///     assert_eq!(stream.return_value(), Some(&"done"));
/// });
/// ```
///
/// It works under any executor: the futures the body awaits see a waker that wakes the
/// executor's task, and a clone of it is a clone of the executor's own waker (see `Waker`'s
/// `will_wake` in `async_slot.rs`). An executor whose wakers are not `Send`-safe is no problem
/// either: no waker is created here, and clones are the executor's.
///
/// # The whole protocol
///
/// - `yield_from!(sub)` delegates to another async generator (its return value is the result),
///   a plain generator, any [`Stream`] or any iterable, recursively, with each poll going
///   straight to the innermost (see [`yield_from!`](https://docs.rs/corogen/latest/corogen/macro.yield_from.html)).
/// - With `resume = R` the generator takes values: [`send`](AsyncGen::send) and
///   [`resume`](AsyncGen::resume) are futures (Python's `asend`), and a `yield_!` evaluates to
///   the value sent. With `throw = E`, [`throw`](AsyncGen::throw) is Python's `athrow`. Such a
///   generator is an [`AsyncGenerator`]; with `R: NextArg` (`()`, `Option<T>`) it is a
///   `Stream` too, whose `next()` sends `R::next_arg()`.
/// - [`close`](AsyncGen::close) is Python's `aclose()`; dropping it closes it the same way,
///   except that a generator it borrows (`yield_from!(&mut sub)`) is left to go on alone.
/// - [`state`](AsyncGen::state), [`return_value`](AsyncGen::return_value).
///
/// ```
/// use corogen::prelude::*;
///
/// #[generator(yield = String, resume = u32, throw = &'static str)]
/// async fn shout(prefix: &'static str) -> Result<u32, &'static str> {
///     let mut total = 0;
///     loop {
///         std::future::ready(()).await;
///         match yield_!(format!("{prefix}{total}")) {
///             Ok(n) => total += n,
///             Err("stop") => return Ok(total),
///             Err(e) => return Err(e),
///         }
///     }
/// }
///
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// block_on(async {
///     let mut g = shout("total: ");
///     assert_eq!(g.send(Ok(0)).await, Ok("total: 0".to_string())); // starts the body
///     assert_eq!(g.send(Ok(5)).await, Ok("total: 5".to_string()));
///     assert_eq!(g.throw("stop").await, GeneratorState::Complete(Ok(5)));
/// });
/// ```
///
/// # Cancellation
///
/// A `send`, `resume` or `throw` future owns its value until the body takes it, which it does
/// at the future's first poll when the generator is suspended at a `yield_!` (or has not
/// started). The body then runs on towards its next `yield_!`, and may wait on futures it
/// awaits meanwhile: those polls return `Pending`, and the value is delivered.
///
/// - **Dropped before the body took its value** (never polled, or see below): the value is not
///   lost. [`ResumeFuture::into_value`] gives it back while the future is at hand (a `select!`
///   on `&mut future`); a future dropped with its value still in it hands it to the generator,
///   which keeps it for [`take_undelivered`](AsyncGen::take_undelivered) (the last such value:
///   take it before another replaces it).
/// - **Dropped after** (a timeout that fired while the body waited): the step stays under way,
///   with the generator [`Awaiting`](GenState::Awaiting), and goes on at the next poll. A
///   `next()` (or `poll_next`) then gets what the step yields, as a stream's consumer would.
///   A `send`/`resume`/`throw` first finishes that step, whose yielded value, the answer to a
///   request its caller gave up on, is dropped, and then delivers its own value: its answer is
///   its own. (If the unfinished step ends the generator instead, the future completes with
///   that end, and its value, never delivered, is kept as above.)
///
/// No value is ever delivered twice or handed to a different `yield_!` than the one waiting
/// when its turn came. Python cancels an `asend` by raising `CancelledError` in the body; in
/// Rust a dropped future cannot run the body, so the step finishes at the next poll.
#[must_use = "streams do nothing unless polled"]
pub struct AsyncGen<B: Body> {
    /// `None` once finished or closed.
    body: Option<BodyBox<B>>,
    status: Status,
    /// The return value, kept when `poll_next` (or `yield_from!`) reached the end.
    returned: Option<B::Return>,
    /// The generators (and streams, iterators) this one is delegating to, innermost last (see
    /// `async_delegate.rs`). Always empty, and never allocated, for a body without
    /// `yield_from!`; dropped by `Drop` only for the others, so that a plain stream's drop glue
    /// stays small enough to be inlined into an unwinding caller's landing pad (an outlined drop
    /// would take the generator's address, and with it the body's, which the optimiser then
    /// keeps in memory at every item).
    stack: ManuallyDrop<Vec<AsyncRequest<B::Yield, B::Resume>>>,
    /// A value of a resume future dropped before it was delivered (see the cancellation docs).
    undelivered: Option<B::Resume>,
}

// Nothing in `AsyncGen` is pinned in place: the body is pinned in its own block.
impl<B: Body> Unpin for AsyncGen<B> {}

// `Send` and `Sync` are the auto traits' own: `Send` when the body, the return value and the
// resume type are, `Sync` when they are `Sync`. Between polls nothing points anywhere but into
// the generator's own body (the stack's requests: see `delegate.rs` on why they are `Send` and
// `Sync`), and yielded values live in the stack frame of the poll only, on the thread that
// polls. A yielded value is made by the body and handed out on the thread that polls it: a body
// that yields must hold each yield future, and so a value of `B::Yield`, across that yield's
// suspension, hence `B: Send` implies `B::Yield: Send` whenever a value is ever yielded.

/// Sets the status it points to to `Panicked` when dropped: held across the body's poll, it is
/// dropped only if that poll unwinds.
struct PoisonOnUnwind<'a>(&'a mut Status);

impl Drop for PoisonOnUnwind<'_> {
    #[cold]
    fn drop(&mut self) {
        *self.0 = Status::Panicked;
    }
}

impl<B: Body> AsyncGen<B> {
    /// Polls a plain stream's body (no values taken, no `yield_from!`) with an `AsyncSlot`.
    ///
    /// The body must be present (the status resumable).
    #[inline(always)]
    fn poll_plain(&mut self, outer: &Waker) -> Poll<GeneratorState<B::Yield, B::Return>> {
        let AsyncGen { body, status, .. } = self;
        let Some(block) = body.as_mut() else {
            unreachable!("a generator without a body is never polled")
        };
        let mut slot = AsyncSlot::<B::Yield>::new(outer);
        // Poisons the generator if the body unwinds; forgotten once the poll returns, so a
        // normal poll stores nothing for it.
        let poison = PoisonOnUnwind(status);
        let poll = slot.poll_body(block.as_mut());
        core::mem::forget(poison);
        match poll {
            Poll::Ready(value) => {
                *body = None;
                *status = Status::Completed;
                Poll::Ready(GeneratorState::Complete(value))
            }
            Poll::Pending => {
                let yielded = slot.yielded.take();
                *status = Status::after_pending(yielded.is_some());
                match yielded {
                    Some(value) => Poll::Ready(GeneratorState::Yielded(value)),
                    None => Poll::Pending,
                }
            }
        }
    }

    /// Polls a generator that takes values or delegates, with a `FullSlot` offering `offer`:
    /// the top of its stack (or its body) until something yields, waits, or the body ends. What
    /// no yield took is left in `offer` (always emptied for a body that takes no values: its
    /// value is `()`).
    ///
    /// The status must be resumable. Always inlined, as a plain generator's trampoline is: a
    /// loop over the items (`poll_next` in an executor's loop) then runs it without a call of
    /// its own besides the top delegate's poll.
    #[inline(always)]
    fn poll_stack(
        &mut self,
        outer: &Waker,
        offer: &mut Option<B::Resume>,
    ) -> Poll<GeneratorState<B::Yield, B::Return>> {
        let mut slot = FullSlot::new(outer, offer.take());
        let AsyncGen {
            body,
            status,
            stack,
            ..
        } = self;
        // Poisons the generator if the run unwinds (a delegate, or the body, panicked): its
        // stack may point into bodies left mid-poll.
        let poison = PoisonOnUnwind(status);
        let poll = Self::run_stack(body, stack, &mut slot);
        core::mem::forget(poison);
        *offer = if B::TAKES_VALUES {
            slot.arg.take()
        } else {
            None
        };
        match &poll {
            Poll::Ready(GeneratorState::Complete(_)) => {
                *body = None;
                *status = Status::Completed;
            }
            _ => *status = Status::after_pending(poll.is_ready()),
        }
        poll
    }

    /// The trampoline of [`poll_stack`](Self::poll_stack).
    #[inline(always)]
    fn run_stack(
        body: &mut Option<BodyBox<B>>,
        stack: &mut Vec<AsyncRequest<B::Yield, B::Resume>>,
        slot: &mut FullSlot<'_, B::Yield, B::Resume>,
    ) -> Poll<GeneratorState<B::Yield, B::Return>> {
        // The value offered, put aside while a new delegate takes its start value.
        let mut put_aside: Option<Option<B::Resume>> = None;
        loop {
            // A body without `yield_from!` never has a stack.
            let top = if B::DELEGATES { stack.last() } else { None };
            let progress = match top {
                // SAFETY: the request is the top of this generator's stack: everything above it
                // was popped, and its parent chain is suspended at the `yield_from!`s that
                // pushed the entries below (see `delegate.rs`).
                Some(top) => unsafe { top.poll(slot) },
                None => {
                    if !B::TAKES_VALUES {
                        // Its value is `()`, and its yields take none.
                        slot.arg = None;
                    }
                    let Some(block) = body.as_mut() else {
                        unreachable!("a resumable generator has its body")
                    };
                    // The slot of a generator that delegates serves several bodies: marked.
                    let poll = if B::DELEGATES {
                        slot.poll_body(block.as_mut())
                    } else {
                        slot.poll_own_body(block.as_mut())
                    };
                    match poll {
                        Poll::Ready(value) => {
                            if let Some(offered) = put_aside.take() {
                                slot.arg = offered;
                            }
                            return Poll::Ready(GeneratorState::Complete(value));
                        }
                        Poll::Pending => classify::<B>(slot),
                    }
                }
            };
            if let Some(offered) = put_aside.take() {
                // The poll just made was a new delegate's first: it took its start value, or
                // did not want it (it was in the middle of a step); the value offered is back.
                slot.arg = offered;
            }
            match progress {
                AsyncProgress::Yielded => {
                    let Some(value) = slot.yielded().take() else {
                        unreachable!("a yield leaves its value in the slot")
                    };
                    return Poll::Ready(GeneratorState::Yielded(value));
                }
                AsyncProgress::Pending => return Poll::Pending,
                // The parent of the finished delegate is polled next; it is suspended at its
                // `yield_from!`, which completes without reading the slot's value.
                AsyncProgress::Completed => {
                    stack.pop();
                }
                AsyncProgress::Delegated => {
                    let Some(request) = slot.delegate.take() else {
                        unreachable!("a delegation leaves its request in the slot")
                    };
                    stack.push(request);
                    put_aside = Some(slot.arg.take());
                    slot.arg = slot.start.take();
                }
            }
        }
    }

    /// One poll on behalf of a generator that delegates to this one, with that generator's
    /// slot: this body is polled with it, and a `yield_from!` in this body is handed up rather
    /// than pushed here, so that the outermost generator's stack holds every level. Keeps the
    /// status right at every step (it may be resumed on its own after the delegation).
    #[inline(always)]
    pub(crate) fn poll_in_slot(
        &mut self,
        slot: &mut FullSlot<'_, B::Yield, B::Resume>,
    ) -> AsyncProgress {
        match self.status {
            Status::Completed | Status::Closed => return AsyncProgress::Completed,
            Status::Panicked => self.cannot_resume(),
            Status::Created | Status::Suspended | Status::Awaiting => {}
        }
        if B::DELEGATES && !self.stack.is_empty() {
            return self.poll_apart(slot);
        }
        // Left behind if the poll unwinds (this is the checked path: a store is no matter).
        self.status = Status::Panicked;
        // SAFETY: the status was resumable and the stack empty (checked above), so
        // `can_poll_delegated()` held; the pointer comes from the `&mut` borrowed for the whole
        // call. `poll_delegated` completes the status when the body returns.
        let progress = unsafe { poll_owned_erased::<B>(NonNull::from(&mut *self).cast(), slot) };
        if progress != AsyncProgress::Completed {
            self.status = Status::after_pending(progress != AsyncProgress::Pending);
        }
        progress
    }

    /// Whether a poll on behalf of another generator may poll the body directly: the body is
    /// there and resumable, and this generator is not delegating on a stack of its own.
    #[inline(always)]
    pub(crate) fn can_poll_delegated(&self) -> bool {
        matches!(
            self.status,
            Status::Created | Status::Suspended | Status::Awaiting
        ) && (!B::DELEGATES || self.stack.is_empty())
    }

    /// Polls the body once with `slot`, on behalf of the generator that owns the slot, with no
    /// status check or upkeep: for an owned delegate, whose status nothing looks at before it is
    /// dropped (see `async_delegate.rs`). When the body returns, its return value is kept and
    /// the generator is `Completed`.
    ///
    /// # Safety
    /// `can_poll_delegated()` held when this generator was last checked, and nothing but such
    /// polls ran it since: its body is present and its stack empty.
    #[inline(always)]
    pub(crate) unsafe fn poll_delegated(
        &mut self,
        slot: &mut FullSlot<'_, B::Yield, B::Resume>,
    ) -> AsyncProgress {
        if !B::TAKES_VALUES {
            slot.arg = None;
        }
        // SAFETY: per this function's contract, the body is present: only the end of the body
        // (below, after which the request is popped and never polled again) and `end` (which
        // ends delegates whose requests were popped) remove it.
        let body = unsafe { self.body.as_mut().unwrap_unchecked() };
        match slot.poll_body(body.as_mut()) {
            Poll::Ready(value) => {
                self.returned = Some(value);
                self.body = None;
                self.status = Status::Completed;
                AsyncProgress::Completed
            }
            Poll::Pending => classify::<B>(slot),
        }
    }

    /// `poll_in_slot` for a delegate that was driven on its own before and is delegating on its
    /// own stack: it runs as its own outermost generator, with a slot of its own.
    #[cold]
    #[inline(never)]
    fn poll_apart(&mut self, slot: &mut FullSlot<'_, B::Yield, B::Resume>) -> AsyncProgress {
        let mut offer = slot.arg.take();
        let poll = self.poll_stack(slot.outer(), &mut offer);
        slot.arg = offer;
        match poll {
            Poll::Ready(GeneratorState::Yielded(value)) => {
                *slot.yielded() = Some(value);
                AsyncProgress::Yielded
            }
            Poll::Ready(GeneratorState::Complete(value)) => {
                self.returned = Some(value);
                AsyncProgress::Completed
            }
            Poll::Pending => AsyncProgress::Pending,
        }
    }

    /// One poll of whatever this generator is: its plain path or its stack.
    #[inline(always)]
    fn poll_step(
        &mut self,
        outer: &Waker,
        offer: &mut Option<B::Resume>,
    ) -> Poll<GeneratorState<B::Yield, B::Return>> {
        if !B::DELEGATES && !B::TAKES_VALUES {
            // Its value is `()`, and its yields take none.
            *offer = None;
            return self.poll_plain(outer);
        }
        self.poll_stack(outer, offer)
    }

    /// Takes back the entries of its own delegation from the stack of a generator that was
    /// dropped while delegating to this one through `&mut`: this one is the outermost again
    /// (poisoned as well if the other was, as the panic went through this one's delegation).
    pub(crate) fn take_back(
        &mut self,
        entries: impl Iterator<Item = AsyncRequest<B::Yield, B::Resume>>,
        poisoned: bool,
    ) {
        // A delegate with a stack of its own runs its delegation there (`poll_apart`), so
        // nothing of it can be on another generator's stack.
        self.stack.extend(entries);
        if poisoned {
            self.status = Status::Panicked;
        }
    }

    /// Ends the generator's life before its body finished: its delegation first (see
    /// `delegate.rs`), then its body, dropped in place. Leaves it `Closed` (or `Completed`), with
    /// no body and an empty stack.
    pub(crate) fn end(&mut self, end: End) {
        /// Drops the body after the delegation, even if ending the delegation unwinds.
        struct EndBody<'a, B: Body>(&'a mut AsyncGen<B>);
        impl<B: Body> Drop for EndBody<'_, B> {
            fn drop(&mut self) {
                let generator = &mut *self.0;
                if generator.status != Status::Completed {
                    generator.status = Status::Closed;
                }
                // Taken out first: should a `Drop` in it panic, no body is left to drop again.
                drop(generator.body.take());
            }
        }
        let this = EndBody(self);
        if B::DELEGATES && !this.0.stack.is_empty() {
            this.0.end_delegation(end);
        }
    }

    #[cold]
    #[inline(never)]
    fn end_delegation(&mut self, end: End) {
        let poisoned = self.status == Status::Panicked;
        // SAFETY: the generator's life ends: every entry points at a live `Checked`, as the
        // bodies they point into are dropped only after this (`end`, `drop`), and the entries
        // above a borrowed delegate's are its own delegation, `AsyncRequest`s as its
        // `hand_back` takes (`hand_back_async`; a plain generator has none above it).
        unsafe { end_stack(&mut *self.stack, end, poisoned) };
    }

    /// Panics unless the generator can be resumed.
    #[inline(always)]
    #[track_caller]
    fn check_resumable(&self) {
        if !matches!(
            self.status,
            Status::Created | Status::Suspended | Status::Awaiting
        ) {
            self.cannot_resume();
        }
    }

    #[cold]
    #[inline(never)]
    #[track_caller]
    fn cannot_resume(&self) -> ! {
        match self.status {
            Status::Completed => panic!("`{}` resumed after it completed", B::NAME),
            Status::Closed => panic!("`{}` resumed after it was closed", B::NAME),
            _ => panic!("`{}` resumed after it panicked", B::NAME),
        }
    }

    /// Python's `asend` as a [`GeneratorState`]: the future that delivers `arg` to the `yield_!`
    /// the generator waits at and runs it to its next `yield_!` or its end.
    ///
    /// The first resume starts the body; its `arg` is dropped unless the generator binds it with
    /// `resume = R as name`. See the [cancellation](AsyncGen#cancellation) rules for a future
    /// dropped before it completes.
    ///
    /// ```
    /// use corogen::prelude::*;
    ///
    /// #[generator(yield = usize, resume = &'static str as first)]
    /// async fn lengths() {
    ///     let mut word = first;
    ///     loop {
    ///         std::future::ready(()).await;
    ///         word = yield_!(word.len());
    ///     }
    /// }
    ///
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     let mut f = std::pin::pin!(f);
    /// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// block_on(async {
    ///     let mut g = lengths();
    ///     assert_eq!(g.resume("four").await, GeneratorState::Yielded(4));
    ///     assert_eq!(g.resume("seven").await, GeneratorState::Yielded(5));
    /// });
    /// ```
    ///
    /// # Panics
    /// When polled, if the generator already finished, was closed or panicked.
    #[inline]
    pub fn resume(&mut self, arg: B::Resume) -> ResumeFuture<'_, B> {
        ResumeFuture {
            generator: self,
            value: Some(arg),
            done: false,
        }
    }

    /// Python's `asend`: [`resume`](AsyncGen::resume), as `Ok(yielded)` or
    /// `Err(StopIteration(returned))`.
    ///
    /// ```
    /// use corogen::prelude::*;
    ///
    /// #[generator(yield = i32, resume = i32)]
    /// async fn running_sum() -> i32 {
    ///     let mut sum = 0;
    ///     while sum < 10 {
    ///         sum += yield_!(sum);
    ///     }
    ///     sum
    /// }
    ///
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     let mut f = std::pin::pin!(f);
    /// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// block_on(async {
    ///     let mut g = running_sum();
    ///     assert_eq!(g.send(0).await, Ok(0)); // starts the body
    ///     assert_eq!(g.send(4).await, Ok(4));
    ///     assert_eq!(g.send(7).await, Err(StopIteration(11)));
    /// });
    /// ```
    ///
    /// # Panics
    /// As [`resume`](AsyncGen::resume).
    #[inline]
    pub fn send(&mut self, arg: B::Resume) -> SendFuture<'_, B> {
        SendFuture {
            resume: self.resume(arg),
        }
    }

    /// The return value, once the stream has ended (`resume` and `send` hand it to their caller
    /// instead).
    pub fn return_value(&self) -> Option<&B::Return> {
        self.returned.as_ref()
    }

    /// Takes the kept return value out.
    pub fn take_return_value(&mut self) -> Option<B::Return> {
        self.returned.take()
    }

    /// Takes out the value of the last `send`/`resume`/`throw` future that was dropped before
    /// its value was delivered (see the [cancellation](AsyncGen#cancellation) rules).
    ///
    /// ```
    /// use corogen::prelude::*;
    ///
    /// #[generator(yield = u32, resume = u32)]
    /// async fn echo() {
    ///     let mut x = 0;
    ///     loop {
    ///         x = yield_!(x);
    ///     }
    /// }
    ///
    /// let mut g = echo();
    /// drop(g.send(7)); // never polled: 7 was not delivered
    /// assert_eq!(g.take_undelivered(), Some(7));
    /// assert_eq!(g.take_undelivered(), None);
    /// ```
    pub fn take_undelivered(&mut self) -> Option<B::Resume> {
        self.undelivered.take()
    }

    /// Python's `aclose()`: drops the body now, running its cleanup; the stream then ends.
    ///
    /// Generators it was delegating to are closed first, innermost first, those it borrows
    /// (`yield_from!(&mut sub)`) too, as [`Gen::close`](crate::Gen::close) does; a drop leaves
    /// a borrowed one to go on alone. Either way the depth of the delegation costs no stack.
    pub fn close(&mut self) {
        self.end(End::Close);
    }

    /// `true` once the generator cannot be resumed: it returned, was closed, or panicked.
    pub fn is_finished(&self) -> bool {
        !matches!(
            self.status,
            Status::Created | Status::Suspended | Status::Awaiting
        )
    }

    /// Where the generator is in its life, like Python's `inspect.getasyncgenstate`.
    ///
    /// ```
    /// use corogen::prelude::*;
    /// use corogen::GenState;
    ///
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     let mut f = std::pin::pin!(f);
    /// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let mut g = gen_!(async move { yield_!(1) });
    /// assert_eq!(g.state(), GenState::Created);
    /// block_on(g.next());
    /// assert_eq!(g.state(), GenState::Suspended);
    /// block_on(g.next());
    /// assert_eq!(g.state(), GenState::Completed);
    /// ```
    pub fn state(&self) -> GenState {
        match self.status {
            Status::Created => GenState::Created,
            Status::Awaiting => GenState::Awaiting,
            Status::Suspended => GenState::Suspended,
            Status::Completed => GenState::Completed,
            Status::Closed => GenState::Closed,
            Status::Panicked => GenState::Panicked,
        }
    }
}

impl<B: Body> AsyncGen<B>
where
    B::Resume: NextArg,
{
    /// The next yielded value: `stream.next().await`, without needing `futures::StreamExt`.
    /// It resumes with `R::next_arg()` (`()`, or `None`), as Python's `anext`.
    // An async `next`, as `StreamExt::next`: not `Iterator::next`.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> NextItem<'_, B> {
        NextItem { generator: self }
    }
}

impl<B, R, T, E> AsyncGen<B>
where
    B: Body<Resume = Result<R, E>, Return = Result<T, E>>,
{
    /// Python's `athrow`: raises `error` at the `yield_!` the generator waits at.
    ///
    /// As [`Gen::throw`](crate::Gen::throw): generators declared with `throw = E` see each
    /// `yield_!` as a `Result<R, E>`; [`send`](AsyncGen::send) resumes with `Ok(value)`, `throw`
    /// with `Err(error)`. A generator that is delegating forwards the error to the innermost
    /// delegate first: a generator may handle it, a stream or an iterable cannot (it is ended,
    /// and its `yield_from!` evaluates to `Err(error)`). Throwing into a generator that has not
    /// started finishes it without running its body.
    ///
    /// ```
    /// use corogen::prelude::*;
    ///
    /// #[generator(yield = u32, resume = (), throw = String)]
    /// async fn resilient() -> Result<(), String> {
    ///     let mut n = 0;
    ///     loop {
    ///         match yield_!(n) {
    ///             Ok(()) => n += 1,
    ///             Err(e) if e == "reset" => n = 0,
    ///             Err(e) => return Err(e),
    ///         }
    ///     }
    /// }
    ///
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     let mut f = std::pin::pin!(f);
    /// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// block_on(async {
    ///     let mut g = resilient();
    ///     assert_eq!(g.next().await, Some(0));
    ///     assert_eq!(g.next().await, Some(1));
    ///     assert_eq!(g.throw("reset".into()).await, GeneratorState::Yielded(0));
    ///     assert_eq!(
    ///         g.throw("fatal".into()).await,
    ///         GeneratorState::Complete(Err("fatal".into()))
    ///     );
    /// });
    /// ```
    ///
    /// # Panics
    /// As [`resume`](AsyncGen::resume), for a generator that already finished.
    pub fn throw(&mut self, error: E) -> ThrowFuture<'_, B> {
        if self.status == Status::Created {
            self.close();
            self.status = Status::Completed;
            return ThrowFuture {
                state: ThrowState::Done(Some(Err(error))),
            };
        }
        ThrowFuture {
            state: ThrowState::Resume(self.resume(Err(error))),
        }
    }
}

impl<B: Body> AsyncGenerator<B::Resume> for AsyncGen<B> {
    type Yield = B::Yield;
    type Return = B::Return;

    #[inline]
    fn poll_resume(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<B::Resume>,
    ) -> Poll<GeneratorState<B::Yield, B::Return>> {
        let this = self.get_mut();
        loop {
            this.check_resumable();
            match this.poll_step(cx.waker(), arg) {
                // The value offered is still there: the yield ended a step begun by a resume
                // whose future was dropped (see the cancellation docs). Nobody waits for its
                // value; the value offered goes to the `yield_!` it stopped at.
                Poll::Ready(GeneratorState::Yielded(unanswered)) if arg.is_some() => {
                    drop(unanswered);
                }
                poll => return poll,
            }
        }
    }
}

impl<B: Body> Stream for AsyncGen<B>
where
    B::Resume: NextArg,
{
    type Item = B::Yield;

    #[inline]
    #[track_caller]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<B::Yield>> {
        let this = self.get_mut();
        let poll = if !B::DELEGATES && !B::TAKES_VALUES {
            // `poll_plain`, written out so that the loop of an executor that inlines this keeps
            // the shape it had before async generators took values (the `stream` row).
            if this.status == Status::Panicked {
                polled_after_panic(B::NAME);
            }
            let AsyncGen {
                body,
                status,
                returned,
                ..
            } = this;
            let Some(block) = body.as_mut() else {
                return Poll::Ready(None);
            };
            let mut slot = AsyncSlot::<B::Yield>::new(cx.waker());
            let poison = PoisonOnUnwind(status);
            let poll = slot.poll_body(block.as_mut());
            core::mem::forget(poison);
            return match poll {
                Poll::Ready(value) => {
                    *returned = Some(value);
                    *body = None;
                    *status = Status::Completed;
                    Poll::Ready(None)
                }
                Poll::Pending => {
                    let yielded = slot.yielded.take();
                    *status = Status::after_pending(yielded.is_some());
                    match yielded {
                        Some(value) => Poll::Ready(Some(value)),
                        None => Poll::Pending,
                    }
                }
            };
        } else {
            match this.status {
                Status::Completed | Status::Closed => return Poll::Ready(None),
                Status::Panicked => polled_after_panic(B::NAME),
                Status::Created | Status::Suspended | Status::Awaiting => {}
            }
            // What was offered and not taken (the body was in the middle of a step) is dropped:
            // a `next()` continues whatever step is under way.
            this.poll_stack(cx.waker(), &mut Some(B::Resume::next_arg()))
        };
        match poll {
            Poll::Ready(GeneratorState::Yielded(value)) => Poll::Ready(Some(value)),
            Poll::Ready(GeneratorState::Complete(value)) => {
                this.returned = Some(value);
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn polled_after_panic(name: &str) -> ! {
    panic!("`{name}` polled after it panicked")
}

/// What a poll of a body of type `B` that returned `Pending` left in the slot. A body without
/// `yield_from!` never leaves a request (and then a generator's trampoline has no branch that
/// grows its stack).
#[inline(always)]
fn classify<B: Body>(slot: &mut FullSlot<'_, B::Yield, B::Resume>) -> AsyncProgress {
    if slot.yielded().is_some() {
        AsyncProgress::Yielded
    } else if B::DELEGATES && slot.delegate.is_some() {
        AsyncProgress::Delegated
    } else {
        AsyncProgress::Pending
    }
}

impl<B: Body> FusedStream for AsyncGen<B>
where
    B::Resume: NextArg,
{
    fn is_terminated(&self) -> bool {
        self.body.is_none()
    }
}

impl<B: Body> Drop for AsyncGen<B> {
    #[inline]
    fn drop(&mut self) {
        if B::DELEGATES {
            /// Frees the stack even if ending the delegation unwinds.
            struct FreeStack<'a, T>(&'a mut ManuallyDrop<Vec<T>>);
            impl<T> Drop for FreeStack<'_, T> {
                fn drop(&mut self) {
                    // SAFETY: dropped once, here, in the generator's own drop; not used after.
                    unsafe { ManuallyDrop::drop(self.0) };
                }
            }
            let AsyncGen { stack, status, .. } = self;
            let poisoned = *status == Status::Panicked;
            let stack = FreeStack(stack);
            // The stack points into the body: its delegation ends before the body is dropped.
            if !stack.0.is_empty() {
                // SAFETY: as in `end_delegation`.
                unsafe { end_stack(&mut **stack.0, End::Drop, poisoned) };
            }
        }
        // A body without `yield_from!` never pushed to its stack, which never allocated: there
        // is nothing to free.
    }
}

impl<B: Body> fmt::Debug for AsyncGen<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncGen")
            .field("name", &B::NAME)
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

/// The future of [`AsyncGen::next`].
#[must_use = "futures do nothing unless awaited"]
pub struct NextItem<'a, B: Body> {
    generator: &'a mut AsyncGen<B>,
}

impl<B: Body> Future for NextItem<'_, B>
where
    B::Resume: NextArg,
{
    type Output = Option<B::Yield>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<B::Yield>> {
        Pin::new(&mut *self.get_mut().generator).poll_next(cx)
    }
}

/// The future of [`AsyncGen::resume`]: Python's `asend`, as a [`GeneratorState`].
///
/// It owns its value until the generator's body takes it. See the
/// [cancellation](AsyncGen#cancellation) rules for what a drop before the end does.
#[must_use = "futures do nothing unless awaited: the value is not sent until then"]
pub struct ResumeFuture<'a, B: Body> {
    generator: &'a mut AsyncGen<B>,
    /// The value, until the body takes it.
    value: Option<B::Resume>,
    done: bool,
}

// The value is never pinned.
impl<B: Body> Unpin for ResumeFuture<'_, B> {}

impl<B: Body> ResumeFuture<'_, B> {
    /// Whether the body took the value (or the generator takes no values).
    pub fn is_delivered(&self) -> bool {
        self.value.is_none()
    }

    /// Gives the value back if the body has not taken it, and drops the future (the step it
    /// began, if any, goes on at the next poll of the generator).
    ///
    /// ```
    /// use corogen::prelude::*;
    ///
    /// #[generator(yield = u32, resume = u32)]
    /// async fn echo() {
    ///     let mut x = 0;
    ///     loop {
    ///         x = yield_!(x);
    ///     }
    /// }
    ///
    /// let mut g = echo();
    /// let send = g.resume(7);
    /// assert_eq!(send.into_value(), Some(7)); // never polled
    /// assert_eq!(g.take_undelivered(), None); // handed back, not kept
    /// ```
    pub fn into_value(mut self) -> Option<B::Resume> {
        self.value.take()
    }
}

impl<B: Body> Future for ResumeFuture<'_, B> {
    type Output = GeneratorState<B::Yield, B::Return>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.done, "`ResumeFuture` polled after it completed");
        let poll = Pin::new(&mut *this.generator).poll_resume(cx, &mut this.value);
        this.done = poll.is_ready();
        poll
    }
}

impl<B: Body> Drop for ResumeFuture<'_, B> {
    #[inline]
    fn drop(&mut self) {
        if let Some(value) = self.value.take() {
            self.generator.undelivered = Some(value);
        }
    }
}

impl<B: Body> fmt::Debug for ResumeFuture<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResumeFuture")
            .field("generator", &self.generator)
            .field("delivered", &self.is_delivered())
            .finish_non_exhaustive()
    }
}

/// The future of [`AsyncGen::send`]: Python's `asend`, as `Ok(yielded)` or
/// `Err(StopIteration(returned))`. A [`ResumeFuture`] otherwise.
#[must_use = "futures do nothing unless awaited: the value is not sent until then"]
pub struct SendFuture<'a, B: Body> {
    resume: ResumeFuture<'a, B>,
}

impl<B: Body> SendFuture<'_, B> {
    /// As [`ResumeFuture::is_delivered`].
    pub fn is_delivered(&self) -> bool {
        self.resume.is_delivered()
    }

    /// As [`ResumeFuture::into_value`].
    pub fn into_value(self) -> Option<B::Resume> {
        self.resume.into_value()
    }
}

impl<B: Body> Future for SendFuture<'_, B> {
    type Output = Result<B::Yield, StopIteration<B::Return>>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.get_mut().resume)
            .poll(cx)
            .map(GeneratorState::into_result)
    }
}

impl<B: Body> fmt::Debug for SendFuture<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SendFuture").field(&self.resume).finish()
    }
}

/// The future of [`AsyncGen::throw`]: Python's `athrow`. A [`ResumeFuture`] with `Err(error)`,
/// or, for a generator that had not started, its end at once.
#[must_use = "futures do nothing unless awaited: the error is not thrown until then"]
pub struct ThrowFuture<'a, B: Body> {
    state: ThrowState<'a, B>,
}

enum ThrowState<'a, B: Body> {
    Resume(ResumeFuture<'a, B>),
    /// The generator had not started: it is finished, and the error comes back at once.
    Done(Option<B::Return>),
}

impl<B: Body> Unpin for ThrowFuture<'_, B> {}

impl<B: Body> Future for ThrowFuture<'_, B> {
    type Output = GeneratorState<B::Yield, B::Return>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().state {
            ThrowState::Resume(resume) => Pin::new(resume).poll(cx),
            ThrowState::Done(end) => {
                let Some(end) = end.take() else {
                    panic!("`ThrowFuture` polled after it completed")
                };
                Poll::Ready(GeneratorState::Complete(end))
            }
        }
    }
}

impl<B: Body> fmt::Debug for ThrowFuture<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.state {
            ThrowState::Resume(resume) => f.debug_tuple("ThrowFuture").field(resume).finish(),
            ThrowState::Done(_) => f.write_str("ThrowFuture(<not started: finished>)"),
        }
    }
}

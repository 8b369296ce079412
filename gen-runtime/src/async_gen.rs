//! Async generators (PEP 525): a body with both `.await` and `yield_!`, consumed as a
//! [`Stream`](futures_core::Stream).
//!
//! A yielded value travels as in a plain generator (see `slot.rs`): through a slot on the stack
//! of the call that polls the body, found again through the waker. `poll_next` builds an
//! [`AsyncSlot`] in its own frame, holding room for one yielded value and a reference to the
//! executor's waker (the *outer* waker), and polls the body with a *wrapper* waker whose data
//! pointer is that slot and whose vtable is [`WRAPPER_VTABLE`], a `static` of this module. A
//! yield future polled inside that call checks the vtable by address, moves its value into the
//! slot and returns `Pending` once; `poll_next` then finds the value and returns
//! `Ready(Some(value))`, so the executor is not asked to wake anyone. A `Pending` with an empty
//! slot is a real wait on an awaited future.
//!
//! Nothing points into the generator or at the slot between two polls: the capability `AsyncCo`
//! is zero-sized. Once `poll_next` is inlined into the executor's loop, the optimiser can keep
//! the body's state and the yielded value in registers. (Before, the body held a pointer to a
//! separately allocated header for the yielded value: the state stayed in memory, and every
//! item loaded and stored it.) What stays in memory is the slot's two words, written at each
//! poll (its address escapes whenever an awaited future wakes through the wrapper's vtable, an
//! opaque call), and the awaited futures' own state in the body's box.
//!
//! The futures the body awaits see the wrapper, which forwards to the outer waker:
//!
//! - `wake_by_ref` wakes the outer waker;
//! - `clone` returns a clone of the outer waker itself, so a future that keeps a waker keeps the
//!   executor's, which stays valid after the poll (the slot does not), and wakes the task
//!   directly;
//! - `wake` and `drop` are never reached through the wrapper, which is only ever lent out as
//!   `&Waker` (in the `Context`), never owned nor dropped; `wake` forwards all the same.
//!
//! A wrapper made while the outer waker is itself a wrapper (an async generator polled in the
//! body of another) forwards to that wrapper's outer waker, so chains stay one level deep, and
//! [`outer_waker`] lets the hub see through the wrapper to its task's own waker (its operations
//! then keep their fast path).
//!
//! The trade-off: `Waker::will_wake` between a stored clone (the executor's waker) and the
//! wrapper is false, so a future that caches its waker and compares it at each poll clones it
//! again at each poll from an async generator: a reference count for most executors, an
//! allocation for the hub's borrowed waker. That is accepted because it is paid only by polls
//! that return `Pending` (a real wait, which already costs a wake, a trip through the
//! executor's queue and a re-poll, all dearer than a clone), whereas the pointer the body needed
//! to reach a shared header, the only way to pass the executor's waker through untouched, was
//! paid on every item. Futures that look through the wrapper ([`outer_waker`], as the hub's
//! own operations do) pay nothing.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::ptr;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use alloc::boxed::Box;
use futures_core::{FusedStream, Stream};

use crate::body::{Body, Framed, Marker};

/// The part of every slot that the wrapper's vtable and [`outer_waker`] read without knowing `Y`.
/// Never written while a wrapper waker pointing at it is alive.
#[repr(C)]
struct SlotHead<'w> {
    /// The executor's waker (never itself a wrapper).
    outer: &'w Waker,
}

/// Where a yielded value waits during one `poll_next` call.
#[repr(C)]
struct AsyncSlot<'w, Y> {
    head: SlotHead<'w>,
    yielded: Option<Y>,
}

impl<'w, Y> AsyncSlot<'w, Y> {
    #[inline(always)]
    fn new(outer: &'w Waker) -> Self {
        AsyncSlot {
            head: SlotHead {
                outer: outer_waker(outer),
            },
            yielded: None,
        }
    }

    /// Calls `poll` with a context whose waker is the wrapper leading to this slot.
    #[inline(always)]
    fn poll_with<T>(&mut self, poll: impl FnOnce(&mut Context<'_>) -> Poll<T>) -> Poll<T> {
        let data: *mut Self = self;
        // SAFETY: the functions of WRAPPER_VTABLE uphold `RawWaker`'s contract for a data pointer
        // to a live `AsyncSlot`: they only read its `SlotHead`, which is not written while the
        // waker lives, and which holds a `&Waker` (`Waker` is `Sync`), so they may run on any
        // thread. The waker made here is only lent out, as `&Waker` through the
        // context, for this call, while `self` is alive; clones are clones of the outer waker
        // and point at nothing on this stack.
        let waker = unsafe { Waker::new(data as *const (), &WRAPPER_VTABLE) };
        // Never dropped (its `drop` does nothing): dropping it through the vtable, a `static`
        // opaque to callers, would cost an indirect call per poll and force the slot to memory.
        let waker = ManuallyDrop::new(waker);
        poll(&mut Context::from_waker(&waker))
    }
}

/// The vtable of wrapper wakers. A `static`, so that its address identifies them.
static WRAPPER_VTABLE: RawWakerVTable =
    RawWakerVTable::new(clone_wrapper, wake_wrapper, wake_wrapper, drop_wrapper);

/// # Safety
/// `data` points at the live slot of an enclosing `AsyncSlot::poll_with` call.
#[inline(always)]
unsafe fn head_of<'a>(data: *const ()) -> &'a SlotHead<'a> {
    // SAFETY: the caller's contract; every slot is `repr(C)` and starts with its `SlotHead`,
    // whatever its `Y`, and the head is not written while the wrapper lives.
    unsafe { &*data.cast::<SlotHead<'a>>() }
}

/// # Safety
/// As `head_of`.
unsafe fn clone_wrapper(data: *const ()) -> RawWaker {
    // SAFETY: only `poll_with` makes wakers with WRAPPER_VTABLE, and they are only reachable
    // during that call, so `data` points at its live slot.
    let outer = unsafe { head_of(data) }.outer;
    // The clone's ownership (a reference count, say) moves into the returned `RawWaker`.
    let clone = ManuallyDrop::new(outer.clone());
    RawWaker::new(clone.data(), clone.vtable())
}

/// # Safety
/// As `head_of`.
unsafe fn wake_wrapper(data: *const ()) {
    // SAFETY: as in `clone_wrapper`.
    unsafe { head_of(data) }.outer.wake_by_ref();
}

fn drop_wrapper(_: *const ()) {}

/// The waker `waker` forwards to if it is an async generator's wrapper, else `waker` itself.
///
/// For futures that compare or keep wakers (the hub's): the wrapper wakes and clones as its
/// outer waker does.
#[inline(always)]
pub(crate) fn outer_waker(waker: &Waker) -> &Waker {
    if ptr::eq(waker.vtable(), &WRAPPER_VTABLE) {
        // SAFETY: only `poll_with` makes wakers with WRAPPER_VTABLE, and lends them out only
        // for that call, as `&Waker`: `waker`'s borrow ends before the slot dies, and the outer
        // waker, borrowed by the caller of `poll_next` for the whole call, outlives the slot.
        unsafe { head_of(waker.data()) }.outer
    } else {
        waker
    }
}

/// Finds the yielded-value room of the `poll_next` call polling us, or panics clearly.
#[inline(always)]
fn yielded_in<'cx, Y>(cx: &'cx mut Context<'_>) -> &'cx mut Option<Y> {
    let waker = cx.waker();
    if !ptr::eq(waker.vtable(), &WRAPPER_VTABLE) {
        not_polled_by_poll_next();
    }
    let slot = waker.data().cast_mut().cast::<AsyncSlot<'_, Y>>();
    // SAFETY: only `poll_with` makes wakers with WRAPPER_VTABLE, lent for that call only, so
    // `slot` points at a live slot. It is the slot of this future's own generator, so its type
    // is `AsyncSlot<Y>`: a yield future is polled only by the body of the generator whose
    // `AsyncCo` made it (`AsyncCo::new`'s contract), and that body only by its own `poll_next`,
    // with the context that `poll_with` made; the yield stands directly in the body (the macros
    // reject it in closures, nested async blocks and other macros), so it sees that very
    // context. (Unlike `slot.rs`, no marker is needed: there is no delegation, so one slot
    // serves one body only.) Only `yielded` is borrowed (other threads may read the head
    // through the waker meanwhile), mutably: nothing else touches it during the body's poll,
    // and the borrow ends with `cx`'s, inside that poll. The pointer came from a `*mut` to the
    // slot (`poll_with`).
    unsafe { &mut *ptr::addr_of_mut!((*slot).yielded) }
}

#[cold]
#[inline(never)]
fn not_polled_by_poll_next() -> ! {
    panic!(
        "corogen: an async generator's yield was polled outside its `poll_next` \
         (was the generator's body future polled by another executor?)"
    )
}

/// Marks a type as invariant in `Y` and `M` (a capability or future must never be reused at
/// another type), while staying `Send`, `Sync` and `Unpin` whatever they are.
type Invariant<Y, M> = PhantomData<fn(Y, M) -> (Y, M)>;

/// The capability to yield from an async generator's body. Zero-sized: the slot is found
/// through the waker.
pub struct AsyncCo<Y, M> {
    _types: Invariant<Y, M>,
}

impl<Y, M> Clone for AsyncCo<Y, M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Y, M> Copy for AsyncCo<Y, M> {}

impl<Y, M: Marker> AsyncCo<Y, M> {
    /// Creates the capability.
    ///
    /// # Safety
    /// Every future made from this `AsyncCo` (and its copies) is polled only by the body future
    /// passed with it to `new_async_gen`, with the context that body is polled with (each yield
    /// awaited where it stands in the body), so only inside that generator's `poll_next`, whose
    /// slot holds values of this `Y`.
    #[inline(always)]
    pub const unsafe fn new() -> Self {
        AsyncCo {
            _types: PhantomData,
        }
    }

    /// What `yield_!(value)` expands to in an async generator: the future, awaited at once, that
    /// moves `value` into the slot and suspends the body once so that `poll_next` returns it.
    #[inline(always)]
    pub fn yield_(self, value: Y) -> AsyncYield<Y, M> {
        AsyncYield {
            value: Some(value),
            _types: PhantomData,
        }
    }
}

/// The future behind `yield_!` in an async generator: at its first poll it moves its value into
/// the slot and returns `Pending`; it is `Ready` at the next one.
#[must_use = "a yield does nothing unless awaited"]
pub struct AsyncYield<Y, M> {
    value: Option<Y>,
    _types: Invariant<Y, M>,
}

// The value is moved out, never pinned.
impl<Y, M> Unpin for AsyncYield<Y, M> {}

impl<Y, M: Marker> Future for AsyncYield<Y, M> {
    type Output = ();

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        match this.value.take() {
            Some(value) => {
                let yielded = yielded_in::<Y>(cx);
                // Cannot happen: each `yield_!` is awaited where it stands, so the body returns
                // `Pending` right after this, and `poll_next` empties the slot. Were it to, the
                // first value would be dropped, which is safe.
                debug_assert!(
                    yielded.is_none(),
                    "corogen: two values were yielded in one poll"
                );
                *yielded = Some(value);
                Poll::Pending
            }
            None => Poll::Ready(()),
        }
    }
}

/// Makes the async generator whose body is `future`, which yields through `co`.
///
/// Taking the `AsyncCo` ties the generator's `Y` and `M` to those of the yields in the body.
#[inline]
pub fn new_async_gen<M: Marker, Y, F: Future>(
    co: AsyncCo<Y, M>,
    future: F,
) -> AsyncGen<Framed<M, Y, (), F>> {
    let _ = co;
    AsyncGen {
        body: Some(Box::pin(Framed::new(future))),
        returned: None,
        panicked: false,
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
/// executor's task, and a clone of it is a clone of the executor's own waker (see the module
/// docs on `Waker::will_wake`). An executor whose wakers are not `Send`-safe is no problem
/// either: no waker is created here, and clones are the executor's.
///
/// Dropping it (or [`close`](AsyncGen::close), Python's `aclose()`) runs the body's cleanup, as
/// for [`Gen`](crate::Gen). Python's `asend()`/`athrow()` have no twin: a `Stream` takes no
/// values, so an async generator that must receive values takes a channel receiver as a
/// parameter and awaits it, which also makes the backpressure explicit.
#[must_use = "streams do nothing unless polled"]
pub struct AsyncGen<B: Body> {
    body: Option<Pin<Box<B>>>,
    returned: Option<B::Return>,
    panicked: bool,
}

// Nothing in `AsyncGen` is pinned in place: the body is pinned in its own `Box`.
impl<B: Body> Unpin for AsyncGen<B> {}

// `Send` and `Sync` are the auto traits' own: `Send` when the body and the return value are,
// `Sync` when they are `Sync`. No pointer is kept between polls (yielded values live in the
// stack frame of `poll_next` only, on the thread that polls), so nothing else needs to cross. A
// yielded value is made by the body and handed out on the thread that polls it: a body that
// yields must hold each yield future, and so a value of `B::Yield`, across that yield's
// suspension, hence `B: Send` implies `B::Yield: Send` whenever a value is ever yielded.

impl<B: Body<Resume = ()>> AsyncGen<B> {
    /// The next yielded value: `stream.next().await`, without needing `futures::StreamExt`.
    // An async `next`, as `StreamExt::next`: not `Iterator::next`.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> NextItem<'_, B> {
        NextItem { generator: self }
    }

    /// The return value, once the stream has ended.
    pub fn return_value(&self) -> Option<&B::Return> {
        self.returned.as_ref()
    }

    /// Takes the kept return value out.
    pub fn take_return_value(&mut self) -> Option<B::Return> {
        self.returned.take()
    }

    /// Python's `aclose()`: drops the body now, running its cleanup; the stream then ends.
    pub fn close(&mut self) {
        self.body = None;
    }

    /// `true` once the stream has ended (or was closed).
    pub fn is_finished(&self) -> bool {
        self.body.is_none()
    }
}

impl<B: Body<Resume = ()>> Stream for AsyncGen<B> {
    type Item = B::Yield;

    #[inline]
    #[track_caller]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<B::Yield>> {
        let this = self.get_mut();
        assert!(!this.panicked, "`{}` polled after it panicked", B::NAME);
        let Some(body) = this.body.as_mut() else {
            return Poll::Ready(None);
        };
        // Poisons the generator if the body unwinds; forgotten once the poll returns, so a
        // normal poll stores nothing.
        let mut slot = AsyncSlot::<B::Yield>::new(cx.waker());
        let poison = PoisonOnUnwind(&mut this.panicked);
        let poll = slot.poll_with(|cx| body.as_mut().__poll(cx));
        core::mem::forget(poison);
        match poll {
            Poll::Ready(value) => {
                this.returned = Some(value);
                this.body = None;
                Poll::Ready(None)
            }
            Poll::Pending => match slot.yielded.take() {
                Some(value) => Poll::Ready(Some(value)),
                None => Poll::Pending,
            },
        }
    }
}

/// Sets the flag it points to when dropped: held across the body's poll, it is dropped only if
/// that poll unwinds.
struct PoisonOnUnwind<'a>(&'a mut bool);

impl Drop for PoisonOnUnwind<'_> {
    #[cold]
    fn drop(&mut self) {
        *self.0 = true;
    }
}

impl<B: Body<Resume = ()>> FusedStream for AsyncGen<B> {
    fn is_terminated(&self) -> bool {
        self.body.is_none()
    }
}

impl<B: Body> fmt::Debug for AsyncGen<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncGen")
            .field("name", &B::NAME)
            .field("finished", &self.body.is_none())
            .finish_non_exhaustive()
    }
}

/// The future of [`AsyncGen::next`].
#[must_use = "futures do nothing unless awaited"]
pub struct NextItem<'a, B: Body> {
    generator: &'a mut AsyncGen<B>,
}

impl<B: Body<Resume = ()>> Future for NextItem<'_, B> {
    type Output = Option<B::Yield>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<B::Yield>> {
        Pin::new(&mut *self.get_mut().generator).poll_next(cx)
    }
}

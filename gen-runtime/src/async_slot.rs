//! The async yield slot: how a value gets from a `yield_!` in an async generator's body (or in a
//! generator it delegates to) out of `poll_next`, and how a value sent in gets to the `yield_!`
//! waiting for it, with no allocation and no thread-local.
//!
//! A yielded value travels as in a plain generator (see `slot.rs`): through a slot on the stack
//! of the call that polls the body, found again through the waker. The poll builds a slot in its
//! own frame, holding room for one yielded value and a reference to the executor's waker (the
//! *outer* waker), and polls the body with a *wrapper* waker whose data pointer is that slot and
//! whose vtable is one of two `static`s of this module. A yield future polled inside that call
//! checks the vtable by address and the slot's marker, moves its value into the slot and returns
//! `Pending` once; the poll then finds the value and returns it, so the executor is not asked to
//! wake anyone. A `Pending` with an empty slot is a real wait on an awaited future.
//!
//! # Two slots, three vtables
//!
//! - [`AsyncSlot`]: the outer waker and the yielded value. What a plain `Stream` (an async
//!   generator that takes no values and has no `yield_from!`) polls its own body with, through
//!   [`WRAPPER_VTABLE`]: its items cost the two words written at each poll, as before async
//!   generators could delegate.
//! - [`FullSlot`]: the outer waker, the *marker* of the body being polled, the yielded value,
//!   the value sent in (`arg`), the value that starts a new delegate (`start`) and a delegation
//!   request (`delegate`). What every other poll uses: the outermost poll of a generator that
//!   takes values or delegates, and every body polled on its behalf (its delegates', async or
//!   not). The polls made for a generator that delegates go through [`FULL_WRAPPER_VTABLE`] and
//!   write the marker; a generator that takes values and does not delegate polls its own body,
//!   the one body its slot serves, through [`OWN_FULL_WRAPPER_VTABLE`], with no marker.
//!
//! The futures that read the rest of a `FullSlot` (a `yield_!` that evaluates to the value sent,
//! the first value's binding, `yield_from!`) stand only in bodies that take values or delegate
//! (`Body::TAKES_VALUES`, `Body::DELEGATES`), which are never polled with an `AsyncSlot`
//! ([`AsyncSlot::poll_body`] refuses them), and they accept only the full slots' vtables all the
//! same. A yield that only hands a value out works with any, and finds the value's room by the
//! vtable.
//!
//! # Why a yield future may write into the slot it finds
//!
//! Only [`poll_with_wrapper`] makes wakers with these vtables, and it lends them out only as
//! `&Waker` in the context of one call, during which the slot is live: a future that finds one
//! of the vtables finds a live slot of the kind the vtable says. What remains to show is that it
//! is the slot of the future's own body, so that its `Y` (and `R`) are the future's.
//!
//! - An `AsyncSlot`, and a `FullSlot` reached through [`OWN_FULL_WRAPPER_VTABLE`], serve one
//!   body: their generator's own, polled once by the call that made the wrapper.
//!   A yield future is polled only where it stands, directly in its body (`AsyncCo::new`'s
//!   contract; the macros reject yields in closures, nested async blocks and other macros), so
//!   with the context its body is polled with; and a body is polled only by this crate, each
//!   time with a fresh context made for it. So a future that sees such a slot sees its own
//!   body's, of `B::Yield` (and `B::Resume`), which `new_async_gen` ties to the future's `Y`
//!   (and `R`). (This was the whole argument before delegation, and still holds for a slot that
//!   serves one body.)
//! - The `FullSlot` of a generator that delegates serves several bodies in turn, the
//!   outermost's and its delegates', so "the slot of the poll" is not a type of its own any
//!   more: as in `slot.rs`, every poll of a body writes that body's
//!   marker (the `TypeId` of its expansion's marker type) into the slot, at the same place
//!   whatever its types, just before it makes the waker, and the future checks it. Each
//!   expansion has its own marker type (`AsyncCo::new`'s contract), and the poll function writes
//!   a body's marker only into a slot whose static type is that body's (`FullSlot<B::Yield,
//!   B::Resume>`), so a matching marker means the slot's `Y` and `R` are the future's. Delegates
//!   share the outermost's `Y` and `R` (the bounds of `yield_from!`'s tags), which is what lets
//!   one slot serve them all.
//!
//! Only the fields after the head are borrowed mutably, and only during the body's poll: other
//! threads may read the head's outer waker through the wrapper meanwhile (a waker is `Sync`),
//! and the marker is written only between two body polls, when no wrapper is lent out.
//!
//! # The wrapper waker
//!
//! Nothing points into the generator or at the slot between two polls: the capability `AsyncCo`
//! is zero-sized. Once `poll_next` is inlined into the executor's loop, the optimiser can keep
//! the body's state and the yielded value in registers. What stays in memory is the slot's two
//! words, written at each poll (its address escapes whenever an awaited future wakes through
//! the wrapper's vtable, an opaque call), and the awaited futures' own state in the body's box.
//! (A marker in the plain slot, even unwritten, cost the `stream` benchmark row a store per
//! item: the optimiser widened the slot's initialisation over it.)
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
//! A plain stream polled in the body of another async generator (not as its delegate) gets that
//! generator's wrapper as its outer waker and wraps it in turn: its clones and wakes go through
//! both to the executor's waker (each wrapper's slot is live while it is lent out, as the polls
//! nest), and [`outer_waker`] follows the chain down to the task's own waker, which lets the hub
//! see through the wrappers (its operations then keep their fast path). Only a plain stream's
//! slot keeps a wrapper: looking through it at every poll cost the out-of-line `poll_next` (the
//! `stream-opaque` row) a range check per item, where nesting is rare and costs one forwarding
//! call per wake or clone. A full slot keeps the executor's waker itself (it is made less often,
//! and a `Stream` delegated to with `yield_from!` is polled with it).
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

use core::any::TypeId;
use core::future::Future;
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::pin::Pin;
use core::ptr;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use crate::async_delegate::{AsyncChecked, AsyncRequest};
use crate::body::{Body, Marker};
use crate::protocol::NextArg;

/// The head of every slot: what the wrapper's vtable and [`outer_waker`] read without knowing
/// its types.
#[repr(C)]
struct SlotHead<'w> {
    /// The waker the poll was given: the executor's, or for a plain stream's slot possibly the
    /// wrapper of an enclosing poll (see the module docs). Written once, when the slot is made.
    outer: &'w Waker,
}

/// Where a yielded value waits during one poll of a plain stream's body (see the module docs).
#[repr(C)]
pub(crate) struct AsyncSlot<'w, Y> {
    head: SlotHead<'w>,
    pub(crate) yielded: Option<Y>,
}

/// The head of a full slot: the marker of the body being polled follows the outer waker, at the
/// same place whatever the slot's types.
#[repr(C)]
struct MarkedHead<'w> {
    head: SlotHead<'w>,
    /// Written before each body poll, read by that body's futures.
    marker: MaybeUninit<TypeId>,
}

/// The part of a full slot that a yield which only hands a value out reads: as [`AsyncSlot`],
/// after the marked head.
#[repr(C)]
struct Marked<'w, Y> {
    head: MarkedHead<'w>,
    yielded: Option<Y>,
}

/// Where a yielded value, a value sent in and a delegation request wait during one poll of an
/// async generator that takes values or delegates (see the module docs).
///
/// `pub` only because the hidden methods of `AsyncDelegate` name it; its fields are private.
#[doc(hidden)]
#[repr(C)]
pub struct FullSlot<'w, Y, R> {
    marked: Marked<'w, Y>,
    /// The value offered to the `yield_!` the polled body waits at. Left here when no yield
    /// took it (the body was in the middle of a step): then it was not delivered.
    pub(crate) arg: Option<R>,
    /// Set with `delegate` by a `yield_from!`: the value that starts (or resumes) the new
    /// delegate, `R::next_arg()`.
    pub(crate) start: Option<R>,
    /// Set instead of a yielded value when the body reached a `yield_from!`.
    pub(crate) delegate: Option<AsyncRequest<Y, R>>,
}

impl<'w, Y> AsyncSlot<'w, Y> {
    #[inline(always)]
    pub(crate) fn new(outer: &'w Waker) -> Self {
        // Not `outer_waker(outer)`: a wrapper is kept (see the module docs).
        AsyncSlot {
            head: SlotHead { outer },
            yielded: None,
        }
    }

    /// Polls `body` with a context whose waker is the wrapper leading to this slot, which serves
    /// `body` alone.
    #[inline(always)]
    pub(crate) fn poll_body<B: Body<Yield = Y>>(&mut self, body: Pin<&mut B>) -> Poll<B::Return> {
        // Folded away: the only caller polls these bodies alone. The others' futures read the
        // rest of a `FullSlot`, and their bodies may be polled with the slot of another
        // generator, so they need the marker: this is what keeps them from seeing an
        // `AsyncSlot`.
        assert!(
            !B::TAKES_VALUES && !B::DELEGATES,
            "corogen: a body that takes values or delegates is polled with a full slot"
        );
        let data: *mut Self = self;
        // SAFETY: `data` points at this slot, live for the whole call and reached meanwhile only
        // through the waker; its head is not written during the call.
        unsafe { poll_with_wrapper(data.cast(), WRAPPER_VTABLE, |cx| body.__poll(cx)) }
    }
}

impl<'w, Y, R> FullSlot<'w, Y, R> {
    #[inline(always)]
    pub(crate) fn new(outer: &'w Waker, arg: Option<R>) -> Self {
        FullSlot {
            marked: Marked {
                head: MarkedHead {
                    head: SlotHead {
                        outer: outer_waker(outer),
                    },
                    marker: MaybeUninit::uninit(),
                },
                yielded: None,
            },
            arg,
            start: None,
            delegate: None,
        }
    }

    /// The executor's waker: what a `Stream` delegate is polled with.
    #[inline(always)]
    pub(crate) fn outer(&self) -> &'w Waker {
        self.marked.head.head.outer
    }

    #[inline(always)]
    pub(crate) fn yielded(&mut self) -> &mut Option<Y> {
        &mut self.marked.yielded
    }

    /// Polls `body` with a context whose waker is the wrapper leading to this slot, which serves
    /// `body` during the call (its marker is written first): for the polls of a generator that
    /// delegates, whose slot serves several bodies in turn.
    #[inline(always)]
    pub(crate) fn poll_body<B: Body<Yield = Y, Resume = R>>(
        &mut self,
        body: Pin<&mut B>,
    ) -> Poll<B::Return> {
        self.marked.head.marker = MaybeUninit::new(B::__marker());
        let data: *mut Self = self;
        // SAFETY: as in `AsyncSlot::poll_body`; `data` points at the whole `FullSlot`, whose
        // marker was just written.
        unsafe { poll_with_wrapper(data.cast(), FULL_WRAPPER_VTABLE, |cx| body.__poll(cx)) }
    }

    /// Polls `body`, the one body this slot serves, with no marker: for a generator that takes
    /// values and does not delegate, polling its own body.
    #[inline(always)]
    pub(crate) fn poll_own_body<B: Body<Yield = Y, Resume = R>>(
        &mut self,
        body: Pin<&mut B>,
    ) -> Poll<B::Return> {
        // Folded away: the only caller polls these bodies alone (see `AsyncSlot::poll_body`).
        assert!(
            !B::DELEGATES,
            "corogen: the bodies of a generator that delegates are polled with a marked slot"
        );
        let data: *mut Self = self;
        // SAFETY: as in `AsyncSlot::poll_body`; `data` points at the whole `FullSlot`.
        unsafe { poll_with_wrapper(data.cast(), OWN_FULL_WRAPPER_VTABLE, |cx| body.__poll(cx)) }
    }
}

/// Calls `poll` with a context whose waker is a wrapper with data pointer `data`.
///
/// # Safety
/// `data` points at a live slot, an [`AsyncSlot`] if `vtable` is [`WRAPPER_VTABLE`], a
/// [`FullSlot`] whose marker was written if it is [`FULL_WRAPPER_VTABLE`], a [`FullSlot`] that
/// serves one body if it is [`OWN_FULL_WRAPPER_VTABLE`], for the whole call,
/// which the caller does not touch meanwhile, and whose head is not written during the call.
#[inline(always)]
unsafe fn poll_with_wrapper<T>(
    data: *mut (),
    vtable: &'static RawWakerVTable,
    poll: impl FnOnce(&mut Context<'_>) -> Poll<T>,
) -> Poll<T> {
    // SAFETY: the functions of both vtables uphold `RawWaker`'s contract for a data pointer to
    // a live slot: they only read its head's outer waker, which is not written while the waker
    // lives, and is a `&Waker` (`Waker` is `Sync`), so they may run on any thread. The waker
    // made here is only lent out, as `&Waker` through the context, for this call, while the
    // slot is alive (this function's contract); clones are clones of the outer waker and point
    // at nothing on this stack.
    let waker = unsafe { Waker::new(data as *const (), vtable) };
    // Never dropped (its `drop` does nothing): dropping it through the vtable, a `static`
    // opaque to callers, would cost an indirect call per poll and force the slot to memory.
    let waker = ManuallyDrop::new(waker);
    poll(&mut Context::from_waker(&waker))
}

/// The vtables of wrapper wakers: the same functions at three addresses, one per kind of slot.
/// One `static` array, so that its addresses identify the wrappers and "is this waker a wrapper
/// at all" ([`is_wrapper`], at every poll) is one range check rather than three comparisons.
static WRAPPER_VTABLES: [RawWakerVTable; 3] = [
    RawWakerVTable::new(clone_wrapper, wake_wrapper, wake_wrapper, drop_wrapper),
    RawWakerVTable::new(clone_wrapper, wake_wrapper, wake_wrapper, drop_wrapper),
    RawWakerVTable::new(clone_wrapper, wake_wrapper, wake_wrapper, drop_wrapper),
];

/// The vtable of wrappers leading to an [`AsyncSlot`].
const WRAPPER_VTABLE: &RawWakerVTable = &WRAPPER_VTABLES[0];

/// The vtable of wrappers leading to a [`FullSlot`] that serves several bodies in turn, whose
/// marker says which.
const FULL_WRAPPER_VTABLE: &RawWakerVTable = &WRAPPER_VTABLES[1];

/// The vtable of wrappers leading to a [`FullSlot`] that serves one body (its marker is not
/// written).
const OWN_FULL_WRAPPER_VTABLE: &RawWakerVTable = &WRAPPER_VTABLES[2];

/// Whether `vtable` is one of [`WRAPPER_VTABLES`]: its address within the array's.
#[inline(always)]
fn is_wrapper(vtable: &RawWakerVTable) -> bool {
    let offset = ptr::from_ref(vtable)
        .addr()
        .wrapping_sub(WRAPPER_VTABLES.as_ptr().addr());
    offset < size_of_val(&WRAPPER_VTABLES)
}

/// # Safety
/// `data` points at the live slot of an enclosing `poll_with_wrapper` call.
#[inline(always)]
unsafe fn head_of<'a>(data: *const ()) -> &'a SlotHead<'a> {
    // SAFETY: the caller's contract; every slot is `repr(C)` and starts with its `SlotHead`,
    // whatever its types, and the head is not written while the wrapper lives.
    unsafe { &*data.cast::<SlotHead<'a>>() }
}

/// # Safety
/// As `head_of`.
unsafe fn clone_wrapper(data: *const ()) -> RawWaker {
    // SAFETY: only `poll_with_wrapper` makes wakers with these vtables, and they are only
    // reachable during that call, so `data` points at its live slot.
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

/// The waker `waker` forwards to in the end if it is an async generator's wrapper (the first
/// waker down the chain of wrappers that is not one), else `waker` itself.
///
/// For futures that compare or keep wakers (the hub's): the wrapper wakes and clones as that
/// waker does.
#[inline(always)]
pub(crate) fn outer_waker(mut waker: &Waker) -> &Waker {
    while is_wrapper(waker.vtable()) {
        // SAFETY: only `poll_with_wrapper` makes wakers with these vtables, and lends them out
        // only for that call, as `&Waker`: `waker`'s borrow ends before the slot dies, and the
        // outer waker, borrowed by the caller of the poll for the whole call (the poll that
        // lent it, when it is a wrapper too, encloses this one), outlives the slot.
        waker = unsafe { head_of(waker.data()) }.outer;
    }
    waker
}

/// Checks that `cx` is the context of a poll with a [`FullSlot`] for the body of marker `M` (see
/// the module docs), and returns the slot. Panics clearly otherwise.
#[inline(always)]
fn marked_slot_of<M: 'static>(cx: &Context<'_>) -> *mut () {
    let waker = cx.waker();
    let data = waker.data().cast_mut();
    if ptr::eq(waker.vtable(), OWN_FULL_WRAPPER_VTABLE) {
        // Made by `FullSlot::poll_own_body` for the one body its slot serves: as an
        // `AsyncSlot`'s, it is this future's own body (see the module docs).
        return data;
    }
    if !ptr::eq(waker.vtable(), FULL_WRAPPER_VTABLE) {
        not_polled_by_poll_next();
    }
    // SAFETY: only `poll_with_wrapper` makes wakers with this vtable, lent for that call only,
    // for a live `FullSlot` whose marker was written (its contract), which begins with a
    // `MarkedHead` (`repr(C)`) whatever its types; the marker is not written during the call.
    let marker = unsafe { (*data.cast::<MarkedHead<'_>>()).marker.assume_init() };
    if marker != TypeId::of::<M>() {
        wrong_generator();
    }
    data
}

/// The yielded-value room of the slot of the poll polling a yield of the body of marker `M`.
#[inline(always)]
fn yielded_in<'cx, Y, M: 'static>(cx: &'cx mut Context<'_>) -> &'cx mut Option<Y> {
    let waker = cx.waker();
    if ptr::eq(waker.vtable(), WRAPPER_VTABLE) {
        let slot = waker.data().cast_mut().cast::<AsyncSlot<'_, Y>>();
        // SAFETY: only `AsyncSlot::poll_body` makes wakers with this vtable, lent for that call
        // only, so `slot` points at a live `AsyncSlot`. It is the slot of this future's own
        // body, so its `Y` is this future's: such a slot serves the one body its poll polls, and
        // this future is polled only in its own body (`AsyncCo::new`'s contract), which sees the
        // context of its own poll only (the futures awaited in it are polled with the context
        // they are given; every body poll of this crate makes a fresh one). Only `yielded` is
        // borrowed, mutably: nothing else touches it during the body's poll, and the borrow ends
        // with `cx`'s, inside that poll. The pointer came from a `*mut` to the whole slot.
        return unsafe { &mut *ptr::addr_of_mut!((*slot).yielded) };
    }
    let slot = marked_slot_of::<M>(cx).cast::<Marked<'_, Y>>();
    // SAFETY: `marked_slot_of` checked the vtable (and the marker, for a slot that serves
    // several bodies), so `slot` points at the live `FullSlot` of this future's own body, whose
    // `Y` is this future's (see the module docs), and which begins with a `Marked<Y>`
    // (`repr(C)`). Borrowed as above.
    unsafe { &mut *ptr::addr_of_mut!((*slot).yielded) }
}

/// The full slot of the poll polling a future of the body of marker `M` that reads its rest.
#[inline(always)]
fn full_slot_in<Y, R, M: 'static>(cx: &Context<'_>) -> *mut FullSlot<'static, Y, R> {
    // The `'static` is never used: the head is not read through this pointer.
    marked_slot_of::<M>(cx).cast()
}

#[cold]
#[inline(never)]
fn not_polled_by_poll_next() -> ! {
    panic!(
        "corogen: an async generator's yield was polled outside its generator's poll \
         (was the generator's body future polled by another executor?)"
    )
}

#[cold]
#[inline(never)]
fn wrong_generator() -> ! {
    panic!("corogen: a yield of one async generator was polled by another generator's poll")
}

#[cold]
#[inline(never)]
fn no_value_sent() -> ! {
    panic!(
        "corogen: an async generator waiting at a `yield_!` for a value was polled without one \
         (`AsyncGenerator::poll_resume` with `None`)"
    )
}

#[cold]
#[inline(never)]
fn slot_full() -> ! {
    panic!("corogen: two values were yielded in one poll; a generator yields one value at a time")
}

/// Marks a type as invariant in `Y`, `M` and `R` (a capability or future must never be reused
/// at another type), while staying `Send`, `Sync` and `Unpin` whatever they are.
type Invariant<Y, M, R> = PhantomData<fn(Y, M, R) -> (Y, M, R)>;

/// The capability to yield from an async generator's body. Zero-sized: the slot is found
/// through the waker.
pub struct AsyncCo<Y, M, R = ()> {
    _types: Invariant<Y, M, R>,
}

impl<Y, M, R> Clone for AsyncCo<Y, M, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Y, M, R> Copy for AsyncCo<Y, M, R> {}

impl<Y, M: Marker, R> AsyncCo<Y, M, R> {
    /// Creates the capability.
    ///
    /// # Safety
    /// - Every future made from this `AsyncCo` (and its copies) is polled only by the body
    ///   future passed with it to `new_async_gen`, with the context that body is polled with
    ///   (each awaited where it stands in the body).
    /// - `M` is a type declared by this one expansion and used by no other `AsyncCo`.
    /// - [`yield_taking`](Self::yield_taking) and [`first_arg`](Self::first_arg) are used only
    ///   if `M::TAKES_VALUES`, [`delegate`](Self::delegate) only if `M::DELEGATES` (both false:
    ///   only [`yield_`](Self::yield_)).
    #[inline(always)]
    pub const unsafe fn new() -> Self {
        AsyncCo {
            _types: PhantomData,
        }
    }

    /// What `yield_!(value)` expands to in an async generator that takes no values: the future,
    /// awaited at once, that moves `value` into the slot and suspends the body once so that the
    /// poll returns it.
    #[inline(always)]
    pub fn yield_(self, value: Y) -> AsyncYield<Y, M> {
        AsyncYield {
            value: Some(value),
            _types: PhantomData,
        }
    }

    /// What `yield_!(value)` expands to in an async generator that takes values (`resume =
    /// R`): as [`yield_`](Self::yield_), and then evaluates to the value sent in.
    #[inline(always)]
    pub fn yield_taking(self, value: Y) -> AsyncYieldTaking<Y, M, R> {
        AsyncYieldTaking {
            value: Some(value),
            _types: PhantomData,
        }
    }

    /// The future that takes the value of the first resume, at the top of a body that takes
    /// values (bound by `resume = R as name`, else dropped): ready at once.
    #[inline(always)]
    pub fn first_arg(self) -> AsyncFirstArg<Y, M, R> {
        AsyncFirstArg {
            _types: PhantomData,
        }
    }

    /// The future behind `yield_from!`: suspends this body until the delegate in `delegate` (the
    /// `yield_from!` local) has completed, while the outermost generator polls it directly.
    #[inline(always)]
    pub fn delegate<'d, D: 'd>(
        self,
        delegate: &'d mut AsyncChecked<D, Y, R>,
    ) -> AsyncDelegateFuture<'d, D, Y, M, R>
    where
        R: NextArg,
    {
        AsyncDelegateFuture {
            delegate: Some(delegate),
            _types: PhantomData,
        }
    }
}

/// The future behind `yield_!` in an async generator that takes no values: at its first poll it
/// moves its value into the slot and returns `Pending`; it is `Ready` at the next one.
#[must_use = "a yield does nothing unless awaited"]
pub struct AsyncYield<Y, M> {
    value: Option<Y>,
    _types: Invariant<Y, M, ()>,
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
                let yielded = yielded_in::<Y, M>(cx);
                // Cannot happen: each `yield_!` is awaited where it stands, so the body returns
                // `Pending` right after this, and the poll empties the slot. Were it to, the
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

/// The future behind `yield_!` in an async generator that takes values: as [`AsyncYield`], and
/// at its second poll it takes the value the poll offers (the value sent in) and is `Ready`
/// with it.
#[must_use = "a yield does nothing unless awaited"]
pub struct AsyncYieldTaking<Y, M, R> {
    value: Option<Y>,
    _types: Invariant<Y, M, R>,
}

impl<Y, M, R> Unpin for AsyncYieldTaking<Y, M, R> {}

impl<Y, M: Marker, R> Future for AsyncYieldTaking<Y, M, R> {
    type Output = R;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<R> {
        let this = self.get_mut();
        match this.value.take() {
            Some(value) => {
                let yielded = yielded_in::<Y, M>(cx);
                debug_assert!(
                    yielded.is_none(),
                    "corogen: two values were yielded in one poll"
                );
                *yielded = Some(value);
                Poll::Pending
            }
            None => {
                let slot = full_slot_in::<Y, R, M>(cx);
                // SAFETY: `full_slot_in` checked the full vtable and the marker: `slot` points at
                // the live `FullSlot` of this future's own body, of its `Y` and `R` (see the
                // module docs). Only `arg` is borrowed, for this statement.
                match unsafe { (*ptr::addr_of_mut!((*slot).arg)).take() } {
                    Some(arg) => Poll::Ready(arg),
                    None => no_value_sent(),
                }
            }
        }
    }
}

/// The future that takes the first resume's value at the top of a body that takes values.
#[must_use = "futures do nothing unless awaited"]
pub struct AsyncFirstArg<Y, M, R> {
    _types: Invariant<Y, M, R>,
}

impl<Y, M, R> Unpin for AsyncFirstArg<Y, M, R> {}

impl<Y, M: Marker, R> Future for AsyncFirstArg<Y, M, R> {
    type Output = R;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<R> {
        let slot = full_slot_in::<Y, R, M>(cx);
        // SAFETY: as in `AsyncYieldTaking::poll`.
        match unsafe { (*ptr::addr_of_mut!((*slot).arg)).take() } {
            Some(arg) => Poll::Ready(arg),
            None => no_value_sent(),
        }
    }
}

/// The future behind `yield_from!` in an async generator.
#[must_use = "a delegation does nothing unless awaited"]
pub struct AsyncDelegateFuture<'d, D, Y, M, R> {
    /// Taken at the first poll, when the request is made.
    delegate: Option<&'d mut AsyncChecked<D, Y, R>>,
    _types: Invariant<Y, M, R>,
}

impl<D, Y, M, R> Unpin for AsyncDelegateFuture<'_, D, Y, M, R> {}

impl<'d, D: 'd, Y, M: Marker, R: NextArg> Future for AsyncDelegateFuture<'d, D, Y, M, R> {
    type Output = ();

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        match this.delegate.take() {
            Some(delegate) => {
                let slot = full_slot_in::<Y, R, M>(cx);
                // SAFETY: as in `AsyncYieldTaking::poll`; the fields after the head are borrowed
                // for this block only, and nothing else touches them during the body's poll.
                unsafe {
                    let yielded = &mut *ptr::addr_of_mut!((*slot).marked.yielded);
                    let request = &mut *ptr::addr_of_mut!((*slot).delegate);
                    if yielded.is_some() || request.is_some() {
                        slot_full();
                    }
                    // The request points at `delegate`, the `yield_from!` local of the body being
                    // polled, which is pinned and stays suspended here until the request is
                    // popped (see `delegate.rs`). The `&'d mut` borrow is consumed here, so the
                    // request is the only way to reach the delegate meanwhile.
                    *request = Some(delegate.request_async());
                    // The delegate starts (or goes on) as Python's `next()` would resume it. The
                    // value this poll offers, if this body did not take it, stays in `arg`.
                    *ptr::addr_of_mut!((*slot).start) = Some(R::next_arg());
                }
                Poll::Pending
            }
            None => Poll::Ready(()),
        }
    }
}

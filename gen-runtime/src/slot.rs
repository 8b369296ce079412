//! The yield slot: how a value gets from a `yield_!` inside the body future to the caller of
//! `resume`, with no allocation, no `Rc`, no thread-local.
//!
//! `Gen::resume` builds a [`Slot`] in its own stack frame, makes a [`Waker`] whose data pointer is
//! the slot's address and whose vtable is the one [`SLOT_VTABLE`] static, and polls the body once
//! with it. A [`YieldFuture`] polled inside that call finds the slot again through
//! `cx.waker().data()`, after checking two things:
//!
//! 1. the waker's vtable is `SLOT_VTABLE`, compared by address (only [`Slot::poll_with`] makes a
//!    waker with it; clones get a no-op vtable, so a waker that escaped the poll never leads back
//!    to a dead slot);
//! 2. the slot's marker is the `TypeId` of the marker type of the generator expansion that made the
//!    future, so a future from one generator can never write into the slot of another.
//!
//! Given both, the slot is a live `Slot<Y, R>` for the future's own `Y` and `R`: the `Co` capability
//! that creates yield futures of marker `M` is only made by generated code, for the one `Gen` that
//! polls it (see `Co::new`'s contract).

use crate::delegate::{Checked, DelegateRequest};
use crate::protocol::NextArg;
use core::any::TypeId;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::pin::Pin;
use core::ptr;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

/// The part of every slot that can be read without knowing `Y` and `R`.
///
/// The marker is written by [`Slot::poll_with`] just before each poll, and read only during one:
/// one slot serves several bodies in turn when a generator delegates, and writing it when the
/// slot is made as well would cost every resume a store for nothing.
#[repr(C)]
struct SlotHeader {
    marker: MaybeUninit<TypeId>,
}

/// Where a yielded value and a resume argument wait during one `resume` call.
///
/// Invariant: at most one of the two directions is used per poll: the body either takes `arg`
/// (a yield future finishing, or the first-argument binding) and/or stores one value in `yielded`
/// before returning `Pending`.
///
/// While a generator delegates, the outermost `resume`'s one slot serves every body it polls in
/// turn (its own and its delegates'): before each poll the header is set to the marker of the
/// body about to be polled ([`Slot::poll_with`]), so each body's yields still find a slot of
/// their own marker, and all of them share `Y` and `R`.
///
/// `pub` only because the hidden methods of `Delegate` name it; its fields are private.
#[doc(hidden)]
#[repr(C)]
pub struct Slot<Y, R> {
    header: SlotHeader,
    pub(crate) yielded: Option<Y>,
    pub(crate) arg: Option<R>,
    /// Set instead of `yielded` when the body reached a `yield_from!`.
    pub(crate) delegate: Option<DelegateRequest<Y, R>>,
}

impl<Y, R> Slot<Y, R> {
    #[inline(always)]
    pub(crate) fn new(arg: R) -> Self {
        Slot {
            header: SlotHeader {
                marker: MaybeUninit::uninit(),
            },
            yielded: None,
            arg: Some(arg),
            delegate: None,
        }
    }

    /// Calls `poll` with a context whose waker leads to this slot, which serves the body whose
    /// marker is `marker` during the call (see the type's docs).
    #[inline(always)]
    pub(crate) fn poll_with<T>(
        &mut self,
        marker: TypeId,
        poll: impl FnOnce(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        self.header.marker = MaybeUninit::new(marker);
        let data: *mut Self = self;
        // SAFETY: every function of SLOT_VTABLE accepts any data pointer: `clone` returns a no-op
        // waker without reading it and the others do nothing. The pointer is dereferenced only by
        // `slot_in`, after it checked the vtable, while this call (and so `self`) is live.
        let waker = unsafe { Waker::new(data as *const (), &SLOT_VTABLE) };
        // Never dropped: its `drop` is `noop`, and calling it through the vtable (a `static` of
        // this crate, opaque to callers without LTO) would cost an indirect call per resume and
        // force the slot out of registers.
        let waker = core::mem::ManuallyDrop::new(waker);
        poll(&mut Context::from_waker(&waker))
    }

    #[inline(always)]
    pub(crate) fn take_yielded(&mut self) -> Option<Y> {
        self.yielded.take()
    }

    #[cfg(feature = "alloc")]
    #[inline(always)]
    pub(crate) fn take_delegate(&mut self) -> Option<DelegateRequest<Y, R>> {
        self.delegate.take()
    }
}

/// The vtable of slot wakers. A `static`, so that its address identifies them.
static SLOT_VTABLE: RawWakerVTable = RawWakerVTable::new(clone_slot_waker, noop, noop, noop);

/// Clones never carry the slot pointer: a clone may outlive the `resume` call.
static NOOP_VTABLE: RawWakerVTable = RawWakerVTable::new(clone_noop_waker, noop, noop, noop);

fn clone_slot_waker(_: *const ()) -> RawWaker {
    RawWaker::new(ptr::null(), &NOOP_VTABLE)
}

fn clone_noop_waker(_: *const ()) -> RawWaker {
    RawWaker::new(ptr::null(), &NOOP_VTABLE)
}

fn noop(_: *const ()) {}

/// Finds the slot of the `resume` call that is polling us, or panics with a clear message.
#[inline(always)]
fn slot_in<'cx, Y, R>(cx: &'cx mut Context<'_>, marker: TypeId) -> &'cx mut Slot<Y, R> {
    let waker = cx.waker();
    if !ptr::eq(waker.vtable(), &SLOT_VTABLE) {
        not_polled_by_resume();
    }
    let data = waker.data() as *mut Slot<Y, R>;
    // SAFETY: only `Slot::poll_with` makes wakers with SLOT_VTABLE, and such a waker lives only
    // during that call (clones get NOOP_VTABLE), so `data` points at a live slot. Every slot is
    // `repr(C)` and starts with a `SlotHeader`, so reading the header is valid whatever its `Y`, `R`.
    let header = unsafe { &*(data as *const SlotHeader) };
    // SAFETY: `poll_with` wrote the marker before it made the waker that led here.
    if unsafe { header.marker.assume_init() } != marker {
        wrong_generator();
    }
    // SAFETY: the marker matches, so this slot was made by the `Gen` whose body was built with the
    // `Co<Y, R, M>` that made this future (`Co::new`'s contract): its type is `Slot<Y, R>`. No other
    // reference to the slot exists during the poll; the returned borrow ends with `cx`'s.
    unsafe { &mut *data }
}

#[cold]
#[inline(never)]
#[track_caller]
fn not_polled_by_resume() -> ! {
    panic!(
        "corogen: a yield was polled outside its generator's `resume` \
         (was the generator's body future polled by another executor?)"
    )
}

#[cold]
#[inline(never)]
fn wrong_generator() -> ! {
    panic!("corogen: a yield of one generator was polled by another generator's `resume`")
}

#[cold]
#[inline(never)]
fn slot_full() -> ! {
    panic!("corogen: two values were yielded in one resume; a generator yields one value at a time")
}

/// Marks a type as invariant in `Y`, `R` and `M` (a `Co` or future must never be reused at
/// another type), while staying `Send`, `Sync` and `Unpin` whatever they are.
pub(crate) type Invariant<Y, R, M> = PhantomData<fn(Y, R, M) -> (Y, R, M)>;

/// The capability to create yield futures for one generator expansion.
///
/// Generated code receives it from [`Co::new`] under a hygienic name the user's code cannot see.
pub struct Co<Y, R, M> {
    _types: Invariant<Y, R, M>,
}

impl<Y, R, M> Clone for Co<Y, R, M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Y, R, M> Copy for Co<Y, R, M> {}

impl<Y, R, M: 'static> Co<Y, R, M> {
    /// Creates the capability.
    ///
    /// # Safety
    /// - Every future made from this `Co` (and its copies) is polled only by the body future that
    ///   is passed with it to `new_gen`, so only by that generator's `resume`.
    /// - `M` is a type declared by this one expansion and used by no other `Co`.
    #[inline(always)]
    pub const unsafe fn new() -> Self {
        Co {
            _types: PhantomData,
        }
    }

    /// The future `yield_!(value)` awaits: yields `value`, then evaluates to the next resume
    /// argument.
    #[inline(always)]
    pub fn yield_(self, value: Y) -> YieldFuture<Y, R, M> {
        YieldFuture {
            value: Some(value),
            _types: PhantomData,
        }
    }

    /// The future behind `yield_from!`: suspends this body until the delegate in `delegate` (the
    /// `yield_from!` local) has completed, while the outermost generator resumes it directly.
    #[inline(always)]
    pub fn delegate<'d, D: 'd>(
        self,
        delegate: &'d mut Checked<D, Y, R>,
    ) -> DelegateFuture<'d, D, Y, R, M>
    where
        R: NextArg,
    {
        DelegateFuture {
            start: Some((delegate, R::next_arg())),
            _types: PhantomData,
        }
    }

    /// The future that reads the argument of the first resume (the `resume = R as name` binding).
    #[inline(always)]
    pub fn first_arg(self) -> YieldFuture<Y, R, M> {
        YieldFuture {
            value: None,
            _types: PhantomData,
        }
    }
}

/// The future behind `yield_!`. Only [`Co`] creates it.
#[must_use = "a yield does nothing unless awaited"]
pub struct YieldFuture<Y, R, M> {
    value: Option<Y>,
    _types: Invariant<Y, R, M>,
}

// The value is moved out, never pinned: pinning a YieldFuture pins nothing inside it.
impl<Y, R, M> Unpin for YieldFuture<Y, R, M> {}

impl<Y, R, M: 'static> core::future::Future for YieldFuture<Y, R, M> {
    type Output = R;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<R> {
        let this = self.get_mut();
        let slot = slot_in::<Y, R>(cx, TypeId::of::<M>());
        match this.value.take() {
            Some(value) => {
                // Cannot happen: a body polls one yield at a time (each `yield_!` is awaited where
                // it stands, and `resume` empties the slot before the next poll). Were it to, the
                // first value would be dropped, which is safe; checked in debug builds only, as
                // the test costs every item of a delegate two instructions.
                debug_assert!(
                    slot.yielded.is_none(),
                    "two values were yielded in one resume"
                );
                slot.yielded = Some(value);
                Poll::Pending
            }
            None => match slot.arg.take() {
                Some(arg) => Poll::Ready(arg),
                None => unreachable!("corogen: every resume carries one argument"),
            },
        }
    }
}

/// The future behind `yield_from!`. Only [`Co`] creates it.
#[must_use = "a delegation does nothing unless awaited"]
pub struct DelegateFuture<'d, D, Y, R, M> {
    /// The delegate and the value that starts it, taken at the first poll, when the request is
    /// made. The value is made here, by `Co::delegate`, so that only that call needs
    /// `R: NextArg`: a resume type without it is one error, at the `yield_from!`.
    start: Option<(&'d mut Checked<D, Y, R>, R)>,
    _types: Invariant<Y, R, M>,
}

impl<D, Y, R, M> Unpin for DelegateFuture<'_, D, Y, R, M> {}

impl<'d, D: 'd, Y, R, M: 'static> core::future::Future for DelegateFuture<'d, D, Y, R, M> {
    type Output = ();

    // Inlined into the body's poll, right after `yield_from!` made its local: the optimiser then
    // knows the local's table, and the request is made with direct, inlined calls.
    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let slot = slot_in::<Y, R>(cx, TypeId::of::<M>());
        match this.start.take() {
            Some((delegate, start)) => {
                if slot.yielded.is_some() || slot.delegate.is_some() {
                    slot_full();
                }
                // The request points at `delegate`, the `yield_from!` local of the body being
                // polled, which is pinned and stays suspended here until the request is popped
                // (before the next poll of this future, or before the body is dropped: see
                // `delegate.rs`). The `&'d mut` borrow is consumed here, so the request is the
                // only way to reach the delegate meanwhile.
                slot.delegate = Some(delegate.request());
                // The delegate starts (or goes on) as Python's `next()` would resume it. What this
                // resume carried was for this body, which did not take it: it is dropped.
                slot.arg = Some(start);
                Poll::Pending
            }
            None => Poll::Ready(()),
        }
    }
}

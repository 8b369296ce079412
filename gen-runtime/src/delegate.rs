//! Delegation (`yield_from!`, PEP 380) without re-entering every level: the outermost generator
//! keeps a stack of the generators it is delegating to and resumes the innermost one directly.
//!
//! `yield_from!(sub)` in a body moves `sub` into a local of the body and awaits a
//! [`DelegateFuture`](crate::slot::DelegateFuture) that puts a [`DelegateRequest`] in the slot
//! (a pointer to that local and the resume function monomorphised for its type), puts the value
//! that starts the delegate (`R::next_arg()`) in the slot's argument, and returns `Pending`. The
//! `Gen` that polled the body sees the request instead of a yielded value: if it is the outermost
//! generator it pushes the request on its stack and resumes it; if it is itself a delegate, it
//! hands the request up to the outermost one. From then on every resume goes straight to the top
//! of the stack, whatever the depth: one indirect call to the delegate's resume function, which
//! polls the delegate's body with the outermost resume's own slot (its marker set to the
//! delegate's first, see [`Slot`]). When the top completes it is popped, and its parent (suspended
//! at the `DelegateFuture`) is polled: the future completes without reading the slot's argument,
//! and `yield_from!` reads the sub-generator's return value from the local.
//!
//! A generator delegated to by value (the common case: `yield_from!(sub())`) is checked once,
//! when its request is made, and then resumed with no status check or update until it completes:
//! nothing but its request can reach it meanwhile, and should it panic, the outermost generator
//! is poisoned and never resumes it again. A generator delegated to through `&mut` outlives the
//! delegation, so it keeps its status right at every resume (it may be resumed on its own after
//! the delegating generator was dropped, or report that it panicked).
//!
//! Why the pointers stay valid: the local lives in the parent's body state, which is pinned in the
//! parent's heap block (`BodyBox`: never moved, and given back to a free list only after the body
//! was dropped in place) and is not touched while the parent is suspended at that await. A parent is
//! resumed only after its child was popped, and a body is dropped (by `drop` or `close`) only after
//! the stack was cleared. A panic poisons the outermost generator, which then never reads its stack
//! again. The resume function was chosen, by the type, when the request was made from a `&mut` to
//! that very local, so the erased pointer is always read back as the type it was made from.

use crate::slot::{Co, Slot};
#[cfg(feature = "alloc")]
use crate::{body::Body, generator::Gen};
use core::marker::PhantomData;
use core::ptr::NonNull;

/// What one resume of a delegate (or of the outermost body) left in the slot.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Progress {
    /// A value waits in the slot's `yielded`.
    Yielded,
    /// It reached a `yield_from!` of its own: a request waits in the slot's `delegate`, and the
    /// slot's `arg` holds the value that starts the new delegate.
    Delegated,
    /// It finished; its return value (if any) is kept in it for `yield_from!` to take.
    Completed,
}

/// Something `yield_from!` can delegate to: a generator or an iterator. Only this crate
/// implements it.
pub trait Delegate<Y, R> {
    /// Resumes the delegate once with the slot's `arg`, leaving what it did in the slot.
    #[doc(hidden)]
    fn __resume(&mut self, slot: &mut Slot<Y, R>) -> Progress;

    /// The request that lets the outermost generator resume this delegate directly.
    #[doc(hidden)]
    fn __request(&mut self) -> DelegateRequest<Y, R>;

    /// The request for a delegate reached through `&mut`: it outlives the delegation, so it
    /// must be left in a state it can be resumed from directly afterwards.
    #[doc(hidden)]
    #[inline(always)]
    fn __request_borrowed(&mut self) -> DelegateRequest<Y, R> {
        self.__request()
    }
}

/// How a request resumes its delegate: a function monomorphised for the delegate's type, called
/// with the erased pointer to it.
type ResumeFn<Y, R> = unsafe fn(NonNull<()>, &mut Slot<Y, R>) -> Progress;

/// A pointer to a delegate living in a suspended parent's state, with the function that resumes
/// it (monomorphised for its type: one indirect call per resume, with the delegate's whole
/// resume, body poll included, inlined behind it).
pub struct DelegateRequest<Y, R> {
    target: NonNull<()>,
    resume: ResumeFn<Y, R>,
}

// SAFETY: a request points into the body of the generator that holds it (directly or through
// nested delegates' bodies, which that body owns). `Gen` is `Send`/`Sync` only when its body is,
// so sending or sharing a `Gen` with requests sends or shares nothing its body does not already.
// Requests are dereferenced only through `&mut Gen`.
unsafe impl<Y, R> Send for DelegateRequest<Y, R> {}
// SAFETY: as above; `&DelegateRequest` gives no access to the delegate.
unsafe impl<Y, R> Sync for DelegateRequest<Y, R> {}

/// The `ResumeFn` of delegates of type `D`.
///
/// # Safety
/// `target` points at a live `D` that nothing else accesses during the call.
unsafe fn resume_erased<D: Delegate<Y, R>, Y, R>(
    target: NonNull<()>,
    slot: &mut Slot<Y, R>,
) -> Progress {
    // SAFETY: per this function's contract.
    unsafe { target.cast::<D>().as_mut() }.__resume(slot)
}

#[cfg(feature = "alloc")]
/// The `ResumeFn` of an owned generator that was resumable when its delegation began (see
/// [`Gen`'s `__request`](Delegate::__request)): it polls the body with no check and no status
/// update, and it is the one function that polls bodies of type `B` on behalf of another
/// generator (the outermost body and `&mut` delegates call it too), so the optimiser inlines the
/// body's poll there and nowhere else.
///
/// # Safety
/// `target` points at a live `Gen<B>` that nothing else accesses during the call, and for which
/// `can_run_delegated()` held when its delegation began (see [`Gen::poll_delegated`]).
#[inline(never)]
unsafe fn resume_delegated_erased<B: Body>(
    target: NonNull<()>,
    slot: &mut Slot<B::Yield, B::Resume>,
) -> Progress {
    // SAFETY: per this function's contract.
    unsafe { target.cast::<Gen<B>>().as_mut().poll_delegated(slot) }
}

#[cfg(feature = "alloc")]
/// Polls `generator`'s body once with `slot`, through [`resume_delegated_erased`].
///
/// # Safety
/// As [`Gen::poll_delegated`].
#[inline(always)]
pub(crate) unsafe fn resume_delegated<B: Body>(
    generator: &mut Gen<B>,
    slot: &mut Slot<B::Yield, B::Resume>,
) -> Progress {
    // SAFETY: the pointer comes from a `&mut Gen<B>`, borrowed for the whole call; the rest is
    // this function's contract.
    unsafe { resume_delegated_erased::<B>(NonNull::from(generator).cast(), slot) }
}

impl<Y, R> DelegateRequest<Y, R> {
    /// A request for `delegate`. Making one is safe; resuming through it is not (see
    /// [`resume`](Self::resume)).
    #[inline(always)]
    fn to<D: Delegate<Y, R>>(delegate: &mut D) -> Self {
        DelegateRequest {
            target: NonNull::from(delegate).cast(),
            resume: resume_erased::<D, Y, R>,
        }
    }

    /// Resumes the delegate with the slot's `arg`.
    ///
    /// # Safety
    /// The delegate is still live and reached only through this request: the request is the top
    /// of the stack of the generator being resumed, everything above it was popped, and its
    /// parent chain is suspended at the `yield_from!`s that pushed the entries below (see the
    /// module docs). A `yield_from!` makes a request only from a `&mut` to its own local, which
    /// it does not touch again until the request is popped.
    #[inline(always)]
    pub(crate) unsafe fn resume(&self, slot: &mut Slot<Y, R>) -> Progress {
        // SAFETY: `resume` was made for the type `target` points at (`to`), and the pointer is
        // valid and unaliased per this function's contract.
        unsafe { (self.resume)(self.target, slot) }
    }
}

#[cfg(feature = "alloc")]
impl<B: Body> Delegate<B::Yield, B::Resume> for Gen<B> {
    #[inline(always)]
    fn __resume(&mut self, slot: &mut Slot<B::Yield, B::Resume>) -> Progress {
        self.resume_in_slot(slot)
    }

    /// An owned generator (a `yield_from!` local) is only reachable through its request until
    /// the delegation ends, and after that only to take its return value and drop it. So if it
    /// can run as a delegate now, it is resumed with no status check or update at all (the
    /// checks are done once, here): should it panic, the outermost generator is poisoned and
    /// never resumes it again, and its own status is never looked at before it is dropped.
    #[inline(always)]
    fn __request(&mut self) -> DelegateRequest<B::Yield, B::Resume> {
        if self.can_run_delegated() {
            DelegateRequest {
                target: NonNull::from(self).cast(),
                resume: resume_delegated_erased::<B>,
            }
        } else {
            DelegateRequest::to(self)
        }
    }

    /// A borrowed generator is resumed through [`Gen::resume_in_slot`], which keeps its status
    /// right at each step: it may be resumed directly once the delegation is over (or given up).
    #[inline(always)]
    fn __request_borrowed(&mut self) -> DelegateRequest<B::Yield, B::Resume> {
        DelegateRequest::to(self)
    }
}

impl<Y, R, D: Delegate<Y, R> + ?Sized> Delegate<Y, R> for &mut D {
    #[inline(always)]
    fn __resume(&mut self, slot: &mut Slot<Y, R>) -> Progress {
        (**self).__resume(slot)
    }

    /// Points at the delegate itself, not at this reference: one load less per resume.
    #[inline(always)]
    fn __request(&mut self) -> DelegateRequest<Y, R> {
        (**self).__request_borrowed()
    }
}

/// Delegation to a plain iterator (`yield from iterable`): values sent while it runs are
/// dropped, as an iterator has no way to receive them.
pub struct IterDelegate<I>(pub(crate) I);

impl<I: Iterator, R> Delegate<I::Item, R> for IterDelegate<I> {
    #[inline(always)]
    fn __resume(&mut self, slot: &mut Slot<I::Item, R>) -> Progress {
        slot.arg = None;
        match self.0.next() {
            Some(item) => {
                slot.yielded = Some(item);
                Progress::Yielded
            }
            None => Progress::Completed,
        }
    }

    #[inline(always)]
    fn __request(&mut self) -> DelegateRequest<I::Item, R> {
        DelegateRequest::to(self)
    }
}

/// What `yield_from!` evaluates to once its delegate completed.
pub trait Finish {
    /// The value of the `yield_from!` expression.
    type Output;
    /// Takes the delegate's result out. The delegate itself is dropped where it lies, at the end
    /// of the `yield_from!` block: taking it by value would copy it out of the suspended body.
    fn finish(&mut self) -> Self::Output;
}

#[cfg(feature = "alloc")]
impl<B: Body> Finish for Gen<B> {
    type Output = B::Return;
    #[inline]
    fn finish(&mut self) -> B::Return {
        self.take_return_value()
            .unwrap_or_else(|| already_finished(B::NAME))
    }
}

#[cfg(feature = "alloc")]
impl<B: Body> Finish for &mut Gen<B> {
    type Output = B::Return;
    #[inline]
    fn finish(&mut self) -> B::Return {
        self.take_return_value()
            .unwrap_or_else(|| already_finished(B::NAME))
    }
}

impl<I> Finish for IterDelegate<I> {
    type Output = ();
    #[inline(always)]
    fn finish(&mut self) {}
}

#[cfg(feature = "alloc")]
#[cold]
#[track_caller]
fn already_finished(name: &str) -> ! {
    panic!(
        "`yield_from!` delegated to `{name}`, which had already finished and handed out its return value"
    )
}

/// Picks how `yield_from!` delegates, by method resolution on the argument's type (the tag
/// technique of `anyhow!`): `(&value).__corogen_kind()` finds [`GenKind`] for a `Gen` (or
/// `&mut Gen`) and otherwise falls back to [`IterKind`], whatever the type; the tag's `delegate`
/// then takes the value. A value that is neither fails the bound of `IterTag::delegate`, whose
/// message says what `yield_from!` accepts.
pub trait GenKind {
    /// The tag for generators.
    #[inline(always)]
    fn __corogen_kind(&self) -> GenTag {
        GenTag
    }
}

#[cfg(feature = "alloc")]
impl<B: Body> GenKind for Gen<B> {}
#[cfg(feature = "alloc")]
impl<B: Body> GenKind for &mut Gen<B> {}

/// The fallback of [`GenKind`]: anything else is treated as an iterable.
pub trait IterKind {
    /// The tag for iterables.
    #[inline(always)]
    fn __corogen_kind(&self) -> IterTag {
        IterTag
    }
}

impl<T> IterKind for &T {}

/// Delegation to a generator: resumed directly; its return value is the result.
pub struct GenTag;

impl GenTag {
    /// Checks that `generator` yields and takes what this generator does (reported here, at
    /// the argument) and wraps it so that nothing later can fail again on the same mistake.
    #[inline(always)]
    pub fn delegate<Y, R, M, G>(self, _co: Co<Y, R, M>, generator: G) -> Checked<G, Y, R>
    where
        G: Delegate<Y, R> + Finish,
    {
        Checked {
            delegate: generator,
            request: G::__request,
            _types: PhantomData,
        }
    }
}

/// Delegation to an iterable: iterated; the result is `()`.
pub struct IterTag;

impl IterTag {
    /// As [`GenTag::delegate`], for an iterable of the yield type.
    #[inline(always)]
    pub fn delegate<Y, R, M, I>(
        self,
        _co: Co<Y, R, M>,
        iterable: I,
    ) -> Checked<IterDelegate<I::IntoIter>, Y, R>
    where
        I: IntoIterator<Item = Y>,
    {
        Checked {
            delegate: IterDelegate(iterable.into_iter()),
            request: <IterDelegate<I::IntoIter> as Delegate<Y, R>>::__request,
            _types: PhantomData,
        }
    }
}

/// A delegate whose bounds were checked when it was made: its `Delegate` impl has no bound of
/// its own (it calls the function captured then), so a mistake in `yield_from!` is reported
/// once, at its argument, and not again where the delegate is used. `Finish` needs no such
/// care: every delegate type implements it without bounds, so it is called directly (an
/// indirect call through a pointer kept in the suspended body would cost one per delegation).
pub struct Checked<D: Finish, Y, R> {
    delegate: D,
    request: fn(&mut D) -> DelegateRequest<Y, R>,
    _types: PhantomData<fn(Y, R)>,
}

impl<D: Finish, Y, R> Delegate<Y, R> for Checked<D, Y, R> {
    #[inline(always)]
    fn __resume(&mut self, slot: &mut Slot<Y, R>) -> Progress {
        let request = (self.request)(&mut self.delegate);
        // SAFETY: the request points at `self.delegate`, borrowed mutably for this call, and is
        // dropped at its end.
        unsafe { request.resume(slot) }
    }

    /// Points at the checked delegate inside, with its own resume function.
    #[inline(always)]
    fn __request(&mut self) -> DelegateRequest<Y, R> {
        (self.request)(&mut self.delegate)
    }
}

impl<D: Finish, Y, R> Finish for Checked<D, Y, R> {
    type Output = D::Output;
    #[inline(always)]
    fn finish(&mut self) -> D::Output {
        self.delegate.finish()
    }
}

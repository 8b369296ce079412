//! Delegation (`yield_from!`, PEP 380) without re-entering every level: the outermost generator
//! keeps a stack of the generators it is delegating to and resumes the innermost one directly.
//!
//! `yield_from!(sub)` in a body moves `sub` into a local of the body and awaits a
//! [`DelegateFuture`](crate::slot::DelegateFuture) that puts a [`DelegateRequest`] (a pointer to
//! that local) in the slot and returns `Pending`. The `Gen` that polled the body sees the request
//! instead of a yielded value: if it is the outermost generator it pushes the pointer on its
//! stack and resumes it; if it is itself a delegate, it hands the request up to the outermost one.
//! From then on every resume goes straight to the top of the stack, whatever the depth. When the
//! top completes it is popped, and its parent (suspended at the `DelegateFuture`) is resumed: the
//! future completes and `yield_from!` reads the sub-generator's return value from the local.
//!
//! Why the pointers stay valid: the local lives in the parent's body state, which is pinned in the
//! parent's `Box` and is not touched while the parent is suspended at that await. A parent is
//! resumed only after its child was popped, and a body is dropped (by `drop` or `close`) only after
//! the stack was cleared. A panic poisons the outermost generator, which then never reads its stack
//! again.

use crate::body::Body;
use crate::generator::Gen;
use crate::protocol::NextArg;
use crate::slot::Co;
use core::ptr::NonNull;

/// What one resume of a delegate did.
pub enum Step<Y, R> {
    Yielded(Y),
    /// It finished; its return value (if any) is kept in it for `yield_from!` to take.
    Completed,
    /// It reached a `yield_from!` of its own: the outermost generator must push this request.
    Delegated(DelegateRequest<Y, R>),
}

/// Something `yield_from!` can delegate to: a generator or an iterator.
pub trait Delegate<Y, R> {
    /// Resumes the delegate with `arg`.
    fn resume_delegate(&mut self, arg: R) -> Step<Y, R>;
}

/// A pointer to a delegate living in a suspended parent's state, plus the value that resumes a
/// generator when no value was sent to it (Python's `next()`, `R::next_arg`).
pub struct DelegateRequest<Y, R> {
    delegate: NonNull<dyn Delegate<Y, R>>,
    pub(crate) filler: fn() -> R,
}

// SAFETY: a request points into the body of the generator that holds it (directly or through
// nested delegates' bodies, which that body owns). `Gen` is `Send`/`Sync` only when its body is,
// so sending or sharing a `Gen` with requests sends or shares nothing its body does not already.
// Requests are dereferenced only through `&mut Gen`.
unsafe impl<Y, R> Send for DelegateRequest<Y, R> {}
// SAFETY: as above; `&DelegateRequest` gives no access to the delegate.
unsafe impl<Y, R> Sync for DelegateRequest<Y, R> {}

impl<Y, R> DelegateRequest<Y, R> {
    /// # Safety
    /// `delegate` must stay valid, and be accessed only through this request, until the request
    /// is dropped: the caller is a `yield_from!` that keeps the delegate in a local of a pinned
    /// body and stays suspended until the delegate has completed or the body is dropped (and a
    /// body is dropped only after the stack holding the request was cleared).
    pub(crate) unsafe fn new<'a>(delegate: &'a mut (dyn Delegate<Y, R> + 'a)) -> Self
    where
        R: NextArg,
    {
        let delegate: NonNull<dyn Delegate<Y, R> + 'a> = NonNull::from(delegate);
        // SAFETY: only the lifetime bound of the trait object changes (same layout); the caller
        // guarantees the pointer is not used after `'a` ends (see `# Safety`).
        let delegate: NonNull<dyn Delegate<Y, R>> = unsafe { core::mem::transmute(delegate) };
        DelegateRequest {
            delegate,
            filler: R::next_arg,
        }
    }

    /// # Safety
    /// The request is on the stack of the generator being resumed, and everything above it has
    /// been popped (its parent chain is suspended, see the module docs).
    #[inline]
    pub(crate) unsafe fn resume(&mut self, arg: R) -> Step<Y, R> {
        // SAFETY: valid and unaliased per `new`'s contract and this function's.
        unsafe { self.delegate.as_mut() }.resume_delegate(arg)
    }
}

impl<B: Body> Delegate<B::Yield, B::Resume> for Gen<B> {
    #[inline]
    fn resume_delegate(&mut self, arg: B::Resume) -> Step<B::Yield, B::Resume> {
        self.resume_as_delegate(arg)
    }
}

impl<Y, R, D: Delegate<Y, R> + ?Sized> Delegate<Y, R> for &mut D {
    #[inline]
    fn resume_delegate(&mut self, arg: R) -> Step<Y, R> {
        (**self).resume_delegate(arg)
    }
}

/// Delegation to a plain iterator (`yield from iterable`): values sent while it runs are
/// dropped, as an iterator has no way to receive them.
pub struct IterDelegate<I>(pub(crate) I);

impl<I: Iterator, R> Delegate<I::Item, R> for IterDelegate<I> {
    #[inline]
    fn resume_delegate(&mut self, _arg: R) -> Step<I::Item, R> {
        match self.0.next() {
            Some(item) => Step::Yielded(item),
            None => Step::Completed,
        }
    }
}

/// What `yield_from!` evaluates to once its delegate completed.
pub trait Finish {
    /// The value of the `yield_from!` expression.
    type Output;
    /// Takes the delegate's result.
    fn finish(self) -> Self::Output;
}

impl<B: Body> Finish for Gen<B> {
    type Output = B::Return;
    fn finish(mut self) -> B::Return {
        self.take_return_value()
            .unwrap_or_else(|| already_finished(B::NAME))
    }
}

impl<B: Body> Finish for &mut Gen<B> {
    type Output = B::Return;
    fn finish(self) -> B::Return {
        self.take_return_value()
            .unwrap_or_else(|| already_finished(B::NAME))
    }
}

impl<I> Finish for IterDelegate<I> {
    type Output = ();
    fn finish(self) {}
}

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

impl<B: Body> GenKind for Gen<B> {}
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
            resume: G::resume_delegate,
            finish: G::finish,
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
            resume: <IterDelegate<I::IntoIter> as Delegate<Y, R>>::resume_delegate,
            finish: Finish::finish,
        }
    }
}

/// A delegate whose bounds were checked when it was made: its trait impls have no bounds of
/// their own (they call the functions captured then), so a mistake in `yield_from!` is reported
/// once, at its argument, and not again where the delegate is used.
pub struct Checked<D: Finish, Y, R> {
    delegate: D,
    resume: fn(&mut D, R) -> Step<Y, R>,
    finish: fn(D) -> D::Output,
}

impl<D: Finish, Y, R> Delegate<Y, R> for Checked<D, Y, R> {
    #[inline(always)]
    fn resume_delegate(&mut self, arg: R) -> Step<Y, R> {
        (self.resume)(&mut self.delegate, arg)
    }
}

impl<D: Finish, Y, R> Finish for Checked<D, Y, R> {
    type Output = D::Output;
    #[inline(always)]
    fn finish(self) -> D::Output {
        (self.finish)(self.delegate)
    }
}

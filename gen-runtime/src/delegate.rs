//! Delegation (`yield_from!`, PEP 380) without re-entering every level: the outermost generator
//! keeps a stack of the generators it is delegating to and resumes the innermost one directly.
//!
//! `yield_from!(sub)` in a body moves `sub` into a local of the body, a [`Checked`] (the delegate,
//! after the table of what can be done with it without knowing its type, [`DelegateOps`]), and
//! awaits a [`DelegateFuture`](crate::slot::DelegateFuture) that puts a [`DelegateRequest`] in the
//! slot (a pointer to the delegate in that local and the resume function monomorphised for its
//! type), puts the value that starts the delegate (`R::next_arg()`) in the slot's argument, and
//! returns `Pending`. The `Gen` that polled the body sees the request instead of a yielded value: if it is the
//! outermost generator it pushes the request on its stack and resumes it; if it is itself a
//! delegate, it hands the request up to the outermost one. From then on every resume goes straight
//! to the top of the stack, whatever the depth: one indirect call to the delegate's resume
//! function, which polls the delegate's body with the outermost resume's own slot (its marker set
//! to the delegate's first, see [`Slot`]). When the top completes it is popped, and its parent
//! (suspended at the `DelegateFuture`) is polled: the future completes without reading the slot's
//! argument, and `yield_from!` reads the sub-generator's return value from the local.
//!
//! A generator delegated to by value (the common case: `yield_from!(sub())`) is checked once,
//! when its request is made, and then resumed with no status check or update until it completes:
//! nothing but its request can reach it meanwhile, and should it panic, the outermost generator
//! is poisoned and never resumes it again. A generator delegated to through `&mut` outlives the
//! delegation, so it keeps its status right at every resume (it may be resumed on its own after
//! the delegating generator was dropped, or report that it panicked).
//!
//! # The end of a delegation that did not finish
//!
//! The entries above a borrowed delegate on the outermost generator's stack are that delegate's
//! own delegation (they point into its body and its delegates' bodies). What happens to them
//! when the outermost generator goes:
//!
//! - **Dropped**: the entries above the lowest borrowed delegate become that delegate's own
//!   stack again, so it goes on alone from where it was (and it is poisoned too if the outermost
//!   generator was: a panic went through it). The entries below it are the outermost
//!   generator's own chain: each owned delegate is dropped in place, top first, then the
//!   outermost body.
//! - **Closed** (`close()`, Python's delegation of `close` to the sub-iterator): every entry,
//!   borrowed delegates included, is closed, top first, then the outermost body.
//!
//! Dropping top first is what keeps both of these iterative and in order: the entry of an owned
//! delegate points at its `Gen`, in the `yield_from!` local inside its parent's body, so dropping
//! that `Gen`'s body in place leaves an empty `Gen` behind, which its parent's body then drops
//! without going deeper.
//! The innermost generator's locals go first, then its parent's, as a chain of `finally:`s would
//! run, and the depth of the chain never reaches the thread's stack. Iterators need nothing: they
//! go with their parent's body, as its innermost local.
//!
//! Should a `Drop` panic on the way, the rest of the chain is still dropped, top first, while
//! the panic unwinds (a second panic aborts, as in any Rust value's drop): nothing is dropped
//! twice, as each body is taken out of its `Gen` before it is dropped, and every entry is popped
//! before it is ended.
//!
//! # Why the pointers stay valid
//!
//! The local lives in the parent's body state, which is pinned in the parent's heap block
//! (`BodyBox`: never moved, and given back to a free list only after the body was dropped in
//! place) and is not touched while the parent is suspended at that await. A parent is resumed only
//! after its child was popped, and a body is dropped only after every entry that points into it
//! was popped: by the end of a delegation (top first, above), or by its `Gen` handing them to a
//! borrowed delegate. A panic poisons the outermost generator, which then never resumes through
//! its stack again; its drop or close only ends the entries, as above (a body whose poll unwound
//! is in its "panicked" state, which drops nothing). The resume function was chosen, by the type,
//! when the request was made from a `&mut` to that very local, so the erased pointer is always
//! read back as the type it was made from.

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
#[diagnostic::on_unimplemented(
    message = "`yield_from!` cannot delegate to `{Self}`: it must yield `{Y}` and take `{R}`, \
               as the generator that delegates does",
    label = "this generator's yield or resume type differs from the delegating one's",
    note = "values sent to the delegating generator go on to the delegate, and its items come \
            back out: both generators need the same `yield =` and `resume =` types"
)]
pub trait Delegate<Y, R>: Sized {
    /// Resumes the delegate once with the slot's `arg`, leaving what it did in the slot.
    #[doc(hidden)]
    fn __resume(&mut self, slot: &mut Slot<Y, R>) -> Progress;

    /// The function that resumes this delegate through a request (which points at it).
    #[doc(hidden)]
    #[inline(always)]
    fn __resume_fn(&mut self) -> ResumeFn<Y, R> {
        resume_erased::<Self, Y, R>
    }

    /// What the end of an unfinished delegation does with this delegate.
    #[doc(hidden)]
    const __HELD: Held;
}

/// How a request resumes its delegate: a function monomorphised for the delegate's type, called
/// with the erased pointer to it.
#[doc(hidden)]
pub type ResumeFn<Y, R> = unsafe fn(NonNull<()>, &mut Slot<Y, R>) -> Progress;

/// A pointer to the delegate of a `yield_from!` local (a [`Checked`]) in a suspended parent's
/// state, with the function that resumes it (monomorphised for its type: one indirect call per
/// resume, with the delegate's whole resume, body poll included, inlined behind it). The word
/// before the delegate holds the local's table ([`Checked::request`] puts it there).
pub type DelegateRequest<Y, R> = Request<ResumeFn<Y, R>>;

/// An entry of a delegation stack: a pointer to the delegate of a `yield_from!` local (a
/// [`Checked`]) and the function `F` that resumes it. A plain generator's stack holds
/// [`DelegateRequest`]s; an async generator's holds `AsyncRequest`s (`async_delegate.rs`), whose
/// function polls instead. Both find the local's table in the word before the delegate.
#[cfg_attr(
    not(feature = "alloc"),
    expect(dead_code, reason = "read by `Gen`'s stack, which needs `alloc`")
)]
pub struct Request<F> {
    pub(crate) target: NonNull<()>,
    pub(crate) resume: F,
}

// SAFETY: a request points into the body of the generator that holds it (directly or through
// nested delegates' bodies, which that body owns, or a borrowed delegate, which it borrows).
// `Gen` and `AsyncGen` are `Send`/`Sync` only when their body is, so sending or sharing one with
// requests sends or shares nothing its body does not already. Requests are dereferenced only
// through `&mut` of the generator that holds them. `F` is a function pointer.
unsafe impl<F> Send for Request<F> {}
// SAFETY: as above; `&Request` gives no access to the delegate.
unsafe impl<F> Sync for Request<F> {}

#[cfg(feature = "alloc")]
impl<Y, R> DelegateRequest<Y, R> {
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
        // SAFETY: `resume` was chosen for the type of the delegate that `target` points at
        // (`request_erased`), and the pointer is valid and unaliased per this function's contract.
        unsafe { (self.resume)(self.target, slot) }
    }
}

#[cfg(feature = "alloc")]
impl<F> Request<F> {
    /// What the end of an unfinished delegation does with this entry's delegate.
    ///
    /// # Safety
    /// The `Checked` the request points at is still live (its parent's body was not dropped).
    #[inline]
    pub(crate) unsafe fn held(&self) -> &'static Held {
        let table = self.target.as_ptr().wrapping_byte_sub(TABLE_BEFORE);
        // SAFETY: every request points at the delegate of a `Checked` (only `Checked::request`
        // makes requests), which put its table in the word before it; the `Checked` is live per
        // this function's contract, and the pointer came from a pointer to all of it.
        unsafe { &(*table.cast::<&'static DelegateOps>()).held }
    }

    /// Ends the delegate of a request popped from the stack of a generator whose life ends (see
    /// the module docs): owned generators are dropped or closed in place, borrowed ones closed
    /// if `end` is [`End::Close`] (and otherwise let go), iterators left to their parent's body.
    ///
    /// # Safety
    /// As [`held`](Self::held); every entry that was above this one on the stack was ended
    /// already, and this one is not used again.
    #[inline]
    pub(crate) unsafe fn end(self, end: End) {
        // SAFETY: per this function's contract.
        match unsafe { self.held() } {
            Held::Iterator => {}
            // SAFETY: the function was made for the type of the `Checked` at `target`, and its
            // own delegation, above it, was ended: per this function's contract.
            Held::Owned(end_owned) => unsafe { end_owned(self.target.as_ptr(), end) },
            Held::Borrowed { close, .. } => {
                if end == End::Close {
                    // SAFETY: as above.
                    unsafe { close(self.target.as_ptr()) }
                }
            }
        }
    }

    /// The erased pointer to the delegate this request points at.
    #[inline]
    pub(crate) fn target(&self) -> *mut () {
        self.target.as_ptr()
    }
}

/// What can be done with a `yield_from!` local without knowing its type: in the word before the
/// delegate of every [`Checked`], so that an entry of a delegation stack, which points at the
/// delegate, leads to it. Free of `Y` and `R` (its functions take erased pointers) so that it can
/// be a `'static` table whatever the generator borrows.
pub struct DelegateOps {
    /// Writes the request for the delegate of type `D` at the first pointer (in a `Checked<D, Y,
    /// R>`) into the `Option<DelegateRequest<Y, R>>` at the second (an `Option<AsyncRequest<Y,
    /// R>>` for the tables of async delegates, which only an async `Checked` holds).
    pub(crate) request: unsafe fn(NonNull<()>, *mut ()),
    #[cfg_attr(
        not(feature = "alloc"),
        expect(dead_code, reason = "read by `Gen`'s stack, which needs `alloc`")
    )]
    pub(crate) held: Held,
}

/// The table of the delegates of type `D`.
struct OpsOf<D, Y, R>(PhantomData<fn(D, Y, R)>);

impl<D: Delegate<Y, R>, Y, R> OpsOf<D, Y, R> {
    const OPS: &'static DelegateOps = &DelegateOps {
        request: request_erased::<D, Y, R>,
        held: D::__HELD,
    };
}

/// What the end of an unfinished delegation (see the module docs) does with a delegate.
#[doc(hidden)]
pub enum Held {
    /// An iterator: nothing; it is dropped with its parent's body.
    Iterator,
    /// A generator the `yield_from!` local owns: its body is dropped (or closed) in place, before
    /// its parent's. The function is given the generator.
    Owned(unsafe fn(*mut (), End)),
    /// A generator reached through `&mut`, which outlives the delegation.
    Borrowed {
        /// Closes it (given the `&mut`, in the `Checked`).
        close: unsafe fn(*mut ()),
        /// Gives it the entries of a stack (a `Vec<DelegateRequest<Y, R>>`, the second pointer)
        /// from the index given on: its own delegation, which becomes its own stack again. It is
        /// poisoned as well if the last argument says the generator that held them was.
        hand_back: unsafe fn(*mut (), *mut (), usize, bool),
    },
}

/// How a generator's life ends before its body finished.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum End {
    /// It is dropped: delegates it borrows go on alone.
    Drop,
    /// It is closed (`close()`): delegates it borrows are closed first.
    Close,
}

/// Ends every entry of a delegation stack, top first (see the module docs): when dropped, the
/// entries above the lowest borrowed delegate are handed back to it (poisoned too if `poisoned`:
/// a panic went through its delegation), and the rest are ended; when closed, all of them are.
/// What `Gen` and `AsyncGen` do with their stacks when their lives end.
///
/// # Safety
/// `stack` is the stack of a generator whose life ends: every entry points at a live `Checked`
/// (the bodies they point into are dropped only after this), and the entries above a borrowed
/// delegate's are that delegate's own delegation, held in the request type its `hand_back`
/// takes.
#[cfg(feature = "alloc")]
#[cold]
#[inline(never)]
pub(crate) unsafe fn end_stack<F>(
    stack: &mut alloc::vec::Vec<Request<F>>,
    end: End,
    poisoned: bool,
) {
    if end == End::Drop {
        // SAFETY: every entry points at a live `Checked` (this function's contract).
        let lowest_borrowed = (stack.iter())
            .position(|entry| matches!(unsafe { entry.held() }, Held::Borrowed { .. }));
        if let Some(lowest) = lowest_borrowed {
            let entry = &stack[lowest];
            // SAFETY: as above.
            let held = unsafe { entry.held() };
            let Held::Borrowed { hand_back, .. } = held else {
                unreachable!("found as borrowed")
            };
            let target = entry.target();
            // SAFETY: `target` is the borrowed delegate of the entry at `lowest`, whose request
            // was made by its own type's table; the entries above it are its own delegation:
            // they point into its body and the bodies of its delegates (this function's
            // contract).
            unsafe {
                hand_back(
                    target,
                    core::ptr::from_mut(stack).cast(),
                    lowest + 1,
                    poisoned,
                )
            };
            // The borrowed delegate itself is only let go: it goes on alone.
            stack.truncate(lowest);
        }
    }
    EndEntries { stack, end }.run();
}

/// Pops and ends the entries of a delegation stack, top first. Should one of them panic (a `Drop`
/// in a body), the rest are still ended while the panic unwinds, as a `Vec` drops the rest of its
/// elements: each is popped before it is ended, so none is ended twice.
#[cfg(feature = "alloc")]
struct EndEntries<'a, F> {
    stack: &'a mut alloc::vec::Vec<Request<F>>,
    end: End,
}

#[cfg(feature = "alloc")]
impl<F> EndEntries<'_, F> {
    fn run(mut self) {
        self.end_rest();
    }

    fn end_rest(&mut self) {
        while let Some(entry) = self.stack.pop() {
            // SAFETY: the entry was the top of the stack: everything above it was ended, and the
            // bodies below, which hold it, are still live (see `end_stack`).
            unsafe { entry.end(self.end) };
        }
    }
}

#[cfg(feature = "alloc")]
impl<F> Drop for EndEntries<'_, F> {
    fn drop(&mut self) {
        self.end_rest();
    }
}

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

/// `DelegateOps::request` for delegates of type `D`.
///
/// # Safety
/// `target` points at a live `D` reached through a `&mut` (to the `Checked` it lies in), and
/// `into` at an `Option<DelegateRequest<Y, R>>`.
#[inline(always)]
unsafe fn request_erased<D: Delegate<Y, R>, Y, R>(target: NonNull<()>, into: *mut ()) {
    // SAFETY: per this function's contract.
    let resume = unsafe { target.cast::<D>().as_mut() }.__resume_fn();
    let request = DelegateRequest { target, resume };
    // SAFETY: per this function's contract.
    unsafe { *into.cast::<Option<DelegateRequest<Y, R>>>() = Some(request) };
}

#[cfg(feature = "alloc")]
/// The `ResumeFn` of an owned generator that was resumable when its delegation began (see
/// [`Gen`'s `__resume_fn`](Delegate::__resume_fn)): it polls the body with no check and no status
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

// `do_not_recommend`: a generator of other types is then reported as not a `Delegate` (the
// message above, at the `yield_from!` argument), not as a mismatch inside this impl.
#[cfg(feature = "alloc")]
#[diagnostic::do_not_recommend]
impl<B: Body<Yield = Y, Resume = R>, Y, R> Delegate<Y, R> for Gen<B> {
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
    fn __resume_fn(&mut self) -> ResumeFn<B::Yield, B::Resume> {
        if self.can_run_delegated() {
            resume_delegated_erased::<B>
        } else {
            resume_erased::<Self, B::Yield, B::Resume>
        }
    }

    const __HELD: Held = Held::Owned(end_owned::<B>);
}

#[cfg(feature = "alloc")]
/// `Held::Owned` for `Gen<B>`: ends it in place.
///
/// # Safety
/// `target` points at a live `Gen<B>`, the delegate of a `Checked` whose request was popped from
/// the stack that held it, and nothing else accesses it during the call.
pub(crate) unsafe fn end_owned<B: Body>(target: *mut (), end: End) {
    // SAFETY: per this function's contract.
    unsafe { (*target.cast::<Gen<B>>()).end(end) };
}

/// A borrowed generator is resumed through [`Gen::resume_in_slot`], which keeps its status right
/// at each step: it may be resumed directly once the delegation is over (or given up).
// `do_not_recommend`: as for `Gen<B>`.
#[cfg(feature = "alloc")]
#[diagnostic::do_not_recommend]
impl<B: Body<Yield = Y, Resume = R>, Y, R> Delegate<Y, R> for &mut Gen<B> {
    #[inline(always)]
    fn __resume(&mut self, slot: &mut Slot<B::Yield, B::Resume>) -> Progress {
        (**self).resume_in_slot(slot)
    }

    const __HELD: Held = Held::Borrowed {
        close: close_borrowed::<B>,
        hand_back: hand_back_borrowed::<B>,
    };
}

#[cfg(feature = "alloc")]
/// The generator the `&mut Gen<B>` at `target` borrows.
///
/// # Safety
/// `target` points at a live `&mut Gen<B>` (the delegate of a `Checked`), and nothing else
/// accesses it or the generator during the lifetime chosen.
#[inline]
unsafe fn borrowed<'a, B: Body>(target: *mut ()) -> &'a mut Gen<B> {
    // SAFETY: per this function's contract.
    unsafe { &mut **target.cast::<&mut Gen<B>>() }
}

#[cfg(feature = "alloc")]
/// `Held::Borrowed::close` for `Gen<B>`.
///
/// # Safety
/// As [`borrowed`]; the request was popped from the stack that held it.
pub(crate) unsafe fn close_borrowed<B: Body>(target: *mut ()) {
    // SAFETY: per this function's contract.
    unsafe { borrowed::<B>(target) }.close();
}

#[cfg(feature = "alloc")]
/// `Held::Borrowed::hand_back` for `Gen<B>`.
///
/// # Safety
/// As [`borrowed`]; `stack` points at the `Vec<DelegateRequest<B::Yield, B::Resume>>` that holds
/// the request for `target` at `from - 1`, and the entries from `from` on are the generator's own
/// delegation (see the module docs).
unsafe fn hand_back_borrowed<B: Body>(
    target: *mut (),
    stack: *mut (),
    from: usize,
    poisoned: bool,
) {
    // SAFETY: per this function's contract.
    let stack =
        unsafe { &mut *stack.cast::<alloc::vec::Vec<DelegateRequest<B::Yield, B::Resume>>>() };
    // SAFETY: per this function's contract.
    unsafe { borrowed::<B>(target) }.take_back(stack.drain(from..), poisoned);
}

/// Delegation to a plain iterator (`yield from iterable`): values sent while it runs are
/// dropped, as an iterator has no way to receive them.
pub struct IterDelegate<I>(pub(crate) I);

// Not listed as a candidate in errors: users never name these types.
#[diagnostic::do_not_recommend]
impl<I: Iterator, R> Delegate<I::Item, R> for IterDelegate<I> {
    #[inline(always)]
    fn __resume(&mut self, slot: &mut Slot<I::Item, R>) -> Progress {
        slot.arg = None;
        next_into(&mut self.0, slot)
    }

    const __HELD: Held = Held::Iterator;
}

/// Steps `iter` into the slot.
#[inline(always)]
fn next_into<I: Iterator, R>(iter: &mut I, slot: &mut Slot<I::Item, R>) -> Progress {
    match iter.next() {
        Some(item) => {
            slot.yielded = Some(item);
            Progress::Yielded
        }
        None => Progress::Completed,
    }
}

/// Delegation to a plain iterator in a generator that can be thrown into (`throw = E`): an error
/// thrown while it runs ends it, and `yield_from!` evaluates to `Err(error)`, as Python raises it
/// in the delegator at once (an iterator has no `throw`). Values sent are dropped, as by
/// [`IterDelegate`].
pub struct IterThrowDelegate<I, E> {
    pub(crate) iter: I,
    pub(crate) thrown: Option<E>,
}

#[cfg(feature = "alloc")]
impl<I, E> IterThrowDelegate<I, E> {
    #[inline(always)]
    pub(crate) fn new(iter: I) -> Self {
        IterThrowDelegate { iter, thrown: None }
    }
}

// Not listed as a candidate in errors: users never name these types.
#[diagnostic::do_not_recommend]
impl<I: Iterator, R, E> Delegate<I::Item, Result<R, E>> for IterThrowDelegate<I, E> {
    #[inline(always)]
    fn __resume(&mut self, slot: &mut Slot<I::Item, Result<R, E>>) -> Progress {
        if let Some(Err(error)) = slot.arg.take() {
            self.thrown = Some(error);
            return Progress::Completed;
        }
        next_into(&mut self.iter, slot)
    }

    const __HELD: Held = Held::Iterator;
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
    #[track_caller]
    fn finish(&mut self) -> B::Return {
        // Not `unwrap_or_else`: a closure would report the panic here, not at the caller.
        match self.take_return_value() {
            Some(value) => value,
            None => already_finished(B::NAME),
        }
    }
}

#[cfg(feature = "alloc")]
impl<B: Body> Finish for &mut Gen<B> {
    type Output = B::Return;
    #[inline]
    #[track_caller]
    fn finish(&mut self) -> B::Return {
        // Not `unwrap_or_else`: a closure would report the panic here, not at the caller.
        match self.take_return_value() {
            Some(value) => value,
            None => already_finished(B::NAME),
        }
    }
}

impl<I> Finish for IterDelegate<I> {
    type Output = ();
    #[inline(always)]
    fn finish(&mut self) {}
}

impl<I, E> Finish for IterThrowDelegate<I, E> {
    type Output = Result<(), E>;
    #[inline(always)]
    fn finish(&mut self) -> Result<(), E> {
        match self.thrown.take() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

#[cfg(feature = "alloc")]
#[cold]
#[track_caller]
pub(crate) fn already_finished(name: &str) -> ! {
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
        Checked::new(generator)
    }

    /// [`delegate`](Self::delegate) in a generator that can be thrown into (`throw = E`): the
    /// same, as a thrown error reaches the sub-generator, whose `Result` return value then carries
    /// it if it does not handle it.
    #[inline(always)]
    pub fn delegate_throwing<Y, R, M, G>(self, _co: Co<Y, R, M>, generator: G) -> Checked<G, Y, R>
    where
        G: Delegate<Y, R> + Finish,
    {
        Checked::new(generator)
    }
}

/// Delegation to an iterable: iterated; the result is `()` (or, in a generator that can be thrown
/// into, `Result<(), E>`).
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
        Checked::new(IterDelegate(iterable.into_iter()))
    }

    /// As [`delegate`](Self::delegate), in a generator that can be thrown into (`throw = E`): an
    /// error thrown while the iterable runs ends it, and `yield_from!` evaluates to `Err(error)`.
    #[inline(always)]
    pub fn delegate_throwing<Y, R, E, M, I>(
        self,
        _co: Co<Y, Result<R, E>, M>,
        iterable: I,
    ) -> Checked<IterThrowDelegate<I::IntoIter, E>, Y, Result<R, E>>
    where
        I: IntoIterator<Item = Y>,
    {
        Checked::new(IterThrowDelegate {
            iter: iterable.into_iter(),
            thrown: None,
        })
    }
}

/// The `yield_from!` local: a delegate whose bounds were checked when it was made, with the table
/// of what can be done with it without knowing its type ([`DelegateOps`], taken then). Nothing
/// that uses it has a bound of its own (it calls through the table), so a mistake in `yield_from!`
/// is reported once, at its argument, and not again where the delegate is used. `Finish` needs no
/// such care: every delegate type implements it without bounds, so it is called directly.
///
/// A request points at the delegate (so that a resume reaches it with no offset to add), and the
/// table is in the word right before it, where the end of an unfinished delegation finds it
/// without knowing the type: `repr(C)`, with a head that is one word (then the table is the head)
/// or, for a delegate aligned to more than a word, as big as the delegate's alignment (then
/// [`request`](Self::request) copies the table into the head's last word).
///
/// `K` says which stack its requests go on: [`PlainStack`] (a `Gen`'s, made by [`GenTag`] and
/// [`IterTag`]) or `AsyncStack` (an `AsyncGen`'s, made by the async tags): the table's `request`
/// writes the request type of that stack, so the kind is part of the type.
#[repr(C)]
pub struct Checked<D, Y, R, K = PlainStack> {
    head: Head<D>,
    delegate: D,
    _types: PhantomData<fn(Y, R, K)>,
}

/// The kind of a [`Checked`] whose requests go on a plain generator's stack.
pub enum PlainStack {}

/// The head of a [`Checked`]: the table, in room aligned to the delegate.
#[repr(C)]
pub(crate) union Head<D> {
    table: &'static DelegateOps,
    _align: core::mem::ManuallyDrop<[D; 0]>,
}

/// The table's distance before the delegate: one word.
pub(crate) const TABLE_BEFORE: usize = core::mem::size_of::<&'static DelegateOps>();

impl<D, Y, R> Checked<D, Y, R> {
    #[inline(always)]
    fn new(delegate: D) -> Self
    where
        D: Delegate<Y, R>,
    {
        // SAFETY: the table is `OpsOf::<D, Y, R>::OPS`, made for this very type, whose `request`
        // writes a `DelegateRequest<Y, R>`, the request type of `PlainStack`.
        unsafe { Self::with_table(delegate, OpsOf::<D, Y, R>::OPS) }
    }

    /// The request that lets the outermost generator resume this delegate directly: a pointer to
    /// the delegate, which the caller must not touch (nor move this `Checked`) until the request
    /// is popped.
    #[inline(always)]
    pub(crate) fn request(&mut self) -> DelegateRequest<Y, R> {
        // SAFETY: a `Checked` of `PlainStack` is made only by `new`, whose table writes a
        // `DelegateRequest<Y, R>`.
        unsafe { self.request_as() }
    }
}

impl<D, Y, R, K> Checked<D, Y, R, K> {
    /// Wraps `delegate` with `table`.
    ///
    /// # Safety
    /// `table` is the table of `D` with `Y` and `R`, whose `request` writes an
    /// `Option<Request<F>>` for the request type `F` of the stack kind `K`.
    #[inline(always)]
    pub(crate) unsafe fn with_table(delegate: D, table: &'static DelegateOps) -> Self {
        Checked {
            head: Head { table },
            delegate,
            _types: PhantomData,
        }
    }

    /// The request, as [`request`](Checked::request) makes it.
    ///
    /// # Safety
    /// `F` is the request type the table's `request` writes (see [`with_table`](Self::with_table)).
    #[inline(always)]
    pub(crate) unsafe fn request_as<F>(&mut self) -> Request<F> {
        // SAFETY: `with_table` wrote the `table` field, and nothing writes another.
        let table = unsafe { self.head.table };
        let this = core::ptr::from_mut(self);
        // SAFETY: `this` points at this live `Checked`; the projection stays inside it.
        let target = unsafe { NonNull::new_unchecked(&raw mut (*this).delegate) }.cast::<()>();
        const {
            assert!(core::mem::offset_of!(Checked<D, Y, R, K>, delegate) >= TABLE_BEFORE);
        }
        if core::mem::align_of::<D>() > core::mem::align_of::<&'static DelegateOps>() {
            // SAFETY: the delegate is aligned to more than a word, so the head is as big as that
            // alignment and ends at the delegate: the word before the delegate is the head's last
            // one, aligned for a pointer, and ours through `this`.
            unsafe {
                target
                    .as_ptr()
                    .wrapping_byte_sub(TABLE_BEFORE)
                    .cast::<&'static DelegateOps>()
                    .write(table);
            }
        }
        let mut request: Option<Request<F>> = None;
        // SAFETY: `table` was made for `Checked<D, Y, R>` (`with_table`), `target` points at its
        // delegate through a pointer to all of it, and `request` is an `Option<Request<F>>` of
        // the type the table writes (this function's contract).
        unsafe { (table.request)(target, (&raw mut request).cast()) };
        let Some(request) = request else {
            unreachable!("`DelegateOps::request` makes a request")
        };
        request
    }
}

impl<D: Finish, Y, R, K> Finish for Checked<D, Y, R, K> {
    type Output = D::Output;
    #[inline(always)]
    #[track_caller]
    fn finish(&mut self) -> D::Output {
        self.delegate.finish()
    }
}

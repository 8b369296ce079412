//! [`Gen`]: the value a generator function returns, and the resume loop that drives its body
//! and the generators it delegates to.

use core::fmt;
use core::iter::FusedIterator;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::task::Poll;

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::body::Body;
use crate::body_box::BodyBox;
use crate::delegate::{DelegateRequest, End, Progress, end_stack, resume_delegated};
use crate::protocol::{Generator, GeneratorState, NextArg, StopIteration};
use crate::slot::Slot;
use crate::state::GenState;
use crate::step::{BodyStep, awaited_pending_future, poll_body};

/// A boxed generator trait object, as [`Gen::boxed`] makes: resumed with `R`, yielding `Y`,
/// returning `Ret`, borrowing for `'a`.
pub type BoxGenerator<'a, Y, R = (), Ret = ()> =
    Box<dyn Generator<R, Yield = Y, Return = Ret> + Unpin + 'a>;

/// The internal status. `Running` doubles as "poisoned": a poll that unwinds leaves it behind.
/// A plain generator sets it before each poll and replaces it after; a delegating one sets it
/// only if its run unwinds (`PoisonGenOnUnwind`); a generator resumed as an owned delegate does
/// not keep its status at all while it is one (see `delegate.rs`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    /// Invariant: the body is present and was never polled; the stack is empty.
    Created,
    /// Invariant: the body is present, suspended at a yield or at the `yield_from!` that pushed
    /// the bottom of the stack.
    Suspended,
    Running,
    /// Invariant: the stack is empty; the body is finished, or gone (thrown into before start).
    Completed,
    /// Invariant: the stack is empty and the body is gone.
    Closed,
}

/// Poisons a generator whose trampoline unwinds (a delegate, or its body, panicked): its stack
/// may point into bodies left mid-poll. Held across the run and disarmed after it, so a normal
/// resume pays no store for the poison.
struct PoisonGenOnUnwind<'a, B: Body>(&'a mut Gen<B>);

impl<B: Body> PoisonGenOnUnwind<'_, B> {
    #[inline(always)]
    fn disarm(self) {
        core::mem::forget(self);
    }
}

impl<B: Body> Drop for PoisonGenOnUnwind<'_, B> {
    #[cold]
    fn drop(&mut self) {
        self.0.status = Status::Running;
    }
}

/// A generator: what a `#[generator]` function or a `gen_!` expression returns.
///
/// It is an [`Iterator`] of its yields (when its resume type is `()` or `Option<T>`, see
/// [`NextArg`]), takes values with [`send`](Gen::send)/[`resume`](Gen::resume), and keeps its
/// return value. Its state lives in one heap allocation made when it is created, like Python's
/// frame object, so a `Gen` is `Unpin`, can be moved freely between resumes, and generators can
/// recurse.
///
/// For many short-lived generators, as in `flat_map(|x| small_generator(x))` over millions of
/// elements, that allocation is most of the cost once the consumer iterates with `next()` (a
/// `for` loop): make the small generator a [`GenLocal`](crate::GenLocal) and flat-map it with
/// [`FlatMapPinned`](crate::FlatMapPinned), which allocates nothing.
///
/// ```
/// use corogen::prelude::*;
///
/// #[generator(yield = u64)]
/// fn fib(n: usize) -> &'static str {
///     let (mut a, mut b) = (0, 1);
///     for _ in 0..n {
///         yield_!(a);
///         (a, b) = (b, a + b);
///     }
///     "done"
/// }
///
/// assert_eq!(fib(10).collect::<Vec<_>>(), [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]);
/// let mut g = fib(2);
/// assert_eq!(g.send(()), Ok(0));
/// assert_eq!(g.send(()), Ok(1));
/// assert_eq!(g.send(()), Err(StopIteration("done")));
/// ```
#[must_use = "a generator does nothing until it is resumed or iterated"]
pub struct Gen<B: Body> {
    /// `None` once closed.
    body: Option<BodyBox<B>>,
    status: Status,
    /// The return value, kept when `Iterator::next` (or `yield_from!`) reached the end.
    returned: Option<B::Return>,
    /// The generators this one is delegating to, innermost last (see `delegate.rs`). Dropped by
    /// `Gen`'s `Drop` only if the body delegates: for any other body it never allocates (nothing
    /// is pushed onto it, see `Drop`), and its drop would be a capacity test per `Gen` that the
    /// optimiser cannot remove once the `Gen` escapes.
    stack: ManuallyDrop<Vec<DelegateRequest<B::Yield, B::Resume>>>,
}

// `Gen` never pins anything in place: its body is pinned in its own block (`BodyBox`), and no other field is
// ever pinned. So `Pin<&mut Gen>` gives no guarantee about any field, exactly as for `Box<B>`.
impl<B: Body> Unpin for Gen<B> {}

impl<B: Body> Gen<B> {
    #[inline]
    pub(crate) fn from_body(body: B) -> Self {
        Gen {
            body: Some(BodyBox::new(body)),
            status: Status::Created,
            returned: None,
            stack: ManuallyDrop::new(Vec::new()),
        }
    }

    /// The body of a generator never resumed, to run inline (a hub task keeps it in its own
    /// allocation); `Err(self)` if it was resumed or closed, or if it delegates
    /// (`yield_from!` needs the generator's stack).
    #[cfg(feature = "hub")]
    #[inline]
    pub(crate) fn into_unstarted_body(mut self) -> Result<B, Self> {
        if B::DELEGATES || self.status != Status::Created {
            return Err(self);
        }
        let Some(body) = self.body.take() else {
            unreachable!("a created generator has its body")
        };
        // SAFETY: `Created`'s invariant: the body was never polled, so it was never pinned (a
        // `Pin<&mut B>` is made only to poll it).
        Ok(unsafe { body.into_inner() })
    }

    /// Runs the generator to its next `yield_!` or to its end, handing it `arg`.
    ///
    /// The first resume starts the body and runs it to its first `yield_!`; its `arg` is dropped
    /// unless the generator binds it with `resume = R as name`. Each later resume makes `arg` the
    /// value of the `yield_!` the body is suspended at (or goes to the generator it delegates to).
    ///
    /// ```
    /// use corogen::prelude::*;
    ///
    /// #[generator(yield = String, resume = &'static str as first)]
    /// fn echo() {
    ///     let mut heard = first;
    ///     loop {
    ///         heard = yield_!(heard.to_uppercase());
    ///     }
    /// }
    /// let mut g = echo();
    /// assert_eq!(g.resume("hi"), GeneratorState::Yielded("HI".to_string()));
    /// assert_eq!(g.resume("yo"), GeneratorState::Yielded("YO".to_string()));
    /// ```
    ///
    /// # Panics
    /// If the generator already finished or was closed (std's coroutines panic too), or if an
    /// earlier resume panicked. Also if the body of a plain (not async) generator awaits a future
    /// that is not ready.
    #[inline]
    #[track_caller]
    pub fn resume(&mut self, arg: B::Resume) -> GeneratorState<B::Yield, B::Return> {
        if B::DELEGATES {
            // Kept apart so that generators without `yield_from!` compile to the plain path.
            return self.resume_delegating(arg);
        }
        if !matches!(self.status, Status::Created | Status::Suspended) {
            self.cannot_resume();
        }
        self.status = Status::Running;
        match self.poll_body(arg) {
            BodyStep::Yielded(value) => {
                self.status = Status::Suspended;
                GeneratorState::Yielded(value)
            }
            BodyStep::Complete(value) => {
                self.status = Status::Completed;
                GeneratorState::Complete(value)
            }
        }
    }

    /// `resume` for a body with `yield_from!`: the whole trampoline, always inlined, so that a
    /// loop over the items (`Iterator::next`, which calls this directly) runs it without a call
    /// of its own besides the delegates' resumes.
    #[inline(always)]
    #[track_caller]
    fn resume_delegating(&mut self, arg: B::Resume) -> GeneratorState<B::Yield, B::Return> {
        if !matches!(self.status, Status::Created | Status::Suspended) {
            self.cannot_resume();
        }
        let guard = PoisonGenOnUnwind(self);
        let state = guard.0.resume_stack(arg);
        guard.disarm();
        state
    }

    /// Polls the body once. The status must be `Running`; it stays so if the poll unwinds.
    #[inline(always)]
    fn poll_body(&mut self, arg: B::Resume) -> BodyStep<B::Yield, B::Return> {
        let Some(body) = self.body.as_mut() else {
            unreachable!("a generator without a body is never polled")
        };
        poll_body(body.as_mut(), arg)
    }

    /// The trampoline: resumes the innermost delegate (or, with an empty stack, the body) until
    /// something yields or the body ends. The common case, an item yielded by the top of the
    /// stack, is one indirect call to the delegate's own resume, which polls its body with this
    /// slot.
    #[inline(always)]
    fn resume_stack(&mut self, arg: B::Resume) -> GeneratorState<B::Yield, B::Return> {
        let mut slot = Slot::new(arg);
        let progress = match self.stack.last() {
            // SAFETY: the request is the top of this generator's stack: everything above it was
            // popped, and its parent chain is suspended at the `yield_from!`s that pushed the
            // entries below (see `delegate.rs`).
            Some(top) => unsafe { top.resume(&mut slot) },
            None => return self.run_stack(&mut slot, None),
        };
        if progress == Progress::Yielded {
            // SAFETY: every `Delegate` returns `Yielded` only with a value in the slot (they
            // are all in this crate: the trait cannot be named outside it).
            let value = unsafe { slot.take_yielded().unwrap_unchecked() };
            self.status = Status::Suspended;
            return GeneratorState::Yielded(value);
        }
        self.run_stack(&mut slot, Some(progress))
    }

    /// The rest of the trampoline: `progress` is what the last poll did (`None`: nothing was
    /// polled yet). Pushes and pops delegates until one yields or the body ends. Inlined too: in
    /// a recursive traversal nearly every item comes this way, and a call here (saving every
    /// register, then the loop's own) cost more than the rest of the loop.
    #[inline(always)]
    fn run_stack(
        &mut self,
        slot: &mut Slot<B::Yield, B::Resume>,
        mut progress: Option<Progress>,
    ) -> GeneratorState<B::Yield, B::Return> {
        loop {
            let step = match progress.take() {
                Some(step) => step,
                None => match self.stack.last() {
                    // SAFETY: as in `resume_stack`.
                    Some(top) => unsafe { top.resume(slot) },
                    // The body itself, polled as its own delegates are: through the function
                    // their requests call, so that the body is polled from one place only and
                    // the optimiser inlines the poll there. It leaves the status alone unless
                    // the body completes (the poison, should anything unwind, is
                    // `resume_delegating`'s guard).
                    //
                    // SAFETY: `resume_delegating` checked that the status was `Created` or
                    // `Suspended`, so the body is present and not being polled.
                    None => match unsafe { resume_delegated(self, slot) } {
                        Progress::Completed => {
                            let Some(value) = self.returned.take() else {
                                unreachable!("a completed delegate keeps its return value")
                            };
                            return GeneratorState::Complete(value);
                        }
                        step => step,
                    },
                },
            };
            match step {
                Progress::Yielded => {
                    let Some(value) = slot.take_yielded() else {
                        unreachable!("a yield leaves its value in the slot")
                    };
                    self.status = Status::Suspended;
                    return GeneratorState::Yielded(value);
                }
                // The parent of the finished delegate is resumed next; it is suspended at its
                // `yield_from!`, which completes without reading the slot's argument.
                Progress::Completed => {
                    self.stack.pop();
                }
                // The `yield_from!` also put the new delegate's first argument in the slot.
                Progress::Delegated => {
                    let Some(request) = slot.take_delegate() else {
                        unreachable!("a delegation leaves its request in the slot")
                    };
                    self.stack.push(request);
                }
            }
        }
    }

    /// One resume on behalf of a generator that delegates to this one, with that generator's
    /// slot: this body is polled with it, and a `yield_from!` in this body is handed up rather
    /// than pushed here, so that the outermost generator's stack holds every level.
    #[inline(always)]
    pub(crate) fn resume_in_slot(&mut self, slot: &mut Slot<B::Yield, B::Resume>) -> Progress {
        if !self.can_run_delegated() {
            return self.resume_in_slot_apart(slot);
        }
        self.status = Status::Running;
        // SAFETY: `can_run_delegated` checked the status.
        match unsafe { resume_delegated(self, slot) } {
            Progress::Completed => Progress::Completed,
            progress => {
                self.status = Status::Suspended;
                progress
            }
        }
    }

    /// Whether a resume on behalf of another generator may poll the body directly: the body is
    /// there and resumable, and this generator is not delegating on a stack of its own.
    #[inline(always)]
    pub(crate) fn can_run_delegated(&self) -> bool {
        // A body without `yield_from!` never has a stack.
        matches!(self.status, Status::Created | Status::Suspended)
            && (!B::DELEGATES || self.stack.is_empty())
    }

    /// Polls the body once with `slot`, on behalf of the generator that owns the slot. The
    /// status is left as it is unless the body completes (then it is `Completed`, and the return
    /// value is kept): the caller keeps it, or does not need it (see `delegate.rs`).
    ///
    /// # Safety
    /// `can_run_delegated()` held when this generator was last checked, and nothing but such
    /// polls ran it since: its body is present and its stack empty.
    #[inline(always)]
    pub(crate) unsafe fn poll_delegated(
        &mut self,
        slot: &mut Slot<B::Yield, B::Resume>,
    ) -> Progress {
        // SAFETY: per this function's contract, the body is present (only `end` removes it,
        // and it leaves a status that `can_run_delegated` rejects, or it ends a delegate whose
        // request was popped, never to be resumed again).
        let body = unsafe { self.body.as_mut().unwrap_unchecked() };
        match poll_in_slot(body.as_mut(), slot) {
            Ok(progress) => progress,
            Err(value) => {
                self.status = Status::Completed;
                self.returned = Some(value);
                Progress::Completed
            }
        }
    }

    /// `resume_in_slot` for a delegate that was driven directly before (and is delegating on
    /// its own stack) or has already finished: it runs as its own outermost generator.
    #[cold]
    #[inline(never)]
    fn resume_in_slot_apart(&mut self, slot: &mut Slot<B::Yield, B::Resume>) -> Progress {
        if matches!(self.status, Status::Completed | Status::Closed) {
            return Progress::Completed;
        }
        // A body without `yield_from!` never has a stack of its own, so it comes here only when
        // poisoned: `resume` would panic. Saying so without polling keeps this path from being a
        // second place the body is polled, so its poll is inlined into the delegate's resume.
        if !B::DELEGATES {
            self.cannot_resume();
        }
        let Some(arg) = slot.arg.take() else {
            unreachable!("a delegate is resumed with an argument")
        };
        match self.resume(arg) {
            GeneratorState::Yielded(value) => {
                slot.yielded = Some(value);
                Progress::Yielded
            }
            GeneratorState::Complete(value) => {
                self.returned = Some(value);
                Progress::Completed
            }
        }
    }

    /// Python's `send`: resumes with `arg` and returns the next yielded value, or
    /// [`StopIteration`] with the return value when the body ends.
    ///
    /// ```
    /// use corogen::prelude::*;
    ///
    /// #[generator(yield = i32, resume = i32)]
    /// fn running_sum() -> i32 {
    ///     let mut sum = 0;
    ///     while sum < 10 {
    ///         sum += yield_!(sum);
    ///     }
    ///     sum
    /// }
    /// let mut g = running_sum();
    /// assert_eq!(g.send(0), Ok(0)); // starts the body
    /// assert_eq!(g.send(4), Ok(4));
    /// assert_eq!(g.send(7), Err(StopIteration(11)));
    /// ```
    ///
    /// # Panics
    /// As [`resume`](Gen::resume).
    #[inline]
    #[track_caller]
    pub fn send(&mut self, arg: B::Resume) -> Result<B::Yield, StopIteration<B::Return>> {
        self.resume(arg).into_result()
    }

    /// The return value, once the [`Iterator`] side has consumed the end.
    ///
    /// `resume` and `send` hand the return value to their caller instead, so it is not kept then.
    ///
    /// ```
    /// use corogen::prelude::*;
    ///
    /// #[generator(yield = u8)]
    /// fn two() -> &'static str {
    ///     yield_!(1);
    ///     yield_!(2);
    ///     "done"
    /// }
    /// let mut g = two();
    /// assert_eq!(g.by_ref().sum::<u8>(), 3);
    /// assert_eq!(g.return_value(), Some(&"done"));
    /// ```
    #[inline]
    pub fn return_value(&self) -> Option<&B::Return> {
        self.returned.as_ref()
    }

    /// Takes the kept return value out (see [`return_value`](Gen::return_value)).
    #[inline]
    pub fn take_return_value(&mut self) -> Option<B::Return> {
        self.returned.take()
    }

    /// Keeps the return value a `resume` gave, for `yield_from!` in an async generator.
    #[inline]
    pub(crate) fn keep_return_value(&mut self, value: B::Return) {
        self.returned = Some(value);
    }

    /// Where the generator is in its life, like Python's `inspect.getgeneratorstate`.
    ///
    /// ```
    /// use corogen::prelude::*;
    ///
    /// let mut g = gen_!({ yield_!(1) });
    /// assert_eq!(g.state(), GenState::Created);
    /// g.next();
    /// assert_eq!(g.state(), GenState::Suspended);
    /// g.next();
    /// assert_eq!(g.state(), GenState::Completed);
    /// ```
    pub fn state(&self) -> GenState {
        match self.status {
            Status::Created => GenState::Created,
            Status::Suspended => GenState::Suspended,
            Status::Running => GenState::Panicked,
            Status::Completed => GenState::Completed,
            Status::Closed => GenState::Closed,
        }
    }

    /// `true` once the generator cannot be resumed: it returned, was closed, or panicked.
    #[inline]
    pub fn is_finished(&self) -> bool {
        !matches!(self.status, Status::Created | Status::Suspended)
    }

    /// Python's `close()`: finishes a suspended generator now, running its cleanup.
    ///
    /// The body's live locals are dropped, innermost scope first — the Rust form of `finally` —
    /// and generators it was delegating to (`yield_from!`) are closed before its own locals,
    /// innermost first, those it borrows (`yield_from!(&mut sub)`) too, as Python closes the
    /// sub-generator first whoever holds it. A created (never started) generator drops only its
    /// captured arguments; closing a finished or closed generator does nothing.
    ///
    /// Dropping a `Gen` closes it the same way, with one difference: a generator it borrows is
    /// not closed but left as it was, with its own delegation, and can go on alone (whoever lent
    /// it still has it). Either way the depth of the delegation costs no stack.
    ///
    /// Should a `Drop` panic during the cleanup, the rest of it still runs (innermost first)
    /// while the panic propagates out of `close`, which leaves the generator closed.
    ///
    /// Python raises `RuntimeError` when a generator ignores `GeneratorExit` and yields again.
    /// That cannot happen here: cleanup is done by `Drop` implementations, which cannot yield, so
    /// `close` always finishes the generator.
    ///
    /// ```
    /// use corogen::prelude::*;
    /// use std::cell::RefCell;
    ///
    /// struct Finally<'a>(&'a RefCell<Vec<&'static str>>, &'static str);
    /// impl Drop for Finally<'_> {
    ///     fn drop(&mut self) {
    ///         self.0.borrow_mut().push(self.1);
    ///     }
    /// }
    ///
    /// let log_cell = RefCell::new(Vec::new());
    /// let log = &log_cell;
    /// let mut g = gen_!({
    ///     let _outer = Finally(log, "outer cleanup");
    ///     for i in 0.. {
    ///         let _inner = Finally(log, "inner cleanup");
    ///         yield_!(i);
    ///     }
    /// });
    /// assert_eq!(g.next(), Some(0));
    /// g.close();
    /// assert_eq!(*log.borrow(), ["inner cleanup", "outer cleanup"]);
    /// assert_eq!(g.state(), GenState::Closed);
    /// assert_eq!(g.next(), None);
    /// ```
    pub fn close(&mut self) {
        self.end(End::Close);
    }

    /// Ends the generator's life before its body finished: its delegation first (see
    /// `delegate.rs`), then its body, dropped in place. Leaves it `Closed` (or `Completed`), with
    /// no body and an empty stack, so that a later drop finds nothing to do.
    pub(crate) fn end(&mut self, end: End) {
        /// Drops the body after the delegation, even if ending the delegation unwinds (a `Drop`
        /// in a delegate panicked): its locals are dropped while the panic goes on, as Python
        /// runs the delegator's `finally:` when closing its delegate raised.
        struct EndBody<'a, B: Body>(&'a mut Gen<B>);
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

    /// Ends every delegate on the stack, top first (see `delegate.rs`): when dropped, the entries
    /// above the lowest borrowed delegate are handed back to it, and the rest are ended; when
    /// closed, all of them are.
    #[cold]
    #[inline(never)]
    fn end_delegation(&mut self, end: End) {
        let poisoned = self.status == Status::Running;
        // SAFETY: the generator's life ends: every entry points at a live `Checked`, as the
        // bodies they point into are dropped only after this (`end`, `drop`), and the entries
        // above a borrowed delegate's are its own delegation, `DelegateRequest`s as its
        // `hand_back` takes (`hand_back_borrowed`).
        unsafe { end_stack(&mut self.stack, end, poisoned) };
    }

    /// Takes back the entries of its own delegation from the stack of a generator that was
    /// dropped while delegating to this one through `&mut`: this one is the outermost again
    /// (poisoned as well if the other was, as the panic went through this one's delegation).
    pub(crate) fn take_back(
        &mut self,
        entries: impl Iterator<Item = DelegateRequest<B::Yield, B::Resume>>,
        poisoned: bool,
    ) {
        // A delegate with a stack of its own runs its delegation there (`resume_in_slot_apart`),
        // so nothing of it can be on another generator's stack.
        self.stack.extend(entries);
        if poisoned {
            self.status = Status::Running;
        }
    }

    /// Boxes the generator as a trait object, for collections of different generators or
    /// recursion through a type-erased generator.
    ///
    /// ```
    /// use corogen::prelude::*;
    /// use corogen::BoxGenerator;
    /// use std::pin::Pin;
    ///
    /// #[generator(yield = u8)]
    /// fn countdown(from: u8) -> &'static str {
    ///     for i in (1..=from).rev() {
    ///         yield_!(i);
    ///     }
    ///     "liftoff"
    /// }
    ///
    /// let mut gens: Vec<BoxGenerator<'_, u8, (), &str>> =
    ///     vec![gen_!({ yield_!(7u8); "seven" }).boxed(), countdown(0).boxed()];
    /// assert_eq!(Pin::new(&mut gens[0]).resume(()), GeneratorState::Yielded(7));
    /// assert_eq!(Pin::new(&mut gens[1]).resume(()), GeneratorState::Complete("liftoff"));
    /// ```
    pub fn boxed<'a>(self) -> BoxGenerator<'a, B::Yield, B::Resume, B::Return>
    where
        B: 'a,
    {
        Box::new(self)
    }

    /// Like [`Iterator::next`], for any resume type that has a [`NextArg`].
    #[inline]
    #[track_caller]
    fn next_item(&mut self) -> Option<B::Yield>
    where
        B::Resume: NextArg,
    {
        if matches!(self.status, Status::Completed | Status::Closed) {
            return None;
        }
        let state = if B::DELEGATES {
            self.resume_delegating(NextArg::next_arg())
        } else {
            self.resume(NextArg::next_arg())
        };
        match state {
            GeneratorState::Yielded(value) => Some(value),
            GeneratorState::Complete(value) => {
                self.returned = Some(value);
                None
            }
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
}

impl<B, R, T, E> Gen<B>
where
    B: Body<Resume = Result<R, E>, Return = Result<T, E>>,
{
    /// Python's `throw`: raises `error` at the `yield_!` the generator is suspended at.
    ///
    /// Generators declared with `throw = E` (`#[generator(yield = Y, resume = R, throw = E)]`)
    /// see each `yield_!` as a `Result<R, E>`: [`send`](Gen::send) resumes with `Ok(value)`,
    /// `throw` with `Err(error)`. The body may handle the error and go on, or propagate it with
    /// `yield_!(x)?`: the generator then finishes and the error comes back out of `throw` as
    /// `Complete(Err(error))`. Throwing into a generator that has not started finishes it without
    /// running its body.
    ///
    /// A generator that is delegating (`yield_from!`) forwards the error to the innermost
    /// delegate first, as Python does. A sub-generator may handle it; if it does not, its return
    /// value (`Err(error)`) is what its `yield_from!` evaluates to. An iterable cannot handle it:
    /// it is ended where it is, and its `yield_from!` evaluates to `Err(error)` in the generator
    /// that delegated to it. Values sent into an iterable's delegation are dropped, as an
    /// iterator cannot take them.
    ///
    /// ```
    /// use corogen::prelude::*;
    ///
    /// #[generator(yield = u32, resume = (), throw = String)]
    /// fn resilient() -> Result<&'static str, String> {
    ///     let mut n = 0;
    ///     loop {
    ///         match yield_!(n) {
    ///             Ok(()) => n += 1,
    ///             Err(e) if e == "reset" => n = 0,
    ///             Err(e) => return Err(e),
    ///         }
    ///     }
    /// }
    /// let mut g = resilient();
    /// assert_eq!(g.send(Ok(())), Ok(0));
    /// assert_eq!(g.send(Ok(())), Ok(1));
    /// assert_eq!(g.throw("reset".into()), GeneratorState::Yielded(0)); // caught: it goes on
    /// assert_eq!(g.throw("fatal".into()), GeneratorState::Complete(Err("fatal".into())));
    /// ```
    ///
    /// # Panics
    /// As [`resume`](Gen::resume), for a generator that already finished.
    #[track_caller]
    pub fn throw(&mut self, error: E) -> GeneratorState<B::Yield, Result<T, E>> {
        if self.status == Status::Created {
            self.close();
            self.status = Status::Completed;
            return GeneratorState::Complete(Err(error));
        }
        self.resume(Err(error))
    }
}

impl<B: Body> Drop for Gen<B> {
    #[inline]
    fn drop(&mut self) {
        // The stack points into the body: its delegation ends before the body is dropped.
        if B::DELEGATES {
            /// Frees the stack after the delegation ended, on unwind too (a body's `Drop` that
            /// panics while the delegation ends).
            struct FreeStack<'a, B: Body>(&'a mut Gen<B>);
            impl<B: Body> Drop for FreeStack<'_, B> {
                #[inline]
                fn drop(&mut self) {
                    // SAFETY: the stack is dropped once, here, as its `Gen` is dropped; nothing
                    // uses it after.
                    unsafe { ManuallyDrop::drop(&mut self.0.stack) };
                }
            }
            let this = FreeStack(self);
            if !this.0.stack.is_empty() {
                this.0.end_delegation(End::Drop);
            }
        } else {
            // Entries are pushed only by a body's delegation requests (`yield_from!`), and a
            // borrowed delegate takes back only its own delegation's entries (`take_back`):
            // without `yield_from!` the stack never allocates, so there is nothing to free.
            debug_assert_eq!(
                self.stack.capacity(),
                0,
                "a non-delegating body's stack grew"
            );
        }
    }
}

/// Polls `body` once with `slot` (whatever body it served before): what every resume of a
/// delegating generator, and of each of its delegates, comes down to. `Err` is the body's end.
#[inline(always)]
fn poll_in_slot<B: Body>(
    body: Pin<&mut B>,
    slot: &mut Slot<B::Yield, B::Resume>,
) -> Result<Progress, B::Return> {
    match slot.poll_with(B::__marker(), |cx| body.__poll(cx)) {
        Poll::Ready(value) => Err(value),
        Poll::Pending if slot.yielded.is_some() => Ok(Progress::Yielded),
        Poll::Pending if slot.delegate.is_some() => Ok(Progress::Delegated),
        // The caller's status stays `Running`: the body is stuck in a foreign future.
        Poll::Pending => awaited_pending_future(),
    }
}

impl<B: Body> Generator<B::Resume> for Gen<B> {
    type Yield = B::Yield;
    type Return = B::Return;

    #[inline]
    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: B::Resume) -> GeneratorState<B::Yield, B::Return> {
        Gen::resume(self.get_mut(), arg)
    }
}

impl<B: Body> Iterator for Gen<B>
where
    B::Resume: NextArg,
{
    type Item = B::Yield;

    #[inline]
    #[track_caller]
    fn next(&mut self) -> Option<B::Yield> {
        self.next_item()
    }
}

impl<B: Body> FusedIterator for Gen<B> where B::Resume: NextArg {}

impl<B: Body> fmt::Debug for Gen<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gen")
            .field("name", &B::NAME)
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

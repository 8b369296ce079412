//! [`Gen`]: the value a generator function returns.

use core::fmt;
use core::iter::FusedIterator;
use core::pin::Pin;
use core::task::Poll;

use crate::body::Body;
use crate::protocol::{Generator, GeneratorState, NextArg, StopIteration};
use crate::slot::Slot;

/// Where a generator is in its life, like Python's `inspect.getgeneratorstate`.
///
/// `Running` cannot be seen from outside: `resume` holds `&mut self` while the body runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GenStatus {
    /// Created and not resumed yet: the body has not started.
    Created,
    /// Suspended at a `yield_!`.
    Suspended,
    /// The body returned.
    Completed,
    /// The body panicked during a resume; the generator cannot be resumed again.
    Panicked,
}

/// Internal status. `Running` doubles as "poisoned": it is set before each poll and replaced
/// after it, so a poll that unwinds leaves it behind.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Created,
    Suspended,
    Running,
    Completed,
}

/// A generator: what a `#[generator]` function or a `gen_!` expression returns.
///
/// It is an [`Iterator`] of its yields (when its resume type is `()` or `Option<T>`, see
/// [`NextArg`]), takes values with [`send`](Gen::send)/[`resume`](Gen::resume), and keeps its
/// return value. Its state lives in one heap allocation made when it is created, like Python's
/// frame object, so a `Gen` is `Unpin`, can be moved freely between resumes, and generators can
/// recurse.
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
    body: Pin<Box<B>>,
    status: Status,
    /// The return value, kept when `Iterator::next` reached the end.
    returned: Option<B::Return>,
}

// `Gen` never pins anything in place: its body is pinned in its own `Box`, and `returned` is
// never pinned. So `Pin<&mut Gen>` gives no guarantee about any field, exactly as for `Box<B>`.
impl<B: Body> Unpin for Gen<B> {}

impl<B: Body> Gen<B> {
    #[inline]
    pub(crate) fn from_body(body: B) -> Self {
        Gen {
            body: Box::pin(body),
            status: Status::Created,
            returned: None,
        }
    }

    /// Runs the generator to its next `yield_!` or to its end, handing it `arg`.
    ///
    /// The first resume starts the body and runs it to its first `yield_!`; its `arg` is dropped
    /// unless the generator binds it with `resume = R as name`. Each later resume makes `arg` the
    /// value of the `yield_!` the body is suspended at.
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
    /// If the generator already finished (std's coroutines do the same), or if an earlier resume
    /// panicked. Also if the body of a plain (not async) generator awaits a future that is not
    /// ready.
    #[inline]
    pub fn resume(&mut self, arg: B::Resume) -> GeneratorState<B::Yield, B::Return> {
        if !matches!(self.status, Status::Created | Status::Suspended) {
            self.cannot_resume();
        }
        self.status = Status::Running;
        let mut slot = Slot::new(B::__marker(), arg);
        let body = self.body.as_mut();
        match slot.poll_with(|cx| body.__poll(cx)) {
            Poll::Ready(value) => {
                self.status = Status::Completed;
                GeneratorState::Complete(value)
            }
            Poll::Pending => match slot.take_yielded() {
                Some(value) => {
                    self.status = Status::Suspended;
                    GeneratorState::Yielded(value)
                }
                // The status stays `Running`: the body is stuck inside a foreign future.
                None => awaited_pending_future(),
            },
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

    /// Where the generator is in its life.
    ///
    /// ```
    /// use corogen::prelude::*;
    /// use corogen::GenStatus;
    ///
    /// let mut g = gen_!({ yield_!(1) });
    /// assert_eq!(g.status(), GenStatus::Created);
    /// g.next();
    /// assert_eq!(g.status(), GenStatus::Suspended);
    /// g.next();
    /// assert_eq!(g.status(), GenStatus::Completed);
    /// ```
    pub fn status(&self) -> GenStatus {
        match self.status {
            Status::Created => GenStatus::Created,
            Status::Suspended => GenStatus::Suspended,
            Status::Running => GenStatus::Panicked,
            Status::Completed => GenStatus::Completed,
        }
    }

    /// `true` once the body has returned (or panicked): resuming would panic, iterating yields
    /// `None`.
    #[inline]
    pub fn is_finished(&self) -> bool {
        matches!(self.status, Status::Completed | Status::Running)
    }

    #[cold]
    #[inline(never)]
    #[track_caller]
    fn cannot_resume(&self) -> ! {
        match self.status {
            Status::Completed => panic!("`{}` resumed after it completed", B::NAME),
            _ => panic!("`{}` resumed after it panicked", B::NAME),
        }
    }
}

#[cold]
#[inline(never)]
fn awaited_pending_future() -> ! {
    panic!(
        "corogen: a generator's body awaited a future that was not ready; only async \
         generators can wait for futures"
    )
}

impl<B: Body> Generator<B::Resume> for Gen<B> {
    type Yield = B::Yield;
    type Return = B::Return;

    #[inline]
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
    fn next(&mut self) -> Option<B::Yield> {
        if self.status == Status::Completed {
            return None;
        }
        match self.resume(NextArg::next_arg()) {
            GeneratorState::Yielded(value) => Some(value),
            GeneratorState::Complete(value) => {
                self.returned = Some(value);
                None
            }
        }
    }
}

impl<B: Body> FusedIterator for Gen<B> where B::Resume: NextArg {}

impl<B: Body> fmt::Debug for Gen<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gen")
            .field("name", &B::NAME)
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

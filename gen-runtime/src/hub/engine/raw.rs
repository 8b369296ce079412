//! Tasks as the hub stores them: the type-erased body the run loop polls, and how a task that
//! has no value says why ([`TaskError`]).
//!
//! A task is one heap allocation: its future (or generator, run as a future) and, once it has
//! finished, its result, in place of the future. The hub keeps a small
//! [`Slot`](super::slot::Slot) per task beside it.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Why a task has no value to give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskError {
    /// The task was killed before it returned.
    Killed,
    /// The task panicked; the panic's message.
    Panicked(String),
    /// The value was already taken by an earlier `get`.
    Taken,
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Killed => f.write_str("the task was killed"),
            TaskError::Panicked(message) => write!(f, "the task panicked: {message}"),
            TaskError::Taken => f.write_str("the task's value was already taken"),
        }
    }
}

impl std::error::Error for TaskError {}

/// A task's allocation as the run loop sees it.
pub(crate) trait RawTask {
    /// Polls the task's future; on `Ready` the result is kept and the future is dropped.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;
    /// Drops the future in place (running its destructors, innermost scope first) and keeps
    /// `error` as the task's result.
    fn fail(self: Pin<&mut Self>, error: TaskError);
    /// The task's `Result<T, TaskError>`, once it has finished.
    fn output(self: Pin<&mut Self>) -> Option<&mut dyn Any>;
}

/// The states of a task's allocation.
///
/// - `Running(F)`: the future, pinned: it is never moved, only polled or dropped in place.
/// - `Done(result)`: the future has been dropped; the result is not pinned and may be moved out.
enum Stage<F: Future> {
    Running(F),
    Done(Result<F::Output, TaskError>),
}

pub(crate) struct FutTask<F: Future> {
    stage: Stage<F>,
}

impl<F: Future> FutTask<F> {
    pub(crate) fn new(future: F) -> Self {
        FutTask {
            stage: Stage::Running(future),
        }
    }
}

impl<F: Future> RawTask for FutTask<F>
where
    F::Output: 'static,
{
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: `Stage::Running(F)` is pinned structurally: `F` is never moved out of it and
        // leaves it only by being dropped in place, when `Pin::set` replaces the whole task.
        let future = unsafe {
            self.as_mut()
                .map_unchecked_mut(|task| match &mut task.stage {
                    Stage::Running(future) => future,
                    Stage::Done(_) => finished_task_polled(),
                })
        };
        match future.poll(cx) {
            Poll::Ready(value) => {
                self.set(FutTask {
                    stage: Stage::Done(Ok(value)),
                });
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn fail(mut self: Pin<&mut Self>, error: TaskError) {
        self.set(FutTask {
            stage: Stage::Done(Err(error)),
        });
    }

    fn output(self: Pin<&mut Self>) -> Option<&mut dyn Any> {
        // SAFETY: only a finished task's result is handed out. It is not pinned, and a `Done`
        // stage holds no `F`; a `Running` stage is not touched.
        let task = unsafe { self.get_unchecked_mut() };
        match &mut task.stage {
            Stage::Done(result) => Some(result),
            Stage::Running(_) => None,
        }
    }
}

#[cold]
#[inline(never)]
fn finished_task_polled() -> ! {
    unreachable!("corogen hub: a finished task was polled")
}

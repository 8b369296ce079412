//! Tasks as the hub stores them: the key that names one, the type-erased body the run loop
//! polls, and what a task can be spawned from ([`IntoTask`]).
//!
//! A task is one heap allocation: its future (or generator) and, once it has finished, its
//! result, in place of the future. The hub keeps a small [`Slot`](super::core::Slot) per task
//! beside it.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::gen_task::{GenTask, Op, Reply};
use super::handle::TaskError;
use crate::body::Body;
use crate::generator::Gen;

/// Names one task of one hub: the index of its slot and the generation of that slot, so that a
/// key outliving its task never reaches the next task stored in the same slot.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct TaskKey {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

impl TaskKey {
    /// A number unique among the tasks of one hub (until 2^32 tasks reused one slot).
    pub(crate) fn id(self) -> u64 {
        (u64::from(self.generation) << 32) | u64::from(self.index)
    }
}

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

/// What the hub can run as a task: any [`Future`], or a generator whose yields are requests to
/// the hub ([`Op`]) and whose resume values are the hub's [`Reply`]s.
///
/// ```
/// use corogen::hub::{self, Hub, Op, Reply};
/// use corogen::prelude::*;
/// use std::time::Duration;
///
/// #[generator(yield = Op, resume = Reply)]
/// fn nap() -> &'static str {
///     yield_!(hub::op::sleep(Duration::from_secs(1)));
///     "rested"
/// }
///
/// let hub = Hub::new_virtual();
/// let from_generator = hub.spawn(nap());
/// let from_future = hub.spawn(async { 7 });
/// hub.run();
/// assert_eq!(from_generator.try_get(), Some(Ok("rested")));
/// assert_eq!(from_future.try_get(), Some(Ok(7)));
/// ```
pub trait IntoTask: 'static {
    /// The task's result.
    type Output: 'static;
    /// The future the task runs as.
    type Future: Future<Output = Self::Output> + 'static;
    /// Turns `self` into the future the task runs.
    fn into_task_future(self) -> Self::Future;
}

impl<F> IntoTask for F
where
    F: Future + 'static,
    F::Output: 'static,
{
    type Output = F::Output;
    type Future = F;

    fn into_task_future(self) -> F {
        self
    }
}

impl<B> IntoTask for Gen<B>
where
    B: Body<Yield = Op, Resume = Reply> + 'static,
    B::Return: 'static,
{
    type Output = B::Return;
    type Future = GenTask<B>;

    #[inline]
    fn into_task_future(self) -> GenTask<B> {
        GenTask::new(self)
    }
}

#[inline]
pub(crate) fn boxed<T: IntoTask>(task: T) -> Pin<Box<dyn RawTask>> {
    Box::pin(FutTask::new(task.into_task_future()))
}

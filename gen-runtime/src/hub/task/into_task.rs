//! What the hub can spawn ([`IntoTask`]): any future, the async style, as it is; a generator
//! of the other style becomes one in `gen_task.rs`. Either is boxed once into the task's
//! allocation.

use std::future::Future;
use std::pin::Pin;

use crate::hub::engine::{FutTask, RawTask};

/// What the hub can run as a task: any [`Future`], or a generator whose yields are requests to
/// the hub ([`Op`](crate::hub::Op)) and whose resume values are the hub's
/// [`Reply`](crate::hub::Reply)s.
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

#[inline]
pub(crate) fn boxed<T: IntoTask>(task: T) -> Pin<Box<dyn RawTask>> {
    Box::pin(FutTask::new(task.into_task_future()))
}

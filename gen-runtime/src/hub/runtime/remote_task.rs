//! A task built on another hub, and its `Send` handle ([`RemoteTask`]).
//!
//! One allocation per request, the [`RemoteCell`]: the builder closure until the target hub
//! runs it, then the task's key there, then its result, and the joiner's waker, all under one
//! lock. The mailbox holds it as a [`Job`], the handle as a [`Joinable`]; the task built from it
//! is an ordinary local task of its hub, wrapped in [`deliver`], which moves its output into
//! the cell (or its panic's message, or `Killed` when it is dropped unfinished).
//!
//! States of a cell, each with what holds:
//!
//! - *requested*: `build` is `Some`, `key` is `None`, no result. A kill only sets `kill`.
//! - *built*: `build` is `None`, `key` names the task on its hub, no result. A kill goes to that
//!   hub as mail (or runs at once there).
//! - *done*: `done` is set and the result is there until the handle takes it (then only `done`
//!   stays, and a second take gives [`TaskError::Taken`]). Nothing changes it any more.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use super::mailbox::{HubHandle, Job, Mail};
use crate::hub::base::TaskKey;
use crate::hub::engine::{self, TaskError};
use crate::hub::scheduler::spawn;
use crate::hub::task::IntoTask;

pub(crate) struct RemoteCell<F, O> {
    state: Mutex<CellState<F, O>>,
}

struct CellState<F, O> {
    build: Option<F>,
    key: Option<TaskKey>,
    result: Option<Result<O, TaskError>>,
    waker: Option<Waker>,
    /// A kill came while the task was only requested: it is never built.
    kill: bool,
    done: bool,
}

impl<F, O> RemoteCell<F, O> {
    pub(crate) fn new(build: F) -> Arc<Self> {
        Arc::new(RemoteCell {
            state: Mutex::new(CellState {
                build: Some(build),
                key: None,
                result: None,
                waker: None,
                kill: false,
                done: false,
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, CellState<F, O>> {
        // Only a foreign waker's `clone` or `will_wake` can panic under the lock; the state is
        // whole either way.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Ends the task with `result`, once; wakes the joiner.
    fn complete(&self, result: Result<O, TaskError>) {
        let waker = {
            let mut state = self.state();
            if state.done {
                return;
            }
            state.done = true;
            state.result = Some(result);
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<F, T> Job for RemoteCell<F, T::Output>
where
    F: FnOnce() -> T + Send + 'static,
    T: IntoTask,
    T::Output: Send,
{
    fn run(self: Arc<Self>) {
        let build = {
            let mut state = self.state();
            if state.kill { None } else { state.build.take() }
        };
        let Some(build) = build else {
            return self.cancel();
        };
        match catch_unwind(AssertUnwindSafe(build)) {
            Ok(task) => {
                let future = task.into_task_future();
                let delivery = Delivery(Arc::clone(&self));
                // Detached: the task lives on its hub, its output goes to the cell.
                let key = spawn(deliver::<F, T>(delivery, future)).key;
                let killed = {
                    let mut state = self.state();
                    state.key = Some(key);
                    state.kill
                };
                // A kill that came while the builder ran found no key: it is done now (the
                // task never runs).
                if killed {
                    engine::current().kill(key);
                }
            }
            Err(payload) => {
                self.complete(Err(TaskError::Panicked(panic_message(&*payload))));
                drop_payload(payload);
            }
        }
    }

    fn kill(self: Arc<Self>) {
        let key = self.state().key;
        if let Some(key) = key {
            // A task already dead, or whose slot went to another (a newer generation), is
            // left alone. A suspended one has its future dropped here: `deliver`'s guard ends
            // the cell as killed.
            engine::current().kill(key);
        }
    }

    fn cancel(self: Arc<Self>) {
        let build = self.state().build.take();
        // The builder's captures are dropped outside the lock.
        drop(build);
        self.complete(Err(TaskError::Killed));
    }
}

/// What a [`RemoteTask`] needs of its cell, without the builder's type.
pub(crate) trait Joinable<O>: Send + Sync {
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<O, TaskError>>;
    fn is_finished(&self) -> bool;
    /// Asks for a kill: `Some` when the task is built and its hub must kill it.
    fn kill_request(self: Arc<Self>) -> Option<Arc<dyn Job>>;
    /// The handle is gone: its waker must not keep a hub waiting.
    fn forget_waker(&self);
}

impl<F, T> Joinable<T::Output> for RemoteCell<F, T::Output>
where
    F: FnOnce() -> T + Send + 'static,
    T: IntoTask,
    T::Output: Send,
{
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<T::Output, TaskError>> {
        let mut state = self.state();
        if let Some(result) = state.result.take() {
            return Poll::Ready(result);
        }
        if state.done {
            return Poll::Ready(Err(TaskError::Taken));
        }
        // Through an async generator's wrapper: it clones as the waker it wraps, which
        // `will_wake` then recognises at the next poll.
        let waker = crate::async_gen::outer_waker(cx.waker());
        if !state
            .waker
            .as_ref()
            .is_some_and(|stored| stored.will_wake(waker))
        {
            state.waker = Some(waker.clone());
        }
        Poll::Pending
    }

    fn is_finished(&self) -> bool {
        self.state().done
    }

    fn kill_request(self: Arc<Self>) -> Option<Arc<dyn Job>> {
        let mut state = self.state();
        if state.done {
            return None;
        }
        if state.key.is_none() {
            // Not built yet: the request ends as killed when its hub takes it.
            state.kill = true;
            return None;
        }
        drop(state);
        Some(self)
    }

    fn forget_waker(&self) {
        let waker = self.state().waker.take();
        drop(waker);
    }
}

/// Ends its cell as killed when dropped before the task finished: a kill, or the hub shutting
/// down, even before the task first ran (an unstarted task's future is dropped unpolled, with
/// this inside it).
struct Delivery<F, O>(Arc<RemoteCell<F, O>>);

impl<F, O> Drop for Delivery<F, O> {
    fn drop(&mut self) {
        self.0.complete(Err(TaskError::Killed));
    }
}

/// The local task of a remote request: runs `future` and hands what it ends with to the cell.
async fn deliver<F, T>(delivery: Delivery<F, T::Output>, future: T::Future)
where
    F: FnOnce() -> T + Send + 'static,
    T: IntoTask,
    T::Output: Send,
{
    match CatchUnwind(pin!(future)).await {
        Ok(value) => delivery.0.complete(Ok(value)),
        Err(payload) => {
            delivery
                .0
                .complete(Err(TaskError::Panicked(panic_message(&*payload))));
            drop(delivery);
            // The hub records the panic as this task's, as for any task (the hook already
            // printed it).
            resume_unwind(payload);
        }
    }
}

/// Polls a future, catching its panic.
struct CatchUnwind<'a, F>(Pin<&'a mut F>);

impl<F: Future> Future for CatchUnwind<'_, F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let future = self.0.as_mut();
        match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a task panicked".to_owned()
    }
}

/// Drops a panic's payload, whose own destructor may panic.
fn drop_payload(payload: Box<dyn Any + Send>) {
    drop(catch_unwind(AssertUnwindSafe(move || drop(payload))));
}

/// A task built on a hub of a [`Runtime`](super::Runtime), possibly another thread's: a `Send`
/// handle and a `Send` future of the task's output, awaited from any hub, or from outside
/// them (any executor, or `futures::executor::block_on`).
///
/// It gives `Ok(value)`, or why there is none: [`TaskError::Panicked`] with the message when
/// the task (or the closure that built it) panicked, [`TaskError::Killed`] when it was killed
/// or its runtime shut down first. Awaiting it again after that gives [`TaskError::Taken`].
/// Dropping it detaches the task, which runs on.
#[must_use = "the task runs anyway; await it for its output"]
pub struct RemoteTask<T> {
    pub(crate) cell: Arc<dyn Joinable<T>>,
    pub(crate) hub: HubHandle,
}

impl<T> RemoteTask<T> {
    /// The hub the task runs on.
    pub fn hub(&self) -> &HubHandle {
        &self.hub
    }

    /// Whether the task has ended (returned, panicked or killed).
    pub fn is_finished(&self) -> bool {
        self.cell.is_finished()
    }

    /// Asks for the task to be killed, and returns at once (gevent's `kill(block=False)`): a
    /// task not built yet never is; a suspended one has its future dropped on its hub, its
    /// cleanup running there. Awaiting the handle then gives [`TaskError::Killed`] (unless the
    /// task ended first). Killing an ended task does nothing.
    pub fn kill(&self) {
        if let Some(job) = Arc::clone(&self.cell).kill_request() {
            if super::is_running_here(&self.hub.0) {
                job.kill();
            } else if let Err(mail) = self.hub.0.post(Mail::Kill(job)) {
                mail.cancel();
            }
        }
    }
}

impl<T> Future for RemoteTask<T> {
    type Output = Result<T, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, TaskError>> {
        self.cell.poll_join(cx)
    }
}

impl<T> Drop for RemoteTask<T> {
    fn drop(&mut self) {
        self.cell.forget_waker();
    }
}

impl<T> fmt::Debug for RemoteTask<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteTask")
            .field("hub", &self.hub.index())
            .field("finished", &self.is_finished())
            .finish()
    }
}

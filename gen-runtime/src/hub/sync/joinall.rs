//! Waiting for many tasks: [`joinall`], [`wait`], [`killall`].

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::hub::engine::{TaskError, adopt, current, try_current};
use crate::hub::task::{Elapsed, Join, Sleep, TaskRef, nanos, sleep, with_timeout};

/// Waits for tasks to end (gevent's `joinall`); configure it, then await it.
///
/// Outputs the tasks that ended, in the order they ended (those already dead first, in the order
/// they died). Options, as gevent's keyword arguments:
/// - [`timeout`](JoinAll::timeout): stop waiting after this long, with the tasks ended so far;
/// - [`count`](JoinAll::count): stop once this many ended;
/// - [`raise_error`](JoinAll::raise_error): stop at the first task that panicked, with its error.
///
/// ```
/// use corogen::hub::{self, Hub};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// let done = hub.block_on(async {
///     let slow = hub::spawn(hub::sleep(Duration::from_secs(2)));
///     let quick = hub::spawn(hub::sleep(Duration::from_secs(1)));
///     let ended = hub::joinall([&slow, &quick]).await.unwrap();
///     ended == [quick.into_ref(), slow.into_ref()]
/// });
/// assert!(done);
/// ```
pub fn joinall<I>(tasks: I) -> JoinAll
where
    I: IntoIterator,
    I::Item: AsRef<TaskRef>,
{
    JoinAll {
        tasks: tasks
            .into_iter()
            .map(|task| task.as_ref().clone())
            .collect(),
        timeout: None,
        count: None,
        raise_error: false,
    }
}

/// The builder of [`joinall`]: await it.
#[must_use = "joinall does nothing unless awaited"]
pub struct JoinAll {
    tasks: Vec<TaskRef>,
    timeout: Option<Duration>,
    count: Option<usize>,
    raise_error: bool,
}

impl JoinAll {
    /// Stops waiting after `timeout`, with the tasks that ended so far.
    pub fn timeout(self, timeout: Duration) -> Self {
        JoinAll {
            timeout: Some(timeout),
            ..self
        }
    }

    /// Stops once `count` tasks ended.
    pub fn count(self, count: usize) -> Self {
        JoinAll {
            count: Some(count),
            ..self
        }
    }

    /// With `true`, stops at the first task that panicked, giving its error.
    pub fn raise_error(self, raise_error: bool) -> Self {
        JoinAll {
            raise_error,
            ..self
        }
    }
}

impl IntoFuture for JoinAll {
    type Output = Result<Vec<TaskRef>, TaskError>;
    type IntoFuture = JoinAllFuture;

    fn into_future(self) -> JoinAllFuture {
        let count = self.count.unwrap_or(self.tasks.len()).min(self.tasks.len());
        JoinAllFuture {
            joins: self.tasks.iter().map(TaskRef::join).collect(),
            tasks: self.tasks,
            timeout: self.timeout,
            timer: None,
            count,
            raise_error: self.raise_error,
        }
    }
}

/// The future of [`joinall`].
#[must_use = "futures do nothing unless awaited"]
pub struct JoinAllFuture {
    tasks: Vec<TaskRef>,
    joins: Vec<Join>,
    timeout: Option<Duration>,
    timer: Option<Sleep>,
    count: usize,
    raise_error: bool,
}

impl Future for JoinAllFuture {
    type Output = Result<Vec<TaskRef>, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let Some(first) = this.tasks.first() else {
            return Poll::Ready(Ok(Vec::new()));
        };
        let waiter = first.hub.core.borrow().current();
        for join in &mut this.joins {
            join.poll_dead(waiter);
        }
        let mut ended: Vec<(u64, &TaskRef)> = this
            .tasks
            .iter()
            .filter_map(|task| Some((task.finished()?, task)))
            .collect();
        ended.sort_by_key(|&(finished, _)| finished);
        if this.raise_error {
            if let Some(error) = ended.iter().find_map(|(_, task)| task.exception()) {
                return Poll::Ready(Err(error));
            }
        }
        let mut finish = ended.len() >= this.count;
        if !finish {
            if let Some(timeout) = this.timeout {
                let timer = this.timer.get_or_insert_with(|| sleep(timeout));
                finish = Pin::new(timer).poll(cx).is_ready();
            }
        }
        if finish {
            ended.truncate(this.count);
            return Poll::Ready(Ok(ended
                .into_iter()
                .map(|(_, task)| task.clone())
                .collect()));
        }
        Poll::Pending
    }
}

/// Waits until the hub has nothing else to do — no other task runnable, no timer armed — or
/// `timeout` passes; `true` in the first case, `false` in the second (gevent's
/// `wait(timeout=…)`).
///
/// Tasks waiting forever (on an event nobody will set) do not keep the hub busy.
///
/// ```
/// use corogen::hub::{self, Hub};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// let (early, late) = hub.block_on(async {
///     hub::spawn_later(Duration::from_secs(5), async {});
///     let early = hub::wait(Some(Duration::from_secs(1))).await; // the task is still pending
///     let late = hub::wait(None).await;
///     (early, late)
/// });
/// assert_eq!((early, late), (false, true));
/// assert_eq!(hub.now(), Duration::from_secs(5));
/// ```
pub fn wait(timeout: Option<Duration>) -> Wait {
    Wait {
        timeout,
        registered: None,
    }
}

/// The future of [`wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct Wait {
    timeout: Option<Duration>,
    /// The idle count and deadline when registered.
    registered: Option<(u64, Option<u64>)>,
}

impl Future for Wait {
    type Output = bool;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        adopt(cx);
        let this = self.get_mut();
        let hub = current();
        let mut core = hub.core.borrow_mut();
        let me = core.current();
        let (idles, deadline) = *this.registered.get_or_insert_with(|| {
            (
                core.idles,
                this.timeout
                    .map(|timeout| core.now().saturating_add(nanos(timeout))),
            )
        });
        if core.idles != idles {
            return Poll::Ready(true);
        }
        if deadline.is_some_and(|deadline| core.now() >= deadline) {
            return Poll::Ready(false);
        }
        if !core.idle_waiters.iter().any(|&(key, _)| key == me) {
            core.idle_waiters.push((me, deadline));
        }
        Poll::Pending
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        if self.registered.is_some() {
            if let Some(hub) = try_current() {
                if let Ok(mut core) = hub.core.try_borrow_mut() {
                    if let Some(me) = core.current {
                        core.idle_waiters.retain(|&(key, _)| key != me);
                    }
                }
            }
        }
    }
}

/// Kills every task, each as [`TaskRef::kill`] (at once, cleanup done when this returns).
pub fn killall<I>(tasks: I)
where
    I: IntoIterator,
    I::Item: AsRef<TaskRef>,
{
    for task in tasks {
        task.as_ref().kill();
    }
}

/// Kills every task, then waits at most `timeout` for them to be dead (gevent's
/// `killall(tasks, block=True, timeout=…)`): `Err(Elapsed)` if some is still alive then.
///
/// A kill drops a task's future where it waits, so a task is dead as its kill returns; one
/// still alive is running, the caller itself among the tasks, which dies at its next
/// suspension: here, without this returning. (In gevent a greenlet may catch its
/// `GreenletExit` and go on; a Rust task cannot refuse its kill.)
///
/// ```
/// use corogen::hub::{self, Hub};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// hub.block_on(async {
///     let sleepers: Vec<_> = (0..2)
///         .map(|_| hub::spawn(hub::sleep(Duration::from_secs(5))))
///         .collect();
///     assert_eq!(hub::killall_timeout(&sleepers, Duration::from_secs(1)).await, Ok(()));
///     assert!(sleepers.iter().all(|task| task.killed()));
/// });
/// ```
pub async fn killall_timeout<I>(tasks: I, timeout: Duration) -> Result<(), Elapsed>
where
    I: IntoIterator,
    I::Item: AsRef<TaskRef>,
{
    let tasks: Vec<TaskRef> = tasks
        .into_iter()
        .map(|task| task.as_ref().clone())
        .collect();
    killall(&tasks);
    let ended = with_timeout(timeout, joinall(&tasks).into_future()).await?;
    match ended {
        Ok(ended) if ended.len() == tasks.len() => Ok(()),
        _ => Err(Elapsed),
    }
}

/// Asks for every task to be killed at the hub's next turn, as [`TaskRef::kill_nowait`].
pub fn killall_nowait<I>(tasks: I)
where
    I: IntoIterator,
    I::Item: AsRef<TaskRef>,
{
    for task in tasks {
        task.as_ref().kill_nowait();
    }
}

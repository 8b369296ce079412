//! The escape hatch for blocking calls: run them on a small pool of threads and wait for them
//! cooperatively (gevent's threadpool).
//!
//! A plain [`Hub`](super::Hub) uses the pool shared by every such hub of the process; it starts
//! threads as jobs come, up to [`MAX_THREADS`], and they live for the rest of the process. The
//! hubs of a [`Runtime`](super::Runtime) use the runtime's own pool instead, whose threads the
//! runtime joins when it shuts down (after the jobs already queued have run: a job runs even if
//! nobody awaits it).
//!
//! On a target without threads (`wasm32-wasip1`, `wasm32-unknown-unknown`: wasm without
//! atomics) there is no pool: [`try_spawn_blocking`] gives an `Unsupported` error, and
//! [`spawn_blocking`] panics with it, in the task that called it.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread::{self, JoinHandle};

use super::base::{Remote, threads_available};
use super::engine;

/// The most threads the blocking pool starts.
pub const MAX_THREADS: usize = 4;

type Job = Box<dyn FnOnce() + Send>;

/// A blocking pool: the process's (for plain hubs) or a runtime's.
pub(crate) struct ThreadPool {
    jobs: Mutex<PoolState>,
    ready: Condvar,
    /// The name of its threads.
    name: &'static str,
}

struct PoolState {
    queue: VecDeque<Job>,
    threads: usize,
    idle: usize,
    /// Set by [`ThreadPool::shut_down`]: threads leave once the queue is empty, and no job is
    /// taken any more.
    closing: bool,
    /// The threads started, to join at shutdown (the process's pool never shuts down).
    handles: Vec<JoinHandle<()>>,
}

/// The pool of plain hubs, shared by the whole process.
fn global_pool() -> &'static Arc<ThreadPool> {
    static POOL: OnceLock<Arc<ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| ThreadPool::new("corogen-blocking"))
}

thread_local! {
    /// The pool of the runtime hub that runs on this thread, with that hub's remote: a job of
    /// a task of that hub goes there, a job of another hub on this thread (a plain hub run
    /// from one of the runtime's tasks) to the process's pool.
    static HUB_POOL: RefCell<Option<(Arc<Remote>, Arc<ThreadPool>)>> = const { RefCell::new(None) };
}

/// Routes the blocking jobs of the hub that owns `remote` to `pool` while the guard lives,
/// on this thread (a runtime's hub; see [`HUB_POOL`]).
#[cfg(not(target_family = "wasm"))]
pub(crate) fn route_to(remote: Arc<Remote>, pool: Arc<ThreadPool>) -> PoolRoute {
    let previous = HUB_POOL.with(|route| route.replace(Some((remote, pool))));
    PoolRoute { previous }
}

/// Restores the routing it replaced (see [`route_to`]).
#[cfg(not(target_family = "wasm"))]
pub(crate) struct PoolRoute {
    previous: Option<(Arc<Remote>, Arc<ThreadPool>)>,
}

#[cfg(not(target_family = "wasm"))]
impl Drop for PoolRoute {
    fn drop(&mut self) {
        let previous = self.previous.take();
        HUB_POOL.with(|route| *route.borrow_mut() = previous);
    }
}

/// Queues `job` on the pool of the hub that owns `remote`.
fn submit_for(remote: &Arc<Remote>, job: Job) -> io::Result<()> {
    HUB_POOL.with(|route| match &*route.borrow() {
        Some((hub, pool)) if Arc::ptr_eq(hub, remote) => pool.submit(job),
        _ => global_pool().submit(job),
    })
}

impl ThreadPool {
    /// A pool with no thread yet; `name` names its threads.
    pub(crate) fn new(name: &'static str) -> Arc<Self> {
        Arc::new(ThreadPool {
            jobs: Mutex::new(PoolState {
                queue: VecDeque::new(),
                threads: 0,
                idle: 0,
                closing: false,
                handles: Vec::new(),
            }),
            ready: Condvar::new(),
            name,
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, PoolState> {
        // Jobs run outside the lock (and catch their panics): the state is whole either way.
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `job`, starting a thread for it if none is idle. Fails, leaving nothing queued,
    /// when the pool has no thread and cannot start one, or has shut down.
    fn submit(self: &Arc<Self>, job: Job) -> io::Result<()> {
        let mut state = self.state();
        if state.closing {
            return Err(io::Error::other(
                "corogen hub: the runtime has shut down its blocking pool",
            ));
        }
        if state.idle == 0 && state.threads < MAX_THREADS {
            let pool = Arc::clone(self);
            let spawned = thread::Builder::new()
                .name(self.name.to_owned())
                .spawn(move || pool.work());
            match spawned {
                Ok(handle) => {
                    state.threads += 1;
                    state.handles.push(handle);
                }
                // The threads already there will take the job.
                Err(_) if state.threads > 0 => {}
                Err(error) => return Err(spawn_error(&error)),
            }
        }
        state.queue.push_back(job);
        drop(state);
        self.ready.notify_one();
        Ok(())
    }

    fn work(&self) {
        let mut state = self.state();
        loop {
            if let Some(job) = state.queue.pop_front() {
                drop(state);
                job();
                state = self.state();
            } else if state.closing {
                return;
            } else {
                state.idle += 1;
                state = self
                    .ready
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                state.idle -= 1;
            }
        }
    }

    /// Refuses new jobs, lets the threads run the jobs already queued, and joins them. A job
    /// that blocks for ever holds this up: a blocking call cannot be interrupted.
    #[cfg(not(target_family = "wasm"))]
    pub(crate) fn shut_down(&self) {
        let handles = {
            let mut state = self.state();
            state.closing = true;
            std::mem::take(&mut state.handles)
        };
        self.ready.notify_all();
        for handle in handles {
            // A job's panic is caught inside it; a thread that died anyway has nothing left.
            drop(handle.join());
        }
    }

    /// Threads started and not joined.
    #[cfg(test)]
    pub(crate) fn threads(&self) -> usize {
        self.state().handles.len()
    }
}

/// The error of a pool that has no thread and cannot start one.
fn spawn_error(error: &io::Error) -> io::Error {
    io::Error::new(
        error.kind(),
        format!("corogen hub: cannot start a blocking-pool thread: {error}"),
    )
}

/// The error of a target without threads.
fn no_threads_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "corogen hub: this target has no threads (wasm without atomics), so no blocking pool: \
         run the blocking call in the task itself",
    )
}

/// Runs `f` on the blocking pool; the task awaiting it waits cooperatively, the hub running
/// other tasks meanwhile. A panic in `f` resumes in the awaiting task.
///
/// While a blocking job runs, its hub is not idle, and a virtual clock does not move.
///
/// ```
/// use corogen::hub::{self, Hub};
///
/// let hub = Hub::new();
/// let sum = hub.block_on(async { hub::spawn_blocking(|| (1..=100u64).sum::<u64>()).await });
/// assert_eq!(sum, 5050);
/// ```
///
/// # Panics
/// Outside a running hub; and, as `std::thread::spawn` does, when the pool has no thread and
/// cannot start one (a target without threads, such as `wasm32-wasip1`, or the OS refused):
/// [`try_spawn_blocking`] returns that error instead. The hub is left as it was.
pub fn spawn_blocking<T, F>(f: F) -> Blocking<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match try_spawn_blocking(f) {
        Ok(job) => job,
        Err(error) => refused(&error),
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn refused(error: &io::Error) -> ! {
    panic!("corogen hub: spawn_blocking: {error}")
}

/// As [`spawn_blocking`], with an error instead of a panic when the job cannot run: the pool
/// has no thread and cannot start one. On a target without threads (wasm without atomics:
/// `wasm32-wasip1`, `wasm32-unknown-unknown`) that is always so, and the error's kind is
/// [`Unsupported`](io::ErrorKind::Unsupported); elsewhere it is the OS's refusal to start a
/// thread.
///
/// ```
/// use corogen::hub::{self, Hub};
///
/// let hub = Hub::new();
/// let sum = hub.block_on(async {
///     match hub::try_spawn_blocking(|| (1..=100u64).sum::<u64>()) {
///         Ok(job) => job.await,
///         Err(_no_pool) => (1..=100u64).sum::<u64>(), // run it here, blocking the hub
///     }
/// });
/// assert_eq!(sum, 5050);
/// ```
///
/// # Errors
/// When no pool thread can run the job (above); nothing is started then.
///
/// # Panics
/// Outside a running hub.
pub fn try_spawn_blocking<T, F>(f: F) -> io::Result<Blocking<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let remote = Arc::clone(&engine::current().remote);
    if !threads_available() {
        return Err(no_threads_error());
    }
    let shared = Arc::new(Shared {
        state: Mutex::new((None, None)),
    });
    // Counted before the job can finish (and uncount itself).
    remote.blocking.fetch_add(1, Ordering::AcqRel);
    let job_shared = Arc::clone(&shared);
    let job_remote = Arc::clone(&remote);
    let submitted = submit_for(
        &remote,
        Box::new(move || {
            let result = catch_unwind(AssertUnwindSafe(f));
            let waker = {
                let mut state = job_shared
                    .state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                state.0 = Some(result);
                state.1.take()
            };
            // Wake before uncounting, so the hub never sees the job neither running nor woken;
            // then unpark it again, in case it parked while the job still counted.
            if let Some(waker) = waker {
                waker.wake();
            }
            job_remote.blocking.fetch_sub(1, Ordering::AcqRel);
            job_remote.notify();
        }),
    );
    if let Err(error) = submitted {
        remote.blocking.fetch_sub(1, Ordering::AcqRel);
        return Err(error);
    }
    Ok(Blocking { shared })
}

struct Shared<T> {
    state: Mutex<(Option<thread::Result<T>>, Option<Waker>)>,
}

/// The future of [`spawn_blocking`].
#[must_use = "the job runs anyway; await it for its value"]
pub struct Blocking<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Future for Blocking<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut state = self
            .shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match state.0.take() {
            Some(Ok(value)) => Poll::Ready(value),
            Some(Err(payload)) => {
                drop(state);
                resume_unwind(payload)
            }
            None => {
                // Through an async generator's wrapper: it clones as the waker it wraps, which
                // `will_wake` then recognises at the next poll.
                let waker = crate::async_gen::outer_waker(cx.waker());
                if !state
                    .1
                    .as_ref()
                    .is_some_and(|stored| stored.will_wake(waker))
                {
                    state.1 = Some(waker.clone());
                }
                Poll::Pending
            }
        }
    }
}

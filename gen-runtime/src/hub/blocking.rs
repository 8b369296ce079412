//! The escape hatch for blocking calls: run them on a small pool of threads and wait for them
//! cooperatively (gevent's threadpool).
//!
//! The pool is shared by every hub of the process; it starts threads as jobs come, up to
//! [`MAX_THREADS`], and they live for the rest of the process.
//!
//! On a target without threads (`wasm32-wasip1`, `wasm32-unknown-unknown`: wasm without
//! atomics) there is no pool: [`try_spawn_blocking`] gives an `Unsupported` error, and
//! [`spawn_blocking`] panics with it, in the task that called it.

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread;

use super::base::threads_available;
use super::engine;

/// The most threads the blocking pool starts.
pub const MAX_THREADS: usize = 4;

type Job = Box<dyn FnOnce() + Send>;

struct ThreadPool {
    jobs: Mutex<PoolState>,
    ready: Condvar,
}

struct PoolState {
    queue: VecDeque<Job>,
    threads: usize,
    idle: usize,
}

fn pool() -> &'static ThreadPool {
    static POOL: OnceLock<ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| ThreadPool {
        jobs: Mutex::new(PoolState {
            queue: VecDeque::new(),
            threads: 0,
            idle: 0,
        }),
        ready: Condvar::new(),
    })
}

impl ThreadPool {
    /// Queues `job`, starting a thread for it if none is idle. Fails, leaving nothing queued,
    /// only when the pool has no thread and cannot start one.
    fn submit(&'static self, job: Job) -> io::Result<()> {
        let mut state = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        if state.idle == 0 && state.threads < MAX_THREADS {
            let spawned = thread::Builder::new()
                .name("corogen-blocking".to_owned())
                .spawn(move || self.work());
            match spawned {
                Ok(_) => state.threads += 1,
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
        let mut state = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(job) = state.queue.pop_front() {
                drop(state);
                job();
                state = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
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
    let submitted = pool().submit(Box::new(move || {
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
    }));
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

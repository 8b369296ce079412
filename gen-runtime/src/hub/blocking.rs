//! The escape hatch for blocking calls: run them on a small pool of threads and wait for them
//! cooperatively (gevent's threadpool).
//!
//! The pool is shared by every hub of the process; it starts threads as jobs come, up to
//! [`MAX_THREADS`], and they live for the rest of the process.

use std::collections::VecDeque;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread;

use super::run;

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
    fn submit(&'static self, job: Job) {
        let mut state = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        state.queue.push_back(job);
        if state.idle == 0 && state.threads < MAX_THREADS {
            state.threads += 1;
            let spawned = thread::Builder::new()
                .name("corogen-blocking".to_owned())
                .spawn(move || self.work());
            if spawned.is_err() {
                state.threads -= 1;
                assert!(
                    state.threads > 0,
                    "corogen hub: cannot start a blocking-pool thread"
                );
            }
        }
        drop(state);
        self.ready.notify_one();
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
/// Outside a running hub.
pub fn spawn_blocking<T, F>(f: F) -> Blocking<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let remote = Arc::clone(&run::current().remote);
    let shared = Arc::new(Shared {
        state: Mutex::new((None, None)),
    });
    remote.blocking.fetch_add(1, Ordering::AcqRel);
    let job_shared = Arc::clone(&shared);
    let job_remote = Arc::clone(&remote);
    pool().submit(Box::new(move || {
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
    Blocking { shared }
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

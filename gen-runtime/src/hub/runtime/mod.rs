//! One hub per core: [`Runtime`] (thread-per-core, no work stealing), the `Send` handles that
//! name its hubs from any thread ([`HubHandle`], [`RuntimeHandle`]), tasks built on another hub
//! ([`spawn_on`], [`spawn_anywhere`], [`RemoteTask`]) and the queue between hubs
//! ([`ThreadQueue`]).
//!
//! Each hub stays what it is on its own: its tasks are not `Send`, and its fast paths (spawn,
//! poll, wake of its own tasks) are those of a plain [`Hub`]. What crosses hubs lives only in
//! these handles, each a lock and a waker:
//!
//! - a hub's **mailbox** (`mailbox.rs`): a request from another thread is a `Send` closure that
//!   builds the task; the hub's mailbox task takes the requests in batches and spawns what they
//!   build, so the task itself needs no `Send`;
//! - a request's **cell** (`remote_task.rs`): the closure, then the task's key on its hub, then
//!   its output, and the joiner's waker, in one allocation;
//! - [`ThreadQueue`]'s items and waiters (`queue.rs`), and [`ThreadEvent`](super::ThreadEvent)
//!   and [`ThreadAsyncResult`](super::ThreadAsyncResult) for a flag or one value.
//!
//! Every wait across hubs is the hub's ordinary wait for a foreign waker: the waker goes into
//! the handle, and a wake from another thread puts the task's key onto its hub's remote queue
//! and unparks the hub's thread (or notifies its poller).
//!
//! Not compiled on wasm (no threads there, or none a hub can rely on).

mod mailbox;
mod queue;
mod remote_task;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::num::NonZeroUsize;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};

pub use mailbox::HubHandle;
pub use queue::{ThreadGet, ThreadPut, ThreadQueue};
pub use remote_task::RemoteTask;

use super::base::Remote;
use super::blocking::{PoolRoute, ThreadPool, route_to};
use super::engine;
use super::scheduler::{Hub, IntoMainTask};
use super::task::IntoTask;
use mailbox::{HubShared, Job, Mail, serve_mailbox};
use remote_task::RemoteCell;

/// One hub per core: `n` hubs, each on its own thread, and a blocking pool of their own.
///
/// Hub 0 is the thread that makes the runtime: it runs in [`block_on`](Self::block_on), whose
/// task may borrow the caller's locals, as [`Hub::block_on`]'s does. Hubs 1 to `n - 1` run on
/// threads the runtime starts, from the start to the shutdown. Each hub's tasks stay on its
/// thread and need not be `Send`; other threads name a hub by its [`HubHandle`] and build
/// tasks on it with `Send` closures ([`HubHandle::spawn`], [`spawn_anywhere`]). There is no
/// work stealing (the model of glommio, monoio and Pingora's runtime): a task runs where it was
/// put, and a hub whose tasks all wait sleeps while the others work.
///
/// ```
/// use corogen::hub::{self, Runtime};
/// use std::rc::Rc;
///
/// let runtime = Runtime::new(2);
/// let total = runtime.block_on(async {
///     let tasks: Vec<_> = (0..10u64)
///         .map(|i| {
///             hub::spawn_anywhere(move || {
///                 let local = Rc::new(i); // built on its hub: no `Send` needed inside
///                 async move { *local * 2 }
///             })
///         })
///         .collect();
///     let mut total = 0;
///     for task in tasks {
///         total += task.await.unwrap();
///     }
///     total
/// });
/// assert_eq!(total, 90);
/// ```
///
/// # Shutdown
///
/// Dropping the runtime (or [`shutdown`](Self::shutdown)) ends every hub's tasks, their cleanup
/// running on their own hub's thread, as a dropped [`Hub`] does; requests not run yet end as
/// killed, and so do the [`RemoteTask`]s of the tasks killed. It then joins every thread it
/// started: the hubs', then its blocking pool's, once the jobs already queued there have run
/// (a blocking call cannot be interrupted: a job that never returns holds the shutdown up, and
/// so does a task that never yields).
///
/// # Panics stay on their hub
///
/// A task's panic is caught by its hub, as on any hub: the others go on, and the task's
/// [`RemoteTask`] gives [`TaskError::Panicked`](super::TaskError::Panicked). A builder closure that panics ends its
/// request the same way, on its hub, which goes on.
///
/// # Real time only
///
/// Every hub of a runtime keeps the wall clock. The virtual clock ([`Hub::new_virtual`]) stays
/// a single-hub feature: a simulation is reproducible to the event because one thread decides
/// the order of everything, which hubs on several cores cannot do.
pub struct Runtime {
    shared: Arc<RuntimeShared>,
    /// Hub 0, on this thread.
    main: Hub,
    /// Its context while it runs (`block_on`, the shutdown).
    main_context: Rc<HubContext>,
    threads: Vec<JoinHandle<()>>,
}

/// What a runtime's handles share.
struct RuntimeShared {
    hubs: Box<[HubHandle]>,
    /// The next hub of [`RuntimeHandle::spawn_anywhere`] from a thread that is none of the
    /// runtime's hubs (those keep their own cursor).
    next: AtomicUsize,
    pool: Arc<ThreadPool>,
}

impl Runtime {
    /// A runtime of `hubs` hubs: this thread's and `hubs - 1` new threads.
    ///
    /// # Panics
    /// If `hubs` is zero, or the OS cannot start a thread (as `std::thread::spawn`).
    pub fn new(hubs: usize) -> Runtime {
        assert!(hubs > 0, "corogen hub: a runtime needs at least one hub");
        let shared = Arc::new(RuntimeShared {
            hubs: (0..hubs)
                .map(|index| HubHandle(HubShared::new(index)))
                .collect(),
            next: AtomicUsize::new(0),
            pool: ThreadPool::new("corogen-rt-blocking"),
        });
        let main = Hub::new();
        main.spawn(serve_mailbox(Arc::clone(&shared.hubs[0].0)));
        let main_context = Rc::new(HubContext::new(&shared, 0, &main));
        let threads = (1..hubs)
            .map(|index| {
                let shared = Arc::clone(&shared);
                thread::Builder::new()
                    .name(format!("corogen-hub-{index}"))
                    .spawn(move || run_hub(&shared, index))
                    .expect("corogen hub: cannot start a runtime's thread")
            })
            .collect();
        Runtime {
            shared,
            main,
            main_context,
            threads,
        }
    }

    /// A runtime of one hub per core: as many as [`std::thread::available_parallelism`] says
    /// (1 if it cannot tell).
    pub fn per_core() -> Runtime {
        Runtime::new(thread::available_parallelism().map_or(1, NonZeroUsize::get))
    }

    /// How many hubs it has.
    pub fn hubs(&self) -> usize {
        self.shared.hubs.len()
    }

    /// Hub `index` (0 is this thread's).
    ///
    /// # Panics
    /// If there is no such hub.
    pub fn hub(&self, index: usize) -> &HubHandle {
        &self.shared.hubs[index]
    }

    /// A `Send` handle to the runtime, for other threads and hubs.
    pub fn handle(&self) -> RuntimeHandle {
        RuntimeHandle(Arc::clone(&self.shared))
    }

    /// Builds a task on the next hub, round-robin (see [`spawn_anywhere`]).
    pub fn spawn_anywhere<F, T>(&self, build: F) -> RemoteTask<T::Output>
    where
        F: FnOnce() -> T + Send + 'static,
        T: IntoTask,
        T::Output: Send,
    {
        self.handle().spawn_anywhere(build)
    }

    /// Runs `task` as hub 0's main task until it ends, giving its value; the other hubs run
    /// meanwhile on their threads (and go on after). As with [`Hub::block_on`], the task may
    /// borrow the caller's locals, and the other tasks of hub 0 run only in `block_on`.
    ///
    /// # Panics
    /// As [`Hub::block_on`]: with the task's panic (the runtime goes on, every hub with it), or
    /// if called from a task of hub 0. A runtime's hubs never go idle (they wait for requests),
    /// so a task that waits for ever makes `block_on` wait for ever.
    pub fn block_on<T: IntoMainTask>(&self, task: T) -> T::Output {
        let _context = enter(Rc::clone(&self.main_context));
        self.main.block_on(task)
    }

    /// Shuts the runtime down (see [the type's docs](Self#shutdown)); the same as dropping it.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // No new task from now on; the other hubs' mailbox tasks end, and with them their
        // hubs, which kill what is left on their own threads while this one kills hub 0's.
        for hub in &self.shared.hubs {
            hub.0.close();
        }
        {
            let _context = enter(Rc::clone(&self.main_context));
            self.main.inner.shut_down();
        }
        for thread in self.threads.drain(..) {
            // A hub's thread catches its tasks' panics; one that died anyway has nothing left.
            drop(thread.join());
        }
        self.shared.pool.shut_down();
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("hubs", &self.hubs())
            .finish()
    }
}

/// The body of hub `index`'s thread: the hub runs its mailbox until the runtime closes it,
/// then is dropped here, its tasks killed on their thread.
fn run_hub(shared: &Arc<RuntimeShared>, index: usize) {
    let hub = Hub::new();
    let _context = enter(Rc::new(HubContext::new(shared, index, &hub)));
    hub.block_on(serve_mailbox(Arc::clone(&shared.hubs[index].0)));
    drop(hub);
}

/// A `Send + Sync` handle to a [`Runtime`]: its hubs, and round-robin spawning, from any
/// thread. It outlives the runtime harmlessly: requests after the shutdown end as killed.
#[derive(Clone)]
pub struct RuntimeHandle(Arc<RuntimeShared>);

impl RuntimeHandle {
    /// The runtime's hubs, hub 0 first.
    pub fn hubs(&self) -> &[HubHandle] {
        &self.0.hubs
    }

    /// Builds a task on the next hub, round-robin (see [`spawn_anywhere`]).
    pub fn spawn_anywhere<F, T>(&self, build: F) -> RemoteTask<T::Output>
    where
        F: FnOnce() -> T + Send + 'static,
        T: IntoTask,
        T::Output: Send,
    {
        let context = current_context();
        let hubs = &self.0.hubs;
        match &context {
            // A hub of this runtime keeps its own cursor, starting after itself: no shared
            // counter between hubs.
            Some(context) if Arc::ptr_eq(&context.runtime, &self.0) => context.spawn_next(build),
            _ => {
                let next = self.0.next.fetch_add(1, Ordering::Relaxed) % hubs.len();
                hubs[next].spawn_with(build, context.as_deref())
            }
        }
    }
}

impl fmt::Debug for RuntimeHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeHandle")
            .field("hubs", &self.0.hubs.len())
            .finish()
    }
}

impl HubHandle {
    /// Builds a task on this hub: `build` runs there (as soon as the hub gets to the request,
    /// at once if this is the running hub) and its task is spawned there, so only the closure
    /// crosses threads, and only its output comes back. A generator task is built the same
    /// way. See [`spawn_on`].
    pub fn spawn<F, T>(&self, build: F) -> RemoteTask<T::Output>
    where
        F: FnOnce() -> T + Send + 'static,
        T: IntoTask,
        T::Output: Send,
    {
        self.spawn_with(build, current_context().as_deref())
    }

    /// [`spawn`](Self::spawn), given the running hub's context (looked up once per spawn).
    fn spawn_with<F, T>(&self, build: F, running: Option<&HubContext>) -> RemoteTask<T::Output>
    where
        F: FnOnce() -> T + Send + 'static,
        T: IntoTask,
        T::Output: Send,
    {
        let cell = RemoteCell::new(build);
        let task = RemoteTask {
            cell: Arc::clone(&cell) as _,
            hub: self.clone(),
        };
        let here = running
            .is_some_and(|context| Arc::ptr_eq(&context.runtime.hubs[context.index].0, &self.0));
        if here {
            Job::run(cell);
        } else if let Err(mail) = self.0.post(Mail::Spawn(cell)) {
            mail.cancel();
        }
        task
    }
}

/// Builds a task on `hub`, which may be another thread's: `build` is a `Send` closure that
/// runs on that hub and makes the task there (a future or a generator task), so the task
/// itself needs no `Send`; its output comes back through the [`RemoteTask`], a `Send` future
/// to await from any hub or thread. The same as [`hub.spawn(build)`](HubHandle::spawn).
///
/// ```
/// use corogen::hub::{self, Runtime};
///
/// let runtime = Runtime::new(2);
/// let other = runtime.hub(1).clone();
/// let on = runtime.block_on(async move {
///     hub::spawn_on(&other, || async { hub::current_hub().unwrap().index() }).await
/// });
/// assert_eq!(on, Ok(1));
/// ```
pub fn spawn_on<F, T>(hub: &HubHandle, build: F) -> RemoteTask<T::Output>
where
    F: FnOnce() -> T + Send + 'static,
    T: IntoTask,
    T::Output: Send,
{
    hub.spawn(build)
}

/// Builds a task on the next hub of the running hub's runtime, round-robin (this hub
/// included), as [`spawn_on`] does on one hub. Each hub keeps its own cursor, so hubs that
/// spawn anywhere share no counter.
///
/// # Panics
/// Outside a task of a [`Runtime`]'s hub (see [`RuntimeHandle::spawn_anywhere`] for other
/// threads).
pub fn spawn_anywhere<F, T>(build: F) -> RemoteTask<T::Output>
where
    F: FnOnce() -> T + Send + 'static,
    T: IntoTask,
    T::Output: Send,
{
    // One look-up of the running hub, and no count of the runtime's shared handle touched:
    // hubs that spawn anywhere at once share no cache line for it.
    match current_context() {
        Some(context) => context.spawn_next(build),
        None => no_runtime(),
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn no_runtime() -> ! {
    panic!(
        "corogen hub: spawn_anywhere needs a running hub of a Runtime (use a RuntimeHandle elsewhere)"
    )
}

/// The running hub, if it is one of a [`Runtime`]'s.
pub fn current_hub() -> Option<HubHandle> {
    current_context().map(|context| context.runtime.hubs[context.index].clone())
}

/// The runtime of the running hub, if it is one of a [`Runtime`]'s.
pub fn current_runtime() -> Option<RuntimeHandle> {
    current_context().map(|context| RuntimeHandle(Arc::clone(&context.runtime)))
}

/// What a thread knows of the runtime hub it runs.
struct HubContext {
    runtime: Arc<RuntimeShared>,
    index: usize,
    /// The hub's remote side: tells this hub from another one run on the same thread (a plain
    /// hub run from one of its tasks).
    remote: Arc<Remote>,
    /// The next hub of this hub's `spawn_anywhere`.
    cursor: Cell<usize>,
}

impl HubContext {
    fn new(runtime: &Arc<RuntimeShared>, index: usize, hub: &Hub) -> Self {
        HubContext {
            runtime: Arc::clone(runtime),
            index,
            remote: Arc::clone(&hub.inner.remote),
            cursor: Cell::new(index + 1),
        }
    }
}

/// Whether `hub` is the hub running on this thread.
fn is_running_here(hub: &Arc<HubShared>) -> bool {
    current_context()
        .is_some_and(|context| Arc::ptr_eq(&context.runtime.hubs[context.index].0, hub))
}

impl HubContext {
    /// Builds a task on the next hub of this hub's cursor, round-robin.
    fn spawn_next<F, T>(&self, build: F) -> RemoteTask<T::Output>
    where
        F: FnOnce() -> T + Send + 'static,
        T: IntoTask,
        T::Output: Send,
    {
        let next = self.cursor.get();
        self.cursor.set(next.wrapping_add(1));
        let hubs = &self.runtime.hubs;
        hubs[next % hubs.len()].spawn_with(build, Some(self))
    }
}

thread_local! {
    static CONTEXT: RefCell<Option<Rc<HubContext>>> = const { RefCell::new(None) };
}

/// The context of the running hub, if it is a runtime's.
fn current_context() -> Option<Rc<HubContext>> {
    let context = CONTEXT.with(|context| context.borrow().clone())?;
    let running = engine::try_current()?;
    Arc::ptr_eq(&running.remote, &context.remote).then_some(context)
}

/// Makes `context` this thread's while the guard lives, and routes its hub's blocking jobs to
/// the runtime's pool.
fn enter(context: Rc<HubContext>) -> ContextGuard {
    let route = route_to(
        Arc::clone(&context.remote),
        Arc::clone(&context.runtime.pool),
    );
    let previous = CONTEXT.with(|current| current.replace(Some(context)));
    ContextGuard {
        previous,
        _route: route,
    }
}

struct ContextGuard {
    previous: Option<Rc<HubContext>>,
    _route: PoolRoute,
}

impl Drop for ContextGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CONTEXT.with(|current| *current.borrow_mut() = previous);
    }
}

#[cfg(test)]
mod tests;

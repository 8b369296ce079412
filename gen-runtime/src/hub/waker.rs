//! Waking tasks from outside the hub's own operations: the [`Waker`] a task is polled with, and
//! the thread-safe queue ([`Remote`]) behind it.
//!
//! The hub's own operations (sleep, join, events, queues…) do not keep the waker: they register
//! the running task directly, unless a combinator polled them with a waker of its own
//! ([`adopt`]). The waker exists for foreign futures and for other threads (the blocking pool).
//! It costs nothing until used:
//!
//! - the waker a task is polled with is *borrowed*: its data is a pointer to a small struct on
//!   the stack of [`poll_with`], holding the hub's [`Remote`] and the task's key. Waking it
//!   pushes the key onto the remote queue; no allocation.
//! - cloning it makes an *owned* waker (an `Arc` holding the same two things), the only
//!   allocation, paid only by futures that keep a waker.

use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, RawWaker, RawWakerVTable, Wake, Waker};
use std::thread::Thread;

use super::task::TaskKey;

/// The part of a hub other threads may touch: keys of tasks woken through wakers, and the
/// hub's thread, to unpark it — or its poller, to interrupt its wait, once it has one.
pub(crate) struct Remote {
    woken: Mutex<Vec<TaskKey>>,
    notified: AtomicBool,
    thread: Thread,
    /// The hub's I/O poller, set (once, by the hub's thread) when its reactor is made; from
    /// then on the hub parks in the poller instead of parking the thread.
    poller: OnceLock<Arc<polling::Poller>>,
    /// Blocking-pool jobs started by this hub's tasks and not finished yet: while there are
    /// some, the hub is not idle and a virtual clock does not jump ahead.
    pub(crate) blocking: AtomicUsize,
    /// Owned wakers alive: while there are some, a wake may still come, so a hub with nothing
    /// else to do waits for one instead of calling itself idle.
    pub(crate) wakers: AtomicUsize,
}

impl Remote {
    /// A remote for a hub that runs on the calling thread.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Remote {
            woken: Mutex::new(Vec::new()),
            notified: AtomicBool::new(false),
            thread: std::thread::current(),
            poller: OnceLock::new(),
            blocking: AtomicUsize::new(0),
            wakers: AtomicUsize::new(0),
        })
    }

    /// Schedules the task `key`, from any thread.
    pub(crate) fn wake(&self, key: TaskKey) {
        self.woken
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(key);
        if !self.notified.swap(true, Ordering::AcqRel) {
            self.unpark();
        }
    }

    /// Unparks the hub's thread without waking a task (a blocking job finished).
    pub(crate) fn notify(&self) {
        if !self.notified.swap(true, Ordering::AcqRel) {
            self.unpark();
        }
    }

    /// Gets the hub out of its wait: the poller's if it has one, else the thread's park.
    fn unpark(&self) {
        // Pairs with the fence in `Reactor::park`: either this load sees the poller, or the
        // hub sees `notified` set before it blocks in the poller.
        fence(Ordering::SeqCst);
        match self.poller.get() {
            // A failed notification leaves nothing to do: the poller is broken and the hub
            // will say so at its next wait.
            Some(poller) => drop(poller.notify()),
            None => self.thread.unpark(),
        }
    }

    /// Hands the hub's poller to the other threads (once; later calls do nothing).
    pub(crate) fn set_poller(&self, poller: Arc<polling::Poller>) {
        drop(self.poller.set(poller));
    }

    /// Whether a wake is waiting to be taken.
    pub(crate) fn pending(&self) -> bool {
        self.notified.load(Ordering::Acquire)
    }

    /// Moves the woken keys into `into`.
    #[inline]
    pub(crate) fn take(&self, into: &mut Vec<TaskKey>) {
        // A load first: the hub calls this every turn, and a swap is a locked instruction.
        if self.notified.load(Ordering::Relaxed) && self.notified.swap(false, Ordering::AcqRel) {
            let mut woken = self.woken.lock().unwrap_or_else(PoisonError::into_inner);
            into.append(&mut woken);
        }
    }
}

/// The data of the borrowed waker: lives on the stack of one `poll_with` call.
struct Borrowed<'a> {
    remote: &'a Arc<Remote>,
    key: TaskKey,
}

static BORROWED_VTABLE: RawWakerVTable =
    RawWakerVTable::new(clone_borrowed, wake_borrowed, wake_borrowed, drop_borrowed);

/// Calls `poll` with a context whose waker wakes the task `key` of the hub owning `remote`.
pub(crate) fn poll_with<R>(
    remote: &Arc<Remote>,
    key: TaskKey,
    poll: impl FnOnce(&mut Context<'_>) -> R,
) -> R {
    let borrowed = Borrowed { remote, key };
    let raw = RawWaker::new((&raw const borrowed).cast(), &BORROWED_VTABLE);
    // SAFETY: the functions of BORROWED_VTABLE uphold `RawWaker`'s contract for a data pointer
    // to a live `Borrowed`: they only read it, and `Borrowed` is `Sync` (a shared `Arc<Remote>`,
    // whose `Remote` is thread-safe, and a `Copy` key), so they may run on any thread. The waker
    // made here is only lent out, as `&Waker` through the context, for this call, while
    // `borrowed` is alive; whoever keeps a waker clones it and gets an owned one that points at
    // nothing on this stack.
    let waker = unsafe { Waker::from_raw(raw) };
    let mut cx = Context::from_waker(&waker);
    poll(&mut cx)
}

/// Lets a hub operation work when it is polled with a context other than its task's own: by a
/// future that polls its children with wakers of its own (`FuturesUnordered`, `select_all`,
/// `buffer_unordered`…), which re-polls only the children whose waker was woken.
///
/// The hub's operations register the running task, not the waker (see the module docs), which
/// is all a task's own context needs. A foreign waker is kept in the task's slot instead, and
/// woken just before the task's next poll after one of the hub's operations woke the task: the
/// child then gets polled and checks its operation again. Children whose operation is not ready
/// yet see a spurious wake, which futures must tolerate. A wake through the task's waker does
/// not wake them: `FuturesUnordered` wakes its task whenever it has polled all its children, and
/// waking them all again each time would never end. The common case costs one comparison.
///
/// An async generator's body is polled with a wrapper of the waker its `poll_next` got (see
/// `async_gen.rs`), which wakes and clones as that waker: it is looked through, so a hub
/// operation awaited in an async generator polled by a task is the task's own (checked out of
/// line, so that the common case stays one comparison).
#[inline(always)]
pub(crate) fn adopt(cx: &Context<'_>) {
    if !std::ptr::eq(cx.waker().vtable(), &BORROWED_VTABLE) {
        adopt_foreign(cx.waker());
    }
}

#[cold]
#[inline(never)]
fn adopt_foreign(waker: &Waker) {
    let waker = crate::async_gen::outer_waker(waker);
    if std::ptr::eq(waker.vtable(), &BORROWED_VTABLE) {
        return;
    }
    if let Some(hub) = super::run::try_current() {
        hub.core.borrow_mut().adopt(waker);
    }
}

/// # Safety
/// `data` points at the live `Borrowed` of an enclosing `poll_with` call.
unsafe fn clone_borrowed(data: *const ()) -> RawWaker {
    // SAFETY: only `poll_with` makes wakers with BORROWED_VTABLE, and they are only reachable
    // during that call, so `data` points at its live `Borrowed`.
    let borrowed = unsafe { &*data.cast::<Borrowed<'_>>() };
    borrowed.remote.wakers.fetch_add(1, Ordering::AcqRel);
    let owned = Arc::new(Owned {
        remote: Arc::clone(borrowed.remote),
        key: borrowed.key,
    });
    let owned = ManuallyDrop::new(Waker::from(owned));
    // The owned waker's reference count moves into the returned `RawWaker`.
    RawWaker::new(owned.data(), owned.vtable())
}

/// # Safety
/// As `clone_borrowed`.
unsafe fn wake_borrowed(data: *const ()) {
    // SAFETY: as in `clone_borrowed`.
    let borrowed = unsafe { &*data.cast::<Borrowed<'_>>() };
    borrowed.remote.wake(borrowed.key);
}

fn drop_borrowed(_: *const ()) {}

/// The waker a clone of the borrowed one becomes.
struct Owned {
    remote: Arc<Remote>,
    key: TaskKey,
}

impl Drop for Owned {
    fn drop(&mut self) {
        self.remote.wakers.fetch_sub(1, Ordering::AcqRel);
        // A hub waiting only because this waker was alive may now be idle.
        self.remote.notify();
    }
}

impl Wake for Owned {
    fn wake(self: Arc<Self>) {
        self.remote.wake(self.key);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.remote.wake(self.key);
    }
}

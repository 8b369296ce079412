//! Waking tasks from outside the hub's own operations: the [`Waker`] a task is polled with, which
//! wakes through the hub's thread-safe [`Remote`].
//!
//! The hub's own operations (sleep, join, events, queues…) do not keep the waker: they register
//! the running task directly, unless a combinator polled them with a waker of its own (see
//! `adopt` in `engine/current.rs`, which tells the two apart with [`is_task_waker`]). The waker
//! exists for foreign futures and for other threads (the blocking pool).
//! It costs nothing until used:
//!
//! - the waker a task is polled with is *borrowed*: its data is a pointer to a small struct on
//!   the stack of [`poll_with`], holding the hub's [`Remote`] and the task's key. Waking it
//!   pushes the key onto the remote queue; no allocation.
//! - cloning it makes an *owned* waker (an `Arc` holding the same two things), the only
//!   allocation, paid only by futures that keep a waker. The remote counts the owned wakers
//!   alive by task: a hub with nothing to do waits for a wake while a task that is not dead has
//!   one, and not for a dead task's (see [`Remote::may_be_woken`]).

use std::mem::ManuallyDrop;
use std::sync::Arc;
use std::task::{Context, RawWaker, RawWakerVTable, Wake, Waker};

use super::key::TaskKey;
use super::remote::Remote;

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

/// Whether `waker` is the one the hub polls its task with (see [`poll_with`]): a hub operation
/// polled with it registers the running task, and needs nothing else.
#[inline(always)]
pub(crate) fn is_task_waker(waker: &Waker) -> bool {
    std::ptr::eq(waker.vtable(), &BORROWED_VTABLE)
}

/// # Safety
/// `data` points at the live `Borrowed` of an enclosing `poll_with` call.
unsafe fn clone_borrowed(data: *const ()) -> RawWaker {
    // SAFETY: only `poll_with` makes wakers with BORROWED_VTABLE, and they are only reachable
    // during that call, so `data` points at its live `Borrowed`.
    let borrowed = unsafe { &*data.cast::<Borrowed<'_>>() };
    borrowed.remote.waker_made(borrowed.key);
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
        self.remote.waker_dropped(self.key);
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

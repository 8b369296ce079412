//! The hub running on this thread, for the free functions (`sleep`, `spawn`…) and the hub's
//! operations, and [`adopt`], how an operation polled with a waker not its task's own keeps it.

use std::cell::RefCell;
use std::rc::Rc;
use std::task::{Context, Waker};

use super::inner::Inner;
use crate::hub::base::is_task_waker;

thread_local! {
    /// The hub running on this thread, for the free functions (`sleep`, `spawn`…).
    static CURRENT: RefCell<Option<Rc<Inner>>> = const { RefCell::new(None) };
}

/// The hub running on this thread, if any.
// Inline: every wait on a wait list finds the running task through here, and which codegen
// unit this lands in (so whether its callers can inline it) otherwise shifts with unrelated
// code (S3's queue rows of bench/callgrind-sched.sh).
#[inline]
pub(crate) fn try_current() -> Option<Rc<Inner>> {
    CURRENT.with(|current| current.borrow().clone())
}

/// The hub running on this thread, or a clear panic.
// Inline, as `try_current`: whether the thread-local's access is inlined into `Sleep::poll`
// (S1, one per switch) otherwise shifts with unrelated code.
#[inline]
#[track_caller]
pub(crate) fn current() -> Rc<Inner> {
    match try_current() {
        Some(hub) => hub,
        None => no_hub(),
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn no_hub() -> ! {
    panic!("corogen hub: no hub is running on this thread (call this from a task)")
}

/// Makes a hub current for the duration of a run, restoring the previous one after.
pub(crate) struct Enter<'a> {
    hub: &'a Rc<Inner>,
    previous: Option<Rc<Inner>>,
}

impl<'a> Enter<'a> {
    pub(crate) fn new(hub: &'a Rc<Inner>) -> Self {
        assert!(
            !hub.running.replace(true),
            "corogen hub: the hub is already running (a task cannot run its own hub)"
        );
        let previous = CURRENT.with(|current| current.replace(Some(Rc::clone(hub))));
        Enter { hub, previous }
    }
}

impl Drop for Enter<'_> {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|current| *current.borrow_mut() = previous);
        self.hub.running.set(false);
    }
}

/// Lets a hub operation work when it is polled with a context other than its task's own: by a
/// future that polls its children with wakers of its own (`FuturesUnordered`, `select_all`,
/// `buffer_unordered`…), which re-polls only the children whose waker was woken.
///
/// The hub's operations register the running task, not the waker, which is all a task's own
/// context needs. A foreign waker is kept by the task table instead, and woken just before the
/// task's next poll after one of the hub's operations woke the task: the child then gets polled
/// and checks its operation again. Children whose operation is not ready yet see a spurious
/// wake, which futures must tolerate. A wake through the task's waker does not wake them:
/// `FuturesUnordered` wakes its task whenever it has polled all its children, and waking them
/// all again each time would never end. The common case costs one comparison.
///
/// An async generator's body is polled with a wrapper of the waker its `poll_next` got (see
/// `async_gen.rs`), which wakes and clones as that waker: it is looked through, so a hub
/// operation awaited in an async generator polled by a task is the task's own (checked out of
/// line, so that the common case stays one comparison).
#[inline(always)]
pub(crate) fn adopt(cx: &Context<'_>) {
    if !is_task_waker(cx.waker()) {
        adopt_foreign(cx.waker());
    }
}

#[cold]
#[inline(never)]
fn adopt_foreign(waker: &Waker) {
    let waker = crate::async_gen::outer_waker(waker);
    if is_task_waker(waker) {
        return;
    }
    if let Some(hub) = try_current() {
        hub.core.borrow_mut().adopt(waker);
    }
}

//! Handles to tasks: [`TaskRef`] (any task) and [`Task<T>`] (a task returning `T`), gevent's
//! `Greenlet` object: state queries, `join`, `get`, `kill`, and links.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::hub::base::TaskKey;
use crate::hub::engine::{
    self, Callback, Core, Exit, Inner, Slot, State, TaskError, Watcher, adopt,
};

/// A handle to a task of any result type: gevent's `Greenlet` object.
///
/// Handles are cheap to clone; the task's slot (and its result) lives until the task is dead
/// and its last handle dropped. Dropping every handle does not stop a task (it is detached).
///
/// A handle is [`Task<T>`] when its result type is known; `Task<T>` dereferences to `TaskRef`,
/// so everything here works on both.
pub struct TaskRef {
    pub(crate) hub: Rc<Inner>,
    pub(crate) key: TaskKey,
}

impl TaskRef {
    /// Wraps a handle the hub already counted.
    pub(crate) fn adopt(hub: Rc<Inner>, key: TaskKey) -> Self {
        TaskRef { hub, key }
    }

    /// Makes a new counted handle.
    pub(crate) fn retain(hub: &Rc<Inner>, key: TaskKey) -> Self {
        hub.retain(key);
        TaskRef {
            hub: Rc::clone(hub),
            key,
        }
    }

    fn state(&self) -> State {
        self.hub
            .core
            .borrow()
            .slot(self.key)
            .map_or(State::Free, |slot| slot.state)
    }

    /// A number that names the task among the tasks of its hub.
    pub fn id(&self) -> u64 {
        self.key.id()
    }

    /// Whether the task was started (spawned, scheduled, or switched into) and is not dead yet,
    /// like gevent's `started`.
    pub fn started(&self) -> bool {
        let core = self.hub.core.borrow();
        match core.slot(self.key).map(|slot| (slot.state, slot.queued)) {
            Some((State::Unstarted, queued)) => {
                queued
                    || (!core.start_timers.is_empty()
                        && core.start_timers.contains_key(&self.key.index))
            }
            Some((State::Suspended | State::Running, _)) => true,
            _ => false,
        }
    }

    /// Whether the task has ended: returned, panicked or was killed.
    pub fn dead(&self) -> bool {
        matches!(self.state(), State::Dead(_))
    }

    /// Same as [`dead`](Self::dead) (gevent's `ready()`).
    pub fn ready(&self) -> bool {
        self.dead()
    }

    /// Whether the task ended without a panic. As in gevent, a kill is a clean end
    /// (`GreenletExit` counts as success there), though a killed task has no value.
    pub fn successful(&self) -> bool {
        matches!(self.state(), State::Dead(Exit::Returned | Exit::Killed))
    }

    /// Whether the task was killed.
    pub fn killed(&self) -> bool {
        self.state() == State::Dead(Exit::Killed)
    }

    /// The task's panic, if it panicked (gevent's `exception`).
    pub fn exception(&self) -> Option<TaskError> {
        let core = self.hub.core.borrow();
        match core.slot(self.key)?.state {
            State::Dead(Exit::Panicked) => Some(TaskError::Panicked(
                core.panics
                    .get(&self.key.index)
                    .cloned()
                    .unwrap_or_default(),
            )),
            _ => None,
        }
    }

    /// Starts a task made with [`greenlet`](crate::hub::greenlet) (gevent's `start()`): it runs at
    /// the hub's next turn. Does nothing to a task already started or dead.
    pub fn start(&self) {
        let mut core = self.hub.core.borrow_mut();
        if core
            .slot(self.key)
            .is_some_and(|slot| slot.state == State::Unstarted)
        {
            core.wake(self.key);
        }
    }

    /// Waits until the task is dead. Outputs nothing: see [`Task::get`] for the value.
    ///
    /// A task joining itself would wait forever: it panics instead.
    pub fn join(&self) -> Join {
        Join {
            hub: Rc::clone(&self.hub),
            key: self.key,
            registered: None,
        }
    }

    /// Kills the task and returns once it is dead, its cleanup done (gevent's
    /// `kill(block=True)`).
    ///
    /// A task that has not started never runs. A suspended task has its future dropped here:
    /// the destructors of its live locals run, innermost scope first, before `kill` returns.
    /// Killing a dead task does nothing. A task that kills itself dies at its next suspension.
    pub fn kill(&self) {
        self.hub.kill(self.key);
    }

    /// Asks for the task to be killed at the hub's next turn, and returns at once (gevent's
    /// `kill(block=False)`). A task that has not started never runs: it is killed at that turn
    /// before any task runs. Asking again does nothing more.
    pub fn kill_nowait(&self) {
        self.hub.kill_nowait(self.key);
    }

    /// Calls `callback` once when the task ends, from the hub's loop (soon, if it already
    /// ended; at once if its hub was dropped). Callbacks run in the order they were linked.
    pub fn link(&self, callback: impl FnOnce(&TaskRef) + 'static) {
        let task = self.clone();
        self.add_link(Box::new(move || callback(&task)));
    }

    /// As [`link`](Self::link), only if the task ends [successfully](Self::successful).
    pub fn link_value(&self, callback: impl FnOnce(&TaskRef) + 'static) {
        self.link(move |task| {
            if task.successful() {
                callback(task);
            }
        });
    }

    /// As [`link`](Self::link), only if the task panics.
    pub fn link_exception(&self, callback: impl FnOnce(&TaskRef) + 'static) {
        self.link(move |task| {
            if !task.successful() {
                callback(task);
            }
        });
    }

    pub(crate) fn add_link(&self, link: Box<dyn FnOnce()>) {
        let mut core = self.hub.core.borrow_mut();
        match core.slot_mut(self.key) {
            Some(slot) if !matches!(slot.state, State::Dead(_)) => {
                slot.extra().watchers.push(Watcher::Link(link));
            }
            // No loop will run it: it runs now. (Kept, it would keep the hub through the
            // handle it holds.)
            _ if self.hub.closed.get() => {
                drop(core);
                link();
            }
            _ => core.callbacks.push_back(Callback::Call(link)),
        }
    }

    /// Calls `f` when the task dies, at once, after its future is dropped (from inside the
    /// kill, or the hub's loop), or now if it is dead already; also if the task's slot goes
    /// without a death (its hub being dropped). Not under any borrow of the hub: `f` may use
    /// it. Unlike a link, it needs no turn of the hub, and runs before the links.
    pub(crate) fn on_death(&self, f: impl FnOnce() + 'static) {
        self.add_guard(Box::new(CallOnDrop(Some(f))));
    }

    /// Keeps `guard` until the task dies, then drops it (see `Extra::guards`); drops it now
    /// if the task is dead already.
    pub(crate) fn add_guard(&self, guard: Box<dyn Any>) {
        let mut core = self.hub.core.borrow_mut();
        match core.slot_mut(self.key) {
            Some(slot) if !matches!(slot.state, State::Dead(_)) => {
                slot.extra().guards.push(guard);
            }
            _ => {
                drop(core);
                drop(guard);
            }
        }
    }

    /// When the task died, in deaths counted on its hub (for completion order).
    pub(crate) fn finished(&self) -> Option<u64> {
        let core = self.hub.core.borrow();
        let slot = core.slot(self.key)?;
        matches!(slot.state, State::Dead(_)).then_some(slot.finished)
    }
}

impl Clone for TaskRef {
    fn clone(&self) -> Self {
        TaskRef::retain(&self.hub, self.key)
    }
}

impl Drop for TaskRef {
    fn drop(&mut self) {
        self.hub.release(self.key);
    }
}

impl PartialEq for TaskRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.hub, &other.hub) && self.key == other.key
    }
}

impl Eq for TaskRef {}

impl std::hash::Hash for TaskRef {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl fmt::Debug for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<Task #{}>", self.id())
    }
}

/// `<Task #id>`, the analogue of gevent's `<Greenlet at 0x…>`.
impl fmt::Display for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<Task #{}>", self.id())
    }
}

impl AsRef<TaskRef> for TaskRef {
    fn as_ref(&self) -> &TaskRef {
        self
    }
}

/// A handle to a task that returns `T`: a [`TaskRef`] (it dereferences to one) that also knows
/// how to take the task's value.
pub struct Task<T> {
    raw: TaskRef,
    _output: PhantomData<fn() -> T>,
}

impl<T: 'static> Task<T> {
    pub(crate) fn new(raw: TaskRef) -> Self {
        Task {
            raw,
            _output: PhantomData,
        }
    }

    /// Waits until the task is dead, then takes its value, or gives why there is none.
    ///
    /// The value is moved out: a second `get` gives [`TaskError::Taken`] (see
    /// [`value`](Self::value) to clone it instead).
    pub fn get(&self) -> Get<T> {
        Get {
            target: self.raw.clone(),
            registered: None,
            _output: PhantomData,
        }
    }

    /// The task's value or error if it is dead (taking the value), `None` if it is not. The
    /// handle keeps them after the hub is dropped.
    pub fn try_get(&self) -> Option<Result<T, TaskError>> {
        take_output(&self.raw)
    }

    /// A clone of the task's value, if it returned one (gevent's `value`).
    pub fn value(&self) -> Option<T>
    where
        T: Clone,
    {
        let mut value = None;
        self.with_output(|output| value = output.as_ref().ok().cloned());
        value
    }

    fn with_output(&self, f: impl FnOnce(&mut Result<T, TaskError>)) {
        with_output(&self.raw, f);
    }

    /// As [`TaskRef::link`], the callback getting this typed handle.
    pub fn link(&self, callback: impl FnOnce(&Task<T>) + 'static) {
        let task = self.clone();
        self.raw.add_link(Box::new(move || callback(&task)));
    }

    /// As [`TaskRef::link_value`], the callback getting this typed handle.
    pub fn link_value(&self, callback: impl FnOnce(&Task<T>) + 'static) {
        self.link(move |task| {
            if task.successful() {
                callback(task);
            }
        });
    }

    /// As [`TaskRef::link_exception`], the callback getting this typed handle.
    pub fn link_exception(&self, callback: impl FnOnce(&Task<T>) + 'static) {
        self.link(move |task| {
            if !task.successful() {
                callback(task);
            }
        });
    }

    /// Turns this into the untyped handle.
    pub fn into_ref(self) -> TaskRef {
        self.raw
    }
}

impl<T> Clone for Task<T> {
    fn clone(&self) -> Self {
        Task {
            raw: self.raw.clone(),
            _output: PhantomData,
        }
    }
}

impl<T> Deref for Task<T> {
    type Target = TaskRef;

    fn deref(&self) -> &TaskRef {
        &self.raw
    }
}

impl<T> AsRef<TaskRef> for Task<T> {
    fn as_ref(&self) -> &TaskRef {
        &self.raw
    }
}

impl<T> PartialEq for Task<T> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl<T> Eq for Task<T> {}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.raw, f)
    }
}

impl<T> fmt::Display for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.raw, f)
    }
}

/// Calls its function when dropped: a [`TaskRef::on_death`] callback. A guard must not unwind
/// (the hub drops it in its loop): a panic of the function is caught.
struct CallOnDrop<F: FnOnce()>(Option<F>);

impl<F: FnOnce()> Drop for CallOnDrop<F> {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            catch_quietly(f);
        }
    }
}

/// Runs `f`, catching its panic (the panic hook has printed it).
pub(crate) fn catch_quietly(f: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
        drop(catch_unwind(AssertUnwindSafe(move || drop(payload))));
    }
}

/// Calls `f` with a dead task's result.
fn with_output<T: 'static>(task: &TaskRef, f: impl FnOnce(&mut Result<T, TaskError>)) {
    let mut core = task.hub.core.borrow_mut();
    if let Some(output) = core.slot_mut(task.key).and_then(output_of::<T>) {
        f(output);
    }
}

/// The result of the dead task in `slot`, if it is a `Result<T, TaskError>`.
fn output_of<T: 'static>(slot: &mut Slot) -> Option<&mut Result<T, TaskError>> {
    if !matches!(slot.state, State::Dead(_)) {
        return None;
    }
    slot.body
        .as_mut()?
        .as_mut()
        .output()?
        .downcast_mut::<Result<T, TaskError>>()
}

/// Takes the result of the dead task in `slot`, leaving [`TaskError::Taken`].
fn take_result<T: 'static>(slot: &mut Slot) -> Option<Result<T, TaskError>> {
    output_of::<T>(slot).map(|output| std::mem::replace(output, Err(TaskError::Taken)))
}

/// Takes a dead task's result, leaving [`TaskError::Taken`].
fn take_output<T: 'static>(task: &TaskRef) -> Option<Result<T, TaskError>> {
    let mut core = task.hub.core.borrow_mut();
    core.slot_mut(task.key).and_then(take_result::<T>)
}

/// The future of [`TaskRef::join`]: ready once the task is dead.
///
/// It holds the hub and the task's key, not a counted handle: a task whose slot was freed is
/// dead, so the join needs nothing of the task once it has ended.
#[must_use = "futures do nothing unless awaited"]
pub struct Join {
    hub: Rc<Inner>,
    key: TaskKey,
    /// The waiting task, once registered in the target's watchers.
    registered: Option<TaskKey>,
}

impl Join {
    /// The id of the task joined (for `Debug`).
    pub(crate) fn target_id(&self) -> u64 {
        self.key.id()
    }

    /// Registers `waiter` to be woken when the target dies; `true` if it is already dead.
    pub(crate) fn poll_dead(&mut self, waiter: TaskKey) -> bool {
        let mut core = self.hub.core.borrow_mut();
        poll_dead(&mut core, self.key, Some(waiter), &mut self.registered)
    }
}

/// Registers `waiter` (once, in `registered`) to be woken when `key` dies; `true` if it is
/// already dead (or its slot is gone, which only a dead task's can be).
///
/// The waiter is needed only if the task is not dead: a dead task's join is ready anywhere,
/// outside a task, or once its hub is gone. Without one, a live task's join panics.
#[inline]
fn poll_dead(
    core: &mut Core,
    key: TaskKey,
    waiter: Option<TaskKey>,
    registered: &mut Option<TaskKey>,
) -> bool {
    let Some(slot) = core.slot_mut(key) else {
        return true;
    };
    if matches!(slot.state, State::Dead(_)) {
        *registered = None;
        return true;
    }
    let Some(waiter) = waiter else {
        engine::outside_task()
    };
    assert!(waiter != key, "corogen hub: a task cannot join itself");
    if registered.is_none() {
        slot.extra().watchers.push(Watcher::Join(waiter));
        *registered = Some(waiter);
    }
    false
}

/// Takes `waiter` out of the watchers of `key`, if it is still there.
fn unregister(hub: &Inner, key: TaskKey, waiter: TaskKey) {
    let mut core = hub.core.borrow_mut();
    if let Some(extra) = core.slot_mut(key).and_then(|slot| slot.extra.as_mut()) {
        extra.watchers.remove_join(waiter);
    }
}

impl Future for Join {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        adopt(cx);
        let this = self.get_mut();
        let mut core = this.hub.core.borrow_mut();
        let waiter = core.current;
        if poll_dead(&mut core, this.key, waiter, &mut this.registered) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Join {
    fn drop(&mut self) {
        if let Some(waiter) = self.registered.take() {
            unregister(&self.hub, self.key, waiter);
        }
    }
}

/// The future of [`Task::get`].
///
/// Unlike a [`Join`], it holds a counted handle: the task's result must outlive the task's
/// other handles until it is taken.
#[must_use = "futures do nothing unless awaited"]
pub struct Get<T> {
    target: TaskRef,
    /// The waiting task, once registered in the target's watchers.
    registered: Option<TaskKey>,
    _output: PhantomData<fn() -> T>,
}

impl<T: 'static> Future for Get<T> {
    type Output = Result<T, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        adopt(cx);
        let this = self.get_mut();
        let mut core = this.target.hub.core.borrow_mut();
        let waiter = core.current;
        if !poll_dead(&mut core, this.target.key, waiter, &mut this.registered) {
            return Poll::Pending;
        }
        // The result is moved out, not dropped: no user code runs while the core is borrowed.
        let result = core.slot_mut(this.target.key).and_then(take_result::<T>);
        Poll::Ready(result.unwrap_or(Err(TaskError::Taken)))
    }
}

impl<T> Drop for Get<T> {
    fn drop(&mut self) {
        if let Some(waiter) = self.registered.take() {
            unregister(&self.target.hub, self.target.key, waiter);
        }
    }
}

/// The task running now (gevent's `getcurrent()`).
///
/// # Panics
/// Outside a task of a running hub.
pub fn getcurrent() -> TaskRef {
    let hub = engine::current();
    let key = hub.core.borrow().current();
    TaskRef::retain(&hub, key)
}

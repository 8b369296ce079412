//! The hub's state: the task slots, the run queue, the timers, the callbacks, and the clock;
//! and the transitions of a task's life (spawn, finish, kill, free).
//!
//! # Task states
//!
//! - `Unstarted`: spawned, never polled. Scheduled (in the run queue or behind a start timer) or,
//!   for a greenlet, waiting for the first switch into it.
//! - `Suspended`: polled at least once, waiting for a wake.
//! - `Running`: its body is out of the slot, being polled (or being dropped by a kill).
//! - `Dead`: finished, killed or panicked. The body holds the result.
//! - `Free`: no task; the slot waits for the next spawn.
//!
//! A slot is freed when its task is dead and no handle ([`TaskRef`](super::TaskRef)) is left.
//!
//! # Borrowing
//!
//! `Core` is behind a `RefCell`, borrowed only for short, non-reentrant steps. User code (a
//! task's poll, a destructor, a link) never runs while it is borrowed: what has to be dropped is
//! taken out first.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Waker;
use std::time::Instant;

use super::gen_task::Value;
use super::handle::TaskError;
use super::reactor::Reactor;
use super::task::{RawTask, TaskKey};
use super::timer::{TimerId, Timers};
use super::waker::Remote;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum State {
    Free,
    Unstarted,
    Suspended,
    Running,
    Dead(Exit),
}

/// How a task ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Exit {
    Returned,
    Killed,
    Panicked,
}

/// Someone interested in a task's end.
pub(crate) enum Watcher {
    /// A task waiting in a join: woken.
    Join(TaskKey),
    /// A link: queued as a callback.
    Link(Box<dyn FnOnce()>),
}

/// One task's header.
pub(crate) struct Slot {
    pub(crate) body: Option<Pin<Box<dyn RawTask>>>,
    /// What only some tasks need (watchers, switch state), boxed: every suspended task pays
    /// for the slot, and most are never joined while alive nor switched into.
    pub(crate) extra: Option<Box<Extra>>,
    /// When the task died, counted in deaths on this hub: completion order. In a free slot,
    /// the index of the next free slot ([`NO_SLOT`] for none): the free list costs no memory.
    pub(crate) finished: u64,
    pub(crate) generation: u32,
    pub(crate) handles: u32,
    pub(crate) state: State,
    pub(crate) queued: bool,
    pub(crate) kill_requested: bool,
    pub(crate) awaiting_switch: bool,
}

/// The end of the free list.
const NO_SLOT: u64 = u64::MAX;

// A million suspended tasks hold a million slots.
const _: () = assert!(std::mem::size_of::<Slot>() <= 48);

/// The part of a slot few tasks use, made on first use.
#[derive(Default)]
pub(crate) struct Extra {
    /// Who waits for the task's end, in the order they came.
    pub(crate) watchers: Watchers,
    /// A value switched into the task; `Some` means a switch reached it.
    pub(crate) inbox: Option<Value>,
    /// The task a greenlet returns to when it ends.
    pub(crate) parent: Option<TaskKey>,
}

/// Watchers in the order they came; the first inline, as a task rarely has more than one.
#[derive(Default)]
pub(crate) struct Watchers {
    first: Option<Watcher>,
    rest: Vec<Watcher>,
}

impl Watchers {
    pub(crate) fn push(&mut self, watcher: Watcher) {
        if self.first.is_none() {
            self.first = Some(watcher);
        } else {
            self.rest.push(watcher);
        }
    }

    /// Takes out the join of `waiter`, keeping the others in order.
    pub(crate) fn remove_join(&mut self, waiter: TaskKey) {
        let is_it = |watcher: &Watcher| matches!(watcher, Watcher::Join(key) if *key == waiter);
        if self.first.as_ref().is_some_and(is_it) {
            self.first = (!self.rest.is_empty()).then(|| self.rest.remove(0));
        } else if let Some(at) = self.rest.iter().position(is_it) {
            self.rest.remove(at);
        }
    }

    /// Takes every watcher out, in order.
    pub(crate) fn take(&mut self) -> impl Iterator<Item = Watcher> + use<> {
        let first = self.first.take();
        let rest = std::mem::take(&mut self.rest);
        first.into_iter().chain(rest)
    }
}

impl Slot {
    /// The rare part of the slot, made on first use.
    pub(crate) fn extra(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// Takes the value switched into the task, if a switch reached it.
    pub(crate) fn take_inbox(&mut self) -> Option<Value> {
        self.extra.as_mut().and_then(|extra| extra.inbox.take())
    }
}

/// Work the loop runs between task turns.
pub(crate) enum Callback {
    Call(Box<dyn FnOnce()>),
    Kill(TaskKey),
}

/// What must be dropped once the core is no longer borrowed.
#[derive(Default)]
#[must_use]
pub(crate) struct Garbage {
    #[expect(
        dead_code,
        reason = "held only to be dropped once the core is not borrowed"
    )]
    body: Option<Pin<Box<dyn RawTask>>>,
    #[expect(
        dead_code,
        reason = "held only to be dropped once the core is not borrowed"
    )]
    extra: Option<Box<Extra>>,
}

pub(crate) struct Core {
    pub(crate) slots: Vec<Slot>,
    /// The first free slot, [`NO_SLOT`] for none; the list goes on through the free slots'
    /// `finished` fields.
    free_head: u64,
    /// How many slots are free.
    free_len: usize,
    pub(crate) run_queue: VecDeque<TaskKey>,
    /// Wakers of futures inside tasks (a `FuturesUnordered`, a `select_all`…) that polled a
    /// hub operation with their own context, with their task: due when the hub next wakes it
    /// (see [`waker::adopt`](super::waker::adopt)). Kept here, not in the task's slot or its
    /// extra box, whose sizes every task pays for (a bigger extra box costs spawn + join a
    /// third more time, through malloc's size classes).
    foreign: Vec<(TaskKey, Waker)>,
    /// Foreign wakers of tasks the hub woke, woken before the next poll (see [`Core::wake`]).
    due_foreign: Option<Vec<Waker>>,
    pub(crate) timers: Timers,
    pub(crate) callbacks: VecDeque<Callback>,
    /// Nanoseconds since the hub started: virtual, or read from the wall clock (see
    /// [`Core::now`] for when). Read it with [`Core::now`], never directly.
    now: Cell<u64>,
    /// A real hub's start, to read the wall clock from; `None` on a virtual hub.
    clock: Option<Instant>,
    /// Set at the start of a turn when the wall clock was not read then (no timer armed): the
    /// first reader of the time in that turn reads it.
    stale: Cell<bool>,
    /// The task being polled.
    pub(crate) current: Option<TaskKey>,
    /// Tasks not dead.
    pub(crate) live: usize,
    deaths: u64,
    /// Messages of panicked tasks, by slot.
    pub(crate) panics: HashMap<u32, String>,
    /// Start timers of `spawn_later` tasks, by slot.
    pub(crate) start_timers: HashMap<u32, TimerId>,
    /// Tasks waiting in `wait()` for the hub to go idle, with their deadlines.
    pub(crate) idle_waiters: Vec<(TaskKey, Option<u64>)>,
    /// How many times the hub went idle with tasks waiting for it.
    pub(crate) idles: u64,
    /// How many times a task's future polled an operation with a waker not its task's own.
    #[cfg(test)]
    pub(crate) adopted: usize,
}

impl Core {
    fn new(clock: Option<Instant>) -> Self {
        Core {
            slots: Vec::new(),
            free_head: NO_SLOT,
            free_len: 0,
            run_queue: VecDeque::new(),
            foreign: Vec::new(),
            due_foreign: None,
            #[cfg(test)]
            adopted: 0,
            timers: Timers::default(),
            callbacks: VecDeque::new(),
            now: Cell::new(0),
            clock,
            stale: Cell::new(false),
            current: None,
            live: 0,
            deaths: 0,
            panics: HashMap::new(),
            start_timers: HashMap::new(),
            idle_waiters: Vec::new(),
            idles: 0,
        }
    }

    /// The hub's time, in nanoseconds since it started.
    ///
    /// The clock rule: a real hub reads the wall clock at the start of a turn only when a timer
    /// (or a `wait` deadline) is armed, since only then can something fall due; otherwise it
    /// marks the time stale, and the first caller of `now()` in that turn (`now()`, `sleep`, a
    /// timeout, `spawn_later`…) reads the clock then. It always reads it before parking. So a
    /// deadline is always computed from a clock read in the current turn (never earlier than
    /// before), timers fire at the first turn at or after their deadline, and the time never
    /// goes backwards.
    #[inline]
    pub(crate) fn now(&self) -> u64 {
        if self.stale.get() {
            self.read_clock();
        }
        self.now.get()
    }

    /// Reads the wall clock now (a real hub; nothing on a virtual one).
    pub(crate) fn read_clock(&self) {
        self.stale.set(false);
        if let Some(started) = self.clock {
            let elapsed = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            self.now.set(self.now.get().max(elapsed));
        }
    }

    /// Starts a turn: reads a real clock if a timer may be due, or marks it stale.
    #[inline]
    pub(crate) fn start_turn_clock(&self) {
        if self.clock.is_some() {
            if self.timers.is_empty() && self.idle_waiters.is_empty() {
                self.stale.set(true);
            } else {
                self.read_clock();
            }
        }
    }

    /// Moves a virtual clock (or a real one past a run's deadline) forward to `to`.
    pub(crate) fn advance_to(&self, to: u64) {
        self.now.set(self.now.get().max(to));
    }

    /// The slot of `key`, if that task still has one.
    #[inline]
    pub(crate) fn slot(&self, key: TaskKey) -> Option<&Slot> {
        self.slots
            .get(key.index as usize)
            .filter(|slot| slot.generation == key.generation && slot.state != State::Free)
    }

    #[inline]
    pub(crate) fn slot_mut(&mut self, key: TaskKey) -> Option<&mut Slot> {
        self.slots
            .get_mut(key.index as usize)
            .filter(|slot| slot.generation == key.generation && slot.state != State::Free)
    }

    /// Whether `key`'s task is dead (a task without a slot is: its slot was freed at its death).
    #[inline]
    pub(crate) fn is_dead(&self, key: TaskKey) -> bool {
        self.slot(key)
            .is_none_or(|slot| matches!(slot.state, State::Dead(_)))
    }

    /// The running task, or a clear panic outside of one.
    #[inline]
    #[track_caller]
    pub(crate) fn current(&self) -> TaskKey {
        match self.current {
            Some(key) => key,
            None => outside_task(),
        }
    }

    /// Stores a new task with one handle; `queued` if the caller puts it in the run queue.
    pub(crate) fn insert(
        &mut self,
        body: Pin<Box<dyn RawTask>>,
        parent: Option<TaskKey>,
        queued: bool,
    ) -> TaskKey {
        let fresh = |generation| Slot {
            body: Some(body),
            extra: parent.map(|parent| {
                Box::new(Extra {
                    parent: Some(parent),
                    ..Extra::default()
                })
            }),
            finished: 0,
            generation,
            handles: 1,
            state: State::Unstarted,
            queued,
            kill_requested: false,
            awaiting_switch: false,
        };
        self.live += 1;
        match (self.free_head != NO_SLOT).then_some(self.free_head as u32) {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                self.free_head = slot.finished;
                self.free_len -= 1;
                *slot = fresh(slot.generation);
                TaskKey {
                    index,
                    generation: slot.generation,
                }
            }
            None => {
                let index = u32::try_from(self.slots.len()).expect("corogen hub: too many tasks");
                self.slots.push(fresh(0));
                TaskKey {
                    index,
                    generation: 0,
                }
            }
        }
    }

    /// Puts a task at the back of the run queue (no-op if it is queued or finished). Waking the
    /// running task makes it run again after this turn's other tasks.
    #[inline]
    pub(crate) fn wake(&mut self, key: TaskKey) {
        self.schedule(key, true);
    }

    /// As [`Core::wake`], for a task woken through its waker, not by one of the hub's
    /// operations: its foreign wakers (see [`waker::adopt`](super::waker::adopt)) stay where
    /// they are. `FuturesUnordered` wakes its task through its waker after polling all its
    /// children; waking them all again then would never end.
    pub(crate) fn wake_remote(&mut self, key: TaskKey) {
        self.schedule(key, false);
    }

    #[inline(always)]
    fn schedule(&mut self, key: TaskKey, by_hub: bool) {
        let slot = self
            .slots
            .get_mut(key.index as usize)
            .filter(|slot| slot.generation == key.generation && slot.state != State::Free);
        if let Some(slot) = slot {
            if by_hub && !self.foreign.is_empty() {
                Self::foreign_due(&mut self.foreign, &mut self.due_foreign, key);
            }
            if !slot.queued
                && matches!(
                    slot.state,
                    State::Unstarted | State::Suspended | State::Running
                )
            {
                slot.queued = true;
                self.run_queue.push_back(key);
            }
        }
    }

    /// Keeps the waker of a future inside the running task (see
    /// [`waker::adopt`](super::waker::adopt)).
    pub(crate) fn adopt(&mut self, waker: &Waker) {
        let Some(me) = self.current else {
            return;
        };
        #[cfg(test)]
        {
            self.adopted += 1;
        }
        // A child polling several operations in one poll gives the same waker each time.
        let known = self
            .foreign
            .last()
            .is_some_and(|(key, last)| *key == me && last.will_wake(waker));
        if !known {
            self.foreign.push((me, waker.clone()));
        }
    }

    /// Moves the foreign wakers of `key` to those woken before the next poll.
    #[cold]
    fn foreign_due(
        foreign: &mut Vec<(TaskKey, Waker)>,
        due: &mut Option<Vec<Waker>>,
        key: TaskKey,
    ) {
        let due = due.get_or_insert_with(Vec::new);
        foreign.retain(|(owner, waker)| {
            if *owner == key {
                due.push(waker.clone());
                false
            } else {
                true
            }
        });
    }

    /// The foreign wakers due (see [`Core::wake`]), to wake before the next poll.
    #[inline]
    pub(crate) fn take_due_foreign(&mut self) -> Option<Vec<Waker>> {
        self.due_foreign.take()
    }

    /// Puts a task at the front of the run queue: it runs next (a switch).
    pub(crate) fn wake_front(&mut self, key: TaskKey) {
        let slot = self
            .slots
            .get_mut(key.index as usize)
            .filter(|slot| slot.generation == key.generation && slot.state != State::Free);
        let Some(slot) = slot else {
            return;
        };
        if !self.foreign.is_empty() {
            Self::foreign_due(&mut self.foreign, &mut self.due_foreign, key);
        }
        if !matches!(slot.state, State::Unstarted | State::Suspended) {
            return;
        }
        let was_queued = std::mem::replace(&mut slot.queued, true);
        if was_queued {
            if let Some(at) = self.run_queue.iter().position(|&k| k == key) {
                self.run_queue.remove(at);
            }
        }
        self.run_queue.push_front(key);
    }

    /// Records a task's death and notifies its watchers and parent.
    fn mark_dead(&mut self, key: TaskKey, body: Pin<Box<dyn RawTask>>, exit: Exit) -> Garbage {
        if !self.foreign.is_empty() {
            // Its futures are gone: their wakers are of no use.
            self.foreign.retain(|(owner, _)| *owner != key);
        }
        self.deaths += 1;
        self.live -= 1;
        let deaths = self.deaths;
        let Some(slot) = self.slot_mut(key) else {
            unreachable!("a dying task has a slot")
        };
        slot.state = State::Dead(exit);
        slot.body = Some(body);
        slot.finished = deaths;
        slot.kill_requested = false;
        slot.awaiting_switch = false;
        let unheld = slot.handles == 0;
        let parent = match slot.extra.as_mut() {
            Some(extra) => {
                let parent = extra.parent;
                for watcher in extra.watchers.take() {
                    match watcher {
                        Watcher::Join(waiter) => self.wake(waiter),
                        Watcher::Link(link) => self.callbacks.push_back(Callback::Call(link)),
                    }
                }
                parent
            }
            None => None,
        };
        if let Some(parent) = parent {
            if let Some(slot) = self.slot_mut(parent) {
                if slot.awaiting_switch {
                    slot.extra().inbox.get_or_insert_with(Value::none);
                    self.wake_front(parent);
                }
            }
        }
        if unheld {
            self.free_slot(key)
        } else {
            Garbage::default()
        }
    }

    /// Frees the slot of a dead task nobody holds.
    pub(crate) fn free_slot(&mut self, key: TaskKey) -> Garbage {
        let slot = &mut self.slots[key.index as usize];
        debug_assert!(matches!(slot.state, State::Dead(_)) && slot.handles == 0);
        slot.state = State::Free;
        slot.generation = slot.generation.wrapping_add(1);
        let garbage = Garbage {
            body: slot.body.take(),
            extra: slot.extra.take(),
        };
        // Both maps are empty unless a task panicked or was spawned later: skip the hashing.
        if !self.panics.is_empty() {
            self.panics.remove(&key.index);
        }
        slot.finished = self.free_head;
        self.free_head = u64::from(key.index);
        self.free_len += 1;
        garbage
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn outside_task() -> ! {
    panic!("corogen hub: this operation must run inside a task of a running hub")
}

/// A hub, shared by its handles and the futures that wait on it.
pub(crate) struct Inner {
    pub(crate) core: RefCell<Core>,
    pub(crate) remote: Arc<Remote>,
    pub(crate) virtual_clock: bool,
    /// Set while `run_until` is on the stack, to refuse running the hub from one of its tasks.
    pub(crate) running: Cell<bool>,
    /// The I/O poller and its sources, made when a task first waits on a socket.
    pub(crate) reactor: OnceCell<Reactor>,
}

impl Inner {
    pub(crate) fn new(virtual_clock: bool) -> Rc<Self> {
        Rc::new(Inner {
            core: RefCell::new(Core::new((!virtual_clock).then(Instant::now))),
            remote: Remote::new(),
            virtual_clock,
            running: Cell::new(false),
            reactor: OnceCell::new(),
        })
    }

    /// The hub's time, in nanoseconds since it started.
    pub(crate) fn now(&self) -> u64 {
        self.core.borrow().now()
    }

    /// Stores a task; `schedule` says when it first runs.
    pub(crate) fn spawn_raw(
        &self,
        body: Pin<Box<dyn RawTask>>,
        schedule: Schedule,
        parent: Option<TaskKey>,
    ) -> TaskKey {
        let mut core = self.core.borrow_mut();
        let key = core.insert(body, parent, matches!(schedule, Schedule::Now));
        match schedule {
            Schedule::Now => core.run_queue.push_back(key),
            Schedule::At(deadline) => {
                let timer = core.timers.insert(deadline, key);
                core.start_timers.insert(key.index, timer);
            }
            Schedule::OnSwitch => {}
        }
        key
    }

    /// Drops a task's future in place, catching a panic of its destructors.
    pub(crate) fn drop_body(body: &mut Pin<Box<dyn RawTask>>, error: TaskError) {
        // `fail` assigns the result over the future; an assignment stores the new value even
        // when dropping the old one unwinds, so the result is kept either way.
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| body.as_mut().fail(error))) {
            drop(catch_unwind(AssertUnwindSafe(move || drop(payload))));
        }
    }

    /// Records that `key`'s body is done (result or error kept in `body`).
    pub(crate) fn finish(&self, key: TaskKey, body: Pin<Box<dyn RawTask>>, exit: Exit) {
        let garbage = self.core.borrow_mut().mark_dead(key, body, exit);
        drop(garbage);
    }

    /// Ends a task that panicked while polled.
    pub(crate) fn finish_panicked(
        &self,
        key: TaskKey,
        mut body: Pin<Box<dyn RawTask>>,
        message: String,
    ) {
        self.core
            .borrow_mut()
            .panics
            .insert(key.index, message.clone());
        Self::drop_body(&mut body, TaskError::Panicked(message));
        self.finish(key, body, Exit::Panicked);
    }

    /// Kills a task now: an unstarted one never runs; a suspended one has its future dropped
    /// here, its cleanup running innermost first, before this returns. A running task (one
    /// killing itself) dies when it next suspends. Killing a dead task does nothing.
    pub(crate) fn kill(&self, key: TaskKey) {
        let mut body = {
            let mut core = self.core.borrow_mut();
            let Some(slot) = core.slot_mut(key) else {
                return;
            };
            match slot.state {
                State::Unstarted | State::Suspended => {}
                State::Running => {
                    slot.kill_requested = true;
                    return;
                }
                State::Dead(_) | State::Free => return,
            }
            slot.state = State::Running;
            let body = slot.body.take().expect("a waiting task has its body");
            let start_timer = if core.start_timers.is_empty() {
                None
            } else {
                core.start_timers.remove(&key.index)
            };
            if let Some(timer) = start_timer {
                core.timers.cancel(timer);
            }
            body
        };
        Self::drop_body(&mut body, TaskError::Killed);
        self.finish(key, body, Exit::Killed);
    }

    /// Asks for a task to be killed at the hub's next turn; an unstarted task is killed at once
    /// (it never runs).
    pub(crate) fn kill_nowait(&self, key: TaskKey) {
        let mut core = self.core.borrow_mut();
        let Some(slot) = core.slot_mut(key) else {
            return;
        };
        match slot.state {
            State::Unstarted => {
                drop(core);
                self.kill(key);
            }
            State::Suspended | State::Running if !slot.kill_requested => {
                slot.kill_requested = true;
                core.callbacks.push_back(Callback::Kill(key));
            }
            _ => {}
        }
    }

    /// Adds a handle to a task.
    pub(crate) fn retain(&self, key: TaskKey) {
        if let Some(slot) = self.core.borrow_mut().slot_mut(key) {
            slot.handles += 1;
        }
    }

    /// Drops a handle to a task, freeing the slot if it was the last and the task is dead.
    pub(crate) fn release(&self, key: TaskKey) {
        let garbage = {
            let mut core = self.core.borrow_mut();
            let Some(slot) = core.slot_mut(key) else {
                return;
            };
            slot.handles -= 1;
            if slot.handles == 0 && matches!(slot.state, State::Dead(_)) {
                core.free_slot(key)
            } else {
                Garbage::default()
            }
        };
        drop(garbage);
    }

    /// Kills every task and drops every callback: a hub being dropped must not leak through
    /// the handles its tasks hold to each other.
    pub(crate) fn shut_down(&self) {
        for _ in 0..64 {
            let live: Vec<TaskKey> = {
                let core = self.core.borrow();
                if core.live == 0 {
                    Vec::new()
                } else {
                    core.slots
                        .iter()
                        .enumerate()
                        .filter(|(_, slot)| {
                            matches!(slot.state, State::Unstarted | State::Suspended)
                        })
                        .map(|(index, slot)| TaskKey {
                            index: index as u32,
                            generation: slot.generation,
                        })
                        .collect()
                }
            };
            let callbacks = std::mem::take(&mut self.core.borrow_mut().callbacks);
            if live.is_empty() && callbacks.is_empty() {
                break;
            }
            for key in live {
                self.kill(key);
            }
            drop(callbacks);
        }
        // Results of finished tasks may hold handles too.
        let bodies: Vec<_> = {
            let mut core = self.core.borrow_mut();
            if core.free_len == core.slots.len() {
                return;
            }
            core.slots
                .iter_mut()
                .filter_map(|slot| slot.body.take())
                .collect()
        };
        drop(bodies);
    }
}

/// When a new task first runs.
pub(crate) enum Schedule {
    /// At the back of the run queue.
    Now,
    /// When the hub's clock reaches this deadline.
    At(u64),
    /// When something switches into it (a greenlet).
    OnSwitch,
}

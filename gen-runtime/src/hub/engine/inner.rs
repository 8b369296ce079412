//! The hub as its handles share it ([`Inner`]): the task table, the remote side and the driver,
//! and the moves of a task's life that run user code (a kill drops a future, a panic's message is
//! kept, a dropped hub kills what is left).

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use super::raw::{RawTask, TaskError};
use super::slot::{Exit, State};
use super::table::{Callback, Core, Garbage};
use crate::hub::base::{Clock, Driver, Remote, TaskKey};

/// A hub, shared by its handles and the futures that wait on it.
pub(crate) struct Inner {
    pub(crate) core: RefCell<Core>,
    pub(crate) remote: Arc<Remote>,
    pub(crate) virtual_clock: bool,
    /// Set while `run_until` is on the stack, to refuse running the hub from one of its tasks.
    pub(crate) running: Cell<bool>,
    /// How the hub waits for the outside world: the seam to the reactor.
    pub(crate) driver: Driver,
    /// Set when the [`Hub`](crate::hub::Hub) is dropped: no loop will ever run again, and
    /// what is left of the hub lives on only for the handles of its dead tasks.
    pub(crate) closed: Cell<bool>,
}

impl Inner {
    pub(crate) fn new(clock: Clock) -> Rc<Self> {
        Rc::new(Inner {
            virtual_clock: clock.is_virtual(),
            core: RefCell::new(Core::new(clock)),
            remote: Remote::new(),
            running: Cell::new(false),
            driver: Driver::new(),
            closed: Cell::new(false),
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

    /// Records that `key`'s body is done (result or error kept in `body`), then drops its
    /// guards (each catches its own panics).
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

    /// Asks for a task to be killed at the hub's next turn (an unstarted task never runs: the
    /// loop runs its callbacks before its tasks, and a task asked to die is killed when it
    /// comes up).
    pub(crate) fn kill_nowait(&self, key: TaskKey) {
        let mut core = self.core.borrow_mut();
        let Some(slot) = core.slot_mut(key) else {
            return;
        };
        match slot.state {
            State::Unstarted | State::Suspended | State::Running if !slot.kill_requested => {
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
    /// the handles its tasks hold to each other. The results of dead tasks stay: their handles
    /// keep them (a slot is freed with its last handle, its result with it).
    pub(crate) fn shut_down(&self) {
        self.closed.set(true);
        for _ in 0..64 {
            let live = live_tasks(&self.core.borrow());
            let callbacks = std::mem::take(&mut self.core.borrow_mut().callbacks);
            if live.is_empty() && callbacks.is_empty() {
                return;
            }
            for key in live {
                self.kill(key);
            }
            drop(callbacks);
        }
        // Killing kept spawning tasks (their destructors spawn more): the last ones are dropped
        // unrun, dead without a result, and nothing they spawn now is ever run.
        let (bodies, freed, callbacks) = {
            let mut core = self.core.borrow_mut();
            let (mut bodies, mut freed) = (Vec::new(), Vec::new());
            for key in live_tasks(&core) {
                let Some(slot) = core.slot_mut(key) else {
                    continue;
                };
                slot.state = State::Dead(Exit::Killed);
                bodies.extend(slot.body.take());
                let unheld = slot.handles == 0;
                core.live -= 1;
                if unheld {
                    freed.push(core.free_slot(key));
                }
            }
            (bodies, freed, std::mem::take(&mut core.callbacks))
        };
        drop((bodies, freed, callbacks));
    }
}

/// The tasks not started or suspended: those a kill ends at once.
fn live_tasks(core: &Core) -> Vec<TaskKey> {
    if core.live == 0 {
        return Vec::new();
    }
    core.slots
        .iter()
        .enumerate()
        .filter(|(_, slot)| matches!(slot.state, State::Unstarted | State::Suspended))
        .map(|(index, slot)| TaskKey {
            index: index as u32,
            generation: slot.generation,
        })
        .collect()
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

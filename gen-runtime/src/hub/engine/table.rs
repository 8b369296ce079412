//! The task table: the task slots and their free list, the run queue, the timers, the
//! callbacks and the clock, and the moves of a task's life that only touch them (store, wake,
//! die, free). The hub's other state and the moves that run user code are in `inner.rs`.
//!
//! # Borrowing
//!
//! `Core` is behind a `RefCell`, borrowed only for short, non-reentrant steps. User code (a
//! task's poll, a destructor, a link) never runs while it is borrowed: what has to be dropped is
//! taken out first ([`Garbage`]).

use std::collections::{HashMap, VecDeque};
use std::pin::Pin;
use std::task::Waker;

use super::raw::RawTask;
use super::slot::{Exit, Extra, NO_SLOT, Slot, State, Watcher};
use super::value::Value;
use crate::hub::base::{Clock, TaskKey, TimerId, Timers};

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
    /// A dead task's rare part (with its guards, [`Extra::guards`]), or a freed slot's.
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
    pub(crate) run_queue: VecDeque<TaskKey>,
    /// Wakers of futures inside tasks (a `FuturesUnordered`, a `select_all`…) that polled a
    /// hub operation with their own context, with their task: due when the hub next wakes it
    /// (see [`adopt`](super::current::adopt)). Kept here, not in the task's slot or its
    /// extra box, whose sizes every task pays for (a bigger extra box costs spawn + join a
    /// third more time, through malloc's size classes).
    foreign: Vec<(TaskKey, Waker)>,
    /// Foreign wakers of tasks the hub woke, woken before the next poll (see [`Core::wake`]).
    due_foreign: Option<Vec<Waker>>,
    pub(crate) timers: Timers,
    pub(crate) callbacks: VecDeque<Callback>,
    /// Nanoseconds since the hub started: virtual, or read from the wall clock at most once a
    /// turn (see `base/clock.rs` for when).
    clock: Clock,
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
    pub(crate) fn new(clock: Clock) -> Self {
        Core {
            slots: Vec::new(),
            free_head: NO_SLOT,
            run_queue: VecDeque::new(),
            foreign: Vec::new(),
            due_foreign: None,
            #[cfg(test)]
            adopted: 0,
            timers: Timers::default(),
            callbacks: VecDeque::new(),
            clock,
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
    #[inline]
    pub(crate) fn now(&self) -> u64 {
        self.clock.now()
    }

    /// Reads the wall clock now (a real hub; nothing on a virtual one).
    pub(crate) fn read_clock(&self) {
        self.clock.read();
    }

    /// Starts a turn: reads a real clock if a timer may be due, or marks it stale.
    #[inline]
    pub(crate) fn start_turn_clock(&self) {
        self.clock
            .start_turn(!self.timers.is_empty() || !self.idle_waiters.is_empty());
    }

    /// Moves a virtual clock (or a real one past a run's deadline) forward to `to`.
    pub(crate) fn advance_to(&self, to: u64) {
        self.clock.advance_to(to);
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
    // Inlined into `Inner`'s moves (`inner.rs`), as when both were in one file.
    #[inline]
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
    /// operations: its foreign wakers (see [`adopt`](super::current::adopt)) stay where
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
    /// [`adopt`](super::current::adopt)).
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
    // Inlined into `Inner`'s moves (`inner.rs`), as when both were in one file.
    #[inline]
    pub(crate) fn mark_dead(
        &mut self,
        key: TaskKey,
        body: Pin<Box<dyn RawTask>>,
        exit: Exit,
    ) -> Garbage {
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
        let (parent, has_guards) = match slot.extra.as_mut() {
            Some(extra) => {
                let parent = extra.parent;
                let has_guards = !extra.guards.is_empty();
                for watcher in extra.watchers.take() {
                    match watcher {
                        Watcher::Join(waiter) => self.wake(waiter),
                        Watcher::Link(link) => self.callbacks.push_back(Callback::Call(link)),
                    }
                }
                (parent, has_guards)
            }
            None => (None, false),
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
        } else if has_guards {
            self.dead_task_extra(key)
        } else {
            Garbage::default()
        }
    }

    /// The rare part of the dying `key`, which some handle still holds, with its guards: they
    /// are dropped at its death, once the table is no longer borrowed (a dead task needs
    /// nothing of its rare part). Out of line: most tasks keep no guard.
    #[cold]
    #[inline(never)]
    fn dead_task_extra(&mut self, key: TaskKey) -> Garbage {
        Garbage {
            body: None,
            extra: self.slots[key.index as usize].extra.take(),
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
        slot.finished = self.free_head;
        self.free_head = u64::from(key.index);
        // Both maps are empty unless a task panicked or was spawned later: skip the hashing.
        if !self.panics.is_empty() {
            self.panics.remove(&key.index);
        }
        garbage
    }
}

/// The panic of an operation that needs the running task, outside of one.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn outside_task() -> ! {
    panic!("corogen hub: this operation must run inside a task of a running hub")
}

//! A task's header in the task table, and the states it goes through.
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
//! A slot is freed when its task is dead and no handle ([`TaskRef`](crate::hub::TaskRef)) is
//! left. The moves between these states are in `table.rs` and `inner.rs`.

use std::any::Any;
use std::pin::Pin;

use super::raw::RawTask;
use super::value::Value;
use crate::hub::base::TaskKey;

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
pub(crate) const NO_SLOT: u64 = u64::MAX;

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
    /// Dropped when the task dies, once the table is no longer borrowed (their `Drop` does
    /// the work, so it also runs if the slot goes without a death: a hub being dropped): what
    /// must end with the task, at once, such as its task-local values or its membership of a
    /// group. A guard's `Drop` must not unwind: it catches the panics of the code it runs.
    /// Beside the watchers, not among them: a task's death and a freed slot check one length
    /// for them, and the watchers' drop stays as small as without guards (S2's rows).
    pub(crate) guards: Vec<Box<dyn Any>>,
}

impl Extra {
    /// Takes out the guards `is_it` picks, keeping the others in order.
    pub(crate) fn remove_guards(&mut self, is_it: impl Fn(&dyn Any) -> bool) -> Vec<Box<dyn Any>> {
        let (removed, kept) = std::mem::take(&mut self.guards)
            .into_iter()
            .partition(|guard| is_it(&**guard));
        self.guards = kept;
        removed
    }
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

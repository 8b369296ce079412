//! greenlet's symmetric coroutines: [`switch`] hands control and a value straight to another
//! task, which runs next; the switching task waits until something switches back.
//!
//! A task made with [`greenlet`](crate::hub::greenlet) does not start until it is switched into (or
//! [started](crate::hub::TaskRef::start)); its *parent* is the task that made it, and when it ends,
//! the parent, if it waits in a switch, is switched back to (with an empty value: take the
//! child's result from its handle).
//!
//! ```
//! use corogen::hub::{self, Hub, Value};
//! use std::cell::RefCell;
//! use std::rc::Rc;
//!
//! let hub = Hub::new_virtual();
//! let log = Rc::new(RefCell::new(Vec::new()));
//! let log2 = log.clone();
//! hub.block_on(async move {
//!     let main = hub::getcurrent();
//!     let child = hub::greenlet({
//!         let log = log2.clone();
//!         async move {
//!             log.borrow_mut().push("child starts");
//!             let got = hub::switch(&main, Value::new(1)).await;
//!             log.borrow_mut().push(if got.take::<i32>() == Some(2) { "child got 2" } else { "?" });
//!         }
//!     });
//!     let got = hub::switch(&child, Value::none()).await;
//!     assert_eq!(got.take::<i32>(), Some(1));
//!     log2.borrow_mut().push("main got 1");
//!     let got = hub::switch(&child, Value::new(2)).await; // the child ends: back to its parent
//!     assert!(got.is_none() && child.dead());
//! });
//! assert_eq!(*log.borrow(), ["child starts", "main got 1", "child got 2"]);
//! ```

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::handle::TaskRef;
use crate::hub::base::TaskKey;
use crate::hub::engine::{Core, Inner, State, Value, adopt};

/// Switches to `target`, handing it `value`, and waits until some task switches back; outputs
/// the value switched back with.
///
/// `target` runs next, before any other runnable task. It should be waiting in a `switch` of its
/// own, or be an unstarted [`greenlet`](crate::hub::greenlet) (which then starts). Switching to a dead
/// task outputs an empty value at once; switching to yourself outputs `value` at once.
pub fn switch(target: &TaskRef, value: Value) -> Switch {
    Switch {
        hub: Rc::clone(&target.hub),
        target: target.key,
        stage: Stage::Unsent(value),
    }
}

/// The future of [`switch`].
///
/// It holds the hub and the target's key, not a counted handle: a target whose slot was freed
/// is dead, and switching to a dead task needs nothing of it.
#[must_use = "futures do nothing unless awaited"]
pub struct Switch {
    hub: Rc<Inner>,
    target: TaskKey,
    stage: Stage,
}

/// Where a [`Switch`] is.
enum Stage {
    /// Not polled yet: the value to hand over.
    Unsent(Value),
    /// Handed over; the waiting task's `awaiting_switch` is set until a switch comes back.
    Sent(TaskKey),
    /// Done: nothing left to undo when dropped.
    Done,
}

impl Switch {
    /// The id of the task switched to (for `Debug`).
    pub(crate) fn target_id(&self) -> u64 {
        self.target.id()
    }
}

impl Switch {
    /// Polls the switch with the hub's core borrowed (see [`Future::poll`]).
    pub(crate) fn poll_in(&mut self, core: &mut Core) -> Poll<Value> {
        poll_stage(&mut self.stage, self.target, core)
    }

    /// Hands a sent switch's wait over to the caller, which then takes the value switched back
    /// with [`receive`], or gives up with [`abandon`] of the task returned: this `Switch` is
    /// done.
    pub(crate) fn detach(mut self) -> Option<TaskKey> {
        match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Sent(me) => Some(me),
            _ => None,
        }
    }
}

/// One poll of a switch to `target` at `stage`.
#[inline(always)]
fn poll_stage(stage: &mut Stage, target: TaskKey, core: &mut Core) -> Poll<Value> {
    let value = match std::mem::replace(stage, Stage::Done) {
        Stage::Unsent(value) => value,
        Stage::Sent(me) => {
            return match receive(core) {
                Some(value) => Poll::Ready(value),
                None => {
                    *stage = Stage::Sent(me);
                    Poll::Pending
                }
            };
        }
        Stage::Done => panic!("corogen hub: a `Switch` was polled after it completed"),
    };
    let me = core.current();
    if me == target {
        return Poll::Ready(value);
    }
    let Some(slot) = core.slot_mut(target) else {
        return Poll::Ready(Value::none());
    };
    if matches!(slot.state, State::Dead(_) | State::Free) {
        return Poll::Ready(Value::none());
    }
    slot.extra().inbox = Some(value);
    core.wake_front(target);
    let slot = core.slot_mut(me).expect("the running task has a slot");
    if let Some(extra) = slot.extra.as_mut() {
        extra.inbox = None;
    }
    slot.awaiting_switch = true;
    *stage = Stage::Sent(me);
    Poll::Pending
}

/// The value switched back into the running task, once a switch has reached it.
#[inline]
pub(crate) fn receive(core: &mut Core) -> Option<Value> {
    let me = core.current();
    let slot = core.slot_mut(me).expect("the running task has a slot");
    let value = slot.take_inbox()?;
    slot.awaiting_switch = false;
    Some(value)
}

/// Gives up the wait of `waiter` for a switch back (its wait is dropped before one came: it
/// moved on, or it is being killed, maybe by another task).
pub(crate) fn abandon(hub: &Inner, waiter: TaskKey) {
    if let Ok(mut core) = hub.core.try_borrow_mut() {
        if let Some(slot) = core.slot_mut(waiter) {
            slot.awaiting_switch = false;
        }
    }
}

impl Future for Switch {
    type Output = Value;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Value> {
        adopt(cx);
        let Switch { hub, target, stage } = self.get_mut();
        poll_stage(stage, *target, &mut hub.core.borrow_mut())
    }
}

impl Drop for Switch {
    fn drop(&mut self) {
        if let Stage::Sent(waiter) = self.stage {
            abandon(&self.hub, waiter);
        }
    }
}

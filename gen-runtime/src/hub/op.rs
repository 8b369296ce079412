//! The requests a generator task yields to the hub: `yield_!(op::sleep(d))`, the SimPy way.
//!
//! Each is the generator-style twin of a future of the async style, and resumes the generator
//! with a [`Reply`](super::Reply): `Ready` when the request is done, `TimedOut` when an
//! [`Op::timeout`](super::Op::timeout) came first, `Switched(value)` after a switch.

use std::time::Duration;

use super::gen_task::{Op, OpKind, Value};
use super::handle::TaskRef;
use super::wait_list::Waitable;

/// Lets every other runnable task take a turn, and due timers fire (gevent's `sleep(0)`).
pub fn pass() -> Op {
    Op::new(OpKind::Pass)
}

/// Waits for `duration` (SimPy's `env.timeout(d)`, gevent's `sleep(d)`).
pub fn sleep(duration: Duration) -> Op {
    Op::new(OpKind::Sleep(duration))
}

/// Waits until `task` is dead (then take its value with
/// [`Task::try_get`](super::Task::try_get)).
pub fn join(task: &TaskRef) -> Op {
    Op::new(OpKind::Join(task.clone()))
}

/// Waits on a synchronisation object: until an [`Event`](super::Event) or an
/// [`AsyncResult`](super::AsyncResult) is set, a [`Semaphore`](super::Semaphore) permit is
/// acquired, or a [`Queue`](super::Queue) may be read ([`Queue::readable`](super::Queue::readable))
/// or written ([`Queue::writable`](super::Queue::writable)).
pub fn wait(on: &impl Waitable) -> Op {
    Op::new(OpKind::Wait(on.condition().0))
}

/// Switches to `target` with `value`, and waits until something switches back (greenlet's
/// `target.switch(value)`); the generator is resumed with `Reply::Switched(value)`.
pub fn switch(target: &TaskRef, value: Value) -> Op {
    Op::new(OpKind::Switch(target.clone(), value))
}

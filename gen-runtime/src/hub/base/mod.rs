//! Layer 0, time and wakers: what the hub is built on, knowing of tasks only their
//! [`TaskKey`]. Nothing here uses another layer of the hub.
//!
//! - `key`: [`TaskKey`], the name of a task;
//! - `clock`: [`Clock`], virtual or real, read at most once per turn;
//! - `timer`: [`Timers`], the timer wheel;
//! - `driver`: [`Driver`] and [`Unparker`], the one seam to the outside world (the reactor
//!   with `net`, the thread's park without it);
//! - `reactor` (`net` only): the I/O poller behind the driver;
//! - `remote`: [`Remote`], the thread-safe side of a hub;
//! - `waker`: the waker a task is polled with, waking through the remote.

mod clock;
mod driver;
mod key;
#[cfg(all(feature = "net", unix))]
pub(crate) mod reactor;
mod remote;
mod timer;
mod waker;

pub(crate) use clock::Clock;
pub(crate) use driver::{Driver, threads_available};
#[cfg(test)]
pub(crate) use driver::{FORCE_NO_THREADS, SLEEPS};
pub(crate) use key::TaskKey;
pub(crate) use remote::Remote;
pub(crate) use timer::{TimerId, Timers};
pub(crate) use waker::{is_task_waker, poll_with};

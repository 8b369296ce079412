//! Layer 2, the two task styles, on the task table and the run loop ([layer 1](super::engine))
//! and [layer 0](super::base).
//!
//! - 2a, **async tasks**: any future is a task (`into_task`), and the hub's operations are the
//!   futures it awaits: handles and joins (`handle`), time (`time`), greenlet's switch
//!   (`switch`), waiting on a condition (`wait_list`), task-local values (`local`), and a
//!   socket's readiness (`io_wait`, `net` only).
//! - 2b, **generator tasks**: a generator yielding [`Op`]s runs as a [`GenTask`] future that
//!   lowers each op onto the futures of 2a (`gen_task`); [`op`] makes the ops.
//!
//! 2b uses 2a; 2a never uses 2b.

mod gen_task;
mod handle;
mod into_task;
#[cfg(all(feature = "net", unix))]
mod io_wait;
mod local;
pub mod op;
mod switch;
mod time;
mod wait_list;

pub use gen_task::{GenTask, Op, Reply};
pub use handle::{Get, Join, Task, TaskRef, getcurrent};
pub use into_task::IntoTask;
pub(crate) use into_task::boxed;
#[cfg(all(feature = "net", unix))]
pub use io_wait::{IoHandle, IoSource};
#[cfg(all(feature = "net", unix))]
pub(crate) use io_wait::{IoObject, WaitReady};
pub use local::Local;
pub use switch::{Switch, switch};
pub(crate) use time::nanos;
pub use time::{Elapsed, Sleep, Timeout, now, sleep, with_timeout};
pub(crate) use wait_list::{Condition, WaitList, call_soon, requeue, wake_task};
pub use wait_list::{LinkId, WaitFor, WaitHandle, Waitable};

//! Layer 1, the task table and the run loop: the hub's state and how it moves, for any kind of
//! task. It uses only [layer 0](super::base); the task styles and everything above are built on
//! it.
//!
//! - `value`: [`Value`], what a switch hands over (kept in the slot of its target);
//! - `raw`: [`RawTask`], a task's type-erased allocation, and [`TaskError`];
//! - `slot`: a task's header and its states;
//! - `table`: [`Core`], the task table, run queue, timers and clock;
//! - `inner`: [`Inner`], the hub as its handles share it, and the moves that run user code;
//! - `current`: the hub running on this thread, and [`adopt`] for foreign wakers;
//! - `run`: the event loop.

mod current;
mod inner;
mod raw;
mod run;
mod slot;
mod table;
mod value;

pub(crate) use current::{adopt, current, try_current};
pub(crate) use inner::{Inner, Schedule};
pub use raw::TaskError;
pub(crate) use raw::{FutTask, RawTask};
pub(crate) use run::{RunEnd, panic_message};
pub(crate) use slot::{Exit, Slot, State, Watcher};
pub(crate) use table::{Callback, Core, outside_task};
pub use value::Value;

//! Layer 3, the synchronisation primitives, on the futures of the task styles
//! ([layer 2](super::task)) and below: gevent's `Event` and `AsyncResult` (`event`), `Queue`
//! (`queue`), `Semaphore` and `BoundedSemaphore` and their permits (`semaphore`), `RLock`
//! (`lock`), waiting for many tasks (`joinall`: `joinall`, `wait`, `killall`) and for any
//! objects (`wait_on`: `wait_on`, `iwait`).

mod channel;
mod event;
mod joinall;
mod lock;
mod queue;
mod queue_order;
mod queue_wait;
mod semaphore;
mod wait_on;

pub use channel::{Channel, ChannelGet, ChannelPut};
pub use event::{AsyncResult, Event};
pub use joinall::{
    JoinAll, JoinAllFuture, Wait, joinall, killall, killall_nowait, killall_timeout, wait,
};
pub use lock::{NotHeld, RLock, RLockGuard, RLockLock};
pub use queue::{
    Full, JoinableQueue, LifoQueue, Peek, PriorityQueue, Queue, QueueStream, Readable, Recv,
    TaskDoneError, Writable,
};
pub(crate) use queue::{Get as QueueGet, Put as QueuePut};
pub use queue_order::{Fifo, Lifo, Order, Priority};
pub use semaphore::{
    AcquirePermit, BoundedSemaphore, OverRelease, PermitRequest, Semaphore, SemaphorePermit,
};
pub use wait_on::{IWait, Observer, Ready, WaitOn, WaitOnFuture, iwait, wait_on};

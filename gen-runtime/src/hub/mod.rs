//! The coroutine scheduler: gevent and greenlet for Rust, in real time or in simulated time.
//!
//! A [`Hub`] runs tasks on one thread, one at a time, switching whenever a task waits. A task
//! is written in either of two styles, and both run side by side on one hub:
//!
//! - **an async block or `async fn`** that awaits the hub's operations — the Rust way:
//!
//! ```
//! use corogen::hub::{self, Hub};
//! use std::time::Duration;
//!
//! let hub = Hub::new_virtual();
//! let task = hub.spawn(async {
//!     hub::sleep(Duration::from_secs(1)).await;
//!     hub::now()
//! });
//! hub.run();
//! assert_eq!(task.try_get(), Some(Ok(Duration::from_secs(1))));
//! ```
//!
//! - **a generator** whose yields are requests to the hub ([`Op`]s from [`op`]) and whose
//!   resumes are the hub's [`Reply`]s — the SimPy way:
//!
//! ```
//! use corogen::hub::{self, Hub, Op, Reply, op};
//! use corogen::prelude::*;
//! use std::time::Duration;
//!
//! #[generator(yield = Op, resume = Reply)]
//! fn clock(name: &'static str, tick: u64, log: hub::Queue<String>) {
//!     for _ in 0..3 {
//!         log.try_put(format!("{name} {:?}", hub::now())).unwrap();
//!         yield_!(op::sleep(Duration::from_secs(tick)));
//!     }
//! }
//!
//! let hub = Hub::new_virtual();
//! let log = hub::Queue::new();
//! hub.spawn(clock("fast", 1, log.clone()));
//! hub.spawn(clock("slow", 2, log.clone()));
//! hub.run();
//! let log: Vec<String> = std::iter::from_fn(|| log.try_get()).collect();
//! assert_eq!(log, ["fast 0ns", "slow 0ns", "fast 1s", "slow 2s", "fast 2s", "slow 4s"]);
//! ```
//!
//! # Clocks
//!
//! [`Hub::new`] keeps real time. [`Hub::new_virtual`] keeps a virtual clock that jumps to the
//! next timer whenever every task waits: the same code runs as a simulation, as fast as the CPU
//! allows, and a run is reproducible to the event (timers due at the same time fire in the order
//! they were set; runnable tasks run in the order they became runnable).
//!
//! On `wasm32-unknown-unknown` only the virtual clock exists: `std` has no clock there
//! (`Instant::now` panics), so [`Hub::new`] (and `Hub::default`) is not compiled for it.
//!
//! # I/O
//!
//! With the `net` feature (on by default; Unix only), sockets ([`net`]), child processes
//! ([`process`]) and signals ([`signal`]) are cooperative, as with gevent's monkey-patched
//! `socket`, `subprocess` and `signal`: a task waiting for the network, a child or a signal
//! lets the others run. Files ([`fs`], any build with `hub`) go through the blocking pool, as
//! gevent's do through its threadpool. Once a
//! task has waited on a socket, a hub with nothing runnable blocks in its I/O poller (epoll,
//! kqueue…) until a socket is ready or its next timer is due, so sleeps and I/O share one timer
//! heap; a hub without sockets never touches a poller. A task waiting on a socket keeps
//! [`Hub::run`] going (a server runs until it is killed, or its hub dropped). I/O needs the real
//! clock: on a virtual hub the sockets' waiting methods fail with a clear `Unsupported` error,
//! while its timers work as always.
//!
//! Without `net` (`default-features = false, features = ["hub"]`) everything else is here, and
//! a real-time hub with nothing runnable parks its thread until its next timer, unparked by
//! wakes from other threads (the blocking pool, foreign futures).
//!
//! # Targets without threads
//!
//! On wasm without atomics (`wasm32-wasip1`, `wasm32-unknown-unknown`) no other thread can wake
//! a hub: a real-time hub with nothing runnable sleeps the thread (`std::thread::sleep`) until
//! its next timer, a waker kept by a foreign future does not keep it waiting, and there is no
//! blocking pool: [`try_spawn_blocking`] gives an `Unsupported` error ([`spawn_blocking`]
//! panics with it, in its task).
//!
//! # gevent's vocabulary
//!
//! | gevent / greenlet | here |
//! |---|---|
//! | `spawn(f, …)`, `spawn_later(s, f)` | [`spawn`], [`spawn_later`] (and on [`Hub`]) |
//! | `Greenlet(f)`, `g.start()` | [`greenlet`], [`TaskRef::start`] |
//! | `getcurrent()` | [`getcurrent`] |
//! | `sleep(s)`, `sleep(0)` | [`sleep`]/[`op::sleep`], `sleep(Duration::ZERO)`/[`op::pass`] |
//! | `g.join()`, `g.get()`, `g.value`, `g.exception` | [`TaskRef::join`], [`Task::get`], [`Task::value`], [`TaskRef::exception`] |
//! | `g.ready()`, `g.successful()`, `g.dead`, `g.started` | the same names on [`TaskRef`] |
//! | `g.link(f)`, `link_value`, `link_exception` | the same names on [`Task`]/[`TaskRef`] |
//! | `g.kill(block=True)`, `kill(block=False)`, `killall` | [`TaskRef::kill`], [`TaskRef::kill_nowait`], [`killall`] |
//! | `joinall(gs, timeout, count, raise_error)` | [`joinall`]`(gs).timeout(..).count(..).raise_error(..)` |
//! | `wait(timeout=…)` | [`wait`], [`Hub::wait`] |
//! | `Timeout`, `with_timeout` | [`Timeout`], [`with_timeout`] |
//! | `Event`, `AsyncResult` | [`Event`], [`AsyncResult`] |
//! | `Queue(maxsize)`, `put_nowait`, `get_nowait` | [`Queue`], [`Queue::try_put`], [`Queue::try_get`] |
//! | `Pool(size)`, `Group` | [`Pool`], [`Group`] |
//! | `Semaphore`, `BoundedSemaphore` | [`Semaphore`], [`BoundedSemaphore`] |
//! | `with sem:` | `let _permit = sem.`[`acquire_permit`](Semaphore::acquire_permit)`().await` ([`SemaphorePermit`], given back when dropped); a generator task: `let permit = sem.`[`request`](Semaphore::request)`(); yield_!(op::wait(&permit))` |
//! | `greenlet.switch(value)`, `parent` | [`switch`], [`op::switch`]; the parent is the task that made the greenlet |
//! | `get_hub().threadpool.apply(f)` | [`spawn_blocking`] |
//! | `Event`/`AsyncResult` set from another thread (`hub.loop.async_()`, the threadpool's `ThreadResult`) | [`ThreadEvent`], [`ThreadAsyncResult`] (`Send + Sync`; `wait` as a hub operation, [`op::wait`] in a generator task) |
//! | `FileObjectThread`, `open()` on the threadpool | [`fs`]: [`fs::read`], [`fs::write`], [`fs::File`]… (the calls of `std::fs`, on the blocking pool) |
//! | `subprocess.Popen(args, stdin=PIPE…)`, `p.wait()`, `p.communicate()` | [`process::Command::spawn`], [`process::Child::wait`], [`process::Child::wait_with_output`] |
//! | `subprocess.run`, `check_output`, `call` | [`process::Command::output`], [`process::Command::status`] |
//! | `signal_handler(signalnum, handler)`, `.cancel()` | [`signal::signal_handler`], [`signal::SignalHandler::cancel`]; awaited: [`signal::Signals`] |
//! | `socket.create_connection(addr, timeout)` | [`net::TcpStream::connect`], [`net::TcpStream::connect_timeout`] |
//! | `sock.recv`, `sock.sendall`, `sock.settimeout` | [`net::TcpStream::read`], [`net::TcpStream::write_all`], [`net::TcpStream::set_read_timeout`] |
//! | `StreamServer(addr, handle)` | a [`net::TcpListener::accept`] loop spawning a task per connection |
//! | `socket.getaddrinfo` (on the threadpool) | [`net::lookup_host`] |
//! | `wait_read(fd)`, `wait_write(fd)` | [`op::readable`], [`op::writable`] (and `readable()`/`writable()`) |
//!
//! # Tasks end three ways
//!
//! A task returns, panics, or is killed. A panic is caught: the hub and the other tasks go on,
//! and the task's handle keeps the message ([`TaskError::Panicked`]). A kill drops the task's
//! future where it waits: the destructors of its live locals run, innermost scope first (Rust's
//! `finally`), before [`TaskRef::kill`] returns.
//!
//! # One hub per thread
//!
//! A hub and its tasks stay on the thread that made them (they are not `Send`); hubs on other
//! threads are independent. Wakers work from any thread: a foreign future or the blocking pool
//! wakes its task through them, and so do [`ThreadEvent`] and [`ThreadAsyncResult`], which
//! another thread (or a task of another hub) sets while a task of this hub waits.
//!
//! # Inside futures combinators
//!
//! The hub's operations work inside combinators that poll their children with wakers of their
//! own, such as `FuturesUnordered`, `buffer_unordered` or `select_all`: each child is polled
//! again when its operation is ready (see `tests/hub_combinators.rs`).
//!
//! # The layers of the hub
//!
//! The hub's files form layers, each built on the ones below it and never using one above:
//! where a lower layer needs something of a higher one, the higher one hands it down (a trait,
//! a closure) or the thing lives below. `layer_tests.rs` checks the rule on the sources.
//!
//! ```text
//!  4  API          scheduler.rs (Hub, spawn…) · pool.rs · blocking.rs · fs.rs · thread_event.rs
//!                  · net/ (sockets) · process/ · signal.rs (`net` only)
//!                  ──────────────────────────────────────────────────────────────────────
//!  3  sync/        event · queue · semaphore · joinall
//!                  ──────────────────────────────────────────────────────────────────────
//!  2b task/        generator tasks: gen_task (Op, Reply, GenTask) · op
//!  2a task/        async tasks: into_task · handle (TaskRef, Join…) · time (Sleep, Timeout)
//!                  · switch · wait_list · io_wait (`net` only)
//!                  ──────────────────────────────────────────────────────────────────────
//!  1  engine/      the task table and the run loop: value · raw (RawTask, TaskError) · slot
//!                  · table (Core) · inner (Inner) · current (the running hub, adopt) · run
//!                  ──────────────────────────────────────────────────────────────────────
//!  0  base/        time and wakers: key (TaskKey) · clock · timer · remote · waker
//!                  · driver ─ the one seam to the outside world ─ reactor (`net` only)
//! ```
//!
//! The run loop waits in the driver (`base/driver.rs`), and wakes from other threads reach the
//! hub through its unparker: with `net`, once a task has waited on a socket, that is the I/O
//! poller; otherwise it is the thread's park (or, without threads, a sleep). Below the API, the
//! `net` feature is looked at only there (and where `base/mod.rs` declares the reactor), and on
//! the few items that exist only with it: `task/io_wait.rs`, an `Op`'s socket wait in
//! `task/gen_task.rs`, and `op::readable`/`op::writable`.

// Built without `net`, the docs above link to the items of `net` on docs.rs.
#![cfg_attr(
    not(all(feature = "net", unix)),
    doc = "",
    doc = "[`net`]: https://docs.rs/corogen/latest/corogen/hub/net/index.html",
    doc = "[`net::TcpStream::connect`]: https://docs.rs/corogen/latest/corogen/hub/net/struct.TcpStream.html#method.connect",
    doc = "[`net::TcpStream::connect_timeout`]: https://docs.rs/corogen/latest/corogen/hub/net/struct.TcpStream.html#method.connect_timeout",
    doc = "[`net::TcpStream::read`]: https://docs.rs/corogen/latest/corogen/hub/net/struct.TcpStream.html#method.read",
    doc = "[`net::TcpStream::write_all`]: https://docs.rs/corogen/latest/corogen/hub/net/struct.TcpStream.html#method.write_all",
    doc = "[`net::TcpStream::set_read_timeout`]: https://docs.rs/corogen/latest/corogen/hub/net/struct.TcpStream.html#method.set_read_timeout",
    doc = "[`net::TcpListener::accept`]: https://docs.rs/corogen/latest/corogen/hub/net/struct.TcpListener.html#method.accept",
    doc = "[`net::lookup_host`]: https://docs.rs/corogen/latest/corogen/hub/net/fn.lookup_host.html",
    doc = "[`op::readable`]: https://docs.rs/corogen/latest/corogen/hub/op/fn.readable.html",
    doc = "[`op::writable`]: https://docs.rs/corogen/latest/corogen/hub/op/fn.writable.html",
    doc = "[`process`]: https://docs.rs/corogen/latest/corogen/hub/process/index.html",
    doc = "[`process::Command::spawn`]: https://docs.rs/corogen/latest/corogen/hub/process/struct.Command.html#method.spawn",
    doc = "[`process::Command::output`]: https://docs.rs/corogen/latest/corogen/hub/process/struct.Command.html#method.output",
    doc = "[`process::Command::status`]: https://docs.rs/corogen/latest/corogen/hub/process/struct.Command.html#method.status",
    doc = "[`process::Child::wait`]: https://docs.rs/corogen/latest/corogen/hub/process/struct.Child.html#method.wait",
    doc = "[`process::Child::wait_with_output`]: https://docs.rs/corogen/latest/corogen/hub/process/struct.Child.html#method.wait_with_output",
    doc = "[`signal`]: https://docs.rs/corogen/latest/corogen/hub/signal/index.html",
    doc = "[`signal::signal_handler`]: https://docs.rs/corogen/latest/corogen/hub/signal/fn.signal_handler.html",
    doc = "[`signal::SignalHandler::cancel`]: https://docs.rs/corogen/latest/corogen/hub/signal/struct.SignalHandler.html#method.cancel",
    doc = "[`signal::Signals`]: https://docs.rs/corogen/latest/corogen/hub/signal/struct.Signals.html"
)]

// `net` needs the reactor's crates, which exist only on Unix: one clear error elsewhere, and
// every item of `net` gated on `all(feature = "net", unix)` so that nothing else fails.
#[cfg(all(feature = "net", not(unix)))]
compile_error!(
    "corogen's `net` feature needs a Unix target (epoll/kqueue through `polling`): build with \
     `default-features = false, features = [\"hub\"]` for the scheduler without sockets"
);

// The layers (see the module docs): base 0, engine 1, task 2, sync 3; the API (4) is the files
// below. Each uses only its own and lower ones.
mod base;
mod engine;
mod sync;
mod task;

mod blocking;
pub mod fs;
#[cfg(all(feature = "net", unix))]
#[cfg_attr(docsrs, doc(cfg(feature = "net")))]
pub mod net;
mod pool;
#[cfg(all(feature = "net", unix))]
#[cfg_attr(docsrs, doc(cfg(feature = "net")))]
pub mod process;
mod scheduler;
#[cfg(all(feature = "net", unix))]
#[cfg_attr(docsrs, doc(cfg(feature = "net")))]
pub mod signal;
mod thread_event;

pub use blocking::{Blocking, MAX_THREADS, spawn_blocking, try_spawn_blocking};
pub use engine::{TaskError, Value};
pub use pool::{Group, Pool, PoolFull};
pub use scheduler::{Hub, IntoMainTask, greenlet, spawn, spawn_later};
pub use sync::{
    AcquirePermit, AsyncResult, BoundedSemaphore, Event, Full, JoinAll, JoinAllFuture, OverRelease,
    PermitRequest, Queue, Readable, Semaphore, SemaphorePermit, Wait, Writable, joinall, killall,
    killall_nowait, wait,
};
pub use task::op;
pub use task::{
    Elapsed, GenTask, Get, IntoTask, Join, Op, Reply, Sleep, Switch, Task, TaskRef, Timeout,
    WaitFor, WaitHandle, Waitable, getcurrent, now, sleep, switch, with_timeout,
};
pub use thread_event::{ThreadAsyncResult, ThreadEvent, ThreadWait};

/// The future of [`Queue::get`].
pub type QueueGet<T> = sync::QueueGet<T>;
/// The future of [`Queue::put`].
pub type QueuePut<T> = sync::QueuePut<T>;

#[cfg(test)]
mod block_on_tests;
#[cfg(test)]
mod layer_tests;
#[cfg(test)]
mod miri_tests;
#[cfg(test)]
mod park_tests;
#[cfg(test)]
mod tests;

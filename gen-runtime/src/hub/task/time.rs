//! Time: [`now`], [`sleep`], and timeouts ([`Timeout`], [`with_timeout`]).
//!
//! A hub's clock reads [`Duration`]s since the hub was made. On a virtual hub it only moves when
//! every task waits: then it jumps to the next timer, so a simulation of hours runs in
//! microseconds and every run of it gives the same events in the same order.

use std::cell::Cell;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::hub::base::TimerId;
use crate::hub::engine::{Inner, adopt, current, try_current};

pub(crate) fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

/// The current hub's time: how long since it was made (virtual or real).
///
/// # Panics
/// Outside a running hub.
pub fn now() -> Duration {
    Duration::from_nanos(current().now())
}

/// Waits for `duration` (gevent's `sleep`).
///
/// `sleep(Duration::ZERO)` yields: every other runnable task takes a turn, and due timers fire,
/// before this task goes on (A0 B0 A1 B1…).
pub fn sleep(duration: Duration) -> Sleep {
    let duration = nanos(duration);
    let hub = if duration == 0 { None } else { try_current() };
    let at = match &hub {
        Some(hub) => hub.now().saturating_add(duration),
        None => duration,
    };
    Sleep {
        hub,
        at,
        timer: None,
    }
}

/// The future of [`sleep`].
///
/// Three words, as a task holds one for as long as it sleeps: `hub` is set together with the
/// deadline, so it tells what `at` holds. A yield (a sleep of zero) gets its hub and a deadline
/// of 0 at its first poll, which wakes the task: its next poll is ready.
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    /// The hub whose clock `at` reads: set when the sleep is made inside a running hub, or at
    /// the first poll.
    hub: Option<Rc<Inner>>,
    /// With `hub`, the deadline; without, the duration (zero: a yield, not polled yet).
    at: u64,
    timer: Option<TimerId>,
}

impl Sleep {
    /// A sleep until the hub's clock reads `deadline` nanoseconds.
    pub(crate) fn until(hub: Rc<Inner>, deadline: u64) -> Sleep {
        Sleep {
            hub: Some(hub),
            at: deadline,
            timer: None,
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        adopt(cx);
        let this = self.get_mut();
        let hub = match &this.hub {
            Some(hub) => hub,
            None => {
                let hub = this.hub.insert(current());
                if this.at == 0 {
                    // A yield: its deadline is 0, so its next poll is ready.
                    let mut core = hub.core.borrow_mut();
                    let me = core.current();
                    core.wake(me);
                    return Poll::Pending;
                }
                this.at = hub.now().saturating_add(this.at);
                hub
            }
        };
        if this.at == 0 {
            // Due whatever the clock (a yield polled again): never armed.
            return Poll::Ready(());
        }
        let mut core = hub.core.borrow_mut();
        if core.now() >= this.at {
            if let Some(timer) = this.timer.take() {
                core.timers.cancel(timer);
            }
            return Poll::Ready(());
        }
        if this.timer.is_none() {
            let me = core.current();
            this.timer = Some(core.timers.insert(this.at, me));
        }
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let (Some(hub), Some(timer)) = (&self.hub, self.timer.take()) {
            if let Ok(mut core) = hub.core.try_borrow_mut() {
                core.timers.cancel(timer);
            }
        }
    }
}

/// The error of a future cut short by a [`Timeout`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Elapsed;

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("timed out")
    }
}

impl std::error::Error for Elapsed {}

/// An [`io::ErrorKind::TimedOut`](std::io::ErrorKind::TimedOut) error, so that `?` works on
/// `with_timeout(d, socket.read(buf)).await??`.
impl From<Elapsed> for std::io::Error {
    fn from(elapsed: Elapsed) -> Self {
        std::io::Error::new(std::io::ErrorKind::TimedOut, elapsed)
    }
}

/// A deadline that can cut futures short: gevent's `Timeout`.
///
/// It is armed from the moment it is made; [`run`](Timeout::run) races a future against it.
/// Timeouts nest: each guards what it runs, the shorter fires first, and the longer stays
/// [pending](Timeout::pending) meanwhile.
///
/// ```
/// use corogen::hub::{self, Elapsed, Hub, Timeout};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// let ms = Duration::from_millis;
/// let result = hub.block_on(async move {
///     let outer = Timeout::start(ms(200));
///     outer.run(async {
///         let inner = Timeout::start(ms(100));
///         assert_eq!(inner.run(hub::sleep(ms(1000))).await, Err(Elapsed)); // the shorter fires
///         assert!(outer.pending()); // the longer is still armed
///         hub::sleep(ms(1000)).await;
///     })
///     .await
/// });
/// assert_eq!(result, Err(Elapsed));
/// assert_eq!(hub.now(), ms(200));
/// ```
pub struct Timeout {
    hub: Rc<Inner>,
    deadline: u64,
    cancelled: Cell<bool>,
}

impl Timeout {
    /// Arms a timeout that expires `duration` from now.
    ///
    /// # Panics
    /// Outside a running hub.
    pub fn start(duration: Duration) -> Timeout {
        let hub = current();
        let deadline = hub.now().saturating_add(nanos(duration));
        Timeout {
            hub,
            deadline,
            cancelled: Cell::new(false),
        }
    }

    /// Whether the timeout is armed and has not expired yet.
    pub fn pending(&self) -> bool {
        !self.cancelled.get() && self.hub.now() < self.deadline
    }

    /// Whether the timeout expired (and was not cancelled before).
    pub fn expired(&self) -> bool {
        !self.cancelled.get() && self.hub.now() >= self.deadline
    }

    /// Disarms the timeout: [`run`](Timeout::run) then waits for its future however long.
    pub fn cancel(&self) {
        self.cancelled.set(true);
    }

    /// When the timeout expires, on the hub's clock.
    pub fn deadline(&self) -> Duration {
        Duration::from_nanos(self.deadline)
    }

    /// Runs `future` until it completes or the timeout expires, whichever comes first; the
    /// future is dropped when the timeout wins.
    pub async fn run<F: Future>(&self, future: F) -> Result<F::Output, Elapsed> {
        let mut future = pin!(future);
        let mut timer = Sleep::until(Rc::clone(&self.hub), self.deadline);
        poll_fn(|cx| {
            if let Poll::Ready(value) = future.as_mut().poll(cx) {
                return Poll::Ready(Ok(value));
            }
            if !self.cancelled.get() && Pin::new(&mut timer).poll(cx).is_ready() {
                return Poll::Ready(Err(Elapsed));
            }
            Poll::Pending
        })
        .await
    }
}

impl fmt::Debug for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("deadline", &self.deadline())
            .field("cancelled", &self.cancelled.get())
            .finish()
    }
}

/// Runs `future` for at most `duration` (gevent's `with_timeout`).
///
/// ```
/// use corogen::hub::{self, Elapsed, Hub};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// let quick = hub.block_on(hub::with_timeout(Duration::from_secs(1), async { 5 }));
/// assert_eq!(quick, Ok(5));
/// let slow = hub.block_on(hub::with_timeout(Duration::from_secs(1), hub::sleep(Duration::from_secs(9))));
/// assert_eq!(slow, Err(Elapsed));
/// ```
///
/// # Panics
/// Outside a running hub (await it from a task).
pub async fn with_timeout<F: Future>(duration: Duration, future: F) -> Result<F::Output, Elapsed> {
    Timeout::start(duration).run(future).await
}

// A task holds its `Sleep` for as long as it sleeps: keep it three words.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(size_of::<Sleep>() == 24);

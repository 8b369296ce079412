//! Time: [`now`], [`sleep`], and timeouts ([`Timeout`], [`with_timeout`]).
//!
//! A hub's clock reads [`Duration`]s since the hub was made. On a virtual hub it only moves when
//! every task waits: then it jumps to the next timer, so a simulation of hours runs in
//! microseconds and every run of it gives the same events in the same order.

use std::cell::{Cell, RefCell};
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
    /// The deadline of a sleep made with [`Sleep::until`] (or polled once).
    pub(crate) fn deadline(&self) -> Option<u64> {
        self.hub.as_ref().map(|_| self.at)
    }

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
/// [`run`](Timeout::run) races a future against it: gevent's `with timeout:` block. Timeouts
/// nest: each guards what it runs, the shorter fires first, and the longer stays
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
///
/// # Its life
///
/// - [`Timeout::start`] arms one at once (gevent's `Timeout.start_new`); [`Timeout::new`] makes
///   one *unstarted* (gevent's `Timeout(seconds)`), armed by its first `run` or by
///   [`restart`](Timeout::restart). `Timeout::new(None)` is disabled: it never fires, and its
///   `run` waits however long (gevent's `Timeout(None)`, for functions with an optional
///   timeout).
/// - It is [`pending`](Timeout::pending) while armed and its deadline is ahead; once a `run`
///   that it guarded is over, finished or cut short, it is pending no more (gevent's
///   `with` block closing it). Another `run` guards again with the same deadline.
/// - It [expires](Timeout::expired) when its deadline comes while it is armed: the `run` then
///   drops its future and gives the timeout's error — [`Elapsed`], or the value given to
///   [`with_error`](Timeout::with_error) (gevent's custom exception).
/// - [`cancel`](Timeout::cancel) disarms it, for good until [`restart`](Timeout::restart), which
///   arms it anew from now (gevent's `cancel()` then `start()`).
///
/// ```
/// use corogen::hub::{self, Hub, Timeout};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// let ms = Duration::from_millis;
/// hub.block_on(async move {
///     let timeout = Timeout::new(ms(10)).with_error("too slow");
///     assert!(!timeout.pending()); // unstarted
///     assert_eq!(timeout.run(hub::sleep(ms(50))).await, Err("too slow"));
///     timeout.restart(); // armed again, from now
///     assert_eq!(timeout.run(async { 5 }).await, Ok(5));
///     assert!(!timeout.pending()); // the block it guarded is over
///     let disabled = Timeout::new(None);
///     assert_eq!(disabled.run(hub::sleep(ms(50))).await, Ok(()));
/// });
/// ```
pub struct Timeout<E = Elapsed> {
    /// The hub whose clock the deadline reads, once armed.
    hub: RefCell<Option<Rc<Inner>>>,
    /// `None`: disabled, never armed.
    duration: Option<Duration>,
    stage: Cell<Stage>,
    error: E,
}

/// Where a [`Timeout`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Not armed yet (or disabled).
    Unstarted,
    /// Armed, to fire at this deadline (or fired already, if it is past: nothing saw it yet).
    Armed(u64),
    /// The run it guarded finished before the deadline: not pending, but a later run guards
    /// again until the deadline.
    Closed(u64),
    /// It fired, cutting a run short.
    Expired,
    Cancelled,
}

impl Timeout {
    /// Arms a timeout that expires `duration` from now (gevent's `Timeout.start_new`); `None`
    /// makes one that never does.
    ///
    /// # Panics
    /// Outside a running hub.
    pub fn start(duration: impl Into<Option<Duration>>) -> Timeout {
        let timeout = Timeout::new(duration);
        timeout.restart();
        timeout
    }

    /// An unstarted timeout of `duration` (gevent's `Timeout(seconds)`): its first
    /// [`run`](Self::run), or [`restart`](Self::restart), arms it. `None` makes a disabled one,
    /// which never fires. Needs no hub.
    pub fn new(duration: impl Into<Option<Duration>>) -> Timeout {
        Timeout {
            hub: RefCell::new(None),
            duration: duration.into(),
            stage: Cell::new(Stage::Unstarted),
            error: Elapsed,
        }
    }
}

impl<E> Timeout<E> {
    /// The same timeout, cutting runs short with `error` instead of [`Elapsed`] (gevent's
    /// `Timeout(seconds, exception)`).
    pub fn with_error<F>(self, error: F) -> Timeout<F> {
        Timeout {
            hub: self.hub,
            duration: self.duration,
            stage: self.stage,
            error,
        }
    }

    /// Arms the timeout to expire its duration from now, whatever it was doing: starts an
    /// unstarted one, restarts a pending, expired or cancelled one (gevent's `start()`, after
    /// `cancel()` for a pending one). Does nothing to a disabled one.
    ///
    /// # Panics
    /// Outside a running hub.
    pub fn restart(&self) {
        let Some(duration) = self.duration else {
            return;
        };
        let hub = current();
        let deadline = hub.now().saturating_add(nanos(duration));
        *self.hub.borrow_mut() = Some(hub);
        self.stage.set(Stage::Armed(deadline));
    }

    fn now(&self) -> u64 {
        self.hub.borrow().as_ref().map_or(0, |hub| hub.now())
    }

    /// Whether the timeout is armed and its deadline is ahead: started, not cancelled, not
    /// expired, and the run it guarded (if any) not over.
    pub fn pending(&self) -> bool {
        matches!(self.stage.get(), Stage::Armed(deadline) if self.now() < deadline)
    }

    /// Whether the timeout expired: it fired, or its deadline passed while it was armed.
    pub fn expired(&self) -> bool {
        match self.stage.get() {
            Stage::Expired => true,
            Stage::Armed(deadline) => self.now() >= deadline,
            _ => false,
        }
    }

    /// Disarms the timeout: [`run`](Timeout::run) then waits for its future however long,
    /// until a [`restart`](Self::restart).
    pub fn cancel(&self) {
        if self.duration.is_some() {
            self.stage.set(Stage::Cancelled);
        }
    }

    /// The timeout's duration; `None` for a disabled one (gevent's `seconds`).
    pub fn duration(&self) -> Option<Duration> {
        self.duration
    }

    /// When the timeout expires, on the hub's clock, if it is armed (pending, or guarding
    /// again once its run is over, or expired by the clock without a run to see it).
    pub fn deadline(&self) -> Option<Duration> {
        match self.stage.get() {
            Stage::Armed(deadline) | Stage::Closed(deadline) => {
                Some(Duration::from_nanos(deadline))
            }
            _ => None,
        }
    }

    /// Runs `future` until it completes or the timeout expires, whichever comes first; the
    /// future is dropped when the timeout wins, and the run gives the timeout's error.
    ///
    /// An unstarted timeout is armed here; once the run is over (or dropped), the timeout is
    /// no longer pending. A cancelled or disabled one lets the future run however long; an
    /// expired one cuts it short at once (if it is not ready at its first poll).
    ///
    /// # Panics
    /// Outside a running hub, if the timeout is unstarted.
    pub async fn run<F: Future>(&self, future: F) -> Result<F::Output, E>
    where
        E: Clone,
    {
        match self.stage.get() {
            Stage::Unstarted => self.restart(),
            Stage::Closed(deadline) => self.stage.set(Stage::Armed(deadline)),
            _ => {}
        }
        let guard = CloseOnDrop(&self.stage);
        let mut future = pin!(future);
        let mut timer: Option<Sleep> = None;
        let result = poll_fn(|cx| {
            if let Poll::Ready(value) = future.as_mut().poll(cx) {
                return Poll::Ready(Ok(value));
            }
            match self.stage.get() {
                Stage::Armed(deadline) => {
                    let hub = self
                        .hub
                        .borrow()
                        .clone()
                        .expect("an armed timeout has its hub");
                    let timer = match &mut timer {
                        // Re-made when a restart moved the deadline.
                        Some(timer) if timer.deadline() == Some(deadline) => timer,
                        _ => timer.insert(Sleep::until(hub, deadline)),
                    };
                    if Pin::new(timer).poll(cx).is_ready() {
                        self.stage.set(Stage::Expired);
                        return Poll::Ready(Err(self.error.clone()));
                    }
                }
                Stage::Expired => return Poll::Ready(Err(self.error.clone())),
                // Cancelled during the run: its timer goes.
                _ => timer = None,
            }
            Poll::Pending
        })
        .await;
        drop(guard);
        result
    }
}

/// Closes an armed timeout when its run is over, however it ends (the run's future may be
/// dropped by an outer timeout).
struct CloseOnDrop<'a>(&'a Cell<Stage>);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        if let Stage::Armed(deadline) = self.0.get() {
            self.0.set(Stage::Closed(deadline));
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for Timeout<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("duration", &self.duration)
            .field("stage", &self.stage.get())
            .field("error", &self.error)
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

//! The hub's clock: virtual (moved only by the run loop), or read from the wall clock lazily,
//! at most once per turn.
//!
//! The clock rule: a real hub reads the wall clock at the start of a turn only when a timer (or
//! a `wait` deadline) is armed, since only then can something fall due; otherwise it marks the
//! time stale, and the first caller of [`Clock::now`] in that turn (`now()`, `sleep`, a timeout,
//! `spawn_later`…) reads the clock then. It always reads it before parking. So a deadline is
//! always computed from a clock read in the current turn (never earlier than before), timers
//! fire at the first turn at or after their deadline, and the time never goes backwards.
//!
//! A real clock needs [`Instant::now`], which panics on `wasm32-unknown-unknown`: there only
//! [`Clock::new_virtual`] exists.

use std::cell::Cell;
use std::time::Instant;

/// Nanoseconds since the hub started, virtual or real.
pub(crate) struct Clock {
    /// Read it with [`Clock::now`], never directly.
    now: Cell<u64>,
    /// A real clock's start, to read the wall clock from; `None` on a virtual clock.
    started: Option<Instant>,
    /// Set at the start of a turn when the wall clock was not read then (no timer armed): the
    /// first reader of the time in that turn reads it.
    stale: Cell<bool>,
}

impl Clock {
    /// A clock on the wall clock, starting now.
    #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
    pub(crate) fn new_real() -> Self {
        Clock {
            now: Cell::new(0),
            started: Some(Instant::now()),
            stale: Cell::new(false),
        }
    }

    /// A virtual clock, starting at zero.
    pub(crate) fn new_virtual() -> Self {
        Clock {
            now: Cell::new(0),
            started: None,
            stale: Cell::new(false),
        }
    }

    /// Whether the clock is virtual.
    pub(crate) fn is_virtual(&self) -> bool {
        self.started.is_none()
    }

    /// The time, in nanoseconds since the hub started (see the module docs for when a real
    /// clock is read).
    #[inline]
    pub(crate) fn now(&self) -> u64 {
        if self.stale.get() {
            self.read();
        }
        self.now.get()
    }

    /// Reads the wall clock now (a real clock; nothing on a virtual one).
    pub(crate) fn read(&self) {
        self.stale.set(false);
        if let Some(started) = self.started {
            let elapsed = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            self.now.set(self.now.get().max(elapsed));
        }
    }

    /// Starts a turn: reads a real clock if something `armed` may be due, or marks it stale.
    #[inline]
    pub(crate) fn start_turn(&self, armed: bool) {
        if self.started.is_some() {
            if armed {
                self.read();
            } else {
                self.stale.set(true);
            }
        }
    }

    /// Moves a virtual clock (or a real one past a run's deadline) forward to `to`.
    pub(crate) fn advance_to(&self, to: u64) {
        self.now.set(self.now.get().max(to));
    }
}

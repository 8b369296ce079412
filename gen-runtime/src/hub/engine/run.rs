//! The event loop: what one turn of the hub does, and how it waits when there is nothing to do.
//!
//! Each turn:
//! 1. reads the clock (a real hub, and only when a timer is armed: the rule is in
//!    `base/clock.rs`) and takes the tasks other threads woke;
//! 2. fires the timers that are due, waking their tasks in deadline order;
//! 3. runs the callbacks (links, non-blocking kills);
//! 4. runs each task that was in the run queue when the turn began, once. A task that yields
//!    (`sleep(0)`) goes to the back of the queue and runs in the next turn, after the timers:
//!    round-robin among runnable tasks, and timers are never starved.
//!
//! With nothing runnable, the hub [parks](Inner::park) until the next timer: a virtual clock
//! jumps there at once; a real one waits in the [`Driver`](crate::hub::base::Driver) (the
//! thread's park, or the I/O poller once a task has waited on a socket); a wake from another
//! thread interrupts that wait.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::task::Poll;
use std::time::Duration;

use super::current::Enter;
use super::inner::Inner;
use super::raw::{RawTask, TaskError};
use super::slot::{Exit, State};
use super::table::{Callback, Core};
use crate::hub::base::{self, TaskKey};

/// Why a run stopped.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RunEnd {
    /// The awaited task is dead.
    Done,
    /// Nothing is runnable and nothing is due: the remaining tasks wait forever.
    Idle,
    /// The deadline came first.
    TimedOut,
}

impl Inner {
    /// Runs the loop until `until` is dead, the hub is idle, or the clock reaches `deadline`.
    pub(crate) fn run_until(
        self: &Rc<Self>,
        until: Option<TaskKey>,
        deadline: Option<u64>,
    ) -> RunEnd {
        let _enter = Enter::new(self);
        let mut woken = Vec::new();
        loop {
            // One borrow for the turn's bookkeeping: the end check, the clock, remote wakes,
            // and whether there are timers or callbacks to look at.
            let (timers, callbacks) = {
                let mut core = self.core.borrow_mut();
                if until.is_some_and(|key| core.is_dead(key)) {
                    return RunEnd::Done;
                }
                core.start_turn_clock();
                if self.remote.pending() {
                    self.remote.take(&mut woken);
                    for key in woken.drain(..) {
                        core.wake_remote(key);
                    }
                }
                (
                    !core.timers.is_empty() || !core.idle_waiters.is_empty(),
                    !core.callbacks.is_empty(),
                )
            };
            if timers {
                self.fire_timers();
            }
            if callbacks {
                self.run_callbacks();
            }
            let batch = self.core.borrow().run_queue.len();
            for _ in 0..batch {
                let Some(key) = self.run_next() else { break };
                if until == Some(key) && self.is_done(until) {
                    return RunEnd::Done;
                }
            }
            if let Some(end) = self.park(deadline) {
                return end;
            }
        }
    }

    fn is_done(&self, until: Option<TaskKey>) -> bool {
        until.is_some_and(|key| self.core.borrow().is_dead(key))
    }

    fn fire_timers(&self) {
        let mut core = self.core.borrow_mut();
        if core.timers.is_empty() && core.idle_waiters.is_empty() {
            return;
        }
        let now = core.now();
        while let Some(key) = core.timers.pop_due(now) {
            if !core.start_timers.is_empty() {
                core.start_timers.remove(&key.index);
            }
            core.wake(key);
        }
        if core
            .idle_waiters
            .iter()
            .any(|&(_, deadline)| deadline.is_some_and(|d| d <= now))
        {
            let waiters = std::mem::take(&mut core.idle_waiters);
            for (waiter, deadline) in waiters {
                if deadline.is_some_and(|deadline| deadline <= now) {
                    core.wake(waiter);
                } else {
                    core.idle_waiters.push((waiter, deadline));
                }
            }
        }
    }

    fn run_callbacks(&self) {
        let count = self.core.borrow().callbacks.len();
        for _ in 0..count {
            let next = self.core.borrow_mut().callbacks.pop_front();
            match next {
                Some(Callback::Call(call)) => {
                    if let Err(payload) = catch_unwind(AssertUnwindSafe(call)) {
                        // A link that panics does not stop the hub; it is reported like a
                        // task's panic (the panic hook already printed it).
                        drop(catch_unwind(AssertUnwindSafe(move || drop(payload))));
                    }
                }
                Some(Callback::Kill(key)) => self.kill(key),
                None => break,
            }
        }
    }

    /// Waits for something to do. Returns why the run must stop, if it must.
    ///
    /// The wait is the [driver](crate::hub::base::Driver)'s: until the next timer, a remote
    /// wake, or, with a reactor, a socket's readiness.
    fn park(&self, deadline: Option<u64>) -> Option<RunEnd> {
        let mut core = self.core.borrow_mut();
        if !core.run_queue.is_empty() || !core.callbacks.is_empty() || self.remote.pending() {
            if self.driver.polls_when_busy() {
                let queued = core.run_queue.len();
                drop(core);
                self.driver
                    .poll_busy(queued, |key| self.core.borrow_mut().wake(key));
            }
            return None;
        }
        // The common wait of a virtual clock: only for timers. It jumps to the next one.
        if self.virtual_clock
            && deadline.is_none()
            && core.idle_waiters.is_empty()
            && self.remote.blocking.load(Ordering::Acquire) == 0
        {
            if let Some(next) = core.timers.next_deadline() {
                core.advance_to(next);
                return None;
            }
        }
        core.read_clock();
        // Blocking jobs will wake their tasks; a foreign future holding the waker of a task not
        // dead may (from another thread: without threads, nothing can while the hub waits); a
        // socket may become ready.
        let jobs = self.remote.blocking.load(Ordering::Acquire) > 0;
        // The closure takes the table, not the `RefMut`: capturing that would keep it in
        // memory through the whole loop (S3 of bench/callgrind-sched.sh, +9 Ir a hop).
        let table: &Core = &core;
        let wakers =
            base::threads_available() && self.remote.may_be_woken(&move |key| table.is_dead(key));
        let io = self.driver.has_waiters();
        let timer = core.timers.next_deadline();
        if timer.is_none() && !jobs && !wakers && !io {
            // A wake that came after the check above, from a job or a waker now gone (woken,
            // then dropped, uncounted): the hub is not idle. Jobs and wakers uncount themselves
            // after they wake, so this sees their wake whenever the loads above saw them gone.
            if self.remote.pending() {
                return None;
            }
            // Deliveries already in for a signal handler run before the hub calls itself idle.
            if self.driver.poll_weak(|key| core.wake(key)) {
                return None;
            }
            if core.idle_waiters.is_empty() {
                return Some(RunEnd::Idle);
            }
            // Idle but for the tasks waiting for idleness: their wait is over.
            core.idles += 1;
            for (waiter, _) in std::mem::take(&mut core.idle_waiters) {
                core.wake(waiter);
            }
            return None;
        }
        // The deadlines of idle waiters count as timers.
        let idle_deadline = core
            .idle_waiters
            .iter()
            .filter_map(|&(_, deadline)| deadline)
            .min();
        let next = match (timer, idle_deadline) {
            (Some(timer), Some(idle)) => Some(timer.min(idle)),
            (timer, idle) => timer.or(idle),
        };
        if let Some(deadline) = deadline {
            let passed = core.now() >= deadline;
            let virtual_passed =
                self.virtual_clock && !jobs && next.is_none_or(|next| next > deadline);
            if passed || virtual_passed {
                core.advance_to(deadline);
                return Some(RunEnd::TimedOut);
            }
        }
        if self.virtual_clock {
            if let (false, Some(next)) = (jobs, next) {
                // Nothing else can happen before the next timer: jump there.
                core.advance_to(next);
                return None;
            }
            // Waiting for a blocking job or a foreign wake, in real time; the clock stays.
            drop(core);
            self.driver.park(&self.remote.unparker, None, |_| {});
            return None;
        }
        let until = match (next, deadline) {
            (Some(next), Some(deadline)) => Some(next.min(deadline)),
            (next, deadline) => next.or(deadline),
        };
        let now = core.now();
        drop(core);
        let timeout = until.map(|until| Duration::from_nanos(until.saturating_sub(now)));
        self.driver.park(&self.remote.unparker, timeout, |key| {
            self.core.borrow_mut().wake(key);
        });
        None
    }

    /// Takes the next task off the run queue and polls it (see [`run_task`](Self::run_task));
    /// `None` if the queue is empty.
    fn run_next(self: &Rc<Self>) -> Option<TaskKey> {
        let (key, body, foreign) = {
            let mut core = self.core.borrow_mut();
            let key = core.run_queue.pop_front()?;
            match self.start_task(&mut core, key) {
                Start::Run(body) => (key, body, core.take_due_foreign()),
                Start::Skip => return Some(key),
                Start::Kill => {
                    drop(core);
                    self.kill(key);
                    return Some(key);
                }
            }
        };
        // Futures inside tasks that polled a hub operation with their own waker (`waker::adopt`)
        // and whose task the hub woke since: they poll their operation again.
        if let Some(foreign) = foreign {
            foreign.into_iter().for_each(std::task::Waker::wake);
        }
        self.run_task(key, body);
        Some(key)
    }

    /// Takes a queued task's body out to poll it, marking it running.
    #[inline]
    fn start_task(&self, core: &mut Core, key: TaskKey) -> Start {
        let Some(slot) = core.slot_mut(key) else {
            return Start::Skip;
        };
        slot.queued = false;
        if !matches!(slot.state, State::Unstarted | State::Suspended) {
            return Start::Skip;
        }
        if slot.kill_requested {
            return Start::Kill;
        }
        slot.state = State::Running;
        let body = slot.body.take().expect("a waiting task has its body");
        core.current = Some(key);
        Start::Run(body)
    }

    /// Polls one task, and ends it if it finished, panicked or was killed meanwhile.
    fn run_task(self: &Rc<Self>, key: TaskKey, mut body: Pin<Box<dyn RawTask>>) {
        let polled = catch_unwind(AssertUnwindSafe(|| {
            base::poll_with(&self.remote, key, |cx| body.as_mut().poll(cx))
        }));
        let mut core = self.core.borrow_mut();
        core.current = None;
        match polled {
            Ok(Poll::Pending) => {
                let slot = core.slot_mut(key).expect("a running task keeps its slot");
                if !slot.kill_requested {
                    slot.state = State::Suspended;
                    slot.body = Some(body);
                    return;
                }
                drop(core);
                // It killed itself: it dies at this suspension.
                Inner::drop_body(&mut body, TaskError::Killed);
                self.finish(key, body, Exit::Killed);
            }
            Ok(Poll::Ready(())) => {
                drop(core);
                self.finish(key, body, Exit::Returned);
            }
            Err(payload) => {
                drop(core);
                let message = panic_message(&*payload);
                drop(catch_unwind(AssertUnwindSafe(move || drop(payload))));
                self.finish_panicked(key, body, message);
            }
        }
    }
}

/// What to do with a task taken off the run queue.
enum Start {
    /// Poll this body.
    Run(Pin<Box<dyn RawTask>>),
    /// Nothing: the task is gone, dead, or running already.
    Skip,
    /// Kill it: a kill was asked for while it was queued.
    Kill,
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a task panicked".to_owned()
    }
}

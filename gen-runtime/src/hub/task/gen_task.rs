//! Generator tasks, the SimPy way: a generator yields requests ([`Op`]) to the hub and is
//! resumed with the hub's [`Reply`] when the request is done.
//!
//! The hub runs such a generator as a future, [`GenTask`]: each yielded `Op` becomes the same
//! future an async task would await (a sleep, a join…), and the generator is resumed when it
//! completes. The two styles of task share every mechanism, and can wait on each other.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use super::handle::Join;
use super::into_task::IntoTask;
#[cfg(all(feature = "net", unix))]
use super::io_wait::{IoObject, WaitReady};
use super::switch::{self, Switch};
use super::time::{Sleep, nanos};
use super::wait_list::{CondWait, Condition};
use crate::body::Body;
use crate::generator::Gen;
#[cfg(all(feature = "net", unix))]
use crate::hub::base::reactor::Direction;
use crate::hub::base::{TaskKey, TimerId};
use crate::hub::engine::{self, Inner, Value};
use crate::protocol::GeneratorState;
use crate::step::{BodyStep, poll_body};

/// A request a generator task yields to the hub; make one with the functions of
/// [`op`](crate::hub::op).
///
/// ```
/// use corogen::hub::{self, Hub, Op, Reply, op};
/// use corogen::prelude::*;
/// use std::time::Duration;
///
/// #[generator(yield = Op, resume = Reply)]
/// fn patient(event: hub::Event) -> bool {
///     // Wait for the event, but no longer than a second:
///     let reply = yield_!(op::wait(&event).timeout(Duration::from_secs(1)));
///     reply == Reply::Ready
/// }
///
/// let hub = Hub::new_virtual();
/// let event = hub::Event::new();
/// let task = hub.spawn(patient(event.clone()));
/// hub.run();
/// assert_eq!(task.try_get(), Some(Ok(false))); // nobody set it
/// ```
#[must_use = "an op does nothing unless yielded to the hub"]
pub struct Op {
    pub(crate) kind: OpKind,
    pub(crate) timeout: Option<Duration>,
}

pub(crate) enum OpKind {
    Pass,
    Sleep(Duration),
    Join(Join),
    Wait(Rc<dyn Condition>),
    Switch(Switch),
    #[cfg(all(feature = "net", unix))]
    Io(Rc<dyn IoObject>, Direction),
}

impl Op {
    /// Gives up waiting after `duration`: the generator is then resumed with
    /// [`Reply::TimedOut`].
    pub fn timeout(self, duration: Duration) -> Op {
        Op {
            timeout: Some(duration),
            ..self
        }
    }

    pub(crate) fn new(kind: OpKind) -> Op {
        Op {
            kind,
            timeout: None,
        }
    }
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            OpKind::Pass => "pass".to_owned(),
            OpKind::Sleep(duration) => format!("sleep({duration:?})"),
            OpKind::Join(join) => format!("join(<Task #{}>)", join.target_id()),
            OpKind::Wait(_) => "wait(..)".to_owned(),
            OpKind::Switch(switch) => format!("switch(<Task #{}>, ..)", switch.target_id()),
            #[cfg(all(feature = "net", unix))]
            OpKind::Io(_, Direction::Read) => "readable(..)".to_owned(),
            #[cfg(all(feature = "net", unix))]
            OpKind::Io(_, Direction::Write) => "writable(..)".to_owned(),
        };
        match self.timeout {
            Some(timeout) => write!(f, "Op({kind}, timeout {timeout:?})"),
            None => write!(f, "Op({kind})"),
        }
    }
}

/// What the hub resumes a generator task with.
#[derive(Debug, PartialEq)]
pub enum Reply {
    /// The request is done (also the argument of the first resume, which starts the body).
    Ready,
    /// The request's timeout came first.
    TimedOut,
    /// Another task switched into this one, with this value.
    Switched(Value),
}

impl Reply {
    /// Whether the request timed out.
    pub fn timed_out(&self) -> bool {
        matches!(self, Reply::TimedOut)
    }

    /// The value of a switch (an empty value for any other reply).
    pub fn into_value(self) -> Value {
        match self {
            Reply::Switched(value) => value,
            _ => Value::none(),
        }
    }
}

/// An `Op` in progress, kept small: a generator task holds one for as long as it waits, and a
/// million suspended tasks hold a million of them.
///
/// The common waits (`pass`, a sleep or a switch without a timeout) are inline; any other op, or
/// one with a timeout, is [out of line](Rare), in a box the task keeps for its next rare op.
enum Waiting {
    /// Not waiting (the task is running, or has not yielded yet).
    Idle,
    /// `op::pass()`: requeued; done when polled again.
    Pass { requeued: bool },
    /// A sleep (of more than zero): done when its timer, armed when the op came, has fired.
    Sleep(TimerId),
    /// A switch sent by this task, when the op came (the task's slot says it awaits a switch
    /// back): done when one reaches the task's inbox.
    Switch(TaskKey),
    /// Any other op, or an op with a timeout.
    Rare(Box<Rare>),
}

/// An op out of line: what it waits for, and its timeout.
struct Rare {
    what: What,
    timeout: Option<Sleep>,
}

enum What {
    /// A spare box: nothing waited for.
    Idle,
    /// `op::pass()` with a timeout.
    Pass {
        requeued: bool,
    },
    Sleep(Sleep),
    Join(Join),
    Wait(CondWait),
    Switch(Switch),
    #[cfg(all(feature = "net", unix))]
    Io(WaitReady<Rc<dyn IoObject>>),
}

impl Waiting {
    /// Starts waiting for `op`, in `spare` if the op goes out of line and a spare box is there;
    /// `Err` with the reply if the op is done at once.
    #[inline]
    fn new(op: Op, hub: &Rc<Inner>, spare: &mut Option<Box<Rare>>) -> Result<Waiting, Reply> {
        let after =
            |duration| Sleep::until(Rc::clone(hub), hub.now().saturating_add(nanos(duration)));
        if op.timeout.is_none() {
            match op.kind {
                OpKind::Pass | OpKind::Sleep(Duration::ZERO) => {
                    return Ok(Waiting::Pass { requeued: false });
                }
                OpKind::Sleep(duration) => {
                    let mut core = hub.core.borrow_mut();
                    // Later than now, as the duration is not zero: the timer fires in a later
                    // turn, as a `Sleep`'s would.
                    let deadline = core.now().saturating_add(nanos(duration));
                    let me = core.current();
                    return Ok(Waiting::Sleep(core.timers.insert(deadline, me)));
                }
                OpKind::Switch(mut switch) => {
                    let sent = switch.poll_in(&mut hub.core.borrow_mut());
                    return match sent {
                        Poll::Ready(value) => Err(Reply::Switched(value)),
                        Poll::Pending => match switch.detach() {
                            Some(me) => Ok(Waiting::Switch(me)),
                            None => unreachable!("a pending switch was sent"),
                        },
                    };
                }
                _ => {}
            }
        }
        // Out of line: fill the spare box in place, or a new one.
        let mut rare = spare.take().unwrap_or_else(|| {
            Box::new(Rare {
                what: What::Idle,
                timeout: None,
            })
        });
        rare.what = What::new(op.kind, &after);
        rare.timeout = op.timeout.map(after);
        Ok(Waiting::Rare(rare))
    }

    #[inline]
    fn poll(&mut self, cx: &mut Context<'_>, hub: &Inner) -> Poll<Reply> {
        match self {
            Waiting::Idle => Poll::Ready(Reply::Ready),
            Waiting::Pass { requeued: true } => Poll::Ready(Reply::Ready),
            Waiting::Pass { requeued } => {
                *requeued = true;
                let mut core = hub.core.borrow_mut();
                let me = core.current();
                core.wake(me);
                Poll::Pending
            }
            Waiting::Sleep(timer) => {
                if hub.core.borrow().timers.is_armed(*timer) {
                    Poll::Pending
                } else {
                    Poll::Ready(Reply::Ready)
                }
            }
            Waiting::Switch(_) => match switch::receive(&mut hub.core.borrow_mut()) {
                Some(value) => Poll::Ready(Reply::Switched(value)),
                None => Poll::Pending,
            },
            Waiting::Rare(rare) => rare.poll(cx, hub),
        }
    }

    /// Ends the wait, keeping an out-of-line box in `spare` for the next rare op.
    #[inline]
    fn finish(&mut self, hub: &Inner, spare: &mut Option<Box<Rare>>) {
        match std::mem::replace(self, Waiting::Idle) {
            Waiting::Rare(mut rare) => {
                // Drop the op (a join's registration, a timeout's timer…) before keeping the box.
                rare.what = What::Idle;
                rare.timeout = None;
                *spare = Some(rare);
            }
            Waiting::Sleep(timer) => {
                if let Ok(mut core) = hub.core.try_borrow_mut() {
                    core.timers.cancel(timer);
                }
            }
            // A switch that came back cleared the wait; one dropped before gives it up.
            Waiting::Switch(_) => {}
            Waiting::Idle | Waiting::Pass { .. } => {}
        }
    }
}

impl What {
    fn new(kind: OpKind, after: &impl Fn(Duration) -> Sleep) -> What {
        match kind {
            OpKind::Pass | OpKind::Sleep(Duration::ZERO) => What::Pass { requeued: false },
            OpKind::Sleep(duration) => What::Sleep(after(duration)),
            OpKind::Join(join) => What::Join(join),
            OpKind::Wait(condition) => What::Wait(CondWait::new(condition)),
            OpKind::Switch(switch) => What::Switch(switch),
            #[cfg(all(feature = "net", unix))]
            OpKind::Io(source, direction) => What::Io(WaitReady::new(source, direction)),
        }
    }
}

impl Rare {
    fn poll(&mut self, cx: &mut Context<'_>, hub: &Inner) -> Poll<Reply> {
        let done = match &mut self.what {
            What::Idle | What::Pass { requeued: true } => Poll::Ready(Reply::Ready),
            What::Pass { requeued } => {
                *requeued = true;
                let mut core = hub.core.borrow_mut();
                let me = core.current();
                core.wake(me);
                Poll::Pending
            }
            What::Sleep(sleep) => Pin::new(sleep).poll(cx).map(|()| Reply::Ready),
            What::Join(join) => Pin::new(join).poll(cx).map(|()| Reply::Ready),
            What::Wait(wait) => Pin::new(wait).poll(cx).map(|()| Reply::Ready),
            What::Switch(switch) => Pin::new(switch).poll(cx).map(Reply::Switched),
            #[cfg(all(feature = "net", unix))]
            What::Io(ready) => Pin::new(ready).poll(cx).map(|ready| match ready {
                Ok(()) => Reply::Ready,
                Err(error) => {
                    panic!("corogen hub: a generator task cannot wait on a socket: {error}")
                }
            }),
        };
        if done.is_ready() {
            return done;
        }
        let timed_out = self
            .timeout
            .as_mut()
            .is_some_and(|timeout| Pin::new(timeout).poll(cx).is_ready());
        if timed_out {
            Poll::Ready(Reply::TimedOut)
        } else {
            Poll::Pending
        }
    }
}

/// A generator task as a future: resumes the generator with the reply of each [`Op`] it
/// yields, and completes with its return value.
///
/// The hub makes one for each generator it spawns; await one yourself to run a generator-style
/// coroutine inside an async task. A generator never resumed yet (and without `yield_from!`) has
/// its body moved into the `GenTask`, so a task is one allocation, not two: a `GenTask` is then
/// not `Unpin` (`.await` pins it).
#[must_use = "futures do nothing unless awaited"]
pub struct GenTask<B: Body<Yield = Op, Resume = Reply>> {
    /// Pinned structurally (see `poll`).
    driver: Driver<B>,
    waiting: Waiting,
    /// The box of the last out-of-line op, kept for the next one (`None` until one comes).
    spare: Option<Box<Rare>>,
    /// The hub running the task, looked up at the first poll.
    hub: Option<Rc<Inner>>,
}

/// The generator a [`GenTask`] resumes.
enum Driver<B: Body> {
    /// The body, inline: pinned where the `GenTask` is. Resumed without a state of its own: a
    /// task never resumes a generator that ended or panicked (and a body polled again after its
    /// end panics).
    Inline(B),
    /// A generator already started, or one that delegates (its stack lives in the `Gen`).
    Boxed(Gen<B>),
}

impl<B: Body<Yield = Op, Resume = Reply>> GenTask<B> {
    /// Wraps a generator.
    #[inline]
    pub fn new(generator: Gen<B>) -> Self {
        let driver = match generator.into_unstarted_body() {
            Ok(body) => Driver::Inline(body),
            Err(generator) => Driver::Boxed(generator),
        };
        GenTask {
            driver,
            waiting: Waiting::Idle,
            spare: None,
            hub: None,
        }
    }
}

impl<B: Body<Yield = Op, Resume = Reply>> Future for GenTask<B> {
    type Output = B::Return;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<B::Return> {
        // SAFETY: `driver` is pinned structurally: it is assigned only in `new`, an inline body
        // is reached below only as `Pin<&mut B>` (a `Gen` pins nothing), never moved out, and
        // dropped in place with the `GenTask`, whose `Drop` impl does not touch it. The other
        // fields are not pinned: they are used through `&mut` freely.
        let this = unsafe { self.get_unchecked_mut() };
        let hub = this.hub.get_or_insert_with(engine::current);
        let mut reply = Reply::Ready;
        if !matches!(this.waiting, Waiting::Idle) {
            match this.waiting.poll(cx, hub) {
                Poll::Ready(done) => {
                    this.waiting.finish(hub, &mut this.spare);
                    reply = done;
                }
                Poll::Pending => return Poll::Pending,
            }
        }
        loop {
            let state = match &mut this.driver {
                Driver::Inline(body) => {
                    // SAFETY: as above: the inline body does not move while the `GenTask` is
                    // pinned.
                    match poll_body(unsafe { Pin::new_unchecked(body) }, reply) {
                        BodyStep::Yielded(op) => GeneratorState::Yielded(op),
                        BodyStep::Complete(value) => GeneratorState::Complete(value),
                    }
                }
                Driver::Boxed(generator) => generator.resume(reply),
            };
            match state {
                // The commonest op, `pass`: requeued here, done at the next poll.
                GeneratorState::Yielded(Op {
                    kind: OpKind::Pass,
                    timeout: None,
                }) => {
                    let mut core = hub.core.borrow_mut();
                    let me = core.current();
                    core.wake(me);
                    this.waiting = Waiting::Pass { requeued: true };
                    return Poll::Pending;
                }
                GeneratorState::Yielded(op) => {
                    let mut waiting = match Waiting::new(op, hub, &mut this.spare) {
                        // A switch was sent just now: nothing can have switched back yet.
                        Ok(Waiting::Switch(me)) => {
                            this.waiting = Waiting::Switch(me);
                            return Poll::Pending;
                        }
                        Ok(waiting) => waiting,
                        Err(done) => {
                            reply = done;
                            continue;
                        }
                    };
                    match waiting.poll(cx, hub) {
                        Poll::Ready(done) => {
                            waiting.finish(hub, &mut this.spare);
                            reply = done;
                        }
                        Poll::Pending => {
                            this.waiting = waiting;
                            return Poll::Pending;
                        }
                    }
                }
                GeneratorState::Complete(value) => return Poll::Ready(value),
            }
        }
    }
}

impl<B: Body<Yield = Op, Resume = Reply>> Drop for GenTask<B> {
    /// Disarms an inline sleep's timer, or gives up an inline switch's wait (an out-of-line
    /// op undoes its own).
    fn drop(&mut self) {
        match (&self.hub, &self.waiting) {
            (Some(hub), Waiting::Sleep(_)) => {
                let hub = Rc::clone(hub);
                self.waiting.finish(&hub, &mut self.spare);
            }
            (Some(hub), &Waiting::Switch(waiter)) => switch::abandon(hub, waiter),
            _ => {}
        }
    }
}

impl<B> IntoTask for Gen<B>
where
    B: Body<Yield = Op, Resume = Reply> + 'static,
    B::Return: 'static,
{
    type Output = B::Return;
    type Future = GenTask<B>;

    #[inline]
    fn into_task_future(self) -> GenTask<B> {
        GenTask::new(self)
    }
}

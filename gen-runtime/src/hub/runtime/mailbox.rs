//! A hub's mailbox: how other threads hand a hub work. [`HubHandle`] names a hub from any
//! thread; what it posts ([`Mail`]) waits here until the hub's mailbox task takes it.
//!
//! The mailbox task is an ordinary task of its hub ([`serve_mailbox`]): it takes the whole
//! batch of mail under one lock, runs it (each request builds its task and spawns it locally),
//! and waits again. While it waits, its waker is kept here, and the first post after that
//! wakes it through the hub's remote side, as any foreign future's waker does (the key onto
//! the hub's remote queue, then its thread's park or its poller is notified). Posts that come
//! while the task is awake only push: a busy hub pays one lock per request and no wake.
//!
//! That waker also keeps the hub from calling itself idle: a runtime's hub waits for mail
//! until its runtime shuts down, which closes the mailbox ([`HubShared::close`]).

use std::fmt;
use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};

/// A task request that crossed threads, type-erased: see `remote_task.rs`.
pub(crate) trait Job: Send + Sync {
    /// On the target hub: builds the task and spawns it there (or ends it as killed, if a kill
    /// came first).
    fn run(self: Arc<Self>);
    /// On the target hub: kills the task built by `run`.
    fn kill(self: Arc<Self>);
    /// Anywhere: ends the request as killed without building it (its hub has shut down).
    fn cancel(self: Arc<Self>);
}

/// What a mailbox carries.
pub(crate) enum Mail {
    Spawn(Arc<dyn Job>),
    Kill(Arc<dyn Job>),
}

impl Mail {
    /// Undelivered mail: a spawn ends as killed; a kill has nothing left to do (the hub that
    /// would run it kills every task as it shuts down).
    pub(crate) fn cancel(self) {
        match self {
            Mail::Spawn(job) => job.cancel(),
            Mail::Kill(_) => {}
        }
    }
}

struct MailboxState {
    mail: Vec<Mail>,
    /// The mailbox task's waker, kept from its first wait on (its task never changes).
    waker: Option<Waker>,
    /// The mailbox task is waiting: the next post wakes it.
    sleeping: bool,
    /// The runtime shut down: posts are refused and the mailbox task ends.
    closed: bool,
}

/// The thread-safe side of one hub of a runtime.
pub(crate) struct HubShared {
    index: usize,
    mailbox: Mutex<MailboxState>,
}

impl HubShared {
    pub(crate) fn new(index: usize) -> Arc<Self> {
        Arc::new(HubShared {
            index,
            mailbox: Mutex::new(MailboxState {
                mail: Vec::new(),
                waker: None,
                sleeping: false,
                closed: false,
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, MailboxState> {
        // Nothing panics while the lock is held (wakes run after it): the state is whole.
        self.mailbox.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands `mail` to the hub; gives it back if the hub has shut down.
    pub(crate) fn post(&self, mail: Mail) -> Result<(), Mail> {
        let waker = {
            let mut state = self.state();
            if state.closed {
                return Err(mail);
            }
            state.mail.push(mail);
            if std::mem::take(&mut state.sleeping) {
                state.waker.clone()
            } else {
                None
            }
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// Refuses mail from now on, ends the requests not run yet as killed, and wakes the
    /// mailbox task so that it ends.
    pub(crate) fn close(&self) {
        let (pending, waker) = {
            let mut state = self.state();
            state.closed = true;
            (std::mem::take(&mut state.mail), state.waker.take())
        };
        for mail in pending {
            mail.cancel();
        }
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The mailbox task of a hub: runs what other threads post, until the runtime shuts down.
pub(crate) async fn serve_mailbox(hub: Arc<HubShared>) {
    let mut batch = Vec::new();
    loop {
        let open = poll_fn(|cx| {
            let mut state = hub.state();
            if !state.mail.is_empty() {
                // The emptied batch's room goes back to the mailbox: no allocation per batch.
                std::mem::swap(&mut state.mail, &mut batch);
                return Poll::Ready(true);
            }
            if state.closed {
                return Poll::Ready(false);
            }
            if state.waker.is_none() {
                state.waker = Some(cx.waker().clone());
            }
            state.sleeping = true;
            Poll::Pending
        })
        .await;
        for mail in batch.drain(..) {
            // A request catches its builder's panic; the task it spawns catches its own.
            match mail {
                Mail::Spawn(job) => job.run(),
                Mail::Kill(job) => job.kill(),
            }
        }
        if !open {
            return;
        }
    }
}

/// A hub of a [`Runtime`](super::Runtime), named from any thread: `Send`, `Sync`, cheap to
/// clone. [`spawn`](Self::spawn) builds a task on it.
///
/// Handles compare equal when they name the same hub.
#[derive(Clone)]
pub struct HubHandle(pub(crate) Arc<HubShared>);

impl HubHandle {
    /// The hub's place in its runtime: 0 for the hub of the thread that made the runtime, then
    /// 1, 2… for the hubs of the threads it started.
    pub fn index(&self) -> usize {
        self.0.index
    }
}

impl PartialEq for HubHandle {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for HubHandle {}

impl fmt::Debug for HubHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubHandle")
            .field("index", &self.0.index)
            .finish()
    }
}

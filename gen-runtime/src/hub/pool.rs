//! Sets of tasks: [`Group`] (tracks tasks) and [`Pool`] (a group with a size limit, and the
//! mapping methods: `apply`, `map`, `imap`, `imap_unordered`; their iterators are in
//! `imap.rs`).

use std::cell::RefCell;
use std::fmt;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::rc::{Rc, Weak};
use std::task::Poll;
use std::time::Duration;

use super::engine::{TaskError, panic_message};
use super::imap::{IMap, IntoItems};
use super::scheduler::spawn;
use super::sync::{JoinAll, Semaphore, SemaphorePermit, joinall};
use super::task::{Elapsed, IntoTask, Task, TaskRef, getcurrent, with_timeout};

/// A task in a group, and the pool slot it holds (none in a plain group).
struct Member {
    task: TaskRef,
    _slot: Option<SemaphorePermit>,
}

type Members = Rc<RefCell<Vec<Member>>>;

/// A set of tasks that leave it as they die (gevent's `Group`).
///
/// ```
/// use corogen::hub::{self, Group, Hub};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// hub.block_on(async {
///     let group = Group::new();
///     for i in 1..=3 {
///         group.spawn(hub::sleep(Duration::from_secs(i)));
///     }
///     assert_eq!(group.len(), 3);
///     group.join().await.unwrap();
///     assert!(group.is_empty()); // a task leaves its group as it dies
/// });
/// ```
#[derive(Clone, Default)]
pub struct Group(Members);

impl Group {
    /// An empty group.
    pub fn new() -> Self {
        Group::default()
    }

    /// Spawns a task on the running hub into the group.
    ///
    /// # Panics
    /// Outside a running hub.
    pub fn spawn<T: IntoTask>(&self, task: T) -> Task<T::Output> {
        let task = spawn(task);
        self.add(&task);
        task
    }

    /// Adds a task; it leaves the group as it dies (before its links run). A dead task is
    /// not added.
    pub fn add(&self, task: &TaskRef) {
        self.insert(task, None);
    }

    /// Adds a task holding `slot` until it leaves the group; `false` (dropping the slot) if it
    /// is dead or in the group already.
    fn insert(&self, task: &TaskRef, slot: Option<SemaphorePermit>) -> bool {
        if task.dead() || self.contains(task) {
            return false;
        }
        self.0.borrow_mut().push(Member {
            task: task.clone(),
            _slot: slot,
        });
        let group = Rc::downgrade(&self.0);
        let member = task.clone();
        task.on_death(move || discard(&group, &member));
        true
    }

    /// Adds an unstarted task (a [`greenlet`](crate::hub::greenlet)) and starts it (gevent's
    /// `start`).
    pub fn start(&self, task: &TaskRef) {
        self.add(task);
        task.start();
    }

    /// Removes a task from the group (it goes on running).
    pub fn discard(&self, task: &TaskRef) {
        discard(&Rc::downgrade(&self.0), task);
    }

    /// Whether the task is in the group.
    pub fn contains(&self, task: &TaskRef) -> bool {
        self.0.borrow().iter().any(|member| member.task == *task)
    }

    /// Tasks in the group.
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }

    /// Whether the group is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The tasks in the group.
    pub fn tasks(&self) -> Vec<TaskRef> {
        self.0
            .borrow()
            .iter()
            .map(|member| member.task.clone())
            .collect()
    }

    /// Waits for the tasks now in the group ([`joinall`] of them, with its options).
    pub fn join(&self) -> JoinAll {
        joinall(self.tasks())
    }

    /// Kills every task in the group, as [`TaskRef::kill`]: they are dead, and gone from the
    /// group, when this returns (gevent's `kill(block=True)`).
    pub fn kill(&self) {
        for task in self.tasks() {
            task.kill();
        }
    }

    /// Asks for every task in the group to be killed at the hub's next turn, as
    /// [`TaskRef::kill_nowait`] (gevent's `kill(block=False)`); asking again does nothing
    /// more.
    pub fn kill_nowait(&self) {
        for task in self.tasks() {
            task.kill_nowait();
        }
    }

    /// Kills `task` if it is in the group, as [`TaskRef::kill`] (gevent's `killone`).
    pub fn killone(&self, task: &TaskRef) {
        if self.contains(task) {
            task.kill();
        }
    }

    /// Asks for `task` to be killed at the hub's next turn if it is in the group (gevent's
    /// `killone(block=False)`).
    pub fn killone_nowait(&self, task: &TaskRef) {
        if self.contains(task) {
            task.kill_nowait();
        }
    }
}

/// A group of the tasks given (gevent's `Group(greenlets)`).
impl<R: AsRef<TaskRef>> FromIterator<R> for Group {
    fn from_iter<I: IntoIterator<Item = R>>(tasks: I) -> Self {
        let mut group = Group::new();
        group.extend(tasks);
        group
    }
}

impl<R: AsRef<TaskRef>> Extend<R> for Group {
    fn extend<I: IntoIterator<Item = R>>(&mut self, tasks: I) {
        for task in tasks {
            self.add(task.as_ref());
        }
    }
}

fn discard(group: &Weak<RefCell<Vec<Member>>>, task: &TaskRef) {
    if let Some(group) = group.upgrade() {
        let removed = {
            // Dying tasks leave from their guards, never while the list is borrowed.
            let Ok(mut members) = group.try_borrow_mut() else {
                return;
            };
            members
                .iter()
                .position(|member| member.task == *task)
                .map(|at| members.swap_remove(at))
        };
        // Its slot, if it held one, is free again here, once the list is not borrowed.
        drop(removed);
    }
}

impl fmt::Debug for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.borrow().iter().map(|member| &member.task))
            .finish()
    }
}

/// A [`Pool`] with no free slot: the task that was not spawned is given back.
#[derive(PartialEq, Eq)]
pub struct PoolFull<T>(pub T);

impl<T> fmt::Debug for PoolFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PoolFull(..)")
    }
}

impl<T> fmt::Display for PoolFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the pool is full")
    }
}

impl<T> std::error::Error for PoolFull<T> {}

/// A group that runs at most `size` tasks at once (gevent's `Pool(size)`): a
/// [`spawn`](Pool::spawn) on a full pool waits for a slot; [`try_spawn`](Pool::try_spawn) fails.
/// A task holds its slot until it dies (or is [discarded](Pool::discard)).
///
/// ```
/// use corogen::hub::{self, Hub, Pool};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// hub.block_on(async {
///     let pool = Pool::new(1);
///     pool.spawn(hub::sleep(Duration::from_secs(1))).await;
///     assert!(pool.full());
///     assert!(pool.try_spawn(async {}).is_err()); // no waiting: refused
///     pool.spawn(async {}).await; // waits until the first task ends
///     assert_eq!(hub::now(), Duration::from_secs(1));
/// });
/// ```
///
/// # Mapping
///
/// As gevent's pools, a pool runs functions over items, at most `size` at once:
/// [`map`](Pool::map) (the results in order, or the first error), [`imap`](Pool::imap) (each
/// result in order, as it is ready) and [`imap_unordered`](Pool::imap_unordered) (each result
/// as it is ready); [`apply`](Pool::apply) runs one and waits for it, and
/// [`apply_async`](Pool::apply_async) starts one without waiting. Where gevent raises the
/// function's exception, a task that panics gives [`TaskError::Panicked`] with the message.
///
/// ```
/// use corogen::hub::{self, Hub, Pool};
/// use std::time::Duration;
///
/// async fn square(x: u64) -> u64 {
///     hub::sleep(Duration::from_secs(x)).await;
///     x * x
/// }
///
/// let hub = Hub::new_virtual();
/// hub.block_on(async {
///     let pool = Pool::new(2);
///     assert_eq!(pool.map(square, [3, 1, 2]).await, Ok(vec![9, 1, 4]));
///     let mut done = pool.imap_unordered(square, [3, 1, 2]);
///     let mut order = Vec::new();
///     while let Some(result) = done.next().await {
///         order.push(result.unwrap());
///     }
///     assert_eq!(order, [1, 9, 4]); // 1 ends at 1s, 3 at 3s, 2 (started at 1s) at 3s
/// });
/// ```
#[derive(Clone)]
pub struct Pool {
    group: Group,
    /// One permit per slot; `None` for an unbounded pool.
    slots: Option<Semaphore>,
    size: Option<usize>,
}

impl Pool {
    /// A pool of `size` slots. A pool of 0 never runs a task: its spawns wait for good (gevent
    /// allows it, for [`wait_available`](Self::wait_available) with a timeout).
    pub fn new(size: usize) -> Self {
        Pool {
            group: Group::new(),
            slots: Some(Semaphore::new(size)),
            size: Some(size),
        }
    }

    /// A pool without a size limit (gevent's `Pool()`, `Pool(None)`): a group with the pool's
    /// methods.
    pub fn unbounded() -> Self {
        Pool {
            group: Group::new(),
            slots: None,
            size: None,
        }
    }

    /// Waits for a slot.
    async fn slot(&self) -> Option<SemaphorePermit> {
        match &self.slots {
            Some(slots) => Some(slots.acquire_permit().await),
            None => None,
        }
    }

    /// A slot if one is free: `Ok(None)` for an unbounded pool.
    fn try_slot(&self) -> Result<Option<SemaphorePermit>, PoolFull<()>> {
        match &self.slots {
            Some(slots) => slots.try_acquire_permit().map(Some).ok_or(PoolFull(())),
            None => Ok(None),
        }
    }

    /// Waits for a slot, for at most `timeout` (forever for `None`).
    async fn slot_within(
        &self,
        timeout: Option<Duration>,
    ) -> Result<Option<SemaphorePermit>, PoolFull<()>> {
        match timeout {
            Some(timeout) => with_timeout(timeout, self.slot())
                .await
                .map_err(|Elapsed| PoolFull(())),
            None => Ok(self.slot().await),
        }
    }

    /// Waits for a free slot, then spawns the task on the running hub.
    pub async fn spawn<T: IntoTask>(&self, task: T) -> Task<T::Output> {
        let slot = self.slot().await;
        self.start_in(task, slot)
    }

    /// Spawns the task if a slot is free, else gives it back.
    pub fn try_spawn<T: IntoTask>(&self, task: T) -> Result<Task<T::Output>, PoolFull<T>> {
        match self.try_slot() {
            Ok(slot) => Ok(self.start_in(task, slot)),
            Err(PoolFull(())) => Err(PoolFull(task)),
        }
    }

    /// Spawns the task into the group, holding `slot` until it dies.
    fn start_in<T: IntoTask>(&self, task: T, slot: Option<SemaphorePermit>) -> Task<T::Output> {
        let task = spawn(task);
        self.group.insert(&task, slot);
        task
    }

    /// Adds a task made elsewhere, waiting for a slot for at most `timeout` (forever for
    /// `None`), or gives [`PoolFull`] (gevent's `add(greenlet, timeout=…)`). Add tasks not
    /// started yet ([`greenlet`](crate::hub::greenlet)s): a started one may run while this
    /// waits. A task in the pool already, or dead, is not added again.
    pub async fn add(&self, task: &TaskRef, timeout: Option<Duration>) -> Result<(), PoolFull<()>> {
        if task.dead() || self.contains(task) {
            return Ok(());
        }
        let slot = self.slot_within(timeout).await?;
        self.group.insert(task, slot);
        Ok(())
    }

    /// Adds a task if a slot is free, else gives [`PoolFull`] (gevent's
    /// `add(greenlet, blocking=False)`).
    pub fn try_add(&self, task: &TaskRef) -> Result<(), PoolFull<()>> {
        if task.dead() || self.contains(task) {
            return Ok(());
        }
        self.group.insert(task, self.try_slot()?);
        Ok(())
    }

    /// As [`add`](Self::add), then starts the task (gevent's `start(greenlet, timeout=…)`).
    pub async fn start(
        &self,
        task: &TaskRef,
        timeout: Option<Duration>,
    ) -> Result<(), PoolFull<()>> {
        self.add(task, timeout).await?;
        task.start();
        Ok(())
    }

    /// As [`try_add`](Self::try_add), then starts the task (gevent's
    /// `start(greenlet, blocking=False)`).
    pub fn try_start(&self, task: &TaskRef) -> Result<(), PoolFull<()>> {
        self.try_add(task)?;
        task.start();
        Ok(())
    }

    /// Removes a task from the pool, freeing its slot; it goes on running.
    pub fn discard(&self, task: &TaskRef) {
        self.group.discard(task);
    }

    /// Waits until a slot is free, for at most `timeout` (forever for `None`), and gives how
    /// many are (gevent's `wait_available`; 0 if the timeout came first).
    pub async fn wait_available(&self, timeout: Option<Duration>) -> usize {
        if let Some(slots) = &self.slots {
            match timeout {
                Some(timeout) => drop(with_timeout(timeout, slots.wait()).await),
                None => drop(slots.wait().await),
            }
        }
        self.free_count()
    }

    /// Runs `task` in the pool and waits for its value (gevent's `apply`), or why there is
    /// none. From a task of this pool, it runs in that task at once (waiting for a slot there
    /// could wait for good), a panic then giving [`TaskError::Panicked`] as well.
    pub async fn apply<T: IntoTask>(&self, task: T) -> Result<T::Output, TaskError> {
        if self.contains(&getcurrent()) {
            return run_inline(task).await;
        }
        self.spawn(task).await.get().await
    }

    /// Starts `task` without waiting, and gives its handle (gevent's `apply_async`): in the
    /// pool if a slot is free; else in a task of its own that waits for a slot, joins the pool
    /// and runs it (until then, that task is not in the pool). For gevent's `callback`, link
    /// the handle ([`Task::link_value`]).
    pub fn apply_async<T: IntoTask>(&self, task: T) -> Task<T::Output> {
        match self.try_spawn(task) {
            Ok(task) => task,
            Err(PoolFull(task)) => {
                let pool = self.clone();
                spawn(async move {
                    let slot = pool.slot().await;
                    pool.group.insert(&getcurrent(), slot);
                    task.into_task_future().await
                })
            }
        }
    }

    /// Runs `f` of each item in the pool, at most `size` at once, and gives the results in the
    /// order of the items (gevent's `map`); the first error in that order if a task panicked
    /// (or was killed), the others going on. The items are taken (and the tasks spawned) in
    /// the calling task.
    pub async fn map<I, F, T>(&self, mut f: F, items: I) -> Result<Vec<T::Output>, TaskError>
    where
        I: IntoIterator,
        F: FnMut(I::Item) -> T,
        T: IntoTask,
    {
        let mut tasks = Vec::new();
        for item in items {
            tasks.push(self.spawn(f(item)).await);
        }
        let mut results = Vec::with_capacity(tasks.len());
        for task in &tasks {
            results.push(task.get().await?);
        }
        Ok(results)
    }

    /// Runs `f` of each item in the pool, at most `size` at once, and gives each result in the
    /// order of the items, as soon as it and those before it are ready (gevent's `imap`): an
    /// [`IMap`], a `Stream` of `Result`s (an error where a task panicked, the others going
    /// on), and, outside the hub, an `Iterator`. The items may be an iterator or a queue read
    /// until it is shut down (see [`IntoItems`]); a task of its own takes them and spawns the
    /// tasks, from the first poll.
    pub fn imap<I, F, T>(&self, f: F, items: I) -> IMap<T::Output>
    where
        I: IntoItems,
        F: FnMut(I::Item) -> T + 'static,
        T: IntoTask,
    {
        IMap::new(self.clone(), f, items, true)
    }

    /// As [`imap`](Self::imap), each result as soon as it is ready (gevent's
    /// `imap_unordered`): in the order the tasks end.
    pub fn imap_unordered<I, F, T>(&self, f: F, items: I) -> IMap<T::Output>
    where
        I: IntoItems,
        F: FnMut(I::Item) -> T + 'static,
        T: IntoTask,
    {
        IMap::new(self.clone(), f, items, false)
    }

    /// The pool's size; `usize::MAX` for an unbounded pool.
    pub fn size(&self) -> usize {
        self.size.unwrap_or(usize::MAX)
    }

    /// Free slots; `usize::MAX` for an unbounded pool (gevent's `free_count`).
    pub fn free_count(&self) -> usize {
        self.slots.as_ref().map_or(usize::MAX, Semaphore::available)
    }

    /// Whether every slot is taken.
    pub fn full(&self) -> bool {
        self.free_count() == 0
    }

    /// Whether the task is in the pool.
    pub fn contains(&self, task: &TaskRef) -> bool {
        self.group.contains(task)
    }

    /// Tasks in the pool.
    pub fn len(&self) -> usize {
        self.group.len()
    }

    /// Whether the pool has no task.
    pub fn is_empty(&self) -> bool {
        self.group.is_empty()
    }

    /// The tasks in the pool.
    pub fn tasks(&self) -> Vec<TaskRef> {
        self.group.tasks()
    }

    /// Waits for the tasks now in the pool.
    pub fn join(&self) -> JoinAll {
        self.group.join()
    }

    /// Kills every task in the pool, as [`Group::kill`].
    pub fn kill(&self) {
        self.group.kill();
    }

    /// Asks for every task in the pool to be killed at the hub's next turn, as
    /// [`Group::kill_nowait`].
    pub fn kill_nowait(&self) {
        self.group.kill_nowait();
    }

    /// Kills `task` if it is in the pool, as [`Group::killone`].
    pub fn killone(&self, task: &TaskRef) {
        self.group.killone(task);
    }

    /// As [`Group::killone_nowait`].
    pub fn killone_nowait(&self, task: &TaskRef) {
        self.group.killone_nowait(task);
    }
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("size", &self.size)
            .field("tasks", &self.group)
            .finish()
    }
}

/// Runs a task's future in the running task, its panic caught as a [`TaskError`].
async fn run_inline<T: IntoTask>(task: T) -> Result<T::Output, TaskError> {
    let mut future = pin!(task.into_task_future());
    poll_fn(
        |cx| match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => {
                let message = panic_message(&*payload);
                drop(catch_unwind(AssertUnwindSafe(move || drop(payload))));
                Poll::Ready(Err(TaskError::Panicked(message)))
            }
        },
    )
    .await
}

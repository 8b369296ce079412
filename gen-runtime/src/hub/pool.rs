//! Sets of tasks: [`Group`] (tracks tasks) and [`Pool`] (a group with a size limit).

use std::cell::RefCell;
use std::fmt;
use std::rc::{Rc, Weak};

use super::scheduler::spawn;
use super::sync::{JoinAll, Semaphore, SemaphorePermit, joinall, killall};
use super::task::{IntoTask, Task, TaskRef};

/// A set of tasks that leave it when they end (gevent's `Group`).
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
pub struct Group(Rc<RefCell<Vec<TaskRef>>>);

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
        if task.dead() || self.contains(task) {
            return;
        }
        self.0.borrow_mut().push(task.clone());
        let group = Rc::downgrade(&self.0);
        let member = task.clone();
        task.on_death(move || discard(&group, &member));
    }

    /// Removes a task from the group (it goes on running).
    pub fn discard(&self, task: &TaskRef) {
        discard(&Rc::downgrade(&self.0), task);
    }

    /// Whether the task is in the group.
    pub fn contains(&self, task: &TaskRef) -> bool {
        self.0.borrow().contains(task)
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
        self.0.borrow().clone()
    }

    /// Waits for the tasks now in the group ([`joinall`] of them, with its options).
    pub fn join(&self) -> JoinAll {
        joinall(self.tasks())
    }

    /// Kills every task in the group, as [`TaskRef::kill`].
    pub fn kill(&self) {
        killall(self.tasks());
    }
}

fn discard(group: &Weak<RefCell<Vec<TaskRef>>>, task: &TaskRef) {
    if let Some(group) = group.upgrade() {
        let removed = {
            let Ok(mut tasks) = group.try_borrow_mut() else {
                return;
            };
            tasks
                .iter()
                .position(|member| member == task)
                .map(|at| tasks.swap_remove(at))
        };
        drop(removed);
    }
}

impl fmt::Debug for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.borrow().iter()).finish()
    }
}

/// A [`Pool`] with no free slot: the task that was not spawned is given back.
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
#[derive(Clone)]
pub struct Pool {
    group: Group,
    slots: Semaphore,
    size: usize,
}

impl Pool {
    /// A pool of `size` slots.
    pub fn new(size: usize) -> Self {
        Pool {
            group: Group::new(),
            slots: Semaphore::new(size),
            size,
        }
    }

    /// Waits for a free slot, then spawns the task on the running hub.
    pub async fn spawn<T: IntoTask>(&self, task: T) -> Task<T::Output> {
        let slot = self.slots.acquire_permit().await;
        self.start(task, slot)
    }

    /// Spawns the task if a slot is free, else gives it back.
    pub fn try_spawn<T: IntoTask>(&self, task: T) -> Result<Task<T::Output>, PoolFull<T>> {
        match self.slots.try_acquire_permit() {
            Some(slot) => Ok(self.start(task, slot)),
            None => Err(PoolFull(task)),
        }
    }

    /// Spawns the task into the group; the task holds the slot until it dies (or its hub is
    /// dropped).
    fn start<T: IntoTask>(&self, task: T, slot: SemaphorePermit) -> Task<T::Output> {
        let task = self.group.spawn(task);
        task.on_death(move || drop(slot));
        task
    }

    /// The pool's size.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Free slots.
    pub fn free_count(&self) -> usize {
        self.slots.available()
    }

    /// Whether every slot is taken.
    pub fn full(&self) -> bool {
        self.free_count() == 0
    }

    /// Tasks in the pool.
    pub fn len(&self) -> usize {
        self.group.len()
    }

    /// Whether the pool has no task.
    pub fn is_empty(&self) -> bool {
        self.group.is_empty()
    }

    /// Waits for the tasks now in the pool.
    pub fn join(&self) -> JoinAll {
        self.group.join()
    }

    /// Kills every task in the pool.
    pub fn kill(&self) {
        self.group.kill();
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

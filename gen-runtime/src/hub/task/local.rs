//! Task-local storage ([`Local`], gevent's `local`): a value per task, dropped when the task
//! ends.
//!
//! The values live in the `Local`, by task; a task that has one holds a guard in its slot's
//! rare part (`Extra::guards`, beside its watchers) that takes its value out when it dies. So a task that uses no locals pays nothing, neither in its slot nor in time, and
//! dropping a `Local` drops the values of every task at once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::{Rc, Weak};

use super::handle::catch_quietly;
use crate::hub::base::TaskKey;
use crate::hub::engine::{Inner, current};

/// A task and its hub: whose value.
type Owner = (usize, TaskKey);

/// A value that each task sees its own copy of (gevent's `local`, as threading's `local` is
/// per thread): [`set`](Local::set) in one task is not seen by another, and a task's value is
/// dropped when the task ends (returns, panics or is killed), even while its handles live on.
///
/// ```
/// use corogen::hub::{self, Hub, Local};
///
/// let hub = Hub::new_virtual();
/// let request_id: Local<u32> = Local::new();
/// let (a, b) = hub.block_on({
///     let request_id = request_id.clone();
///     async move {
///         request_id.set(1);
///         let other = hub::spawn({
///             let request_id = request_id.clone();
///             async move {
///                 assert_eq!(request_id.get(), None); // not the spawner's value
///                 request_id.set(2);
///                 request_id.get()
///             }
///         });
///         (request_id.get(), other.get().await.unwrap())
///     }
/// });
/// assert_eq!((a, b), (Some(1), Some(2)));
/// ```
///
/// Clones are the same local. Dropping the last clone drops every task's value. A task that
/// never touches a local pays nothing for it.
pub struct Local<T: 'static>(Rc<LocalState<T>>);

struct LocalState<T: 'static> {
    /// Every task's value; `None` once taken (the task still holds its guard).
    values: RefCell<HashMap<Owner, Entry<T>>>,
}

struct Entry<T> {
    /// The task's hub, to take the task's guard back when the local goes first.
    hub: Weak<Inner>,
    value: Option<T>,
}

/// A local dropped while tasks that have a value live on takes their guards back, so that a
/// long-lived task that uses many short-lived locals does not keep a guard for each.
impl<T: 'static> Drop for LocalState<T> {
    fn drop(&mut self) {
        let this: *const LocalState<T> = self;
        let entries = std::mem::take(self.values.get_mut());
        let mut guards = Vec::new();
        for ((_, task), entry) in &entries {
            let Some(hub) = entry.hub.upgrade() else {
                continue;
            };
            let Ok(mut core) = hub.core.try_borrow_mut() else {
                continue;
            };
            if let Some(extra) = core.slot_mut(*task).and_then(|slot| slot.extra.as_mut()) {
                guards.extend(extra.remove_guards(|guard| {
                    guard
                        .downcast_ref::<Guard<T>>()
                        .is_some_and(|guard| std::ptr::eq(guard.local.as_ptr(), this))
                }));
            }
        }
        // Dropped once no table is borrowed: the values' destructors may use the hub.
        drop(guards);
        drop(entries);
    }
}

/// In a task's watchers: takes the task's value out of the local when the task dies.
struct Guard<T: 'static> {
    local: Weak<LocalState<T>>,
    owner: Owner,
}

impl<T> Drop for Guard<T> {
    fn drop(&mut self) {
        let Some(local) = self.local.upgrade() else {
            return;
        };
        // Taken out, then dropped once the map is no longer borrowed: its destructor may use
        // the local.
        let value = match local.values.try_borrow_mut() {
            Ok(mut values) => values.remove(&self.owner).and_then(|entry| entry.value),
            Err(_) => None,
        };
        // A guard must not unwind (the hub drops it in its loop).
        catch_quietly(move || drop(value));
    }
}

/// The running task, as an owner of values.
fn owner() -> (Rc<Inner>, Owner) {
    let hub = current();
    let task = hub.core.borrow().current();
    let at = Rc::as_ptr(&hub) as *const () as usize;
    (hub, (at, task))
}

impl<T: 'static> Local<T> {
    /// A local with no value in any task.
    pub fn new() -> Self {
        Local(Rc::new(LocalState {
            values: RefCell::new(HashMap::new()),
        }))
    }

    /// Calls `f` with the running task's value (`None` if it has none), which `f` may change,
    /// set or take. The value is out of the local while `f` runs: a use of this local inside
    /// `f` sees none.
    ///
    /// # Panics
    /// Outside a task of a running hub.
    pub fn with<R>(&self, f: impl FnOnce(&mut Option<T>) -> R) -> R {
        let (hub, owner) = owner();
        let mut value = self
            .0
            .values
            .borrow_mut()
            .get_mut(&owner)
            .and_then(|entry| entry.value.take());
        // Put back even if `f` panics: a task that catches the panic keeps its value.
        let put_back = PutBack {
            local: self,
            hub: &hub,
            owner,
            value: &mut value,
        };
        f(put_back.value)
    }

    /// Sets the running task's value, giving back the one it replaces.
    ///
    /// # Panics
    /// Outside a task of a running hub.
    pub fn set(&self, value: T) -> Option<T> {
        self.with(|slot| slot.replace(value))
    }

    /// Takes the running task's value out (gevent's `del local.attr`).
    ///
    /// # Panics
    /// Outside a task of a running hub.
    pub fn take(&self) -> Option<T> {
        self.with(Option::take)
    }

    /// A clone of the running task's value.
    ///
    /// # Panics
    /// Outside a task of a running hub.
    pub fn get(&self) -> Option<T>
    where
        T: Clone,
    {
        self.with(|slot| slot.clone())
    }

    /// Whether the running task has a value.
    ///
    /// # Panics
    /// Outside a task of a running hub.
    pub fn is_set(&self) -> bool {
        self.with(|slot| slot.is_some())
    }

    /// The running task's value, made with `init` if it has none yet (the `__init__` of a
    /// gevent `local` subclass, run once per task), then `f` of it.
    ///
    /// # Panics
    /// Outside a task of a running hub.
    pub fn with_or_init<R>(&self, init: impl FnOnce() -> T, f: impl FnOnce(&mut T) -> R) -> R {
        self.with(|slot| f(slot.get_or_insert_with(init)))
    }

    /// How many tasks have a value.
    pub fn len(&self) -> usize {
        self.0
            .values
            .borrow()
            .values()
            .filter(|entry| entry.value.is_some())
            .count()
    }

    /// Whether no task has a value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Puts a task's value back into its local after [`Local::with`], registering the task's
/// guard the first time it has one.
struct PutBack<'a, T: 'static> {
    local: &'a Local<T>,
    hub: &'a Rc<Inner>,
    owner: Owner,
    value: &'a mut Option<T>,
}

impl<T> Drop for PutBack<'_, T> {
    fn drop(&mut self) {
        let value = self.value.take();
        let mut values = self.local.0.values.borrow_mut();
        if let Some(entry) = values.get_mut(&self.owner) {
            entry.value = value;
            return;
        }
        if value.is_none() {
            return;
        }
        let mut core = self.hub.core.borrow_mut();
        let Some(slot) = core.slot_mut(self.owner.1) else {
            return;
        };
        values.insert(
            self.owner,
            Entry {
                hub: Rc::downgrade(self.hub),
                value,
            },
        );
        slot.extra().guards.push(Box::new(Guard {
            local: Rc::downgrade(&self.local.0),
            owner: self.owner,
        }));
    }
}

impl<T: 'static> Default for Local<T> {
    fn default() -> Self {
        Local::new()
    }
}

impl<T: 'static> Clone for Local<T> {
    fn clone(&self) -> Self {
        Local(self.0.clone())
    }
}

impl<T: 'static> fmt::Debug for Local<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Local").field("tasks", &self.len()).finish()
    }
}

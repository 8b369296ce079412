//! Helpers the hub tests share: an event log and millisecond durations.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// What the tasks of a test did, in order.
pub type Log = Rc<RefCell<Vec<String>>>;

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub fn push(log: &Log, entry: impl Into<String>) {
    log.borrow_mut().push(entry.into());
}

pub fn entries(log: &Log) -> Vec<String> {
    log.borrow().clone()
}

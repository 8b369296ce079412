//! The timer heap: when to wake which task.
//!
//! A binary heap of `(deadline, sequence)` entries, earliest first, and equal deadlines in the
//! order they were set, so a virtual-time run is reproducible to the event. Cancelling a timer
//! only disarms its slot; the heap entry is skipped when it comes up. The count of armed timers
//! tells the hub whether anything is still due.
//!
//! This is the seam for I/O: a reactor asks [`Timers::next_deadline`] how long it may block.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::task::TaskKey;

/// Names one armed timer, to cancel it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct TimerId {
    index: u32,
    generation: u32,
}

#[derive(PartialEq, Eq)]
struct Entry {
    deadline: u64,
    sequence: u64,
    index: u32,
    generation: u32,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.deadline, self.sequence).cmp(&(other.deadline, other.sequence))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// One timer. Invariant: `armed` iff a heap entry with this `generation` is waiting for it.
struct TimerSlot {
    generation: u32,
    armed: bool,
    task: TaskKey,
}

#[derive(Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Reverse<Entry>>,
    slots: Vec<TimerSlot>,
    free: Vec<u32>,
    armed: usize,
    sequence: u64,
}

impl Timers {
    /// Arms a timer that wakes `task` at `deadline` (nanoseconds on the hub's clock).
    pub(crate) fn insert(&mut self, deadline: u64, task: TaskKey) -> TimerId {
        let index = match self.free.pop() {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                slot.armed = true;
                slot.task = task;
                index
            }
            None => {
                let index = u32::try_from(self.slots.len()).expect("corogen hub: too many timers");
                self.slots.push(TimerSlot {
                    generation: 0,
                    armed: true,
                    task,
                });
                index
            }
        };
        let generation = self.slots[index as usize].generation;
        self.sequence += 1;
        self.heap.push(Reverse(Entry {
            deadline,
            sequence: self.sequence,
            index,
            generation,
        }));
        self.armed += 1;
        TimerId { index, generation }
    }

    /// Whether no timer is armed.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.armed == 0
    }

    /// Whether a timer is still armed: it has neither fired nor been cancelled.
    #[inline]
    pub(crate) fn is_armed(&self, id: TimerId) -> bool {
        let slot = &self.slots[id.index as usize];
        slot.armed && slot.generation == id.generation
    }

    /// Disarms a timer; nothing happens if it already fired or was cancelled.
    pub(crate) fn cancel(&mut self, id: TimerId) {
        let slot = &mut self.slots[id.index as usize];
        if slot.armed && slot.generation == id.generation {
            self.disarm(id.index);
        }
    }

    fn disarm(&mut self, index: u32) {
        let slot = &mut self.slots[index as usize];
        slot.armed = false;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(index);
        self.armed -= 1;
    }

    /// The earliest deadline of an armed timer (dropping cancelled entries on the way).
    pub(crate) fn next_deadline(&mut self) -> Option<u64> {
        while let Some(Reverse(top)) = self.heap.peek() {
            let slot = &self.slots[top.index as usize];
            if slot.armed && slot.generation == top.generation {
                return Some(top.deadline);
            }
            self.heap.pop();
        }
        None
    }

    /// Disarms the earliest timer if it is due at `now`, returning its task.
    pub(crate) fn pop_due(&mut self, now: u64) -> Option<TaskKey> {
        loop {
            let Reverse(top) = self.heap.peek()?;
            let slot = &self.slots[top.index as usize];
            let live = slot.armed && slot.generation == top.generation;
            if live && top.deadline > now {
                return None;
            }
            let Reverse(entry) = self.heap.pop()?;
            if live {
                let task = self.slots[entry.index as usize].task;
                self.disarm(entry.index);
                return Some(task);
            }
        }
    }
}

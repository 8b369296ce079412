//! The timer queue: when to wake which task.
//!
//! Timers fire earliest deadline first, and equal deadlines in the order they were set, so a
//! virtual-time run is reproducible to the event. Cancelling a timer only disarms its slot (bumps
//! its stamp); its queue entry is skipped when it comes up. The count of armed timers tells the
//! hub whether anything is still due.
//!
//! # The wheel
//!
//! The hub's clock never goes backwards, and a timer is set for now or later, so the queue can
//! be a *monotone* priority queue: a radix heap with 256-way digits, that is a hierarchical
//! timing wheel whose cursor (`base`) is the earliest deadline. An entry whose deadline first
//! differs from `base` in byte `L` waits in bucket `(L, that byte of its deadline)`. The
//! earliest deadline is in the lowest non-empty bucket (bit scans find it); taking it moves
//! `base` there and spills that bucket's entries into lower levels. Each entry goes down at most
//! once per level (8 levels for 64 bits; at most 3 moves for a timer under 4 s), in sequential
//! passes, where a binary heap of 100,000 timers walks 17 levels of cache misses per timer. The
//! entries of the earliest deadline go to `due`; a bucket of one deadline (every bucket of level
//! 0, and often others: equal timers) becomes `due` whole, without moving its entries. A lone
//! timer goes straight to `due`.
//!
//! Every bucket stays in the order its entries were set, with no sorting: a spill only goes to
//! lower levels, which are empty then (it spills the lowest bucket), so a bucket holds at most
//! one spilled run, in the order of its (ordered) source, followed by entries set since, which
//! are later than all of it. So `due` fires equal deadlines in the order they were set.
//!
//! The wheel moves `base` when it is asked for the next deadline, before that deadline is
//! reached (a real hub then sleeps until it, and may wake earlier). A timer set meanwhile for an
//! earlier time goes to `early`, a plain binary heap ordered by (deadline, order set), ahead of
//! the whole wheel: rare, and only while the wheel is not empty (an empty wheel's cursor may
//! move back).
//!
//! This is the seam for I/O: a reactor asks [`Timers::next_deadline`] how long it may block.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::collections::binary_heap::PeekMut;
use std::num::NonZeroU32;

use super::key::TaskKey;

/// Bits of a deadline per level of the wheel.
const DIGIT_BITS: u32 = 8;
/// Buckets per level: one per digit value.
const DIGITS: usize = 1 << DIGIT_BITS;
/// Levels to cover a `u64` deadline.
const LEVELS: usize = (u64::BITS as usize).div_ceil(DIGIT_BITS as usize);
/// Words of a level's bitmap of non-empty buckets.
const WORDS: usize = DIGITS.div_ceil(64);

/// Names one armed timer, to cancel it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct TimerId {
    index: u32,
    /// The slot's stamp while this timer is armed: odd, so never zero (an `Option<TimerId>` is
    /// eight bytes).
    stamp: NonZeroU32,
}

/// A queued timer. Live iff its slot's stamp is still `id.stamp`.
///
/// It carries its task, so firing it reads nothing else but the stamp: with many timers, the
/// stamps (four bytes each) stay in cache, and the task's slot is read in parallel. The wheel
/// keeps entries in the order they were set, so they need no sequence number.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Entry {
    deadline: u64,
    id: TimerId,
    task: TaskKey,
}

/// An entry of the `early` heap, ordered by deadline, then by the order the timers were set.
#[derive(PartialEq, Eq)]
struct Early {
    deadline: u64,
    sequence: u64,
    entry: Entry,
}

impl Ord for Early {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.deadline, self.sequence).cmp(&(other.deadline, other.sequence))
    }
}

impl PartialOrd for Early {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Default)]
pub(crate) struct Timers {
    /// The wheel's cursor: no entry of the wheel is earlier; `due` holds the ones at it.
    base: u64,
    /// The entries whose deadline is `base`, in the order they were set, the next at
    /// `due_head`.
    due: Vec<Entry>,
    due_head: usize,
    /// `LEVELS * DIGITS` buckets, made when a timer first queues behind another. Invariant: an
    /// entry in bucket `(level, digit)` has a deadline above `base`, whose highest digit that
    /// differs from `base`'s is digit `level`, and equals `digit` there.
    buckets: Vec<Vec<Entry>>,
    /// Buffers of spilled buckets, for buckets that fill up from empty: a bucket's window of
    /// time comes round once per turn of its level, so its own buffer would wait idle while
    /// others grew new ones, copying.
    spare: Vec<Vec<Entry>>,
    /// Per level, a bit per non-empty bucket.
    occupied: [[u64; WORDS]; LEVELS],
    /// A bit per level with a non-empty bucket.
    levels: u8,
    /// Entries earlier than `base` (set after `base` moved ahead of the clock).
    early: BinaryHeap<Reverse<Early>>,
    /// Per timer slot, a counter bumped when the slot is armed and when it is disarmed: odd
    /// while armed. Invariant: odd iff a queue entry with this stamp is waiting for it.
    stamps: Vec<u32>,
    free: Vec<u32>,
    armed: usize,
    /// Entries put in `early` so far: their order among equal deadlines.
    sequence: u64,
}

impl Timers {
    /// Arms a timer that wakes `task` at `deadline` (nanoseconds on the hub's clock).
    pub(crate) fn insert(&mut self, deadline: u64, task: TaskKey) -> TimerId {
        let id = match self.free.pop() {
            Some(index) => {
                let stamp = &mut self.stamps[index as usize];
                *stamp = stamp.wrapping_add(1);
                TimerId {
                    index,
                    // Odd already (a free slot's stamp is even): `| 1` only shows it is not 0.
                    stamp: NonZeroU32::new(*stamp | 1).unwrap_or(NonZeroU32::MIN),
                }
            }
            None => {
                let index = u32::try_from(self.stamps.len()).expect("corogen hub: too many timers");
                self.stamps.push(1);
                TimerId {
                    index,
                    stamp: NonZeroU32::MIN,
                }
            }
        };
        let entry = Entry { deadline, id, task };
        if self.levels == 0 && self.due_head == self.due.len() && self.early.is_empty() {
            // Nothing queued: the cursor may move anywhere, backwards too.
            self.due.clear();
            self.due_head = 0;
            self.base = deadline;
            self.due.push(entry);
        } else if deadline < self.base {
            self.sequence += 1;
            self.early.push(Reverse(Early {
                deadline,
                sequence: self.sequence,
                entry,
            }));
        } else if deadline == self.base {
            // Set later than every entry of `due`: the order holds.
            self.due.push(entry);
        } else {
            self.place(entry);
        }
        self.armed += 1;
        id
    }

    /// Puts an entry later than `base` in its bucket.
    #[inline]
    fn place(&mut self, entry: Entry) {
        debug_assert!(entry.deadline > self.base);
        if self.buckets.is_empty() {
            self.buckets.resize_with(LEVELS * DIGITS, Vec::new);
        }
        let differ = entry.deadline ^ self.base;
        let level = ((u64::BITS - 1 - differ.leading_zeros()) / DIGIT_BITS) as usize;
        let digit = (entry.deadline >> (level as u32 * DIGIT_BITS)) as usize & (DIGITS - 1);
        let bucket = &mut self.buckets[level * DIGITS + digit];
        if bucket.capacity() == 0 {
            if let Some(spare) = self.spare.pop() {
                *bucket = spare;
            }
        }
        bucket.push(entry);
        self.occupied[level][digit / 64] |= 1 << (digit % 64);
        self.levels |= 1 << level;
    }

    /// Whether no timer is armed.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.armed == 0
    }

    /// Whether a timer is still armed: it has neither fired nor been cancelled.
    #[inline]
    pub(crate) fn is_armed(&self, id: TimerId) -> bool {
        self.stamps[id.index as usize] == id.stamp.get()
    }

    #[inline]
    fn is_live(&self, entry: &Entry) -> bool {
        self.is_armed(entry.id)
    }

    /// Disarms a timer; nothing happens if it already fired or was cancelled.
    pub(crate) fn cancel(&mut self, id: TimerId) {
        if self.is_armed(id) {
            self.disarm(id.index);
        }
    }

    fn disarm(&mut self, index: u32) {
        let stamp = &mut self.stamps[index as usize];
        *stamp = stamp.wrapping_add(1);
        self.free.push(index);
        self.armed -= 1;
    }

    /// The earliest live entry of the wheel is at `due_head` (dropping cancelled ones), or the
    /// wheel is empty: returns whether it has one.
    #[inline]
    fn settle(&mut self) -> bool {
        match self.due.get(self.due_head) {
            Some(entry) if self.is_live(entry) => true,
            // Drained, and nothing further: the common way a turn's firing ends.
            None if self.levels == 0 => false,
            _ => self.settle_slow(),
        }
    }

    #[inline(never)]
    fn settle_slow(&mut self) -> bool {
        loop {
            while let Some(entry) = self.due.get(self.due_head) {
                if self.is_live(entry) {
                    return true;
                }
                self.due_head += 1;
            }
            self.due.clear();
            self.due_head = 0;
            if self.levels == 0 {
                return false;
            }
            self.advance();
        }
    }

    /// Moves `base` to the earliest deadline in the wheel (with `due` empty and the wheel not):
    /// its entries go to `due`, the rest of its bucket to lower levels.
    fn advance(&mut self) {
        let level = self.levels.trailing_zeros() as usize;
        let words = &mut self.occupied[level];
        let word = words
            .iter()
            .position(|&word| word != 0)
            .expect("an occupied level has a bucket");
        let bit = words[word].trailing_zeros() as usize;
        words[word] &= !(1 << bit);
        if words.iter().all(|&word| word == 0) {
            self.levels &= !(1 << level);
        }
        let digit = word * 64 + bit;
        let bucket = level * DIGITS + digit;
        if level == 0 {
            // One deadline: `base` with this last digit. The bucket becomes `due`.
            self.base = (self.base & !(DIGITS as u64 - 1)) | digit as u64;
            std::mem::swap(&mut self.due, &mut self.buckets[bucket]);
        } else {
            let (min, max) = self.buckets[bucket]
                .iter()
                .fold((u64::MAX, 0), |(min, max), entry| {
                    (min.min(entry.deadline), max.max(entry.deadline))
                });
            self.base = min;
            if min == max {
                // One deadline (common: equal timers, or a window finer than their spacing).
                std::mem::swap(&mut self.due, &mut self.buckets[bucket]);
                return;
            }
            let mut spill = std::mem::take(&mut self.buckets[bucket]);
            // Cancelled entries move on too: checking would touch their stamps.
            for &entry in &spill {
                if entry.deadline == min {
                    self.due.push(entry);
                } else {
                    self.place(entry);
                }
            }
            spill.clear();
            self.spare.push(spill);
        }
    }

    /// The earliest live early entry, if any (dropping cancelled ones).
    fn early_top(&mut self) -> Option<Entry> {
        while let Some(Reverse(top)) = self.early.peek() {
            if self.is_live(&top.entry) {
                return Some(top.entry);
            }
            self.early.pop();
        }
        None
    }

    /// The earliest deadline of an armed timer (dropping cancelled entries on the way).
    #[inline]
    pub(crate) fn next_deadline(&mut self) -> Option<u64> {
        if !self.early.is_empty() {
            if let Some(top) = self.early_top() {
                return Some(top.deadline);
            }
        }
        self.settle().then_some(self.base)
    }

    /// Disarms the earliest timer if it is due at `now`, returning its task.
    #[inline]
    pub(crate) fn pop_due(&mut self, now: u64) -> Option<TaskKey> {
        let entry = if !self.early.is_empty() && self.early_top().is_some() {
            // Earlier than the whole wheel.
            let top = self.early.peek_mut()?;
            if top.0.deadline > now {
                return None;
            }
            PeekMut::pop(top).0.entry
        } else {
            if self.base > now || !self.settle() {
                return None;
            }
            // Settling may have moved the cursor to a later deadline.
            if self.base > now {
                return None;
            }
            self.due_head += 1;
            self.due[self.due_head - 1]
        };
        self.disarm(entry.id.index);
        Some(entry.task)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{TaskKey, TimerId, Timers};

    fn task(index: u32) -> TaskKey {
        TaskKey {
            index,
            generation: 0,
        }
    }

    /// Fires everything due at `now`, as task indices.
    fn fire(timers: &mut Timers, now: u64) -> Vec<u32> {
        std::iter::from_fn(|| timers.pop_due(now))
            .map(|key| key.index)
            .collect()
    }

    #[test]
    fn equal_deadlines_fire_in_the_order_they_were_set() {
        let mut timers = Timers::default();
        for i in 0..200 {
            timers.insert(1_000 + u64::from(i % 3) * 64, task(i));
        }
        assert_eq!(timers.next_deadline(), Some(1_000));
        let first: Vec<u32> = (0..200).filter(|i| i % 3 == 0).collect();
        assert_eq!(fire(&mut timers, 1_000), first);
        // Set after the cursor moved: after the ones already waiting at the same deadline.
        timers.insert(1_064, task(900));
        timers.insert(1_000, task(901));
        assert_eq!(fire(&mut timers, 1_000), [901]);
        let mut rest: Vec<u32> = (0..200).filter(|i| i % 3 == 1).collect();
        rest.push(900);
        rest.extend((0..200).filter(|i| i % 3 == 2));
        assert_eq!(fire(&mut timers, 2_000), rest);
        assert!(timers.is_empty());
        assert_eq!(timers.next_deadline(), None);
    }

    #[test]
    fn spilled_entries_keep_their_order_among_later_ones() {
        let mut timers = Timers::default();
        // Far apart, then moved close by the cursor: the spilled entry was set first.
        timers.insert(1 << 20, task(0));
        timers.insert(1, task(1));
        assert_eq!(fire(&mut timers, 1), [1]);
        timers.insert(1 << 20, task(2));
        assert_eq!(timers.next_deadline(), Some(1 << 20));
        timers.insert(1 << 20, task(3));
        assert_eq!(fire(&mut timers, 1 << 20), [0, 2, 3]);
    }

    #[test]
    fn cancelled_timers_never_fire_nor_count() {
        let mut timers = Timers::default();
        let a = timers.insert(10, task(0));
        let b = timers.insert(5_000, task(1));
        let c = timers.insert(5_000, task(2));
        timers.cancel(a);
        timers.cancel(a); // twice: nothing more
        assert!(!timers.is_armed(a));
        assert!(timers.is_armed(b));
        // The earliest live deadline, not the cancelled one.
        assert_eq!(timers.next_deadline(), Some(5_000));
        timers.cancel(b);
        assert_eq!(fire(&mut timers, u64::MAX), [2]);
        assert!(!timers.is_armed(c));
        timers.cancel(c); // after it fired: nothing
        assert!(timers.is_empty());
        assert_eq!(timers.next_deadline(), None);
        // A reused slot is a new timer: the old id does not cancel it.
        let d = timers.insert(6_000, task(3));
        timers.cancel(b);
        assert!(timers.is_armed(d));
        assert_eq!(fire(&mut timers, 6_000), [3]);
    }

    #[test]
    fn deadlines_at_now_and_in_the_past_fire_at_once() {
        let mut timers = Timers::default();
        timers.insert(0, task(0));
        assert_eq!(fire(&mut timers, 0), [0]);
        timers.insert(100, task(1));
        assert_eq!(fire(&mut timers, 99), []);
        assert_eq!(fire(&mut timers, 100), [1]);
        timers.insert(100, task(2));
        assert_eq!(fire(&mut timers, 100), [2]);
    }

    #[test]
    fn earlier_timers_set_after_the_cursor_moved_come_first() {
        // A real hub asks for the next deadline, then wakes early and sets shorter timers.
        let mut timers = Timers::default();
        timers.insert(1_000_000, task(0));
        assert_eq!(timers.next_deadline(), Some(1_000_000));
        timers.insert(500, task(1));
        let cancelled = timers.insert(400, task(2));
        timers.insert(500, task(3));
        timers.insert(2_000_000, task(4));
        timers.insert(1_000_000, task(5));
        timers.cancel(cancelled);
        assert_eq!(timers.next_deadline(), Some(500));
        assert_eq!(fire(&mut timers, 499), []);
        assert_eq!(fire(&mut timers, 500), [1, 3]);
        assert_eq!(timers.next_deadline(), Some(1_000_000));
        assert_eq!(fire(&mut timers, u64::MAX), [0, 5, 4]);
    }

    #[test]
    fn far_future_and_extreme_deadlines() {
        let mut timers = Timers::default();
        timers.insert(u64::MAX, task(0));
        timers.insert(u64::MAX - 1, task(1));
        timers.insert(1 << 63, task(2));
        timers.insert(u64::MAX, task(3));
        timers.insert(0, task(4));
        timers.insert(1, task(5));
        assert_eq!(timers.next_deadline(), Some(0));
        assert_eq!(fire(&mut timers, 1 << 62), [4, 5]);
        assert_eq!(timers.next_deadline(), Some(1 << 63));
        assert_eq!(fire(&mut timers, u64::MAX - 1), [2, 1]);
        assert_eq!(timers.next_deadline(), Some(u64::MAX));
        assert_eq!(fire(&mut timers, u64::MAX), [0, 3]);
        assert!(timers.is_empty());
    }

    /// Random sets, cancels and clock moves against a sorted map of `(deadline, sequence)`.
    #[test]
    fn fires_like_a_sorted_map() {
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        let mut random = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut timers = Timers::default();
        let mut model = BTreeMap::new();
        let mut ids: Vec<(TimerId, (u64, u32))> = Vec::new();
        let mut now = 0_u64;
        let mut set = 0_u32;
        // Miri interprets every step: fewer rounds there still cover spills and cancellations.
        let rounds = if cfg!(miri) { 200 } else { 3_000 };
        for round in 0..rounds {
            for _ in 0..random() % 8 {
                let span = [1, 256, 65_536, 1 << 30, u64::MAX][(random() % 5) as usize];
                let deadline = now.saturating_add(random() % span);
                let id = timers.insert(deadline, task(set));
                model.insert((deadline, set), ());
                ids.push((id, (deadline, set)));
                set += 1;
            }
            if random() % 4 == 0 && !ids.is_empty() {
                let (id, key) = ids.swap_remove((random() % ids.len() as u64) as usize);
                timers.cancel(id);
                model.remove(&key);
            }
            let expected_next = model.keys().next().map(|&(deadline, _)| deadline);
            assert_eq!(timers.next_deadline(), expected_next, "round {round}");
            // Sometimes to the next deadline (a virtual clock), sometimes a bit (a real one).
            now = match (random() % 3, expected_next) {
                (0, Some(next)) => next.max(now),
                _ => now.saturating_add(random() % 3_000),
            };
            let fired = fire(&mut timers, now);
            let expected: Vec<u32> = model
                .keys()
                .take_while(|&&(deadline, _)| deadline <= now)
                .map(|&(_, set)| set)
                .collect();
            model.retain(|&(deadline, _), ()| deadline > now);
            ids.retain(|(_, (deadline, _))| *deadline > now);
            assert_eq!(fired, expected, "round {round}");
            assert_eq!(timers.is_empty(), model.is_empty());
        }
    }
}

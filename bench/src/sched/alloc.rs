//! A counting global allocator for S5: the system allocator, plus a count of the bytes live
//! while a [`Counter`] is open. Only binaries that install it (`sched_table`, the scheduler
//! test) count; it is not installed for the generator workloads.
//!
//! Counting is off by default and costs one relaxed load per call then, so the timed workloads
//! of the same binary are not slowed by it. While on, every thread's allocations count (smol's
//! timers can be filed by async-io's thread).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

static ON: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicIsize = AtomicIsize::new(0);

/// The system allocator, counting requested bytes while a [`Counter`] is open.
pub struct CountingAlloc;

#[inline]
fn count(bytes: isize) {
    if ON.load(Ordering::Relaxed) {
        LIVE.fetch_add(bytes, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded to `System` unchanged; the counters have no effect on memory.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// Counts the growth of the heap from its start. One at a time.
pub struct Counter(());

impl Counter {
    /// Starts counting from zero.
    pub fn start() -> Counter {
        assert!(
            !ON.swap(true, Ordering::SeqCst),
            "one allocation counter at a time"
        );
        LIVE.store(0, Ordering::SeqCst);
        Counter(())
    }

    /// Bytes allocated and not freed since [`start`](Self::start) (negative if more was freed).
    pub fn live(&self) -> isize {
        LIVE.load(Ordering::SeqCst)
    }
}

impl Drop for Counter {
    fn drop(&mut self) {
        ON.store(false, Ordering::SeqCst);
    }
}

/// Panics unless [`CountingAlloc`] is this binary's global allocator: S5 would read zero.
pub fn assert_counting() {
    let counter = Counter::start();
    drop(black_box(Box::new(black_box(0u64))));
    let seen = black_box(Box::new(black_box(0u64)));
    let live = counter.live();
    drop(counter);
    drop(seen);
    assert!(
        live >= 8,
        "S5 needs `#[global_allocator] static A: CountingAlloc = CountingAlloc;` in the binary"
    );
}

//! Per-thread free lists of body blocks (`std` only: they live in thread-locals).

use core::alloc::Layout;
use core::cell::Cell;
use core::ptr::NonNull;

use crate::body::Body;

/// Blocks are `CLASS_ALIGN`-aligned multiples of `CLASS_STEP` bytes, up to `CLASSES * CLASS_STEP`.
const CLASS_STEP: usize = 16;
const CLASS_ALIGN: usize = 16;
const CLASSES: usize = 32;
/// At most this many free blocks are kept per class and thread (at most 128 KiB in all).
const KEEP: u8 = 8;

/// A size class: blocks of `class_layout(class.0)`.
#[derive(Clone, Copy)]
pub(crate) struct Class(usize);

/// The size class of the body `B`, if its blocks are recycled.
#[inline(always)]
pub(crate) const fn size_class<B: Body>() -> Option<Class> {
    let layout = Layout::new::<B>();
    if !(B::DELEGATES || B::RECYCLES)
        || layout.size() == 0
        || layout.size() > CLASSES * CLASS_STEP
        || layout.align() > CLASS_ALIGN
    {
        None
    } else {
        Some(Class((layout.size() - 1) / CLASS_STEP))
    }
}

#[inline(always)]
const fn class_layout(class: usize) -> Layout {
    match Layout::from_size_align((class + 1) * CLASS_STEP, CLASS_ALIGN) {
        Ok(layout) => layout,
        Err(_) => panic!("size classes are valid layouts"),
    }
}

/// A free block: its first word links to the next one.
struct FreeBlock {
    next: Option<NonNull<FreeBlock>>,
}

/// The free lists of one thread. Only `recycled_block`, `release_block` and the thread's
/// `Cleanup` touch them, and they call no other code meanwhile, so `Cell`s are enough.
///
/// No `Drop` of its own: a thread-local with a destructor is checked for being alive at every
/// access, and taking a block is the hot path of creating a recursive generator. The blocks are
/// given back to the allocator at thread exit by `Cleanup`, a separate thread-local whose
/// destructor is registered when the first block is kept.
struct FreeLists {
    heads: [Cell<Option<NonNull<FreeBlock>>>; CLASSES],
    /// The number of blocks on each list, or, above `KEEP`, why none may be kept: `UNGUARDED`
    /// until the thread's first block is kept (which registers `Cleanup`), `GONE` once `Cleanup`
    /// ran (blocks then go straight back to the allocator). So the one `count < KEEP` test of
    /// `release_block` covers both, and only a list's first keep takes the slow path.
    counts: [Cell<u8>; CLASSES],
    /// Whether `Cleanup` is registered for this thread (or the thread is exiting).
    guarded: Cell<bool>,
}

const UNGUARDED: u8 = u8::MAX;
const GONE: u8 = u8::MAX - 1;
const _: () = assert!(KEEP < GONE);

impl FreeLists {
    /// Gives every kept block back to the allocator; none is kept after.
    fn drain(&self) {
        for (class, (head, count)) in self.heads.iter().zip(&self.counts).enumerate() {
            let mut next = head.take();
            count.set(GONE);
            while let Some(block) = next {
                // SAFETY: every block on the list of `class` is a free block of `class_layout`,
                // owned by the list, whose first word is its link.
                unsafe {
                    next = block.as_ptr().read().next;
                    alloc::alloc::dealloc(block.as_ptr().cast(), class_layout(class));
                }
            }
        }
    }

    /// Before the first block of `class` is kept: registers `Cleanup` (once per thread) and opens
    /// the list; `false` if the thread is exiting (blocks then go back to the allocator).
    #[cold]
    #[inline(never)]
    fn open(&self, class: usize) -> bool {
        if self.counts[class].get() == GONE {
            return false;
        }
        if !self.guarded.get() {
            if CLEANUP.try_with(|_| ()).is_err() {
                for count in &self.counts {
                    count.set(GONE);
                }
                return false;
            }
            self.guarded.set(true);
        }
        self.counts[class].set(0);
        true
    }
}

/// Drains this thread's free lists when the thread exits.
struct Cleanup;

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = FREE_LISTS.try_with(FreeLists::drain);
    }
}

std::thread_local! {
    static FREE_LISTS: FreeLists = const {
        FreeLists {
            heads: [const { Cell::new(None) }; CLASSES],
            counts: [const { Cell::new(UNGUARDED) }; CLASSES],
            guarded: Cell::new(false),
        }
    };
    static CLEANUP: Cleanup = const { Cleanup };
}

/// A block of `class`: a recycled one, or a new one.
#[inline]
pub(crate) fn recycled_block(Class(class): Class) -> NonNull<u8> {
    let recycled = FREE_LISTS
        .try_with(|lists| {
            let block = lists.heads[class].get()?;
            // SAFETY: blocks on the list are free blocks of this class, owned by the list.
            lists.heads[class].set(unsafe { block.as_ptr().read().next });
            lists.counts[class].set(lists.counts[class].get() - 1);
            Some(block.cast::<u8>())
        })
        .ok()
        .flatten();
    match recycled {
        Some(block) => block,
        None => new_block(class),
    }
}

#[cold]
#[inline(never)]
fn new_block(class: usize) -> NonNull<u8> {
    let layout = class_layout(class);
    // SAFETY: class layouts have a non-zero size.
    let block = unsafe { alloc::alloc::alloc(layout) };
    NonNull::new(block).unwrap_or_else(|| alloc::alloc::handle_alloc_error(layout))
}

/// Gives a block back: to this thread's list of its class, or to the allocator when the list is
/// full (or the thread is exiting and its lists were drained).
///
/// # Safety
/// `block` was returned by `recycled_block(class)`, holds no live value, and is not used again.
#[inline]
pub(crate) unsafe fn release_block(Class(class): Class, block: NonNull<u8>) {
    let kept = FREE_LISTS
        .try_with(|lists| {
            let mut count = lists.counts[class].get();
            if count >= KEEP {
                // Full, or not open yet (`UNGUARDED`), or closed for good (`GONE`).
                if count != UNGUARDED || !lists.open(class) {
                    return false;
                }
                count = 0;
            }
            let block = block.cast::<FreeBlock>();
            // SAFETY: the block is at least `CLASS_STEP` bytes, `CLASS_ALIGN`-aligned and ours.
            unsafe {
                block.as_ptr().write(FreeBlock {
                    next: lists.heads[class].get(),
                })
            };
            lists.heads[class].set(Some(block));
            lists.counts[class].set(count + 1);
            true
        })
        .unwrap_or(false);
    if !kept {
        // SAFETY: allocated by `new_block` with this layout, per the contract.
        unsafe { alloc::alloc::dealloc(block.as_ptr(), class_layout(class)) };
    }
}

//! The body of a generator: the state machine `#[generator]` makes of a function, as a type.

extern crate alloc;

use alloc::boxed::Box;
use core::alloc::Layout;
use core::any::TypeId;
use core::cell::Cell;
use core::future::Future;
use core::marker::PhantomData;
use core::panic::{RefUnwindSafe, UnwindSafe};
use core::pin::Pin;
use core::ptr::{self, NonNull};
use core::task::{Context, Poll};

/// The state machine of one generator, as written by `#[generator]` or `gen_!`.
///
/// A generator function returns [`Gen<impl Body<Yield = Y, Resume = R, Return = Ret>>`](crate::Gen):
/// this trait only carries the three types into the signature. It is sealed: only the macros
/// implement it (through a type of `__private`), and nothing but [`Gen`](crate::Gen) drives it.
///
/// ```
/// use corogen::prelude::*;
/// use corogen::{Body, Gen};
///
/// // Naming the type of a generator in a signature:
/// fn evens(limit: u32) -> Gen<impl Body<Yield = u32, Resume = (), Return = ()>> {
///     gen_!({
///         for i in (0..limit).step_by(2) {
///             yield_!(i);
///         }
///     })
/// }
/// assert_eq!(evens(7).collect::<Vec<_>>(), [0, 2, 4, 6]);
/// ```
pub trait Body: sealed::Sealed {
    /// The type of the values `yield_!` hands out.
    type Yield;
    /// The type of the values `send`/`resume` hand in.
    type Resume;
    /// The type of the value the body returns at its end.
    type Return;

    #[doc(hidden)]
    const NAME: &'static str;

    #[doc(hidden)]
    const DELEGATES: bool;

    #[doc(hidden)]
    fn __marker() -> TypeId;

    #[doc(hidden)]
    fn __poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Return>;
}

mod sealed {
    pub trait Sealed {}
}

/// Implemented by the marker type each generator expansion declares.
pub trait Marker: 'static {
    /// The generator's name, for `Debug` (`fib`, or `<gen_!>` for an expression).
    const NAME: &'static str;

    /// Whether the body contains a `yield_from!`. Only then does `resume` look at the delegation
    /// stack: for every other generator that code is compiled away, which keeps the generator's
    /// state out of memory when the optimiser can see the whole loop.
    const DELEGATES: bool = false;
}

/// The one implementation of [`Body`]: a body future tagged with its marker and its types.
pub struct Framed<M, Y, R, F> {
    future: F,
    _types: crate::slot::Invariant<Y, R, M>,
}

impl<M, Y, R, F> Framed<M, Y, R, F> {
    #[inline(always)]
    pub(crate) fn new(future: F) -> Self {
        Framed {
            future,
            _types: PhantomData,
        }
    }
}

impl<M, Y, R, F> sealed::Sealed for Framed<M, Y, R, F> {}

impl<M: Marker, Y, R, F: Future> Body for Framed<M, Y, R, F> {
    type Yield = Y;
    type Resume = R;
    type Return = F::Output;

    const NAME: &'static str = M::NAME;

    const DELEGATES: bool = M::DELEGATES;

    #[inline(always)]
    fn __marker() -> TypeId {
        TypeId::of::<M>()
    }

    #[inline(always)]
    fn __poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is pinned structurally: it is never moved out of a pinned `Framed`,
        // `Framed` has no `Drop` impl and is `Unpin` only when `F` is.
        unsafe { self.map_unchecked_mut(|framed| &mut framed.future) }.poll(cx)
    }
}

/// The heap block of a [`Gen`](crate::Gen)'s body: a `Pin<Box<B>>` whose memory is recycled.
///
/// Recursive generators are created and dropped in bursts of one body type (a node each), and
/// `malloc` + `free` would cost more than the rest of such a generator's life. So the block of a
/// body that delegates (`B::DELEGATES`: recursion goes through `yield_from!`) is taken from, and
/// given back to, a small free list of the current thread, one list per size class. The lists are
/// touched only when such a `Gen` is created or its body dropped, never by a resume. Other bodies
/// get a plain `Box`: when their `Gen` does not escape, LLVM removes the allocation altogether,
/// which a free list would prevent (the pointer would escape into it).
///
/// Like `Box<B>`: it owns a `B` that is never moved until dropped (so it may be pinned), and it is
/// `Send`, `Sync`, `UnwindSafe`, `RefUnwindSafe` exactly when `B` is, and always `Unpin`.
pub(crate) struct BodyBox<B: Body> {
    ptr: NonNull<B>,
    _owns: PhantomData<B>,
}

// SAFETY: `BodyBox<B>` owns its `B` as `Box<B>` does (no other pointer to it exists but the
// delegation requests into it, which are only used through `&mut` of the owning `Gen`); blocks
// are plain global-allocator memory, so freeing one from another thread is fine.
unsafe impl<B: Body + Send> Send for BodyBox<B> {}
// SAFETY: as for `Box<B>`: `&BodyBox<B>` gives no access to `B` at all.
unsafe impl<B: Body + Sync> Sync for BodyBox<B> {}
impl<B: Body + UnwindSafe> UnwindSafe for BodyBox<B> {}
impl<B: Body + RefUnwindSafe> RefUnwindSafe for BodyBox<B> {}
// The body is pinned in its block: moving the `BodyBox` does not move it.
impl<B: Body> Unpin for BodyBox<B> {}

impl<B: Body> BodyBox<B> {
    #[inline]
    pub(crate) fn new(body: B) -> Self {
        let ptr = match size_class::<B>() {
            Some(class) => {
                let ptr = recycled_block(class).cast::<B>();
                // SAFETY: the block is fresh (or given back by a dropped body), at least as big as
                // `B` and aligned to `CLASS_ALIGN >= align_of::<B>()` (`size_class`); it is ours.
                unsafe { ptr.as_ptr().write(body) };
                ptr
            }
            // Bodies without `yield_from!`, zero-sized or big ones: a plain `Box`.
            None => NonNull::from(Box::leak(Box::new(body))),
        };
        BodyBox {
            ptr,
            _owns: PhantomData,
        }
    }

    /// The pinned body.
    #[inline(always)]
    pub(crate) fn as_mut(&mut self) -> Pin<&mut B> {
        // SAFETY: `ptr` points at the live `B` this box owns, reached only through `&mut self`;
        // the `B` is never moved out of its block until it is dropped in place.
        unsafe { Pin::new_unchecked(self.ptr.as_mut()) }
    }
}

impl<B: Body> BodyBox<B> {
    /// Moves the body out of its block, and frees the block.
    ///
    /// # Safety
    /// The body was never pinned: no `Pin<&mut B>` to it was ever made (it was never polled).
    #[inline]
    pub(crate) unsafe fn into_inner(self) -> B {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: `ptr` points at the live `B` this box owns; it is read out once, and the box is
        // not dropped (`ManuallyDrop`), so the `B` is neither dropped nor read again. Moving it is
        // allowed: the caller guarantees it was never pinned.
        let body = unsafe { this.ptr.as_ptr().read() };
        match size_class::<B>() {
            // SAFETY: the block came from `recycled_block(class)` (`BodyBox::new`), and its `B`
            // was moved out above.
            Some(class) => unsafe { release_block(class, this.ptr.cast()) },
            // SAFETY: made by `Box::leak` (`BodyBox::new`); its `B` was moved out, so it is freed
            // as a `MaybeUninit<B>`.
            None => drop(unsafe {
                Box::from_raw(this.ptr.as_ptr().cast::<core::mem::MaybeUninit<B>>())
            }),
        }
        body
    }
}

impl<B: Body> Drop for BodyBox<B> {
    #[inline]
    fn drop(&mut self) {
        /// Gives the block back even if the body's drop unwinds.
        struct Release<B: Body>(NonNull<B>);
        impl<B: Body> Drop for Release<B> {
            #[inline]
            fn drop(&mut self) {
                match size_class::<B>() {
                    // SAFETY: the block came from `recycled_block(class)` (`BodyBox::new`), and
                    // its `B` was dropped in place.
                    Some(class) => unsafe { release_block(class, self.0.cast()) },
                    // SAFETY: made by `Box::leak` (`BodyBox::new`); its `B` was dropped in
                    // place, so it is freed as a `MaybeUninit<B>`.
                    None => drop(unsafe {
                        Box::from_raw(self.0.as_ptr().cast::<core::mem::MaybeUninit<B>>())
                    }),
                }
            }
        }
        let release = Release(self.ptr);
        // SAFETY: the `B` is live and owned by this box, which is going away: it is dropped once,
        // in place (it is pinned), and the block is released after (by `release`, on unwind too).
        unsafe { ptr::drop_in_place(self.ptr.as_ptr()) };
        drop(release);
    }
}

/// Blocks are `CLASS_ALIGN`-aligned multiples of `CLASS_STEP` bytes, up to `CLASSES * CLASS_STEP`.
const CLASS_STEP: usize = 16;
const CLASS_ALIGN: usize = 16;
const CLASSES: usize = 32;
/// At most this many free blocks are kept per class and thread (at most 128 KiB in all).
const KEEP: u8 = 8;

/// The size class of the body `B`, if its blocks are recycled.
#[inline(always)]
const fn size_class<B: Body>() -> Option<usize> {
    let layout = Layout::new::<B>();
    if !B::DELEGATES
        || layout.size() == 0
        || layout.size() > CLASSES * CLASS_STEP
        || layout.align() > CLASS_ALIGN
    {
        None
    } else {
        Some((layout.size() - 1) / CLASS_STEP)
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
    counts: [Cell<u8>; CLASSES],
    /// `UNGUARDED` until a block is kept (which registers `Cleanup`), then `GUARDED`; `GONE` once
    /// `Cleanup` ran: from then on blocks go straight back to the allocator.
    state: Cell<u8>,
}

const UNGUARDED: u8 = 0;
const GUARDED: u8 = 1;
const GONE: u8 = 2;

impl FreeLists {
    /// Gives every kept block back to the allocator.
    fn drain(&self) {
        for (class, (head, count)) in self.heads.iter().zip(&self.counts).enumerate() {
            let mut next = head.take();
            count.set(0);
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

    /// Registers `Cleanup` before the first block is kept; `false` if the thread is exiting
    /// (blocks then go back to the allocator).
    #[cold]
    #[inline(never)]
    fn guard(&self) -> bool {
        if self.state.get() == GONE || CLEANUP.try_with(|_| ()).is_err() {
            self.state.set(GONE);
            return false;
        }
        self.state.set(GUARDED);
        true
    }
}

/// Drains this thread's free lists when the thread exits.
struct Cleanup;

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = FREE_LISTS.try_with(|lists| {
            lists.state.set(GONE);
            lists.drain();
        });
    }
}

std::thread_local! {
    static FREE_LISTS: FreeLists = const {
        FreeLists {
            heads: [const { Cell::new(None) }; CLASSES],
            counts: [const { Cell::new(0) }; CLASSES],
            state: Cell::new(UNGUARDED),
        }
    };
    static CLEANUP: Cleanup = const { Cleanup };
}

/// A block of `class_layout(class)`: a recycled one, or a new one.
#[inline]
fn recycled_block(class: usize) -> NonNull<u8> {
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
unsafe fn release_block(class: usize, block: NonNull<u8>) {
    let kept = FREE_LISTS
        .try_with(|lists| {
            if lists.state.get() != GUARDED && !lists.guard() {
                return false;
            }
            let count = lists.counts[class].get();
            if count >= KEEP {
                return false;
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

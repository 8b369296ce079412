//! [`BodyBox`]: the heap block of a `Gen`'s body, recycled for bodies that recurse.

use alloc::boxed::Box;
use core::marker::PhantomData;
use core::panic::{RefUnwindSafe, UnwindSafe};
use core::pin::Pin;
use core::ptr::{self, NonNull};

use crate::body::Body;
#[cfg(feature = "std")]
use crate::free_list::{recycled_block, release_block, size_class};
#[cfg(not(feature = "std"))]
use no_free_list::{recycled_block, release_block, size_class};

/// The heap block of a [`Gen`](crate::Gen)'s body: a `Pin<Box<B>>` whose memory is recycled
/// (with `std`: see below).
///
/// Recursive generators are created and dropped in bursts of one body type (a node each), and
/// `malloc` + `free` would cost more than the rest of such a generator's life. So the block of a
/// body that delegates (`B::DELEGATES`: recursion goes through `yield_from!`) is taken from, and
/// given back to, a small free list of the current thread, one list per size class; so is the
/// block of a body declared `#[generator(recycle, …)]` (`B::RECYCLES`), the user's opt-in for
/// short-lived generators that escape (see that option's docs). The lists are
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

#[cfg(feature = "hub")]
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

/// Without `std` there is no thread-local to keep free lists in: every body's block comes from,
/// and goes back to, the global allocator, as a plain `Box`. `Class` has no values, so the
/// recycling arms of `BodyBox` are compiled away.
#[cfg(not(feature = "std"))]
mod no_free_list {
    use crate::body::Body;
    use core::ptr::NonNull;

    pub(crate) enum Class {}

    #[expect(
        clippy::extra_unused_type_parameters,
        reason = "called as `free_list::size_class` is"
    )]
    #[inline(always)]
    pub(crate) const fn size_class<B: Body>() -> Option<Class> {
        None
    }

    pub(crate) fn recycled_block(class: Class) -> NonNull<u8> {
        match class {}
    }

    /// # Safety
    /// Never callable: there is no `Class` to call it with.
    pub(crate) unsafe fn release_block(class: Class, _block: NonNull<u8>) {
        match class {}
    }
}

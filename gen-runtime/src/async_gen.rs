//! Async generators (PEP 525): a body with both `.await` and `yield_!`, consumed as a
//! [`Stream`](futures_core::Stream).
//!
//! Unlike a plain generator, the body is polled with the executor's own waker, untouched: the
//! futures it awaits register that waker (and `Waker::will_wake` keeps working, so they do not
//! re-clone it on every poll). Yielded values therefore cannot travel through the waker; they go
//! through a small header allocated with the generator, which the hidden `AsyncCo` capability
//! points to. A yield stores its value there and returns `Pending` once; `poll_next` finds the
//! value and returns `Ready(Some(value))`, so the executor is not asked to wake anyone. A
//! `Pending` with an empty header is a real wait on an awaited future.

use core::cell::Cell;
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};

use futures_core::{FusedStream, Stream};

use crate::body::{Body, Framed, Marker};

/// Where a yielded value waits between the body's poll and `poll_next`'s return.
pub struct Header<Y> {
    yielded: Cell<Option<Y>>,
}

/// The capability to yield from an async generator's body: a pointer to its header.
pub struct AsyncCo<Y, M> {
    header: NonNull<Header<Y>>,
    _marker: PhantomData<fn(M) -> M>,
}

impl<Y, M> Clone for AsyncCo<Y, M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Y, M> Copy for AsyncCo<Y, M> {}

// SAFETY: the header is reached only from the body, and the body only while `AsyncGen::poll_next`
// polls it through `&mut AsyncGen`; so the header is never accessed from two threads at once, and
// moving the body (with its `AsyncCo`s) to another thread moves the only accessor. The yielded
// values themselves cross threads, hence `Y: Send`.
unsafe impl<Y: Send, M> Send for AsyncCo<Y, M> {}
// SAFETY: `&AsyncCo` gives no access to the header; only a copy of the `AsyncCo` does, and
// copies are used as above.
unsafe impl<Y: Send, M> Sync for AsyncCo<Y, M> {}

/// Owns the header until `new_async_gen` takes it. (Held as a raw pointer from the start, never
/// as a `Box`, so that moving the owner never invalidates the `AsyncCo` pointers.)
pub struct HeaderBox<Y, M> {
    header: NonNull<Header<Y>>,
    _marker: PhantomData<fn(M) -> M>,
}

impl<Y, M> HeaderBox<Y, M> {
    fn into_raw(self) -> NonNull<Header<Y>> {
        let header = self.header;
        core::mem::forget(self);
        header
    }
}

impl<Y, M> Drop for HeaderBox<Y, M> {
    fn drop(&mut self) {
        // SAFETY: `header` came from `Box::into_raw` in `AsyncCo::new` and was not handed on.
        drop(unsafe { Box::from_raw(self.header.as_ptr()) });
    }
}

impl<Y, M: Marker> AsyncCo<Y, M> {
    /// Allocates the header and the capability that points to it.
    ///
    /// # Safety
    /// Every future made from the returned `AsyncCo` (and its copies) is polled only by the body
    /// future passed with the `HeaderBox` to `new_async_gen`.
    pub unsafe fn new() -> (Self, HeaderBox<Y, M>) {
        let header = NonNull::from(Box::leak(Box::new(Header {
            yielded: Cell::new(None),
        })));
        let co = AsyncCo {
            header,
            _marker: PhantomData,
        };
        (
            co,
            HeaderBox {
                header,
                _marker: PhantomData,
            },
        )
    }

    /// What `yield_!(value)` expands to in an async generator: stores `value` in the header now
    /// and returns the future, awaited at once, that suspends the body once so that `poll_next`
    /// returns the value.
    ///
    /// The value goes into the header here rather than at the first poll so that the future
    /// holds no copy of it (nor of this pointer): the body's state keeps one flag across the
    /// suspension, and the value is stored once.
    #[inline(always)]
    pub fn yield_(self, value: Y) -> AsyncYield {
        // SAFETY: the header is owned by the `AsyncGen` whose body this yield is part of
        // (`new`'s contract), and it is dropped after the body; we are inside that generator's
        // `poll_next`, the header's only user, so no other reference to it exists now.
        let header = unsafe { self.header.as_ref() };
        let previous = header.yielded.replace(Some(value));
        assert!(
            previous.is_none(),
            "corogen: two values were yielded in one poll"
        );
        AsyncYield { yielded: false }
    }
}

/// The future behind `yield_!` in an async generator: `Pending` at its first poll (the value is
/// already in the header), `Ready` at the next one.
#[must_use = "a yield does nothing unless awaited"]
pub struct AsyncYield {
    yielded: bool,
}

impl Future for AsyncYield {
    type Output = ();

    #[inline(always)]
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        Poll::Pending
    }
}

/// Makes the async generator whose body is `future`, which yields through the `AsyncCo` that
/// came with `header`.
#[inline]
pub fn new_async_gen<M: Marker, Y, F: Future>(
    header: HeaderBox<Y, M>,
    future: F,
) -> AsyncGen<Framed<M, Y, (), F>> {
    AsyncGen {
        body: Some(Box::pin(Framed::new(future))),
        header: header.into_raw(),
        returned: None,
        panicked: false,
    }
}

/// An async generator: what an `async fn` with `#[generator]` (or `gen_!(async move { … })`)
/// returns. It is a [`Stream`] of its yields and keeps its return value.
///
/// ```
/// use corogen::prelude::*;
///
/// #[generator(yield = u32)]
/// async fn ticks(n: u32) -> &'static str {
///     for i in 0..n {
///         std::future::ready(()).await; // any future: a timer, a socket read…
///         yield_!(i);
///     }
///     "done"
/// }
///
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// block_on(async {
///     let mut stream = ticks(3);
///     let mut seen = Vec::new();
///     while let Some(i) = stream.next().await {
///         seen.push(i);
///     }
///     assert_eq!(seen, [0, 1, 2]);
///     assert_eq!(stream.return_value(), Some(&"done"));
/// });
/// ```
///
/// It works under any executor: the body sees the executor's waker as it is, so the futures it
/// awaits wake the real task, and `Waker::will_wake` lets them keep the waker they stored. An
/// executor whose wakers are not `Send`-safe is no problem either: none is created here.
///
/// Dropping it (or [`close`](AsyncGen::close), Python's `aclose()`) runs the body's cleanup, as
/// for [`Gen`](crate::Gen). Python's `asend()`/`athrow()` have no twin: a `Stream` takes no
/// values, so an async generator that must receive values takes a channel receiver as a
/// parameter and awaits it, which also makes the backpressure explicit.
#[must_use = "streams do nothing unless polled"]
pub struct AsyncGen<B: Body> {
    body: Option<Pin<Box<B>>>,
    /// Owned (from `Box::leak`); freed in `Drop` after the body.
    header: NonNull<Header<B::Yield>>,
    returned: Option<B::Return>,
    panicked: bool,
}

// Nothing in `AsyncGen` is pinned in place: the body is pinned in its own `Box`.
impl<B: Body> Unpin for AsyncGen<B> {}

// SAFETY: the header is only touched inside `poll_next` (through `&mut self`) and by the body
// during that call; with `B: Send` and `Y: Send` moving the whole generator moves every accessor.
unsafe impl<B: Body + Send> Send for AsyncGen<B>
where
    B::Yield: Send,
    B::Return: Send,
{
}
// SAFETY: `&AsyncGen` only reads `returned` (and `Debug`); the header is never reached through it.
unsafe impl<B: Body + Sync> Sync for AsyncGen<B> where B::Return: Sync {}

impl<B: Body<Resume = ()>> AsyncGen<B> {
    /// The next yielded value: `stream.next().await`, without needing `futures::StreamExt`.
    // An async `next`, as `StreamExt::next`: not `Iterator::next`.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> NextItem<'_, B> {
        NextItem { generator: self }
    }

    /// The return value, once the stream has ended.
    pub fn return_value(&self) -> Option<&B::Return> {
        self.returned.as_ref()
    }

    /// Takes the kept return value out.
    pub fn take_return_value(&mut self) -> Option<B::Return> {
        self.returned.take()
    }

    /// Python's `aclose()`: drops the body now, running its cleanup; the stream then ends.
    pub fn close(&mut self) {
        self.body = None;
    }

    /// `true` once the stream has ended (or was closed).
    pub fn is_finished(&self) -> bool {
        self.body.is_none()
    }
}

impl<B: Body<Resume = ()>> Stream for AsyncGen<B> {
    type Item = B::Yield;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<B::Yield>> {
        let this = self.get_mut();
        assert!(!this.panicked, "`{}` polled after it panicked", B::NAME);
        let Some(body) = this.body.as_mut() else {
            return Poll::Ready(None);
        };
        // Poisons the generator if the body unwinds; forgotten once the poll returns, so a
        // normal poll stores nothing.
        let poison = PoisonOnUnwind(&mut this.panicked);
        let poll = body.as_mut().__poll(cx);
        core::mem::forget(poison);
        match poll {
            Poll::Ready(value) => {
                this.returned = Some(value);
                this.body = None;
                Poll::Ready(None)
            }
            // SAFETY: the header lives until `drop`; the body's poll is over, so nothing else
            // refers to it now.
            Poll::Pending => match unsafe { this.header.as_ref() }.yielded.take() {
                Some(value) => Poll::Ready(Some(value)),
                None => Poll::Pending,
            },
        }
    }
}

/// Sets the flag it points to when dropped: held across the body's poll, it is dropped only if
/// that poll unwinds.
struct PoisonOnUnwind<'a>(&'a mut bool);

impl Drop for PoisonOnUnwind<'_> {
    #[cold]
    fn drop(&mut self) {
        *self.0 = true;
    }
}

impl<B: Body> Drop for AsyncGen<B> {
    fn drop(&mut self) {
        // The body first: its yield futures point at the header.
        self.body = None;
        // SAFETY: `header` came from `Box::leak` in `AsyncCo::new`, is owned by this generator
        // alone, and nothing refers to it any more.
        drop(unsafe { Box::from_raw(self.header.as_ptr()) });
    }
}

impl<B: Body<Resume = ()>> FusedStream for AsyncGen<B> {
    fn is_terminated(&self) -> bool {
        self.body.is_none()
    }
}

impl<B: Body> fmt::Debug for AsyncGen<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncGen")
            .field("name", &B::NAME)
            .field("finished", &self.body.is_none())
            .finish_non_exhaustive()
    }
}

/// The future of [`AsyncGen::next`].
#[must_use = "futures do nothing unless awaited"]
pub struct NextItem<'a, B: Body> {
    generator: &'a mut AsyncGen<B>,
}

impl<B: Body<Resume = ()>> Future for NextItem<'_, B> {
    type Output = Option<B::Yield>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<B::Yield>> {
        Pin::new(&mut *self.get_mut().generator).poll_next(cx)
    }
}

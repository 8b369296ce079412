//! Async generators (PEP 525): `.await` and `yield_!` in one body, consumed as a `Stream` under
//! mainstream executors, with real wakers reaching the awaited futures.

use corogen::prelude::*;
use futures::StreamExt;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

#[generator(yield = u32)]
async fn doubled(mut rx: tokio::sync::mpsc::Receiver<u32>) -> &'static str {
    while let Some(value) = rx.recv().await {
        yield_!(value * 2);
    }
    "channel closed"
}

#[tokio::test(flavor = "current_thread")]
async fn tokio_wakers_reach_the_awaited_futures() {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let producer = tokio::spawn(async move {
        for i in 1..=3 {
            tx.send(i).await.unwrap();
            tokio::task::yield_now().await;
        }
    });
    let mut stream = doubled(rx);
    let mut seen = Vec::new();
    while let Some(x) = stream.next().await {
        seen.push(x);
    }
    producer.await.unwrap();
    assert_eq!(seen, [2, 4, 6]);
    assert_eq!(stream.return_value(), Some(&"channel closed"));
}

#[tokio::test(flavor = "current_thread")]
async fn async_generators_are_send_when_their_state_is() {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    for i in 0..3 {
        tx.send(i).await.unwrap();
    }
    drop(tx);
    // `tokio::spawn` requires `Send + 'static`.
    let collected = tokio::spawn(async move { doubled(rx).collect::<Vec<_>>().await })
        .await
        .unwrap();
    assert_eq!(collected, [0, 2, 4]);
}

#[cfg(not(target_family = "wasm"))] // spawns a thread: wasm has none
#[test]
fn futures_executor_with_a_wake_from_another_thread() {
    let (tx, rx) = futures::channel::oneshot::channel::<u32>();
    let stream = gen_!(async move {
        yield_!(1);
        let late = rx.await.unwrap();
        yield_!(late);
    });
    let sender = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(20));
        tx.send(99).unwrap();
    });
    let items: Vec<u32> = futures::executor::block_on(stream.collect());
    sender.join().unwrap();
    assert_eq!(items, [1, 99]);
}

/// A future that stores the waker like real leaf futures do: clone only when `will_wake` says
/// the stored one is stale. It hands its last stored waker out when done.
struct WakerRecorder {
    polls_left: u32,
    stored: Option<Waker>,
    clones: Arc<AtomicUsize>,
}

impl WakerRecorder {
    /// A recorder pending `polls_left` times, and its count of clones.
    fn new(polls_left: u32) -> (Self, Arc<AtomicUsize>) {
        let clones = Arc::new(AtomicUsize::new(0));
        let recorder = WakerRecorder {
            polls_left,
            stored: None,
            clones: clones.clone(),
        };
        (recorder, clones)
    }
}

impl Future for WakerRecorder {
    type Output = Waker;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Waker> {
        if !self
            .stored
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            self.stored = Some(cx.waker().clone());
            self.clones.fetch_add(1, Ordering::SeqCst);
        }
        if self.polls_left == 0 {
            return Poll::Ready(self.stored.take().unwrap());
        }
        self.polls_left -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Counts its wakes.
struct CountingWaker(AtomicUsize);

impl std::task::Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn awaited_futures_wake_and_keep_the_executors_own_waker() {
    let (recorder, clones) = WakerRecorder::new(5);
    let mut stream = gen_!(async move {
        let kept = recorder.await;
        yield_!(kept);
    });
    let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let executor = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&executor);
    let mut pending = 0;
    let kept = loop {
        match futures::Stream::poll_next(Pin::new(&mut stream), &mut cx) {
            Poll::Ready(Some(kept)) => break kept,
            Poll::Ready(None) => panic!("the stream ended early"),
            Poll::Pending => pending += 1,
        }
    };
    assert_eq!(pending, 5);
    // Every `wake_by_ref` in the body reached the executor's waker.
    assert_eq!(counter.0.load(Ordering::SeqCst), 5);
    // The clone the future kept is the executor's own waker, not the generator's wrapper...
    // (The data pointers, not `will_wake`: Miri gives each use of a vtable its own address.)
    assert_eq!(kept.data(), executor.data());
    kept.wake_by_ref();
    assert_eq!(counter.0.load(Ordering::SeqCst), 6);
    // ...which `will_wake` cannot see through: the future re-clones it at each poll (the
    // trade-off of the async generator's waker, see `async_gen.rs`).
    assert_eq!(clones.load(Ordering::SeqCst), 6);
    assert!(block_on_next(&mut stream).is_none());
}

#[test]
fn an_async_generator_polled_in_another_sees_the_executors_waker() {
    let (recorder, _clones) = WakerRecorder::new(2);
    let mut outer = gen_!(async move {
        let mut inner = gen_!(async move {
            yield_!(None);
            yield_!(Some(recorder.await));
        });
        while let Some(kept) = inner.next().await {
            yield_!(kept);
        }
    });
    let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let executor = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&executor);
    let mut items = Vec::new();
    let mut pending = 0;
    loop {
        match futures::Stream::poll_next(Pin::new(&mut outer), &mut cx) {
            Poll::Ready(Some(item)) => items.push(item),
            Poll::Ready(None) => break,
            Poll::Pending => pending += 1,
        }
    }
    assert_eq!(pending, 2);
    assert_eq!(counter.0.load(Ordering::SeqCst), 2);
    let [None, Some(kept)] = &items[..] else {
        panic!("items: {items:?}");
    };
    // A clone made in the inner body is the executor's own waker, not a wrapper.
    // (The data pointers, not `will_wake`: Miri gives each use of a vtable its own address.)
    assert_eq!(kept.data(), executor.data());
}

/// Polls `stream` once, with a no-op waker, expecting an answer.
fn block_on_next<S: futures::Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    match Pin::new(stream).poll_next(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(item) => item,
        Poll::Pending => panic!("pending"),
    }
}

struct Finally(Rc<Cell<u32>>);
impl Drop for Finally {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn dropping_or_closing_an_async_generator_runs_its_cleanup() {
    let drops = Rc::new(Cell::new(0));
    let make = |drops: Rc<Cell<u32>>| {
        gen_!(async move {
            let _guard = Finally(drops);
            for i in 0.. {
                std::future::ready(()).await;
                yield_!(i);
            }
        })
    };
    let mut stream = make(drops.clone());
    assert_eq!(futures::executor::block_on(stream.next()), Some(0));
    drop(stream);
    assert_eq!(drops.get(), 1);

    let mut stream = make(drops.clone());
    assert_eq!(futures::executor::block_on(stream.next()), Some(0));
    stream.close();
    assert_eq!(drops.get(), 2);
    assert!(stream.is_finished());
    assert_eq!(futures::executor::block_on(stream.next()), None);
    assert_eq!(Rc::strong_count(&drops), 1);
}

#[test]
fn an_async_generator_can_consume_another() {
    #[generator(yield = u64)]
    async fn numbers(n: u64) {
        for i in 0..n {
            yield_!(i);
        }
    }
    #[generator(yield = u64)]
    async fn squares_of_evens(n: u64) -> usize {
        let mut count = 0;
        let mut source = numbers(n);
        while let Some(x) = source.next().await {
            if x % 2 == 0 {
                count += 1;
                yield_!(x * x);
            }
        }
        count
    }
    let mut stream = squares_of_evens(7);
    let items: Vec<u64> = futures::executor::block_on((&mut stream).collect());
    assert_eq!(items, [0, 4, 16, 36]);
    assert_eq!(stream.return_value(), Some(&4));
}

//! `yield_from!` in async generators (PEP 525's `async for x in sub: yield x`, with PEP 380's
//! return value): to async generators, plain generators, streams and iterables, recursively,
//! under tokio's and futures' executors, with real waits in the delegates.

use corogen::GenState;
use corogen::prelude::*;
use futures::StreamExt;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

/// A future that is pending once: it wakes its task and is ready when polled again.
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn yield_now() -> YieldNow {
    YieldNow(false)
}

/// Polls `future` to its end with a no-op waker (every `Pending` here woke its task already).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

#[generator(yield = u32)]
async fn leaf(items: u32) -> u32 {
    for i in 0..items {
        yield_now().await;
        yield_!(i);
    }
    items
}

#[generator(yield = u32)]
async fn nested(depth: u32, items: u32) -> u32 {
    if depth == 0 {
        return yield_from!(leaf(items));
    }
    let inner = yield_from!(nested(depth - 1, items));
    yield_now().await;
    yield_!(1000 + depth);
    inner + depth
}

#[test]
fn deep_async_delegation_passes_every_item_and_return_value() {
    for depth in [0, 1, 4, 16, 64] {
        let mut g = nested(depth, 3);
        let items: Vec<u32> = block_on((&mut g).collect());
        let mut expected: Vec<u32> = (0..3).collect();
        expected.extend((1..=depth).map(|d| 1000 + d));
        assert_eq!(items, expected, "depth {depth}");
        assert_eq!(g.return_value(), Some(&(3 + depth * (depth + 1) / 2)));
        assert_eq!(g.state(), GenState::Completed);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn delegation_under_tokio_with_channels_in_the_delegates() {
    #[generator(yield = u32)]
    async fn from_channel(mut rx: tokio::sync::mpsc::Receiver<u32>) -> &'static str {
        while let Some(value) = rx.recv().await {
            yield_!(value);
        }
        "closed"
    }
    #[generator(yield = u32)]
    async fn outer(rx: tokio::sync::mpsc::Receiver<u32>) -> &'static str {
        yield_!(0);
        let r = yield_from!(from_channel(rx));
        yield_!(99);
        r
    }
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let producer = tokio::spawn(async move {
        for i in 1..=3 {
            tx.send(i).await.unwrap();
            tokio::task::yield_now().await;
        }
    });
    let mut g = outer(rx);
    let mut seen = Vec::new();
    while let Some(x) = g.next().await {
        seen.push(x);
    }
    producer.await.unwrap();
    assert_eq!(seen, [0, 1, 2, 3, 99]);
    assert_eq!(g.return_value(), Some(&"closed"));
}

#[test]
fn delegation_to_streams_plain_generators_and_iterables() {
    #[generator(yield = u32)]
    fn plain(from: u32) -> &'static str {
        yield_!(from);
        yield_!(from + 1);
        "plain done"
    }
    let mut g = gen_!(async move {
        let local = [1, 2];
        yield_from!(local.iter().copied());
        yield_from!(vec![3]);
        // A stream that is not `Unpin`: polled pinned where it lies.
        yield_from!(futures::stream::unfold(4, |n| async move {
            yield_now().await;
            (n < 6).then_some((n, n + 1))
        }));
        let r: &str = yield_from!(plain(6));
        assert_eq!(r, "plain done");
        let mut sub = plain(8);
        let r: &str = yield_from!(&mut sub);
        assert_eq!(r, "plain done");
        assert!(sub.is_finished());
        yield_from!(futures::stream::empty());
        local.len()
    });
    let items: Vec<u32> = block_on((&mut g).collect());
    assert_eq!(items, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(g.return_value(), Some(&2));
}

#[test]
fn values_sent_reach_the_innermost_generator_and_its_return_value_comes_out() {
    #[generator(yield = i32, resume = Option<i32>)]
    async fn averager() -> f64 {
        let (mut total, mut count) = (0, 0);
        while let Some(value) = yield_!(total) {
            yield_now().await;
            total += value;
            count += 1;
        }
        f64::from(total) / f64::from(count)
    }
    #[generator(yield = i32, resume = Option<i32>)]
    fn plain_averager() -> f64 {
        let (mut total, mut count) = (0, 0);
        while let Some(value) = yield_!(total) {
            total += value;
            count += 1;
        }
        f64::from(total) / f64::from(count)
    }
    #[generator(yield = i32, resume = Option<i32>)]
    async fn report() -> Vec<f64> {
        let mut averages = Vec::new();
        averages.push(yield_from!(averager()));
        averages.push(yield_from!(plain_averager()));
        yield_from!([-1, -2]);
        averages
    }
    block_on(async {
        let mut g = report();
        assert_eq!(g.send(None).await, Ok(0)); // starts the first averager
        assert_eq!(g.send(Some(10)).await, Ok(10));
        assert_eq!(g.send(Some(20)).await, Ok(30));
        assert_eq!(g.send(None).await, Ok(0)); // 15.0; the plain one starts
        assert_eq!(g.send(Some(1)).await, Ok(1));
        assert_eq!(g.send(None).await, Ok(-1)); // 1.0; then the array
        assert_eq!(g.send(Some(5)).await, Ok(-2)); // dropped: an iterable takes no values
        assert_eq!(g.send(None).await, Err(StopIteration(vec![15.0, 1.0])));
    });
}

/// PEP 255's tree, walked by a recursive async generator that awaits at every node.
struct Tree {
    label: char,
    left: Option<Box<Tree>>,
    right: Option<Box<Tree>>,
}

fn tree(labels: &[char]) -> Option<Box<Tree>> {
    if labels.is_empty() {
        return None;
    }
    let mid = labels.len() / 2;
    Some(Box::new(Tree {
        label: labels[mid],
        left: tree(&labels[..mid]),
        right: tree(&labels[mid + 1..]),
    }))
}

#[generator(yield = char)]
async fn inorder(t: &Tree) -> usize {
    let mut count = 1;
    if let Some(left) = &t.left {
        count += yield_from!(inorder(left));
    }
    yield_now().await;
    yield_!(t.label);
    if let Some(right) = &t.right {
        count += yield_from!(inorder(right));
    }
    count
}

#[test]
fn a_recursive_async_tree_walk() {
    let labels: Vec<char> = ('A'..='Z').collect();
    let root = tree(&labels).unwrap();
    let mut walk = inorder(&root);
    let walked: String = block_on((&mut walk).collect());
    assert_eq!(walked, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    assert_eq!(walk.return_value(), Some(&26));
    // The same walk under futures' executor.
    let walked: String = futures::executor::block_on(inorder(&root).collect());
    assert_eq!(walked, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
}

/// Counts its wakes.
struct CountingWaker(AtomicUsize);

impl std::task::Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Keeps a clone of the waker it is polled with; pending once.
struct KeepsWaker(Option<Waker>);

impl Future for KeepsWaker {
    type Output = Waker;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Waker> {
        match self.0.take() {
            Some(kept) => Poll::Ready(kept),
            None => {
                self.0 = Some(cx.waker().clone());
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }
}

/// A stream that is pending once before each item, and keeps the waker it was polled with.
struct PendingStream {
    left: usize,
    ready: bool,
    kept: Rc<RefCell<Option<Waker>>>,
}

impl futures::Stream for PendingStream {
    type Item = usize;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<usize>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        if !self.ready {
            self.ready = true;
            *self.kept.borrow_mut() = Some(cx.waker().clone());
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.ready = false;
        self.left -= 1;
        Poll::Ready(Some(self.left))
    }
}

#[test]
fn pending_delegates_make_the_generator_pending_and_wake_the_executor() {
    let kept = Rc::new(RefCell::new(None));
    let stream = PendingStream {
        left: 2,
        ready: false,
        kept: kept.clone(),
    };
    let mut g = gen_!(async move {
        yield_from!(gen_!(async move {
            let waker = KeepsWaker(None).await;
            yield_!(waker.data() as usize);
        }));
        yield_from!(stream);
    });
    let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let executor = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&executor);
    let mut items = Vec::new();
    let mut pending = 0;
    loop {
        match futures::Stream::poll_next(Pin::new(&mut g), &mut cx) {
            Poll::Ready(Some(item)) => items.push(item),
            Poll::Ready(None) => break,
            Poll::Pending => {
                pending += 1;
                assert_eq!(g.state(), GenState::Awaiting);
            }
        }
    }
    // One wait in the async delegate, one before each of the stream's two items.
    assert_eq!(pending, 3);
    assert_eq!(counter.0.load(Ordering::SeqCst), 3);
    // The clone the delegate's body kept is the executor's own waker, not a wrapper...
    assert_eq!(items[0], executor.data() as usize);
    // ...and so is the waker the stream was polled with.
    assert_eq!(kept.borrow().as_ref().unwrap().data(), executor.data());
    assert_eq!(items[1..], [1, 0]);
}

#[test]
fn a_stream_of_another_async_generator_through_a_combinator_is_a_stream_delegate() {
    // `map` makes it a plain `Stream`: delegated to as a stream, its return value is not seen.
    let doubled = leaf(3).map(|x| x * 2);
    let mut g = gen_!(async move {
        yield_from!(doubled);
        yield_from!(leaf(2))
    });
    assert_eq!(block_on((&mut g).collect::<Vec<u32>>()), [0, 2, 4, 0, 1]);
    assert_eq!(g.return_value(), Some(&2));
}

#[test]
fn a_generator_partly_driven_by_hand_can_then_be_delegated_to() {
    block_on(async {
        let mut sub = nested(2, 2);
        assert_eq!(sub.next().await, Some(0));
        let mut outer = gen_!(async move {
            let r = yield_from!(sub);
            yield_!(r);
        });
        assert_eq!((&mut outer).collect::<Vec<_>>().await, [1, 1001, 1002, 5]);
    });
}

#[cfg(not(target_family = "wasm"))] // spawns a thread: wasm has none
#[test]
fn async_delegation_keeps_generators_send() {
    fn assert_send<T: Send>(t: T) -> T {
        t
    }
    let mut g = assert_send(nested(3, 2));
    block_on(g.next());
    let total: u32 = std::thread::spawn(move || block_on(g.fold(0, |a, x| async move { a + x })))
        .join()
        .unwrap();
    assert_eq!(total, 1 + 1001 + 1002 + 1003);
}

#[cfg(panic = "unwind")] // catches a panic: wasm has no unwinding
#[test]
fn a_panic_in_an_async_delegate_propagates_and_poisons_the_outer_generator() {
    let mut g = gen_!(async move {
        yield_from!(gen_!(async move {
            yield_!(1);
            yield_now().await;
            panic!("inner failure");
        }));
        yield_!(2);
    });
    assert_eq!(block_on(g.next()), Some(1));
    let err =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| block_on(g.next()))).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"inner failure"));
    assert_eq!(g.state(), GenState::Panicked);
    assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| block_on(g.next()))).is_err());
}

// Borrowed delegates (`yield_from!(&mut sub)`): the rules of "no value lost".

#[generator(yield = u32)]
async fn yields_then_delegates_to_an_iterable() {
    yield_!(1);
    yield_from!(vec![2, 3, 4]);
    yield_!(5);
}

#[test]
fn a_borrowed_async_delegate_keeps_its_own_iterable_delegation_when_the_delegator_is_dropped() {
    block_on(async {
        let mut sub = yields_then_delegates_to_an_iterable();
        let sub_ref = &mut sub;
        let mut outer = gen_!(async move { yield_from!(&mut *sub_ref) });
        assert_eq!(outer.next().await, Some(1));
        assert_eq!(outer.next().await, Some(2));
        drop(outer);
        assert_eq!(sub.state(), GenState::Suspended);
        assert_eq!((&mut sub).collect::<Vec<_>>().await, [3, 4, 5]);
    });
}

#[generator(yield = u32)]
async fn async_leaf() -> &'static str {
    yield_!(2);
    yield_now().await;
    yield_!(3);
    yield_!(4);
    "leaf done"
}

#[generator(yield = u32)]
async fn yields_then_delegates_to_a_generator() -> &'static str {
    yield_!(1);
    let r = yield_from!(async_leaf());
    yield_!(5);
    r
}

#[generator(yield = u32)]
async fn borrows_and_delegates<'a>(
    inner: &'a mut corogen::AsyncGen<
        impl corogen::Body<Yield = u32, Resume = (), Return = &'static str>,
    >,
) -> &'static str {
    yield_!(0);
    let r = yield_from!(inner);
    yield_!(6);
    r
}

#[test]
fn a_borrowed_async_delegate_keeps_its_own_generator_delegation_when_the_delegator_is_dropped() {
    block_on(async {
        let mut sub = yields_then_delegates_to_a_generator();
        let sub_ref = &mut sub;
        let mut outer = gen_!(async move { yield_from!(&mut *sub_ref) });
        assert_eq!(outer.next().await, Some(1));
        assert_eq!(outer.next().await, Some(2));
        drop(outer);
        assert_eq!((&mut sub).collect::<Vec<_>>().await, [3, 4, 5]);
        assert_eq!(sub.return_value(), Some(&"leaf done"));
    });
}

// Two borrowed levels: each drop hands the entries above the borrowed delegate back to it.
#[test]
fn borrowed_async_delegates_at_two_levels_each_go_on_alone_in_turn() {
    block_on(async {
        let mut sub = yields_then_delegates_to_a_generator();
        let mut mid = borrows_and_delegates(&mut sub);
        {
            let mid_ref = &mut mid;
            let mut outer = gen_!(async move { yield_from!(&mut *mid_ref) });
            assert_eq!((&mut outer).take(3).collect::<Vec<_>>().await, [0, 1, 2]);
        }
        assert_eq!(mid.next().await, Some(3));
        drop(mid);
        assert_eq!((&mut sub).collect::<Vec<_>>().await, [4, 5]);
        assert_eq!(sub.return_value(), Some(&"leaf done"));
    });
}

/// Pushes `finally <name>` when dropped.
struct Finally(Rc<RefCell<Vec<String>>>, &'static str);

impl Drop for Finally {
    fn drop(&mut self) {
        self.0.borrow_mut().push(format!("finally {}", self.1));
    }
}

type Log = Rc<RefCell<Vec<String>>>;

#[generator(yield = u32)]
async fn innermost(log: Log) {
    let _finally = Finally(log.clone(), "innermost");
    yield_now().await;
    yield_!(1);
    yield_!(2);
}

#[generator(yield = u32)]
async fn middle(log: Log) {
    let _finally = Finally(log.clone(), "middle");
    yield_from!(innermost(log.clone()));
}

#[generator(yield = u32)]
async fn outermost<'a>(
    log: Log,
    borrowed: &'a mut corogen::AsyncGen<impl corogen::Body<Yield = u32, Resume = (), Return = ()>>,
) {
    let _finally = Finally(log.clone(), "outermost");
    yield_from!(middle(log.clone()));
    yield_from!(borrowed);
}

#[test]
fn closing_closes_delegates_first_innermost_first_borrowed_ones_too() {
    block_on(async {
        let log = Log::default();
        let mut borrowed = middle(log.clone());
        let mut g = outermost(log.clone(), &mut borrowed);
        assert_eq!(g.next().await, Some(1));
        g.close();
        assert_eq!(
            *log.borrow(),
            ["finally innermost", "finally middle", "finally outermost"]
        );
        assert_eq!(g.state(), GenState::Closed);
        assert_eq!(g.next().await, None);
        drop(g);

        // Now with the borrowed one running: `close` closes it as well, innermost first.
        log.borrow_mut().clear();
        let mut g = outermost(log.clone(), &mut borrowed);
        let items: Vec<u32> = (&mut g).take(3).collect().await;
        assert_eq!(items, [1, 2, 1]);
        assert_eq!(
            *log.borrow(),
            ["finally innermost", "finally middle"],
            "the first chain finished"
        );
        g.close();
        assert_eq!(
            *log.borrow(),
            [
                "finally innermost",
                "finally middle",
                "finally innermost",
                "finally middle",
                "finally outermost"
            ]
        );
        drop(g);
        assert_eq!(borrowed.state(), GenState::Closed);
    });
}

#[test]
fn dropping_leaves_a_borrowed_delegate_to_go_on_alone() {
    block_on(async {
        let log = Log::default();
        let mut borrowed = middle(log.clone());
        let mut g = outermost(log.clone(), &mut borrowed);
        let items: Vec<u32> = (&mut g).take(3).collect().await;
        assert_eq!(items, [1, 2, 1]);
        log.borrow_mut().clear();
        drop(g);
        assert_eq!(*log.borrow(), ["finally outermost"]);
        assert_eq!(borrowed.state(), GenState::Suspended);
        assert_eq!(borrowed.next().await, Some(2));
        assert_eq!(borrowed.next().await, None);
        assert_eq!(
            *log.borrow(),
            ["finally outermost", "finally innermost", "finally middle"]
        );
    });
}

//! Async generators that take values (PEP 525's `asend`, `athrow`, `aclose`): `send`/`resume`/
//! `throw` futures, return values, state, the `AsyncGenerator` trait, and what a dropped resume
//! future does with its value (see `AsyncGen`'s cancellation docs).

use corogen::prelude::*;
use corogen::{AsyncGenerator, GenState};
use futures::StreamExt;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A future that is pending `n` times (waking its task each time), then ready.
struct PendingFor(u32);

impl Future for PendingFor {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 == 0 {
            return Poll::Ready(());
        }
        self.0 -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
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

/// Polls `future` once with a no-op waker.
fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(Waker::noop()))
}

type Log = Rc<RefCell<Vec<String>>>;

/// Each value sent is logged as it arrives, then the body waits `wait` polls before yielding
/// the running total.
#[generator(yield = u32, resume = u32 as first)]
async fn totals(log: Log, wait: u32) -> u32 {
    let mut total = first;
    log.borrow_mut().push(format!("first {first}"));
    while total < 100 {
        PendingFor(wait).await;
        let sent = yield_!(total);
        log.borrow_mut().push(format!("got {sent}"));
        total += sent;
    }
    total
}

#[test]
fn send_resume_and_the_return_value() {
    block_on(async {
        let log = Log::default();
        let mut g = totals(log.clone(), 2);
        assert_eq!(g.state(), GenState::Created);
        assert_eq!(g.send(1).await, Ok(1)); // bound by `as first`
        assert_eq!(g.state(), GenState::Suspended);
        assert_eq!(g.resume(10).await, GeneratorState::Yielded(11));
        assert_eq!(g.send(89).await, Err(StopIteration(100)));
        assert_eq!(g.state(), GenState::Completed);
        assert!(g.is_finished());
        assert_eq!(*log.borrow(), ["first 1", "got 10", "got 89"]);
    });
}

#[test]
fn the_first_value_is_dropped_unless_bound() {
    struct Counted(Rc<Cell<u32>>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }
    #[generator(yield = (), resume = Counted)]
    async fn takes() {
        let kept = yield_!(());
        drop(kept);
        yield_!(());
    }
    let drops = Rc::new(Cell::new(0));
    block_on(async {
        let mut g = takes();
        assert_eq!(g.send(Counted(drops.clone())).await, Ok(()));
        assert_eq!(drops.get(), 1, "the first value, which no yield waits for");
        assert_eq!(g.send(Counted(drops.clone())).await, Ok(()));
        assert_eq!(drops.get(), 2, "taken by the yield, dropped by the body");
    });
}

#[test]
fn next_on_a_generator_that_takes_options_sends_none() {
    #[generator(yield = u32, resume = Option<u32>)]
    async fn accumulate() {
        let mut total = 0;
        loop {
            PendingFor(1).await;
            if let Some(add) = yield_!(total) {
                total += add;
            }
        }
    }
    block_on(async {
        let mut g = accumulate();
        assert_eq!(g.next().await, Some(0));
        assert_eq!(g.send(Some(5)).await, Ok(5));
        assert_eq!(g.next().await, Some(5)); // sends None
        let mut g = accumulate().take(2);
        assert_eq!(g.next().await, Some(0));
        assert_eq!(g.next().await, Some(0));
        assert_eq!(g.next().await, None);
    });
}

#[derive(Debug, Clone, PartialEq)]
enum Signal {
    Skip,
    Fatal(&'static str),
}

#[generator(yield = u32, resume = (), throw = Signal)]
async fn counter(log: Log) -> Result<u32, Signal> {
    let _guard = Finally(log.clone(), "counter");
    let mut n = 0;
    loop {
        PendingFor(1).await;
        match yield_!(n) {
            Ok(()) => n += 1,
            Err(Signal::Skip) => {
                log.borrow_mut().push("caught Skip".into());
                n += 10;
            }
            Err(fatal) => return Err(fatal),
        }
    }
}

struct Finally(Log, &'static str);

impl Drop for Finally {
    fn drop(&mut self) {
        self.0.borrow_mut().push(format!("finally {}", self.1));
    }
}

#[test]
fn athrow_caught_uncaught_and_into_a_generator_not_started() {
    block_on(async {
        let log = Log::default();
        let mut g = counter(log.clone());
        assert_eq!(g.send(Ok(())).await, Ok(0));
        assert_eq!(g.throw(Signal::Skip).await, GeneratorState::Yielded(10));
        assert_eq!(g.next().await, Some(11));
        assert_eq!(
            g.throw(Signal::Fatal("disk full")).await,
            GeneratorState::Complete(Err(Signal::Fatal("disk full")))
        );
        assert_eq!(*log.borrow(), ["caught Skip", "finally counter"]);
        assert_eq!(g.state(), GenState::Completed);
        assert_eq!(g.next().await, None);

        let log = Log::default();
        let mut g = counter(log.clone());
        assert_eq!(
            g.throw(Signal::Skip).await,
            GeneratorState::Complete(Err(Signal::Skip))
        );
        assert!(log.borrow().is_empty(), "the body never ran");
        assert_eq!(g.state(), GenState::Completed);
        assert_eq!(Rc::strong_count(&log), 1, "its captures were dropped");
    });
}

#[generator(yield = u32, resume = (), throw = Signal)]
async fn inner_worker(log: Log) -> Result<&'static str, Signal> {
    let _guard = Finally(log.clone(), "inner worker");
    loop {
        PendingFor(1).await;
        if let Err(signal) = yield_!(1) {
            log.borrow_mut().push(format!("inner got {signal:?}"));
            return Err(signal);
        }
    }
}

#[generator(yield = u32, resume = (), throw = Signal)]
fn plain_worker(log: Log) -> Result<&'static str, Signal> {
    let _guard = Finally(log.clone(), "plain worker");
    loop {
        if let Err(signal) = yield_!(2) {
            log.borrow_mut().push(format!("plain got {signal:?}"));
            return Err(signal);
        }
    }
}

#[generator(yield = u32, resume = (), throw = Signal)]
async fn outer_delegator(log: Log) -> Result<&'static str, Signal> {
    let _guard = Finally(log.clone(), "outer");
    let result = yield_from!(gen_!(async move { yield_from!(vec![7]) }).map(|x| x));
    log.borrow_mut().push(format!("stream gave {result:?}"));
    let result = yield_from!(inner_worker(log.clone()));
    log.borrow_mut().push(format!("outer saw {result:?}"));
    let result = yield_from!(plain_worker(log.clone()));
    log.borrow_mut().push(format!("outer saw {result:?}"));
    let result = yield_from!(futures::stream::iter([3, 4, 5]));
    log.borrow_mut().push(format!("stream gave {result:?}"));
    let result = yield_from!(6..10);
    log.borrow_mut().push(format!("range gave {result:?}"));
    result?;
    Ok("end")
}

#[test]
fn athrow_reaches_the_innermost_generator_and_ends_streams_and_iterables() {
    block_on(async {
        let log = Log::default();
        let mut g = outer_delegator(log.clone());
        assert_eq!(g.next().await, Some(7));
        assert_eq!(g.next().await, Some(1));
        assert_eq!(
            g.throw(Signal::Fatal("a")).await,
            GeneratorState::Yielded(2)
        );
        assert_eq!(
            g.throw(Signal::Fatal("b")).await,
            GeneratorState::Yielded(3)
        );
        assert_eq!(g.throw(Signal::Skip).await, GeneratorState::Yielded(6));
        assert_eq!(
            g.throw(Signal::Fatal("c")).await,
            GeneratorState::Complete(Err(Signal::Fatal("c")))
        );
        assert_eq!(
            *log.borrow(),
            [
                "stream gave Ok(())",
                "inner got Fatal(\"a\")",
                "finally inner worker",
                "outer saw Err(Fatal(\"a\"))",
                "plain got Fatal(\"b\")",
                "finally plain worker",
                "outer saw Err(Fatal(\"b\"))",
                "stream gave Err(Skip)",
                "range gave Err(Fatal(\"c\"))",
                "finally outer",
            ]
        );
    });
}

#[test]
fn aclose_drops_the_body_and_state_follows_the_generator() {
    block_on(async {
        let log = Log::default();
        let mut g = counter(log.clone());
        let mut next = g.next();
        assert_eq!(poll_once(&mut next), Poll::Pending);
        drop(next);
        assert_eq!(g.state(), GenState::Awaiting);
        assert_eq!(g.next().await, Some(0));
        assert_eq!(g.state(), GenState::Suspended);
        g.close();
        assert_eq!(*log.borrow(), ["finally counter"]);
        assert_eq!(g.state(), GenState::Closed);
        assert_eq!(g.next().await, None);
        g.close();
        assert_eq!(log.borrow().len(), 1, "closing twice is a no-op");
    });
}

#[cfg(panic = "unwind")] // catches a panic: wasm has no unwinding
#[test]
fn resuming_a_finished_or_closed_generator_panics() {
    let log = Log::default();
    let mut g = totals(log.clone(), 0);
    g.close();
    let resumed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| block_on(g.send(1))));
    assert!(resumed.is_err());
    // The value of the future that panicked was not delivered: it is kept.
    assert_eq!(g.take_undelivered(), Some(1));
}

#[test]
fn the_async_generator_trait_is_object_safe() {
    #[generator(yield = String, resume = u32)]
    async fn show() {
        let mut x = 0;
        loop {
            PendingFor(1).await;
            x = yield_!(x.to_string());
        }
    }
    /// Drives any async generator taking `u32`s through `poll_resume`.
    async fn drive<G: AsyncGenerator<u32> + Unpin + ?Sized>(
        g: &mut G,
        value: u32,
    ) -> GeneratorState<G::Yield, G::Return> {
        let mut value = Some(value);
        std::future::poll_fn(|cx| Pin::new(&mut *g).poll_resume(cx, &mut value)).await
    }
    block_on(async {
        let mut boxed: Box<dyn AsyncGenerator<u32, Yield = String, Return = ()> + Unpin> =
            Box::new(show());
        assert_eq!(
            drive(&mut boxed, 0).await,
            GeneratorState::Yielded("0".into())
        );
        assert_eq!(
            drive(&mut boxed, 7).await,
            GeneratorState::Yielded("7".into())
        );
        let mut pinned: Pin<Box<dyn AsyncGenerator<u32, Yield = String, Return = ()>>> =
            Box::pin(show());
        assert_eq!(
            drive(&mut pinned, 0).await,
            GeneratorState::Yielded("0".into())
        );
        let mut direct = show();
        assert_eq!(
            drive(&mut &mut direct, 0).await,
            GeneratorState::Yielded("0".into())
        );
    });
}

// Cancellation: a resume future dropped before it completed.

#[test]
fn a_future_dropped_before_its_value_was_delivered_hands_it_back() {
    let log = Log::default();
    let mut g = totals(log.clone(), 0);
    // Never polled: the value goes to the generator, which keeps it.
    drop(g.send(5));
    assert_eq!(g.state(), GenState::Created);
    assert_eq!(g.take_undelivered(), Some(5));
    assert_eq!(g.take_undelivered(), None);
    // At hand: `into_value` gives it back.
    let send = g.send(6);
    assert!(!send.is_delivered());
    assert_eq!(send.into_value(), Some(6));
    assert_eq!(g.take_undelivered(), None);
    assert!(log.borrow().is_empty(), "the body never ran");
    assert_eq!(block_on(g.send(1)), Ok(1));
}

#[test]
fn a_future_dropped_mid_step_leaves_the_step_to_the_next_poll() {
    block_on(async {
        let log = Log::default();
        let mut g = totals(log.clone(), 3);
        // Polled once: the body took 1 and waits (3 polls to go) before its first yield.
        let mut send = g.send(1);
        assert_eq!(poll_once(&mut send), Poll::Pending);
        assert!(send.is_delivered());
        drop(send);
        assert_eq!(g.state(), GenState::Awaiting);
        assert_eq!(g.take_undelivered(), None, "it was delivered");
        assert_eq!(*log.borrow(), ["first 1"]);
        // `next()` would send `R::next_arg()`; a `u32` has none, so a stream's consumer
        // cannot take this step's item here: a `send` finishes the step, whose yield nobody
        // waits for any more, and then delivers its own value.
        assert_eq!(g.send(10).await, Ok(11));
        assert_eq!(*log.borrow(), ["first 1", "got 10"]);
    });
}

#[test]
fn the_answer_to_a_request_given_up_on_is_dropped_and_the_next_request_gets_its_own() {
    struct Reply(u32, Rc<RefCell<Vec<u32>>>);
    impl Drop for Reply {
        fn drop(&mut self) {
            self.1.borrow_mut().push(self.0);
        }
    }
    #[generator(yield = Reply, resume = u32)]
    async fn doubles(dropped: Rc<RefCell<Vec<u32>>>) {
        let mut x = yield_!(Reply(0, dropped.clone()));
        loop {
            PendingFor(2).await;
            x = yield_!(Reply(x * 2, dropped.clone()));
        }
    }
    block_on(async {
        let dropped = Rc::new(RefCell::new(Vec::new()));
        let mut g = doubles(dropped.clone());
        drop(g.send(0).await.unwrap());
        dropped.borrow_mut().clear();
        // A request given up on mid-step (a timeout, say).
        let mut send = g.send(21);
        assert!(poll_once(&mut send).is_pending());
        drop(send);
        // The next request: the step of 21 ends with the answer 42, which nobody waits for
        // (dropped), then 5 is delivered and its own answer comes back.
        let reply = g.send(5).await.unwrap();
        assert_eq!(reply.0, 10);
        assert_eq!(*dropped.borrow(), [42]);
        drop(reply);
    });
}

#[test]
fn a_future_dropped_while_the_earlier_step_still_runs_keeps_its_value_undelivered() {
    block_on(async {
        let log = Log::default();
        let mut g = totals(log.clone(), 4);
        let mut first = g.send(1);
        assert_eq!(poll_once(&mut first), Poll::Pending);
        drop(first);
        // The earlier step still waits: this value cannot be delivered yet.
        let mut second = g.send(2);
        assert_eq!(poll_once(&mut second), Poll::Pending);
        assert!(!second.is_delivered());
        drop(second);
        assert_eq!(g.take_undelivered(), Some(2));
        assert_eq!(g.state(), GenState::Awaiting);
        assert_eq!(g.send(3).await, Ok(4));
        assert_eq!(*log.borrow(), ["first 1", "got 3"]);
    });
}

#[test]
fn a_value_the_generator_ended_before_taking_is_kept() {
    #[generator(yield = u32, resume = u32)]
    async fn ends_after_a_wait() -> &'static str {
        PendingFor(2).await;
        "ended"
    }
    block_on(async {
        let mut g = ends_after_a_wait();
        let mut first = g.send(1); // taken at the top (the first value)
        assert_eq!(poll_once(&mut first), Poll::Pending);
        drop(first);
        assert_eq!(g.send(2).await, Err(StopIteration("ended")));
        assert_eq!(
            g.take_undelivered(),
            Some(2),
            "never delivered: the generator ended"
        );
    });
}

#[tokio::test(flavor = "current_thread")]
async fn timeouts_and_select_under_tokio() {
    #[generator(yield = u32, resume = u32)]
    async fn slow_echo(delay_ms: u64) {
        let mut x = 0;
        loop {
            x = yield_!(x);
            tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
        }
    }
    let mut g = slow_echo(30);
    assert_eq!(g.send(0).await, Ok(0));
    // A timeout that fires while the body sleeps: the value was delivered, the step goes on.
    let timed_out = tokio::time::timeout(std::time::Duration::from_millis(1), g.send(7)).await;
    assert!(timed_out.is_err());
    assert_eq!(g.state(), GenState::Awaiting);
    assert_eq!(g.take_undelivered(), None);
    assert_eq!(g.send(8).await, Ok(8), "7's answer was dropped; 8's is 8");

    // `select!` on `&mut future`: the future is at hand afterwards, and may be polled on.
    let mut send = g.send(9);
    tokio::select! {
        biased;
        () = std::future::ready(()) => {}
        _ = &mut send => unreachable!("the ready branch is polled first"),
    }
    assert!(!send.is_delivered(), "never polled");
    assert_eq!(send.into_value(), Some(9));
    let mut send = g.send(10);
    let reply = tokio::select! {
        reply = &mut send => reply,
        () = tokio::time::sleep(std::time::Duration::from_secs(10)) => unreachable!(),
    };
    assert_eq!(reply, Ok(10));
}

#[test]
fn cancellation_under_the_futures_executor() {
    #[generator(yield = u32, resume = u32)]
    async fn waits_for(rx: futures::channel::mpsc::Receiver<()>) {
        let mut rx = rx;
        let mut x = 0;
        loop {
            x = yield_!(x);
            rx.next().await;
        }
    }
    let (mut tx, rx) = futures::channel::mpsc::channel(4);
    let mut g = waits_for(rx);
    futures::executor::block_on(async {
        assert_eq!(g.send(0).await, Ok(0));
        // Polled once with the executor's context, as a `select!` that another branch wins.
        let mut send = g.send(1);
        std::future::poll_fn(|cx| {
            assert!(
                Pin::new(&mut send).poll(cx).is_pending(),
                "the body waits for the channel"
            );
            Poll::Ready(())
        })
        .await;
        drop(send);
        assert_eq!(g.state(), GenState::Awaiting);
        tx.try_send(()).unwrap();
        tx.try_send(()).unwrap();
        assert_eq!(g.send(2).await, Ok(2));
    });
}

#[test]
fn after_a_send_dropped_mid_step_next_gets_that_steps_item() {
    #[generator(yield = u32, resume = Option<u32>)]
    async fn adds() {
        let mut total = 0;
        loop {
            if let Some(add) = yield_!(total) {
                total += add;
            }
            PendingFor(2).await;
        }
    }
    block_on(async {
        let mut g = adds();
        assert_eq!(g.next().await, Some(0));
        let mut send = g.send(Some(4));
        assert!(poll_once(&mut send).is_pending());
        drop(send);
        // A stream's consumer continues the step: its item is not lost.
        assert_eq!(g.next().await, Some(4));
        assert_eq!(g.send(Some(1)).await, Ok(5));
    });
}

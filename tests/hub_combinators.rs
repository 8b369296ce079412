//! The hub's operations inside futures combinators that poll their children with wakers of
//! their own (`FuturesUnordered`, `buffer_unordered`, `select_all`): each child is polled again
//! when its operation is ready, not only the first time. Virtual clock, so no wall time.

use corogen::hub::{self, Event, Hub, Queue};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use std::time::Duration;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn futures_unordered_of_sleeps_completes_in_deadline_order() {
    let hub = Hub::new_virtual();
    let order = hub.block_on(async {
        let mut sleeps: FuturesUnordered<_> = [30, 10, 20]
            .into_iter()
            .map(|n| async move {
                hub::sleep(ms(n)).await;
                (n, hub::now())
            })
            .collect();
        let mut order = Vec::new();
        while let Some(done) = sleeps.next().await {
            order.push(done);
        }
        order
    });
    assert_eq!(order, [(10, ms(10)), (20, ms(20)), (30, ms(30))]);
}

#[test]
fn buffer_unordered_runs_children_concurrently() {
    let hub = Hub::new_virtual();
    let (sum, elapsed) = hub.block_on(async {
        let sum: u64 = futures::stream::iter(1..=10u64)
            .map(|n| async move {
                hub::sleep(ms(100)).await;
                n
            })
            .buffer_unordered(5)
            .fold(0, |acc, n| async move { acc + n })
            .await;
        (sum, hub::now())
    });
    assert_eq!(sum, 55);
    // Two rounds of five concurrent sleeps, not ten sleeps one after another.
    assert_eq!(elapsed, ms(200));
}

#[test]
fn select_all_over_events_queues_and_joins() {
    let hub = Hub::new_virtual();
    let winner = hub.block_on(async {
        let event = Event::new();
        let queue: Queue<u32> = Queue::new();
        let child = hub::spawn(async {
            hub::sleep(ms(50)).await;
            "joined"
        });
        let setter = event.clone();
        let sender = queue.clone();
        hub::spawn(async move {
            hub::sleep(ms(5)).await;
            sender.try_put(7).unwrap();
            hub::sleep(ms(5)).await;
            setter.set();
        });
        let queue_get = async { format!("queue {}", queue.get().await) };
        let event_wait = async {
            event.wait().await;
            "event".to_string()
        };
        let join = async { child.get().await.unwrap().to_string() };
        let (first, _, rest) = futures::future::select_all([
            Box::pin(join) as std::pin::Pin<Box<dyn std::future::Future<Output = String>>>,
            Box::pin(event_wait),
            Box::pin(queue_get),
        ])
        .await;
        let (second, _, rest) = futures::future::select_all(rest).await;
        let (third, _, _) = futures::future::select_all(rest).await;
        [first, second, third]
    });
    assert_eq!(winner, ["queue 7", "event", "joined"]);
}

//! Async generators on the hub: delegation and values sent, with the hub's own operations
//! (sleeps, queues, timeouts) awaited in the generators and their delegates. Virtual clock, so
//! no wall time.

use corogen::GenState;
use corogen::hub::{self, Hub, Queue};
use corogen::prelude::*;
use std::time::Duration;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[generator(yield = u32)]
async fn ticks(n: u32, every: u64) -> Duration {
    for i in 0..n {
        hub::sleep(ms(every)).await;
        yield_!(i);
    }
    hub::now()
}

/// Yields what the queue gets until a `None`.
#[generator(yield = u32)]
async fn from_queue(queue: Queue<Option<u32>>) {
    while let Some(value) = queue.get().await {
        yield_!(value);
    }
}

#[test]
fn delegation_with_hub_operations_in_the_delegates() {
    let hub = Hub::new_virtual();
    let (items, at) = hub.block_on(async {
        let queue: Queue<Option<u32>> = Queue::new();
        let producer = {
            let queue = queue.clone();
            hub::spawn(async move {
                for i in 100..103 {
                    hub::sleep(ms(5)).await;
                    queue.put(Some(i)).await;
                }
                queue.put(None).await;
            })
        };
        let mut g = gen_!(async move {
            let at = yield_from!(ticks(3, 10));
            yield_from!(from_queue(queue));
            at
        });
        let mut items = Vec::new();
        while let Some(item) = g.next().await {
            items.push(item);
        }
        producer.get().await.unwrap();
        (items, g.take_return_value())
    });
    assert_eq!(items, [0, 1, 2, 100, 101, 102]);
    assert_eq!(at, Some(ms(30)));
}

#[test]
fn sends_and_a_timeout_on_the_hub() {
    #[generator(yield = u64, resume = u64)]
    async fn slow_double() {
        let mut x = 0;
        loop {
            x = yield_!(x * 2);
            hub::sleep(ms(x)).await;
        }
    }
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let mut g = slow_double();
        assert_eq!(g.send(0).await, Ok(0));
        assert_eq!(g.send(5).await, Ok(10));
        assert_eq!(hub::now(), ms(5));
        // Times out while the body sleeps 50 ms: the value was delivered, the step goes on.
        assert!(hub::with_timeout(ms(20), g.send(50)).await.is_err());
        assert_eq!(g.state(), GenState::Awaiting);
        assert_eq!(g.take_undelivered(), None);
        // The next send waits out that step (its answer, 100, is dropped), then its own.
        assert_eq!(g.send(1).await, Ok(2));
        assert_eq!(hub::now(), ms(5 + 50 + 1));
    });
}

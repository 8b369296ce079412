//! The seed's `coroutine_work` (section 7.5): two tasks printing 0..10, each sleeping a random
//! time after each line, joined with `joinall`. The random times come from a seeded xorshift
//! generator and the sleeps are on the virtual clock: every run prints the same interleaving,
//! instantly.

use corogen::hub::{self, Hub};
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

/// Marsaglia's xorshift64: tiny, deterministic, good enough for sleeps.
struct XorShift(Cell<u64>);

impl XorShift {
    fn new(seed: u64) -> Self {
        XorShift(Cell::new(seed.max(1)))
    }

    /// A float in [0, 1), like Python's `random.random()`.
    fn random(&self) -> f64 {
        let mut x = self.0.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

async fn coroutine_work(name: &'static str, rng: Rc<XorShift>) {
    for i in 0..10 {
        println!("{name} {i}  (t = {:.3}s)", hub::now().as_secs_f64());
        hub::sleep(Duration::from_secs_f64(rng.random())).await;
    }
}

fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2024);
    let rng = Rc::new(XorShift::new(seed));
    let hub = Hub::new_virtual();
    hub.block_on(async move {
        let tasks = [
            hub::spawn(coroutine_work("work1", rng.clone())),
            hub::spawn(coroutine_work("work2", rng)),
        ];
        hub::joinall(&tasks).await.expect("no task panics");
    });
    println!(
        "done at t = {:.3}s of virtual time (seed {seed})",
        hub.now().as_secs_f64()
    );
}

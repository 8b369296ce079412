//! A small SimPy-style simulation on the virtual clock: a car wash with two machines.
//!
//! Cars arrive at random intervals; each waits for a free machine (a `Semaphore`), is washed,
//! and leaves. Processes are generators yielding requests to the hub, as in SimPy
//! (`yield env.timeout(d)` is `yield_!(op::sleep(d))`, `yield machine.request()` is
//! `yield_!(op::wait(&machines))`). Seeded, so every run prints the same log; hours of simulated
//! time take microseconds.

use corogen::hub::{self, Hub, Op, Reply, Semaphore, op};
use corogen::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

const MACHINES: usize = 2;
const WASH_MINUTES: u64 = 5;
const MEAN_ARRIVAL_MINUTES: f64 = 3.0;
const CARS: u32 = 12;

struct XorShift(Cell<u64>);

impl XorShift {
    fn random(&self) -> f64 {
        let mut x = self.0.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An exponentially distributed time with the given mean, in minutes.
    fn exponential(&self, mean: f64) -> Duration {
        minutes_f(-mean * (1.0 - self.random()).ln())
    }
}

fn minutes_f(m: f64) -> Duration {
    Duration::from_secs_f64(m * 60.0)
}

fn clock() -> String {
    let secs = hub::now().as_secs();
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

#[derive(Default)]
struct Stats {
    waits: RefCell<Vec<Duration>>,
}

#[generator(yield = Op, resume = Reply)]
fn car(id: u32, machines: Semaphore, stats: Rc<Stats>) {
    let arrived = hub::now();
    println!("{} car {id:2} arrives", clock());
    yield_!(op::wait(&machines)); // takes a machine
    let waited = hub::now() - arrived;
    stats.waits.borrow_mut().push(waited);
    println!(
        "{} car {id:2} enters a machine (waited {:.1} min)",
        clock(),
        waited.as_secs_f64() / 60.0
    );
    yield_!(op::sleep(Duration::from_secs(WASH_MINUTES * 60)));
    machines.release();
    println!("{} car {id:2} leaves", clock());
}

#[generator(yield = Op, resume = Reply)]
fn arrivals(rng: Rc<XorShift>, machines: Semaphore, stats: Rc<Stats>) -> u32 {
    for id in 1..=CARS {
        hub::spawn(car(id, machines.clone(), stats.clone()));
        yield_!(op::sleep(rng.exponential(MEAN_ARRIVAL_MINUTES)));
    }
    CARS
}

fn main() {
    let hub = Hub::new_virtual();
    let rng = Rc::new(XorShift(Cell::new(0x5eed_cafe)));
    let machines = Semaphore::new(MACHINES);
    let stats = Rc::new(Stats::default());
    hub.spawn(arrivals(rng, machines.clone(), stats.clone()));
    let wall = std::time::Instant::now();
    hub.run();
    let waits = stats.waits.borrow();
    let mean = waits.iter().sum::<Duration>().as_secs_f64() / waits.len() as f64 / 60.0;
    println!(
        "\n{} cars washed by {MACHINES} machines by {}; mean wait {mean:.2} min; simulated in {:?}",
        waits.len(),
        clock_of(hub.now()),
        wall.elapsed()
    );
}

fn clock_of(t: Duration) -> String {
    let secs = t.as_secs();
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

//! The seed's `work1`/`work2` (section 7.3): two coroutines taking turns. Bounded: three rounds.
//!
//! First as in the seed, a main loop calling `next` on two plain generators; then as two hub
//! tasks that hand over with `op::pass()` (gevent's `sleep(0)`), with the seed's
//! `time.sleep(0.5)` as a hub sleep on the virtual clock, so the run takes no time.

use corogen::hub::{self, Hub, Op, Reply, op};
use corogen::prelude::*;
use std::time::Duration;

#[generator(yield = ())]
fn work(name: &'static str) {
    loop {
        println!("----{name}---");
        yield_!(());
    }
}

#[generator(yield = Op, resume = Reply)]
fn work_task(name: &'static str, rounds: u32) {
    for _ in 0..rounds {
        println!("----{name}--- at {:?}", hub::now());
        yield_!(op::pass());
        yield_!(op::sleep(Duration::from_millis(500)));
    }
}

fn main() {
    println!("plain generators, driven by hand:");
    let mut w1 = work("work1");
    let mut w2 = work("work2");
    for _ in 0..3 {
        w1.next();
        w2.next();
    }

    println!("\nhub tasks:");
    let hub = Hub::new_virtual();
    hub.spawn(work_task("work1", 3));
    hub.spawn(work_task("work2", 3));
    hub.run();
}

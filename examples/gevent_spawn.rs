//! The seed's gevent examples (section 7.5): three tasks running `f(5)`.
//!
//! Without a sleep, each runs to its end before the next starts: sequential. With
//! `gevent.sleep(1)` in the loop they interleave: 0 0 0 1 1 1 … The sleeps are on the virtual
//! clock, so the second run takes no time either.

use corogen::hub::{self, Hub};
use std::time::Duration;

async fn f(n: u32, sleep: bool) {
    for i in 0..n {
        println!("{} {i}", hub::getcurrent());
        if sleep {
            // stands for a slow operation; note: not std::thread::sleep
            hub::sleep(Duration::from_secs(1)).await;
        }
    }
}

fn three_tasks(sleep: bool) {
    let hub = Hub::new_virtual();
    hub.block_on(async move {
        let g1 = hub::spawn(f(5, sleep));
        let g2 = hub::spawn(f(5, sleep));
        let g3 = hub::spawn(f(5, sleep));
        g1.join().await;
        g2.join().await;
        g3.join().await;
    });
    println!("(virtual time passed: {:?})", hub.now());
}

fn main() {
    println!("1. no sleep: the tasks run one after another");
    three_tasks(false);
    println!("\n2. gevent.sleep(1): the tasks take turns");
    three_tasks(true);
}

//! The seed's greenlet example (section 7.4): `test1` prints A and switches to `test2`, which
//! prints B and switches back. Bounded: four rounds each; then `gr1` returns, and control goes
//! back to its parent, the main task.
//!
//! `gr1` is written as an async fn, `gr2` as a generator yielding `op::switch`: symmetric
//! coroutines of either style switch into each other.

use corogen::hub::{self, Hub, Op, Reply, TaskRef, Value, op};
use corogen::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

const ROUNDS: u32 = 4;

async fn test1(gr2: Rc<RefCell<Option<TaskRef>>>) -> &'static str {
    for _ in 0..ROUNDS {
        println!("---A--");
        let target = gr2.borrow().clone().expect("gr2 exists");
        hub::switch(&target, Value::none()).await;
    }
    "test1 done"
}

#[generator(yield = Op, resume = Reply)]
fn test2(gr1: TaskRef) {
    loop {
        println!("---B--");
        yield_!(op::switch(&gr1, Value::none()));
    }
}

fn main() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let slot = Rc::new(RefCell::new(None));
        let gr1 = hub::greenlet(test1(slot.clone()));
        let gr2 = hub::greenlet(test2(gr1.as_ref().clone()));
        *slot.borrow_mut() = Some(gr2.as_ref().clone());
        // Switch to gr1; we are back here when it ends (we are its parent).
        hub::switch(&gr1, Value::none()).await;
        println!("main: {}", gr1.value().unwrap_or("?"));
        gr2.kill();
    });
}

//! The runtime's own pieces; its behaviour is tested from outside, in `tests/hub_runtime*.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::Runtime;
use crate::hub::spawn_blocking;

#[test]
fn the_runtime_joins_its_blocking_pool() {
    let runtime = Runtime::new(2);
    let pool = Arc::clone(&runtime.shared.pool);
    let ran = Arc::new(AtomicUsize::new(0));
    let on_hub_1 = runtime.hub(1).spawn({
        let ran = Arc::clone(&ran);
        move || async move { spawn_blocking(move || ran.fetch_add(1, Ordering::SeqCst)).await }
    });
    runtime.block_on(async {
        spawn_blocking({
            let ran = Arc::clone(&ran);
            move || ran.fetch_add(1, Ordering::SeqCst)
        })
        .await;
        on_hub_1.await.unwrap();
    });
    assert_eq!(ran.load(Ordering::SeqCst), 2);
    assert!(pool.threads() > 0, "the runtime's hubs use its pool");
    drop(runtime);
    assert_eq!(pool.threads(), 0, "joined at shutdown");
}

//! gevent's `test__sleep0.py` (gevent 26.9), a script without test methods, ported as one
//! test: a loop of `sleep(0)` under a silent timeout ends (timers are not starved by tasks
//! that only yield). On the real clock: a virtual one does not move while a task is runnable.
//!
//! Tally: 0 test methods (the script's one check: ported).

use corogen::hub::{self, Hub, Timeout};
use std::time::Duration;

#[test]
fn sleep_zero_loop_ends_at_its_timeout() {
    let hub = Hub::new();
    let ended = hub.block_on(async {
        let timeout = Timeout::new(Duration::from_millis(10));
        timeout
            .run(async {
                loop {
                    hub::sleep(Duration::ZERO).await;
                }
            })
            .await
            .ok()
    });
    assert_eq!(ended, None::<()>);
    assert!(hub.now() >= Duration::from_millis(10));
}

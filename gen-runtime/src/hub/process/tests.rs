//! Child-process tests that need the crate's internals: the `SIGCHLD` fallback, forced (this
//! platform has pidfds). Miri cannot run processes.

use std::time::Duration;

use super::{Command, FORCE_SIGCHLD};
use crate::hub::{Hub, with_timeout};

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run processes")]
fn the_sigchld_fallback_sees_children_exit() {
    FORCE_SIGCHLD.with(|force| force.set(true));
    let hub = Hub::new();
    let (quick, slow) = hub.block_on(async {
        let mut slow = Command::new("sleep").arg("0.05").spawn().unwrap();
        let quick = Command::new("sh")
            .arg("-c")
            .arg("exit 3")
            .status()
            .await
            .unwrap();
        let slow = with_timeout(Duration::from_secs(20), slow.wait())
            .await
            .unwrap();
        (quick, slow.unwrap())
    });
    FORCE_SIGCHLD.with(|force| force.set(false));
    assert_eq!(quick.code(), Some(3));
    assert!(slow.success());
}

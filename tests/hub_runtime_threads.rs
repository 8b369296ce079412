//! No thread is left after a runtime's shutdown: its hubs' and its blocking pool's are joined.
//! It counts the process's threads (`/proc/self/task`, Linux), so it is a binary of its own
//! with one test: no other test's threads come and go meanwhile.

#![cfg(not(target_family = "wasm"))]

use std::time::Duration;

use corogen::hub::{self, Runtime};

/// The threads of this process, as Linux lists them.
#[cfg(target_os = "linux")]
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[cfg(target_os = "linux")]
#[test]
fn no_thread_is_left_after_the_shutdown() {
    let before = threads();
    for hubs in [1, 2, 4] {
        let runtime = Runtime::new(hubs);
        runtime.block_on(async {
            // Live tasks on every hub, and blocking jobs (which start the pool's threads)
            // from every hub.
            let mut jobs = Vec::new();
            for hub in runtime.handle().hubs() {
                drop(hub.spawn(|| hub::sleep(Duration::from_secs(3600))));
                jobs.push(hub.spawn(|| async {
                    hub::spawn_blocking(|| std::thread::sleep(Duration::from_millis(20))).await
                }));
            }
            for job in jobs {
                job.await.unwrap();
            }
        });
        let during = threads();
        assert!(
            during > before + hubs - 1,
            "{hubs} hubs: {during} threads while it runs, {before} before"
        );
        // A blocking job still running at the shutdown: the shutdown waits for it.
        runtime.block_on(async {
            drop(hub::spawn_blocking(|| {
                std::thread::sleep(Duration::from_millis(50))
            }));
        });
        drop(runtime);
        assert_eq!(threads(), before, "{hubs} hubs: every thread joined");
    }
}

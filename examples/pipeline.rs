//! A pipeline, the gevent way: a producer puts jobs into a `JoinableQueue`, a `Pool` of three
//! workers maps over the queue with `imap_unordered` (so never more than three jobs run at
//! once), the results come out as the jobs finish and are marked done (`task_done`), and the
//! queue's `join` says when every job put is; then the queue is shut down, which ends the map.
//!
//! Each job "downloads" a page: it sleeps on the virtual clock for as long as the page is big,
//! so the run takes no real time and gives the same output every time (`tests/pipeline.rs`
//! runs it and checks every line).

use corogen::hub::{self, Hub, JoinableQueue, Pool};
use std::time::Duration;

/// A job: a page and its size, in kB.
type Job = (&'static str, u64);

async fn fetch((page, kb): Job) -> (&'static str, u64, Duration) {
    let started = hub::now();
    hub::sleep(Duration::from_millis(kb)).await; // 1 kB a millisecond
    (page, kb, hub::now() - started)
}

fn main() {
    run(|line| println!("{line}"));
}

/// Runs the pipeline on a virtual-clock hub, handing each line of its report to `report`.
pub fn run(report: impl Fn(String) + Clone + 'static) {
    let hub = Hub::new_virtual();
    let pages = [
        ("index.html", 30),
        ("big.pdf", 250),
        ("logo.png", 80),
        ("about.html", 20),
        ("video.mp4", 400),
        ("style.css", 10),
    ];
    let (log, announce) = (report.clone(), report.clone());
    let total = hub.block_on(async move {
        let jobs: JoinableQueue<Job> = JoinableQueue::new();

        // The producer: one job every 10 ms.
        let producer = jobs.clone();
        hub::spawn(async move {
            for page in pages {
                producer.put(page).await;
                hub::sleep(Duration::from_millis(10)).await;
            }
        });

        // Once every job put is done, no more will come: close the queue.
        let closer = jobs.clone();
        hub::spawn(async move {
            hub::sleep(Duration::from_millis(1)).await; // the first job is in
            closer.join().await;
            announce(format!(
                "{:>6?}  every job done: the queue shuts down",
                hub::now()
            ));
            closer.shutdown(false);
        });

        // The workers: at most three jobs at once, the results in the order they finish.
        let pool = Pool::new(3);
        let mut results = pool.imap_unordered(fetch, jobs.clone());
        let mut total = 0;
        while let Some(result) = results.next().await {
            let (page, kb, took) = result.expect("a fetch does not fail");
            log(format!(
                "{:>6?}  {page:<10} {kb:>3} kB in {took:?}",
                hub::now()
            ));
            total += kb;
            jobs.task_done().expect("one task_done per job got");
        }
        total
    });
    report(format!("{total} kB in {:?} of virtual time", hub.now()));
}

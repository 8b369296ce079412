//! `examples/pipeline.rs` run in-process: `Pool::imap_unordered` over a `JoinableQueue`, on the
//! virtual clock, so every line of its report is exact.

#[path = "../examples/pipeline.rs"]
#[allow(dead_code, reason = "the example's `main` is not called here")]
mod pipeline;

use std::cell::RefCell;
use std::rc::Rc;

#[test]
fn the_pipeline_runs_three_jobs_at_most_and_reports_them_as_they_finish() {
    let lines = Rc::new(RefCell::new(Vec::new()));
    let sink = lines.clone();
    pipeline::run(move |line| sink.borrow_mut().push(line));
    // Jobs come every 10 ms; a fourth waits for a free worker: video.mp4 (put at 40 ms) starts
    // at 50 ms when about.html ends, style.css (put at 50 ms) at 100 ms when logo.png ends.
    let expected = [
        "  30ms  index.html  30 kB in 30ms",
        "  50ms  about.html  20 kB in 20ms",
        " 100ms  logo.png    80 kB in 80ms",
        " 110ms  style.css   10 kB in 10ms",
        " 260ms  big.pdf    250 kB in 250ms",
        " 450ms  video.mp4  400 kB in 400ms",
        " 450ms  every job done: the queue shuts down",
        "790 kB in 450ms of virtual time",
    ];
    assert_eq!(*lines.borrow(), expected);
}

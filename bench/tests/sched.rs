//! Every runtime does the same work in every scheduler workload, on small sizes. One test, so
//! that S5's allocation count sees no other test's allocations.

use corogen_bench::sched::{SCHED_WORKLOADS, alloc::CountingAlloc, s5_corogen_async};

#[global_allocator]
static COUNTING: CountingAlloc = CountingAlloc;

#[test]
fn every_runtime_does_the_same_work() {
    for w in SCHED_WORKLOADS {
        // S4 sleeps on the real clock: a few tasks are enough.
        let n = if w.name == "S4" { 10 } else { 1000 };
        for imp in w.impls {
            let outcome = (imp.run)(n);
            assert_eq!(outcome.check, (w.expected)(n), "{}/{}", w.name, imp.name);
            assert!(outcome.figure.is_finite(), "{}/{}", w.name, imp.name);
        }
    }
    // S5 leaves the task's own state out, and what remains is a header, not a stack.
    let outcome = s5_corogen_async(1000);
    assert!(outcome.own_state > 0, "{outcome:?}");
    assert!(
        outcome.figure > 0.0 && outcome.figure < 1024.0,
        "{outcome:?}"
    );
}

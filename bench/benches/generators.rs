//! Criterion benches: each workload of `corogen_bench`, every implementation, reported per item
//! (`Throughput::Elements`), so criterion's "thrpt" is items/s and time/item = time / items.
//!
//! Run: `cargo bench -j1 -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use corogen_bench::{WORKLOADS, check_all};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn generators(c: &mut Criterion) {
    // Outside the timed loops: all implementations must compute the same thing, at full size.
    for w in WORKLOADS {
        (w.prepare)();
        for imp in w.impls {
            let n = imp.items(w);
            assert_eq!((imp.run)(n), (w.impls[0].run)(n), "{}/{}", w.name, imp.name);
        }
    }
    check_all(100);

    for w in WORKLOADS {
        let mut group = c.benchmark_group(w.name);
        // Each iteration runs millions of items: a few samples are plenty.
        group.sample_size(10);
        for imp in w.impls {
            let n = imp.items(w);
            group.throughput(Throughput::Elements(n as u64));
            group.bench_function(imp.name, |b| b.iter(|| (imp.run)(black_box(n))));
        }
        group.finish();
    }
}

criterion_group!(benches, generators);
criterion_main!(benches);

//! The allocator-free library's generators, run on the host with corogen's features all off.

use corogen_test_no_alloc::*;

#[path = "../../../support/pinned_toolchain.rs"]
mod pinned_toolchain;

#[test]
fn local_generators_yield_and_return() {
    assert_eq!(fib_sum(10), (88, "done"));
}

#[test]
fn local_coroutines_take_sends() {
    let mut out = [0; 4];
    assert_eq!(accumulate_all(&[0, 10, 20, 95], &mut out), Some(125));
    assert_eq!(out[..3], [0, 10, 30]);
}

#[test]
fn gen_local_borrows() {
    assert_eq!(sum_of_squares(&[1, 2, 3]), 14);
}

/// Without `alloc`, a plain `#[generator]` and `gen_!` are each one error naming the feature.
#[test]
fn ui() {
    if !pinned_toolchain::outputs_comparable("UI tests' .stderr files", "TRYBUILD") {
        return;
    }
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}

//! Expansion snapshots: what `#[generator]` and `gen_!` emit for five representative inputs,
//! `tests/expand/<name>.rs` beside its `<name>.expanded.rs`, for a reader to see the lowering.
//!
//! `macrotest` expands each input with `cargo expand`, which the test needs on the `PATH`
//! (`cargo install cargo-expand --locked`; `.ci/run` installs it, about two minutes on CI's
//! machine). It runs on stable: cargo-expand sets `RUSTC_BOOTSTRAP` for rustc's
//! `-Zunpretty=expanded` itself. The snapshots are pinned to CI's toolchain like the UI tests'
//! `.stderr` files. After a deliberate change: `MACROTEST=overwrite cargo test --test expand`,
//! then review the diff.

#[path = "support/pinned_toolchain.rs"]
mod pinned_toolchain;

use pinned_toolchain::in_ci;
use std::process::Command;

#[test]
fn expansions() {
    if !pinned_toolchain::outputs_comparable("expansion snapshots", "MACROTEST") {
        return;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let has_cargo_expand = Command::new(cargo)
        .args(["expand", "--version"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !has_cargo_expand {
        let message = "the expansion snapshots need `cargo expand`: \
                       `cargo install cargo-expand --locked`";
        assert!(!in_ci(), "{message}");
        eprintln!("warning: SKIPPED: {message}");
        return;
    }
    if in_ci() {
        macrotest::expand_without_refresh("tests/expand/*.rs");
    } else {
        // Also writes a missing `.expanded.rs`, for a new input.
        macrotest::expand("tests/expand/*.rs");
    }
}

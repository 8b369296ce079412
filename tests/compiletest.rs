//! The compile-time diagnostics: every misuse of the macros is one error, spanned on the user's
//! tokens, that says what is wrong and what to write instead. Each case is
//! `tests/ui/<area>/<kebab-name>.rs` beside the `.stderr` rustc must print for it.
//!
//! The `.stderr` files are pinned to CI's toolchain (see `support/pinned_toolchain.rs`). After a
//! deliberate change: `TRYBUILD=overwrite cargo test --test compiletest`, then review the diff.

#[path = "support/pinned_toolchain.rs"]
mod pinned_toolchain;

#[test]
fn ui() {
    if !pinned_toolchain::outputs_comparable("UI tests' .stderr files", "TRYBUILD") {
        return;
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*.rs");
}

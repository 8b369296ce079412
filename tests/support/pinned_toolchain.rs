//! The toolchain that the checked-in compiler outputs (`tests/ui/**/*.stderr`,
//! `tests/expand/*.expanded.rs`) were written with. rustc's wording and layout change between
//! releases, so those tests compare only on this one: CI's. Elsewhere they are skipped with a
//! warning; in CI (`CI` set) a different toolchain is an error, and so is a request to overwrite.

use std::process::Command;

/// The rustc minor version the outputs were written with.
const PINNED_RUSTC: &str = "rustc 1.95.";

/// Whether the pinned outputs can be compared here. `overwrite_var` is the harness's variable
/// that rewrites them (`TRYBUILD`, `MACROTEST`), which CI must never set.
pub fn outputs_comparable(what: &str, overwrite_var: &str) -> bool {
    let in_ci = in_ci();
    if in_ci {
        assert!(
            std::env::var_os(overwrite_var).is_none(),
            "{overwrite_var} must not be set in CI: the {what} are checked, never rewritten"
        );
    }
    let version = rustc_version();
    if version.starts_with(PINNED_RUSTC) {
        return true;
    }
    let message = format!(
        "the {what} are pinned to `{PINNED_RUSTC}*`, but this is `{version}`: run them on the \
         pinned toolchain, or move the pin in tests/support/pinned_toolchain.rs and regenerate \
         them with {overwrite_var}=overwrite"
    );
    assert!(!in_ci, "{message}");
    eprintln!("warning: SKIPPED: {message}");
    false
}

/// Whether this is a CI run (`CI=true`, as `.ci/run` is run).
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// The version of the rustc that cargo, and so the harness, compiles with.
fn rustc_version() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .arg("--version")
        .output()
        .expect("`rustc --version` runs");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

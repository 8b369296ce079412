//! Property tests for what comes from the network: bad input never panics, is refused with an
//! error that says what is wrong, and never leaves a file behind.
//!
//! - `regressions`: what the fuzz targets and these tests found, one named test each.
//!
//! `check` holds the invariants, shared with the fuzz targets (`fuzz/`).

mod check;
mod regressions;

//! Property tests for what comes from the network: bad input never panics, is refused with an
//! error that says what is wrong, and never leaves a file behind.
//!
//! - `urls`: `Url::parse` and `Url::join` on any text, grammar-made URLs and their mutations;
//! - `responses`: `ResponseReader` on responses from a grammar (every framing, 1xx heads,
//!   trailers, extensions), their mutations and noise, each cut at random points;
//! - `files`: the download-to-file path over a canned transport;
//! - `regressions`: what the fuzz targets and these tests found, one named test each.
//!
//! `check` holds the invariants, shared with the fuzz targets (`fuzz/`). The case counts keep
//! the run to seconds; `PROPTEST_CASES=N` runs more.

mod check;
mod files;
mod regressions;
mod responses;
mod strategies;
mod urls;

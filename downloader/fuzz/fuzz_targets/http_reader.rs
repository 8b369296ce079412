//! `ResponseReader` on any bytes, cut anywhere: never a panic, the same outcome however the
//! bytes are cut, and the checks of the property tests on the way.
//!
//! The first byte chooses the request (bit 0: `HEAD`), the limits (bit 1: the small ones) and
//! how many cuts (bits 2–5); each cut is the next two bytes (little-endian, taken modulo the
//! response's length). The rest is the response.

#![no_main]

use downloader::http::Limits;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/properties/check.rs"]
mod check;

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let head_request = control & 1 != 0;
    let limits = if control & 2 != 0 {
        check::SMALL_LIMITS
    } else {
        Limits::default()
    };
    let count = usize::from((control >> 2) & 0xF);
    let cut_bytes = rest.len().min(2 * count);
    let (cut_data, response) = rest.split_at(cut_bytes);
    let cuts: Vec<usize> = cut_data
        .chunks_exact(2)
        .map(|pair| usize::from(u16::from_le_bytes([pair[0], pair[1]])) % (response.len() + 1))
        .collect();
    check::read_both_ways(response, &cuts, limits, head_request);
});

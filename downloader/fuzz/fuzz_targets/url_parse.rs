//! `Url::parse` and `Url::join` on any text: never a panic; what is accepted is consistent,
//! what is refused has an error that says what is wrong (the checks are the property tests').
//!
//! The input is `BASE \n REFERENCE` (or a lone URL): the base is parsed, and the reference
//! is joined to it (or to `http://a/b/c/d;p?q` if the base is refused).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/properties/check.rs"]
mod check;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (base, reference) = text.split_once('\n').unwrap_or((text, text));
    let parsed = check::parse_url(base);
    let fallback = check::parse_url("http://a/b/c/d;p?q").expect("the RFC's base");
    let base = parsed.as_ref().unwrap_or(&fallback);
    let _ = check::join_url(base, reference);
});

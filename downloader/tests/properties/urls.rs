//! `Url::parse` and `Url::join` on text from the network (a command line, a `Location`).

use downloader::http::{RedirectError, redirect_target};
use downloader::url::{Scheme, Url, UrlError};
use proptest::prelude::*;

use crate::check;
use crate::strategies::{self, config};

proptest! {
    #![proptest_config(config(4096))]

    /// Any text: parse refuses it with an error that points at the fault, or accepts a URL
    /// whose string form parses back to itself.
    #[test]
    fn parse_never_panics_and_what_it_accepts_is_consistent(input in strategies::any_url_text()) {
        let _ = check::parse_url(&input);
    }

    /// Any reference joined to any accepted URL: the same promises.
    #[test]
    fn join_never_panics_and_what_it_gives_is_consistent(
        base in strategies::any_url_text(),
        reference in strategies::reference_text(),
    ) {
        let base = check::parse_url(&base).unwrap_or_else(|_| Url::parse("http://a/b/c/d;p?q").unwrap());
        let _ = check::join_url(&base, &reference);
    }
}

proptest! {
    #![proptest_config(config(1024))]

    /// A URL built from valid parts parses to those parts.
    #[test]
    fn valid_urls_parse_to_their_parts(url in strategies::valid_url()) {
        let parsed = check::parse_url(&url.text)
            .unwrap_or_else(|e| panic!("{:?} refused: {e}", url.text));
        let scheme = if url.https { Scheme::Https } else { Scheme::Http };
        prop_assert_eq!(parsed.scheme(), scheme);
        prop_assert_eq!(parsed.host(), &url.host);
        prop_assert_eq!(parsed.port(), url.port);
        prop_assert_eq!(parsed.query(), url.query.as_deref());
    }

    /// A port past 65535, or 0, is an invalid port, not a wrapped-around one.
    #[test]
    fn ports_out_of_range_are_refused(url in strategies::valid_url(), port in prop_oneof![Just(0u64), 65536u64..]) {
        let at = url.text.find("://").unwrap() + 3;
        let end = url.text[at..].find(['/', '?']).map_or(url.text.len(), |e| at + e);
        let authority = &url.text[at..end];
        let host = match authority.rfind(':') {
            Some(colon) if !authority.ends_with(']') => &authority[..colon],
            _ => authority,
        };
        let text = format!("{}{host}:{port}{}", &url.text[..at], &url.text[end..]);
        let error = check::parse_url(&text).unwrap_err();
        let port_text = port.to_string();
        prop_assert!(
            error == UrlError::InvalidPort(port_text),
            "{:?}: {:?}", text, error
        );
    }

    /// Credentials in front of a host are refused as credentials, whatever else is there.
    #[test]
    fn userinfo_is_refused(url in strategies::valid_url(), user in "[a-z0-9:]{0,8}") {
        let at = url.text.find("://").unwrap() + 3;
        let text = format!("{}{user}@{}", &url.text[..at], &url.text[at..]);
        prop_assert_eq!(check::parse_url(&text), Err(UrlError::Credentials));
    }

    /// A character no URL may hold, anywhere, is refused where it is.
    #[test]
    fn bad_characters_are_refused_where_they_are(
        url in strategies::valid_url(),
        at in any::<prop::sample::Index>(),
        ch in prop_oneof![
            Just(' '), Just('\r'), Just('\n'), Just('\0'), Just('\t'), Just('"'), Just('<'),
            Just('`'), Just('\u{7f}'), Just('é'), Just('\u{200b}'),
        ],
    ) {
        let at = at.index(url.text.len() + 1);
        let mut text = url.text.clone();
        text.insert(at, ch);
        prop_assert_eq!(check::parse_url(&text), Err(UrlError::InvalidChar { ch, at }));
    }
}

proptest! {
    #![proptest_config(config(1024))]

    /// A redirect's `Location` as raw bytes (not even UTF-8): followed to a consistent URL,
    /// or refused with the location and the reason.
    #[test]
    fn any_location_is_followed_or_refused_clearly(
        base in strategies::valid_url(),
        location in prop_oneof![
            strategies::reference_text().prop_map(String::into_bytes),
            proptest::collection::vec(any::<u8>(), 0..64),
        ],
        status in prop::sample::select(&[200u16, 301, 302, 303, 307, 308][..]),
    ) {
        let base = check::parse_url(&base.text).unwrap();
        match redirect_target(&base, status, Some(&location), 0, 10) {
            Ok(None) => prop_assert_eq!(status, 200),
            Ok(Some(next)) => check::check_url(&next, &String::from_utf8_lossy(&location)),
            Err(RedirectError::BadLocation { location: shown, error }) => {
                check::check_url_error(&error, &shown);
                prop_assert!(error.to_string().len() > 8);
            }
            Err(other) => prop_assert!(false, "{}", other),
        }
    }
}

use super::*;

fn ok(input: &str) -> Url {
    Url::parse(input).unwrap_or_else(|e| panic!("{input:?} refused: {e}"))
}

fn err(input: &str) -> UrlError {
    match Url::parse(input) {
        Ok(url) => panic!("{input:?} accepted as {url}"),
        Err(e) => e,
    }
}

#[test]
fn parts_of_a_plain_url() {
    let url = ok("http://example.com/a/b?x=1&y=2");
    assert_eq!(url.scheme(), Scheme::Http);
    assert_eq!(url.host(), &Host::Name("example.com".into()));
    assert_eq!(url.port(), 80);
    assert_eq!(url.target(), "/a/b?x=1&y=2");
    assert_eq!(url.path(), "/a/b");
    assert_eq!(url.query(), Some("x=1&y=2"));
    assert_eq!(url.authority(), "example.com");
    assert_eq!(url.to_string(), "http://example.com/a/b?x=1&y=2");
}

#[test]
fn default_and_explicit_ports() {
    assert_eq!(ok("https://example.com/").port(), 443);
    assert_eq!(ok("http://example.com:8080/").port(), 8080);
    assert_eq!(
        ok("http://example.com:8080/").authority(),
        "example.com:8080"
    );
    // The default port written out is the same URL.
    assert_eq!(ok("https://example.com:443/"), ok("https://example.com/"));
    assert_eq!(
        ok("https://example.com:443/").to_string(),
        "https://example.com/"
    );
    assert_eq!(ok("http://h:1/").port(), 1);
    assert_eq!(ok("http://h:65535/").port(), 65535);
}

#[test]
fn empty_path_and_query_only() {
    assert_eq!(ok("http://example.com").target(), "/");
    assert_eq!(ok("http://example.com?q=1").target(), "/?q=1");
    assert_eq!(ok("http://example.com/?").query(), Some(""));
    assert_eq!(ok("http://example.com/").query(), None);
}

#[test]
fn scheme_and_host_are_case_insensitive() {
    let url = ok("HtTpS://WWW.Example.COM/Path");
    assert_eq!(url.scheme(), Scheme::Https);
    assert_eq!(url.host(), &Host::Name("www.example.com".into()));
    assert_eq!(url.path(), "/Path", "the path keeps its case");
}

#[test]
fn ip_addresses() {
    assert_eq!(
        ok("http://127.0.0.1:8000/").host(),
        &Host::Ipv4(Ipv4Addr::LOCALHOST)
    );
    let v6 = ok("http://[::1]:8080/x");
    assert_eq!(v6.host(), &Host::Ipv6(Ipv6Addr::LOCALHOST));
    assert_eq!(v6.port(), 8080);
    assert_eq!(v6.authority(), "[::1]:8080");
    assert_eq!(v6.to_string(), "http://[::1]:8080/x");
    assert_eq!(
        ok("http://[::ffff:127.0.0.1]/").host().to_string(),
        "[::ffff:127.0.0.1]"
    );
    assert_eq!(ok("http://[2001:DB8::1]/").authority(), "[2001:db8::1]");
}

#[test]
fn fragment_is_dropped() {
    assert_eq!(ok("http://h/a#frag").target(), "/a");
    assert_eq!(ok("http://h/a?q#frag?x").target(), "/a?q");
    assert_eq!(ok("http://h#frag").target(), "/");
}

#[test]
fn dot_segments_are_removed() {
    assert_eq!(ok("http://h/a/./b/../c").path(), "/a/c");
    assert_eq!(ok("http://h/../../etc/passwd").path(), "/etc/passwd");
    assert_eq!(ok("http://h/a/b/..").path(), "/a/");
    assert_eq!(ok("http://h/a/b/.").path(), "/a/b/");
    assert_eq!(ok("http://h/..").path(), "/");
    assert_eq!(ok("http://h/a//b").path(), "/a//b");
    assert_eq!(
        ok("http://h/a/..?x=/../").target(),
        "/?x=/../",
        "the query is left alone"
    );
}

#[test]
fn percent_encoding_is_kept_as_is() {
    let url = ok("http://h/a%20b/%2e%2E/c%2Fd?q=%41");
    assert_eq!(url.target(), "/a%20b/%2e%2E/c%2Fd?q=%41");
}

#[test]
fn missing_or_unsupported_scheme() {
    assert_eq!(err("example.com/x"), UrlError::MissingScheme);
    assert_eq!(err("//example.com/x"), UrlError::MissingScheme);
    assert_eq!(err("http:/example.com"), UrlError::MissingScheme);
    assert_eq!(err("http:example.com"), UrlError::MissingScheme);
    assert_eq!(err("ftp://h/"), UrlError::UnsupportedScheme("ftp".into()));
    assert_eq!(
        err("javascript:alert(1)"),
        UrlError::UnsupportedScheme("javascript".into())
    );
    assert_eq!(
        err("file:///etc/passwd"),
        UrlError::UnsupportedScheme("file".into())
    );
    assert_eq!(err("1http://h/"), UrlError::MissingScheme);
}

#[test]
fn bad_characters() {
    assert_eq!(err(""), UrlError::Empty);
    assert_eq!(
        err("http://h/a b"),
        UrlError::InvalidChar { ch: ' ', at: 10 }
    );
    assert_eq!(err(" http://h/"), UrlError::InvalidChar { ch: ' ', at: 0 });
    assert_eq!(
        err("http://h/\r\nX-Evil: 1"),
        UrlError::InvalidChar { ch: '\r', at: 9 }
    );
    assert_eq!(
        err("http://h/\0"),
        UrlError::InvalidChar { ch: '\0', at: 9 }
    );
    assert_eq!(
        err("http://h/\t"),
        UrlError::InvalidChar { ch: '\t', at: 9 }
    );
    assert_eq!(
        err("http://h\u{7f}/"),
        UrlError::InvalidChar {
            ch: '\u{7f}',
            at: 8
        }
    );
    assert_eq!(
        err("http://héllo/"),
        UrlError::InvalidChar { ch: 'é', at: 8 }
    );
    assert_eq!(err("http://h/ü"), UrlError::InvalidChar { ch: 'ü', at: 9 });
    for ch in ['<', '>', '"', '{', '}', '|', '\\', '^', '`'] {
        assert_eq!(
            err(&format!("http://h/{ch}")),
            UrlError::InvalidChar { ch, at: 9 }
        );
    }
}

#[test]
fn bad_percent_escapes() {
    assert_eq!(err("http://h/%"), UrlError::InvalidPercent { at: 9 });
    assert_eq!(err("http://h/%4"), UrlError::InvalidPercent { at: 9 });
    assert_eq!(err("http://h/%zz"), UrlError::InvalidPercent { at: 9 });
    assert_eq!(err("http://h/?q=%g1"), UrlError::InvalidPercent { at: 12 });
    assert!(matches!(err("http://h%41/"), UrlError::InvalidHost { .. }));
}

#[test]
fn credentials_are_refused() {
    assert_eq!(err("http://user@h/"), UrlError::Credentials);
    assert_eq!(err("http://user:pw@h/"), UrlError::Credentials);
    assert_eq!(err("http://@h/"), UrlError::Credentials);
    // An '@' in the path is only a path character.
    assert_eq!(ok("http://h/a@b").path(), "/a@b");
}

#[test]
fn bad_hosts() {
    assert_eq!(err("http:///path"), UrlError::EmptyHost);
    assert_eq!(err("http://:80/"), UrlError::EmptyHost);
    assert_eq!(err("http://?q"), UrlError::EmptyHost);
    for host in [
        "a..b",
        ".a",
        "a.",
        "-a.com",
        "a-.com",
        "a.b$c",
        "a!b",
        "[::1",
        "[::1]x",
        "[::1]]",
        "[]",
        "[1.2.3.4]",
        "[fe80::1%25eth0]",
        "::1",
        "[::1]:",
        "1.2.3",
        "256.0.0.1",
        "01.2.3.4",
        "1.2.3.4.5",
        "0x7f.0.0.1",
        "example.123",
        "a~b",
    ] {
        let url = format!("http://{host}/");
        assert!(
            matches!(
                Url::parse(&url),
                Err(UrlError::InvalidHost { .. } | UrlError::InvalidPort(_))
            ),
            "{url}: {:?}",
            Url::parse(&url)
        );
    }
    let long_label = "a".repeat(64);
    assert!(matches!(
        err(&format!("http://{long_label}.com/")),
        UrlError::InvalidHost { .. }
    ));
    let long_name = ["abcdefghi"; 26].join(".");
    assert!(matches!(
        err(&format!("http://{long_name}/")),
        UrlError::InvalidHost { .. }
    ));
    assert_eq!(
        ok("http://under_score.example/").host(),
        &Host::Name("under_score.example".into())
    );
    assert_eq!(ok("http://x-1.y2/").host(), &Host::Name("x-1.y2".into()));
}

#[test]
fn bad_ports() {
    for port in [
        "", "0", "65536", "99999", "-1", "+80", "8o", "123456", "0x50", " 80", "80 ",
    ] {
        let url = format!("http://h:{port}/");
        assert!(
            matches!(
                Url::parse(&url),
                Err(UrlError::InvalidPort(_) | UrlError::InvalidChar { .. })
            ),
            "{url}: {:?}",
            Url::parse(&url)
        );
    }
    assert_eq!(err("http://h:80:80/"), err("http://h:80:80/"));
    assert!(matches!(
        err("http://h:80:80/"),
        UrlError::InvalidHost { .. }
    ));
    assert_eq!(
        ok("http://h:00080/").port(),
        80,
        "leading zeros are a number still"
    );
}

#[test]
fn too_long() {
    let url = format!("http://h/{}", "a".repeat(MAX_URL_LEN));
    assert_eq!(err(&url), UrlError::TooLong(url.len()));
    let fits = format!("http://h/{}", "a".repeat(MAX_URL_LEN - 9));
    assert_eq!(ok(&fits).path().len(), MAX_URL_LEN - 8);
}

#[test]
fn hostile_inputs_never_panic() {
    // Every prefix of some nasty URLs, and every single-byte change of one: parse may refuse,
    // never panic, and what it accepts prints back to a URL that parses to itself.
    let samples = [
        "https://[2001:db8::1]:8443/a/../b?x=%41#f",
        "http://user:pw@h:99/",
        "http://a.b.c:65535/%zz/./..//?&=#",
    ];
    for sample in samples {
        for end in 0..=sample.len() {
            round_trip(&sample[..end]);
        }
        for i in 0..sample.len() {
            for byte in [
                b'/', b':', b'[', b']', b'%', b'@', b'?', b'#', b'.', b'0', b'x', b' ',
            ] {
                let mut bytes = sample.as_bytes().to_vec();
                bytes[i] = byte;
                round_trip(std::str::from_utf8(&bytes).unwrap());
            }
        }
    }
}

fn round_trip(input: &str) {
    if let Ok(url) = Url::parse(input) {
        let again = Url::parse(&url.to_string()).unwrap();
        assert_eq!(again, url, "{input:?}");
    }
}

#[test]
fn error_messages_say_what_is_wrong() {
    assert_eq!(
        err("www.example.com").to_string(),
        "no scheme: the URL must start with http:// or https://"
    );
    assert_eq!(
        err("http://h:0/").to_string(),
        "invalid port \"0\": must be a number from 1 to 65535"
    );
    assert_eq!(
        err("http://h/a b").to_string(),
        "character ' ' at byte 10 is not allowed in a URL (percent-encode it)"
    );
    assert_eq!(
        err("http://::1/").to_string(),
        "invalid host \"::1\": an IPv6 address must be written in brackets"
    );
}

#[test]
fn join_absolute_and_scheme_relative() {
    let base = ok("https://a.example:8443/dir/file?q=1");
    assert_eq!(
        base.join("http://b.example/x").unwrap().to_string(),
        "http://b.example/x"
    );
    assert_eq!(
        base.join("//c.example/y").unwrap().to_string(),
        "https://c.example/y"
    );
    assert_eq!(base.join("HTTP://B/").unwrap().to_string(), "http://b/");
    assert_eq!(
        base.join("ftp://b/"),
        Err(UrlError::UnsupportedScheme("ftp".into()))
    );
}

#[test]
fn join_relative_references() {
    // RFC 3986 §5.4.1's examples that apply to http URLs without fragments.
    let base = ok("http://a/b/c/d;p?q");
    let cases = [
        ("g", "http://a/b/c/g"),
        ("./g", "http://a/b/c/g"),
        ("g/", "http://a/b/c/g/"),
        ("/g", "http://a/g"),
        ("?y", "http://a/b/c/d;p?y"),
        ("g?y", "http://a/b/c/g?y"),
        ("#s", "http://a/b/c/d;p?q"),
        ("g#s", "http://a/b/c/g"),
        (";x", "http://a/b/c/;x"),
        ("g;x", "http://a/b/c/g;x"),
        (".", "http://a/b/c/"),
        ("./", "http://a/b/c/"),
        ("..", "http://a/b/"),
        ("../", "http://a/b/"),
        ("../g", "http://a/b/g"),
        ("../..", "http://a/"),
        ("../../g", "http://a/g"),
        ("../../../g", "http://a/g"),
        ("/./g", "http://a/g"),
        ("/../g", "http://a/g"),
        ("g.", "http://a/b/c/g."),
        ("..g", "http://a/b/c/..g"),
        ("./../g", "http://a/b/g"),
        ("g/./h", "http://a/b/c/g/h"),
        ("g/../h", "http://a/b/c/h"),
    ];
    for (reference, expected) in cases {
        assert_eq!(
            base.join(reference).unwrap().to_string(),
            expected,
            "{reference:?}"
        );
    }
}

#[test]
fn join_keeps_host_and_port() {
    let base = ok("http://127.0.0.1:8080/a/b");
    assert_eq!(
        base.join("/c").unwrap().to_string(),
        "http://127.0.0.1:8080/c"
    );
    assert_eq!(
        ok("http://[::1]:81/").join("x").unwrap().to_string(),
        "http://[::1]:81/x"
    );
}

#[test]
fn join_refuses_bad_references() {
    let base = ok("http://a/b");
    assert_eq!(base.join(""), Err(UrlError::Empty));
    assert!(matches!(
        base.join("/a b"),
        Err(UrlError::InvalidChar { ch: ' ', .. })
    ));
    assert!(matches!(
        base.join("/%x"),
        Err(UrlError::InvalidPercent { .. })
    ));
    assert_eq!(base.join("//"), Err(UrlError::EmptyHost));
    assert_eq!(
        base.join("mailto:x@y"),
        Err(UrlError::UnsupportedScheme("mailto".into()))
    );
}

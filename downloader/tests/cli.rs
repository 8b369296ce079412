//! The whole program (`run::main_with`) against the local test server: output lines, files
//! byte for byte, per-URL errors, exit codes, no partial file left.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use downloader::report::{Capture, Reporter};
use downloader::run::main_with;
use downloader::server::Site;
use support::{StdConnector, TempDir, TestServer, content, refused_port};

struct Outcome {
    code: u8,
    stdout: String,
    stderr: String,
}

fn site() -> Site {
    let mut site = Site::new();
    for (i, size) in [1024, 10 * 1024, 64 * 1024, 256 * 1024]
        .into_iter()
        .enumerate()
    {
        site = site.with_file(&format!("/f{i}.bin"), content(size, i as u64));
    }
    // The same bytes under other names, for URLs that must not share a file name.
    for name in ["a", "b", "c", "d", "e"] {
        site = site.with_file(&format!("/{name}.bin"), content(256 * 1024, 3));
    }
    site = site.with_file("/", "<html>home</html>\n");
    site.stall = Duration::from_secs(3);
    site
}

fn run(args: &[String]) -> Outcome {
    let (out, err) = (Capture::new(), Capture::new());
    let (mut help_out, mut usage_err) = (Capture::new(), Capture::new());
    let code = {
        let (out, err) = (out.clone(), err.clone());
        main_with(
            args.iter().cloned(),
            // Half a second, not `-t`'s whole seconds: the stalls end sooner.
            |_| StdConnector::new(Duration::from_millis(500)),
            &mut help_out,
            &mut usage_err,
            move |urls| Reporter::new(Box::new(out), Box::new(err), urls, false),
        )
    };
    Outcome {
        code,
        stdout: out.contents() + &help_out.contents(),
        stderr: err.contents() + &usage_err.contents(),
    }
}

fn args(dir: &TempDir, extra: &[&str], urls: &[String]) -> Vec<String> {
    let mut args = vec!["-o".to_owned(), dir.path().display().to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(urls.iter().cloned());
    args
}

fn lines(text: &str) -> BTreeSet<String> {
    text.lines().map(str::to_owned).collect()
}

#[test]
fn downloads_every_url_with_the_seeds_lines() {
    let server = TestServer::start(site());
    let dir = TempDir::new("cli-ok");
    let urls: Vec<String> = (0..4).map(|i| server.url(&format!("/f{i}.bin"))).collect();
    for concurrency in ["1", "3", "100"] {
        let outcome = run(&args(&dir, &["-c", concurrency, "--force"], &urls));
        assert_eq!(outcome.code, 0, "{}", outcome.stderr);
        let mut expected = BTreeSet::new();
        for (i, url) in urls.iter().enumerate() {
            let size = [1024, 10 * 1024, 64 * 1024, 256 * 1024][i];
            expected.insert(format!("GET: {url}"));
            expected.insert(format!("{size} bytes received from {url}."));
            assert_eq!(
                std::fs::read(dir.path().join(format!("f{i}.bin"))).unwrap(),
                content(size, i as u64)
            );
        }
        assert_eq!(lines(&outcome.stdout), expected);
        // Each URL's GET comes before its result.
        for url in &urls {
            let get = outcome.stdout.find(&format!("GET: {url}\n")).unwrap();
            let done = outcome
                .stdout
                .find(&format!("received from {url}."))
                .unwrap();
            assert!(get < done);
        }
        let summary = outcome.stderr.lines().last().unwrap();
        assert!(
            summary.starts_with("4 files, ") && summary.ends_with(", 0 failed"),
            "{summary}"
        );
        assert_eq!(dir.names(), ["f0.bin", "f1.bin", "f2.bin", "f3.bin"]);
    }
    assert_eq!(
        server.connections(),
        3,
        "in each run one keep-alive connection served all"
    );
}

#[test]
fn every_failure_is_one_line_and_the_rest_go_on() {
    let server = TestServer::start(site());
    let dir = TempDir::new("cli-faults");
    let refused = format!("http://127.0.0.1:{}/r.bin", refused_port());
    let failing = [
        (server.url("/missing.bin"), "server answered 404 Not Found"),
        (
            server.url("/status/500"),
            "server answered 500 Internal Server Error",
        ),
        (
            server.url("/f3.bin?fault=cut"),
            "connection closed after 131072 of 262144 bytes",
        ),
        (
            server.url("/a.bin?fault=cut-chunked"),
            "before the end of the chunked body",
        ),
        (
            server.url("/b.bin?fault=long-length"),
            "body shorter than its Content-Length",
        ),
        (server.url("/c.bin?fault=malformed"), "malformed response"),
        (
            server.url("/d.bin?fault=stall"),
            "timed out waiting for the server",
        ),
        (server.url("/e.bin?fault=garbage"), "malformed response"),
        (server.url("/loop"), "more than 10 redirects"),
        (
            "htp:/nonsense".to_owned(),
            "malformed URL: unsupported scheme",
        ),
        (
            "http://bad host/".to_owned(),
            "malformed URL: character ' '",
        ),
        (refused.clone(), "cannot connect to 127.0.0.1:"),
        (
            "http://unknown.invalid/u.bin".to_owned(),
            "unknown host unknown.invalid",
        ),
    ];
    let good = [server.url("/f0.bin"), server.url("/redirect/2/f2.bin")];
    let mut urls: Vec<String> = failing.iter().map(|(url, _)| url.clone()).collect();
    urls.insert(3, good[0].clone());
    urls.push(good[1].clone());
    let outcome = run(&args(&dir, &["-c", "4"], &urls));
    assert_eq!(outcome.code, 1);
    for (url, message) in &failing {
        let line = outcome
            .stderr
            .lines()
            .find(|line| line.starts_with(&format!("error: {url}: ")))
            .unwrap_or_else(|| panic!("no error line for {url} in\n{}", outcome.stderr));
        assert!(line.contains(message), "{line:?} lacks {message:?}");
    }
    assert_eq!(
        outcome
            .stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .count(),
        failing.len()
    );
    assert!(
        outcome
            .stdout
            .contains(&format!("1024 bytes received from {}.", good[0]))
    );
    assert!(
        outcome
            .stdout
            .contains(&format!("65536 bytes received from {}.", good[1]))
    );
    assert!(
        outcome
            .stderr
            .lines()
            .last()
            .unwrap()
            .ends_with(", 13 failed")
    );
    // Only the good files, whole; no partial file anywhere.
    assert_eq!(dir.names(), ["f0.bin", "f2.bin"]);
    assert_eq!(
        std::fs::read(dir.path().join("f2.bin")).unwrap(),
        content(64 * 1024, 2)
    );
}

#[test]
fn existing_files_are_kept_unless_forced() {
    let server = TestServer::start(site());
    let dir = TempDir::new("cli-force");
    std::fs::write(dir.path().join("f0.bin"), b"mine").unwrap();
    let url = server.url("/f0.bin");
    let outcome = run(&args(&dir, &[], std::slice::from_ref(&url)));
    assert_eq!(outcome.code, 1);
    assert!(
        outcome
            .stderr
            .contains("f0.bin exists (use --force to overwrite it)"),
        "{}",
        outcome.stderr
    );
    assert_eq!(outcome.stdout, "", "no request was made");
    assert_eq!(server.requests(), 0);
    assert_eq!(std::fs::read(dir.path().join("f0.bin")).unwrap(), b"mine");
    let outcome = run(&args(&dir, &["--force"], &[url]));
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(
        std::fs::read(dir.path().join("f0.bin")).unwrap(),
        content(1024, 0)
    );
    assert_eq!(dir.names(), ["f0.bin"]);
}

#[test]
fn a_failed_download_keeps_the_old_file_even_when_forced() {
    let server = TestServer::start(site());
    let dir = TempDir::new("cli-force-fail");
    std::fs::write(dir.path().join("f3.bin"), b"mine").unwrap();
    let outcome = run(&args(
        &dir,
        &["--force"],
        &[server.url("/f3.bin?fault=cut")],
    ));
    assert_eq!(outcome.code, 1);
    assert_eq!(std::fs::read(dir.path().join("f3.bin")).unwrap(), b"mine");
    assert_eq!(dir.names(), ["f3.bin"]);
}

#[test]
fn names_come_from_the_urls() {
    let server = TestServer::start(site());
    let dir = TempDir::new("cli-names");
    let urls = [
        server.url("/"),
        server.url("/f1.bin?x=1"),
        server.url("/redirect/1/f1.bin"),
    ];
    let outcome = run(&args(&dir, &[], &urls));
    assert_eq!(outcome.code, 1);
    assert_eq!(dir.names(), ["f1.bin", "index.html"]);
    assert_eq!(
        std::fs::read(dir.path().join("index.html")).unwrap(),
        b"<html>home</html>\n"
    );
    assert!(
        outcome
            .stderr
            .contains(&format!("would be saved as \"f1.bin\", like {}", urls[1]))
    );
}

#[test]
fn usage_errors_exit_with_2() {
    for bad in [
        &[][..],
        &["-c", "0", "http://h/"],
        &["--what", "http://h/"],
        &["-o"],
    ] {
        let outcome = run(&bad.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(outcome.code, 2, "{bad:?}");
        assert!(
            outcome.stderr.starts_with("downloader: "),
            "{}",
            outcome.stderr
        );
        assert!(
            outcome.stderr.contains("usage: downloader"),
            "{}",
            outcome.stderr
        );
        assert_eq!(outcome.stdout, "");
    }
}

#[test]
fn the_connector_gets_the_timeout() {
    let dir = TempDir::new("cli-timeout");
    let mut seen = None;
    let args = [
        "-t".to_owned(),
        "7".to_owned(),
        "-o".to_owned(),
        dir.path().display().to_string(),
        format!("http://127.0.0.1:{}/", refused_port()),
    ];
    let code = main_with(
        args,
        |options| {
            seen = Some(options.timeout);
            StdConnector::new(options.timeout)
        },
        &mut std::io::sink(),
        &mut std::io::sink(),
        |urls| {
            Reporter::new(
                Box::new(std::io::sink()),
                Box::new(std::io::sink()),
                urls,
                false,
            )
        },
    );
    assert_eq!(code, 1);
    assert_eq!(seen, Some(Duration::from_secs(7)));
    assert!(dir.names().is_empty());
}

#[test]
fn help_exits_with_0() {
    let outcome = run(&["--help".to_owned()]);
    assert_eq!(outcome.code, 0);
    assert!(outcome.stdout.starts_with("usage: downloader"));
}

#[test]
fn the_output_directory_is_made() {
    let server = TestServer::start(site());
    let dir = TempDir::new("cli-mkdir");
    let nested = dir.path().join("a/b");
    let outcome = run(&[
        "-o".into(),
        nested.display().to_string(),
        server.url("/f0.bin"),
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(nested.join("f0.bin").is_file());
}

#[test]
fn two_hubs_give_the_same_lines_files_and_exit_codes() {
    let server = TestServer::start(site());
    let mut urls: Vec<String> = (0..4).map(|i| server.url(&format!("/f{i}.bin"))).collect();
    urls.push(server.url("/missing.bin"));
    urls.push("htp:/nonsense".to_owned());
    // Saved under f0.bin too: a duplicate name.
    urls.push(server.url("/redirect/1/f0.bin"));
    let errors = |stderr: &str| -> BTreeSet<String> {
        stderr
            .lines()
            .filter(|line| line.starts_with("error: "))
            .map(str::to_owned)
            .collect()
    };
    let (one_dir, two_dir) = (TempDir::new("cli-hubs-1"), TempDir::new("cli-hubs-2"));
    let one = run(&args(&one_dir, &["-c", "4"], &urls));
    let two = run(&args(&two_dir, &["-c", "4", "--hubs", "2"], &urls));
    assert_eq!(
        (one.code, two.code),
        (1, 1),
        "{}\n{}",
        one.stderr,
        two.stderr
    );
    assert_eq!(lines(&two.stdout), lines(&one.stdout));
    // Four GETs and their results, and the GET of the missing file.
    assert_eq!(lines(&two.stdout).len(), 9, "{}", two.stdout);
    assert_eq!(errors(&two.stderr), errors(&one.stderr));
    assert_eq!(errors(&two.stderr).len(), 3, "{}", two.stderr);
    for outcome in [&one, &two] {
        let summary = outcome.stderr.lines().last().unwrap();
        assert!(summary.starts_with("4 files, "), "{summary}");
        assert!(summary.ends_with(", 3 failed"), "{summary}");
    }
    assert_eq!(two_dir.names(), one_dir.names());
    for name in two_dir.names() {
        assert_eq!(
            std::fs::read(two_dir.path().join(&name)).unwrap(),
            std::fs::read(one_dir.path().join(&name)).unwrap()
        );
    }
    // All good: 0, on more hubs than URLs too.
    let dir = TempDir::new("cli-hubs-ok");
    let good = run(&args(&dir, &["--hubs", "8"], &urls[..4]));
    assert_eq!(good.code, 0, "{}", good.stderr);
    assert_eq!(dir.names(), ["f0.bin", "f1.bin", "f2.bin", "f3.bin"]);
}

//! The downloader on the hub's cooperative sockets: downloads overlap on one thread, so a
//! stalled server fails its URL with a timeout while the others finish, and no URL waits for
//! another.

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use downloader::hub_net::HubConnector;
use downloader::report::{Capture, Reporter};
use downloader::run::main_with;
use downloader::server::Site;
use support::{TempDir, TestServer, content};

fn run(args: Vec<String>, timeout: Duration) -> (u8, String, String) {
    let (out, err) = (Capture::new(), Capture::new());
    let code = {
        let (out, err) = (out.clone(), err.clone());
        main_with(
            args,
            move |_| HubConnector::new(timeout),
            &mut Capture::new(),
            &mut Capture::new(),
            move |urls| Reporter::new(Box::new(out), Box::new(err), urls, false),
        )
    };
    (code, out.contents(), err.contents())
}

#[test]
fn a_stalled_url_holds_up_no_other() {
    let mut site = Site::new();
    for i in 0..6 {
        site = site.with_file(&format!("/f{i}.bin"), content(64 * 1024, i));
    }
    site = site.with_file("/slow.bin", content(64 * 1024, 9));
    site.stall = Duration::from_secs(5);
    let server = TestServer::start(site);
    let dir = TempDir::new("hub-stall");
    let mut args = vec![
        "-c".to_owned(),
        "10".to_owned(),
        "-o".to_owned(),
        dir.path().display().to_string(),
    ];
    args.push(server.url("/slow.bin?fault=stall-head"));
    args.extend((0..6).map(|i| server.url(&format!("/f{i}.bin"))));

    let started = Instant::now();
    let (code, stdout, stderr) = run(args, Duration::from_millis(400));
    let took = started.elapsed();

    assert_eq!(code, 1, "one URL failed: {stderr}");
    assert!(stderr.contains("slow.bin"), "{stderr}");
    // Every good file arrived, byte for byte, and the stalled one left nothing behind.
    let names: BTreeSet<String> = dir.names().into_iter().collect();
    let expected: BTreeSet<String> = (0..6).map(|i| format!("f{i}.bin")).collect();
    assert_eq!(names, expected);
    for i in 0..6 {
        let bytes = std::fs::read(dir.path().join(format!("f{i}.bin"))).unwrap();
        assert_eq!(bytes, content(64 * 1024, i));
    }
    // The stalled URL went first and failed last: the others completed while it waited.
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("GET: ") && lines[0].contains("slow.bin"),
        "{stdout}"
    );
    let received = lines
        .iter()
        .filter(|line| line.contains("bytes received from"))
        .count();
    assert_eq!(received, 6, "{stdout}");
    // One timeout's worth of waiting in all, not one per URL.
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn every_get_starts_before_the_first_completes() {
    let mut site = Site::new();
    for i in 0..4 {
        site = site.with_file(&format!("/f{i}.bin"), content(256 * 1024, i));
    }
    let server = TestServer::start(site);
    let dir = TempDir::new("hub-overlap");
    let mut args = vec!["-o".to_owned(), dir.path().display().to_string()];
    args.extend((0..4).map(|i| server.url(&format!("/f{i}.bin"))));
    let (code, stdout, stderr) = run(args, Duration::from_secs(5));
    assert_eq!(code, 0, "{stderr}");
    // The seed's output: all the `GET:` lines first, then the completions in any order.
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 8, "{stdout}");
    assert!(
        lines[..4].iter().all(|line| line.starts_with("GET: ")),
        "{stdout}"
    );
    assert!(
        lines[4..]
            .iter()
            .all(|line| line.contains("bytes received from")),
        "{stdout}"
    );
}

#[test]
fn two_hubs_on_the_hubs_sockets() {
    let mut site = Site::new();
    for i in 0..6 {
        site = site.with_file(&format!("/f{i}.bin"), content(64 * 1024, i));
    }
    let server = TestServer::start(site);
    let dir = TempDir::new("hub-two-hubs");
    let mut args = vec![
        "--hubs".to_owned(),
        "2".to_owned(),
        "-o".to_owned(),
        dir.path().display().to_string(),
    ];
    args.extend((0..6).map(|i| server.url(&format!("/f{i}.bin"))));
    args.push(server.url("/missing.bin"));
    let (code, stdout, stderr) = run(args, Duration::from_secs(5));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout.lines().count(), 13, "{stdout}");
    let summary = stderr.lines().last().unwrap();
    assert!(
        summary.starts_with("6 files, ") && summary.ends_with(", 1 failed"),
        "{summary}"
    );
    for i in 0..6 {
        let bytes = std::fs::read(dir.path().join(format!("f{i}.bin"))).unwrap();
        assert_eq!(bytes, content(64 * 1024, i));
    }
}

//! The seed's two downloader examples (section 7.7), on the hub, against local copies of the
//! seed's sites: `gevent.joinall([gevent.spawn(my_download, url), ...])`.
//!
//! With the blocking stand-in the three tasks run one after another, so each `GET:` line is
//! followed by its result; with the hub's cooperative sockets the three `GET:` lines come first,
//! as in the seed's output. The tests check what holds for both: the lines, and each URL's
//! `GET:` before its result.

mod support;

use std::rc::Rc;
use std::time::Duration;

use corogen::hub::{self, Hub};
use downloader::client::{Client, ClientOptions};
use downloader::download::{download_to_file, fetch};
use downloader::report::{Capture, Reporter};
use downloader::server::Site;
use support::{StdConnector, TempDir, TestServer, content};

/// The seed's three sites and the sizes its output shows.
const SITES: [(&str, usize); 3] = [
    ("baidu", 153_759),
    ("cskaoyan", 52_562),
    ("duolaima", 12_605),
];

fn server() -> TestServer {
    let mut site = Site::new();
    for (i, (name, size)) in SITES.into_iter().enumerate() {
        site = site.with_file(&format!("/{name}/"), content(size, i as u64));
    }
    site = site
        .with_file(
            "/qzone/7a082c0dde36eac2205a088397aaf295.jpg",
            content(40_000, 10),
        )
        .with_file("/da8e974dc_is.jpg", content(9_000, 11));
    TestServer::start(site)
}

fn check_lines(stdout: &str, expected: &[(String, usize)]) {
    let mut lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2 * expected.len(), "{stdout}");
    for (url, size) in expected {
        let get = lines
            .iter()
            .position(|l| *l == format!("GET: {url}"))
            .expect("GET line");
        let done = lines
            .iter()
            .position(|l| *l == format!("{size} bytes received from {url}."))
            .expect("received line");
        assert!(get < done, "{stdout}");
    }
    lines.sort();
    lines.dedup();
    assert_eq!(lines.len(), 2 * expected.len(), "no line twice");
}

#[test]
fn my_download_url() {
    let server = server();
    let urls: Vec<String> = SITES
        .iter()
        .map(|(name, _)| server.url(&format!("/{name}/")))
        .collect();
    let out = Capture::new();
    let hub = Hub::new();
    let bodies = {
        let (urls, out) = (urls.clone(), out.clone());
        hub.block_on(async move {
            let client = Rc::new(Client::new(
                StdConnector::new(Duration::from_secs(5)),
                ClientOptions::default(),
            ));
            let reporter = Rc::new(Reporter::new(
                Box::new(out),
                Box::new(std::io::sink()),
                3,
                false,
            ));
            let tasks: Vec<_> = urls
                .into_iter()
                .map(|url| {
                    let (client, reporter) = (Rc::clone(&client), Rc::clone(&reporter));
                    hub::spawn(async move { fetch(&client, &url, &reporter).await.unwrap() })
                })
                .collect();
            hub::joinall(&tasks).await.unwrap();
            tasks
                .iter()
                .map(|task| task.try_get().unwrap().unwrap())
                .collect::<Vec<_>>()
        })
    };
    let expected: Vec<(String, usize)> = urls
        .iter()
        .cloned()
        .zip(SITES.map(|(_, size)| size))
        .collect();
    check_lines(&out.contents(), &expected);
    for (i, body) in bodies.iter().enumerate() {
        assert_eq!(body, &content(SITES[i].1, i as u64));
    }
}

#[test]
fn my_download_file_name_url() {
    let server = server();
    let dir = TempDir::new("seed");
    let jobs = [
        (
            "7a082c0dde36eac2205a088397aaf295.jpg",
            server.url("/qzone/7a082c0dde36eac2205a088397aaf295.jpg"),
        ),
        ("da8e974dc_is.jpg", server.url("/da8e974dc_is.jpg")),
    ];
    let out = Capture::new();
    let hub = Hub::new();
    {
        let (jobs, out, dir) = (jobs.clone(), out.clone(), dir.path().to_owned());
        hub.block_on(async move {
            let client = Rc::new(Client::new(
                StdConnector::new(Duration::from_secs(5)),
                ClientOptions::default(),
            ));
            let reporter = Rc::new(Reporter::new(
                Box::new(out),
                Box::new(std::io::sink()),
                2,
                false,
            ));
            let tasks: Vec<_> = jobs
                .into_iter()
                .map(|(file_name, url)| {
                    let (client, reporter, path) = (
                        Rc::clone(&client),
                        Rc::clone(&reporter),
                        dir.join(file_name),
                    );
                    hub::spawn(async move {
                        download_to_file(&client, &path, &url, false, &reporter)
                            .await
                            .unwrap()
                    })
                })
                .collect();
            hub::joinall(&tasks).await.unwrap();
        });
    }
    check_lines(
        &out.contents(),
        &[(jobs[0].1.clone(), 40_000), (jobs[1].1.clone(), 9_000)],
    );
    assert_eq!(
        std::fs::read(dir.path().join(jobs[0].0)).unwrap(),
        content(40_000, 10)
    );
    assert_eq!(
        std::fs::read(dir.path().join(jobs[1].0)).unwrap(),
        content(9_000, 11)
    );
    assert_eq!(
        dir.names(),
        ["7a082c0dde36eac2205a088397aaf295.jpg", "da8e974dc_is.jpg"]
    );
}

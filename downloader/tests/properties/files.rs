//! The download-to-file path end to end, over a transport that serves canned bytes: whatever
//! the server sends, a failure leaves no file behind (nor a `.part`, nor a changed old file),
//! and a success leaves exactly the body.

use std::cell::Cell;
use std::io;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use downloader::client::{Client, ClientOptions};
use downloader::download::{DownloadError, download_into, download_to_file};
use downloader::output::file_name_for;
use downloader::report::{Capture, Reporter};
use downloader::transport::{Connector, Transport};
use downloader::url::Host;
use downloader::url::Url;
use proptest::collection::vec;
use proptest::prelude::*;

use crate::check::{self, read_response};
use crate::strategies::{self, config};

/// Every connection gets the same bytes, in reads of at most `piece` bytes; a read past
/// `reset_at` fails as a reset connection would.
#[derive(Clone)]
struct Canned {
    bytes: Rc<Vec<u8>>,
    piece: usize,
    reset_at: Option<usize>,
    connections: Rc<Cell<usize>>,
}

struct CannedStream {
    canned: Canned,
    at: usize,
    requests: usize,
}

impl Transport for CannedStream {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let end = self.canned.reset_at.unwrap_or(usize::MAX);
        if self.at >= end {
            return Err(io::ErrorKind::ConnectionReset.into());
        }
        let rest = &self.canned.bytes[self.at.min(self.canned.bytes.len())..];
        let n = rest
            .len()
            .min(buf.len())
            .min(self.canned.piece)
            .min(end - self.at);
        buf[..n].copy_from_slice(&rest[..n]);
        self.at += n;
        Ok(n)
    }

    async fn write_all(&mut self, _: &[u8]) -> io::Result<()> {
        // One request per connection: a second one (on a connection kept alive) finds it
        // closed and goes again on a new one, so every request gets the same bytes.
        self.requests += 1;
        if self.requests > 1 {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        Ok(())
    }
}

impl Connector for Canned {
    type Stream = CannedStream;

    async fn connect(&self, _: &Host, _: u16) -> io::Result<CannedStream> {
        self.connections.set(self.connections.get() + 1);
        Ok(CannedStream {
            canned: self.clone(),
            at: 0,
            requests: 0,
        })
    }
}

/// Runs a future whose I/O is all canned: ready on its first poll.
fn ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("canned I/O never waits"),
    }
}

/// A fresh directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::SeqCst);
        let path =
            std::env::temp_dir().join(format!("downloader-properties-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const OLD: &[u8] = b"the file that was there before";

/// Downloads `served` into `dir/out.bin` (over an old file if `existing`) and checks what is
/// left: on a failure, nothing new (no `out.bin`, no `out.bin.part`, an old file unchanged);
/// on a success, `out.bin` holding exactly the body the reader finds in `served`.
fn download_and_check(
    dir: &Path,
    names: impl Fn() -> Vec<String>,
    canned: Canned,
    existing: bool,
    force: bool,
) -> Result<u64, DownloadError> {
    let path = dir.join("out.bin");
    if existing {
        std::fs::write(&path, OLD).unwrap();
    }
    let served = Rc::clone(&canned.bytes);
    let client = Client::new(canned, ClientOptions::default());
    let reporter = Reporter::new(Box::new(Capture::new()), Box::new(Capture::new()), 1, false);
    let result = ready(download_to_file(
        &client,
        &path,
        "http://origin.test/dir/out.bin",
        force,
        &reporter,
    ));
    match &result {
        Ok(bytes) => {
            assert_eq!(names(), ["out.bin"], "after a success");
            let saved = std::fs::read(&path).unwrap();
            assert_eq!(saved.len() as u64, *bytes);
            let read = read_response(&served, &[], downloader::http::Limits::default(), false);
            assert!(
                read.end.is_ok(),
                "saved, but the reader says {:?}",
                read.end
            );
            assert_eq!(saved, read.body, "the file is not the body");
        }
        Err(error) => {
            assert!(error.to_string().len() > 8, "unclear error {error:?}");
            if existing {
                assert_eq!(names(), ["out.bin"], "after {error}");
                assert_eq!(std::fs::read(&path).unwrap(), OLD, "after {error}");
            } else {
                assert!(
                    names().is_empty(),
                    "left behind after {error}: {:?}",
                    names()
                );
            }
        }
    }
    result
}

fn canned(bytes: Vec<u8>, piece: usize, reset_at: Option<usize>) -> Canned {
    Canned {
        bytes: Rc::new(bytes),
        piece,
        reset_at,
        connections: Rc::new(Cell::new(0)),
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// Valid 2xx responses save exactly their body; anything else fails and leaves nothing.
    #[test]
    fn valid_responses_are_saved_whole_or_not_at_all(
        response in strategies::response(),
        piece in 1usize..512,
        existing in prop::bool::weighted(0.25),
        force in any::<bool>(),
    ) {
        let dir = TempDir::new();
        let bytes = response.to_bytes();
        let result = download_and_check(&dir.0, || dir.names(), canned(bytes, piece, None), existing, force);
        let success = (200..300).contains(&response.status) && (!existing || force);
        prop_assert_eq!(result.is_ok(), success, "{:?}", result);
        if success {
            let saved = std::fs::read(dir.0.join("out.bin")).unwrap();
            prop_assert_eq!(&saved[..], response.expected_body());
        }
    }

    /// Mutated, truncated and reset responses: saved whole, or nothing left behind.
    #[test]
    fn bad_responses_leave_no_file_behind(
        response in strategies::response_with(&[200, 200, 206, 302, 404]),
        mutations in vec(strategies::mutation(), 0..4),
        piece in 1usize..512,
        reset in prop::option::weighted(0.3, any::<prop::sample::Index>()),
        existing in prop::bool::weighted(0.25),
    ) {
        let dir = TempDir::new();
        let bytes = strategies::mutate(&response.to_bytes(), &mutations);
        let reset_at = reset.map(|at| at.index(bytes.len() + 1));
        let _ = download_and_check(&dir.0, || dir.names(), canned(bytes, piece, reset_at), existing, true);
    }

    /// A response cut anywhere before its end is an error, and leaves nothing.
    #[test]
    fn truncated_responses_leave_no_file_behind(
        response in strategies::delimited_response_with(&[200]),
        keep in any::<prop::sample::Index>(),
        piece in 1usize..512,
    ) {
        let dir = TempDir::new();
        let bytes = response.to_bytes();
        let kept = bytes[..keep.index(bytes.len())].to_vec();
        let result = download_and_check(&dir.0, || dir.names(), canned(kept, piece, None), false, false);
        prop_assert!(result.is_err());
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// Any URL, saved under the name it gives: the file lands in the directory (no escape
    /// through `..`, `%2F` or the like), under that name, or not at all.
    #[test]
    fn a_url_names_a_file_in_the_directory_or_fails(
        url in prop_oneof![
            2 => strategies::valid_url().prop_map(|u| u.text),
            1 => strategies::url_text(),
            1 => strategies::any_url_text(),
        ],
        response in strategies::response_with(&[200]),
        mutations in vec(strategies::mutation(), 0..2),
    ) {
        let root = TempDir::new();
        let dir = root.0.join("d");
        std::fs::create_dir(&dir).unwrap();
        let bytes = strategies::mutate(&response.to_bytes(), &mutations);
        let client = Client::new(canned(bytes, 64, None), ClientOptions::default());
        let reporter = Reporter::new(Box::new(Capture::new()), Box::new(Capture::new()), 1, false);
        let result = ready(download_into(&client, &dir, &url, false, &reporter));
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        match (&result, Url::parse(&url)) {
            (Ok(_), Ok(parsed)) => prop_assert_eq!(names, [file_name_for(&parsed)]),
            (Ok(_), Err(e)) => prop_assert!(false, "saved from a refused URL: {}", e),
            (Err(error), _) => prop_assert!(names.is_empty(), "after {}: {:?}", error, names),
        }
        prop_assert_eq!(root.names(), ["d"], "something was written next to the directory");
    }
}

/// The reader's checks apply to what the files test serves, too.
#[test]
fn the_canned_transport_serves_what_it_is_given() {
    let dir = TempDir::new();
    let body = b"hello";
    let bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".to_vec();
    check::read_both_ways(&bytes, &[3, 20], downloader::http::Limits::default(), false);
    let result = download_and_check(&dir.0, || dir.names(), canned(bytes, 2, None), false, false);
    assert_eq!(result.unwrap(), 5);
    assert_eq!(std::fs::read(dir.0.join("out.bin")).unwrap(), body);
}

//! One URL: the seed's `my_download(url)` and `my_download(file_name, url)`.
//!
//! Both print `GET: url` when the request starts and `N bytes received from url.` when it
//! ends, or one error line if it fails ([`Reporter`]); the second writes the body to a file,
//! through a `.part` file renamed only when the body is complete ([`PartFile`]).

use std::fmt;
use std::io::{self, Write};
use std::path::Path;

use crate::client::{Client, FetchError};
use crate::http::Framing;
use crate::output::{OutputError, PartFile, file_name_for};
use crate::report::Reporter;
use crate::transport::Connector;
use crate::url::{Url, UrlError};

/// Why one URL failed.
#[derive(Debug)]
pub enum DownloadError {
    /// The URL is malformed.
    Url(UrlError),
    /// Two URLs of one run would be saved under one name.
    DuplicateName {
        /// The name.
        name: String,
        /// The earlier URL that has it.
        first: String,
    },
    /// The file could not be written.
    Output(OutputError),
    /// The request failed.
    Fetch(FetchError),
}

impl fmt::Display for DownloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DownloadError::Url(error) => write!(f, "malformed URL: {error}"),
            DownloadError::DuplicateName { name, first } => {
                write!(f, "would be saved as {name:?}, like {first}")
            }
            DownloadError::Output(error) => error.fmt(f),
            DownloadError::Fetch(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for DownloadError {}

impl From<UrlError> for DownloadError {
    fn from(error: UrlError) -> Self {
        DownloadError::Url(error)
    }
}

impl From<OutputError> for DownloadError {
    fn from(error: OutputError) -> Self {
        DownloadError::Output(error)
    }
}

impl From<FetchError> for DownloadError {
    fn from(error: FetchError) -> Self {
        DownloadError::Fetch(error)
    }
}

/// Passes writes on and tells the reporter how many bytes went by.
struct Progress<'a, W: ?Sized> {
    inner: &'a mut W,
    reporter: &'a Reporter,
}

impl<W: Write + ?Sized> Write for Progress<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.reporter.progress(n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The seed's `my_download(url)`: fetches `url` into memory and returns the body.
pub async fn fetch<C: Connector>(
    client: &Client<C>,
    url: &str,
    reporter: &Reporter,
) -> Result<Vec<u8>, DownloadError> {
    let result = async {
        let parsed = Url::parse(url)?;
        reporter.started(url);
        let mut body = Vec::new();
        let mut sink = Progress {
            inner: &mut body,
            reporter,
        };
        client.get(&parsed, &mut sink).await?;
        Ok(body)
    }
    .await;
    report(reporter, url, result, |body| body.len() as u64)
}

/// The seed's `my_download(file_name, url)`: fetches `url` into the file at `path` (replaced
/// if it exists only when `force`) and returns the body's length.
pub async fn download_to_file<C: Connector>(
    client: &Client<C>,
    path: &Path,
    url: &str,
    force: bool,
    reporter: &Reporter,
) -> Result<u64, DownloadError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let result = async {
        let parsed = Url::parse(url)?;
        save(client, &parsed, url, dir, name, force, reporter).await
    }
    .await;
    report(reporter, url, result, |bytes| *bytes)
}

/// Fetches `url` into `dir`, under the name [`file_name_for`] gives it.
pub async fn download_into<C: Connector>(
    client: &Client<C>,
    dir: &Path,
    url: &str,
    force: bool,
    reporter: &Reporter,
) -> Result<u64, DownloadError> {
    let result = async {
        let parsed = Url::parse(url)?;
        save(
            client,
            &parsed,
            url,
            dir,
            &file_name_for(&parsed),
            force,
            reporter,
        )
        .await
    }
    .await;
    report(reporter, url, result, |bytes| *bytes)
}

/// The body of `url` into `dir/name`: the `.part` file first (so a name that is taken fails
/// before any request), then the request, then the length check and the rename.
async fn save<C: Connector>(
    client: &Client<C>,
    url: &Url,
    raw_url: &str,
    dir: &Path,
    name: &str,
    force: bool,
    reporter: &Reporter,
) -> Result<u64, DownloadError> {
    let mut part = PartFile::create(dir, name, force)?;
    reporter.started(raw_url);
    let mut sink = Progress {
        inner: &mut part,
        reporter,
    };
    let response = client.get(url, &mut sink).await?;
    // The file must hold what the server announced, when it announced a length.
    let expected = match response.head.framing {
        Framing::Length(length) => length,
        _ => response.bytes,
    };
    part.commit(expected)?;
    Ok(response.bytes)
}

/// Prints the outcome's line and passes it on.
fn report<T>(
    reporter: &Reporter,
    url: &str,
    result: Result<T, DownloadError>,
    bytes: impl FnOnce(&T) -> u64,
) -> Result<T, DownloadError> {
    match &result {
        Ok(value) => reporter.finished(url, bytes(value)),
        Err(error) => reporter.failed(url, error),
    }
    result
}

//! What the downloader tells its user.
//!
//! Standard output carries exactly the seed's lines, in the order things happen:
//! `GET: url` when a request starts and `N bytes received from url.` when it ends. Standard
//! error carries one clear line per failed URL and the final summary. On a terminal a progress
//! bar (indicatif) is drawn on standard output too, and the lines are printed above it; when
//! standard output is a file or a pipe there is no bar, only the lines.
//!
//! ```
//! use downloader::report::{get_line, received_line};
//!
//! assert_eq!(get_line("http://www.baidu.com/"), "GET: http://www.baidu.com/");
//! assert_eq!(
//!     received_line(153759, "http://www.baidu.com/"),
//!     "153759 bytes received from http://www.baidu.com/."
//! );
//! ```

use std::cell::RefCell;
use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};

use corogen::hub::ThreadQueue;
use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The seed's line when a request starts: `GET: url`.
pub fn get_line(url: &str) -> String {
    format!("GET: {url}")
}

/// The seed's line when a download ends: `N bytes received from url.`.
pub fn received_line(bytes: u64, url: &str) -> String {
    format!("{bytes} bytes received from {url}.")
}

/// The line for a URL that failed: `error: url: what went wrong`.
pub fn error_line(url: &str, error: &dyn fmt::Display) -> String {
    format!("error: {url}: {error}")
}

/// The totals of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Downloads that completed.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Downloads that failed.
    pub failures: usize,
    /// Time since the run started.
    pub elapsed: Duration,
}

impl fmt::Display for Summary {
    /// `3 files, 1.50 MiB (1572864 bytes) in 0.52 s (2.88 MiB/s), 1 failed`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.elapsed.as_secs_f64();
        let files = if self.files == 1 { "file" } else { "files" };
        write!(
            f,
            "{} {files}, {} ({} bytes) in {seconds:.2} s",
            self.files,
            HumanBytes(self.bytes),
            self.bytes
        )?;
        if seconds > 0.0 {
            write!(
                f,
                " ({}/s)",
                HumanBytes((self.bytes as f64 / seconds) as u64)
            )?;
        }
        write!(f, ", {} failed", self.failures)
    }
}

/// Prints a run's lines and keeps its totals. Its methods take `&self`: one reporter is shared
/// by the tasks of a run (on one thread).
pub struct Reporter {
    out: RefCell<Box<dyn Write>>,
    err: RefCell<Box<dyn Write>>,
    bar: Option<ProgressBar>,
    summary: RefCell<Summary>,
    received: RefCell<u64>,
    started: Instant,
    /// A relay's queue: its events go to the run's reporter on another hub.
    relay: Option<ThreadQueue<Option<Report>>>,
}

/// One event of a [`Reporter`], carried from a [relay](Reporter::relay) to the run's reporter.
#[derive(Debug)]
pub enum Report {
    /// [`Reporter::started`].
    Started(String),
    /// [`Reporter::progress`].
    Progress(u64),
    /// [`Reporter::finished`].
    Finished(String, u64),
    /// [`Reporter::failed`], with the error's text.
    Failed(String, String),
}

impl Report {
    /// Tells `reporter` what happened on the relay's side.
    pub fn apply(self, reporter: &Reporter) {
        match self {
            Report::Started(url) => reporter.started(&url),
            Report::Progress(bytes) => reporter.progress(bytes),
            Report::Finished(url, bytes) => reporter.finished(&url, bytes),
            Report::Failed(url, error) => reporter.failed(&url, &error),
        }
    }
}

impl fmt::Debug for Reporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reporter")
            .field("progress_bar", &self.bar.is_some())
            .field("summary", &self.summary.borrow())
            .finish_non_exhaustive()
    }
}

impl Reporter {
    /// A reporter writing to these streams, for a run of `urls` downloads, with a progress bar
    /// drawn on the process's standard output if `progress_bar`.
    pub fn new(out: Box<dyn Write>, err: Box<dyn Write>, urls: usize, progress_bar: bool) -> Self {
        let bar = progress_bar.then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(urls as u64), ProgressDrawTarget::stdout());
            let style = ProgressStyle::with_template(
                "[{elapsed_precise}] {bar:30.cyan/blue} {pos}/{len} files, {msg}",
            )
            .expect("a valid progress template")
            .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        Reporter {
            out: RefCell::new(out),
            err: RefCell::new(err),
            bar,
            summary: RefCell::new(Summary::default()),
            received: RefCell::new(0),
            started: Instant::now(),
            relay: None,
        }
    }

    /// A reporter that prints nothing and counts nothing itself: it puts each event into
    /// `queue` (as `Some`), for the run's reporter on another hub to [`apply`](Report::apply)
    /// (the downloads of `--hubs N` report this way, so the lines and the totals are those of
    /// one run). `None` is left to the run, to say that every relay is done.
    pub fn relay(queue: ThreadQueue<Option<Report>>) -> Self {
        Reporter {
            relay: Some(queue),
            ..Reporter::new(Box::new(io::sink()), Box::new(io::sink()), 0, false)
        }
    }

    /// Puts `event` into the relay's queue, if this is a relay: `true` then.
    fn relayed(&self, event: impl FnOnce() -> Report) -> bool {
        let Some(queue) = &self.relay else {
            return false;
        };
        // Unbounded: a put never fails.
        let _ = queue.try_put(Some(event()));
        true
    }

    /// A reporter on the process's standard output and error, with a progress bar if standard
    /// output is a terminal.
    pub fn stdio(urls: usize) -> Self {
        let progress_bar = io::stdout().is_terminal();
        Reporter::new(
            Box::new(io::stdout()),
            Box::new(io::stderr()),
            urls,
            progress_bar,
        )
    }

    /// Whether a progress bar is drawn.
    pub fn has_progress_bar(&self) -> bool {
        self.bar.is_some()
    }

    /// A request for `url` starts: `GET: url`.
    pub fn started(&self, url: &str) {
        if self.relayed(|| Report::Started(url.to_owned())) {
            return;
        }
        self.print(&self.out, &get_line(url));
    }

    /// `bytes` more bytes arrived, for any download.
    pub fn progress(&self, bytes: u64) {
        if self.relayed(|| Report::Progress(bytes)) {
            return;
        }
        let mut received = self.received.borrow_mut();
        *received += bytes;
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{} received", HumanBytes(*received)));
        }
    }

    /// A download ended well: `N bytes received from url.`.
    pub fn finished(&self, url: &str, bytes: u64) {
        if self.relayed(|| Report::Finished(url.to_owned(), bytes)) {
            return;
        }
        {
            let mut summary = self.summary.borrow_mut();
            summary.files += 1;
            summary.bytes += bytes;
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        self.print(&self.out, &received_line(bytes, url));
    }

    /// A download failed: its error line, on standard error.
    pub fn failed(&self, url: &str, error: &dyn fmt::Display) {
        if self.relayed(|| Report::Failed(url.to_owned(), error.to_string())) {
            return;
        }
        self.summary.borrow_mut().failures += 1;
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        self.print(&self.err, &error_line(url, error));
    }

    /// The totals so far.
    pub fn summary(&self) -> Summary {
        Summary {
            elapsed: self.started.elapsed(),
            ..*self.summary.borrow()
        }
    }

    /// Ends the run: removes the progress bar and prints the summary on standard error.
    pub fn finish(&self) -> Summary {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let summary = self.summary();
        self.print(&self.err, &summary.to_string());
        summary
    }

    fn print(&self, stream: &RefCell<Box<dyn Write>>, line: &str) {
        let write = || {
            let mut stream = stream.borrow_mut();
            // A closed stdout (`downloader … | head`) must not stop the downloads.
            let _ = writeln!(stream, "{line}").and_then(|()| stream.flush());
        };
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }
}

/// An in-memory stream that can be handed to a [`Reporter`] and read afterwards (for tests and
/// for programs that embed the downloader).
#[derive(Clone, Debug, Default)]
pub struct Capture(Rc<RefCell<Vec<u8>>>);

impl Capture {
    /// An empty capture.
    pub fn new() -> Self {
        Capture::default()
    }

    /// What was written so far.
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn captured() -> (Reporter, Capture, Capture) {
        let (out, err) = (Capture::new(), Capture::new());
        let reporter = Reporter::new(Box::new(out.clone()), Box::new(err.clone()), 3, false);
        (reporter, out, err)
    }

    #[test]
    fn the_seeds_lines_exactly() {
        let (reporter, out, err) = captured();
        reporter.started("http://www.baidu.com/");
        reporter.started("http://www.cskaoyan.com/");
        reporter.progress(52562);
        reporter.finished("http://www.cskaoyan.com/", 52562);
        reporter.finished("http://www.baidu.com/", 153759);
        assert_eq!(
            out.contents(),
            "GET: http://www.baidu.com/\nGET: http://www.cskaoyan.com/\n\
             52562 bytes received from http://www.cskaoyan.com/.\n\
             153759 bytes received from http://www.baidu.com/.\n"
        );
        assert_eq!(err.contents(), "");
    }

    #[test]
    fn failures_go_to_stderr_and_count() {
        let (reporter, out, err) = captured();
        reporter.started("http://h/a");
        reporter.failed("http://h/a", &"404 Not Found");
        reporter.failed("bad url", &"no scheme");
        reporter.finished("http://h/b", 10);
        assert_eq!(
            out.contents(),
            "GET: http://h/a\n10 bytes received from http://h/b.\n"
        );
        assert_eq!(
            err.contents(),
            "error: http://h/a: 404 Not Found\nerror: bad url: no scheme\n"
        );
        let summary = reporter.finish();
        assert_eq!((summary.files, summary.bytes, summary.failures), (1, 10, 2));
        let last = err.contents().lines().last().unwrap().to_owned();
        assert!(last.starts_with("1 file, 10 B (10 bytes) in "), "{last}");
        assert!(last.ends_with(", 2 failed"), "{last}");
    }

    #[test]
    fn summary_text() {
        let summary = Summary {
            files: 3,
            bytes: 3 * 1024 * 1024,
            failures: 0,
            elapsed: Duration::from_millis(1500),
        };
        assert_eq!(
            summary.to_string(),
            "3 files, 3.00 MiB (3145728 bytes) in 1.50 s (2.00 MiB/s), 0 failed"
        );
        assert_eq!(
            Summary::default().to_string(),
            "0 files, 0 B (0 bytes) in 0.00 s, 0 failed"
        );
    }

    #[test]
    fn no_bar_unless_asked() {
        let (reporter, _, _) = captured();
        assert!(!reporter.has_progress_bar());
        let with_bar = Reporter::new(Box::new(io::sink()), Box::new(io::sink()), 1, true);
        assert!(with_bar.has_progress_bar());
        with_bar.progress(5);
        with_bar.finished("u", 5);
        with_bar.finish();
    }

    #[test]
    fn a_closed_stream_is_ignored() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let reporter = Reporter::new(Box::new(Closed), Box::new(Closed), 1, false);
        reporter.started("u");
        reporter.finished("u", 1);
        assert_eq!(reporter.finish().files, 1);
    }
}

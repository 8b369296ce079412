//! The command line: `downloader [-c CONCURRENCY] [-o DIR] [--force] URL...`, parsed by hand.
//!
//! The exit code says how it went: [`EXIT_OK`] when every URL was downloaded,
//! [`EXIT_SOME_FAILED`] when any failed (the others are still downloaded), [`EXIT_USAGE`] when
//! the command line itself is wrong (nothing is downloaded). A malformed URL is not a usage
//! error: it fails alone, with its own error line, and the rest go on.
//!
//! ```
//! use downloader::cli::{Command, parse_args};
//!
//! let Ok(Command::Run(options)) = parse_args(["-c", "4", "-o", "out", "http://h/a"]) else {
//!     panic!()
//! };
//! assert_eq!(options.concurrency, 4);
//! assert_eq!(options.urls, ["http://h/a"]);
//! ```

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::http::MAX_REDIRECTS;

/// Every URL was downloaded.
pub const EXIT_OK: u8 = 0;
/// At least one URL failed.
pub const EXIT_SOME_FAILED: u8 = 1;
/// The command line is wrong.
pub const EXIT_USAGE: u8 = 2;

/// Downloads at once when `-c` is not given.
pub const DEFAULT_CONCURRENCY: usize = 10;
/// Seconds a connection may stay silent when `--timeout` is not given.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// The help text.
pub const USAGE: &str = "\
usage: downloader [OPTIONS] URL...

Downloads every URL concurrently, on one thread, into a file named after the URL's last path
segment (index.html if there is none). Prints `GET: URL` when a request starts and
`N bytes received from URL.` when it ends.

options:
  -c, --concurrency N   at most N downloads at once (default 10)
  -o, --output DIR      save into DIR (default: the current directory)
  -f, --force           overwrite files that exist (default: such a URL fails)
  -t, --timeout SECS    give up on a connection silent for SECS seconds (default 30)
      --max-redirects N follow at most N redirects (default 10)
      --cacert FILE     also trust the CA certificates in FILE (PEM) for https
      --hubs N          spread the URLs over N hubs, one thread each (default 1); -c stays
                        the limit for the whole run
  -h, --help            print this help

exit status: 0 if every URL was downloaded, 1 if any failed, 2 for a usage error.";

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Print the help.
    Help,
    /// Download.
    Run(Options),
}

/// A run's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Downloads at once (at least 1).
    pub concurrency: usize,
    /// Where the files go.
    pub output_dir: PathBuf,
    /// Whether existing files are replaced.
    pub force: bool,
    /// How long a connection may stay silent.
    pub timeout: Duration,
    /// Redirects followed per URL.
    pub max_redirects: u32,
    /// Extra CA certificate files (PEM).
    pub ca_files: Vec<PathBuf>,
    /// Hubs (threads) the URLs are spread over (at least 1).
    pub hubs: usize,
    /// The URLs, as written (each is parsed, and may fail, on its own).
    pub urls: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            concurrency: DEFAULT_CONCURRENCY,
            output_dir: PathBuf::from("."),
            force: false,
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            max_redirects: MAX_REDIRECTS,
            ca_files: Vec::new(),
            hubs: 1,
            urls: Vec::new(),
        }
    }
}

/// A wrong command line, with what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Parses the arguments (without the program's name). Options may come before, between or
/// after the URLs; `--` ends them; `-c4` and `--concurrency=4` work too.
pub fn parse_args<I, A>(args: I) -> Result<Command, UsageError>
where
    I: IntoIterator<Item = A>,
    A: Into<OsString>,
{
    let mut options = Options::default();
    let mut args = args.into_iter().map(Into::into);
    let mut only_urls = false;
    while let Some(arg) = args.next() {
        let Some(arg) = arg.to_str().map(str::to_owned) else {
            return Err(UsageError(format!("argument {arg:?} is not valid UTF-8")));
        };
        if only_urls || arg == "-" || !arg.starts_with('-') {
            options.urls.push(arg);
            continue;
        }
        if arg == "--" {
            only_urls = true;
            continue;
        }
        let (name, attached) = split_option(&arg);
        let mut value = |what: &str| -> Result<String, UsageError> {
            if let Some(value) = &attached {
                return Ok(value.clone());
            }
            match args.next() {
                Some(value) => value
                    .into_string()
                    .map_err(|v| UsageError(format!("{name}: {what} {v:?} is not valid UTF-8"))),
                None => Err(UsageError(format!("{name} needs a value ({what})"))),
            }
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-f" | "--force" => {
                if attached.is_some() {
                    return Err(UsageError(format!("{name} takes no value")));
                }
                options.force = true;
            }
            "-c" | "--concurrency" => {
                options.concurrency = number(&name, &value("N")?)?;
            }
            "-o" | "--output" => {
                let dir = value("DIR")?;
                if dir.is_empty() {
                    return Err(UsageError(format!("{name}: empty directory name")));
                }
                options.output_dir = PathBuf::from(dir);
            }
            "-t" | "--timeout" => {
                options.timeout = Duration::from_secs(number(&name, &value("SECS")?)? as u64);
            }
            "--max-redirects" => {
                let text = value("N")?;
                options.max_redirects = text
                    .parse()
                    .map_err(|_| UsageError(format!("{name}: {text:?} is not a number")))?;
            }
            "--cacert" => options.ca_files.push(PathBuf::from(value("FILE")?)),
            "--hubs" => options.hubs = number(&name, &value("N")?)?,
            _ => return Err(UsageError(format!("unknown option {name}"))),
        }
    }
    if options.urls.is_empty() {
        return Err(UsageError("no URL given".into()));
    }
    Ok(Command::Run(options))
}

/// `--name=value` → (`--name`, value); `-cVALUE` → (`-c`, VALUE); else (arg, none).
fn split_option(arg: &str) -> (String, Option<String>) {
    if let Some(long) = arg.strip_prefix("--") {
        return match long.split_once('=') {
            Some((name, value)) => (format!("--{name}"), Some(value.to_owned())),
            None => (arg.to_owned(), None),
        };
    }
    let mut chars = arg.char_indices().skip(1);
    match (chars.next(), chars.next()) {
        (Some((_, flag)), Some((at, _))) => (format!("-{flag}"), Some(arg[at..].to_owned())),
        _ => (arg.to_owned(), None),
    }
}

/// A whole number of at least 1.
fn number(name: &str, text: &str) -> Result<usize, UsageError> {
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(UsageError(format!(
            "{name}: {text:?} is not a whole number of at least 1"
        ))),
    }
}

/// The exit code for a run with `failures` failed URLs.
pub fn exit_code(failures: usize) -> u8 {
    if failures == 0 {
        EXIT_OK
    } else {
        EXIT_SOME_FAILED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Options {
        match parse_args(args) {
            Ok(Command::Run(options)) => options,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn usage(args: &[&str]) -> String {
        match parse_args(args) {
            Err(UsageError(message)) => message,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let options = run(&["http://h/"]);
        assert_eq!(
            options,
            Options {
                urls: vec!["http://h/".into()],
                ..Options::default()
            }
        );
        assert_eq!(options.concurrency, 10);
        assert_eq!(options.output_dir, PathBuf::from("."));
        assert!(!options.force);
        assert_eq!(options.timeout, Duration::from_secs(30));
        assert_eq!(options.hubs, 1);
    }

    #[test]
    fn hubs() {
        assert_eq!(run(&["--hubs", "2", "u"]).hubs, 2);
        assert_eq!(run(&["--hubs=3", "u"]).hubs, 3);
        assert!(usage(&["--hubs", "0", "u"]).contains("--hubs"));
    }

    #[test]
    fn every_option_in_every_spelling() {
        for args in [
            &["-c", "3", "-o", "d", "-f", "-t", "5", "u1", "u2"][..],
            &[
                "--concurrency",
                "3",
                "--output",
                "d",
                "--force",
                "--timeout",
                "5",
                "u1",
                "u2",
            ],
            &["-c3", "-od", "-t5", "--force", "u1", "u2"],
            &[
                "--concurrency=3",
                "--output=d",
                "--timeout=5",
                "-f",
                "u1",
                "u2",
            ],
            &["u1", "-c", "3", "u2", "-od", "-f", "-t", "5"],
        ] {
            let options = run(args);
            assert_eq!(options.concurrency, 3, "{args:?}");
            assert_eq!(options.output_dir, PathBuf::from("d"), "{args:?}");
            assert!(options.force, "{args:?}");
            assert_eq!(options.timeout, Duration::from_secs(5), "{args:?}");
            assert_eq!(options.urls, ["u1", "u2"], "{args:?}");
        }
        let options = run(&[
            "--max-redirects",
            "0",
            "--cacert",
            "a.pem",
            "--cacert=b.pem",
            "u",
        ]);
        assert_eq!(options.max_redirects, 0);
        assert_eq!(
            options.ca_files,
            [PathBuf::from("a.pem"), PathBuf::from("b.pem")]
        );
    }

    #[test]
    fn double_dash_ends_options() {
        assert_eq!(run(&["--", "-c", "--force"]).urls, ["-c", "--force"]);
        assert_eq!(run(&["-"]).urls, ["-"]);
    }

    #[test]
    fn help() {
        assert_eq!(parse_args(["-h"]), Ok(Command::Help));
        assert_eq!(parse_args(["u", "--help"]), Ok(Command::Help));
        assert!(USAGE.starts_with("usage: downloader [OPTIONS] URL..."));
    }

    #[test]
    fn usage_errors() {
        assert_eq!(usage(&[]), "no URL given");
        assert_eq!(usage(&["-c", "3"]), "no URL given");
        assert_eq!(usage(&["u", "-c"]), "-c needs a value (N)");
        assert_eq!(
            usage(&["u", "-c", "0"]),
            "-c: \"0\" is not a whole number of at least 1"
        );
        assert_eq!(
            usage(&["u", "-c", "-3"]),
            "-c: \"-3\" is not a whole number of at least 1"
        );
        assert_eq!(
            usage(&["u", "--concurrency=x"]),
            "--concurrency: \"x\" is not a whole number of at least 1"
        );
        assert_eq!(
            usage(&["u", "-t", "1.5"]),
            "-t: \"1.5\" is not a whole number of at least 1"
        );
        assert_eq!(usage(&["u", "-x"]), "unknown option -x");
        assert_eq!(usage(&["u", "--bogus"]), "unknown option --bogus");
        assert_eq!(usage(&["u", "--force=yes"]), "--force takes no value");
        assert_eq!(usage(&["u", "-o", ""]), "-o: empty directory name");
        assert_eq!(
            usage(&["u", "--max-redirects", "many"]),
            "--max-redirects: \"many\" is not a number"
        );
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_arguments() {
        use std::os::unix::ffi::OsStringExt;
        let bad = OsString::from_vec(vec![b'h', 0xff]);
        let error = parse_args([OsString::from("u"), bad]).unwrap_err();
        assert!(error.0.contains("is not valid UTF-8"), "{error}");
        let bad = OsString::from_vec(vec![0xff]);
        let error = parse_args([OsString::from("u"), OsString::from("-o"), bad]).unwrap_err();
        assert!(error.0.starts_with("-o: DIR"), "{error}");
    }

    #[test]
    fn exit_codes() {
        assert_eq!(exit_code(0), 0);
        assert_eq!(exit_code(1), 1);
        assert_eq!(exit_code(7), 1);
        assert_eq!(EXIT_USAGE, 2);
    }
}

//! Writing a download so that nothing is lost or half-written.
//!
//! A download goes to `DIR/NAME.part`, created fresh; only when it is complete and its length
//! checked is it given its real name. An existing file is never replaced unless asked
//! (`--force`): without it the final step is a hard link, which fails rather than replace
//! (where a file system has no hard links, an existence check and a rename). On any failure, or
//! if the [`PartFile`] is dropped before [`commit`](PartFile::commit), the `.part` file is
//! removed.
//!
//! ```
//! use downloader::output::PartFile;
//! use std::io::Write;
//!
//! let dir = std::env::temp_dir().join(format!("doc-output-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let mut part = PartFile::create(&dir, "hello.txt", false).unwrap();
//! part.write_all(b"hello").unwrap();
//! let path = part.commit(5).unwrap();
//! assert_eq!(std::fs::read(&path).unwrap(), b"hello");
//! assert!(PartFile::create(&dir, "hello.txt", false).is_err()); // never overwritten
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::url::Url;

/// The suffix of a download in progress.
pub const PART_SUFFIX: &str = ".part";

/// The name a URL's download is saved under: the last segment of its path (`index.html` if that
/// is empty, `.` or `..`), its percent-escapes left as they are (so no escape can smuggle a `/`
/// into the name).
pub fn file_name_for(url: &Url) -> String {
    match url.path().rsplit('/').next() {
        None | Some("" | "." | "..") => "index.html".to_owned(),
        Some(segment) => segment.to_owned(),
    }
}

/// Why a download could not be written.
#[derive(Debug)]
pub enum OutputError {
    /// The file exists and `--force` was not given.
    Exists(PathBuf),
    /// A `.part` file of that name exists: another download in progress, or one that was
    /// interrupted (remove it, or use `--force`).
    PartExists(PathBuf),
    /// A name that is not a plain file name.
    InvalidName(String),
    /// The body's length is not the one the server announced.
    LengthMismatch {
        /// The announced length.
        expected: u64,
        /// The bytes written.
        written: u64,
    },
    /// A file system error on this path.
    Io(PathBuf, io::Error),
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::Exists(path) => {
                write!(f, "{} exists (use --force to overwrite it)", path.display())
            }
            OutputError::PartExists(path) => write!(
                f,
                "{} exists: another download of this file is running, or one was interrupted \
                 (remove it, or use --force)",
                path.display()
            ),
            OutputError::InvalidName(name) => write!(f, "invalid file name {name:?}"),
            OutputError::LengthMismatch { expected, written } => {
                write!(f, "wrote {written} bytes where {expected} were expected")
            }
            OutputError::Io(path, error) => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for OutputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OutputError::Io(_, error) => Some(error),
            _ => None,
        }
    }
}

/// A download being written to `NAME.part`; see [the module](self).
#[derive(Debug)]
pub struct PartFile {
    part: PathBuf,
    dest: PathBuf,
    file: Option<File>,
    written: u64,
    force: bool,
    /// The `.part` file has been renamed or removed: it is no longer ours to remove.
    settled: bool,
}

impl PartFile {
    /// Starts `dir/name` as `dir/name.part`. Fails if `dir/name` exists (unless `force`), or if
    /// `dir/name.part` does (unless `force`, which replaces it).
    pub fn create(dir: &Path, name: &str, force: bool) -> Result<PartFile, OutputError> {
        let plain = !name.is_empty()
            && name != "."
            && name != ".."
            && !name.contains(['/', '\0'])
            && (cfg!(unix) || !name.contains('\\'));
        if !plain {
            return Err(OutputError::InvalidName(name.to_owned()));
        }
        let dest = dir.join(name);
        let part = dir.join(format!("{name}{PART_SUFFIX}"));
        if !force && fs::symlink_metadata(&dest).is_ok() {
            return Err(OutputError::Exists(dest));
        }
        if force {
            match fs::remove_file(&part) {
                Ok(()) => {}
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(error) => return Err(OutputError::Io(part, error)),
            }
        }
        let file = match OpenOptions::new().write(true).create_new(true).open(&part) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                return Err(OutputError::PartExists(part));
            }
            Err(error) => return Err(OutputError::Io(part, error)),
        };
        Ok(PartFile {
            part,
            dest,
            file: Some(file),
            written: 0,
            force,
            settled: false,
        })
    }

    /// Where the file will be once committed.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// The `.part` file's path.
    pub fn part_path(&self) -> &Path {
        &self.part
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Checks that exactly `expected` bytes were written, then gives the file its name; the
    /// `.part` file is gone either way. Returns the final path.
    pub fn commit(mut self, expected: u64) -> Result<PathBuf, OutputError> {
        if self.written != expected {
            return Err(OutputError::LengthMismatch {
                expected,
                written: self.written,
            });
        }
        let file = self
            .file
            .take()
            .expect("a PartFile's file is there until commit");
        drop(file);
        if self.force {
            fs::rename(&self.part, &self.dest)
                .map_err(|e| OutputError::Io(self.dest.clone(), e))?;
        } else {
            self.link_without_replacing()?;
        }
        self.settled = true;
        Ok(self.dest.clone())
    }

    /// Gives the `.part` file its name unless that name is taken.
    fn link_without_replacing(&self) -> Result<(), OutputError> {
        match fs::hard_link(&self.part, &self.dest) {
            Ok(()) => {
                // The file has both names now; removing the temporary one cannot lose it.
                fs::remove_file(&self.part).map_err(|e| OutputError::Io(self.part.clone(), e))
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                Err(OutputError::Exists(self.dest.clone()))
            }
            Err(_) => {
                // No hard links here (some file systems): check, then rename. A file that
                // appears between the two is replaced: the one race this fallback has.
                if fs::symlink_metadata(&self.dest).is_ok() {
                    return Err(OutputError::Exists(self.dest.clone()));
                }
                fs::rename(&self.part, &self.dest)
                    .map_err(|e| OutputError::Io(self.dest.clone(), e))
            }
        }
    }

    fn file(&mut self) -> io::Result<&mut File> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("write to a committed PartFile"))
    }
}

impl Write for PartFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file()?.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file()?.flush()
    }
}

impl Drop for PartFile {
    /// Removes the `.part` file (an unfinished download, or a failed commit).
    fn drop(&mut self) {
        self.file = None;
        if !self.settled {
            // Best effort: there is no one left to report a failure to.
            let _ = fs::remove_file(&self.part);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh directory under the system's temp dir, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            static COUNT: AtomicUsize = AtomicUsize::new(0);
            let n = COUNT.fetch_add(1, Ordering::Relaxed);
            let path =
                std::env::temp_dir().join(format!("downloader-output-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&path);
            fs::create_dir_all(&path).unwrap();
            TempDir(path)
        }

        fn names(&self) -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(&self.0)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn names_from_urls() {
        let name = |url: &str| file_name_for(&Url::parse(url).unwrap());
        assert_eq!(name("http://h/a/b.tar.gz?x=1"), "b.tar.gz");
        assert_eq!(name("http://h/"), "index.html");
        assert_eq!(name("http://h"), "index.html");
        assert_eq!(name("http://h/dir/"), "index.html");
        assert_eq!(name("http://h/a/.."), "index.html");
        assert_eq!(name("http://h/a%2Fb"), "a%2Fb");
        assert_eq!(name("http://h/%2e%2e"), "%2e%2e");
        assert_eq!(name("http://h/.hidden"), ".hidden");
    }

    #[test]
    fn written_then_renamed() {
        let dir = TempDir::new();
        let mut part = PartFile::create(&dir.0, "f.bin", false).unwrap();
        assert_eq!(dir.names(), ["f.bin.part"]);
        part.write_all(b"abc").unwrap();
        part.write_all(b"def").unwrap();
        assert_eq!(part.written(), 6);
        let path = part.commit(6).unwrap();
        assert_eq!(path, dir.0.join("f.bin"));
        assert_eq!(fs::read(&path).unwrap(), b"abcdef");
        assert_eq!(dir.names(), ["f.bin"]);
    }

    #[test]
    fn dropped_before_commit_leaves_nothing() {
        let dir = TempDir::new();
        let mut part = PartFile::create(&dir.0, "f.bin", false).unwrap();
        part.write_all(b"half").unwrap();
        drop(part);
        assert!(dir.names().is_empty());
    }

    #[test]
    fn wrong_length_leaves_nothing() {
        let dir = TempDir::new();
        let mut part = PartFile::create(&dir.0, "f.bin", false).unwrap();
        part.write_all(b"abc").unwrap();
        assert!(matches!(
            part.commit(4),
            Err(OutputError::LengthMismatch {
                expected: 4,
                written: 3
            })
        ));
        assert!(dir.names().is_empty());
    }

    #[test]
    fn existing_file_is_kept_without_force() {
        let dir = TempDir::new();
        fs::write(dir.0.join("f.bin"), b"old").unwrap();
        let error = PartFile::create(&dir.0, "f.bin", false).unwrap_err();
        assert!(matches!(&error, OutputError::Exists(p) if p == &dir.0.join("f.bin")));
        assert!(
            error
                .to_string()
                .ends_with("f.bin exists (use --force to overwrite it)")
        );
        assert_eq!(fs::read(dir.0.join("f.bin")).unwrap(), b"old");
        assert_eq!(dir.names(), ["f.bin"]);
    }

    #[test]
    fn file_appearing_during_the_download_is_kept() {
        let dir = TempDir::new();
        let mut part = PartFile::create(&dir.0, "f.bin", false).unwrap();
        part.write_all(b"new").unwrap();
        fs::write(dir.0.join("f.bin"), b"theirs").unwrap();
        assert!(matches!(part.commit(3), Err(OutputError::Exists(_))));
        assert_eq!(fs::read(dir.0.join("f.bin")).unwrap(), b"theirs");
        assert_eq!(dir.names(), ["f.bin"]);
    }

    #[test]
    fn force_replaces_the_file_and_a_stale_part() {
        let dir = TempDir::new();
        fs::write(dir.0.join("f.bin"), b"old").unwrap();
        fs::write(dir.0.join("f.bin.part"), b"stale").unwrap();
        let mut part = PartFile::create(&dir.0, "f.bin", true).unwrap();
        part.write_all(b"new").unwrap();
        part.commit(3).unwrap();
        assert_eq!(fs::read(dir.0.join("f.bin")).unwrap(), b"new");
        assert_eq!(dir.names(), ["f.bin"]);
    }

    #[test]
    fn a_part_in_the_way_is_an_error_without_force() {
        let dir = TempDir::new();
        let first = PartFile::create(&dir.0, "f.bin", false).unwrap();
        let error = PartFile::create(&dir.0, "f.bin", false).unwrap_err();
        assert!(matches!(error, OutputError::PartExists(_)));
        assert!(
            error
                .to_string()
                .contains("another download of this file is running")
        );
        drop(first);
        assert!(
            dir.names().is_empty(),
            "the failed create did not remove the other's part"
        );
    }

    #[test]
    fn names_that_are_not_plain() {
        let dir = TempDir::new();
        for name in ["", ".", "..", "a/b", "../x", "/etc/passwd", "a\0b"] {
            assert!(
                matches!(
                    PartFile::create(&dir.0, name, true),
                    Err(OutputError::InvalidName(_))
                ),
                "{name:?}"
            );
        }
        assert!(dir.names().is_empty());
    }

    #[test]
    fn missing_directory_is_an_io_error() {
        let dir = TempDir::new();
        let error = PartFile::create(&dir.0.join("nope"), "f", false).unwrap_err();
        assert!(matches!(error, OutputError::Io(_, _)), "{error}");
    }
}

//! Files without blocking the hub: the calls of [`std::fs`], each run on the blocking pool
//! ([`try_spawn_blocking`]) while the hub runs other tasks — the route gevent takes (its
//! `FileObjectThread`, the default `FileObject`), since regular files are always "ready" to a
//! poller and their reads block in the kernel all the same.
//!
//! ```
//! use corogen::hub::{Hub, fs};
//!
//! let hub = Hub::new();
//! let path = std::env::temp_dir().join(format!("corogen-fs-doc-{}", std::process::id()));
//! let text = hub.block_on(async {
//!     fs::write(&path, "written on the pool").await?;
//!     let text = fs::read_to_string(&path).await?;
//!     fs::remove_file(&path).await?;
//!     std::io::Result::Ok(text)
//! });
//! assert_eq!(text.unwrap(), "written on the pool");
//! ```
//!
//! Every call takes owned copies of its arguments to the pool thread (a path, the bytes to
//! write) and brings the result back. A call whose task is killed, or that a timeout gives up,
//! still runs to its end on the pool: the write is done, the file's position moves.
//!
//! Where there are no threads (wasm without atomics: `wasm32-wasip1`) there is no pool, and
//! each call runs at once on the hub's thread, blocking it, as `std::fs` would.

use std::fs::{self as std_fs, Metadata, Permissions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::base::threads_available;
use super::blocking::try_spawn_blocking;

/// Runs `f` on the blocking pool and waits for it cooperatively; without threads, runs it
/// here.
async fn blocking<T, F>(f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    if !threads_available() {
        return f();
    }
    try_spawn_blocking(f)?.await
}

/// Defines async forms of `std::fs` functions that take paths and give `io::Result`s.
macro_rules! fs_calls {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ident),*) -> $ret:ty;
    )*) => {$(
        $(#[$doc])*
        ///
        /// # Errors
        #[doc = concat!("As [`std::fs::", stringify!($name), "`]; or the blocking pool's, if it cannot start a thread.")]
        ///
        /// # Panics
        /// Outside a running hub (where there are threads).
        pub async fn $name($($arg: impl AsRef<$ty>),*) -> io::Result<$ret> {
            $(let $arg = $arg.as_ref().to_owned();)*
            blocking(move || std_fs::$name($($arg),*)).await
        }
    )*};
}

fs_calls! {
    /// Reads a whole file (std's [`read`](std::fs::read)).
    fn read(path: Path) -> Vec<u8>;
    /// Reads a whole UTF-8 file (std's [`read_to_string`](std::fs::read_to_string)).
    fn read_to_string(path: Path) -> String;
    /// The metadata of a file or folder, following symbolic links.
    fn metadata(path: Path) -> Metadata;
    /// The metadata of a file, folder or symbolic link, not following it.
    fn symlink_metadata(path: Path) -> Metadata;
    /// The absolute path with every symbolic link resolved.
    fn canonicalize(path: Path) -> PathBuf;
    /// Where a symbolic link points.
    fn read_link(path: Path) -> PathBuf;
    /// Makes a folder.
    fn create_dir(path: Path) -> ();
    /// Makes a folder and every missing parent.
    fn create_dir_all(path: Path) -> ();
    /// Removes a file.
    fn remove_file(path: Path) -> ();
    /// Removes an empty folder.
    fn remove_dir(path: Path) -> ();
    /// Removes a folder and everything in it.
    fn remove_dir_all(path: Path) -> ();
    /// Renames a file or folder, replacing `to` if it is a file.
    fn rename(from: Path, to: Path) -> ();
    /// Copies a file's contents and permissions; gives the bytes copied.
    fn copy(from: Path, to: Path) -> u64;
    /// Makes a hard link `link` to `original`.
    fn hard_link(original: Path, link: Path) -> ();
}

/// Writes `contents` as the whole file, making it if need be (std's
/// [`write`](std::fs::write)).
///
/// # Errors
/// As [`std::fs::write`]; or the blocking pool's, if it cannot start a thread.
///
/// # Panics
/// Outside a running hub (where there are threads).
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let (path, contents) = (path.as_ref().to_owned(), contents.as_ref().to_owned());
    blocking(move || std_fs::write(path, contents)).await
}

/// Whether `path` exists (std's [`try_exists`](std::fs::exists)).
///
/// # Errors
/// As [`std::fs::exists`]; or the blocking pool's, if it cannot start a thread.
///
/// # Panics
/// Outside a running hub (where there are threads).
pub async fn exists(path: impl AsRef<Path>) -> io::Result<bool> {
    let path = path.as_ref().to_owned();
    blocking(move || path.try_exists()).await
}

/// Sets the permissions of a file or folder.
///
/// # Errors
/// As [`std::fs::set_permissions`]; or the blocking pool's, if it cannot start a thread.
///
/// # Panics
/// Outside a running hub (where there are threads).
pub async fn set_permissions(path: impl AsRef<Path>, permissions: Permissions) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    blocking(move || std_fs::set_permissions(path, permissions)).await
}

/// The entries of a folder, read all at once (std's [`read_dir`](std::fs::read_dir), collected:
/// each step of std's iterator may block).
///
/// # Errors
/// As [`std::fs::read_dir`] and its entries; or the blocking pool's, if it cannot start a
/// thread.
///
/// # Panics
/// Outside a running hub (where there are threads).
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<Vec<std_fs::DirEntry>> {
    let path = path.as_ref().to_owned();
    blocking(move || std_fs::read_dir(path)?.collect()).await
}

/// An open file whose reads, writes and seeks run on the blocking pool: [`std::fs::File`]
/// with the same calls, awaited.
///
/// Reads, writes and seeks take `&mut self`, so that one handle's calls happen in order; the
/// others take `&self`.
///
/// ```
/// use corogen::hub::{Hub, fs::File};
/// use std::io::SeekFrom;
///
/// let hub = Hub::new();
/// let path = std::env::temp_dir().join(format!("corogen-file-doc-{}", std::process::id()));
/// let tail = hub.block_on(async {
///     let mut file = File::create(&path).await?;
///     file.write_all(b"hello, file").await?;
///     file.sync_all().await?;
///     let mut file = File::open(&path).await?;
///     file.seek(SeekFrom::Start(7)).await?;
///     let mut tail = String::new();
///     file.read_to_string(&mut tail).await?;
///     corogen::hub::fs::remove_file(&path).await?;
///     std::io::Result::Ok(tail)
/// });
/// assert_eq!(tail.unwrap(), "file");
/// ```
#[derive(Debug)]
pub struct File {
    std: Arc<std_fs::File>,
}

impl File {
    /// Opens a file for reading (std's [`File::open`](std::fs::File::open)).
    ///
    /// # Errors
    /// As std's; or the blocking pool's, if it cannot start a thread.
    ///
    /// # Panics
    /// Outside a running hub (where there are threads).
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Opens a file for writing, made if missing and emptied if not (std's
    /// [`File::create`](std::fs::File::create)).
    ///
    /// # Errors
    /// As std's; or the blocking pool's, if it cannot start a thread.
    ///
    /// # Panics
    /// Outside a running hub (where there are threads).
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Options to open a file with (std's [`File::options`](std::fs::File::options)).
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Adopts a standard file.
    pub fn from_std(file: std_fs::File) -> File {
        File {
            std: Arc::new(file),
        }
    }

    /// Runs `f` on the file, on the pool.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&std_fs::File) -> io::Result<T> + Send + 'static,
    ) -> io::Result<T> {
        let file = Arc::clone(&self.std);
        blocking(move || f(&file)).await
    }

    /// Reads into `buf`; `Ok(0)` at the end of the file.
    ///
    /// # Errors
    /// As std's; or the blocking pool's, if it cannot start a thread.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let len = buf.len();
        let data = self
            .with(move |mut file| {
                let mut data = vec![0; len];
                let n = file.read(&mut data)?;
                data.truncate(n);
                Ok(data)
            })
            .await?;
        buf[..data.len()].copy_from_slice(&data);
        Ok(data.len())
    }

    /// Reads to the end of the file, appending to `buf`; gives how many bytes it read.
    ///
    /// # Errors
    /// As std's; or the blocking pool's, if it cannot start a thread.
    pub async fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let data = self
            .with(|mut file| {
                let mut data = Vec::new();
                file.read_to_end(&mut data)?;
                Ok(data)
            })
            .await?;
        buf.extend_from_slice(&data);
        Ok(data.len())
    }

    /// Reads the rest of a UTF-8 file, appending to `buf`.
    ///
    /// # Errors
    /// `InvalidData` if it is not UTF-8, or as std's; or the blocking pool's, if it cannot
    /// start a thread.
    pub async fn read_to_string(&mut self, buf: &mut String) -> io::Result<usize> {
        let data = self
            .with(|mut file| {
                let mut data = String::new();
                file.read_to_string(&mut data)?;
                Ok(data)
            })
            .await?;
        buf.push_str(&data);
        Ok(data.len())
    }

    /// Writes some of `buf`, giving how much.
    ///
    /// # Errors
    /// As std's; or the blocking pool's, if it cannot start a thread.
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let data = buf.to_owned();
        self.with(move |mut file| file.write(&data)).await
    }

    /// Writes all of `buf`.
    ///
    /// # Errors
    /// As std's; or the blocking pool's, if it cannot start a thread.
    pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let data = buf.to_owned();
        self.with(move |mut file| file.write_all(&data)).await
    }

    /// Moves the file's position (std's [`Seek::seek`]).
    ///
    /// # Errors
    /// As std's; or the blocking pool's, if it cannot start a thread.
    pub async fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.with(move |mut file| file.seek(pos)).await
    }

    /// Flushes the OS's buffers of the file's data and metadata to the disk.
    ///
    /// # Errors
    /// As std's; or the blocking pool's, if it cannot start a thread.
    pub async fn sync_all(&self) -> io::Result<()> {
        self.with(std_fs::File::sync_all).await
    }

    /// As [`sync_all`](Self::sync_all), for the data only.
    ///
    /// # Errors
    /// As std's; or the blocking pool's, if it cannot start a thread.
    pub async fn sync_data(&self) -> io::Result<()> {
        self.with(std_fs::File::sync_data).await
    }

    /// Truncates or extends the file to `size` bytes.
    ///
    /// # Errors
    /// As std's; or the blocking pool's, if it cannot start a thread.
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        self.with(move |file| file.set_len(size)).await
    }

    /// The file's metadata.
    ///
    /// # Errors
    /// As std's; or the blocking pool's, if it cannot start a thread.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        self.with(std_fs::File::metadata).await
    }

    /// The standard file, once no call of this one is running on the pool; `Err(self)` while
    /// one is (one a timeout gave up).
    ///
    /// # Errors
    /// `self` back, while a call of it runs on the pool.
    pub fn try_into_std(self) -> Result<std_fs::File, File> {
        Arc::try_unwrap(self.std).map_err(|std| File { std })
    }
}

/// How to open a [`File`]: std's [`OpenOptions`](std::fs::OpenOptions), opening on the pool.
#[derive(Clone, Debug)]
pub struct OpenOptions(std_fs::OpenOptions);

impl OpenOptions {
    /// No access at all yet (std's [`OpenOptions::new`](std::fs::OpenOptions::new)).
    pub fn new() -> OpenOptions {
        OpenOptions(std_fs::OpenOptions::new())
    }

    /// Opens for reading.
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.0.read(read);
        self
    }

    /// Opens for writing.
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.0.write(write);
        self
    }

    /// Opens for appending.
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.0.append(append);
        self
    }

    /// Empties the file when opening it.
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.0.truncate(truncate);
        self
    }

    /// Makes the file if it is missing.
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.0.create(create);
        self
    }

    /// Makes the file, failing if it exists.
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.0.create_new(create_new);
        self
    }

    /// Opens `path` with these options.
    ///
    /// # Errors
    /// As std's [`OpenOptions::open`](std::fs::OpenOptions::open); or the blocking pool's, if
    /// it cannot start a thread.
    ///
    /// # Panics
    /// Outside a running hub (where there are threads).
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let (options, path) = (self.0.clone(), path.as_ref().to_owned());
        blocking(move || options.open(path))
            .await
            .map(File::from_std)
    }
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions::new()
    }
}

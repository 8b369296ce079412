//! A child's pipes: non-blocking descriptors waited on in the hub's I/O poller, as sockets are
//! ([`IoCell`]).

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::rc::Rc;

use crate::hub::base::reactor::Direction;
use crate::hub::net::source::IoCell;
use crate::hub::task::{IoHandle, IoSource};

/// Puts the parent's end of a pipe in non-blocking mode (the child's end, another open file,
/// keeps its mode) and wraps it.
fn nonblocking(fd: OwnedFd) -> io::Result<Rc<IoCell<File>>> {
    let raw = fd.as_raw_fd();
    // SAFETY: `fcntl` on a descriptor that `fd` keeps open; F_GETFL and F_SETFL take and give
    // integers only.
    let flags = unsafe { libc::fcntl(raw, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // A `File` only for its `Read`/`Write` on `&File`: plain `read`/`write` calls.
    Ok(Rc::new(IoCell::new(File::from(fd))))
}

/// Reading to the end, for [`Child::wait_with_output`](super::Child::wait_with_output).
pub(crate) trait ReadPipe {
    async fn read_to_end_into(&self, buf: &mut Vec<u8>) -> io::Result<usize>;
}

/// The reading methods of [`ChildStdout`] and [`ChildStderr`].
macro_rules! read_pipe {
    ($name:ident, $std:ty, $stream:literal) => {
        #[doc = concat!("The child's ", $stream, ", when it was piped: read it cooperatively.")]
        ///
        /// Methods take `&self`; each read is tried at once and waits only if nothing is there.
        pub struct $name {
            cell: Rc<IoCell<File>>,
        }

        impl $name {
            pub(super) fn new(pipe: $std) -> io::Result<Self> {
                Ok($name {
                    cell: nonblocking(OwnedFd::from(pipe))?,
                })
            }

            /// Reads into `buf`, waiting until some data comes; `Ok(0)` at the end (the child
            /// closed it, or exited).
            ///
            /// # Errors
            /// The pipe's; `Unsupported` on a virtual hub.
            ///
            /// # Panics
            /// Outside a running hub.
            pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
                self.cell.retry(Direction::Read, |mut f| f.read(buf)).await
            }

            /// Reads to the end, appending to `buf`; returns how many bytes it read.
            ///
            /// # Errors
            /// As [`read`](Self::read).
            ///
            /// # Panics
            /// Outside a running hub.
            pub async fn read_to_end(&self, buf: &mut Vec<u8>) -> io::Result<usize> {
                read_to_end(&self.cell, buf).await
            }

            /// Reads to the end, appending to `buf`, which must stay UTF-8.
            ///
            /// # Errors
            /// `InvalidData` if what was read is not UTF-8 (`buf` is left as it was), or as
            /// [`read`](Self::read).
            ///
            /// # Panics
            /// Outside a running hub.
            pub async fn read_to_string(&self, buf: &mut String) -> io::Result<usize> {
                let mut bytes = Vec::new();
                let read = read_to_end(&self.cell, &mut bytes).await?;
                let text = String::from_utf8(bytes).map_err(|error| {
                    io::Error::new(io::ErrorKind::InvalidData, error.utf8_error())
                })?;
                buf.push_str(&text);
                Ok(read)
            }

            /// Reads what is there without waiting: `WouldBlock` if nothing is (then wait with
            /// [`op::readable`](crate::hub::op::readable), in a generator task).
            ///
            /// # Errors
            /// `WouldBlock`, or the pipe's error.
            pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
                self.cell.try_io(Direction::Read, |mut f| f.read(buf))
            }

            /// Waits until a read may make progress (data, or the end).
            ///
            /// # Errors
            /// `Unsupported` on a virtual hub.
            pub async fn readable(&self) -> io::Result<()> {
                self.cell.ready(Direction::Read).await
            }
        }

        impl ReadPipe for $name {
            async fn read_to_end_into(&self, buf: &mut Vec<u8>) -> io::Result<usize> {
                self.read_to_end(buf).await
            }
        }

        impl IoSource for $name {
            fn io_handle(&self) -> IoHandle {
                IoHandle(self.cell.clone())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("fd", &self.cell.get_ref().as_raw_fd())
                    .finish()
            }
        }
    };
}

read_pipe!(ChildStdout, std::process::ChildStdout, "stdout");
read_pipe!(ChildStderr, std::process::ChildStderr, "stderr");

async fn read_to_end(cell: &IoCell<File>, buf: &mut Vec<u8>) -> io::Result<usize> {
    let start = buf.len();
    loop {
        if buf.capacity() - buf.len() < 4096 {
            buf.reserve(8192);
        }
        let len = buf.len();
        buf.resize(buf.capacity(), 0);
        let read = cell
            .retry(Direction::Read, |mut f| f.read(&mut buf[len..]))
            .await;
        match read {
            Ok(0) => {
                buf.truncate(len);
                return Ok(len - start);
            }
            Ok(n) => buf.truncate(len + n),
            Err(error) => {
                buf.truncate(len);
                return Err(error);
            }
        }
    }
}

/// The child's stdin, when it was piped: write to it cooperatively; drop it to close it (the
/// end of the child's input).
pub struct ChildStdin {
    cell: Rc<IoCell<File>>,
}

impl ChildStdin {
    pub(super) fn new(pipe: std::process::ChildStdin) -> io::Result<Self> {
        Ok(ChildStdin {
            cell: nonblocking(OwnedFd::from(pipe))?,
        })
    }

    /// Writes some of `buf`, waiting until the pipe takes at least one byte.
    ///
    /// # Errors
    /// The pipe's (`BrokenPipe` once the child closed its end); `Unsupported` on a virtual
    /// hub.
    ///
    /// # Panics
    /// Outside a running hub.
    pub async fn write(&self, buf: &[u8]) -> io::Result<usize> {
        self.cell
            .retry(Direction::Write, |mut f| f.write(buf))
            .await
    }

    /// Writes all of `buf`.
    ///
    /// # Errors
    /// As [`write`](Self::write); `WriteZero` if the pipe takes nothing.
    ///
    /// # Panics
    /// Outside a running hub.
    pub async fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        let mut written = 0;
        while written < buf.len() {
            match self
                .cell
                .retry(Direction::Write, |mut f| f.write(&buf[written..]))
                .await?
            {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => written += n,
            }
        }
        Ok(())
    }

    /// Writes what the pipe takes without waiting: `WouldBlock` if it takes nothing (then wait
    /// with [`op::writable`](crate::hub::op::writable), in a generator task).
    ///
    /// # Errors
    /// `WouldBlock`, or the pipe's error.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.cell.try_io(Direction::Write, |mut f| f.write(buf))
    }

    /// Waits until a write may make progress.
    ///
    /// # Errors
    /// `Unsupported` on a virtual hub.
    pub async fn writable(&self) -> io::Result<()> {
        self.cell.ready(Direction::Write).await
    }
}

impl IoSource for ChildStdin {
    fn io_handle(&self) -> IoHandle {
        IoHandle(self.cell.clone())
    }
}

impl fmt::Debug for ChildStdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildStdin")
            .field("fd", &self.cell.get_ref().as_raw_fd())
            .finish()
    }
}

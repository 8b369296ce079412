//! Cooperative child processes: gevent's `gevent.subprocess`, as `std::process` is shaped.
//!
//! [`Command`] builds a process as [`std::process::Command`] does; [`Command::spawn`] gives a
//! [`Child`] whose pipes ([`ChildStdin`], [`ChildStdout`], [`ChildStderr`]) are non-blocking and
//! wait in the hub's I/O poller like sockets, and whose [`wait`](Child::wait) lets the hub run
//! other tasks until the process exits. [`Command::output`] and [`Command::status`] do it all
//! at once.
//!
//! ```
//! use corogen::hub::{Hub, process::Command};
//!
//! let hub = Hub::new();
//! let output = hub.block_on(Command::new("sh").arg("-c").arg("echo hello; echo oops >&2").output());
//! let output = output.unwrap();
//! assert!(output.status.success());
//! assert_eq!(output.stdout, b"hello\n");
//! assert_eq!(output.stderr, b"oops\n");
//! ```
//!
//! # How a child's exit is seen
//!
//! On Linux (5.3 and later) a child's wait holds a *pidfd* (`pidfd_open`), a descriptor that
//! becomes readable when the process exits: the hub waits for it in its poller like a socket,
//! with no thread, no signal handler and nothing shared with the rest of the process. Where
//! there is no pidfd (other Unix systems, older kernels, a sandbox that refuses the call) the
//! wait registers for `SIGCHLD` (through [`signal`](super::signal)) and checks its child again
//! at each one. Either way the status is taken with `waitpid` on that child only
//! ([`std::process::Child::try_wait`]), never on "any child", so other code's children are
//! left alone.
//!
//! Not the blocking pool's `waitpid`: it would hold one of its few threads
//! ([`MAX_THREADS`](super::MAX_THREADS)) for each child's whole life, and a wait given up (a
//! timeout, a kill) would leave that thread blocked until the child exits.
//!
//! # As in `std`
//!
//! Dropping a [`Child`] neither kills nor waits for it. [`Child::wait`] closes the child's
//! stdin first. Waiting needs a hub on the real clock: on a virtual hub it fails with an
//! [`io::ErrorKind::Unsupported`] error (as sockets do), unless the child has exited already.
//!
//! A generator task reads and writes the pipes with `try_read`/`try_write` and waits with
//! [`op::readable`](super::op::readable)/[`op::writable`](super::op::writable); for the exit, it
//! spawns an async task that waits and joins it.

mod pipe;
#[cfg(test)]
mod tests;

use std::ffi::OsStr;
use std::fmt;
use std::future::{Future, poll_fn};
use std::io;
use std::path::Path;
use std::pin::pin;
use std::task::Poll;

pub use pipe::{ChildStderr, ChildStdin, ChildStdout};
pub use std::process::{ExitStatus, Output, Stdio};

use super::base::reactor::Direction;
use super::net::source::{IoCell, virtual_clock_error};
use super::signal::ChildSignal;

#[cfg(test)]
thread_local! {
    /// Tests of the `SIGCHLD` fallback: waits on this thread do not use a pidfd.
    pub(crate) static FORCE_SIGCHLD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A process to start: [`std::process::Command`], started as a [`Child`] of the hub.
///
/// The builder methods are std's; [`as_std_mut`](Self::as_std_mut) reaches the rest (and
/// `std::os::unix::process::CommandExt`).
///
/// ```
/// use corogen::hub::{Hub, process::{Command, Stdio}};
///
/// let hub = Hub::new();
/// let upper = hub.block_on(async {
///     let mut child = Command::new("tr")
///         .arg("a-z")
///         .arg("A-Z")
///         .stdin(Stdio::piped())
///         .stdout(Stdio::piped())
///         .spawn()
///         .unwrap();
///     let stdin = child.stdin.take().unwrap();
///     stdin.write_all(b"shout").await.unwrap();
///     drop(stdin); // the end of tr's input
///     let mut upper = String::new();
///     child.stdout.as_ref().unwrap().read_to_string(&mut upper).await.unwrap();
///     assert!(child.wait().await.unwrap().success());
///     upper
/// });
/// assert_eq!(upper, "SHOUT");
/// ```
pub struct Command {
    std: std::process::Command,
    /// Which of stdin, stdout and stderr were set: the others get the default of the call
    /// that starts the process (inherited, or `output`'s null and pipes), as in std.
    set: [bool; 3],
}

impl Command {
    /// A command to run `program` (std's [`new`](std::process::Command::new)).
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command::from(std::process::Command::new(program))
    }

    /// Adds an argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.std.arg(arg);
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std.args(args);
        self
    }

    /// Sets an environment variable.
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Command {
        self.std.env(key, value);
        self
    }

    /// Sets environment variables.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.envs(vars);
        self
    }

    /// Removes an environment variable.
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.std.env_remove(key);
        self
    }

    /// Clears the environment.
    pub fn env_clear(&mut self) -> &mut Command {
        self.std.env_clear();
        self
    }

    /// Sets the working directory.
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.std.current_dir(dir);
        self
    }

    /// Sets the child's stdin ([`Stdio::piped`] gives [`Child::stdin`]).
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdin(cfg);
        self.set[0] = true;
        self
    }

    /// Sets the child's stdout ([`Stdio::piped`] gives [`Child::stdout`]).
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdout(cfg);
        self.set[1] = true;
        self
    }

    /// Sets the child's stderr ([`Stdio::piped`] gives [`Child::stderr`]).
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stderr(cfg);
        self.set[2] = true;
        self
    }

    /// The standard command inside.
    pub fn as_std(&self) -> &std::process::Command {
        &self.std
    }

    /// The standard command inside, for what it has that this does not.
    pub fn as_std_mut(&mut self) -> &mut std::process::Command {
        &mut self.std
    }

    /// Starts the process; stdin, stdout and stderr not set are inherited. Starting does not
    /// wait (a `fork` and an `exec`), so it needs no hub.
    ///
    /// # Errors
    /// As std's [`spawn`](std::process::Command::spawn) (`NotFound`…), naming the program;
    /// or the error of making a pipe non-blocking.
    pub fn spawn(&mut self) -> io::Result<Child> {
        self.spawn_with([Stdio::inherit, Stdio::inherit, Stdio::inherit])
    }

    fn spawn_with(&mut self, defaults: [fn() -> Stdio; 3]) -> io::Result<Child> {
        let [stdin, stdout, stderr] = defaults;
        if !self.set[0] {
            self.std.stdin(stdin());
        }
        if !self.set[1] {
            self.std.stdout(stdout());
        }
        if !self.set[2] {
            self.std.stderr(stderr());
        }
        let child = self.std.spawn().map_err(|error| {
            io::Error::new(
                error.kind(),
                format!("cannot run {:?}: {error}", self.std.get_program()),
            )
        })?;
        Child::new(child)
    }

    /// Runs the process to its end and collects what it wrote (std's
    /// [`output`](std::process::Command::output)): stdout and stderr are piped and stdin is
    /// null, unless they were set.
    ///
    /// # Errors
    /// As [`spawn`](Self::spawn) and [`Child::wait_with_output`].
    ///
    /// # Panics
    /// Outside a running hub.
    pub async fn output(&mut self) -> io::Result<Output> {
        self.spawn_with([Stdio::null, Stdio::piped, Stdio::piped])?
            .wait_with_output()
            .await
    }

    /// Runs the process to its end, stdin, stdout and stderr inherited unless set (std's
    /// [`status`](std::process::Command::status)).
    ///
    /// # Errors
    /// As [`spawn`](Self::spawn) and [`Child::wait`].
    ///
    /// # Panics
    /// Outside a running hub.
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        self.spawn()?.wait().await
    }
}

impl From<std::process::Command> for Command {
    fn from(std: std::process::Command) -> Command {
        Command {
            std,
            set: [false; 3],
        }
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.std, f)
    }
}

/// A running (or exited) child process: [`std::process::Child`], with cooperative pipes and
/// a cooperative [`wait`](Self::wait).
pub struct Child {
    /// The child's stdin, if it was piped. Dropping it closes it.
    pub stdin: Option<ChildStdin>,
    /// The child's stdout, if it was piped.
    pub stdout: Option<ChildStdout>,
    /// The child's stderr, if it was piped.
    pub stderr: Option<ChildStderr>,
    child: std::process::Child,
    /// How a wait learns of the exit, made by the first wait that has to wait.
    exit: Option<ExitWatch>,
}

/// What wakes a wait when its child exits (see the module docs).
enum ExitWatch {
    /// The child's pidfd, readable once it has exited.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    Pidfd(IoCell<std::os::fd::OwnedFd>),
    /// A `SIGCHLD` registration: each one may be this child's exit.
    Signal(ChildSignal),
}

impl Child {
    fn new(mut child: std::process::Child) -> io::Result<Child> {
        Ok(Child {
            stdin: child.stdin.take().map(ChildStdin::new).transpose()?,
            stdout: child.stdout.take().map(ChildStdout::new).transpose()?,
            stderr: child.stderr.take().map(ChildStderr::new).transpose()?,
            child,
            exit: None,
        })
    }

    /// The process's id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process (`SIGKILL`); `Ok` if it has exited already. It does not wait: see
    /// [`wait`](Self::wait).
    ///
    /// # Errors
    /// The OS's.
    pub fn kill(&mut self) -> io::Result<()> {
        self.child.kill()
    }

    /// The exit status if the process has exited, without waiting (std's
    /// [`try_wait`](std::process::Child::try_wait)).
    ///
    /// # Errors
    /// The OS's.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        self.child.try_wait()
    }

    /// Waits until the process exits, the hub running other tasks meanwhile, and gives its
    /// status. Closes the child's stdin first, as std does. Bound it with
    /// [`with_timeout`](super::with_timeout); a wait given up leaves the child running.
    ///
    /// # Errors
    /// The OS's; `Unsupported` on a virtual hub if the child has not exited yet.
    ///
    /// # Panics
    /// Outside a running hub, if the child has not exited yet.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        if let Some(status) = self.child.try_wait()? {
            return Ok(status);
        }
        if super::engine::current().virtual_clock {
            return Err(virtual_clock_error());
        }
        if self.exit.is_none() {
            self.exit = Some(ExitWatch::new(self.child.id())?);
        }
        let Some(exit) = &mut self.exit else {
            unreachable!("made above")
        };
        let child = &mut self.child;
        match exit {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            ExitWatch::Pidfd(pidfd) => {
                pidfd
                    .retry(Direction::Read, |_| match child.try_wait() {
                        Ok(Some(status)) => Ok(status),
                        Ok(None) => Err(io::ErrorKind::WouldBlock.into()),
                        Err(error) => Err(error),
                    })
                    .await
            }
            // Registered before the check: a SIGCHLD after it is not missed.
            ExitWatch::Signal(signal) => loop {
                if let Some(status) = child.try_wait()? {
                    return Ok(status);
                }
                signal.next().await?;
            },
        }
    }

    /// Waits for the process to exit while reading all of its stdout and stderr (those that
    /// were piped), std's [`wait_with_output`](std::process::Child::wait_with_output).
    ///
    /// # Errors
    /// As [`wait`](Self::wait), and the pipes' errors.
    ///
    /// # Panics
    /// Outside a running hub.
    pub async fn wait_with_output(mut self) -> io::Result<Output> {
        drop(self.stdin.take());
        let (stdout, stderr) = (self.stdout.take(), self.stderr.take());
        let (stdout, stderr) = join(read_all(stdout.as_ref()), read_all(stderr.as_ref())).await;
        let status = self.wait().await?;
        Ok(Output {
            status,
            stdout: stdout?,
            stderr: stderr?,
        })
    }

    /// The standard child inside (without its pipes, which are here).
    pub fn as_std(&self) -> &std::process::Child {
        &self.child
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child")
            .field("id", &self.child.id())
            .field("stdin", &self.stdin)
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .finish_non_exhaustive()
    }
}

impl ExitWatch {
    fn new(pid: u32) -> io::Result<ExitWatch> {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if let Some(pidfd) = pidfd_open(pid) {
            return Ok(ExitWatch::Pidfd(IoCell::new(pidfd)));
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let _ = pid;
        ChildSignal::new().map(ExitWatch::Signal)
    }
}

/// The pidfd of the child `pid`, or `None` where the kernel refuses one (too old, or a
/// sandbox): the caller falls back to `SIGCHLD`.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn pidfd_open(pid: u32) -> Option<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    #[cfg(test)]
    if FORCE_SIGCHLD.with(std::cell::Cell::get) {
        return None;
    }
    let pid = libc::pid_t::try_from(pid).ok()?;
    // SAFETY: `pidfd_open(pid, 0)` takes two integers and touches no memory of ours. The child
    // is ours and not waited for yet, so `pid` is still its (a zombie keeps its pid until it
    // is reaped).
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let fd = std::os::fd::RawFd::try_from(fd)
        .ok()
        .filter(|&fd| fd >= 0)?;
    // SAFETY: a descriptor `pidfd_open` just returned: open, and no one else's.
    Some(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) })
}

/// Reads a pipe to its end, if there is a pipe.
async fn read_all(pipe: Option<&impl pipe::ReadPipe>) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    if let Some(pipe) = pipe {
        pipe.read_to_end_into(&mut buf).await?;
    }
    Ok(buf)
}

/// Runs two futures at once, giving both outputs.
async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut a_out, mut b_out) = (None, None);
    poll_fn(|cx| {
        if a_out.is_none() {
            if let Poll::Ready(out) = a.as_mut().poll(cx) {
                a_out = Some(out);
            }
        }
        if b_out.is_none() {
            if let Poll::Ready(out) = b.as_mut().poll(cx) {
                b_out = Some(out);
            }
        }
        if a_out.is_some() && b_out.is_some() {
            Poll::Ready((a_out.take().unwrap(), b_out.take().unwrap()))
        } else {
            Poll::Pending
        }
    })
    .await
}

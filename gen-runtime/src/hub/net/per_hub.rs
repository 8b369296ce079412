//! One address served by every hub of a [`Runtime`](crate::hub::Runtime): [`HubListeners`] and
//! each hub's [`Acceptor`].
//!
//! On Linux each hub gets a listener of its own, bound to the same address with `SO_REUSEPORT`:
//! the kernel spreads the connections over them, and a hub never touches another's accept
//! queue (no lock, no hop). Elsewhere (where `SO_REUSEPORT` does not balance, or is missing)
//! one listener on hub 0 accepts and hands the connections out round-robin through a
//! [`ThreadQueue`] per hub; [`HubListeners::bind_one_acceptor`] asks for that way everywhere.

use std::fmt;
use std::io;
use std::net::{self, SocketAddr};
use std::sync::Mutex;

#[cfg(any(target_os = "linux", target_os = "android"))]
use socket2::{Domain, Protocol, Socket, Type};

#[cfg(any(target_os = "linux", target_os = "android"))]
use super::tcp::BACKLOG;
use super::tcp::bind_std;
use super::{TcpListener, TcpStream, context};
use crate::hub::{self, ThreadQueue};

/// Listeners on one address for the hubs of a runtime: `Send + Sync`, made on any thread, and
/// turned on each hub into that hub's [`Acceptor`] ([`acceptor`](Self::acceptor)).
///
/// ```
/// use corogen::hub::net::{HubListeners, TcpStream};
/// use corogen::hub::{self, Runtime};
/// use std::sync::Arc;
///
/// let runtime = Runtime::new(2);
/// let listeners = Arc::new(HubListeners::bind("127.0.0.1:0".parse().unwrap(), 2).unwrap());
/// let addr = listeners.local_addr();
/// // Hub 1 accepts one connection and says on which hub it did.
/// let server = runtime.hub(1).spawn({
///     let listeners = Arc::clone(&listeners);
///     move || async move {
///         let acceptor = listeners.acceptor(1).unwrap();
///         let (conn, _) = acceptor.accept().await.unwrap();
///         conn.write_all(b"hub 1").await.unwrap();
///     }
/// });
/// let said = runtime.block_on(async move {
///     // Hub 0 takes its acceptor too (with one acceptor, hub 0 is the one that accepts).
///     let _mine = listeners.acceptor(0).unwrap();
///     let mut said = Vec::new();
///     // With SO_REUSEPORT the kernel picks the listener: connect until hub 1's answers.
///     while said.is_empty() {
///         let conn = TcpStream::connect(addr).await.unwrap();
///         let _ = hub::with_timeout(std::time::Duration::from_millis(50), async {
///             let mut buf = [0; 5];
///             if conn.read_exact(&mut buf).await.is_ok() {
///                 said = buf.to_vec();
///             }
///         })
///         .await;
///     }
///     said
/// });
/// assert_eq!(said, b"hub 1");
/// runtime.block_on(server).unwrap();
/// ```
pub struct HubListeners {
    addr: SocketAddr,
    way: Way,
}

enum Way {
    /// One listener per hub, each taken once by its hub.
    ReusePort(Mutex<Vec<Option<net::TcpListener>>>),
    /// One listener, taken by hub 0's acceptor, and each hub's queue of handed-out streams.
    OneAcceptor {
        listener: Mutex<Option<net::TcpListener>>,
        queues: Box<[ThreadQueue<net::TcpStream>]>,
    },
}

impl HubListeners {
    /// Binds `hubs` listeners to `addr` (port 0 picks one free port for all): `SO_REUSEPORT`
    /// listeners on Linux, [one acceptor](Self::bind_one_acceptor) elsewhere.
    ///
    /// # Errors
    /// The bind's error, naming the address.
    ///
    /// # Panics
    /// If `hubs` is zero.
    pub fn bind(addr: SocketAddr, hubs: usize) -> io::Result<HubListeners> {
        assert!(hubs > 0, "corogen hub: listeners for no hub");
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            let first = bind_reuse_port(addr)?;
            let addr = first.local_addr()?;
            let mut listeners = vec![Some(first)];
            for _ in 1..hubs {
                listeners.push(Some(bind_reuse_port(addr)?));
            }
            Ok(HubListeners {
                addr,
                way: Way::ReusePort(Mutex::new(listeners)),
            })
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        HubListeners::bind_one_acceptor(addr, hubs)
    }

    /// Binds one listener to `addr`, whose connections hub 0's acceptor hands out to the hubs
    /// in turn (hub 0 included): what [`bind`](Self::bind) does where there is no
    /// `SO_REUSEPORT`. Each connection then costs a hop between threads; in exchange the
    /// spread is exactly even.
    ///
    /// # Errors
    /// The bind's error, naming the address.
    ///
    /// # Panics
    /// If `hubs` is zero.
    pub fn bind_one_acceptor(addr: SocketAddr, hubs: usize) -> io::Result<HubListeners> {
        assert!(hubs > 0, "corogen hub: listeners for no hub");
        let listener =
            bind_std(addr).map_err(|error| context(error, format_args!("bind to {addr}")))?;
        Ok(HubListeners {
            addr: listener.local_addr()?,
            way: Way::OneAcceptor {
                listener: Mutex::new(Some(listener)),
                queues: (0..hubs).map(|_| ThreadQueue::new()).collect(),
            },
        })
    }

    /// The address every hub listens on (with the port the OS picked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Hub `index`'s acceptor, to call on that hub (in the closure that builds its task). With
    /// one acceptor, hub 0's call also starts the task that accepts for all, on hub 0.
    ///
    /// # Errors
    /// `InvalidInput` if there is no hub `index`, `AlreadyExists` if its acceptor was taken;
    /// the listener's error switching it to the hub.
    pub fn acceptor(&self, index: usize) -> io::Result<Acceptor> {
        let taken = || {
            io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("hub {index}'s acceptor is taken already"),
            )
        };
        let no_hub = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("no hub {index} among these listeners"),
            )
        };
        match &self.way {
            Way::ReusePort(listeners) => {
                let mut listeners = listeners.lock().unwrap_or_else(|p| p.into_inner());
                let slot = listeners.get_mut(index).ok_or_else(no_hub)?;
                let listener = slot.take().ok_or_else(taken)?;
                Ok(Acceptor(Accept::Own(TcpListener::from_std(listener)?)))
            }
            Way::OneAcceptor { listener, queues } => {
                let queue = queues.get(index).ok_or_else(no_hub)?.clone();
                if index == 0 {
                    let mut listener = listener.lock().unwrap_or_else(|p| p.into_inner());
                    let listener = TcpListener::from_std(listener.take().ok_or_else(taken)?)?;
                    drop(hub::spawn(hand_out(listener, queues.clone())));
                }
                Ok(Acceptor(Accept::Handed(queue)))
            }
        }
    }
}

impl fmt::Debug for HubListeners {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let way = match self.way {
            Way::ReusePort(_) => "SO_REUSEPORT",
            Way::OneAcceptor { .. } => "one acceptor",
        };
        f.debug_struct("HubListeners")
            .field("addr", &self.addr)
            .field("way", &way)
            .finish()
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn bind_reuse_port(addr: SocketAddr) -> io::Result<net::TcpListener> {
    let bind = || {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        socket.set_reuse_address(true)?;
        socket.set_reuse_port(true)?;
        socket.bind(&addr.into())?;
        socket.listen(BACKLOG)?;
        Ok(socket.into())
    };
    bind().map_err(|error| context(error, format_args!("bind to {addr} (SO_REUSEPORT)")))
}

/// Hub 0's task with one acceptor: accepts for ever, handing each connection to the next hub.
/// It ends when its listener fails for good or no hub takes connections any more.
async fn hand_out(listener: TcpListener, queues: Box<[ThreadQueue<net::TcpStream>]>) {
    for next in (0..queues.len()).cycle() {
        match listener.accept_std().await {
            Ok(stream) => {
                if queues[next].try_put(stream).is_err() {
                    return; // unbounded: never full
                }
            }
            Err(error) => {
                eprintln!("accept: {error}");
                hub::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
    }
}

/// One hub's side of [`HubListeners`]: its own listener, or its queue of handed-out
/// connections. `!Send`, as a [`TcpListener`] is: it lives on its hub.
pub struct Acceptor(Accept);

enum Accept {
    Own(TcpListener),
    Handed(ThreadQueue<net::TcpStream>),
}

impl Acceptor {
    /// Waits for this hub's next connection.
    ///
    /// # Errors
    /// The listener's error (running out of descriptors…), or the stream's switching it to
    /// this hub.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        match &self.0 {
            Accept::Own(listener) => listener.accept().await,
            Accept::Handed(queue) => {
                let stream = queue.get().await;
                let peer = stream.peer_addr()?;
                Ok((TcpStream::from_std(stream)?, peer))
            }
        }
    }
}

impl From<TcpListener> for Acceptor {
    /// A plain listener, for a server of one hub.
    fn from(listener: TcpListener) -> Acceptor {
        Acceptor(Accept::Own(listener))
    }
}

impl fmt::Debug for Acceptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Accept::Own(listener) => f.debug_tuple("Acceptor").field(listener).finish(),
            Accept::Handed(queue) => f
                .debug_struct("Acceptor")
                .field("handed", &queue.len())
                .finish(),
        }
    }
}

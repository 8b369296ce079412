//! Socket tests that need the crate's internals: the oneshot fallback (forced; this platform
//! has edge-triggered polling) and a connect that hangs (socket2's backlog control). Miri
//! cannot run sockets.
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::rc::Rc;
use std::time::Duration;

use crate::hub::base::reactor::FORCE_ONESHOT;
use crate::hub::net::{TcpListener, TcpStream};
use crate::hub::{self, Hub};

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run sockets")]
fn oneshot_mode_echoes_in_both_directions() {
    FORCE_ONESHOT.with(|force| force.set(true));
    let hub = Hub::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    hub.spawn(async move {
        let (conn, _) = listener.accept().await.unwrap();
        let mut buf = vec![0; 65536];
        loop {
            match conn.read(&mut buf).await.unwrap() {
                0 => break,
                n => conn.write_all(&buf[..n]).await.unwrap(),
            }
        }
    });
    let payload: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    let expected = payload.clone();
    let echoed = hub.block_on(async move {
        let conn = Rc::new(TcpStream::connect(addr).await.unwrap());
        let reader = Rc::clone(&conn);
        let reading = hub::spawn(async move {
            let mut echoed = Vec::new();
            reader.read_to_end(&mut echoed).await.unwrap();
            echoed
        });
        conn.write_all(&payload).await.unwrap();
        conn.shutdown(Shutdown::Write).unwrap();
        reading.get().await.unwrap()
    });
    FORCE_ONESHOT.with(|force| force.set(false));
    assert!(!hub.inner.driver.reactor().unwrap().edge_triggered());
    assert!(echoed == expected, "the echo differs");
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run sockets")]
fn connect_timeout_gives_up_on_a_listener_that_never_answers() {
    // A listener with a backlog of one whose queue is full: the kernel drops further SYNs,
    // so the next connect hangs until its timeout.
    let Some((_listener, addr, _held)) = listener_with_full_backlog() else {
        return; // this kernel answers anyway: nothing to test here
    };
    let hub = Hub::new();
    let started = std::time::Instant::now();
    let error = hub.block_on(async move {
        TcpStream::connect_timeout(addr, Duration::from_millis(100))
            .await
            .unwrap_err()
    });
    assert_eq!(error.kind(), io::ErrorKind::TimedOut, "{error}");
    assert!(
        error
            .to_string()
            .contains(&format!("connect to {addr} timed out after 100ms")),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A listener whose accept queue is full, if the kernel lets one be made.
fn listener_with_full_backlog()
-> Option<(std::net::TcpListener, SocketAddr, Vec<std::net::TcpStream>)> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).ok()?;
    let any: SocketAddr = "127.0.0.1:0".parse().ok()?;
    socket.bind(&any.into()).ok()?;
    socket.listen(0).ok()?;
    let listener: std::net::TcpListener = socket.into();
    let addr = listener.local_addr().ok()?;
    let mut held = Vec::new();
    for _ in 0..8 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(stream) => held.push(stream),
            Err(_) => return Some((listener, addr, held)),
        }
    }
    None
}

//! Every hub of a runtime serving one address: `SO_REUSEPORT` listeners (Linux), one acceptor
//! handing connections out, and `examples/server.rs`'s `serve` on two hubs.

#![cfg(not(target_family = "wasm"))]

#[path = "../examples/server.rs"]
#[allow(dead_code, reason = "the example's `main` is not called here")]
mod server;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use corogen::hub::net::HubListeners;
use corogen::hub::{self, Runtime};

fn localhost() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// Each hub answers every connection with its index, then closes it.
fn answer_with_the_hub_index(runtime: &Runtime, listeners: &Arc<HubListeners>) {
    for index in 0..runtime.hubs() {
        let listeners = Arc::clone(listeners);
        drop(runtime.hub(index).spawn(move || async move {
            let acceptor = listeners.acceptor(index).unwrap();
            loop {
                let (conn, _) = acceptor.accept().await.unwrap();
                assert_eq!(
                    hub::current_hub().unwrap().index(),
                    index,
                    "accepted on its hub"
                );
                conn.write_all(&[index as u8]).await.unwrap();
            }
        }));
    }
}

/// Which hub answers a connection, from a plain blocking client.
fn which_hub(addr: SocketAddr) -> usize {
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut byte = [0];
    conn.read_exact(&mut byte).unwrap();
    usize::from(byte[0])
}

#[cfg(any(target_os = "linux", target_os = "android"))]
#[test]
fn every_hub_accepts_on_its_own_listener() {
    const CONNECTIONS: usize = 200;
    let runtime = Runtime::new(2);
    let listeners = Arc::new(HubListeners::bind(localhost(), 2).unwrap());
    assert!(format!("{listeners:?}").contains("SO_REUSEPORT"));
    let addr = listeners.local_addr();
    answer_with_the_hub_index(&runtime, &listeners);
    let per_hub = runtime.block_on(async move {
        hub::spawn_blocking(move || {
            let mut per_hub = [0; 2];
            for _ in 0..CONNECTIONS {
                per_hub[which_hub(addr)] += 1;
            }
            per_hub
        })
        .await
    });
    assert_eq!(per_hub.iter().sum::<usize>(), CONNECTIONS);
    // The kernel hashes each connection's addresses and ports onto a listener: 200 source
    // ports all on one listener would be a 2^-199 chance.
    assert!(per_hub.iter().all(|&n| n > 0), "{per_hub:?}");
}

#[test]
fn one_acceptor_hands_the_connections_out_in_turn() {
    let runtime = Runtime::new(3);
    let listeners = Arc::new(HubListeners::bind_one_acceptor(localhost(), 3).unwrap());
    assert!(format!("{listeners:?}").contains("one acceptor"));
    let addr = listeners.local_addr();
    answer_with_the_hub_index(&runtime, &listeners);
    let order = runtime.block_on(async move {
        hub::spawn_blocking(move || (0..7).map(|_| which_hub(addr)).collect::<Vec<_>>()).await
    });
    assert_eq!(order, [0, 1, 2, 0, 1, 2, 0]);
}

#[cfg(any(target_os = "linux", target_os = "android"))]
#[test]
fn each_acceptor_is_taken_once() {
    let listeners = HubListeners::bind(localhost(), 2).unwrap();
    let _hub_0 = listeners.acceptor(0).unwrap();
    let again = listeners.acceptor(0).unwrap_err();
    assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
    assert_eq!(
        listeners.acceptor(2).unwrap_err().kind(),
        io::ErrorKind::InvalidInput
    );
}

#[test]
fn the_example_server_on_two_hubs() {
    let runtime = Runtime::new(2);
    let listeners = Arc::new(HubListeners::bind_one_acceptor(localhost(), 2).unwrap());
    let addr = listeners.local_addr();
    for index in 0..2 {
        let listeners = Arc::clone(&listeners);
        drop(runtime.hub(index).spawn(move || {
            let config = server::Config {
                dir: None,
                idle: Duration::from_secs(30),
            };
            server::serve(listeners.acceptor(index).unwrap(), config)
        }));
    }
    let responses = runtime.block_on(async move {
        hub::spawn_blocking(move || {
            (0..4)
                .map(|_| {
                    let mut conn = TcpStream::connect(addr).unwrap();
                    conn.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .unwrap();
                    let mut response = String::new();
                    conn.read_to_string(&mut response).unwrap();
                    response
                })
                .collect::<Vec<_>>()
        })
        .await
    });
    for response in responses {
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(response.ends_with("\r\n\r\nHello, world!\n"), "{response}");
    }
}

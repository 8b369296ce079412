//! Cooperative sockets on the hub: while one task waits on a socket the others run; servers and
//! clients share one hub thread; errors and timeouts are clear. Loopback only (127.0.0.1, port
//! 0), every wait bounded.
#![cfg(feature = "net")]

use corogen::hub::net::{self, TcpListener, TcpStream, UdpSocket};
use corogen::hub::{self, Hub, Op, Reply, TaskError, op};
use corogen::prelude::*;
use std::cell::RefCell;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::rc::Rc;
use std::time::{Duration, Instant};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

type Log = Rc<RefCell<Vec<String>>>;

fn push(log: &Log, entry: impl Into<String>) {
    log.borrow_mut().push(entry.into());
}

/// A listener on a free loopback port.
fn listener() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// The echo server: one task per connection, each echoing until the client shuts down.
async fn echo_server(listener: TcpListener) {
    loop {
        let (conn, _) = listener.accept().await.unwrap();
        hub::spawn(async move {
            let mut buf = [0; 4096];
            loop {
                match conn.read(&mut buf).await.unwrap() {
                    0 => break,
                    n => conn.write_all(&buf[..n]).await.unwrap(),
                }
            }
        });
    }
}

/// Runs `main` on a fresh real-clock hub, failing the test if it takes longer than 20 s.
fn run<T: 'static>(main: impl Future<Output = T> + 'static) -> T {
    let hub = Hub::new();
    let bounded = hub::with_timeout(Duration::from_secs(20), main);
    hub.block_on(bounded).expect("the test's hub ran for 20 s")
}

#[test]
fn echo_server_serves_many_concurrent_clients_on_one_hub_thread() {
    const CLIENTS: usize = 200;
    const ROUNDS: usize = 5;
    let served = run(async {
        let (listener, addr) = listener();
        hub::spawn(echo_server(listener));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|i| {
                hub::spawn(async move {
                    let conn = TcpStream::connect(addr).await.unwrap();
                    for round in 0..ROUNDS {
                        let message = format!("client {i} round {round};");
                        conn.write_all(message.as_bytes()).await.unwrap();
                        let mut echo = vec![0; message.len()];
                        conn.read_exact(&mut echo).await.unwrap();
                        assert_eq!(echo, message.as_bytes());
                    }
                    conn.shutdown(Shutdown::Write).unwrap();
                    let mut rest = Vec::new();
                    assert_eq!(conn.read_to_end(&mut rest).await.unwrap(), 0);
                    i
                })
            })
            .collect();
        let mut served = Vec::new();
        for client in &clients {
            served.push(client.get().await.unwrap());
        }
        served
    });
    assert_eq!(served, (0..CLIENTS).collect::<Vec<_>>());
}

/// A generator-style echo handler: non-blocking tries, `op::readable`/`op::writable` waits.
#[generator(yield = Op, resume = Reply)]
fn gen_echo(conn: TcpStream) -> usize {
    let mut buf = [0; 1024];
    let mut total = 0;
    loop {
        let n = match conn.try_read(&mut buf) {
            Ok(0) => return total,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                yield_!(op::readable(&conn));
                continue;
            }
            Err(e) => panic!("read: {e}"),
        };
        let mut written = 0;
        while written < n {
            match conn.try_write(&buf[written..n]) {
                Ok(m) => written += m,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    yield_!(op::writable(&conn));
                }
                Err(e) => panic!("write: {e}"),
            }
        }
        total += n;
    }
}

#[test]
fn client_and_generator_server_share_one_hub() {
    let (total, echoed) = run(async {
        let (listener, addr) = listener();
        let server = hub::spawn(async move {
            let (conn, _) = listener.accept().await.unwrap();
            hub::spawn(gen_echo(conn)).get().await.unwrap()
        });
        let conn = TcpStream::connect(addr).await.unwrap();
        // Larger than the socket buffers, so both sides wait for writability too.
        let payload: Vec<u8> = (0..4_000_000u32).map(|i| (i % 251) as u8).collect();
        let reader = {
            let conn = Rc::new(conn);
            let writer = Rc::clone(&conn);
            let payload_len = payload.len();
            let reader = hub::spawn(async move {
                let mut echoed = vec![0; payload_len];
                conn.read_exact(&mut echoed).await.unwrap();
                echoed
            });
            writer.write_all(&payload).await.unwrap();
            writer.shutdown(Shutdown::Write).unwrap();
            reader
        };
        let echoed = reader.get().await.unwrap();
        assert_eq!(echoed, payload);
        (server.get().await.unwrap(), echoed.len())
    });
    assert_eq!(total, echoed);
}

#[test]
fn connecting_to_a_closed_port_is_refused_clearly() {
    let error = run(async {
        let (listener, addr) = listener();
        drop(listener);
        let error = TcpStream::connect(addr).await.unwrap_err();
        (error.kind(), error.to_string(), addr)
    });
    assert_eq!(error.0, io::ErrorKind::ConnectionRefused, "{}", error.1);
    assert!(
        error.1.contains(&format!("connect to {}", error.2)),
        "the error names the address: {}",
        error.1
    );
}

#[test]
fn a_read_times_out_while_the_peer_says_nothing() {
    let (timed_out, with_timeout, waited) = run(async {
        let (listener, addr) = listener();
        let server = hub::spawn(async move {
            let (conn, _) = listener.accept().await.unwrap();
            hub::sleep(ms(500)).await; // holds the connection open, silent
            drop(conn);
        });
        let conn = TcpStream::connect(addr).await.unwrap();
        let start = Instant::now();
        conn.set_read_timeout(Some(ms(50)));
        let mut buf = [0; 16];
        let timed_out = conn.read(&mut buf).await.unwrap_err();
        let waited = start.elapsed();
        // The same through the generic timeout, with `??` thanks to From<Elapsed>.
        conn.set_read_timeout(None);
        let generic = async {
            hub::with_timeout(ms(20), conn.read(&mut buf)).await??;
            Ok::<_, io::Error>(())
        };
        let with_timeout = generic.await.unwrap_err();
        server.kill();
        (timed_out, with_timeout, waited)
    });
    assert_eq!(timed_out.kind(), io::ErrorKind::TimedOut);
    assert!(timed_out.to_string().contains("read timed out after 50ms"));
    assert_eq!(with_timeout.kind(), io::ErrorKind::TimedOut);
    assert!(waited >= ms(50) && waited < ms(450), "waited {waited:?}");
}

#[test]
fn localhost_is_resolved_on_the_blocking_pool() {
    let (addrs, peer) = run(async {
        let (listener, addr) = listener();
        hub::spawn(echo_server(listener));
        let addrs = net::lookup_host(("localhost", addr.port())).await.unwrap();
        // "localhost" may resolve to ::1 first: connect tries each address in turn.
        let conn = TcpStream::connect(format!("localhost:{}", addr.port()))
            .await
            .unwrap();
        (addrs, conn.peer_addr().unwrap())
    });
    assert!(!addrs.is_empty());
    assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    assert_eq!(peer.ip().to_string(), "127.0.0.1");
    let error = run(net::lookup_host("no port here")).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
}

#[test]
fn udp_round_trip() {
    let replies = run(async {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let server_addr = server.local_addr().unwrap();
        hub::spawn(async move {
            let mut buf = [0; 64];
            loop {
                let (n, from) = server.recv_from(&mut buf).await.unwrap();
                buf[..n].make_ascii_uppercase();
                server.send_to(&buf[..n], from).await.unwrap();
            }
        });
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        client.connect(server_addr).await.unwrap();
        client.set_read_timeout(Some(Duration::from_secs(5)));
        let mut replies = Vec::new();
        for word in ["ping", "pong", "done"] {
            client.send(word.as_bytes()).await.unwrap();
            let mut buf = [0; 64];
            let n = client.recv(&mut buf).await.unwrap();
            replies.push(String::from_utf8(buf[..n].to_vec()).unwrap());
        }
        replies
    });
    assert_eq!(replies, ["PING", "PONG", "DONE"]);
}

#[generator(yield = Op, resume = Reply)]
fn gen_wait_readable(socket: UdpSocket) {
    yield_!(op::readable(&socket));
}

#[test]
fn a_virtual_hub_refuses_io_clearly_and_keeps_its_timers() {
    let hub = Hub::new_virtual();
    let (listener, addr) = listener();
    let connect = hub.spawn(async move { TcpStream::connect(addr).await.map(drop) });
    let accept = hub.spawn(async move { listener.accept().await.map(drop) });
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let generator = hub.spawn(gen_wait_readable(socket));
    let timer = hub.spawn(async {
        hub::sleep(Duration::from_secs(3600)).await;
        hub::now()
    });
    hub.run();
    for result in [connect.try_get().unwrap(), accept.try_get().unwrap()] {
        let error = result.unwrap().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::Unsupported);
        assert!(error.to_string().contains("virtual"), "{error}");
        assert!(error.to_string().contains("Hub::new"), "{error}");
    }
    match generator.try_get() {
        Some(Err(TaskError::Panicked(message))) => {
            assert!(message.contains("virtual"), "{message}");
        }
        other => panic!("the generator task should panic clearly, got {other:?}"),
    }
    assert_eq!(timer.try_get(), Some(Ok(Duration::from_secs(3600))));
}

#[test]
fn other_tasks_run_while_one_waits_on_a_socket() {
    let log: Log = Rc::default();
    let l = log.clone();
    run(async move {
        let (listener, addr) = listener();
        let client = TcpStream::connect(addr).await.unwrap();
        let (conn, _) = listener.accept().await.unwrap();
        let reader = hub::spawn({
            let log = l.clone();
            async move {
                push(&log, "reader waits");
                let mut buf = [0; 16];
                let n = conn.read(&mut buf).await.unwrap();
                push(
                    &log,
                    format!("reader got {}", String::from_utf8_lossy(&buf[..n])),
                );
            }
        });
        let ticker = hub::spawn({
            let log = l.clone();
            async move {
                for i in 0..3 {
                    push(&log, format!("tick {i}"));
                    hub::sleep(ms(5)).await;
                }
                push(&log, "ticker writes");
                client.write_all(b"hi").await.unwrap();
                client
            }
        });
        reader.join().await;
        ticker.join().await;
    });
    assert_eq!(
        *log.borrow(),
        [
            "reader waits",
            "tick 0",
            "tick 1",
            "tick 2",
            "ticker writes",
            "reader got hi"
        ]
    );
}

#[test]
fn a_busy_hub_does_not_starve_its_sockets() {
    // A task that only ever yields keeps the hub from parking; the socket's event must still
    // get through while it spins.
    let spins_left = run(async {
        let (listener, addr) = listener();
        let client = TcpStream::connect(addr).await.unwrap();
        let (conn, _) = listener.accept().await.unwrap();
        let got = Rc::new(RefCell::new(false));
        let g = got.clone();
        hub::spawn(async move {
            let mut buf = [0; 4];
            conn.read_exact(&mut buf).await.unwrap();
            *g.borrow_mut() = true;
        });
        hub::sleep(Duration::ZERO).await; // the reader now waits
        client.write_all(b"data").await.unwrap();
        let mut spins = 1_000_000;
        while !*got.borrow() && spins > 0 {
            hub::sleep(Duration::ZERO).await;
            spins -= 1;
        }
        spins
    });
    assert!(
        spins_left > 0,
        "the reader never woke while the hub was busy"
    );
}

#[test]
fn a_wake_from_another_thread_interrupts_the_poller() {
    // The hub blocks in its poller (a task waits on accept, for ever); a blocking-pool job
    // finishing must wake it at once.
    let start = Instant::now();
    let value = run(async {
        let (listener, _) = listener();
        hub::spawn(async move { listener.accept().await.map(drop) });
        hub::sleep(ms(1)).await;
        hub::spawn_blocking(|| {
            std::thread::sleep(ms(50));
            7
        })
        .await
    });
    assert_eq!(value, 7);
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn two_hubs_on_two_threads_each_with_sockets() {
    let threads: Vec<_> = (0..2)
        .map(|t| {
            std::thread::spawn(move || {
                run(async move {
                    let (listener, addr) = listener();
                    hub::spawn(echo_server(listener));
                    let clients: Vec<_> = (0..20)
                        .map(|i| {
                            hub::spawn(async move {
                                let conn = TcpStream::connect(addr).await.unwrap();
                                let message = format!("thread {t} client {i}");
                                conn.write_all(message.as_bytes()).await.unwrap();
                                let mut echo = vec![0; message.len()];
                                conn.read_exact(&mut echo).await.unwrap();
                                String::from_utf8(echo).unwrap()
                            })
                        })
                        .collect();
                    let mut echoes = Vec::new();
                    for client in &clients {
                        echoes.push(client.get().await.unwrap());
                    }
                    echoes
                })
            })
        })
        .collect();
    for (t, thread) in threads.into_iter().enumerate() {
        let echoes = thread.join().unwrap();
        let expected: Vec<_> = (0..20).map(|i| format!("thread {t} client {i}")).collect();
        assert_eq!(echoes, expected);
    }
}

#[test]
fn given_up_socket_waits_leave_the_hub_idle() {
    let hub = Hub::new();
    let (listener, _) = listener();
    let listener = Rc::new(listener);
    let l = listener.clone();
    let forever = hub.spawn(async move { l.accept().await.map(drop) });
    let l = listener.clone();
    let bounded = hub.spawn(async move { hub::with_timeout(ms(10), l.accept()).await.is_err() });
    // A task waits on the socket: the hub is not idle, and its wait runs out.
    assert!(!hub.wait(Some(ms(50))));
    assert_eq!(bounded.try_get(), Some(Ok(true)));
    // Killed, the last waiter is gone: the hub goes idle at once.
    forever.kill();
    assert!(hub.wait(Some(Duration::from_secs(5))));
}

#[test]
fn a_socket_belongs_to_the_hub_that_first_waited_on_it() {
    let (listener, _) = listener();
    let listener = Rc::new(listener);
    let first = Hub::new();
    let l = listener.clone();
    let waited = first.block_on(async move { hub::with_timeout(ms(5), l.accept()).await.is_err() });
    assert!(waited);
    let second = Hub::new();
    let error = second
        .block_on(async move { listener.accept().await.map(drop) })
        .unwrap_err();
    assert!(error.to_string().contains("another hub"), "{error}");
}

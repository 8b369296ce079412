//! A hello server on tokio's multi-thread runtime, for `multicore/run.sh`: the peer of
//! `examples/server.rs --hubs N` (no directory: every path says `Hello, world!`). HTTP/1.1
//! keep-alive and pipelining, request heads parsed by `httparse`, as the example does.
//!
//! ```text
//! tokio_hello PORT WORKERS
//! ```

use std::io;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const BODY: &[u8] = b"Hello, world!\n";

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(port), Some(workers)) = (
        args.first().and_then(|a| a.parse::<u16>().ok()),
        args.get(1).and_then(|a| a.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: tokio_hello PORT WORKERS");
        std::process::exit(2);
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_io()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        println!("listening on http://{}/", listener.local_addr()?);
        loop {
            let (conn, _) = listener.accept().await?;
            tokio::spawn(async move {
                // A client that resets is no news.
                drop(serve(conn).await);
            });
        }
    })
}

async fn serve(mut conn: TcpStream) -> io::Result<()> {
    conn.set_nodelay(true)?;
    let mut buf = vec![0; 4096];
    let mut filled = 0;
    let response = format!(
        "HTTP/1.1 200 OK\r\nServer: tokio-hello\r\nContent-Type: text/plain\r\n\
         Content-Length: {}\r\nConnection: keep-alive\r\n\r\n",
        BODY.len()
    );
    let mut response = response.into_bytes();
    response.extend_from_slice(BODY);
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&buf[..filled]) {
            Ok(httparse::Status::Complete(len)) => {
                buf.copy_within(len..filled, 0);
                filled -= len;
                conn.write_all(&response).await?;
            }
            Ok(httparse::Status::Partial) if filled < buf.len() => {
                match conn.read(&mut buf[filled..]).await? {
                    0 => return Ok(()),
                    n => filled += n,
                }
            }
            _ => return Ok(()),
        }
    }
}

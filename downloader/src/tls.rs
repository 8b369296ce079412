//! HTTPS: rustls over any [`Transport`].
//!
//! rustls is itself sans-IO: a `ClientConnection` takes TLS records in and gives them out as
//! bytes. [`TlsStream`] moves those bytes over the transport underneath, so TLS works on the
//! hub's sockets the day they exist, with no change here. The crypto provider is `ring`.
//!
//! Trusted roots: the files given with `--cacert`, and the system's bundle (the file named by
//! `SSL_CERT_FILE`, else the first of the usual places that exists, e.g. Debian's
//! `/etc/ssl/certs/ca-certificates.crt`). No root store is compiled in.
//!
//! A body that ends with the connection (no length, not chunked) must end with TLS's
//! `close_notify`: without it the body may have been cut by an attacker, and the read fails
//! with [`io::ErrorKind::UnexpectedEof`].

use std::io::{self, Read, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore};

use crate::transport::Transport;
use crate::url::Host;

/// The bytes read from the transport at a time.
const READ_SIZE: usize = 16 * 1024 + 512;

/// Where the system's CA bundle is looked for when `SSL_CERT_FILE` is not set.
pub const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Arch, Gentoo
    "/etc/pki/tls/certs/ca-bundle.crt",   // Fedora, RHEL
    "/etc/ssl/ca-bundle.pem",             // openSUSE
    "/etc/ssl/cert.pem",                  // Alpine, macOS, BSDs
];

/// The system's CA bundle: `SSL_CERT_FILE`, else the first of [`SYSTEM_BUNDLES`] that exists.
pub fn system_bundle() -> Option<PathBuf> {
    if let Some(file) = std::env::var_os("SSL_CERT_FILE") {
        return Some(PathBuf::from(file));
    }
    SYSTEM_BUNDLES
        .iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
}

/// A client configuration trusting the certificates in `ca_files` (PEM), and the system's
/// bundle if `system_roots`. Fails if a file cannot be read or no root is left.
pub fn client_config(
    ca_files: &[PathBuf],
    system_roots: bool,
) -> Result<Arc<ClientConfig>, String> {
    let mut roots = RootCertStore::empty();
    for file in ca_files {
        let added = add_pem_file(&mut roots, file)?;
        if added == 0 {
            return Err(format!("{}: no CA certificate in the file", file.display()));
        }
    }
    if let Some(bundle) = system_roots.then(system_bundle).flatten() {
        // An unreadable system bundle only matters if nothing else is trusted.
        let _ = add_pem_file(&mut roots, &bundle);
    }
    if roots.is_empty() {
        return Err(
            "no trusted CA certificates: none found on this system (use --cacert FILE)".into(),
        );
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

fn add_pem_file(roots: &mut RootCertStore, file: &Path) -> Result<usize, String> {
    let certs = CertificateDer::pem_file_iter(file)
        .map_err(|e| format!("{}: {e}", file.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let (added, _ignored) = roots.add_parsable_certificates(certs);
    Ok(added)
}

/// The name the server's certificate must carry.
fn server_name(host: &Host) -> io::Result<ServerName<'static>> {
    match host {
        Host::Ipv4(addr) => Ok(ServerName::IpAddress(IpAddr::V4(*addr).into())),
        Host::Ipv6(addr) => Ok(ServerName::IpAddress(IpAddr::V6(*addr).into())),
        Host::Name(name) => ServerName::try_from(name.clone())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{name}: {e}"))),
    }
}

/// A TLS client connection over a [`Transport`].
pub struct TlsStream<S> {
    io: S,
    tls: ClientConnection,
    incoming: Vec<u8>,
    outgoing: Vec<u8>,
}

impl<S> std::fmt::Debug for TlsStream<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsStream")
            .field("protocol", &self.tls.protocol_version())
            .finish_non_exhaustive()
    }
}

impl<S: Transport> TlsStream<S> {
    /// Runs the handshake with the server at `host` over `io`.
    pub async fn connect(io: S, config: Arc<ClientConfig>, host: &Host) -> io::Result<Self> {
        let tls = ClientConnection::new(config, server_name(host)?).map_err(io::Error::other)?;
        let mut stream = TlsStream {
            io,
            tls,
            incoming: vec![0; READ_SIZE],
            outgoing: Vec::new(),
        };
        while stream.tls.is_handshaking() {
            stream.send_pending().await?;
            if stream.tls.wants_read() && stream.receive().await? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed during the TLS handshake",
                ));
            }
        }
        stream.send_pending().await?;
        Ok(stream)
    }

    /// Sends the records rustls has ready.
    async fn send_pending(&mut self) -> io::Result<()> {
        while self.tls.wants_write() {
            self.outgoing.clear();
            self.tls.write_tls(&mut self.outgoing)?;
            self.io.write_all(&self.outgoing).await?;
        }
        Ok(())
    }

    /// Reads records from the transport into rustls; `Ok(0)` when the transport closed (rustls
    /// is told).
    async fn receive(&mut self) -> io::Result<usize> {
        let n = self.io.read(&mut self.incoming).await?;
        let mut records = &self.incoming[..n];
        if n == 0 {
            self.tls.read_tls(&mut records)?;
        }
        while !records.is_empty() {
            self.tls.read_tls(&mut records)?;
            if let Err(error) = self.tls.process_new_packets() {
                // Best effort: tell the server why (rustls queued an alert).
                let _ = self.send_pending().await;
                return Err(io::Error::new(io::ErrorKind::InvalidData, error));
            }
        }
        Ok(n)
    }
}

impl<S: Transport> Transport for TlsStream<S> {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut closed = false;
        loop {
            match self.tls.reader().read(buf) {
                // Nothing decrypted yet: read more, unless the transport already closed.
                Err(error) if error.kind() == io::ErrorKind::WouldBlock && !closed => {}
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::UnexpectedEof
                    ) =>
                {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed without TLS close_notify",
                    ));
                }
                // Plaintext, `Ok(0)` after the server's close_notify, or an error.
                done => return done,
            }
            closed = self.receive().await? == 0;
            if !closed {
                // Whatever the records called for (a key update's answer, say).
                self.send_pending().await?;
            }
        }
    }

    async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.tls.writer().write_all(buf)?;
        self.send_pending().await
    }
}

//! `shop --health-check`: the image's `HEALTHCHECK`, without curl.
//!
//! A slim or distroless runtime image has no curl or wget, and installing one
//! only to probe the service adds a program, its libraries and their security
//! updates. The binary is already there: run with `--health-check`, it asks
//! its own port for `GET /health` and exits 0 or 1, which is all Docker reads.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

/// The argument that turns the shop into its own health probe.
pub const HEALTH_CHECK_FLAG: &str = "--health-check";

/// How long each step of the check may take: connect, send, read. Docker's
/// `HEALTHCHECK --timeout` bounds the whole check as well.
pub const HEALTH_CHECK_STEP: Duration = Duration::from_secs(2);

/// Why the service is not healthy, as the check prints it.
#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    /// Nothing answers on the port.
    #[error("cannot connect to {address}: {source}")]
    Connect {
        address: SocketAddr,
        source: io::Error,
    },
    /// The connection broke or went silent during the exchange.
    #[error("GET /health on {address} got no complete answer: {source}")]
    Exchange {
        address: SocketAddr,
        source: io::Error,
    },
    /// The service answered, but not with 200.
    #[error("GET /health on {address} answered {status_line:?}, not 200")]
    Status {
        address: SocketAddr,
        status_line: String,
    },
}

// ANCHOR: health_check
/// Asks `GET /health` on 127.0.0.1:`port`, over plain TCP, and succeeds
/// only on `HTTP/1.1 200`. Inside the container 127.0.0.1 is the container's
/// own loopback, where the shop listens too (it binds every interface).
pub fn health_check(port: u16) -> Result<(), HealthError> {
    // ANCHOR: exercise // TODO: one request by hand, each step bounded by HEALTH_CHECK_STEP:
    // ANCHOR: exercise //     - `TcpStream::connect_timeout(&address, HEALTH_CHECK_STEP)`, where
    // ANCHOR: exercise //       `address` is `SocketAddr::from((Ipv4Addr::LOCALHOST, port))`;
    // ANCHOR: exercise //       its error is `HealthError::Connect { address, source }`;
    // ANCHOR: exercise //     - `set_read_timeout` and `set_write_timeout`, then `write_all` of
    // ANCHOR: exercise //       "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    // ANCHOR: exercise //     - `read_to_end` (the server closes after answering), then the first
    // ANCHOR: exercise //       line must start with "HTTP/1.1 200 ", else `HealthError::Status`.
    // ANCHOR: exercise //     I/O errors after connecting are `HealthError::Exchange`.
    // ANCHOR: exercise todo!("request GET /health on 127.0.0.1:{port} and accept only a 200")
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&address, HEALTH_CHECK_STEP)
        .map_err(|source| HealthError::Connect { address, source })?;
    let exchange = |source| HealthError::Exchange { address, source };
    stream
        .set_read_timeout(Some(HEALTH_CHECK_STEP))
        .map_err(exchange)?;
    stream
        .set_write_timeout(Some(HEALTH_CHECK_STEP))
        .map_err(exchange)?;
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(exchange)?;
    // `Connection: close`: the server closes once it has answered, so the
    // end of the stream is the end of the answer. `take` bounds what we keep.
    let mut answer = Vec::new();
    stream
        .take(64 * 1024)
        .read_to_end(&mut answer)
        .map_err(exchange)?;
    let status_line = String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    if status_line.starts_with("HTTP/1.1 200 ") {
        Ok(())
    } else {
        Err(HealthError::Status {
            address,
            status_line,
        })
    }
    // ANCHOR_END: exercise
}
// ANCHOR_END: health_check

/// `shop --health-check`: exit 0 when `GET /health` on our own `PORT`
/// answers 200, and 1, saying why, otherwise. Docker runs it as the image's
/// `HEALTHCHECK`, with the image's `ENV`, so `PORT` is the one the shop uses;
/// nothing else is read, so the probe needs no key (chapter 10).
pub fn health_check_mode() -> ExitCode {
    let checked = crate::port(crate::port_variable().as_deref())
        .map_err(|error| error.to_string())
        .and_then(|port| health_check(port).map_err(|error| error.to_string()));
    match checked {
        Ok(()) => {
            println!("shop: healthy");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("shop: unhealthy: {error}");
            ExitCode::FAILURE
        }
    }
}

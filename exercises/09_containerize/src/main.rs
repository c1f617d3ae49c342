// Starting code generated from solutions/09_containerize/src/main.rs by `cargo run -- dev sync`.
//! The shop as a program, ready for a container: it listens on `0.0.0.0`, at
//! the port in `PORT` (8080 when unset), and stops cleanly on SIGTERM or Ctrl-C.
//!
//! Run it: `cargo run`, then `curl localhost:8080/health`.

// Starting code leaves parts unused until you write them.
#![allow(dead_code, unused_imports, unused_variables, clippy::todo)]

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use containerize::{ConfigError, app, port, shutdown_signal};
use tokio::net::TcpListener;

/// Why the shop did not start, or did not stop cleanly.
#[derive(Debug, thiserror::Error)]
enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(
        "cannot listen on {address}: {source}. Is another program using port {}? \
         Stop it, or set PORT to a free port",
        address.port()
    )]
    Bind {
        address: SocketAddr,
        source: io::Error,
    },
    #[error("the server stopped with an error: {0}")]
    Serve(io::Error),
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("shop: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), StartError> {
    let port = port(port_variable().as_deref())?;
    // TODO: listen and serve until asked to stop.
    //     - First `let shutdown = shutdown_signal();`, so SIGTERM is handled
    //       from before the moment you print that you are listening.
    //     - The address is every interface, `Ipv4Addr::UNSPECIFIED` (0.0.0.0),
    //       never 127.0.0.1: `SocketAddr::from((Ipv4Addr::UNSPECIFIED, port))`.
    //     - `tokio::net::TcpListener::bind(address).await`; turn its error into
    //       `StartError::Bind { address, source }` with `map_err`, then `?`.
    //     - `axum::serve(listener, app())
    //            .with_graceful_shutdown(shutdown).await`,
    //       its error into `StartError::Serve`.
    //     - Return `Ok(())`: `main` then exits with status 0.
    todo!("bind 0.0.0.0:{port} and serve app() until the shutdown future resolves")
}

/// `PORT` as text, or `None` when it is unset. A value that is not UTF-8 is
/// passed on with its bad bytes replaced, so that `port` refuses it too.
fn port_variable() -> Option<String> {
    std::env::var_os("PORT").map(|value| value.to_string_lossy().into_owned())
}

//! `restlings book [--port N]`: the course's book on `127.0.0.1:N` (3001 by
//! default, since `serve` takes 3000), built with mdBook as a library, with
//! the learner's progress, Try-it panels and quizzes, reloading a page when
//! its Markdown changes.
//!
//! The server is the package `crates/book-server` (`restlings-book-server`).
//! As with `serve`, this command builds it in the course's own target dir,
//! then becomes it (`exec` on Unix), so Ctrl-C reaches the server itself and
//! the runner stays small: mdBook is compiled only for those who read the
//! book this way.

use crate::course::Course;
use anyhow::{Context, bail};
use std::ffi::OsStr;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The server package, relative to the course root.
pub const PACKAGE_DIR: &str = "crates/book-server";

/// The server package's name, as `cargo build -p` takes it.
const PACKAGE: &str = "restlings-book-server";

/// Its binary.
const BINARY: &str = "restlings-book";

/// The book's port: not `serve`'s 3000, so that both run at once.
pub const DEFAULT_PORT: u16 = 3001;

/// Builds the book server and becomes it.
pub fn run(course: &Course, port: u16, state: Option<&Path>) -> anyhow::Result<ExitCode> {
    // Refused before the build, so a busy port costs no waiting. The server
    // checks again when it binds, with the same message.
    if port != 0 {
        TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .map(drop)
            .with_context(|| port_in_use(port))?;
    }
    if !course.root().join(PACKAGE_DIR).join("Cargo.toml").is_file() {
        bail!(
            "this course has no {PACKAGE_DIR}, so `book` has nothing to run: read the pages \
             under book/src/, or run `mdbook serve book --port {DEFAULT_PORT}`"
        );
    }
    eprintln!("Building the book's server (the first time takes a minute)...");
    let binary = build(course.root())?;
    let mut server = Command::new(&binary);
    server
        .arg("--course")
        .arg(course.root())
        .arg("--port")
        .arg(port.to_string())
        .current_dir(course.root());
    if let Some(state) = state {
        server.arg("--state").arg(state);
    }
    become_server(server, &binary)
}

/// `cargo build -p restlings-book-server`; returns the binary's path.
fn build(root: &Path) -> anyhow::Result<PathBuf> {
    let args = ["-p", PACKAGE, "--bin", BINARY].map(OsStr::new);
    crate::cargo::build_binary(root, &args, BINARY, || {
        format!(
            "the book's server ({PACKAGE_DIR}) does not build: see the errors above. Meanwhile \
             the pages are Markdown under book/src/"
        )
    })
}

/// Replaces this process with the server, so that signals reach it directly.
#[cfg(unix)]
fn become_server(mut server: Command, binary: &Path) -> anyhow::Result<ExitCode> {
    use std::os::unix::process::CommandExt as _;
    // `exec` returns only if it failed.
    let error = server.exec();
    Err(error).with_context(|| format!("cannot start the book's server {}", binary.display()))
}

/// Runs the server and waits for it: Ctrl-C reaches the whole console.
#[cfg(not(unix))]
fn become_server(mut server: Command, binary: &Path) -> anyhow::Result<ExitCode> {
    let status = server
        .status()
        .with_context(|| format!("cannot start the book's server {}", binary.display()))?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The message for a port another program holds. The server says the same.
fn port_in_use(port: u16) -> String {
    format!(
        "cannot listen on 127.0.0.1:{port}: is another program using port {port} (another \
         `cargo run -- book`, or `mdbook serve`)? Stop it, or choose another port, such as \
         `cargo run -- book --port {}`",
        port.checked_add(1).unwrap_or(3002)
    )
}

//! `restlings-serve`: one exercise's `app()` on `127.0.0.1`, to try by hand
//! with curl, as the failure reports and the book's transcripts do.
//!
//! Built with one feature, the exercise's name, by `cargo run -- serve
//! [EXERCISE]` at the course root: run that, not this binary. A handler that
//! panics (a `todo!()`) answers 500 with the panic's message, as in the tests,
//! and Ctrl-C or SIGTERM stops the server.

use std::any::Any;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use clap::Parser;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower_http::catch_panic::CatchPanicLayer;

/// Serve the exercise this binary was built with, until Ctrl-C.
#[derive(Debug, Parser)]
#[command(name = "restlings-serve")]
struct Args {
    /// The port to listen on, on 127.0.0.1
    #[arg(long, default_value_t = 3000)]
    port: u16,
}

/// What this build serves.
struct Exercise {
    name: &'static str,
    app: fn() -> Router,
    /// The path of the first curl line to show.
    try_path: &'static str,
    /// What is special about serving this chapter, if anything.
    note: Option<&'static str>,
}

#[cfg(feature = "02_endpoints")]
const EXERCISE: Option<Exercise> = Some(Exercise {
    name: "02_endpoints",
    app: endpoints::app,
    try_path: "/health",
    note: None,
});
#[cfg(feature = "03_get")]
const EXERCISE: Option<Exercise> = Some(Exercise {
    name: "03_get",
    app: get::app,
    try_path: "/products",
    note: None,
});
#[cfg(feature = "04_post")]
const EXERCISE: Option<Exercise> = Some(Exercise {
    name: "04_post",
    app: post::app,
    try_path: "/products",
    note: None,
});
#[cfg(feature = "05_put")]
const EXERCISE: Option<Exercise> = Some(Exercise {
    name: "05_put",
    app: put::app,
    try_path: "/products",
    note: None,
});
#[cfg(feature = "06_delete")]
const EXERCISE: Option<Exercise> = Some(Exercise {
    name: "06_delete",
    app: delete::app,
    try_path: "/products",
    note: None,
});
#[cfg(feature = "07_problem_details")]
const EXERCISE: Option<Exercise> = Some(Exercise {
    name: "07_problem_details",
    app: problem_details::app,
    try_path: "/products",
    note: None,
});
#[cfg(feature = "08_idempotency_key")]
const EXERCISE: Option<Exercise> = Some(Exercise {
    name: "08_idempotency_key",
    app: idempotency_key::app,
    try_path: "/products",
    note: None,
});
#[cfg(feature = "09_containerize")]
const EXERCISE: Option<Exercise> = Some(Exercise {
    name: "09_containerize",
    app: containerize::app,
    try_path: "/products",
    note: Some(CHAPTER_9),
});
#[cfg(feature = "10_deploy")]
const EXERCISE: Option<Exercise> = Some(Exercise {
    name: "10_deploy",
    // Without a key, as `app(None)`: every endpoint is open, and serving does
    // not depend on the chapter's own `Config::from_env`, which the learner
    // may not have written yet.
    app: || deploy::app(None),
    try_path: "/products",
    note: Some(CHAPTER_10),
});
#[cfg(not(any(
    feature = "02_endpoints",
    feature = "03_get",
    feature = "04_post",
    feature = "05_put",
    feature = "06_delete",
    feature = "07_problem_details",
    feature = "08_idempotency_key",
    feature = "09_containerize",
    feature = "10_deploy",
)))]
const EXERCISE: Option<Exercise> = None;

/// How long requests still running after Ctrl-C may take to finish.
const GRACE: Duration = Duration::from_secs(3);

/// Prefix of the body sent when a handler panics: the same as the kit's
/// (`crates/kit/src/server.rs`), so a learner sees what the tests see.
const PANIC_PREFIX: &str = "handler panicked: ";

fn main() -> ExitCode {
    let args = Args::parse();
    let Some(exercise) = EXERCISE else {
        eprintln!("{NO_EXERCISE}");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("restlings serve: cannot start the tokio runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(serve(&exercise, args.port));
    // A handler stuck in a loop must not keep the process alive.
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("restlings serve: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(exercise: &Exercise, port: u16) -> anyhow::Result<()> {
    // Listen for the signals before saying we are up, so none is missed.
    let stop = stop_signal().context("cannot listen for Ctrl-C and SIGTERM")?;
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = TcpListener::bind(address).await.with_context(|| {
        format!(
            "cannot listen on {address}: is another program using port {port}? Stop it, or \
             choose another port with `--port`, such as `cargo run -- serve {} --port {}`",
            exercise.name,
            port.checked_add(1).unwrap_or(3001)
        )
    })?;
    // Port 0 asks the system for a free port: show the one it gave.
    let address = listener
        .local_addr()
        .context("cannot read the address the server listens on")?;
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|at| format!(" at {}:{}", at.file(), at.line()))
            .unwrap_or_default();
        eprintln!(
            "  a handler panicked{place}: {}",
            panic_message(info.payload())
        );
    }));
    let app = (exercise.app)()
        .layer(CatchPanicLayer::custom(panic_to_500))
        .layer(middleware::from_fn(log));

    let url = format!("http://{address}");
    println!("Serving {} on {url}. Ctrl-C stops it.", exercise.name);
    println!("Try it: curl -i {url}{}", exercise.try_path);
    println!("{TODO_NOTE}");
    if let Some(note) = exercise.note {
        println!("{note}");
    }
    println!();

    let (stopping_tx, stopping_rx) = oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        stop.await;
        let _ = stopping_tx.send(());
    });
    let overdue = async {
        match stopping_rx.await {
            Ok(()) => tokio::time::sleep(GRACE).await,
            // The server ended on its own; let its result through.
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        result = server => result.context("the server stopped with an error")?,
        () = overdue => println!("Requests were still running {} s after Ctrl-C: left them.", GRACE.as_secs()),
    }
    println!("Stopped.");
    Ok(())
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM. Both are registered before this
/// returns.
#[cfg(unix)]
fn stop_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn stop_signal() -> std::io::Result<impl Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// One line per request: `GET /products -> 500 Internal Server Error`.
async fn log(request: Request, next: Next) -> Response {
    let line = format!("{} {}", request.method(), request.uri());
    let response = next.run(request).await;
    println!("{line} -> {}", response.status());
    response
}

fn panic_to_500(panic: Box<dyn Any + Send + 'static>) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{PANIC_PREFIX}{}", panic_message(&*panic)),
    )
        .into_response()
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else {
        "a panic without a message".to_owned()
    }
}

const NO_EXERCISE: &str = "restlings-serve was built without an exercise. Run \
                           `cargo run -- serve [EXERCISE]` at the course root instead.";

const TODO_NOTE: &str = "A handler that is still a todo!() answers 500 with its message, \
                         as in the tests. Each request is logged below.";

#[cfg(feature = "09_containerize")]
const CHAPTER_9: &str = "Chapter 9 serves chapter 8's finished shop, `shop::app()`: this \
                         chapter's work is the program around it. Run yours, once `port` and \
                         `shutdown_signal` are done, with `PORT=3000 cargo run -p ex09_containerize`.";

#[cfg(feature = "10_deploy")]
const CHAPTER_10: &str = "Chapter 10 is served as `app(None)`: no API key, every endpoint open. \
                          To try the key, run the chapter's own program, once its config is \
                          done: `API_KEY=s3cret PORT=3000 cargo run -p ex10_deploy`.";

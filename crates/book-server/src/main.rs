//! `restlings-book`: the course's book on 127.0.0.1, with progress, Try it
//! and quizzes. Run `cargo run -- book` at the course root, which builds and
//! starts this binary; see the library's documentation for what it serves.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use restlings_book_server::server::{self, Book, Version};
use restlings_book_server::watch::{self, Builds};
use restlings_book_server::{progress, proxy};
use tokio::net::TcpListener;

/// Serve the course's book until Ctrl-C.
#[derive(Debug, Parser)]
#[command(name = "restlings-book")]
struct Args {
    /// The course folder, the one holding course.toml and book/
    #[arg(long, value_name = "DIR")]
    course: PathBuf,
    /// The port to listen on, on 127.0.0.1 (0: any free port)
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// The runner's state file [default: <course>/.restlings/state.json]
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
}

/// 3001, because `cargo run -- serve` runs the learner's exercise on 3000.
const DEFAULT_PORT: u16 = 3001;

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("restlings book: cannot start the tokio runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(serve(args));
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("restlings book: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> anyhow::Result<()> {
    let root = std::path::absolute(&args.course)
        .with_context(|| format!("cannot resolve the course folder {}", args.course.display()))?;
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let listener = TcpListener::bind(address)
        .await
        .with_context(|| port_in_use(args.port))?;
    let address = listener
        .local_addr()
        .context("cannot read the address the book listens on")?;

    let exercises = progress::exercises(&root)?;
    let out = tempfile::Builder::new()
        .prefix("restlings-book-")
        .tempdir()
        .context("cannot make a temporary folder for the book's HTML: check the disk space")?;
    let mut builds = Builds {
        book_root: root.join("book"),
        out: out.path().to_path_buf(),
        next: 0,
    };
    let started = Instant::now();
    let html = builds.build()?;
    eprintln!(
        "Built the book in {:.1} s.",
        started.elapsed().as_secs_f64()
    );

    let book = Arc::new(Book {
        html: RwLock::new(html),
        version: RwLock::new(Version::default()),
        exercises,
        state_file: args
            .state
            .unwrap_or_else(|| progress::default_state_file(&root)),
        client: proxy::client().context("cannot set up the Try-it proxy's HTTP client")?,
    });
    let watched = [root.join("book"), root.join("solutions")];
    let watched: Vec<PathBuf> = watched.into_iter().filter(|dir| dir.is_dir()).collect();
    let _watcher = watch::spawn(builds, &watched, Arc::clone(&book))?;

    let stop = stop_signal().context("cannot listen for Ctrl-C and SIGTERM")?;
    println!(
        "The book: http://{address}/ (port {}: `cargo run -- serve` keeps port 3000 for your \
         exercise, and the Try-it panels send there)",
        address.port()
    );
    println!("A page reloads by itself when you save its Markdown. Ctrl-C stops the book.");
    axum::serve(listener, server::router(book))
        .with_graceful_shutdown(stop)
        .await
        .context("the book's server stopped with an error")?;
    drop(out);
    println!("Stopped.");
    Ok(())
}

fn port_in_use(port: u16) -> String {
    format!(
        "cannot listen on 127.0.0.1:{port}: is another program using port {port} (another \
         `cargo run -- book`, or `mdbook serve`)? Stop it, or choose another port, such as \
         `cargo run -- book --port {}`",
        port.checked_add(1).unwrap_or(3002)
    )
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM; both are registered before this
/// returns.
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
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
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

//! `restlings-class`: the class dashboard, until Ctrl-C.
//!
//! Built and started by `cargo run -- class serve` at the course root: run
//! that, not this binary. It prints the join code, the command learners run,
//! and the instructor's URL with its token.

use anyhow::Context;
use clap::Parser;
use restlings_class::server::{self, Options};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// The class dashboard: learners' statuses, live, for the instructor.
#[derive(Debug, Parser)]
#[command(name = "restlings-class")]
struct Args {
    /// The address to listen on: 127.0.0.1 for this machine only, the room's
    /// LAN address (or 0.0.0.0) for a workshop
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// The port to listen on (0: any free port)
    #[arg(long, default_value_t = 4000)]
    port: u16,
    /// Minutes on the same failing test before a learner is marked stuck
    #[arg(long, default_value_t = 10)]
    stuck_minutes: u64,
    /// Where the join code and the token are kept, so that a restarted
    /// dashboard takes the learners' reports again [default: new ones each run]
    #[arg(long, value_name = "FILE")]
    secrets: Option<PathBuf>,
    /// Make a new join code and token, even if `--secrets` holds some
    #[arg(long)]
    new_code: bool,
}

/// The join code and the token, as `--secrets` keeps them.
#[derive(Debug, Serialize, Deserialize)]
struct Secrets {
    code: String,
    token: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> anyhow::Result<()> {
    let mut options = Options::new(Duration::from_secs(args.stuck_minutes.saturating_mul(60)))
        .context("cannot read the system's random source for a join code")?;
    if let Some(path) = &args.secrets {
        let secrets = secrets(path, &options, args.new_code)?;
        options.code = secrets.code;
        options.token = secrets.token;
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let address = SocketAddr::new(args.bind, args.port);
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on {address}: is another program using port {}? Choose \
                     another with --port, or check that {} is an address of this machine",
                    args.port, args.bind
                )
            })?;
        let bound = listener
            .local_addr()
            .context("cannot read the address bound")?;
        print_welcome(bound, &options);
        let (router, _) = server::app(options);
        server::serve(listener, router, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the dashboard stopped")
    })
}

/// The secrets in `path`, or new ones written there (readable by this user
/// only).
fn secrets(path: &Path, fresh: &Options, renew: bool) -> anyhow::Result<Secrets> {
    if !renew
        && let Ok(text) = std::fs::read_to_string(path)
        && let Ok(secrets) = toml::from_str::<Secrets>(&text)
    {
        return Ok(secrets);
    }
    let secrets = Secrets {
        code: fresh.code.clone(),
        token: fresh.token.clone(),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create {} for the join code", dir.display()))?;
    }
    let text = toml::to_string(&secrets).context("cannot write the secrets as TOML")?;
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    std::io::Write::write_all(
        &mut file
            .open(path)
            .with_context(|| format!("cannot write {}", path.display()))?,
        text.as_bytes(),
    )
    .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(secrets)
}

fn print_welcome(bound: SocketAddr, options: &Options) {
    let shown = if bound.ip().is_unspecified() {
        SocketAddr::new(lan_address().unwrap_or(bound.ip()), bound.port())
    } else {
        bound
    };
    let url = format!("http://{shown}");
    println!("Class dashboard on {url}");
    println!();
    println!("Join code: {}", options.code);
    println!("Learners run, at their course's root:");
    println!(
        "    cargo run -- class join {url} --code {} --name \"Their name\"",
        options.code
    );
    println!();
    println!("Your page (keep the token to yourself):");
    println!("    {url}/?token={}", options.token);
    println!();
    if bound.ip().is_loopback() {
        println!("{LOOPBACK}");
    }
    println!(
        "Stuck means {} min on the same problem. Ctrl-C stops the dashboard; started again, \
         it shows each learner again after their next check.",
        options.stuck_after.as_secs() / 60
    );
}

/// The address this machine would use on the room's network: a UDP socket
/// "connected" to a documentation address sends nothing, but picks the route.
fn lan_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    socket.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    Some(socket.local_addr().ok()?.ip()).filter(|ip| !ip.is_unspecified())
}

const LOOPBACK: &str = "Listening on loopback: only this machine can join. In a room, run \
                        `cargo run -- class serve --bind 0.0.0.0` (or this machine's LAN \
                        address) so the learners' laptops reach it.";

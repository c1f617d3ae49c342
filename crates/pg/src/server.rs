//! The one server of a test binary: found, initialised, started, watched.

use std::fs;
use std::io;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

use crate::{REQUIRE_VAR, SKIPPED, required};

/// The superuser `initdb` creates, whoever runs it; tests connect as it.
const SUPERUSER: &str = "postgres";

/// The account Debian's package creates, which runs the server when the
/// tests run as root.
const SYSTEM_USER: &str = "postgres";

/// How many free ports to try: another program may take the one we picked
/// between our looking and PostgreSQL's binding.
const PORT_ATTEMPTS: usize = 3;

/// A running server, shared by every test of the binary.
#[derive(Debug)]
pub struct Server {
    port: u16,
    root: PathBuf,
    /// The write end of the reaper's pipe. Never written to, never dropped:
    /// it closes when the process ends, and that is the reaper's signal.
    _reaper_pipe: Mutex<ChildStdin>,
    _reaper: Mutex<Child>,
}

static SHARED: OnceLock<Result<Option<Server>, String>> = OnceLock::new();

impl Server {
    /// The binary's server, started on first use. `None` when PostgreSQL is
    /// not installed and not required (after printing [`SKIPPED`]).
    pub fn shared() -> Option<&'static Server> {
        match SHARED.get_or_init(start) {
            Ok(Some(server)) => Some(server),
            Ok(None) if required() => panic!(
                "{REQUIRE_VAR} is set, but no PostgreSQL was found: no initdb under \
                 /usr/lib/postgresql/*/bin or on PATH. Install Debian's package \
                 (apt-get install postgresql), or unset {REQUIRE_VAR} to skip."
            ),
            Ok(None) => {
                println!("{SKIPPED}");
                None
            }
            Err(error) => panic!("the test PostgreSQL did not start: {error}"),
        }
    }

    /// The URL of database `name` on this server.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{name}", self.port)
    }

    /// The port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's own log, for when it misbehaves.
    pub fn log_path(&self) -> PathBuf {
        self.root.join("server.log")
    }

    /// The temporary folder that holds the data and the log.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// Who runs the PostgreSQL commands: this process's user, or, as root,
/// the system's `postgres` account.
#[derive(Debug, Clone)]
enum RunAs {
    Me,
    System,
}

impl RunAs {
    fn command(&self, program: &Path) -> Command {
        match self {
            RunAs::Me => Command::new(program),
            RunAs::System => {
                let mut command = Command::new("runuser");
                command.args(["-u", SYSTEM_USER, "--"]).arg(program);
                command
            }
        }
    }
}

fn start() -> Result<Option<Server>, String> {
    let Some(bin) = find_bin_dir() else {
        return Ok(None);
    };
    let run_as = if is_root()? { RunAs::System } else { RunAs::Me };
    let root = tempfile::Builder::new()
        .prefix("restlings-pg-")
        .tempdir()
        .map_err(|error| format!("cannot create a temporary folder: {error}"))?
        // The reaper removes it, after the server has stopped.
        .keep();
    if let RunAs::System = run_as {
        hand_over(&root)?;
    }
    let data = root.join("data");
    let (reaper, reaper_pipe) = spawn_reaper(&bin, &root, &data, &run_as)?;

    let initdb = run_as
        .command(&bin.join("initdb"))
        .arg("--pgdata")
        .arg(&data)
        .args([
            "--username",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        ])
        .stdin(Stdio::null())
        .output();
    check("initdb", initdb)?;

    let log = root.join("server.log");
    let mut last_error = String::new();
    for _ in 0..PORT_ATTEMPTS {
        let port = free_port()?;
        // Loopback only, and the socket in the data folder rather than
        // /var/run/postgresql, which a learner's account cannot write.
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            data.display()
        );
        let started = run_as
            .command(&bin.join("pg_ctl"))
            .arg("--pgdata")
            .arg(&data)
            .arg("--log")
            .arg(&log)
            .args(["--options", &options, "--wait", "--timeout=60", "start"])
            .stdin(Stdio::null())
            .output();
        match check("pg_ctl start", started) {
            Ok(()) => {
                return Ok(Some(Server {
                    port,
                    root,
                    _reaper_pipe: Mutex::new(reaper_pipe),
                    _reaper: Mutex::new(reaper),
                }));
            }
            Err(error) => {
                let server_log = fs::read_to_string(&log).unwrap_or_default();
                last_error = format!("{error}\nits log, {}:\n{server_log}", log.display());
                if !server_log.contains("could not bind") {
                    break;
                }
            }
        }
    }
    Err(last_error)
}

/// The newest `/usr/lib/postgresql/<version>/bin` (Debian's layout), or the
/// folder on `PATH` that holds `initdb`.
fn find_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
}

fn is_root() -> Result<bool, String> {
    let output = Command::new("id").arg("-u").output();
    let id = stdout_of("id -u", output)?;
    Ok(id.trim() == "0")
}

/// Gives the folder to the `postgres` account, which runs the server.
fn hand_over(root: &Path) -> Result<(), String> {
    let id = |flag| stdout_of("id", Command::new("id").args([flag, SYSTEM_USER]).output());
    let no_user = |error: String| {
        format!(
            "the tests run as root, and initdb refuses to, so PostgreSQL runs as the \
             {SYSTEM_USER} account that Debian's package creates; but: {error}"
        )
    };
    let uid = id("-u").map_err(no_user)?;
    let gid = id("-g").map_err(no_user)?;
    let parse = |text: &str| {
        text.trim()
            .parse::<u32>()
            .map_err(|_| format!("`id` printed {text:?}, not a number"))
    };
    std::os::unix::fs::chown(root, Some(parse(&uid)?), Some(parse(&gid)?))
        .map_err(|error| format!("cannot give {} to {SYSTEM_USER}: {error}", root.display()))
}

/// Stops the server and removes `root` once this process has ended: see the
/// crate's documentation. Started before the server, so that no server ever
/// runs unwatched.
const REAPER: &str = r#"
trap '' INT TERM HUP
read -r _ || true
if [ -n "$PG_USER" ]; then
    runuser -u "$PG_USER" -- "$PG_CTL" --pgdata "$PG_DATA" --mode immediate --wait stop
else
    "$PG_CTL" --pgdata "$PG_DATA" --mode immediate --wait stop
fi
rm -rf "$PG_ROOT"
"#;

fn spawn_reaper(
    bin: &Path,
    root: &Path,
    data: &Path,
    run_as: &RunAs,
) -> Result<(Child, ChildStdin), String> {
    let user = match run_as {
        RunAs::Me => "",
        RunAs::System => SYSTEM_USER,
    };
    let spawn = |program: &str| {
        let mut command = Command::new(program);
        if program == "setsid" {
            command.arg("sh");
        }
        command
            .args(["-c", REAPER])
            .env("PG_CTL", bin.join("pg_ctl"))
            .env("PG_DATA", data)
            .env("PG_ROOT", root)
            .env("PG_USER", user)
            .stdin(Stdio::piped())
            // Never the test's own stdout: whoever reads it until it closes
            // would otherwise wait for the reaper too.
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
    };
    // A session of its own, so that Ctrl-C in the terminal, or a runner
    // killing the test's process group, leaves the reaper to do its job.
    let mut child = match spawn("setsid") {
        Err(error) if error.kind() == io::ErrorKind::NotFound => spawn("sh"),
        other => other,
    }
    .map_err(|error| format!("cannot start the reaper shell: {error}"))?;
    let pipe = child
        .stdin
        .take()
        .ok_or("the reaper shell has no stdin pipe")?;
    Ok((child, pipe))
}

fn check(what: &str, output: io::Result<Output>) -> Result<(), String> {
    stdout_of(what, output).map(drop)
}

fn stdout_of(what: &str, output: io::Result<Output>) -> Result<String, String> {
    let output = output.map_err(|error| format!("cannot run {what}: {error}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "{what} failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|error| format!("cannot find a free port on 127.0.0.1: {error}"))
}

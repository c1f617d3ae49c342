//! The shop's binary as a child process: started with a given environment and
//! arguments, its output kept in a file, stopped when dropped.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long the binary may take to answer `/health` after it starts.
pub const STARTUP: Duration = Duration::from_secs(20);

/// A running binary. Dropping it kills the process if it is still running.
pub struct Server {
    child: Child,
    log: tempfile::NamedTempFile,
    pub port: u16,
}

impl Server {
    /// Starts `binary` with `args` and `env` on top of this process's
    /// environment, minus any inherited `PORT`; both of its outputs go to one
    /// file, printed by [`Server::output`].
    pub fn start(binary: &Path, args: &[String], env: &[(String, String)], port: u16) -> Server {
        let log = tempfile::NamedTempFile::new()
            .unwrap_or_else(|error| panic!("the test could not create a log file: {error}"));
        let out = log
            .reopen()
            .unwrap_or_else(|error| panic!("cannot reopen the log: {error}"));
        let err = log
            .reopen()
            .unwrap_or_else(|error| panic!("cannot reopen the log: {error}"));
        let child = Command::new(binary)
            .args(args)
            .env_remove("PORT")
            .envs(env.iter().map(|(name, value)| (name, value)))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        Server { child, log, port }
    }

    /// Everything the binary printed so far.
    pub fn output(&self) -> String {
        let mut text = String::new();
        match File::open(self.log.path()).and_then(|mut file| file.read_to_string(&mut text)) {
            Ok(_) if text.trim().is_empty() => "(it printed nothing)".to_owned(),
            Ok(_) => text,
            Err(error) => format!("(its output could not be read: {error})"),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM, as `docker stop` does first; panics if it cannot.
    #[cfg(unix)]
    pub fn terminate(&self) {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::Pid;
        let sent = i32::try_from(self.pid())
            .map_err(|error| error.to_string())
            .and_then(|pid| {
                kill(Pid::from_raw(pid), Signal::SIGTERM).map_err(|error| error.to_string())
            });
        if let Err(error) = sent {
            panic!("the test could not send SIGTERM to the shop: {error}");
        }
    }

    /// The exit status, once the process has ended.
    pub fn try_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits up to `limit` for the process to end.
    pub fn wait_for_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.try_status() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        None
    }

    /// Waits until `GET /health` answers 200 on 127.0.0.1, or panics with
    /// what went wrong and what the binary printed.
    pub fn wait_until_healthy(&mut self, what: &str) {
        let started = Instant::now();
        while started.elapsed() < STARTUP {
            if let Some(status) = self.try_status() {
                panic!(
                    "{what} exited ({status}) before answering GET /health on port {}.\n\
                     A service in a container starts and keeps running until it is stopped; \
                     the first lines it prints are where to look.\n\
                     --- what it printed ---\n{}",
                    self.port,
                    self.output()
                );
            }
            if health_is_ok(self.port) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "{what} did not answer GET /health with 200 on port {} within {STARTUP:?}.\n\
             It must listen on the port in the PORT variable (here PORT={}) and answer at once; \
             did it read PORT, or does it listen somewhere else?\n\
             --- what it printed ---\n{}",
            self.port,
            self.port,
            self.output()
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `GET /health` on 127.0.0.1:`port` answers 200, by hand over TCP
/// so that a server that is not up yet costs one refused connection.
pub fn health_is_ok(port: u16) -> bool {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}

/// Where a listening socket on `port` is bound, from the kernel's own table.
pub enum Bound {
    /// Every interface (`0.0.0.0` or `::`): reachable through `docker run -p`.
    Everywhere,
    /// Only loopback addresses, listed: unreachable from outside a container.
    LoopbackOnly(Vec<String>),
    /// This system cannot tell (not Linux, or the socket was not found).
    Unknown(String),
}

/// Reads `/proc/net/tcp` and `/proc/net/tcp6` for sockets listening on `port`.
pub fn bound_address(port: u16) -> Bound {
    let mut locals = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // fields[1] is local "ADDRESS:PORT" in hex, fields[3] the state; 0A is LISTEN.
            let (Some(local), Some(&"0A")) = (fields.get(1), fields.get(3)) else {
                continue;
            };
            let Some((address, hex_port)) = local.rsplit_once(':') else {
                continue;
            };
            if u16::from_str_radix(hex_port, 16) == Ok(port) {
                locals.push(address.to_owned());
            }
        }
    }
    if locals.is_empty() {
        return Bound::Unknown(if cfg!(target_os = "linux") {
            format!("no listening socket on port {port} in /proc/net/tcp or /proc/net/tcp6")
        } else {
            "/proc/net/tcp exists only on Linux".to_owned()
        });
    }
    let everywhere = |address: &str| address.chars().all(|c| c == '0');
    if locals.iter().any(|address| everywhere(address)) {
        Bound::Everywhere
    } else {
        Bound::LoopbackOnly(locals.iter().map(|address| readable(address)).collect())
    }
}

/// `0100007F` as `127.0.0.1`; IPv6 entries stay in the kernel's hex.
fn readable(hex: &str) -> String {
    match u32::from_str_radix(hex, 16) {
        // The kernel prints the address as a number in its own byte order.
        Ok(raw) if hex.len() == 8 => Ipv4Addr::from(raw.to_ne_bytes()).to_string(),
        _ => format!("{hex} (IPv6, in /proc's hex)"),
    }
}

/// How long [`send_and_read_head`] waits for an answer's head.
pub const ANSWER: Duration = Duration::from_secs(20);

/// A raw connection to the shop on 127.0.0.1:`port`.
pub fn connect(port: u16) -> TcpStream {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&address, Duration::from_secs(2))
        .unwrap_or_else(|error| panic!("cannot connect to the shop on {address}: {error}"))
}

/// Waits up to `limit` for the server to close `stream`: the end of the
/// stream, or a reset. Whatever the server sends first is read and dropped.
/// `Err` says what was seen when the limit passed.
pub fn wait_for_close(stream: &mut TcpStream, limit: Duration) -> Result<(), String> {
    let started = Instant::now();
    let mut received = 0usize;
    let mut buffer = [0u8; 4096];
    if let Err(error) = stream.set_read_timeout(Some(Duration::from_millis(250))) {
        return Err(format!("the test could not set a read timeout: {error}"));
    }
    while started.elapsed() < limit {
        match stream.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => received += n,
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            // A reset or a broken pipe: closed as well.
            Err(_) => return Ok(()),
        }
    }
    Err(format!(
        "the connection was still open after {limit:?}, having sent {received} bytes"
    ))
}

/// Sends `request` and reads until the answer's head is complete, the
/// connection closes or [`ANSWER`] passes; returns what came, as text.
pub fn send_and_read_head(stream: &mut TcpStream, request: &str) -> String {
    if let Err(error) = stream.write_all(request.as_bytes()) {
        return format!("(the request could not be sent: {error})");
    }
    let _ = stream.set_read_timeout(Some(Duration::from_millis(250)));
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    while started.elapsed() < ANSWER && !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(error) => {
                return format!("{}(then: {error})", String::from_utf8_lossy(&answer));
            }
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

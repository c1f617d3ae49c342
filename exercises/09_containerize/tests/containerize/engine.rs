//! A container engine (Docker or Podman) driven through its command line:
//! build the image, run it with a published port, and always remove the
//! container. Which engine runs is the course's one lookup,
//! `dockerfile_rules::engine`, the same one `restlings deploy` makes.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub use dockerfile_rules::engine::{ENGINE_VAR, REQUIRE_VAR, required};

/// How long the container may take to answer `/health` once started.
pub const STARTUP: Duration = Duration::from_secs(60);

/// How long the engine may take to call the container healthy: the
/// `HEALTHCHECK`'s 10 s interval, then a check of at most 3 s, with slack.
pub const HEALTHY: Duration = Duration::from_secs(30);

/// An engine whose `info` answered: a daemon (or Podman) that can build.
pub struct Engine {
    pub program: String,
}

/// The first engine whose `info` succeeds, or what was tried and why each
/// one failed.
pub fn find() -> Result<Engine, dockerfile_rules::engine::NoEngine> {
    dockerfile_rules::engine::find().map(|program| Engine { program })
}

impl Engine {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        // The Dockerfile uses `RUN --mount`, which needs BuildKit. Docker 23
        // and later use it anyway; older clients need to be asked.
        command.env("DOCKER_BUILDKIT", "1");
        command
    }

    /// `build -f dockerfile -t tag context`, its output shown as it happens,
    /// so the log holds every step. Returns the time it took.
    pub fn build(&self, dockerfile: &Path, tag: &str, context: &Path) -> Result<Duration, String> {
        let started = Instant::now();
        let status = self
            .command()
            .arg("build")
            .arg("-f")
            .arg(dockerfile)
            .args(["-t", tag])
            .arg(context)
            .stdin(Stdio::null())
            .status()
            .map_err(|error| format!("cannot run `{} build`: {error}", self.program))?;
        if status.success() {
            Ok(started.elapsed())
        } else {
            Err(format!(
                "`{} build` failed ({status}): its output is above",
                self.program
            ))
        }
    }

    /// Starts the image in the background, publishing `container_port` on a
    /// free port of 127.0.0.1. The container is removed when the guard drops.
    pub fn run(&self, tag: &str, container_port: u16) -> Result<Container<'_>, String> {
        let output = self
            .quiet(&[
                "run",
                "-d",
                "-p",
                &format!("127.0.0.1::{container_port}"),
                tag,
            ])
            .map_err(|error| format!("`{} run` failed: {error}", self.program))?;
        let id = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        Ok(Container { engine: self, id })
    }

    /// Runs the engine with `args`, capturing its output; an error holds stderr.
    fn quiet(&self, args: &[&str]) -> Result<Output, String> {
        let output = self
            .command()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|error| error.to_string())?;
        if output.status.success() {
            Ok(output)
        } else {
            Err(format!(
                "{}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    }
}

/// A running container; dropping it removes it, whatever happened.
pub struct Container<'a> {
    engine: &'a Engine,
    pub id: String,
}

impl Container<'_> {
    /// The host address `container_port` is published on, such as
    /// `127.0.0.1:49153`.
    pub fn published(&self, container_port: u16) -> Result<String, String> {
        let output = self
            .engine
            .quiet(&["port", &self.id, &format!("{container_port}/tcp")])?;
        let text = String::from_utf8_lossy(&output.stdout);
        text.lines()
            .map(str::trim)
            .find(|line| line.starts_with("127.0.0.1:"))
            .map(str::to_owned)
            .ok_or_else(|| format!("`port` printed no 127.0.0.1 address: {text:?}"))
    }

    /// Whether the container is still running.
    pub fn running(&self) -> bool {
        self.engine
            .quiet(&["inspect", "-f", "{{.State.Running}}", &self.id])
            .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "true")
    }

    /// What the engine says of the image's `HEALTHCHECK`: `starting`,
    /// `healthy` or `unhealthy`, or an empty string for an image without one.
    pub fn health(&self) -> String {
        self.engine
            .quiet(&[
                "inspect",
                "-f",
                "{{if .State.Health}}{{.State.Health.Status}}{{end}}",
                &self.id,
            ])
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
            .unwrap_or_default()
    }

    /// The output of the last health checks, as the engine kept it.
    pub fn health_log(&self) -> String {
        self.engine
            .quiet(&["inspect", "-f", "{{json .State.Health}}", &self.id])
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
            .unwrap_or_else(|error| format!("(cannot read it: {error})"))
    }

    /// What the container printed.
    pub fn logs(&self) -> String {
        match self.engine.command().args(["logs", &self.id]).output() {
            Ok(output) => format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
            Err(error) => format!("(cannot read its logs: {error})"),
        }
    }
}

impl Drop for Container<'_> {
    fn drop(&mut self) {
        let removed = self.engine.quiet(&["rm", "-f", &self.id]);
        if let Err(error) = removed {
            eprintln!(
                "could not remove container {}: {error}; remove it with `{} rm -f {}`",
                self.id, self.engine.program, self.id
            );
        }
    }
}

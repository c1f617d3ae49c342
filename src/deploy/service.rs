//! Starting and stopping the deployed service: a container where an engine
//! runs, else the binary. Whatever starts is stopped by [`Running::stop`], or
//! by `Drop` if a check returns early.

mod binary;
mod container;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::bail;
use deploy_manifest::Manifest;

use crate::cli::DeployMode;
use crate::deploy::{Options, probe};

/// How the service will run, decided before anything starts.
pub enum Plan {
    Container {
        engine: String,
        image: String,
    },
    Binary {
        package_dir: PathBuf,
        binary: String,
        why: Option<String>,
    },
}

impl Plan {
    pub fn describe(&self) -> String {
        match self {
            Plan::Container { engine, image } => {
                format!("the container image {image}, with {engine}")
            }
            Plan::Binary {
                binary,
                package_dir,
                why,
            } => {
                let base = format!(
                    "the binary `{binary}` of {}, built with cargo",
                    package_dir.display()
                );
                match why {
                    Some(why) => format!("{base} ({why})"),
                    None => base,
                }
            }
        }
    }
}

/// Chooses container or binary; `--mode container` fails rather than fall back.
pub fn plan(options: &Options, manifest: &Manifest, path: &Path) -> anyhow::Result<Plan> {
    let mode = options.mode;
    let package_dir = match (&options.package, path.parent()) {
        (Some(dir), _) => dir.clone(),
        (None, Some(dir)) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        (None, _) => PathBuf::from("."),
    };
    let binary = |why: Option<String>| -> anyhow::Result<Plan> {
        if !package_dir.join("Cargo.toml").is_file() {
            bail!(
                "to run the binary, restlings builds the package in {}, but it has no Cargo.toml. \
                 Keep deploy.toml next to the package's Cargo.toml, name the package with \
                 --package DIR, or deploy the container with --mode container.",
                package_dir.display()
            );
        }
        let package_dir = package_dir.clone();
        Ok(Plan::Binary {
            package_dir,
            binary: manifest.binary.clone(),
            why,
        })
    };
    if mode == DeployMode::Binary {
        return binary(None);
    }
    let engine = engine();
    let image_built = engine
        .as_deref()
        .is_some_and(|engine| image_exists(engine, &manifest.image));
    match (mode, engine) {
        (_, Some(engine)) if image_built => Ok(Plan::Container {
            engine,
            image: manifest.image.clone(),
        }),
        (DeployMode::Container, None) => bail!(
            "--mode container needs a container engine, and neither `docker info` nor `podman info` \
             succeeds. Start Docker (or Podman), or deploy the binary with --mode binary."
        ),
        (DeployMode::Container, Some(engine)) => bail!(
            "the image {image} is not built. Build it first (chapter 9), from the course's root:\n  \
             {engine} build -t {image} -f {}/Dockerfile .\nthen run again.",
            package_dir.display(),
            image = manifest.image
        ),
        (_, None) => binary(Some(
            "no container engine answers `docker info` or `podman info`".to_owned(),
        )),
        (_, Some(engine)) => binary(Some(format!(
            "the image {image} is not built; to deploy the container, build it from the course's \
             root with `{engine} build -t {image} -f {}/Dockerfile .`",
            package_dir.display(),
            image = manifest.image,
        ))),
    }
}

/// The first engine that answers `info`: `docker`, then `podman`, or only
/// the program named by `RESTLINGS_CONTAINER_ENGINE`; the same lookup as
/// chapter 9's tests ([`dockerfile_rules::engine::find`]).
pub fn engine() -> Option<String> {
    dockerfile_rules::engine::find().ok()
}

fn image_exists(engine: &str, image: &str) -> bool {
    quiet(Command::new(engine).args(["image", "inspect", image]))
}

/// Runs a command with no output; true if it ran and succeeded.
fn quiet(command: &mut Command) -> bool {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The service while it runs, and how to reach it.
pub struct Running {
    base_url: String,
    kind: Kind,
    stopped: bool,
}

enum Kind {
    Binary {
        child: Child,
        output: Arc<Mutex<String>>,
        path: PathBuf,
    },
    Container {
        engine: String,
        id: String,
        image: String,
    },
}

/// Starts the service as planned, with PORT and the declared variables.
pub fn start(
    plan: &Plan,
    manifest: &Manifest,
    values: &[(String, String)],
) -> anyhow::Result<Running> {
    match plan {
        Plan::Binary {
            package_dir,
            binary,
            ..
        } => binary::start_binary(package_dir, binary, values),
        Plan::Container { engine, image } => {
            container::start_container(engine.clone(), image, manifest.port, values)
        }
    }
}

impl Running {
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Binary { child, path, .. } => {
                format!(
                    "{} (pid {}) at {}",
                    path.display(),
                    child.id(),
                    self.base_url
                )
            }
            Kind::Container { id, image, .. } => {
                format!("container {} of {image} at {}", short(id), self.base_url)
            }
        }
    }

    /// Polls the health check until it answers 200 or `limit` passes.
    pub fn wait_for_health(&mut self, health: &str, limit: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        let mut last = "no answer yet".to_owned();
        while started.elapsed() < limit {
            if let Some(exit) = self.exited() {
                bail!("the service stopped before it answered {health}: {exit}");
            }
            match probe::status(&self.base_url, health) {
                Ok(200) => return Ok(()),
                Ok(status) => last = format!("it answered {status}"),
                Err(error) => last = error,
            }
            thread::sleep(Duration::from_millis(200));
        }
        bail!(
            "GET {health} did not answer 200 within {} s ({last}). Check that the service reads PORT \
             and binds 0.0.0.0, or give it longer with --wait.",
            limit.as_secs()
        )
    }

    /// How the service ended, if it did.
    fn exited(&mut self) -> Option<String> {
        match &mut self.kind {
            Kind::Binary { child, .. } => match child.try_wait() {
                Ok(Some(status)) => Some(format!("it exited with {status}")),
                _ => None,
            },
            Kind::Container { engine, id, .. } => {
                let state = Command::new(engine.as_str())
                    .args(["inspect", "--format", "{{.State.Running}}", id.as_str()])
                    .output()
                    .ok()?;
                let running = String::from_utf8_lossy(&state.stdout).trim() == "true";
                (!running).then(|| "its container is no longer running".to_owned())
            }
        }
    }

    /// Everything the service printed so far.
    pub fn logs(&self) -> String {
        match &self.kind {
            Kind::Binary { output, .. } => {
                // Give the pipe readers a moment to catch up with a fresh exit.
                thread::sleep(Duration::from_millis(100));
                output
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone()
            }
            Kind::Container { engine, id, .. } => Command::new(engine.as_str())
                .args(["logs", id.as_str()])
                .output()
                .map(|output| {
                    format!(
                        "{}{}",
                        String::from_utf8_lossy(&output.stdout),
                        String::from_utf8_lossy(&output.stderr)
                    )
                })
                .unwrap_or_else(|error| format!("(cannot read the logs: {error})")),
        }
    }

    /// Stops the service: SIGTERM and up to 10 s to finish, as `docker stop`
    /// does, then a kill; the container is removed.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        match &mut self.kind {
            Kind::Binary { child, .. } => {
                terminate(child);
                let deadline = Instant::now() + Duration::from_secs(10);
                while Instant::now() < deadline {
                    if let Ok(Some(_)) = child.try_wait() {
                        return;
                    }
                    thread::sleep(Duration::from_millis(50));
                }
                let _ = child.kill();
                let _ = child.wait();
            }
            Kind::Container { engine, id, .. } => {
                let _ = Command::new(engine.as_str())
                    .args(["stop", "--time", "10", id.as_str()])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
                let _ = Command::new(engine.as_str())
                    .args(["rm", "--force", id.as_str()])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Asks the process to stop, as an orchestrator does: SIGTERM on Unix, and
/// a kill where that is not possible.
fn terminate(child: &mut Child) {
    #[cfg(unix)]
    {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::Pid;

        let pid = i32::try_from(child.id()).map(Pid::from_raw);
        if pid.is_ok_and(|pid| kill(pid, Signal::SIGTERM).is_ok()) {
            return;
        }
    }
    let _ = child.kill();
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

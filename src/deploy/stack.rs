//! `restlings deploy` of a manifest that names a `stack`: the service on
//! Docker Swarm, as chapter 12 runs it.
//!
//! 1. A swarm: the engine's own, or a one-node swarm started here
//!    (`docker swarm init --advertise-addr 127.0.0.1`) and left at the end.
//! 2. The API key, when the manifest declares `API_KEY`, as the swarm secret
//!    `restlings_api_key`, its value handed to docker on stdin.
//! 3. `docker stack deploy -c STACK restlings`, with `SHOP_IMAGE` (the
//!    manifest's image), `SHOP_PORT` (a free port, or the shell's) and
//!    `SHOP_API_KEY_SECRET` for the stack file to use.
//! 4. Waits until every service runs all its replicas, each healthy, and the
//!    proxy's health check answers 200.
//! 5. The same probes as for one container, sent through the proxy.
//! 6. Removes the stack, the secret and the swarm it started, whatever
//!    happened.

use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use console::style;
use deploy_manifest::Manifest;

use crate::deploy::{API_KEY, probe, table};

/// The stack's name: `docker stack ls` shows it, and every service,
/// network, config and volume of it starts with `restlings_`.
const STACK: &str = "restlings";
const SECRET: &str = "restlings_api_key";
/// The variables the stack file reads, besides those the manifest declares.
const PORT_VAR: &str = "SHOP_PORT";
const IMAGE_VAR: &str = "SHOP_IMAGE";
const SECRET_VAR: &str = "SHOP_API_KEY_SECRET";

/// Deploys `stack` (beside `path`), checks it through its proxy, removes it.
pub fn run(
    path: &Path,
    manifest: &Manifest,
    stack: &str,
    values: &[(String, String)],
    wait: Duration,
) -> anyhow::Result<ExitCode> {
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    let stack_file = dir.join(stack);
    if !stack_file.is_file() {
        bail!(
            "{} names the stack {stack}, but {} does not exist: keep the stack file beside the \
             manifest, or fix `stack` in the manifest",
            path.display(),
            stack_file.display()
        );
    }
    let Some(engine) = crate::deploy::service::engine() else {
        bail!(
            "a stack is deployed on Docker Swarm, and no container engine answers `docker info`. \
             Start Docker (swarm mode is built in), then run again."
        );
    };
    let docker = Docker { program: engine };
    if !docker.ok(&["image", "inspect", &manifest.image]) {
        bail!(
            "the image {image} is not built. Build it first, from the course's root:\n  \
             {engine} build -t {image} -f {}/Dockerfile .\nthen run again.",
            dir.display(),
            image = manifest.image,
            engine = docker.program
        );
    }
    let port = match std::env::var(PORT_VAR) {
        Ok(port) => port,
        Err(_) => free_port()?.to_string(),
    };
    let base_url = format!("http://127.0.0.1:{port}");
    println!(
        "{} the stack {} on Docker Swarm, as `{STACK}`, its proxy on {base_url}",
        style("deploy:").bold(),
        stack_file.display()
    );

    let mut deployed = Deployed {
        docker,
        left_swarm: false,
        joined: false,
        secret: false,
    };
    deployed.join_swarm()?;
    let api_key = values
        .iter()
        .find(|(name, _)| name == API_KEY)
        .map(|(_, value)| value.as_str());
    if let Some(key) = api_key {
        deployed.create_secret(key)?;
    }
    let mut env: Vec<(String, String)> = values
        .iter()
        .filter(|(name, _)| name != API_KEY)
        .cloned()
        .collect();
    env.push((PORT_VAR.to_owned(), port.clone()));
    env.push((IMAGE_VAR.to_owned(), manifest.image.clone()));
    env.push((SECRET_VAR.to_owned(), SECRET.to_owned()));
    let file = stack_file.to_string_lossy().into_owned();
    deployed
        .docker
        .run(&["stack", "deploy", "--compose-file", &file, STACK], &env)
        .context("`docker stack deploy` refused the stack file")?;
    println!(
        "{} the stack `{STACK}`: {}",
        style("started:").bold(),
        deployed.services().join(", ")
    );

    if let Err(error) = deployed.wait_until_healthy(&base_url, &manifest.health, wait) {
        let status = deployed.status();
        drop(deployed);
        return Err(error.context(format!(
            "the stack never became healthy; this is what swarm says:\n{status}"
        )));
    }
    println!(
        "{} every replica is healthy: {}",
        style("healthy:").bold(),
        deployed.services().join(", ")
    );
    match api_key {
        Some(_) => println!(
            "{API_KEY} is set and handed over as the secret {SECRET}: every endpoint but the \
             health check must demand it."
        ),
        None => {
            println!("{API_KEY} is not among the manifest's env variables: every endpoint is open.")
        }
    }
    let rows = probe::check_all(&base_url, manifest, api_key);
    println!("\n{}", table::render(&rows));
    let failures = table::failures(&rows, path);
    let status = (!failures.is_empty()).then(|| deployed.status());
    drop(deployed);

    if failures.is_empty() {
        println!(
            "\n{} every one of the {} checks passed through the proxy.",
            style("deployed:").green().bold(),
            rows.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "\n{} {} of {} checks failed:\n{}",
        style("failed:").red().bold(),
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
    if let Some(status) = status {
        println!("\nSwarm said:\n{}", crate::report::indent(&status));
    }
    Ok(ExitCode::FAILURE)
}

/// A free port on 127.0.0.1, for the proxy to publish.
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
        .context("cannot find a free port on 127.0.0.1 for the proxy")?;
    Ok(listener.local_addr()?.port())
}

struct Docker {
    program: String,
}

impl Docker {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.stdin(Stdio::null());
        command
    }

    fn ok(&self, args: &[&str]) -> bool {
        self.command()
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    /// `docker ARGS` with `env` added; its stdout, or an error with stderr.
    fn run(&self, args: &[&str], env: &[(String, String)]) -> anyhow::Result<String> {
        let output = self
            .command()
            .args(args)
            .envs(env.iter().map(|(name, value)| (name, value)))
            .output()
            .with_context(|| format!("cannot run `{} {}`", self.program, args.join(" ")))?;
        if !output.status.success() {
            bail!(
                "`{} {}` failed: {}",
                self.program,
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    fn lines(&self, args: &[&str]) -> Vec<String> {
        self.run(args, &[])
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

/// What this command created; dropping it removes all of it.
struct Deployed {
    docker: Docker,
    /// True once the stack is removed.
    left_swarm: bool,
    /// True when this command started the swarm, and so leaves it.
    joined: bool,
    secret: bool,
}

impl Deployed {
    fn join_swarm(&mut self) -> anyhow::Result<()> {
        let state = self
            .docker
            .run(&["info", "--format", "{{.Swarm.LocalNodeState}}"], &[])?;
        if state.trim() == "active" {
            return Ok(());
        }
        self.docker
            .run(&["swarm", "init", "--advertise-addr", "127.0.0.1"], &[])
            .context("cannot start a one-node swarm")?;
        self.joined = true;
        println!(
            "{} a one-node swarm (`docker swarm init --advertise-addr 127.0.0.1`); it is left \
             again at the end",
            style("swarm:").bold()
        );
        Ok(())
    }

    fn create_secret(&mut self, key: &str) -> anyhow::Result<()> {
        // A secret cannot change: one left by an earlier run goes first.
        let _ = self.docker.run(&["secret", "rm", SECRET], &[]);
        let mut child = self
            .docker
            .command()
            .args(["secret", "create", SECRET, "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot run `docker secret create`")?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(key.as_bytes())
                .context("cannot hand the key to `docker secret create`")?;
        }
        let output = child
            .wait_with_output()
            .context("`docker secret create` did not finish")?;
        if !output.status.success() {
            bail!(
                "cannot create the secret {SECRET}: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        self.secret = true;
        Ok(())
    }

    /// `restlings_api 3/3`, one per service.
    fn services(&self) -> Vec<String> {
        self.docker.lines(&[
            "stack",
            "services",
            STACK,
            "--format",
            "{{.Name}} {{.Replicas}}",
        ])
    }

    /// Every service runs all its replicas, none of them starting or
    /// unhealthy, and the proxy's health check answers 200.
    fn wait_until_healthy(
        &self,
        base_url: &str,
        health: &str,
        limit: Duration,
    ) -> anyhow::Result<()> {
        let started = Instant::now();
        let label = format!("label=com.docker.stack.namespace={STACK}");
        let mut last = "no answer yet".to_owned();
        while started.elapsed() < limit {
            let services = self.services();
            let all_up = !services.is_empty()
                && services.iter().all(|line| {
                    line.rsplit(' ')
                        .next()
                        .and_then(|replicas| replicas.split_once('/'))
                        .is_some_and(|(running, wanted)| running == wanted)
                });
            let containers =
                self.docker
                    .lines(&["ps", "--filter", &label, "--format", "{{.Status}}"]);
            let all_healthy = containers
                .iter()
                .all(|status| !status.contains("starting") && !status.contains("unhealthy"));
            if all_up && all_healthy {
                match probe::status(base_url, health) {
                    Ok(200) => return Ok(()),
                    Ok(status) => last = format!("the proxy answered {status}"),
                    Err(error) => last = format!("the proxy: {error}"),
                }
            } else {
                last = services.join(", ");
            }
            thread::sleep(Duration::from_millis(500));
        }
        bail!(
            "after {} s the stack is not healthy ({last}). Give it longer with --wait, or read \
             the tasks' errors below.",
            limit.as_secs()
        )
    }

    /// The tasks and their errors, for a report.
    fn status(&self) -> String {
        self.docker
            .lines(&[
                "stack",
                "ps",
                STACK,
                "--no-trunc",
                "--format",
                "{{.Name}}  {{.CurrentState}}  {{.Error}}",
            ])
            .join("\n")
    }
}

impl Drop for Deployed {
    fn drop(&mut self) {
        if self.left_swarm {
            return;
        }
        self.left_swarm = true;
        let _ = self.docker.run(&["stack", "rm", STACK], &[]);
        // The secret and the network go once the containers have.
        let label = format!("label=com.docker.stack.namespace={STACK}");
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60)
            && !self
                .docker
                .lines(&["ps", "-aq", "--filter", &label])
                .is_empty()
        {
            thread::sleep(Duration::from_millis(500));
        }
        if self.secret {
            let _ = self.docker.run(&["secret", "rm", SECRET], &[]);
        }
        let _ = self
            .docker
            .run(&["volume", "rm", &format!("{STACK}_db-data")], &[]);
        if self.joined {
            let _ = self.docker.run(&["swarm", "leave", "--force"], &[]);
        }
        println!(
            "{} the stack `{STACK}`{}",
            style("removed:").bold(),
            if self.joined {
                ", and left the swarm"
            } else {
                ""
            }
        );
    }
}

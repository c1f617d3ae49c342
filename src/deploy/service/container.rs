//! The service as a container: `docker run` (or `podman run`) of the image,
//! its port published on a free port of 127.0.0.1.

use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use super::{Kind, Running};

pub(super) fn start_container(
    engine: String,
    image: &str,
    port: u16,
    values: &[(String, String)],
) -> anyhow::Result<Running> {
    let mut command = Command::new(&engine);
    command
        .args(["run", "--detach", "--publish"])
        .arg(format!("127.0.0.1::{port}"))
        .args(["--env", &format!("PORT={port}")]);
    for (name, value) in values {
        // `--env NAME` without a value: the engine copies it from its own
        // environment, so a secret never shows in the process list.
        command.args(["--env", name]).env(name, value);
    }
    let output = command
        .arg(image)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run `{engine} run`"))?;
    if !output.status.success() {
        bail!(
            "`{engine} run {image}` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let id = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let mut running = Running {
        base_url: String::new(),
        kind: Kind::Container {
            engine: engine.clone(),
            id: id.clone(),
            image: image.to_owned(),
        },
        stopped: false,
    };
    let published = Command::new(&engine)
        .args(["port", &id, &format!("{port}/tcp")])
        .output()
        .with_context(|| format!("cannot run `{engine} port`"))?;
    let address = String::from_utf8_lossy(&published.stdout)
        .lines()
        .next()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    if !published.status.success() || address.is_empty() {
        running.stop();
        bail!("the container started, but {engine} published no host port for {port}/tcp");
    }
    running.base_url = format!("http://{address}");
    Ok(running)
}

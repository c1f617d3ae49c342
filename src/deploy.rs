//! `restlings deploy PATH`: the local stand-in for "deploy the API by
//! creating configurations and endpoints".
//!
//! 1. Read and check `deploy.toml` (every problem with file:line:column: field).
//! 2. Take the values of the variables it declares from this shell.
//! 3. Start the service: its container image where an engine runs and the
//!    image exists, else the binary it names, built with cargo from the
//!    package next to the manifest.
//! 4. Wait, a bounded time, for the health check to answer 200.
//! 5. Call every declared endpoint without the API key (it must answer 401,
//!    `WWW-Authenticate: Bearer`) and with it (it must not answer 404 or 405).
//! 6. Print a table, stop what it started, exit 1 if any check failed.
//!
//! A manifest that names a `stack` (chapter 12) is deployed on Docker Swarm
//! instead, and checked through the stack's proxy: see [`stack`].

mod probe;
mod service;
mod stack;
mod table;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;
use console::style;
use deploy_manifest::Manifest;

use crate::cli::DeployMode;

/// The variable that holds the key the service demands, when set.
pub(crate) const API_KEY: &str = "API_KEY";

/// How to deploy, from the command line.
pub struct Options {
    pub mode: DeployMode,
    /// The package that builds the binary; `None`: the manifest's folder.
    pub package: Option<PathBuf>,
    /// How long the health check may take to answer 200.
    pub wait: Duration,
}

/// Deploys the manifest at `path`, checks it, and stops it again.
pub fn run(path: &Path, options: &Options) -> anyhow::Result<ExitCode> {
    let manifest = deploy_manifest::load(path)?;
    let values = env_values(&manifest, path)?;
    let api_key = values
        .iter()
        .find(|(name, _)| name == API_KEY)
        .map(|(_, value)| value.clone());

    // A stack file: the service on Docker Swarm, behind the stack's proxy.
    if let Some(stack) = &manifest.stack {
        if options.mode == DeployMode::Binary {
            bail!(
                "{} names a stack, which runs on Docker Swarm: --mode binary has no stack to \
                 run. Leave --mode out, or deploy a manifest without `stack`.",
                path.display()
            );
        }
        return stack::run(path, &manifest, stack, &values, options.wait);
    }

    let plan = service::plan(options, &manifest, path)?;
    println!("{} {}", style("deploy:").bold(), plan.describe());
    let mut running = service::start(&plan, &manifest, &values)?;
    println!("{} {}", style("started:").bold(), running.describe());

    if let Err(error) = running.wait_for_health(&manifest.health, options.wait) {
        let logs = running.logs();
        running.stop();
        return Err(error.context(format!(
            "the service never became healthy; this is what it printed:\n{}",
            if logs.trim().is_empty() {
                "(nothing)".to_owned()
            } else {
                logs
            }
        )));
    }

    match &api_key {
        Some(_) => {
            println!("{API_KEY} is set: every endpoint but the health check must demand it.")
        }
        None => println!("{NO_KEY_NOTE}"),
    }
    let rows = probe::check_all(running.base_url(), &manifest, api_key.as_deref());
    println!("\n{}", table::render(&rows));
    let failures = table::failures(&rows, path);
    let logs = (!failures.is_empty()).then(|| running.logs());
    running.stop();
    println!("{} {}", style("stopped:").bold(), running.describe());

    if failures.is_empty() {
        println!(
            "\n{} every one of the {} checks passed.",
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
    if let Some(logs) = logs.filter(|logs| !logs.trim().is_empty()) {
        println!("\nThe service printed:\n{}", crate::report::indent(&logs));
    }
    Ok(ExitCode::FAILURE)
}

/// The value of every variable the manifest declares, from this process's
/// environment; all the missing ones are named at once.
fn env_values(manifest: &Manifest, path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let mut values = Vec::new();
    let mut missing = Vec::new();
    for var in &manifest.env {
        match std::env::var(&var.name) {
            Ok(value) => values.push((var.name.clone(), value)),
            Err(std::env::VarError::NotPresent) => missing.push(format!(
                "  {}:{}:{}: env: {} is not set",
                path.display(),
                var.at.line,
                var.at.column,
                var.name
            )),
            Err(std::env::VarError::NotUnicode(_)) => {
                bail!(
                    "{} is set, but not to valid UTF-8 text: set it again and rerun",
                    var.name
                )
            }
        }
    }
    if !missing.is_empty() {
        let example: Vec<String> = manifest
            .env
            .iter()
            .map(|var| format!("{}=…", var.name))
            .collect();
        bail!(
            "the manifest needs variables this shell does not set:\n{}\n\
             Values come from the environment, never from the file. Set them and run again:\n  \
             {} restlings deploy {}",
            missing.join("\n"),
            example.join(" "),
            path.display()
        );
    }
    Ok(values)
}

const NO_KEY_NOTE: &str = "API_KEY is not among the manifest's env variables: every endpoint is \
                           open, so only the routes are checked. Add \"API_KEY\" to env to deploy \
                           with authentication.";

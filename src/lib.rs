//! The restlings runner: progress, hints and checks for the course.
//!
//! `cargo run` at the course root runs the binary in `main.rs`, which parses
//! [`cli::Cli`] and hands it to [`run`]. Each command has a module of its own.

pub mod book;
pub mod cargo;
pub mod check;
pub mod class;
pub mod cli;
pub mod course;
pub mod deploy;
pub mod dev;
pub mod dockerfile;
pub mod doctor;
pub mod files;
pub mod hint;
pub mod list;
pub mod remote;
pub mod report;
pub mod reset;
pub mod results;
pub mod serve;
pub mod state;
pub mod status;
pub mod verify;
pub mod watch;

use anyhow::Context;
use check::Checker;
use cli::{Cli, Command, DevCommand};
use course::Course;
use std::process::ExitCode;
use std::time::Duration;

/// Finds and loads the course, then runs the command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // `deploy` works on any manifest, inside the course or not.
    if let Some(Command::Deploy {
        path,
        mode,
        package,
        wait,
    }) = &cli.command
    {
        let options = deploy::Options {
            mode: *mode,
            package: package.clone(),
            wait: Duration::from_secs(*wait),
        };
        return deploy::run(path, &options);
    }
    // So does `dockerfile`: it reads one file and its ignore file.
    if let Some(Command::Dockerfile { path, port }) = &cli.command {
        return dockerfile::run(path, *port);
    }
    let root = match &cli.course {
        Some(dir) => dir.clone(),
        None => {
            let cwd = std::env::current_dir()
                .context("cannot read the current directory: cd into the course and run again")?;
            Course::find_root(&cwd)?
        }
    };
    let root = std::path::absolute(&root)
        .with_context(|| format!("cannot resolve the course folder {}", root.display()))?;
    let course = Course::load(&root)?;
    let checker = Checker::new(&course, Duration::from_secs(cli.timeout));
    match &cli.command {
        None => status::run(&course, &checker),
        Some(Command::List) => list::run(&course, &checker),
        Some(Command::Hint { name, all }) => hint::run(&course, &checker, name.as_deref(), *all),
        Some(Command::Verify { name }) => verify::run(&course, &checker, name.as_deref()),
        Some(Command::Check { name, url }) => remote::run(&course, &checker, name, url),
        Some(Command::Reset { name, all, yes }) => reset::run(&course, name.as_deref(), *all, *yes),
        Some(Command::Doctor) => doctor::run(&course, &checker),
        Some(Command::Report { json }) => results::run(&course, &checker, *json),
        Some(Command::Watch { name }) => watch::run(&course, &checker, name.as_deref()),
        Some(Command::Book { port, state }) => book::run(&course, *port, state.as_deref()),
        Some(Command::Class(command)) => class::run(&course, command),
        Some(Command::Serve { name, port }) => {
            serve::run(&course, &checker, name.as_deref(), *port)
        }
        Some(Command::Dev(DevCommand::Sync { names })) => dev::sync(&course.only(names)?),
        Some(Command::Dev(DevCommand::Check { names })) => dev::check(&course.only(names)?),
        Some(Command::Deploy { .. }) => unreachable!("deploy returns before the course loads"),
        Some(Command::Dockerfile { .. }) => {
            unreachable!("dockerfile returns before the course loads")
        }
    }
}

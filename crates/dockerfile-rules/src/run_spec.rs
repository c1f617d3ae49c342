//! How the image that ships says it should be run: the final stage's `ENV`,
//! `EXPOSE`, `USER`, `ENTRYPOINT` and `CMD`. Tests use it to start the
//! compiled binary on the host exactly as the container would.

use std::collections::HashMap;

use parse_dockerfile::{Command, Instruction};

use crate::view::{self, Ctx};
use crate::{CheckError, Options};

/// A command as the Dockerfile writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// `CMD ["/usr/local/bin/shop", "--flag"]`: the program and its arguments.
    Exec(Vec<String>),
    /// `CMD shop --flag`: text that `/bin/sh -c` would run.
    Shell(String),
}

/// What the final stage (and the stages it starts `FROM`) declares about
/// running the image. The base image's own settings are unknown here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSpec {
    /// `ENV` variables in order, later values replacing earlier ones.
    pub env: Vec<(String, String)>,
    /// `EXPOSE` arguments, such as `8080` or `8080/tcp`.
    pub expose: Vec<String>,
    /// The last `USER`, if any.
    pub user: Option<String>,
    /// The last `ENTRYPOINT`, if any.
    pub entrypoint: Option<Invocation>,
    /// The last `CMD`, if any.
    pub cmd: Option<Invocation>,
}

impl RunSpec {
    /// The TCP ports `EXPOSE` names, in order: `8080` and `8080/tcp` count,
    /// `53/udp` and ranges do not.
    pub fn exposed_tcp_ports(&self) -> Vec<u16> {
        self.expose
            .iter()
            .filter_map(|arg| match arg.split_once('/') {
                None => arg.parse().ok(),
                Some((port, protocol)) if protocol.eq_ignore_ascii_case("tcp") => port.parse().ok(),
                Some(_) => None,
            })
            .collect()
    }

    /// What the container runs, in exec form: `ENTRYPOINT` followed by `CMD`,
    /// as Docker joins them. `None` when either is in shell form or both are
    /// missing.
    pub fn exec_command(&self) -> Option<Vec<String>> {
        let mut command = Vec::new();
        for part in [&self.entrypoint, &self.cmd].into_iter().flatten() {
            match part {
                Invocation::Exec(args) => command.extend(args.iter().cloned()),
                Invocation::Shell(_) => return None,
            }
        }
        (!command.is_empty()).then_some(command)
    }
}

/// Reads how the image built from `dockerfile` is meant to run. `ARG` and
/// earlier `ENV` values are filled into `ENV`, `EXPOSE` and `USER`, as Docker
/// does; exec-form commands are taken as written, as Docker does too.
pub fn run_spec(dockerfile: &str) -> Result<RunSpec, CheckError> {
    let parsed = parse_dockerfile::parse(dockerfile).map_err(|error| CheckError::Parse {
        message: format!("{error:#}"),
        line: (error.line() > 0).then(|| error.line()),
    })?;
    let options = Options::default();
    let ctx = Ctx::new(dockerfile, &parsed, None, &options);
    let mut vars: HashMap<String, String> = ctx
        .global_args
        .iter()
        .flat_map(|arg| view::assignments(&arg.arguments.value))
        .collect();
    let mut spec = RunSpec::default();
    for index in ctx.lineage(ctx.final_stage()) {
        for instruction in ctx.stages[index].stage.instructions.iter() {
            match instruction {
                Instruction::Arg(arg) => vars.extend(view::assignments(&arg.arguments.value)),
                Instruction::Env(env) => {
                    for (name, value) in env_pairs(&env.arguments.value) {
                        let value = view::substitute(&value, &vars);
                        vars.insert(name.clone(), value.clone());
                        spec.env.retain(|(existing, _)| existing != &name);
                        spec.env.push((name, value));
                    }
                }
                Instruction::Expose(expose) => spec.expose.extend(
                    expose
                        .arguments
                        .iter()
                        .map(|arg| view::substitute(&arg.value, &vars)),
                ),
                Instruction::User(user) => {
                    spec.user = Some(view::substitute(&user.arguments.value, &vars));
                }
                Instruction::Cmd(cmd) => spec.cmd = invocation(&cmd.arguments),
                Instruction::Entrypoint(entrypoint) => {
                    spec.entrypoint = invocation(&entrypoint.arguments);
                }
                _ => {}
            }
        }
    }
    Ok(spec)
}

/// `None` for a form this version of the parser does not know.
fn invocation(command: &Command<'_>) -> Option<Invocation> {
    match command {
        Command::Exec(args) => Some(Invocation::Exec(
            args.value.iter().map(|arg| arg.value.to_string()).collect(),
        )),
        Command::Shell(shell) => Some(Invocation::Shell(shell.value.trim().to_string())),
        _ => None,
    }
}

/// `A=1 B=2`, or the legacy `NAME the whole value`.
fn env_pairs(arguments: &str) -> Vec<(String, String)> {
    let trimmed = arguments.trim();
    match trimmed.split_once(char::is_whitespace) {
        Some((name, value)) if !name.contains('=') => {
            vec![(name.to_string(), value.trim().to_string())]
        }
        _ => view::assignments(trimmed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> RunSpec {
        run_spec(text).unwrap_or_else(|error| panic!("the test Dockerfile must parse: {error}"))
    }

    #[test]
    fn the_final_stage_env_expose_user_and_cmd_are_read() {
        let spec = spec(
            "FROM rust:1 AS builder\nENV BUILD_ONLY=1\nFROM debian:trixie-slim\n\
             ENV PORT=8080 RUST_LOG=info\nEXPOSE ${PORT}/tcp 53/udp\nUSER 10001\n\
             CMD [\"/usr/local/bin/shop\", \"--quiet\"]\n",
        );
        assert_eq!(
            spec.env,
            vec![
                ("PORT".into(), "8080".into()),
                ("RUST_LOG".into(), "info".into())
            ],
            "only the final stage's ENV belongs to the image that ships"
        );
        assert_eq!(
            spec.exposed_tcp_ports(),
            vec![8080],
            "EXPOSE ${{PORT}}/tcp is 8080, 53/udp is not TCP"
        );
        assert_eq!(spec.user.as_deref(), Some("10001"), "the last USER wins");
        assert_eq!(
            spec.exec_command(),
            Some(vec![
                "/usr/local/bin/shop".to_string(),
                "--quiet".to_string()
            ]),
            "an exec-form CMD is the command as written"
        );
    }

    #[test]
    fn entrypoint_and_cmd_join_and_a_shell_form_has_no_exec_command() {
        let joined =
            spec("FROM debian:trixie-slim\nENTRYPOINT [\"/bin/shop\"]\nCMD [\"--port\", \"1\"]\n");
        assert_eq!(
            joined.exec_command(),
            Some(vec!["/bin/shop".into(), "--port".into(), "1".into()]),
            "Docker appends CMD to ENTRYPOINT"
        );
        let shell = spec("FROM debian:trixie-slim\nCMD shop --port 1\n");
        assert_eq!(
            shell.cmd,
            Some(Invocation::Shell("shop --port 1".into())),
            "shell form is kept as text"
        );
        assert_eq!(
            shell.exec_command(),
            None,
            "a shell-form CMD runs under /bin/sh, not as written"
        );
    }

    #[test]
    fn a_stage_started_from_an_earlier_one_inherits_its_env() {
        let spec = spec(
            "FROM debian:trixie-slim AS base\nENV PORT=9000\nFROM base\nENV GREETING hello world\n",
        );
        assert_eq!(
            spec.env,
            vec![
                ("PORT".into(), "9000".into()),
                ("GREETING".into(), "hello world".into())
            ],
            "FROM base keeps base's ENV, and the legacy `ENV NAME value` form keeps the whole value"
        );
    }

    #[test]
    fn an_unparsable_dockerfile_is_an_error_not_a_panic() {
        assert!(
            matches!(
                run_spec("FROM debian:trixie-slim\nFORM typo\n"),
                Err(CheckError::Parse { line: Some(2), .. })
            ),
            "an unknown instruction must come back as CheckError::Parse with its line"
        );
    }
}

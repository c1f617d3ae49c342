//! The image that ships: DR004 final-stage-root, DR005 missing-expose,
//! DR006 shell-form-command and DR012 missing-healthcheck.

use std::collections::HashMap;

use parse_dockerfile::{Command, HealthcheckArguments, Instruction};

use super::finding;
use crate::report::{Finding, RuleId};
use crate::view::{Ctx, assignments, simple_commands, substitute};

/// The instructions that make up the final image: those of the final stage
/// and of the earlier stages it starts `FROM`, in order.
fn final_image<'a, 'b>(ctx: &Ctx<'a, 'b>) -> Vec<&'b Instruction<'a>> {
    ctx.lineage(ctx.final_stage())
        .into_iter()
        .flat_map(|index| ctx.stages[index].stage.instructions.iter())
        .collect()
}

/// DR004: the final stage runs as a user other than root; the last `USER`
/// wins.
pub(super) fn final_stage_root(ctx: &Ctx<'_, '_>) -> Vec<Finding> {
    let fix = "Create an unprivileged user (`RUN useradd --system --uid 10001 app`) and end the final stage with `USER app` before `CMD`.";
    let last_user = final_image(ctx).into_iter().rev().find_map(|i| match i {
        Instruction::User(user) => Some(user),
        _ => None,
    });
    match last_user {
        None => vec![finding(
            RuleId::FinalStageRoot,
            Some(ctx.stages[ctx.final_stage()].line),
            "the final stage never sets `USER`, so the service runs as root",
            fix,
        )],
        Some(user) if is_root(&user.arguments.value) => vec![finding(
            RuleId::FinalStageRoot,
            Some(ctx.line(user.user.span.start)),
            format!(
                "the final stage's last `USER` is `{}`, the root user",
                user.arguments.value
            ),
            fix,
        )],
        Some(_) => Vec::new(),
    }
}

/// `root`, `0`, `root:root` or `0:0`: the user part decides.
fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    name == "root" || name.parse::<u32>() == Ok(0)
}

/// DR005: the final stage `EXPOSE`s the service's port. `ARG` and `ENV`
/// defaults are filled in, so `EXPOSE ${PORT}` counts.
pub(super) fn missing_expose(ctx: &Ctx<'_, '_>) -> Vec<Finding> {
    let port = ctx.options.port;
    let instructions = final_image(ctx);
    let mut vars: HashMap<String, String> = ctx
        .global_args
        .iter()
        .flat_map(|arg| assignments(&arg.arguments.value))
        .collect();
    let mut first_expose = None;
    for instruction in instructions {
        match instruction {
            Instruction::Arg(arg) => vars.extend(assignments(&arg.arguments.value)),
            Instruction::Env(env) => vars.extend(assignments(&env.arguments.value)),
            Instruction::Expose(expose) => {
                first_expose.get_or_insert(expose);
                let exposes_port = expose
                    .arguments
                    .iter()
                    .any(|arg| covers(&substitute(&arg.value, &vars), port));
                if exposes_port {
                    return Vec::new();
                }
            }
            _ => {}
        }
    }
    let fix = format!("Add `EXPOSE {port}` to the final stage: the service listens on {port}.");
    let found = match first_expose {
        Some(expose) => finding(
            RuleId::MissingExpose,
            Some(ctx.line(expose.expose.span.start)),
            format!("the final stage exposes other ports, but not {port}"),
            fix,
        ),
        None => finding(
            RuleId::MissingExpose,
            Some(ctx.stages[ctx.final_stage()].line),
            format!("the final stage has no `EXPOSE {port}`"),
            fix,
        ),
    };
    vec![found]
}

/// Whether an `EXPOSE` argument (`8080`, `8080/tcp`, `8000-8090`) covers `port`.
fn covers(argument: &str, port: u16) -> bool {
    let ports = argument.split('/').next().unwrap_or(argument);
    match ports.split_once('-') {
        Some((low, high)) => match (low.parse::<u16>(), high.parse::<u16>()) {
            (Ok(low), Ok(high)) => (low..=high).contains(&port),
            _ => false,
        },
        None => ports.parse::<u16>() == Ok(port),
    }
}

/// DR006: `CMD` and `ENTRYPOINT` in exec (JSON) form.
pub(super) fn shell_form_command(ctx: &Ctx<'_, '_>) -> Vec<Finding> {
    let mut found = Vec::new();
    for (_, instruction) in ctx.instructions() {
        let (keyword, span, arguments) = match instruction {
            Instruction::Cmd(cmd) => ("CMD", &cmd.cmd.span, &cmd.arguments),
            Instruction::Entrypoint(e) => ("ENTRYPOINT", &e.entrypoint.span, &e.arguments),
            _ => continue,
        };
        let Command::Shell(shell) = arguments else {
            continue;
        };
        let commands = simple_commands(shell.value);
        let fix = match commands.as_slice() {
            [words] => {
                let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
                format!(
                    "Write it as a JSON array: `{keyword} [{}]`.",
                    quoted.join(", ")
                )
            }
            _ => format!(
                "Write it as a JSON array that starts the binary itself, such as `{keyword} [\"/usr/local/bin/app\"]`."
            ),
        };
        found.push(finding(
            RuleId::ShellFormCommand,
            Some(ctx.line(span.start)),
            format!("`{keyword} {}` is in shell form", shell.value.trim()),
            fix,
        ));
    }
    found
}

/// DR012: the final image has a `HEALTHCHECK` that runs a command; the last
/// one wins, and `HEALTHCHECK NONE` switches an inherited one off.
pub(super) fn missing_healthcheck(ctx: &Ctx<'_, '_>) -> Vec<Finding> {
    let fix = "Add `HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD [\"/usr/local/bin/app\", \"--health-check\"]` to the final stage: a mode of the binary itself that requests GET /health and exits 0 or 1, since a slim image has no curl.";
    let last = final_image(ctx).into_iter().rev().find_map(|i| match i {
        Instruction::Healthcheck(check) => Some(check),
        _ => None,
    });
    match last {
        None => vec![finding(
            RuleId::MissingHealthcheck,
            Some(ctx.stages[ctx.final_stage()].line),
            "the final stage has no `HEALTHCHECK`, so the engine cannot tell a wedged service from a healthy one",
            fix,
        )],
        Some(check) if matches!(check.arguments, HealthcheckArguments::None { .. }) => {
            vec![finding(
                RuleId::MissingHealthcheck,
                Some(ctx.line(check.healthcheck.span.start)),
                "`HEALTHCHECK NONE` switches the health check off",
                fix,
            )]
        }
        Some(_) => Vec::new(),
    }
}

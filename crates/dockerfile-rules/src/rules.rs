//! The rules, one small function each, grouped by what they look at:
//! the stages and the build, the image that ships, and general hygiene.

mod build;
mod hygiene;
mod runtime;

use crate::report::{Finding, RuleId, Severity};
use crate::view::Ctx;

/// Runs every rule, in id order.
pub(crate) fn all(ctx: &Ctx<'_, '_>) -> Vec<Finding> {
    let rules: [fn(&Ctx<'_, '_>) -> Vec<Finding>; 14] = [
        build::multi_stage,
        build::unpinned_image,
        build::cargo_build_flags,
        runtime::final_stage_root,
        runtime::missing_expose,
        runtime::shell_form_command,
        hygiene::add_local_files,
        hygiene::secret_in_env,
        hygiene::dockerignore,
        hygiene::apt_get_hygiene,
        hygiene::add_url,
        runtime::missing_healthcheck,
        hygiene::ignore_secrets,
        build::moving_tag,
    ];
    rules.iter().flat_map(|rule| rule(ctx)).collect()
}

/// A finding of `rule` with its usual severity and reason.
fn finding(
    rule: RuleId,
    line: Option<usize>,
    message: impl Into<String>,
    fix: impl Into<String>,
) -> Finding {
    Finding {
        rule,
        severity: severity(rule),
        line,
        message: message.into(),
        why: why(rule).to_string(),
        fix: fix.into(),
    }
}

fn severity(rule: RuleId) -> Severity {
    match rule {
        RuleId::AptGetHygiene | RuleId::AddUrl => Severity::Warning,
        _ => Severity::Error,
    }
}

fn why(rule: RuleId) -> &'static str {
    match rule {
        RuleId::MultiStage => {
            "The compiler and its caches weigh a gigabyte and widen the attack surface, and the running service needs none of it."
        }
        RuleId::UnpinnedImage => {
            "An unpinned tag moves under you, so the same Dockerfile builds a different image next month and nobody can say why it broke."
        }
        RuleId::CargoBuildFlags => {
            "A debug build is many times slower than a release build, and without `--locked` cargo may quietly pick dependency versions you never tested."
        }
        RuleId::FinalStageRoot => {
            "A process running as root inside the container turns any bug in the service into root access to the container, and sometimes beyond."
        }
        RuleId::MissingExpose => {
            "`EXPOSE` documents the port the service listens on, and tools such as `docker run -P` read it."
        }
        RuleId::ShellFormCommand => {
            "In shell form the service runs under `/bin/sh -c`, which does not pass on SIGTERM, so `docker stop` waits ten seconds and then kills it mid-request."
        }
        RuleId::AddLocalFiles => {
            "`ADD` silently unpacks archives and fetches URLs, so `COPY` says exactly what happens to local files."
        }
        RuleId::SecretInEnv => {
            "`ENV` and `ARG` values are stored in the image and shown by `docker history`, so anyone who pulls the image can read them."
        }
        RuleId::Dockerignore => {
            "Everything not ignored is sent to the builder on every build, and `target/` and `.git` can be gigabytes that also bust the layer cache."
        }
        RuleId::AptGetHygiene => {
            "Recommended packages and apt's package lists add tens of megabytes to the layer, and a later `rm` cannot shrink a layer already written."
        }
        RuleId::AddUrl => {
            "A download inside `ADD` is not checked against a checksum and is fetched again whenever the cache misses."
        }
        RuleId::MissingHealthcheck => {
            "Without a `HEALTHCHECK` the engine knows only that the process runs, so a service that is up but wedged looks healthy to `docker ps`, to Compose's `condition: service_healthy` and to Swarm, which never replace it."
        }
        RuleId::IgnoreSecrets => {
            "`COPY . .` sends every file the ignore file lets through into the build stage and its cache, so a `.env` or a private key ends up in a layer that anyone with the image or the build cache can read."
        }
        RuleId::MovingTag => {
            "A tag such as `trixie-slim` names a release, not an image: it is rebuilt for every point release and security update, so the same Dockerfile builds on a different base next month and nobody can say what changed."
        }
    }
}

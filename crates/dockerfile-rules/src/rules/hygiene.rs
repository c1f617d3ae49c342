//! General hygiene: DR007 add-local-files, DR008 secret-in-env,
//! DR009 dockerignore, DR010 apt-get-hygiene, DR011 add-url and
//! DR013 ignore-secrets.

use parse_dockerfile::{AddInstruction, Instruction, Source};

use super::finding;
use crate::report::{Finding, RuleId};
use crate::view::{Ctx, declared_names, program, script_of, simple_commands};

/// The `ADD` instructions with their sources, split into local paths and URLs.
fn adds<'a, 'b>(ctx: &Ctx<'a, 'b>) -> Vec<(&'b AddInstruction<'a>, Vec<String>, Vec<String>)> {
    ctx.instructions()
        .filter_map(|(_, instruction)| match instruction {
            Instruction::Add(add) => Some(add),
            _ => None,
        })
        .map(|add| {
            let (urls, local): (Vec<String>, Vec<String>) = add
                .src
                .iter()
                .map(|source| match source {
                    Source::Path(path) => path.value.to_string(),
                    Source::HereDoc(_) => "<<heredoc".to_string(),
                    _ => "?".to_string(),
                })
                .partition(|source| is_url(source));
            (add, local, urls)
        })
        .collect()
}

fn is_url(source: &str) -> bool {
    source.contains("://") || source.starts_with("git@")
}

/// DR007: local files are copied with `COPY`, not `ADD`.
pub(super) fn add_local_files(ctx: &Ctx<'_, '_>) -> Vec<Finding> {
    adds(ctx)
        .into_iter()
        .filter(|(_, local, _)| !local.is_empty())
        .map(|(add, local, _)| {
            finding(
                RuleId::AddLocalFiles,
                Some(ctx.line(add.add.span.start)),
                format!("`ADD` copies the local files {}", local.join(" ")),
                format!("Use `COPY {} {}` instead.", local.join(" "), add.dest.value),
            )
        })
        .collect()
}

/// DR011: a warning for `ADD` of a URL without `--checksum`.
pub(super) fn add_url(ctx: &Ctx<'_, '_>) -> Vec<Finding> {
    adds(ctx)
        .into_iter()
        .filter(|(add, _, urls)| {
            !urls.is_empty() && !add.options.iter().any(|flag| flag.name.value == "checksum")
        })
        .map(|(add, _, urls)| {
            finding(
                RuleId::AddUrl,
                Some(ctx.line(add.add.span.start)),
                format!("`ADD` downloads {} without a checksum", urls.join(" ")),
                "Download in a `RUN` that verifies a checksum, or add `--checksum=sha256:…` to the `ADD`.",
            )
        })
        .collect()
}

/// DR008: no `ENV` or `ARG` whose name looks like a secret (`*_KEY`,
/// `*_TOKEN`, `*PASSWORD*`, `*SECRET*`, in any case).
pub(super) fn secret_in_env(ctx: &Ctx<'_, '_>) -> Vec<Finding> {
    let global = ctx
        .global_args
        .iter()
        .map(|arg| ("ARG", arg.arg.span.start, &arg.arguments.value));
    let in_stages = ctx
        .instructions()
        .filter_map(|(_, instruction)| match instruction {
            Instruction::Env(env) => Some(("ENV", env.env.span.start, &env.arguments.value)),
            Instruction::Arg(arg) => Some(("ARG", arg.arg.span.start, &arg.arguments.value)),
            _ => None,
        });
    let mut found = Vec::new();
    for (keyword, at, arguments) in global.chain(in_stages) {
        for name in declared_names(arguments) {
            if looks_secret(name) {
                found.push(finding(
                    RuleId::SecretInEnv,
                    Some(ctx.line(at)),
                    format!("`{keyword} {name}` looks like a secret baked into the image"),
                    format!("Pass it when the container starts (`docker run -e {name}`), or to one `RUN` with `--mount=type=secret`."),
                ));
            }
        }
    }
    found
}

fn looks_secret(name: &str) -> bool {
    let name = name.to_uppercase();
    name.ends_with("_KEY")
        || name.ends_with("_TOKEN")
        || name.contains("PASSWORD")
        || name.contains("SECRET")
}

/// DR009: a `.dockerignore` exists and excludes `target/` and `.git`.
pub(super) fn dockerignore(ctx: &Ctx<'_, '_>) -> Vec<Finding> {
    let Some(text) = ctx.dockerignore else {
        return vec![finding(
            RuleId::Dockerignore,
            None,
            "there is no `.dockerignore`, so `target/` and `.git` are sent to the builder",
            "Create `.dockerignore` next to the Dockerfile with the lines `target/` and `.git`.",
        )];
    };
    [("target", "target/"), (".git", ".git")]
        .into_iter()
        .filter(|(name, _)| !excludes(text, name))
        .map(|(_, line)| {
            finding(
                RuleId::Dockerignore,
                None,
                format!("`.dockerignore` does not exclude `{line}`"),
                format!("Add a line `{line}` to `.dockerignore`."),
            )
        })
        .collect()
}

/// DR013: the ignore file keeps secrets out of the build context: `.env`
/// files and key files (`*.pem`, `*.key`). Without an ignore file DR009
/// speaks alone.
pub(super) fn ignore_secrets(ctx: &Ctx<'_, '_>) -> Vec<Finding> {
    let Some(text) = ctx.dockerignore else {
        return Vec::new();
    };
    let wanted: [(&str, &[&str], &str); 3] = [
        (".env", &[".env", ".env*"], "an environment file of secrets"),
        ("*.pem", &["*.pem"], "a certificate's private key"),
        ("*.key", &["*.key"], "a private key"),
    ];
    wanted
        .into_iter()
        .filter(|(_, accepted, _)| !accepted.iter().any(|name| excludes(text, name)))
        .map(|(line, _, what)| {
            finding(
                RuleId::IgnoreSecrets,
                None,
                format!("`.dockerignore` does not exclude `{line}`, so {what} would reach the build"),
                format!("Add a line `**/{line}` to `.dockerignore`: `**/` leaves it out in every folder, not only at the root."),
            )
        })
        .collect()
}

/// Whether `.dockerignore` text leaves the top-level `name` out of the build
/// context: `target`, `target/`, `/target`, `**/target` and `*` all do, and a
/// later `!` line can take it back.
fn excludes(text: &str, name: &str) -> bool {
    let mut excluded = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (negated, pattern) = match line.strip_prefix('!') {
            Some(rest) => (true, rest.trim()),
            None => (false, line),
        };
        let pattern = pattern.trim_start_matches("./").trim_start_matches('/');
        let pattern = pattern.strip_prefix("**/").unwrap_or(pattern);
        let pattern = pattern.strip_suffix("/**").unwrap_or(pattern);
        let pattern = pattern.trim_end_matches('/');
        if pattern == name || pattern == "*" || pattern == "**" {
            excluded = !negated;
        }
    }
    excluded
}

/// DR010: `apt-get install` with `--no-install-recommends`, and the same
/// `RUN` removes `/var/lib/apt/lists`.
pub(super) fn apt_get_hygiene(ctx: &Ctx<'_, '_>) -> Vec<Finding> {
    let mut found = Vec::new();
    for (_, instruction) in ctx.instructions() {
        let Instruction::Run(run) = instruction else {
            continue;
        };
        let Some(script) = script_of(instruction) else {
            continue;
        };
        let commands = simple_commands(&script);
        let installs: Vec<&[String]> = commands
            .iter()
            .filter_map(|words| program(words))
            .filter(|(name, args)| *name == "apt-get" && args.iter().any(|a| a == "install"))
            .map(|(_, args)| args)
            .collect();
        if installs.is_empty() {
            continue;
        }
        let line = Some(ctx.line(run.run.span.start));
        let lean = |args: &[String]| {
            args.iter().any(|arg| {
                arg == "--no-install-recommends" || arg.contains("Install-Recommends=false")
            })
        };
        if !installs.iter().all(|args| lean(args)) {
            found.push(finding(
                RuleId::AptGetHygiene,
                line,
                "`apt-get install` runs without `--no-install-recommends`",
                "Write `apt-get install -y --no-install-recommends <packages>`.",
            ));
        }
        let cleans = commands.iter().any(|words| {
            program(words).is_some_and(|(name, args)| {
                name == "rm" && args.iter().any(|a| a.starts_with("/var/lib/apt/lists"))
            })
        });
        if !cleans {
            found.push(finding(
                RuleId::AptGetHygiene,
                line,
                "this `RUN` installs packages but leaves `/var/lib/apt/lists` in the layer",
                "End the same `RUN` with `&& rm -rf /var/lib/apt/lists/*`.",
            ));
        }
    }
    found
}

//! The stages and the build: DR001 multi-stage, DR002 unpinned-image,
//! DR003 cargo-build-flags and DR014 moving-tag.

use parse_dockerfile::Instruction;

use super::finding;
use crate::report::{Finding, RuleId};
use crate::view::{Ctx, cargo_subcommand, runs_cargo, script_of, simple_commands, start_of};

/// DR001: at least two stages, a build stage with the Rust toolchain, and a
/// final stage without it.
pub(super) fn multi_stage(ctx: &Ctx<'_, '_>) -> Vec<Finding> {
    let last = ctx.final_stage();
    let final_line = Some(ctx.stages[last].line);
    if ctx.stages.len() < 2 {
        return vec![finding(
            RuleId::MultiStage,
            final_line,
            "the Dockerfile has a single stage, so the image that ships is the image that compiled",
            "Compile in a `FROM rust:<version>-slim-<suite> AS builder` stage, then copy only the binary into a slim runtime stage with `COPY --from=builder`.",
        )];
    }
    let mut found = Vec::new();
    if !(0..last).any(|index| toolchain_in(ctx, index).is_some()) {
        found.push(finding(
            RuleId::MultiStage,
            Some(ctx.stages[0].line),
            "no build stage has the Rust toolchain: none starts FROM a `rust` image or runs cargo",
            "Start the build stage with `FROM rust:<version>-slim-<suite> AS builder` and run `cargo build --release` in it.",
        ));
    }
    if let Some(reason) = toolchain_in(ctx, last) {
        found.push(finding(
            RuleId::MultiStage,
            final_line,
            format!("the final stage {reason}, so the image that ships carries the compiler"),
            "Start the final stage from a slim runtime image such as `debian:<suite>-slim` and copy only the compiled binary into it.",
        ));
    }
    found
}

/// Why stage `index` has the Rust toolchain, if it has: its base image is a
/// `rust` image, it runs cargo, or it starts FROM a stage that does.
fn toolchain_in(ctx: &Ctx<'_, '_>, index: usize) -> Option<String> {
    let info = &ctx.stages[index];
    match info.parent {
        Some(parent) if toolchain_in(ctx, parent).is_some() => {
            return Some(format!(
                "starts FROM the stage `{}`, which has the Rust toolchain",
                info.image
            ));
        }
        None if image_name(&info.image).starts_with("rust") => {
            return Some(format!("starts FROM `{}`", info.image));
        }
        _ => {}
    }
    info.stage.instructions.iter().find_map(|instruction| {
        let script = script_of(instruction)?;
        runs_cargo(&script).then(|| {
            let line = start_of(instruction).map_or(info.line, |at| ctx.line(at));
            format!("runs cargo on line {line}")
        })
    })
}

/// The repository's last path component: `rust` for
/// `docker.io/library/rust:1.96.0-slim-trixie`.
fn image_name(image: &str) -> &str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split(':').next().unwrap_or(last)
}

/// DR002: every `FROM` image pinned to a tag or digest, never `latest`.
/// Earlier stages and `scratch` need no tag; images that still contain a
/// variable after the global `ARG` defaults are filled in cannot be judged.
pub(super) fn unpinned_image(ctx: &Ctx<'_, '_>) -> Vec<Finding> {
    let mut found = Vec::new();
    for info in &ctx.stages {
        let image = info.image.as_str();
        if info.parent.is_some() || image == "scratch" || image.contains('$') || image.contains('@')
        {
            continue;
        }
        let last = image.rsplit('/').next().unwrap_or(image);
        let message = match last.split_once(':') {
            None => format!("`FROM {image}` has no tag, so it means `{image}:latest`"),
            Some((_, "latest")) => format!("`FROM {image}` uses the moving `latest` tag"),
            Some(_) => continue,
        };
        found.push(finding(
            RuleId::UnpinnedImage,
            Some(info.line),
            message,
            "Pin a version tag such as `rust:<version>-slim-<suite>` or `debian:<suite>-slim`, or a digest `@sha256:…`.",
        ));
    }
    found
}

/// DR003: the service is built with `cargo build --release` (or `cargo
/// install`), with `--locked` when the project has a `Cargo.lock`.
pub(super) fn cargo_build_flags(ctx: &Ctx<'_, '_>) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut builds = 0;
    for (_, instruction) in ctx.instructions() {
        let Instruction::Run(run) = instruction else {
            continue;
        };
        let Some(script) = script_of(instruction) else {
            continue;
        };
        for words in simple_commands(&script) {
            let Some((subcommand, args)) = cargo_subcommand(&words) else {
                continue;
            };
            let has = |flag: &str| args.iter().any(|arg| arg == flag);
            let release = match subcommand {
                "build" | "b" => {
                    has("--release")
                        || has("-r")
                        || has("--profile=release")
                        || args
                            .windows(2)
                            .any(|w| w[0] == "--profile" && w[1] == "release")
                }
                // `cargo install` builds with the release profile unless told `--debug`.
                "install" => !has("--debug"),
                _ => continue,
            };
            builds += 1;
            let locked = !ctx.options.has_lockfile || has("--locked") || has("--frozen");
            let missing: Vec<&str> = [(!release, "`--release`"), (!locked, "`--locked`")]
                .into_iter()
                .filter_map(|(missing, flag)| missing.then_some(flag))
                .collect();
            if !missing.is_empty() {
                found.push(finding(
                    RuleId::CargoBuildFlags,
                    Some(ctx.line(run.run.span.start)),
                    format!(
                        "`cargo {subcommand}` runs without {}",
                        missing.join(" and ")
                    ),
                    build_fix(ctx),
                ));
            }
        }
    }
    if builds == 0 {
        found.push(finding(
            RuleId::CargoBuildFlags,
            None,
            "no `RUN` compiles the service with `cargo build`",
            build_fix(ctx),
        ));
    }
    found
}

fn build_fix(ctx: &Ctx<'_, '_>) -> &'static str {
    if ctx.options.has_lockfile {
        "Build with `RUN cargo build --release --locked` in the build stage, after copying `Cargo.toml`, `Cargo.lock` and `src/`."
    } else {
        "Build with `RUN cargo build --release` in the build stage, after copying `Cargo.toml` and `src/`."
    }
}

/// DR014: every `FROM` tag names one build of an image: a version with its
/// minor number (`1.96.0`, `3.20`) or a date stamp (`trixie-20251117-slim`),
/// not a release name alone (`trixie-slim`, `13-slim`), which is rebuilt
/// under the same name. Digests pass; no tag and `latest` are DR002's.
pub(super) fn moving_tag(ctx: &Ctx<'_, '_>) -> Vec<Finding> {
    let mut found = Vec::new();
    for info in &ctx.stages {
        let image = info.image.as_str();
        if info.parent.is_some() || image == "scratch" || image.contains('$') || image.contains('@')
        {
            continue;
        }
        let last = image.rsplit('/').next().unwrap_or(image);
        let Some((name, tag)) = last.split_once(':') else {
            continue;
        };
        if tag == "latest" || names_one_build(tag) {
            continue;
        }
        found.push(finding(
            RuleId::MovingTag,
            Some(info.line),
            format!("`FROM {image}`: the tag `{tag}` names a release that is rebuilt under the same name"),
            format!(
                "Pin a tag that names one build: a version with its minor number, or a dated tag such as `{name}:{}`; with a registry, a digest `@sha256:…` pins it for good.",
                dated_example(tag)
            ),
        ));
    }
    found
}

/// Whether a tag holds a version with a minor number (two numbers joined by
/// a dot) or an eight-digit date stamp.
fn names_one_build(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    let dotted = bytes
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit());
    let dated = tag
        .split(|c: char| !c.is_ascii_digit())
        .any(|digits| digits.len() == 8);
    dotted || dated
}

/// `trixie-slim` as `trixie-YYYYMMDD-slim`, the shape of Debian's dated tags.
fn dated_example(tag: &str) -> String {
    match tag.split_once('-') {
        Some((release, variant)) => format!("{release}-YYYYMMDD-{variant}"),
        None => format!("{tag}-YYYYMMDD"),
    }
}

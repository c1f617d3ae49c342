//! DR001 multi-stage, DR002 unpinned-image, DR003 cargo-build-flags.

use dockerfile_rules::{Options, RuleId};

use crate::{
    GOOD, assert_quiet_on_good, findings, findings_with, good_with, line_of, one_finding, render,
};

const SINGLE_STAGE: &str = "FROM rust:1.96.0-slim-trixie
WORKDIR /app
COPY . .
RUN cargo build --release --locked
USER 10001
EXPOSE 8080
CMD [\"/app/target/release/service\"]
";

#[test]
fn a_single_stage_build_is_not_multi_stage() {
    let found = findings(RuleId::MultiStage, SINGLE_STAGE);
    assert_eq!(
        found.len(),
        1,
        "one stage should give exactly one DR001 finding, got:\n{}",
        render(&found)
    );
    assert_eq!(
        found[0].line,
        Some(1),
        "DR001 should point at the only FROM"
    );
    assert!(
        found[0].message.contains("single stage"),
        "the message should say why: {}",
        found[0].message
    );
}

#[test]
fn a_final_stage_from_a_rust_image_ships_the_toolchain() {
    let dockerfile = good_with(
        "FROM debian:trixie-20251117-slim",
        "FROM rust:1.96.0-slim-trixie",
    );
    let finding = one_finding(RuleId::MultiStage, &dockerfile);
    assert_eq!(
        finding.line,
        Some(line_of(&dockerfile, "FROM rust:1.96.0-slim-trixie")),
        "DR001 should point at the final FROM"
    );
}

#[test]
fn a_final_stage_that_starts_from_the_builder_ships_the_toolchain() {
    let dockerfile = good_with("FROM debian:trixie-20251117-slim", "FROM builder");
    let finding = one_finding(RuleId::MultiStage, &dockerfile);
    assert!(
        finding.message.contains("`builder`"),
        "the message should name the stage it inherits from: {}",
        finding.message
    );
}

#[test]
fn a_final_stage_that_runs_cargo_ships_the_toolchain() {
    let dockerfile = good_with("USER app\n", "RUN cargo --version\nUSER app\n");
    let finding = one_finding(RuleId::MultiStage, &dockerfile);
    assert!(
        finding.message.contains("runs cargo"),
        "the message should say the stage runs cargo: {}",
        finding.message
    );
}

#[test]
fn two_stages_without_a_rust_build_stage_are_flagged() {
    let dockerfile = "FROM debian:trixie-slim AS builder
RUN make
FROM debian:trixie-slim
COPY --from=builder /app/service /service
";
    let found = findings(RuleId::MultiStage, dockerfile);
    assert_eq!(
        found.len(),
        1,
        "expected one DR001, got:\n{}",
        render(&found)
    );
    assert_eq!(
        found[0].line,
        Some(1),
        "DR001 should point at the first FROM"
    );
}

#[test]
fn the_reference_dockerfile_is_multi_stage() {
    assert_quiet_on_good(RuleId::MultiStage);
}

#[test]
fn an_untagged_image_means_latest_and_is_flagged() {
    let dockerfile = good_with("FROM debian:trixie-20251117-slim", "FROM debian");
    let finding = one_finding(RuleId::UnpinnedImage, &dockerfile);
    assert_eq!(
        finding.line,
        Some(line_of(&dockerfile, "FROM debian")),
        "DR002 should point at the untagged FROM"
    );
}

#[test]
fn the_latest_tag_is_flagged_even_through_a_global_arg() {
    let dockerfile = format!(
        "ARG RUST_TAG=latest\n{}",
        GOOD.replacen("rust:1.96.0-slim-trixie", "rust:${RUST_TAG}", 1)
    );
    let finding = one_finding(RuleId::UnpinnedImage, &dockerfile);
    assert!(
        finding.message.contains("rust:latest"),
        "the message should show the image with the ARG filled in: {}",
        finding.message
    );
}

#[test]
fn a_registry_port_is_not_mistaken_for_a_tag() {
    let dockerfile = good_with(
        "FROM debian:trixie-20251117-slim",
        "FROM localhost:5000/debian",
    );
    let found = findings(RuleId::UnpinnedImage, &dockerfile);
    assert_eq!(
        found.len(),
        1,
        "`localhost:5000/debian` has no tag, got:\n{}",
        render(&found)
    );
}

#[test]
fn digests_stage_names_and_scratch_need_no_tag() {
    let dockerfile = "FROM rust@sha256:0123456789abcdef AS builder
RUN cargo build --release --locked
FROM builder AS tested
FROM scratch
";
    let found = findings(RuleId::UnpinnedImage, dockerfile);
    assert!(
        found.is_empty(),
        "nothing here is unpinned, got:\n{}",
        render(&found)
    );
}

#[test]
fn the_reference_dockerfile_pins_every_image() {
    assert_quiet_on_good(RuleId::UnpinnedImage);
}

#[test]
fn a_debug_build_is_flagged() {
    let dockerfile = good_with("cargo build --release --locked", "cargo build --locked");
    let finding = one_finding(RuleId::CargoBuildFlags, &dockerfile);
    assert_eq!(
        finding.line,
        Some(line_of(&dockerfile, "RUN cargo build --locked")),
        "DR003 should point at the RUN that builds"
    );
    assert!(
        finding.message.contains("--release") && !finding.message.contains("--locked"),
        "only --release is missing: {}",
        finding.message
    );
}

#[test]
fn an_unlocked_build_is_flagged_only_when_there_is_a_lockfile() {
    let dockerfile = good_with("cargo build --release --locked", "cargo build --release");
    let with_lock = findings(RuleId::CargoBuildFlags, &dockerfile);
    assert_eq!(
        with_lock.len(),
        1,
        "expected one DR003, got:\n{}",
        render(&with_lock)
    );
    assert!(
        with_lock[0].message.contains("--locked"),
        "the message should name the missing `--locked`: {}",
        with_lock[0].message
    );

    let options = Options {
        has_lockfile: false,
        ..Options::default()
    };
    let without_lock = findings_with(RuleId::CargoBuildFlags, &dockerfile, None, &options);
    assert!(
        without_lock.is_empty(),
        "with no Cargo.lock there is nothing to lock, got:\n{}",
        render(&without_lock)
    );
}

#[test]
fn short_flags_and_cargo_install_count_as_release_builds() {
    for build in [
        "cargo build -r --frozen",
        "cargo build --profile release --locked",
        "cargo install --locked --path .",
        "CARGO_TERM_COLOR=never /usr/bin/cargo build --release --locked",
    ] {
        let dockerfile = good_with("cargo build --release --locked", build);
        let found = findings(RuleId::CargoBuildFlags, &dockerfile);
        assert!(
            found.is_empty(),
            "`{build}` is a locked release build, got:\n{}",
            render(&found)
        );
    }
}

#[test]
fn a_dockerfile_that_never_runs_cargo_build_is_flagged() {
    let dockerfile = good_with("RUN cargo build --release --locked\n", "");
    let finding = one_finding(RuleId::CargoBuildFlags, &dockerfile);
    assert_eq!(finding.line, None, "there is no line to point at");
}

#[test]
fn the_reference_dockerfile_builds_locked_and_released() {
    assert_quiet_on_good(RuleId::CargoBuildFlags);
}

#[test]
fn a_release_tag_that_is_rebuilt_is_flagged_as_moving() {
    for (from, tag) in [
        ("FROM debian:trixie-slim", "trixie-slim"),
        ("FROM debian:13-slim", "13-slim"),
        ("FROM docker.io/library/debian:stable", "stable"),
    ] {
        let dockerfile = good_with("FROM debian:trixie-20251117-slim", from);
        let finding = one_finding(RuleId::MovingTag, &dockerfile);
        assert_eq!(
            finding.line,
            Some(line_of(&dockerfile, from)),
            "DR014 should point at `{from}`"
        );
        assert!(
            finding.message.contains(&format!("`{tag}`")),
            "the message should name the tag `{tag}`: {}",
            finding.message
        );
    }
    let dockerfile = good_with(
        "FROM debian:trixie-20251117-slim",
        "FROM debian:trixie-slim",
    );
    let finding = one_finding(RuleId::MovingTag, &dockerfile);
    assert!(
        finding.fix.contains("debian:trixie-YYYYMMDD-slim"),
        "the fix should show the dated form of the same tag: {}",
        finding.fix
    );
}

#[test]
fn versions_with_a_minor_number_dates_and_digests_name_one_build() {
    for from in [
        "FROM debian:13.2-slim",
        "FROM debian:trixie-20251117",
        "FROM debian@sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2015d0549ba4a3e6",
        "FROM gcr.io/distroless/cc-debian13:nonroot-20251117",
    ] {
        let dockerfile = good_with("FROM debian:trixie-20251117-slim", from);
        let found = findings(RuleId::MovingTag, &dockerfile);
        assert!(
            found.is_empty(),
            "`{from}` names one build of its image, got:\n{}",
            render(&found)
        );
    }
    let untagged = good_with("FROM debian:trixie-20251117-slim", "FROM debian");
    assert!(
        findings(RuleId::MovingTag, &untagged).is_empty(),
        "no tag at all is DR002's finding, not a second one from DR014"
    );
}

#[test]
fn the_reference_dockerfile_pins_its_tags_to_one_build() {
    assert_quiet_on_good(RuleId::MovingTag);
}

//! The two fixtures, the printed form of a finding, and the errors that stop a
//! check before any rule runs.

use std::path::{Path, PathBuf};

use dockerfile_rules::{
    CheckError, Options, RuleId, Tone, check, check_dir, check_file, ignore_file,
};

use crate::render;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn the_good_fixture_passes_every_rule() {
    let report = check_dir(&fixture("good"), &Options::default())
        .unwrap_or_else(|error| panic!("the good fixture should be checkable: {error}"));
    assert!(
        report.findings.is_empty(),
        "the reference Dockerfile should pass every rule, but got:\n{report}"
    );
    assert!(!report.has_errors(), "no findings means no errors");
}

#[test]
fn the_bad_fixture_triggers_every_rule_exactly_where_expected() {
    use RuleId::*;
    let expected = vec![
        (SecretInEnv, Some(3)),         // ARG DB_PASSWORD=hunter2
        (UnpinnedImage, Some(4)),       // FROM rust AS builder
        (SecretInEnv, Some(5)),         // ENV CARGO_REGISTRY_TOKEN=abc123
        (AddLocalFiles, Some(7)),       // ADD . .
        (CargoBuildFlags, Some(8)),     // RUN cargo build
        (UnpinnedImage, Some(10)),      // FROM debian:latest AS tools
        (AptGetHygiene, Some(11)),      // no --no-install-recommends
        (AptGetHygiene, Some(11)),      // lists left behind
        (MovingTag, Some(13)),          // FROM debian:bookworm-slim AS certs
        (MultiStage, Some(15)),         // FROM builder
        (MissingHealthcheck, Some(15)), // no HEALTHCHECK in the final stage
        (AddUrl, Some(16)),             // ADD https://…
        (FinalStageRoot, Some(17)),     // USER root
        (MissingExpose, Some(18)),      // EXPOSE 3000
        (ShellFormCommand, Some(19)),   // CMD cargo run --release
        (Dockerignore, None),           // no target/
        (Dockerignore, None),           // no .git
        (IgnoreSecrets, None),          // no .env
        (IgnoreSecrets, None),          // no *.pem
        (IgnoreSecrets, None),          // no *.key
    ];
    let report = check_dir(&fixture("bad"), &Options::default())
        .unwrap_or_else(|error| panic!("the bad fixture should still parse: {error}"));
    let got: Vec<(RuleId, Option<usize>)> =
        report.findings.iter().map(|f| (f.rule, f.line)).collect();
    assert_eq!(
        got, expected,
        "the bad fixture's findings, in report order:\n{report}"
    );
    for rule in RuleId::ALL {
        assert!(
            got.iter().any(|(found, _)| *found == rule),
            "the bad fixture is meant to show every rule, but {rule} is missing"
        );
    }
}

#[test]
fn a_finding_prints_file_line_rule_why_and_fix() {
    let report = check_dir(&fixture("bad"), &Options::default())
        .unwrap_or_else(|error| panic!("the bad fixture should still parse: {error}"));
    let root = report
        .findings
        .iter()
        .find(|f| f.rule == RuleId::FinalStageRoot)
        .unwrap_or_else(|| {
            panic!(
                "the bad fixture runs as root, got:\n{}",
                render(&report.findings)
            )
        });
    let printed = root.to_string();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 3, "a finding prints three lines:\n{printed}");
    assert!(
        lines[0].starts_with("Dockerfile:17: error[DR004] final-stage-root: "),
        "the first line is `Dockerfile:LINE: severity[ID] slug: message`, as \
         `restlings dockerfile` prints it, got:\n{printed}"
    );
    assert!(
        lines[1].starts_with("  why: "),
        "the second line is the why:\n{printed}"
    );
    assert!(
        lines[2].starts_with("  fix: "),
        "the third line is the fix:\n{printed}"
    );
    assert!(
        report.to_string().ends_with("17 errors, 3 warnings"),
        "the report ends with a count of errors and warnings:\n{report}"
    );
}

#[test]
fn every_rule_has_a_distinct_id_and_slug() {
    let mut ids: Vec<&str> = RuleId::ALL.iter().map(|rule| rule.id()).collect();
    let mut slugs: Vec<&str> = RuleId::ALL.iter().map(|rule| rule.slug()).collect();
    ids.sort_unstable();
    ids.dedup();
    slugs.sort_unstable();
    slugs.dedup();
    assert_eq!(
        ids.len(),
        RuleId::ALL.len(),
        "rule ids must be unique: {ids:?}"
    );
    assert_eq!(
        slugs.len(),
        RuleId::ALL.len(),
        "rule slugs must be unique: {slugs:?}"
    );
}

#[test]
fn a_missing_dockerfile_is_an_error_that_names_the_path() {
    let dir = tempfile::tempdir().expect("a temporary directory for the test");
    let error = check_dir(dir.path(), &Options::default())
        .expect_err("there is no Dockerfile to check, so check_dir must fail");
    let path = dir.path().join("Dockerfile");
    assert!(
        matches!(&error, CheckError::Read { path: p, .. } if *p == path),
        "expected a Read error for {}, got {error:?}",
        path.display()
    );
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "the message should name the file: {error}"
    );
}

#[test]
fn an_unreadable_dockerignore_is_an_error_not_a_missing_file() {
    let dir = tempfile::tempdir().expect("a temporary directory for the test");
    std::fs::write(dir.path().join("Dockerfile"), crate::GOOD).expect("write the Dockerfile");
    // A directory where the file should be: it exists, but cannot be read as text.
    std::fs::create_dir(dir.path().join(".dockerignore")).expect("create the directory");
    let error = check_dir(dir.path(), &Options::default())
        .expect_err("a .dockerignore that cannot be read must not be mistaken for a missing one");
    assert!(
        error.to_string().contains(".dockerignore"),
        "the message should name .dockerignore: {error}"
    );
}

#[test]
fn unparsable_input_is_a_parse_error_with_the_parsers_line() {
    let cases = [
        (
            "FROM rust:1.96.0-slim-trixie\nFORM debian:trixie-slim\n",
            Some(2),
        ),
        // An unclosed heredoc is reported where the file ends.
        (
            "FROM rust:1.96.0-slim-trixie\nRUN <<EOF\necho never closed\n",
            Some(4),
        ),
        ("RUN cargo build --release\n", Some(1)),
        ("# only a comment\n", None),
    ];
    for (text, line) in cases {
        match check(text, None, &Options::default()) {
            Err(CheckError::Parse { line: got, message }) => {
                assert_eq!(
                    got, line,
                    "the parse error for {text:?} should be on {line:?}: {message}"
                );
                assert!(!message.is_empty(), "the parser's message should be kept");
            }
            other => panic!("{text:?} is not a valid Dockerfile, but check returned {other:?}"),
        }
    }
}

#[test]
fn the_ignore_file_beside_the_dockerfile_wins_over_dot_dockerignore() {
    // BuildKit reads `Dockerfile.dockerignore` before the folder's
    // `.dockerignore`, so the checks must judge that one.
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("Dockerfile"), crate::GOOD).expect("write the Dockerfile");
    std::fs::write(dir.path().join(".dockerignore"), "target/\n.git\n")
        .expect("write .dockerignore");
    std::fs::write(
        dir.path().join("Dockerfile.dockerignore"),
        "# nothing ignored\n",
    )
    .expect("write Dockerfile.dockerignore");

    let report = check_dir(dir.path(), &Options::default())
        .unwrap_or_else(|error| panic!("the folder should be checkable: {error}"));

    assert!(
        report
            .findings
            .iter()
            .any(|finding| finding.rule == RuleId::Dockerignore),
        "Dockerfile.dockerignore excludes neither target/ nor .git, and Docker uses it rather \
         than .dockerignore: expected the dockerignore rule to fire, got {:?}",
        report.findings
    );
}

#[test]
fn the_ignore_file_is_named_after_the_dockerfile_else_at_the_context_root() {
    // BuildKit: `<Dockerfile name>.dockerignore` beside the Dockerfile, else
    // `.dockerignore` at the root of the build context, not beside the Dockerfile.
    let context = tempfile::tempdir().expect("a temporary folder");
    let service = context.path().join("service");
    std::fs::create_dir(&service).expect("create the service folder");
    let dockerfile = service.join("app.Dockerfile");
    std::fs::write(&dockerfile, crate::GOOD).expect("write the Dockerfile");
    std::fs::write(service.join(".dockerignore"), "# not the context's\n")
        .expect("write service/.dockerignore");

    assert_eq!(
        ignore_file(&dockerfile, context.path()),
        context.path().join(".dockerignore"),
        "with no app.Dockerfile.dockerignore, Docker reads the context's own .dockerignore, \
         even where none exists, and never one that merely sits beside the Dockerfile"
    );

    let beside = service.join("app.Dockerfile.dockerignore");
    std::fs::write(&beside, "target/\n.git\n").expect("write app.Dockerfile.dockerignore");
    assert_eq!(
        ignore_file(&dockerfile, context.path()),
        beside,
        "the ignore file named after the Dockerfile, beside it, comes first"
    );
}

#[test]
fn a_checked_file_names_both_files_in_its_report() {
    let context = tempfile::tempdir().expect("a temporary folder");
    let dockerfile = context.path().join("Dockerfile");
    std::fs::write(&dockerfile, crate::GOOD).expect("write the Dockerfile");

    let report = check_file(&dockerfile, context.path(), &Options::default())
        .unwrap_or_else(|error| panic!("the Dockerfile should be checkable: {error}"));

    let ignore = context.path().join(".dockerignore");
    assert_eq!(
        report.files.ignore, ignore,
        "without Dockerfile.dockerignore the context's .dockerignore is the one judged"
    );
    let printed = report.to_string();
    let dockerignore = report
        .findings
        .iter()
        .find(|finding| finding.rule == RuleId::Dockerignore);
    assert!(
        dockerignore.is_some(),
        "the context has no .dockerignore, so DR009 must fire:\n{printed}"
    );
    assert!(
        printed.starts_with(&format!(
            "{}: error[DR009] dockerignore: ",
            ignore.display()
        )),
        "a finding about the ignore file names that file by its path:\n{printed}"
    );
    assert!(
        printed.ends_with(&format!(
            "{} (ignore file: {}): 1 error, 0 warnings",
            dockerfile.display(),
            ignore.display()
        )),
        "the summary names the Dockerfile and its ignore file:\n{printed}"
    );
}

#[test]
fn painting_a_report_touches_its_labels_only() {
    let report = check_dir(&fixture("bad"), &Options::default())
        .unwrap_or_else(|error| panic!("the bad fixture should still parse: {error}"));
    let painted = report
        .painted(|tone, text| match tone {
            Tone::Error | Tone::Warning => format!("«{text}»"),
            Tone::Ok => format!("({text})"),
        })
        .to_string();
    assert!(
        painted.contains(": «error[DR004]» final-stage-root: ")
            && painted.contains(": «warning[DR010]» apt-get-hygiene: "),
        "the severity labels are what a terminal colours:\n{painted}"
    );
    let unpainted = painted.replace(['«', '»'], "");
    assert_eq!(
        unpainted,
        report.to_string(),
        "apart from its labels, the painted report is the plain one"
    );
    let good = check_dir(&fixture("good"), &Options::default())
        .unwrap_or_else(|error| panic!("the good fixture should be checkable: {error}"))
        .painted(|_, text| format!("({text})"))
        .to_string();
    assert!(
        good.starts_with("(ok:) ") && good.ends_with(": no problems found"),
        "a report without findings says so, after a painted `ok:`:\n{good}"
    );
}

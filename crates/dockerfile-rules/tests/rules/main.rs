//! The rules' tests: each rule fires on a bad Dockerfile and stays quiet on a
//! good one, and the two fixtures show every rule at once.

mod build;
mod fixtures;
mod hygiene;
mod runtime;

use dockerfile_rules::{Finding, Options, RuleId, check};

/// The reference Dockerfile, which passes every rule; tests break it one way
/// at a time.
pub const GOOD: &str = include_str!("../fixtures/good/Dockerfile");
pub const GOOD_IGNORE: &str = include_str!("../fixtures/good/.dockerignore");

/// The findings of `rule` for `dockerfile`, checked with the good
/// `.dockerignore` and the default options.
pub fn findings(rule: RuleId, dockerfile: &str) -> Vec<Finding> {
    findings_with(rule, dockerfile, Some(GOOD_IGNORE), &Options::default())
}

pub fn findings_with(
    rule: RuleId,
    dockerfile: &str,
    dockerignore: Option<&str>,
    options: &Options,
) -> Vec<Finding> {
    let report = check(dockerfile, dockerignore, options).unwrap_or_else(|error| {
        panic!("the test Dockerfile should parse, but: {error}\n{dockerfile}")
    });
    report
        .findings
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}

/// The 1-based number of the first line of `dockerfile` that is exactly `line`.
pub fn line_of(dockerfile: &str, line: &str) -> usize {
    dockerfile
        .lines()
        .position(|candidate| candidate == line)
        .map(|index| index + 1)
        .unwrap_or_else(|| panic!("no line is exactly {line:?} in:\n{dockerfile}"))
}

/// `GOOD` with `from` replaced by `to`, which must be in it.
pub fn good_with(from: &str, to: &str) -> String {
    assert!(
        GOOD.contains(from),
        "the good fixture should contain {from:?}"
    );
    GOOD.replacen(from, to, 1)
}

/// Asserts that `rule` stays quiet on the reference Dockerfile.
pub fn assert_quiet_on_good(rule: RuleId) {
    let found = findings(rule, GOOD);
    assert!(
        found.is_empty(),
        "{rule} should accept the reference Dockerfile, but reported:\n{}",
        render(&found)
    );
}

/// The one finding of `rule` for `dockerfile`; fails the test unless there is
/// exactly one.
pub fn one_finding(rule: RuleId, dockerfile: &str) -> Finding {
    let mut found = findings(rule, dockerfile);
    assert_eq!(
        found.len(),
        1,
        "expected one {}, got:\n{}",
        rule.id(),
        render(&found)
    );
    found.remove(0)
}

pub fn render(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("{f}\n")).collect()
}

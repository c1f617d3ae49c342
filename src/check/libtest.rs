//! Reading the output of a Rust test binary (libtest): which tests failed,
//! and what the first failure said.

/// The failing tests of one run, and the message of the first one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Failure {
    /// Names of the failing tests, as libtest lists them after `failures:`.
    pub tests: Vec<String>,
    /// What the first failing test printed (its panic message), trimmed.
    pub first_message: String,
}

/// The prefix of a line that marks a run as skipped, such as
/// `SKIPPED: no container engine (docker or podman not found)`.
pub const SKIPPED_PREFIX: &str = "SKIPPED: ";

/// The first `SKIPPED: ` line of `output`, without the prefix.
pub fn skipped_reason(output: &str) -> Option<&str> {
    output
        .lines()
        .find_map(|line| line.strip_prefix(SKIPPED_PREFIX))
        .map(str::trim)
}

/// Picks the failing test names and the first failure's message out of
/// libtest's report. Falls back to the output's tail when the process died
/// without a report (a crash, an abort, a stack overflow).
pub fn failure(output: &str) -> Failure {
    let lines: Vec<&str> = output.lines().collect();
    let tests = failing_tests(&lines);
    let first_message = first_failure_message(&lines).unwrap_or_else(|| tail(output, 20));
    Failure {
        tests,
        first_message,
    }
}

/// How one test ended, as libtest reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestStatus {
    Pass,
    Fail,
    Ignored,
}

/// One test of a run: its name, how it ended and, for a failure, what it
/// printed (its panic message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    pub name: String,
    pub status: TestStatus,
    pub message: Option<String>,
}

/// Every `test NAME ... ok|FAILED|ignored` line of a run, in order, each
/// failure with the message of its `---- NAME stdout ----` section.
pub fn results(output: &str) -> Vec<TestResult> {
    let lines: Vec<&str> = output.lines().collect();
    let messages = failure_messages(&lines);
    lines
        .iter()
        .filter_map(|line| {
            let rest = line.strip_prefix("test ")?;
            let (name, verdict) = rest.rsplit_once(" ... ")?;
            let status = match verdict.trim_end() {
                "ok" => TestStatus::Pass,
                "FAILED" => TestStatus::Fail,
                other if other.starts_with("ignored") => TestStatus::Ignored,
                _ => return None,
            };
            let message = (status == TestStatus::Fail)
                .then(|| messages.iter().find(|(owner, _)| owner == name))
                .flatten()
                .map(|(_, message)| message.clone());
            Some(TestResult {
                name: name.to_owned(),
                status,
                message,
            })
        })
        .collect()
}

/// Each `---- NAME stdout ----` section after the first `failures:` heading,
/// by test name, without libtest's backtrace note.
fn failure_messages(lines: &[&str]) -> Vec<(String, String)> {
    let Some(heading) = lines.iter().position(|line| line.trim_end() == "failures:") else {
        return Vec::new();
    };
    let mut sections = Vec::new();
    let mut index = heading + 1;
    while index < lines.len() {
        let Some(name) = section_name(lines[index]) else {
            index += 1;
            continue;
        };
        let body: Vec<&str> = lines[index + 1..]
            .iter()
            .take_while(|line| section_name(line).is_none() && line.trim_end() != "failures:")
            .filter(|line| !line.starts_with("note: run with `RUST_BACKTRACE=1`"))
            .copied()
            .collect();
        index += 1 + body.len();
        sections.push((name.to_owned(), body.join("\n").trim().to_owned()));
    }
    sections
}

/// `NAME` of a `---- NAME stdout ----` line.
fn section_name(line: &str) -> Option<&str> {
    line.strip_prefix("---- ")?
        .strip_suffix(" ----")?
        .strip_suffix(" stdout")
}

/// The last `count` lines of `text`.
pub fn tail(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let start = lines.len().saturating_sub(count);
    lines[start..].join("\n")
}

/// libtest ends a failing run with a `failures:` heading followed by the
/// names, indented by four spaces. The first `failures:` heading holds the
/// captured output instead, so take the last one.
fn failing_tests(lines: &[&str]) -> Vec<String> {
    let Some(heading) = lines
        .iter()
        .rposition(|line| line.trim_end() == "failures:")
    else {
        // Without a report, fall back to the `test NAME ... FAILED` lines.
        return lines
            .iter()
            .filter_map(|line| {
                let rest = line.strip_prefix("test ")?;
                let name = rest.strip_suffix(" ... FAILED")?;
                Some(name.to_owned())
            })
            .collect();
    };
    lines[heading + 1..]
        .iter()
        .skip_while(|line| line.trim().is_empty())
        .take_while(|line| line.starts_with("    "))
        .map(|line| line.trim().to_owned())
        .collect()
}

/// The first `---- NAME stdout ----` section after the first `failures:`
/// heading (the runner passes `--show-output`, so passing tests' sections come
/// earlier, under `successes:`), up to the next section or the list of names.
fn first_failure_message(lines: &[&str]) -> Option<String> {
    let heading = lines
        .iter()
        .position(|line| line.trim_end() == "failures:")?;
    let start = heading
        + lines[heading..]
            .iter()
            .position(|line| line.starts_with("---- ") && line.ends_with(" ----"))?;
    let body: Vec<&str> = lines[start + 1..]
        .iter()
        .take_while(|line| {
            !(line.starts_with("---- ") && line.ends_with(" ----"))
                && line.trim_end() != "failures:"
        })
        .filter(|line| !line.starts_with("note: run with `RUST_BACKTRACE=1`"))
        .copied()
        .collect();
    let message = body.join("\n").trim().to_owned();
    (!message.is_empty()).then_some(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "\
running 2 tests
test slow_one ... ok
test health_answers_ok ... FAILED

successes:

---- slow_one stdout ----
took a while

successes:
    slow_one

failures:

---- health_answers_ok stdout ----

thread 'health_answers_ok' panicked at tests/endpoints.rs:9:5:
not yet implemented: return Json
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

---- other stdout ----
second

failures:
    health_answers_ok
    other

test result: FAILED. 0 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out
";

    #[test]
    fn failing_test_names_come_from_the_last_failures_list() {
        let failure = failure(REPORT);
        assert_eq!(
            failure.tests,
            ["health_answers_ok", "other"],
            "the names listed under the final `failures:` heading are the failing tests"
        );
    }

    #[test]
    fn the_first_message_is_the_first_captured_section_without_the_backtrace_note() {
        let failure = failure(REPORT);
        assert_eq!(
            failure.first_message,
            "thread 'health_answers_ok' panicked at tests/endpoints.rs:9:5:\n\
             not yet implemented: return Json",
            "the message should be the first test's own output, minus libtest's note"
        );
    }

    #[test]
    fn each_test_line_gives_a_result_and_a_failure_its_own_message() {
        let output = format!("{REPORT}test slow_ignored ... ignored, takes a minute\n");
        let results = results(&output);
        let summary: Vec<(&str, TestStatus)> = results
            .iter()
            .map(|result| (result.name.as_str(), result.status))
            .collect();
        assert_eq!(
            summary,
            [
                ("slow_one", TestStatus::Pass),
                ("health_answers_ok", TestStatus::Fail),
                ("slow_ignored", TestStatus::Ignored),
            ],
            "every `test NAME ... VERDICT` line is one result, in order"
        );
        assert_eq!(
            results[1].message.as_deref(),
            Some(
                "thread 'health_answers_ok' panicked at tests/endpoints.rs:9:5:\n\
                 not yet implemented: return Json"
            ),
            "a failing test's message is its own section, minus libtest's note"
        );
        assert_eq!(
            results[0].message, None,
            "a passing test has no message, even with --show-output"
        );
    }

    #[test]
    fn a_crash_without_a_report_shows_the_output_tail() {
        let failure = failure("running 1 test\nerror: process didn't exit successfully\n");
        assert!(
            failure.tests.is_empty(),
            "no report means no names, got {:?}",
            failure.tests
        );
        assert!(
            failure.first_message.contains("didn't exit successfully"),
            "without a report the tail of the output is the best message, got {:?}",
            failure.first_message
        );
    }

    #[test]
    fn a_skipped_line_anywhere_in_the_output_gives_its_reason() {
        let output =
            "running 1 test\nSKIPPED: no container engine (docker not found)\ntest a ... ok\n";
        assert_eq!(
            skipped_reason(output),
            Some("no container engine (docker not found)"),
            "a line starting with `SKIPPED: ` marks the run as skipped"
        );
        assert_eq!(
            skipped_reason("test a ... ok\n  SKIPPED: indented"),
            None,
            "only lines that start with the prefix count"
        );
    }
}

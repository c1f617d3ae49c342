//! `restlings doctor`: is this machine ready for the course? For the first
//! ten minutes of a workshop, while the Wi-Fi still holds.
//!
//! One line per check, in the order a fix is needed: the toolchain, the disk,
//! the dependencies (downloaded, then built with a progress bar, so the rest
//! of the day needs no network), then what some chapters need: a container
//! engine (9 and 10), PostgreSQL (11) and the ports the course serves on.
//! A line marked ✗ stops the workshop, and makes the exit code 1; one marked
//! ! only costs a chapter or a command, and says which.

mod checks;

use crate::check::Checker;
use crate::course::Course;
use console::style;
use std::process::ExitCode;

/// How much a check's finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    /// Costs a chapter or a command, not the workshop.
    Warn,
    /// Stops the workshop.
    Block,
}

/// One line of the doctor's answer: what was found, and the fix if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    pub text: String,
}

impl Finding {
    pub fn ok(text: impl Into<String>) -> Finding {
        Finding {
            level: Level::Ok,
            text: text.into(),
        }
    }
    pub fn warn(text: impl Into<String>) -> Finding {
        Finding {
            level: Level::Warn,
            text: text.into(),
        }
    }
    pub fn block(text: impl Into<String>) -> Finding {
        Finding {
            level: Level::Block,
            text: text.into(),
        }
    }

    fn line(&self) -> String {
        let mark = match self.level {
            Level::Ok => style("✓").green(),
            Level::Warn => style("!").yellow(),
            Level::Block => style("✗").red(),
        };
        format!("  {mark} {}", self.text)
    }
}

/// Runs every check, printing each line as it comes; exit code 1 if any blocks.
pub fn run(course: &Course, checker: &Checker) -> anyhow::Result<ExitCode> {
    println!("{HEADING}");
    let root = course.root();
    let mut findings = Vec::new();
    let mut report = |finding: Finding| {
        println!("{}", finding.line());
        findings.push(finding);
    };
    report(checks::toolchain(root));
    report(checks::disk(root));
    let fetched = checks::fetch(checker.cargo(), root);
    let can_build = fetched.level != Level::Block;
    report(fetched);
    if can_build {
        report(checks::build(course, checker));
    }
    report(checks::container_engine());
    report(checks::postgres());
    for finding in checks::ports() {
        report(finding);
    }
    let blocking = findings
        .iter()
        .filter(|finding| finding.level == Level::Block)
        .count();
    let warnings = findings
        .iter()
        .filter(|finding| finding.level == Level::Warn)
        .count();
    println!();
    if blocking > 0 {
        println!(
            "{} {blocking} thing(s) above would stop the workshop: fix the lines marked ✗, then \
             run `cargo run -- doctor` again.",
            style("Not ready:").red().bold()
        );
        return Ok(ExitCode::FAILURE);
    }
    let note = match warnings {
        0 => String::new(),
        count => format!(" ({count} line(s) marked ! cost a chapter or a command: see above)"),
    };
    println!(
        "{} nothing stops the workshop{note}. The course now works offline.",
        style("Ready:").green().bold()
    );
    Ok(ExitCode::SUCCESS)
}

const HEADING: &str = "Is this machine ready for the course?";

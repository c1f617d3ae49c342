//! Which container engine runs here: the one lookup that chapter 9's tests,
//! `restlings deploy` and the runner's own tests share.
//!
//! `RESTLINGS_CONTAINER_ENGINE` names the one program to use (`podman`,
//! `/usr/bin/docker`); unset or empty, `docker` is tried, then `podman`. An
//! engine counts when its `info` succeeds, that is when a daemon (or Podman)
//! is there to build and run images, not merely a client on the `PATH`.

use std::process::{Command, Stdio};

/// Set to a program (`podman`, `/usr/bin/docker`) to use it and no other.
pub const ENGINE_VAR: &str = "RESTLINGS_CONTAINER_ENGINE";
/// Set to `1` to make a missing engine a failure instead of a skip (CI does).
pub const REQUIRE_VAR: &str = "RESTLINGS_REQUIRE_CONTAINER";

/// No engine answered: what was tried, and why each one failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tried.join("; "))]
pub struct NoEngine {
    /// One line per program tried, such as ``"`docker info` failed: …"``.
    pub tried: Vec<String>,
}

/// The program of the first engine whose `info` succeeds, such as `"docker"`.
pub fn find() -> Result<String, NoEngine> {
    let mut tried = Vec::new();
    for program in candidates(std::env::var(ENGINE_VAR).ok().as_deref()) {
        let answer = Command::new(&program)
            .arg("info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output();
        match answer {
            Ok(output) if output.status.success() => return Ok(program),
            Ok(output) => {
                let reason = String::from_utf8_lossy(&output.stderr);
                let first = reason
                    .lines()
                    .find(|line| !line.trim().is_empty())
                    .unwrap_or("no message");
                tried.push(format!("`{program} info` failed: {}", first.trim()));
            }
            Err(error) => tried.push(format!("{program} not found: {error}")),
        }
    }
    Err(NoEngine { tried })
}

/// Whether CI (or the learner) asked, with `RESTLINGS_REQUIRE_CONTAINER=1`,
/// for a missing engine to be a failure.
pub fn required() -> bool {
    std::env::var(REQUIRE_VAR).is_ok_and(|value| value.trim() == "1")
}

/// The programs to try, given the value of [`ENGINE_VAR`].
fn candidates(named: Option<&str>) -> Vec<String> {
    match named.map(str::trim) {
        Some(program) if !program.is_empty() => vec![program.to_owned()],
        _ => vec!["docker".to_owned(), "podman".to_owned()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variable_names_the_one_engine_and_empty_means_unset() {
        assert_eq!(
            candidates(Some(" podman ")),
            ["podman"],
            "a named engine is the only one tried, trimmed"
        );
        for unset in [None, Some(""), Some("  ")] {
            assert_eq!(
                candidates(unset),
                ["docker", "podman"],
                "with {ENGINE_VAR} {unset:?}, docker is tried, then podman"
            );
        }
    }

    #[test]
    fn a_missing_program_is_named_in_the_reason() {
        let no = NoEngine {
            tried: vec![
                "`docker info` failed: Cannot connect".to_owned(),
                "podman not found: No such file".to_owned(),
            ],
        };
        assert_eq!(
            no.to_string(),
            "`docker info` failed: Cannot connect; podman not found: No such file",
            "the reasons print on one line, in the order they were tried"
        );
    }
}

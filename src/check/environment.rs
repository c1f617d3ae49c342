//! Telling "your code does not compile" apart from "this machine cannot
//! build": a read-only or full disk, a missing toolchain or linker, no
//! network for a dependency that was never downloaded. The second kind is
//! not the learner's to fix in `src/lib.rs`, so it must not be reported as a
//! compile error of every exercise.

/// What cargo or rustc printed when the machine, not the code, was at fault,
/// with what it means and how to fix it. The first pattern found wins, so
/// the more telling ones come first.
const CAUSES: &[(&str, &str, &str)] = &[
    (
        "No space left on device",
        "the disk is full",
        "free some space (`cargo clean` in another project frees gigabytes), then run again",
    ),
    (
        "Disk quota exceeded",
        "your disk quota is used up",
        "free some space in your home folder, then run again",
    ),
    (
        "Read-only file system",
        "the build folder is on a read-only disk",
        "copy the course somewhere writable, or point CARGO_TARGET_DIR at a writable folder",
    ),
    (
        "Permission denied",
        "the build folder cannot be written by you",
        "fix the owner of `target/` (or point CARGO_TARGET_DIR at a folder of yours)",
    ),
    (
        "Not a directory",
        "a path the build needs is a file, not a folder",
        "check CARGO_TARGET_DIR and the path named above",
    ),
    (
        "File exists (os error 17)",
        "a folder the build needs is in the way of a file of the same name",
        "check CARGO_TARGET_DIR and the path named above",
    ),
    (
        "failed to create directory",
        "the build cannot create its folder",
        "check that `target/` (or CARGO_TARGET_DIR) is on a writable disk with free space",
    ),
    (
        "is not installed",
        "the Rust toolchain the course asks for is not installed",
        "run the `rustup` command named above, or `rustup default stable`",
    ),
    (
        "linker `cc` not found",
        "there is no C linker, which Rust needs to link programs",
        "install one: `sudo apt install build-essential` on Debian or Ubuntu, \
         `xcode-select --install` on macOS",
    ),
    (
        "failed to download",
        "a dependency was never downloaded and the network is not reachable",
        "connect to the network once and run `cargo fetch`, then the course works offline",
    ),
    (
        "failed to get `",
        "a dependency was never downloaded and the network is not reachable",
        "connect to the network once and run `cargo fetch`, then the course works offline",
    ),
    (
        "SIGKILL",
        "the compiler was killed, most likely because the machine ran out of memory",
        "close other programs (a browser with many tabs) and run again",
    ),
];

/// The cause, in a sentence with the line it comes from and a fix, when
/// `output` shows that the environment stopped the build.
pub fn diagnose(output: &str) -> Option<String> {
    for (pattern, cause, fix) in CAUSES {
        if let Some(line) = output.lines().find(|line| line.contains(pattern)) {
            // The first error line names the path; the matched one, the cause.
            let first = output
                .lines()
                .find(|line| line.starts_with("error"))
                .filter(|first| first != &line);
            let said = match first {
                Some(first) => format!("{}\n  {}", first.trim(), line.trim()),
                None => line.trim().to_owned(),
            };
            return Some(format!(
                "cannot build the exercises, and not because of your code: {cause}.\n\
                 cargo said: {said}\nFix: {fix}."
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_only_target_folder_is_named_as_the_cause() {
        let cargo = "error: failed to create directory `/course/target/debug`\n\n\
                     Caused by:\n  Read-only file system (os error 30)\n";
        let diagnosis = diagnose(cargo).expect("a read-only disk is the machine's fault");
        assert!(
            diagnosis.contains("read-only") && diagnosis.contains("os error 30"),
            "the diagnosis should say what is wrong and quote cargo's line, got {diagnosis:?}"
        );
    }

    #[test]
    fn a_compile_error_is_not_the_environment() {
        let rustc = "error[E0308]: mismatched types\n --> src/lib.rs:3:5\n  |\n3 |     \"42\"\n";
        assert_eq!(
            diagnose(rustc),
            None,
            "a type error is the learner's to fix, not the machine's"
        );
    }
}

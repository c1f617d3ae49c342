//! `.restlings/hints`: how many levels of each exercise's hint were shown.
//!
//! One line per exercise, `NAME LEVEL`, such as `02_endpoints 2`. The file
//! is written whole, to a temporary file that is then renamed over it, so a
//! crash never leaves half a file. A missing file, or a line that cannot be
//! read, means that no hint of that exercise was shown yet: level 1 is next.

use anyhow::Context;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The folder for the runner's state, at the course root.
pub const DIR: &str = ".restlings";
/// The file, inside [`DIR`].
pub const FILE: &str = "hints";

/// The levels shown so far, by exercise name.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Shown(BTreeMap<String, usize>);

impl Shown {
    /// Reads the state of the course at `root`; anything unreadable is
    /// forgotten rather than an error, since the worst outcome is a hint
    /// that starts again at level 1.
    pub fn load(root: &Path) -> Shown {
        std::fs::read_to_string(path(root))
            .map(|text| Shown::parse(&text))
            .unwrap_or_default()
    }

    fn parse(text: &str) -> Shown {
        let levels = text
            .lines()
            .filter_map(|line| {
                let (name, level) = line.trim().split_once(' ')?;
                let level = level.trim().parse::<usize>().ok().filter(|&n| n > 0)?;
                Some((name.to_owned(), level))
            })
            .collect();
        Shown(levels)
    }

    /// How many levels of `name`'s hint were shown: 0 if none.
    pub fn get(&self, name: &str) -> usize {
        self.0.get(name).copied().unwrap_or(0)
    }

    pub fn set(&mut self, name: &str, level: usize) {
        self.0.insert(name.to_owned(), level);
    }

    /// Writes the state atomically: a temporary file, then a rename.
    pub fn save(&self, root: &Path) -> anyhow::Result<()> {
        let dir = root.join(DIR);
        std::fs::create_dir_all(&dir).with_context(|| {
            format!(
                "cannot create {} to remember which hints you have seen: check that the \
                 course folder is writable",
                dir.display()
            )
        })?;
        let text: String = self
            .0
            .iter()
            .map(|(name, level)| format!("{name} {level}\n"))
            .collect();
        let temporary = dir.join(format!("{FILE}.tmp"));
        let path = path(root);
        crate::files::replace(&path, &temporary, text.as_bytes()).with_context(|| {
            format!(
                "cannot write {}: check the disk space and that the folder is writable",
                path.display()
            )
        })
    }
}

/// `<root>/.restlings/hints`.
pub fn path(root: &Path) -> PathBuf {
    root.join(DIR).join(FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_file_round_trips_and_bad_lines_are_forgotten() {
        let shown = Shown::parse("02_endpoints 2\nnonsense\n03_get x\n04_post 0\n05_put 3\n");
        assert_eq!(shown.get("02_endpoints"), 2, "a good line is read");
        assert_eq!(
            shown.get("03_get"),
            0,
            "a level that is not a number is forgotten"
        );
        assert_eq!(shown.get("04_post"), 0, "level 0 is no level: forgotten");
        assert_eq!(
            shown.get("05_put"),
            3,
            "a good line after bad ones is still read"
        );
    }

    #[test]
    fn saving_writes_the_file_and_leaves_no_temporary_file() {
        let root = tempfile::TempDir::new().expect("a temporary folder");
        let mut shown = Shown::default();
        shown.set("02_endpoints", 2);
        shown.save(root.path()).expect("the state is written");
        assert_eq!(
            Shown::load(root.path()),
            shown,
            "what is saved is what is loaded again"
        );
        assert!(
            !root.path().join(DIR).join(format!("{FILE}.tmp")).exists(),
            "the temporary file is renamed, not left behind"
        );
    }
}

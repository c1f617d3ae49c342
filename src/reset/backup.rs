//! The copy of the learner's files that a reset keeps, made durable before
//! anything of theirs is touched, and the atomic writes of the reset itself.

use crate::files;
use anyhow::{Context, bail};
use std::fs;
use std::path::{Path, PathBuf};

/// A new folder under `parent` called `name` (or `name-2`, `name-3`… if a
/// reset in the same second made one), not created yet.
pub fn fresh_dir(parent: &Path, name: &str) -> anyhow::Result<PathBuf> {
    for attempt in 1..100 {
        let candidate = if attempt == 1 {
            parent.join(name)
        } else {
            parent.join(format!("{name}-{attempt}"))
        };
        if !candidate.exists() {
            return Ok(candidate);
        }
    }
    bail!(
        "{} holds 99 backups named {name}: move some away and run again",
        parent.display()
    )
}

/// Copies each of `files` (relative to `root`) to the same path under
/// `backup`, syncs every file and folder to the disk, then reads each copy
/// back and compares it byte for byte with the original.
pub fn copy(root: &Path, files: &[PathBuf], backup: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(backup).with_context(|| format!("cannot create {}", backup.display()))?;
    let mut folders = vec![backup.to_path_buf()];
    for file in files {
        let from = root.join(file);
        let to = backup.join(file);
        let bytes = fs::read(&from).with_context(|| format!("cannot read {}", from.display()))?;
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
            let mut folder = parent.to_path_buf();
            while folder.starts_with(backup) && !folders.contains(&folder) {
                folders.push(folder.clone());
                if !folder.pop() {
                    break;
                }
            }
        }
        files::write_synced(&to, &bytes)
            .with_context(|| format!("cannot write {}", to.display()))?;
    }
    // A file's name lives in its folder: sync the folders too, or a crash
    // could keep the bytes and lose the names.
    for folder in folders.iter().rev() {
        sync_dir(folder)?;
    }
    if let Some(parent) = backup.parent() {
        sync_dir(parent)?;
    }
    for file in files {
        let original = fs::read(root.join(file))
            .with_context(|| format!("cannot read {} again", file.display()))?;
        let copy = fs::read(backup.join(file))
            .with_context(|| format!("cannot read back the copy of {}", file.display()))?;
        if copy != original {
            bail!(
                "the copy of {} in {} differs from the original",
                file.display(),
                backup.display()
            );
        }
    }
    Ok(())
}

/// Replaces `path` with `bytes` through a synced temporary file beside it, so
/// the file is at every moment either the old one or the new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let parent = path
        .parent()
        .with_context(|| format!("{} has no folder", path.display()))?;
    fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = parent.join(format!(".{name}.restlings-reset.tmp"));
    files::replace(path, &temporary, bytes)
        .with_context(|| format!("cannot replace {}", path.display()))
}

/// Syncs a folder to the disk, saying which one when it cannot.
fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    files::sync_dir(dir).with_context(|| format!("cannot sync {} to the disk", dir.display()))
}

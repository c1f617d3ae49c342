//! Files the runner writes in the learner's course (the progress, the hints
//! seen, a reset's starting code) are each replaced in one step, so that a
//! crash or a full disk leaves the old file or the new one, never half of one.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `temporary` (beside `path`), syncs it, renames it over
/// `path` and syncs the folder. On failure the temporary file is removed and
/// `path` is as it was.
pub fn replace(path: &Path, temporary: &Path, bytes: &[u8]) -> io::Result<()> {
    let replaced = write_synced(temporary, bytes).and_then(|()| fs::rename(temporary, path));
    if let Err(error) = replaced {
        let _ = fs::remove_file(temporary);
        return Err(error);
    }
    match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => sync_dir(folder),
        _ => sync_dir(Path::new(".")),
    }
}

/// Writes `bytes` to a new file at `path` and syncs it to the disk.
pub fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Syncs a folder's entries to the disk, where the system allows it: a file's
/// name lives in its folder, so without this a crash could keep the bytes and
/// lose the name.
pub fn sync_dir(folder: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(folder)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

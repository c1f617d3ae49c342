//! Rebuilds the book when a file it is made from changes: its pages, theme and
//! quizzes under `book/`, and the solutions the pages include code from.
//! Each build goes to a fresh folder, and the server switches to it only once
//! it is complete, so a reader never sees a half-written page.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context;
use notify::{RecursiveMode, Watcher};

use crate::render;
use crate::server::Book;

/// How long to wait after a change for the others of the same save.
const SETTLE: Duration = Duration::from_millis(150);

/// The builds, each in a numbered folder of `out`.
pub struct Builds {
    pub book_root: PathBuf,
    pub out: PathBuf,
    pub next: u64,
}

impl Builds {
    /// Builds the book into the next folder and returns its HTML folder.
    pub fn build(&mut self) -> anyhow::Result<PathBuf> {
        let dir = self.out.join(format!("build-{}", self.next));
        self.next += 1;
        render::build(&self.book_root, &dir)
    }
}

/// Watches `paths` and rebuilds into `builds` on every change, until the
/// process ends. Returns the watcher, which must be kept alive.
pub fn spawn(
    mut builds: Builds,
    paths: &[PathBuf],
    book: Arc<Book>,
) -> anyhow::Result<notify::RecommendedWatcher> {
    let (tx, rx) = mpsc::channel::<PathBuf>();
    let ignored = builds.book_root.join("book");
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return;
        }
        for path in event.paths {
            // `mdbook serve book` writes its build to book/book: not ours.
            if !path.starts_with(&ignored) {
                let _ = tx.send(path);
            }
        }
    })
    .context("cannot watch the book's files for changes")?;
    for path in paths {
        watcher
            .watch(path, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {} for changes", path.display()))?;
    }
    std::thread::spawn(move || {
        while let Ok(first) = rx.recv() {
            std::thread::sleep(SETTLE);
            let changed = rx.try_iter().count() + 1;
            rebuild(&mut builds, &book, &first, changed);
        }
    });
    Ok(watcher)
}

fn rebuild(builds: &mut Builds, book: &Book, first: &Path, changed: usize) {
    let started = std::time::Instant::now();
    match builds.build() {
        Ok(html) => {
            let old = book.update(html);
            println!(
                "{} changed{}: rebuilt in {:.1} s, the open page reloads",
                first.display(),
                if changed > 1 {
                    format!(" (and {} more)", changed - 1)
                } else {
                    String::new()
                },
                started.elapsed().as_secs_f64()
            );
            // mdBook writes the HTML into the build folder itself, or into
            // its `html/` when the book has other renderers: remove the build.
            let build = match old.file_name() {
                Some(name) if name == "html" => old.parent().unwrap_or(&old),
                _ => &old,
            };
            if build.starts_with(&builds.out) && build != builds.out {
                let _ = std::fs::remove_dir_all(build);
            }
        }
        Err(error) => {
            let message = format!("{error:#}");
            eprintln!(
                "{} changed, and the book no longer builds: {message}\nThe pages stay as they \
                 were until it builds again.",
                first.display()
            );
            book.failed(message);
        }
    }
}

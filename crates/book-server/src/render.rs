//! Builds the book with mdBook as a library, quizzes included.

use std::path::{Path, PathBuf};

use anyhow::Context;
use mdbook_driver::MDBook;

use crate::quiz::QuizPreprocessor;

/// Builds the book at `book_root` (the folder holding `book.toml`) into
/// `out`, and returns the folder holding the HTML.
///
/// The same build as `mdbook build`, plus the questions of
/// `book/quizzes/` (see [`crate::quiz`]); the search index is built too.
pub fn build(book_root: &Path, out: &Path) -> anyhow::Result<PathBuf> {
    let mut book = MDBook::load(book_root).with_context(|| {
        format!(
            "mdBook cannot load the book in {}: check book.toml and src/SUMMARY.md, and that \
             every page SUMMARY.md lists exists",
            book_root.display()
        )
    })?;
    // An absolute build dir: nothing lands in book/book, which plain
    // `mdbook serve book` owns.
    book.config.build.build_dir = out.to_path_buf();
    book.with_preprocessor(QuizPreprocessor);
    book.build()
        .context("mdBook failed to build the book: fix the page or setting it names")?;
    Ok(book.build_dir_for("html"))
}

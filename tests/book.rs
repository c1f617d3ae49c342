//! The book builds, and its pages keep the course's promises.
//!
//! - `book/` builds with mdBook into a temporary folder (never `book/book`);
//! - every chapter page that `course.toml` lists is rendered to HTML, and no
//!   `{{#...}}` directive survives in the HTML;
//! - every `{{#include path:anchor}}` names a file that exists and an anchor
//!   with a body, so the code in the book is the tested code of the solutions;
//!   the one whole-file include is the chapter's own `HINT.md`;
//! - every chapter page has a `## Contract` table, an `## Exercise` section
//!   with its folder, `cargo test` and the hint included from
//!   `solutions/<name>/HINT.md`, and `## Further reading`.
//!
//! Run it: `cargo test --test book`.

use std::path::{Path, PathBuf};

use mdbook_driver::MDBook;
use regex::Regex;
use restlings::course::{Course, Exercise};
use restlings::dev::markers;
use tempfile::TempDir;

const BOOK_DIR: &str = "book";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn course() -> Course {
    match Course::load(root()) {
        Ok(course) => course,
        Err(error) => panic!("course.toml must load before the book can be checked:\n{error:#}"),
    }
}

/// The book's source folder, `book/src`.
fn source_dir() -> PathBuf {
    root().join(BOOK_DIR).join("src")
}

/// Builds the book into a fresh temporary folder and returns it with the
/// folder holding the HTML. Keep the `TempDir`: dropping it deletes the HTML.
fn build_book() -> (TempDir, PathBuf) {
    let out = TempDir::new().expect("the test needs a temporary folder: check the disk space");
    let mut book = match MDBook::load(root().join(BOOK_DIR)) {
        Ok(book) => book,
        Err(error) => panic!(
            "mdBook cannot load book/: {error:#}\nCheck book/book.toml and book/src/SUMMARY.md, \
             and that every page SUMMARY.md lists exists."
        ),
    };
    // An absolute build dir keeps the repository clean: nothing lands in book/book.
    book.config.build.build_dir = out.path().to_path_buf();
    if let Err(error) = book.build() {
        panic!("mdBook failed to build the book: {error:#}\nFix the page or setting it names.");
    }
    let html = book.build_dir_for("html");
    (out, html)
}

/// Every file under `dir` whose name ends in `.extension`, sorted.
fn files_with_extension(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()))
                .path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == extension) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// The chapter page's path inside `book/src`, such as `03_get.md`.
fn page_in_source(exercise: &Exercise) -> PathBuf {
    let source = Path::new(BOOK_DIR).join("src");
    match exercise.book.strip_prefix(&source) {
        Ok(page) => page.to_path_buf(),
        Err(_) => panic!(
            "exercise `{}` has its chapter page at {:?}, which is not inside book/src: \
             chapter pages live in book/src/<name>.md",
            exercise.name, exercise.book
        ),
    }
}

/// The text of the `## heading` section, up to the next `## ` heading.
fn section<'a>(page: &'a str, heading: &str) -> Option<&'a str> {
    let marker = format!("\n## {heading}\n");
    let start = page.find(&marker)? + marker.len();
    let rest = &page[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    Some(&rest[..end])
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_chapter_in_course_toml_is_rendered_to_html() {
    let course = course();
    let (_out, html) = build_book();

    for exercise in course.exercises() {
        let rendered = html.join(page_in_source(exercise).with_extension("html"));
        assert!(
            rendered.is_file(),
            "course.toml lists {} for exercise `{}`, but the build has no {}. \
             Add the page to book/src/SUMMARY.md.",
            exercise.book.display(),
            exercise.name,
            rendered.display()
        );
    }
    assert!(
        html.join("introduction.html").is_file(),
        "the book has no introduction.html: SUMMARY.md must start with [Introduction](introduction.md)"
    );
}

#[test]
fn no_mdbook_directive_survives_in_the_rendered_html() {
    let (_out, html) = build_book();
    let pages = files_with_extension(&html, "html");
    assert!(
        pages.len() > 3,
        "the build produced {} HTML files in {}: mdBook rendered almost nothing, check \
         book/book.toml's [output.html]",
        pages.len(),
        html.display()
    );

    for page in pages {
        let text = read(&page);
        assert!(
            !text.contains("{{#"),
            "{} still contains a `{{{{#...}}}}` directive after the build: mdBook could not \
             expand it. Check its spelling and that the file it names exists.",
            page.display()
        );
        // The solutions carry the exercises' starting code in markers;
        // mdBook's includes drop every anchor-like line, so the book shows
        // the clean answer. A marker that survives would show a reader the
        // `todo!()` inside the answer.
        for marker in [markers::STARTER, markers::SOLUTION_ONLY, markers::END] {
            assert!(
                !text.contains(marker),
                "{} shows the exercise marker `{marker}`: an include let a line of starting \
                 code into the book. Keep markers on lines of their own, starting with `//`.",
                page.display()
            );
        }
    }
}

#[test]
fn every_include_names_an_existing_file_and_an_anchor_with_a_body() {
    let include = Regex::new(r"\{\{#include\s+([^\s}]+)\s*\}\}").expect("a valid regex");
    let mut seen = 0;

    for page in files_with_extension(&source_dir(), "md") {
        let text = read(&page);
        for capture in include.captures_iter(&text) {
            seen += 1;
            let target = &capture[1];
            let (file, anchor) = target.split_once(':').unwrap_or((target, ""));
            let where_ = format!("{} includes `{target}`", page.display());
            if anchor.is_empty() && Some(file.to_owned()) == own_hint(&page) {
                let path = page.parent().unwrap_or(Path::new(".")).join(file);
                assert!(
                    path.is_file() && !read(&path).trim().is_empty(),
                    "{where_}, but {} is missing or empty: write the chapter's hint there",
                    path.display()
                );
                continue;
            }
            assert!(
                !anchor.is_empty() && !anchor.chars().all(|c| c.is_ascii_digit() || c == ':'),
                "{where_}: name an anchor (`file.rs:name`), not the whole file or line numbers. \
                 Line numbers break silently when the file changes; add `// ANCHOR: name` and \
                 `// ANCHOR_END: name` around the lines to show."
            );
            let path = page.parent().unwrap_or(Path::new(".")).join(file);
            assert!(
                path.is_file(),
                "{where_}, but {} does not exist. Paths are relative to the page's folder: \
                 from book/src/ the solutions are at ../../solutions/.",
                path.display()
            );
            let body = anchor_body(&read(&path), anchor);
            assert!(
                body.is_some(),
                "{where_}, but {file} has no `// ANCHOR: {anchor}` followed by \
                 `// ANCHOR_END: {anchor}`. mdBook would silently show nothing: add the \
                 markers or fix the name."
            );
            assert!(
                body.is_some_and(|body| !body.trim().is_empty()),
                "{where_}, but the anchor `{anchor}` in {file} is empty: put the code to \
                 show between its ANCHOR and ANCHOR_END lines."
            );
        }
    }
    assert!(
        seen > 0,
        "no page in book/src uses {{{{#include ...}}}}: chapter pages show code only through \
         includes of the tested solutions"
    );
}

/// `../../solutions/<name>/HINT.md` for the chapter page `book/src/<name>.md`:
/// the one file a page includes whole, since a hint is prose, not code.
fn own_hint(page: &Path) -> Option<String> {
    let name = page.file_stem()?.to_str()?;
    Some(format!("../../solutions/{name}/HINT.md"))
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`, as mdBook takes
/// them (other anchor markers left out), or `None` if either marker is missing.
fn anchor_body(source: &str, anchor: &str) -> Option<String> {
    let is_marker = |line: &str, kind: &str| {
        line.split_once(kind)
            .is_some_and(|(_, rest)| rest.split_whitespace().next() == Some(anchor))
    };
    let mut lines = source.lines();
    lines.by_ref().find(|line| is_marker(line, "ANCHOR:"))?;
    let mut body = Vec::new();
    for line in lines {
        if is_marker(line, "ANCHOR_END:") {
            return Some(body.join("\n"));
        }
        if !line.contains("ANCHOR:") && !line.contains("ANCHOR_END:") {
            body.push(line);
        }
    }
    None
}

#[test]
fn chapter_pages_show_rust_code_only_through_includes() {
    let course = course();

    for exercise in course.exercises() {
        let text = read(&root().join(&exercise.book));
        // (inside a fenced block, that block is Rust)
        let mut fence: Option<bool> = None;
        for (number, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if let Some(info) = trimmed.strip_prefix("```") {
                fence = match fence {
                    Some(_) => None,
                    None => Some(info.trim_start_matches('`').starts_with("rust")),
                };
                continue;
            }
            let in_rust_block = fence == Some(true);
            assert!(
                !in_rust_block || trimmed.is_empty() || trimmed.starts_with("{{#include"),
                "{}:{}: a Rust code block holds code typed into the page. Show code only with \
                 {{{{#include ../../solutions/<dir>/src/lib.rs:anchor}}}}, so that the book shows \
                 tested code.",
                exercise.book.display(),
                number + 1
            );
        }
    }
}

#[test]
fn every_chapter_page_has_its_sections_in_order() {
    let course = course();

    for exercise in course.exercises() {
        let text = read(&root().join(&exercise.book));
        let page = exercise.book.display();
        let positions: Vec<Option<usize>> = ["Contract", "Exercise", "Further reading"]
            .iter()
            .map(|heading| text.find(&format!("\n## {heading}\n")))
            .collect();
        assert!(
            positions.iter().all(Option::is_some),
            "{page} must have the headings `## Contract`, `## Exercise` and `## Further reading` \
             (found: {positions:?}). Every chapter page follows the same shape: why it matters, \
             contract, code, output, exercise, further reading."
        );
        assert!(
            positions.windows(2).all(|pair| pair[0] < pair[1]),
            "{page}: put `## Contract` before `## Exercise`, and `## Exercise` before \
             `## Further reading`"
        );
    }
}

#[test]
fn every_chapter_page_has_a_contract_table() {
    let course = course();
    let separator = Regex::new(r"^\|(\s*:?-{3,}:?\s*\|)+\s*$").expect("a valid regex");

    for exercise in course.exercises() {
        let text = read(&root().join(&exercise.book));
        let contract = section(&text, "Contract").unwrap_or_default();
        let lines: Vec<&str> = contract.lines().map(str::trim).collect();
        let has_table = lines.windows(3).any(|rows| {
            rows[0].starts_with('|') && separator.is_match(rows[1]) && rows[2].starts_with('|')
        });
        assert!(
            has_table,
            "{}: the `## Contract` section needs a Markdown table (a header row, a |---| row \
             and at least one request per row) precise enough to implement the chapter from",
            exercise.book.display()
        );
    }
}

#[test]
fn every_exercise_section_names_its_folder_the_command_and_the_hint() {
    let course = course();

    for exercise in course.exercises() {
        let text = read(&root().join(&exercise.book));
        let page = exercise.book.display();
        let section = section(&text, "Exercise").unwrap_or_default();
        let dir = exercise.dir.to_string_lossy().replace('\\', "/");
        assert!(
            section.contains(&format!("`{dir}`")),
            "{page}: the `## Exercise` section must name the exercise folder as `{dir}`"
        );
        assert!(
            section.contains(&format!("cd {dir} && cargo test")),
            "{page}: the `## Exercise` section must show the command `cd {dir} && cargo test`"
        );
        // The hint comes from the file the runner prints, so the two never differ.
        let include = format!("{{{{#include ../../solutions/{}/HINT.md}}}}", exercise.name);
        assert!(
            section.lines().any(|line| line == include),
            "{page}: the `## Exercise` section must include the hint on a line of its own, \
             `{include}`, not inside a `>` quote (mdBook would quote only its first line) \
             and not copied by hand"
        );
        let command = format!("`cargo run -- hint {}`", exercise.name);
        assert!(
            section.contains(&command),
            "{page}: the `## Exercise` section must say that {command} prints the same hint"
        );
        let hint_words = words(&exercise.hint);
        let copied = words(
            &section
                .lines()
                .map(|line| line.trim_start().trim_start_matches('>'))
                .collect::<Vec<_>>()
                .join(" "),
        );
        assert!(
            !copied.contains(&hint_words),
            "{page}: the `## Exercise` section copies the hint by hand as well as including \
             it: keep only `{include}`, so that {} is the one copy",
            exercise.hint_path().display()
        );
    }
}

//! The book builds, and its pages keep the course's promises.
//!
//! - `book/` builds with mdBook into a temporary folder (never `book/book`);
//! - every chapter page that `course.toml` lists is rendered to HTML, and no
//!   `{{#...}}` directive survives in the HTML;
//! - every `{{#include path:anchor}}` names a file that exists and an anchor
//!   with a body, so the code in the book is the tested code of the solutions;
//!   no page includes a whole file;
//! - no page shows the code of a learner's part (a region marked
//!   `ANCHOR: exercise` in a solution) before its `## Exercise` section, and
//!   after it only inside a folded `<details>` "Solution" block;
//! - a `cargo test` transcript on a page lists exactly the tests of the
//!   exercise it runs, and its counts agree;
//! - every chapter page has a `## Contract` table, an `## Exercise` section
//!   with its folder, `cargo test` and `cargo run -- hint <name>` (the hint
//!   itself is never on the page), and `## Further reading`.
//!
//! Run it: `cargo test --test book`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use regex::Regex;
use restlings::course::{Course, Exercise};
use restlings::dev::markers;
use restlings_book_server::render;
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
    // The build `cargo run -- book` serves: mdBook's, plus the quizzes. An
    // absolute build dir keeps the repository clean: nothing lands in book/book.
    match render::build(&root().join(BOOK_DIR), out.path()) {
        Ok(html) => (out, html),
        Err(error) => panic!("the book does not build: {error:#}"),
    }
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
        // The hint is the runner's, a level at a time: the page says how to
        // ask for it, and never shows it.
        let command = format!("`cargo run -- hint {}`", exercise.name);
        assert!(
            section.contains(&command),
            "{page}: the `## Exercise` section must say that {command} prints the hint, \
             one level each time it is run"
        );
        assert!(
            !text.contains("HINT.md}}"),
            "{page} includes a HINT.md: the hints come one level at a time from {command}, \
             so the page must not show them all at once. Remove the include."
        );
        let page_words = words(
            &text
                .lines()
                .map(|line| line.trim_start().trim_start_matches('>'))
                .collect::<Vec<_>>()
                .join(" "),
        );
        for (number, level) in restlings::hint::levels(&exercise.hint).iter().enumerate() {
            assert!(
                !page_words.contains(&words(level)),
                "{page} copies level {} of the hint in {} by hand: the page only points to \
                 {command}, so that the hint file is the one copy",
                number + 1,
                exercise.hint_path().display()
            );
        }
    }
}

/// The 0-based numbers of the lines of `source` that the learner writes: those
/// between an `ANCHOR: exercise …` marker and its `ANCHOR_END: exercise`, in a
/// `//` or `#` comment. An `ANCHOR: solution_only` region counts too if it
/// holds code; one that holds only comments is the answer's explanation,
/// which the book may show with the given code around it.
fn learners_lines(source: &str) -> BTreeSet<usize> {
    let comment_text = |line: &str| {
        let trimmed = line.trim_start();
        let text = trimmed
            .strip_prefix("//")
            .or_else(|| trimmed.strip_prefix('#'))?;
        Some(text.trim().to_owned())
    };
    let starts = |text: &str| {
        text.strip_prefix(markers::STARTER)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    };
    // The open region, if any: whether it holds starting code, and its lines.
    let mut open: Option<(bool, Vec<usize>)> = None;
    let mut lines = BTreeSet::new();
    for (index, line) in source.lines().enumerate() {
        match comment_text(line) {
            Some(text) if starts(&text) => open = Some((true, Vec::new())),
            Some(text) if text == markers::SOLUTION_ONLY => open = Some((false, Vec::new())),
            Some(text) if text == markers::END => {
                if let Some((has_starter, region)) = open.take() {
                    let holds_code = region.iter().any(|&number| {
                        let line = source.lines().nth(number).unwrap_or_default();
                        !line.trim().is_empty() && comment_text(line).is_none()
                    });
                    if has_starter || holds_code {
                        lines.extend(region);
                    }
                }
            }
            _ => {
                if let Some((_, region)) = open.as_mut() {
                    region.push(index);
                }
            }
        }
    }
    lines
}

/// The 0-based numbers of the lines an `anchor` shows of `source`, as mdBook
/// takes them (anchor lines left out), or `None` without the anchor.
fn anchor_lines(source: &str, anchor: &str) -> Option<BTreeSet<usize>> {
    let is_marker = |line: &str, kind: &str| {
        line.split_once(kind)
            .is_some_and(|(_, rest)| rest.split_whitespace().next() == Some(anchor))
    };
    let mut lines = source.lines().enumerate();
    lines
        .by_ref()
        .find(|(_, line)| is_marker(line, "ANCHOR:"))?;
    let mut shown = BTreeSet::new();
    for (index, line) in lines {
        if is_marker(line, "ANCHOR_END:") {
            return Some(shown);
        }
        if !line.contains("ANCHOR:") && !line.contains("ANCHOR_END:") {
            shown.insert(index);
        }
    }
    None
}

/// An `{{#include file:anchor}}` of a page: where it is, what it names, and
/// which lines of a learner's region it shows (1-based, for messages).
struct Include {
    at: usize,
    target: String,
    learners: Vec<usize>,
}

fn includes_of(page: &Path, text: &str) -> Vec<Include> {
    let include = Regex::new(r"\{\{#include\s+([^\s}]+)\s*\}\}").expect("a valid regex");
    include
        .captures_iter(text)
        .filter_map(|capture| {
            let target = capture[1].to_owned();
            let (file, anchor) = target.split_once(':')?;
            let path = page.parent().unwrap_or(Path::new(".")).join(file);
            let source = std::fs::read_to_string(&path).ok()?;
            let shown = anchor_lines(&source, anchor)?;
            let learners = shown
                .intersection(&learners_lines(&source))
                .map(|index| index + 1)
                .collect();
            let at = capture.get(0).map_or(0, |found| found.start());
            Some(Include {
                at,
                target,
                learners,
            })
        })
        .collect()
}

/// Where a page's `## Exercise` section starts, or the page's end if it has none.
fn exercise_start(text: &str) -> usize {
    text.find("\n## Exercise\n").unwrap_or(text.len())
}

#[test]
fn no_page_shows_the_code_of_a_learners_part_before_its_exercise_section() {
    let mut checked = 0;
    for page in files_with_extension(&source_dir(), "md") {
        let text = read(&page);
        let exercise = exercise_start(&text);
        for include in includes_of(&page, &text) {
            if include.at > exercise {
                continue;
            }
            checked += 1;
            assert!(
                include.learners.is_empty(),
                "{} includes `{}` before its `## Exercise` section, and that anchor shows \
                 lines {:?}, which the learner writes (they sit between `{}` and `{}` \
                 markers). Don't give the answer away: show only given code here, and move \
                 this include into the folded `<details>` Solution block after the exercise.",
                page.display(),
                include.target,
                include.learners,
                markers::STARTER,
                markers::END
            );
        }
    }
    assert!(
        checked > 0,
        "no page includes code before its exercise: the check above checked nothing, so the \
         include pattern no longer matches the pages"
    );
}

#[test]
fn a_learners_code_after_the_exercise_sits_in_a_folded_solution() {
    for page in files_with_extension(&source_dir(), "md") {
        let text = read(&page);
        let exercise = exercise_start(&text);
        for include in includes_of(&page, &text) {
            if include.at < exercise || include.learners.is_empty() {
                continue;
            }
            let before = &text[..include.at];
            let opened = before.rfind("<details>");
            let closed = before.rfind("</details>");
            let folded = opened.is_some_and(|open| {
                closed.is_none_or(|close| close < open)
                    && text[open..include.at].contains("<summary>Solution</summary>")
                    && text[open..include.at].contains("Try the exercise first")
            });
            assert!(
                folded,
                "{} shows the learner's code `{}` after the exercise, but not folded: put it \
                 in `<details>`, `<summary>Solution</summary>`, a blank line, a sentence that \
                 starts \"Try the exercise first\", the code, then `</details>`",
                page.display(),
                include.target
            );
        }
    }
}

/// The names of the test functions in the exercise's `tests/` folder.
fn test_names(exercise_dir: &Path) -> BTreeSet<String> {
    let function = Regex::new(r"^\s*(?:pub\s+)?(?:async\s+)?fn\s+(\w+)").expect("a valid regex");
    let mut names = BTreeSet::new();
    for file in files_with_extension(&exercise_dir.join("tests"), "rs") {
        let mut attribute = false;
        for line in read(&file).lines() {
            let trimmed = line.trim();
            if trimmed == "#[test]" || trimmed.starts_with("#[tokio::test") {
                attribute = true;
            } else if attribute && let Some(name) = function.captures(line) {
                names.insert(name[1].to_owned());
                attribute = false;
            }
        }
    }
    names
}

#[test]
fn every_cargo_test_transcript_lists_the_tests_its_exercise_has() {
    let running = Regex::new(r"^running (\d+) tests?$").expect("a valid regex");
    let listed = Regex::new(r"^test (\w+) \.\.\. \w+$").expect("a valid regex");
    let result = Regex::new(r"^test result: \w+\. (\d+) passed; (\d+) failed").expect("a regex");
    let cd = Regex::new(r"cd (exercises/\w+)").expect("a valid regex");

    for page in files_with_extension(&source_dir(), "md") {
        let text = read(&page);
        for block in text.split("```console").skip(1) {
            let block = block.split("```").next().unwrap_or_default();
            let Some(count) = block.lines().find_map(|line| running.captures(line.trim())) else {
                continue;
            };
            let count: usize = count[1].parse().expect("digits");
            let where_ = format!(
                "{}: the transcript that says `running {count} tests`",
                page.display()
            );
            let dir = cd.captures(block).unwrap_or_else(|| {
                panic!(
                    "{where_} must show the `cd exercises/<name>` it runs in, so it can be checked"
                )
            });
            let names: BTreeSet<String> = block
                .lines()
                .filter_map(|line| {
                    listed
                        .captures(line.trim())
                        .map(|found| found[1].to_owned())
                })
                .collect();
            let expected = test_names(&root().join(&dir[1]));
            assert_eq!(
                names.len(),
                count,
                "{where_} lists {} tests: make the count match the lines below it",
                names.len()
            );
            assert_eq!(
                names, expected,
                "{where_} lists other tests than {}/tests has: run the command again and \
                 paste its output",
                &dir[1]
            );
            if let Some(totals) = block.lines().find_map(|line| result.captures(line.trim())) {
                let total: usize = totals[1].parse::<usize>().expect("digits")
                    + totals[2].parse::<usize>().expect("digits");
                assert_eq!(
                    total, count,
                    "{where_} ends with {total} passed and failed: it must add up to {count}"
                );
            }
        }
    }
}

#[test]
fn pages_outside_the_chapters_type_no_more_than_a_signature_of_rust() {
    let course = course();
    let chapters: BTreeSet<PathBuf> = course
        .exercises()
        .iter()
        .map(|exercise| root().join(&exercise.book))
        .collect();
    for page in files_with_extension(&source_dir(), "md") {
        if chapters.contains(&page) {
            continue;
        }
        let text = read(&page);
        // A typed Rust block's info string and its lines of code, one entry per block.
        let mut block: Option<(String, usize)> = None;
        for (number, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if let Some(info) = trimmed.strip_prefix("```") {
                if let Some((info, typed)) = block.take() {
                    assert!(
                        info.is_empty() || (typed <= 3 && (typed == 0 || info == "rust,ignore")),
                        "{}:{}: a Rust block typed into the page, {typed} line(s) in a \
                         `{info}` block. Outside the chapters a page may type a signature \
                         (at most 3 lines, marked `rust,ignore`); show anything longer with \
                         {{{{#include ../../solutions/<dir>/src/lib.rs:anchor}}}}.",
                        page.display(),
                        number + 1
                    );
                } else if info.starts_with("rust") {
                    block = Some((info.to_owned(), 0));
                } else {
                    // Not Rust (an empty info string marks it): nothing to count.
                    block = Some((String::new(), 0));
                }
                continue;
            }
            if let Some((info, typed)) = block.as_mut()
                && !info.is_empty()
                && !trimmed.is_empty()
                && !trimmed.starts_with("{{#include")
            {
                *typed += 1;
            }
        }
    }
}

#[test]
fn plain_mdbook_builds_the_book_too_with_the_quizzes_left_to_cargo_run_book() {
    // What `mdbook serve book` does, for a reader who has mdBook: no quiz
    // preprocessor, no book server. The page keeps its fallback sentence, and
    // the book's script is there but finds no server, so it changes nothing.
    let out = TempDir::new().expect("a temporary folder: check the disk space");
    let mut book = match mdbook_driver::MDBook::load(root().join(BOOK_DIR)) {
        Ok(book) => book,
        Err(error) => panic!("plain mdBook cannot load book/: {error:#}"),
    };
    book.config.build.build_dir = out.path().to_path_buf();
    if let Err(error) = book.build() {
        panic!(
            "plain mdBook (as `mdbook serve book` runs it) cannot build the book: {error:#}. \
             Keep book.toml to settings mdBook knows, and the pages to plain Markdown"
        );
    }
    let page = read(&book.build_dir_for("html").join("03_get.html"));
    assert!(
        page.contains("cargo run -- book") && !page.contains("class=\"restlings-quiz\""),
        "without the book server, 03_get.html must show the sentence pointing to \
         `cargo run -- book` where the questions go"
    );
    assert!(
        page.contains("src=\"theme/restlings"),
        "plain mdBook must load book/theme/restlings.js too (book.toml's additional-js)"
    );
}

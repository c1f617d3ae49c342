//! The book's links hold, in both directions, and its quizzes parse.
//!
//! - every link and image in the built HTML (`href`, `src`) reaches a file
//!   of the build, and every `#anchor` an element with that id;
//! - every `exercises/<name>` or `solutions/<name>` a page names exists;
//! - each exercise's `src/lib.rs` header names its chapter page, which exists;
//! - the search index is built and finds a word of a chapter;
//! - every quiz file in `book/quizzes/` parses, each belongs to a page with a
//!   `<!-- quiz -->` region, and each region's questions are in the build.
//!
//! Rename a page, or remove an exercise, and one of these fails naming the
//! link that broke. Run it: `cargo test --test book_links`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use regex::Regex;
use restlings::course::Course;
use restlings_book_server::{quiz, render};
use tempfile::TempDir;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn course() -> Course {
    Course::load(root()).unwrap_or_else(|error| {
        panic!("course.toml must load before the book is checked:\n{error:#}")
    })
}

/// One build for every test of this file: the HTML folder.
fn html() -> &'static Path {
    static BUILT: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    let (_, html) = BUILT.get_or_init(|| {
        let out = TempDir::new().expect("a temporary folder: check the disk space");
        match render::build(&root().join("book"), out.path()) {
            Ok(html) => (out, html),
            Err(error) => panic!("the book does not build: {error:#}"),
        }
    });
    html
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
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

/// `path` with `.` and `..` resolved, without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The ids in each page of the build, by path.
fn ids_by_page(pages: &[PathBuf]) -> BTreeMap<PathBuf, BTreeSet<String>> {
    let id = Regex::new(r#"\sid="([^"]+)""#).expect("a valid regex");
    pages
        .iter()
        .map(|page| {
            let ids = id
                .captures_iter(&read(page))
                .map(|found| found[1].to_owned())
                .collect();
            (page.clone(), ids)
        })
        .collect()
}

#[test]
fn every_link_and_image_in_the_built_book_resolves() {
    let html = html();
    let pages = files_with_extension(html, "html");
    let ids = ids_by_page(&pages);
    let link = Regex::new(r#"\s(?:href|src)="([^"]*)""#).expect("a valid regex");
    let mut broken = Vec::new();
    let mut checked = 0;

    for page in &pages {
        let text = read(page);
        // The 404 page is served for any missing path, so it links from the root.
        let base = if page.ends_with("404.html") {
            html.to_path_buf()
        } else {
            page.parent().unwrap_or(html).to_path_buf()
        };
        let shown = page
            .strip_prefix(html)
            .unwrap_or(page)
            .display()
            .to_string();
        for found in link.captures_iter(&text) {
            let target = found[1].replace("&amp;", "&");
            if target.is_empty()
                || target.contains("://")
                || target.starts_with("mailto:")
                || target.starts_with("javascript:")
                || target.starts_with("data:")
                || target.starts_with("{{")
            {
                continue;
            }
            checked += 1;
            let (file, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let file = file.split('?').next().unwrap_or_default();
            let resolved = if file.is_empty() {
                page.clone()
            } else if let Some(absolute) = file.strip_prefix('/') {
                normalize(&html.join(absolute))
            } else {
                normalize(&base.join(file))
            };
            let resolved = if resolved.is_dir() {
                resolved.join("index.html")
            } else {
                resolved
            };
            if !resolved.is_file() {
                broken.push(format!(
                    "{shown} links to `{target}`, and the build has no {}",
                    resolved.strip_prefix(html).unwrap_or(&resolved).display()
                ));
                continue;
            }
            if !anchor.is_empty()
                && let Some(targets) = ids.get(&resolved)
                && !targets.contains(anchor)
            {
                broken.push(format!(
                    "{shown} links to `{target}`, and {} has no element with id=\"{anchor}\" \
                     (a heading's id is its text in lower case, spaces as -)",
                    resolved.strip_prefix(html).unwrap_or(&resolved).display()
                ));
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} links were checked in {}: the link check found almost nothing",
        html.display()
    );
    assert!(
        broken.is_empty(),
        "{} broken link(s) in the book. Fix the Markdown link on the page named (book/src/<page>.md), \
         or the page or heading it points to:\n  {}",
        broken.len(),
        broken.join("\n  ")
    );
}

#[test]
fn every_exercise_or_solution_a_page_names_exists() {
    let named = Regex::new(r"\b((?:exercises|solutions)/\d\d_[a-z0-9_]+)").expect("a valid regex");
    let mut missing = Vec::new();
    for page in files_with_extension(&root().join("book/src"), "md") {
        let text = read(&page);
        for (number, line) in text.lines().enumerate() {
            for found in named.captures_iter(line) {
                let dir = &found[1];
                if !root().join(dir).is_dir() {
                    missing.push(format!(
                        "{}:{} names `{dir}`, which does not exist",
                        page.strip_prefix(root()).unwrap_or(&page).display(),
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "pages name exercise or solution folders that are gone. Fix the page, or put the \
         folder back:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn each_exercise_header_names_its_chapter_page() {
    for exercise in course().exercises() {
        let lib = root().join(&exercise.dir).join("src/lib.rs");
        let header: String = read(&lib)
            .lines()
            .filter(|line| line.starts_with("//!"))
            .collect::<Vec<_>>()
            .join("\n");
        let page = exercise.book.to_string_lossy().replace('\\', "/");
        assert!(
            header.contains(&format!("Read: `{page}`")),
            "{}'s `//!` header must end with Read: `{page}`, so that a learner in the code finds \
             the chapter (it comes from the solution: edit solutions/{}/src/lib.rs, then \
             `cargo run -- dev sync {}`)",
            lib.display(),
            exercise.name,
            exercise.name
        );
        assert!(
            root().join(&exercise.book).is_file(),
            "{} names {page}, which does not exist: rename it back, or fix the header",
            lib.display()
        );
        let built = html().join(format!("{}.html", exercise.name));
        assert!(
            built.is_file(),
            "{page} is not in the built book as {}: list it in book/src/SUMMARY.md",
            built.display()
        );
    }
}

#[test]
fn the_search_index_is_built_and_finds_a_chapter_word() {
    let index = std::fs::read_dir(html())
        .expect("the build's folder lists")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("searchindex") && name.ends_with(".js"))
        });
    let Some(index) = index else {
        panic!(
            "the build has no searchindex*.js: the book's search box would find nothing. \
             crates/book-server must build mdbook-driver with its `search` feature"
        );
    };
    let text = read(&index);
    assert!(
        text.contains("idempotency"),
        "{} does not index the word `idempotency`, which chapter 8 is about",
        index.display()
    );
}

#[test]
fn every_quiz_file_parses_and_belongs_to_a_page_with_a_quiz_region() {
    let book = root().join("book");
    let files = quiz::files(&book).unwrap_or_else(|error| panic!("{error:#}"));
    assert!(!files.is_empty(), "book/quizzes/ holds no quiz file");
    for file in &files {
        if let Err(error) = quiz::Quiz::load(file) {
            panic!("{error:#}");
        }
        let stem = file
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or_default();
        let page = book.join("src").join(format!("{stem}.md"));
        assert!(
            page.is_file(),
            "{} has no page {}: a quiz file is named after its chapter's page",
            file.display(),
            page.display()
        );
        let text = read(&page);
        assert!(
            text.contains(quiz::START) && text.contains(quiz::END),
            "{} has questions, but {} has no {} ... {} region to show them in, under \
             `## Check your understanding`",
            file.display(),
            page.display(),
            quiz::START,
            quiz::END
        );
        let built = read(&html().join(format!("{stem}.html")));
        assert!(
            built.contains(&format!("data-chapter=\"{stem}\"")),
            "{stem}.html does not show the questions of {}",
            file.display()
        );
    }
    for page in files_with_extension(&book.join("src"), "md") {
        if read(&page).contains(quiz::START) {
            let stem = page
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            assert!(
                files
                    .iter()
                    .any(|file| file.ends_with(format!("{stem}.toml"))),
                "{} has a quiz region, but book/quizzes/{stem}.toml does not exist",
                page.display()
            );
        }
    }
}

/// The `StatusCode::NAME` constants in `text`.
fn status_constants(text: &str) -> BTreeSet<String> {
    let constant = Regex::new(r"StatusCode::([A-Z][A-Z_]+)").expect("a valid regex");
    constant
        .captures_iter(text)
        .map(|found| found[1].to_owned())
        .collect()
}

#[test]
fn the_status_code_page_lists_exactly_the_codes_the_course_uses() {
    // What the course's servers send and its tests expect: the solutions,
    // the exercises' tests and the kit (the exercises' src/ is generated).
    let mut used = BTreeSet::new();
    let mut sources = Vec::new();
    for dir in ["solutions", "exercises", "crates/kit"] {
        sources.extend(files_with_extension(&root().join(dir), "rs"));
    }
    for source in sources {
        let relative = source.strip_prefix(root()).unwrap_or(&source);
        let generated = relative.starts_with("exercises")
            && relative
                .components()
                .nth(2)
                .is_some_and(|part| part.as_os_str() == "src");
        if !generated && !relative.starts_with("target") {
            used.extend(status_constants(&read(&source)));
        }
    }
    let page_path = root().join("book/src/status_codes.md");
    let page = read(&page_path);
    let rows: Vec<&str> = page
        .lines()
        .filter(|line| line.starts_with("| `") && line.contains("StatusCode::"))
        .collect();
    let listed: BTreeSet<String> = rows.iter().flat_map(|row| status_constants(row)).collect();
    let missing: Vec<&String> = used.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "the course uses {missing:?}, and {} has no row for them: add one with its meaning, \
         its RFC section and the chapter that teaches it",
        page_path.display()
    );
    let stale: Vec<&String> = listed.difference(&used).collect();
    assert!(
        stale.is_empty(),
        "{} lists {stale:?}, which no solution, test or the kit uses any more: remove the row",
        page_path.display()
    );
    for row in rows {
        assert!(
            row.contains("rfc-editor.org/rfc/") && row.contains(".md)"),
            "{}: each row needs a link to its RFC section and to the chapter that teaches it: \
             {row}",
            page_path.display()
        );
    }
}

#[test]
fn every_runner_command_a_page_shows_is_one_the_runner_takes() {
    use clap::Parser as _;
    // `cargo run -- ...` in a code span, or on a console line.
    let command = Regex::new(r"cargo run -- ([^`\n#]+)").expect("a valid regex");
    let mut wrong = Vec::new();
    let mut checked = 0;
    for page in files_with_extension(&root().join("book/src"), "md") {
        let text = read(&page);
        for (number, line) in text.lines().enumerate() {
            for found in command.captures_iter(line) {
                let words: Vec<&str> = found[1]
                    .split_whitespace()
                    .take_while(|word| !matches!(*word, "&&" | "|" | ">" | "2>&1"))
                    .map(|word| word.trim_end_matches([')', ',', ';', '.', ':']))
                    .filter(|word| !word.is_empty())
                    .collect();
                checked += 1;
                let args = std::iter::once("restlings").chain(words.iter().copied());
                let parsed = restlings::cli::Cli::try_parse_from(args);
                if let Err(error) = parsed
                    && !matches!(
                        error.kind(),
                        clap::error::ErrorKind::DisplayHelp
                            | clap::error::ErrorKind::DisplayVersion
                    )
                {
                    let why = error.to_string();
                    let why = why.lines().next().unwrap_or_default();
                    wrong.push(format!(
                        "{}:{}: `cargo run -- {}`: {why}",
                        page.strip_prefix(root()).unwrap_or(&page).display(),
                        number + 1,
                        words.join(" ")
                    ));
                }
            }
        }
    }
    assert!(
        checked > 10,
        "only {checked} runner commands found in the book"
    );
    assert!(
        wrong.is_empty(),
        "the book shows runner commands the runner does not take: fix the page, or the \
         command's name in src/cli.rs:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn every_rfc_a_chapter_relies_on_is_linked_in_its_further_reading() {
    let cited = Regex::new(r"\bRFC (\d{3,5})\b").expect("a valid regex");
    let mut missing = Vec::new();
    for exercise in course().exercises() {
        let text = read(&root().join(&exercise.book));
        let Some((body, further)) = text.split_once("\n## Further reading\n") else {
            continue; // tests/book.rs requires the section
        };
        let numbers: BTreeSet<String> = cited
            .captures_iter(body)
            .map(|found| found[1].to_owned())
            .collect();
        for number in numbers {
            if !further.contains(&format!("rfc-editor.org/rfc/rfc{number}")) {
                missing.push(format!(
                    "{} cites RFC {number}, and its `## Further reading` has no link to it \
                     (https://www.rfc-editor.org/rfc/rfc{number}#section-N, with the section)",
                    exercise.book.display()
                ));
            }
        }
        assert!(
            further.contains("#section-") || !further.contains("rfc-editor.org"),
            "{}: link RFCs by section (…/rfc/rfc9110#section-9.2.2), so the reader lands on \
             the rule itself",
            exercise.book.display()
        );
    }
    assert!(
        missing.is_empty(),
        "chapters name RFCs they do not point to:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn each_exercises_failure_reports_point_to_its_own_chapter_page() {
    // The kit ends every failure with `Read: book/src/<CHAPTER>.md`.
    let chapter = Regex::new(r#"const CHAPTER: &str = "([^"]+)";"#).expect("a valid regex");
    let mut pointed = 0;
    for exercise in course().exercises() {
        let tests = root().join(&exercise.dir).join("tests");
        if !tests.is_dir() {
            continue;
        }
        for file in files_with_extension(&tests, "rs") {
            for found in chapter.captures_iter(&read(&file)) {
                pointed += 1;
                let named = &found[1];
                assert_eq!(
                    named,
                    exercise.name,
                    "{} points its failure reports to book/src/{named}.md, but it tests \
                     `{}`: set CHAPTER to \"{}\"",
                    file.display(),
                    exercise.name,
                    exercise.name
                );
                assert!(
                    html().join(format!("{named}.html")).is_file(),
                    "{}'s failures say `Read: book/src/{named}.md`, and the built book has no \
                     {named}.html",
                    file.display()
                );
            }
        }
    }
    assert!(
        pointed >= 9,
        "only {pointed} exercises' tests declare the CHAPTER their failures point to"
    );
}

//! The markers that turn a solution into its exercise's starting code.
//!
//! A solution is the one hand-written source of a chapter. Where the learner
//! has work to do, the answer sits between a marker pair, and the opening
//! marker carries the starting code that replaces it:
//!
//! ```text
//! fn create(&mut self, new: NewProduct) -> Result<Product, ApiError> {
//!     // ANCHOR: exercise todo!("assign the next id and store the product")
//!     let id = self.last_id.checked_add(1).ok_or(ApiError::IdsExhausted)?;
//!     ...
//!     // ANCHOR_END: exercise
//! }
//! ```
//!
//! - `ANCHOR: exercise TEXT` is one line of starting code. Several in a row
//!   are several lines, each put back at the marker's indentation; a marker
//!   with no text is a blank line.
//! - `ANCHOR: solution_only` opens a region the exercise simply leaves out.
//! - `ANCHOR_END: exercise` closes either kind.
//!
//! The markers borrow mdBook's anchor syntax on purpose: `{{#include
//! file:anchor}}` drops every line that looks like an anchor, so the book
//! shows the clean answer, while rustfmt and clippy see ordinary comments.
//! Every other `ANCHOR` line belongs to the book and is left out of the
//! exercise, which the book never includes.

use anyhow::bail;

/// Opens a region and carries one line of its starting code.
pub const STARTER: &str = "ANCHOR: exercise";
/// Opens a region with no starting code.
pub const SOLUTION_ONLY: &str = "ANCHOR: solution_only";
/// Closes a region.
pub const END: &str = "ANCHOR_END: exercise";

/// What one line of a solution means to the generator.
#[derive(Debug, PartialEq, Eq)]
enum Line<'a> {
    /// A line of starting code, with the marker's indentation.
    Starter {
        indent: &'a str,
        text: &'a str,
    },
    SolutionOnly,
    End,
    /// One of the book's own anchors: never part of an exercise.
    BookAnchor,
    Code(&'a str),
}

fn classify<'a>(line: &'a str, comment: &str) -> Line<'a> {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    let Some(marker) = trimmed.strip_prefix(comment).map(str::trim_start) else {
        return Line::Code(line);
    };
    if let Some(rest) = marker.strip_prefix(STARTER) {
        // `ANCHOR: exercise_x` is some other anchor, not ours.
        if rest.is_empty() {
            return Line::Starter { indent, text: "" };
        }
        if let Some(text) = rest.strip_prefix(' ') {
            return Line::Starter { indent, text };
        }
    }
    if marker.trim_end() == SOLUTION_ONLY {
        return Line::SolutionOnly;
    }
    if marker.trim_end() == END {
        return Line::End;
    }
    if marker.starts_with("ANCHOR:") || marker.starts_with("ANCHOR_END:") {
        return Line::BookAnchor;
    }
    Line::Code(line)
}

/// The starting code of a solution file: each marked region replaced by the
/// starting code its marker carries, and the book's anchors left out.
/// `comment` is the file's line-comment token, `//` for Rust.
///
/// A marker out of place (an end with no start, a region never closed, a
/// region inside a region) is an error naming its line.
pub fn starting_code(solution: &str, comment: &str) -> anyhow::Result<String> {
    let mut out = String::with_capacity(solution.len());
    // The line where the open region started, if one is open.
    let mut open: Option<usize> = None;
    let mut lines = solution.lines().enumerate().peekable();
    while let Some((index, line)) = lines.next() {
        let number = index + 1;
        match classify(line, comment) {
            Line::Starter { indent, text } => {
                if let Some(start) = open {
                    bail!(
                        "line {number}: a `{STARTER}` marker inside the region opened on line \
                         {start}: close that one with `{comment} {END}` first"
                    );
                }
                push_starter(&mut out, indent, text);
                // The lines right below that are markers too belong to the
                // same starting code.
                while let Some(&(_, next)) = lines.peek() {
                    let Line::Starter { indent, text } = classify(next, comment) else {
                        break;
                    };
                    push_starter(&mut out, indent, text);
                    lines.next();
                }
                open = Some(number);
            }
            Line::SolutionOnly => {
                if let Some(start) = open {
                    bail!(
                        "line {number}: a `{SOLUTION_ONLY}` marker inside the region opened on \
                         line {start}: close that one with `{comment} {END}` first"
                    );
                }
                open = Some(number);
            }
            Line::End => {
                if open.take().is_none() {
                    bail!(
                        "line {number}: `{END}` closes no region: open one above it with \
                         `{comment} {STARTER} …` or `{comment} {SOLUTION_ONLY}`"
                    );
                }
            }
            Line::BookAnchor => {}
            Line::Code(code) => {
                if open.is_none() {
                    out.push_str(code);
                    out.push('\n');
                }
            }
        }
    }
    if let Some(start) = open {
        bail!("the region opened on line {start} is never closed: add `{comment} {END}` below it");
    }
    if !solution.ends_with('\n') {
        out.pop();
    }
    Ok(out)
}

fn push_starter(out: &mut String, indent: &str, text: &str) {
    if !text.is_empty() {
        out.push_str(indent);
        out.push_str(text);
    }
    out.push('\n');
}

/// The solution as the book and a reader see it: markers and the starting
/// code they carry left out. Used to check that a marker never hides code.
pub fn answer(solution: &str, comment: &str) -> String {
    solution
        .lines()
        .filter(|line| {
            !matches!(
                classify(line, comment),
                Line::Starter { .. } | Line::SolutionOnly | Line::End
            )
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise(solution: &str) -> String {
        starting_code(solution, "//").expect("well-formed markers")
    }

    #[test]
    fn a_region_is_replaced_by_its_starting_code_at_the_marker_indentation() {
        let solution = "fn f() -> u8 {\n    // ANCHOR: exercise todo!(\"return 7\")\n    7\n    // ANCHOR_END: exercise\n}\n";
        assert_eq!(
            exercise(solution),
            "fn f() -> u8 {\n    todo!(\"return 7\")\n}\n",
            "the answer goes, the starting code takes its place, indented like the marker"
        );
    }

    #[test]
    fn consecutive_markers_are_one_block_and_an_empty_one_is_a_blank_line() {
        let solution = "// ANCHOR: exercise // TODO: do it\n// ANCHOR: exercise\n// ANCHOR: exercise //     like this\n/// Does it.\n// ANCHOR_END: exercise\nfn f() {}\n";
        assert_eq!(
            exercise(solution),
            "// TODO: do it\n\n//     like this\nfn f() {}\n",
            "three marker lines give three lines of starting code, the empty one blank"
        );
    }

    #[test]
    fn a_solution_only_region_leaves_nothing_and_book_anchors_are_dropped() {
        let solution = "// ANCHOR: app\nlet a = 1;\n// ANCHOR: solution_only\n// Why a is 1.\n// ANCHOR_END: exercise\n// ANCHOR_END: app\n";
        assert_eq!(
            exercise(solution),
            "let a = 1;\n",
            "the exercise has neither the solution-only comment nor the book's anchors"
        );
    }

    #[test]
    fn code_outside_markers_is_kept_byte_for_byte() {
        let solution = "a\n\n  b  \n\tc";
        assert_eq!(
            exercise(solution),
            solution,
            "without markers the starting code is the solution, to the last byte"
        );
    }

    #[test]
    fn markers_out_of_place_are_errors_that_name_the_line() {
        for (solution, says) in [
            (
                "a\n// ANCHOR_END: exercise\n",
                "line 2: `ANCHOR_END: exercise` closes no region",
            ),
            (
                "// ANCHOR: exercise x\ny\n",
                "the region opened on line 1 is never closed",
            ),
            (
                "// ANCHOR: solution_only\n// ANCHOR: solution_only\n",
                "line 2: a `ANCHOR: solution_only` marker inside the region opened on line 1",
            ),
        ] {
            let error = format!(
                "{:#}",
                starting_code(solution, "//").expect_err("misplaced markers are refused")
            );
            assert!(
                error.contains(says),
                "for {solution:?} the error should say {says:?}, got: {error}"
            );
        }
    }

    #[test]
    fn an_anchor_whose_name_only_starts_with_exercise_is_the_books() {
        assert_eq!(
            exercise("// ANCHOR: exercises\nx\n// ANCHOR_END: exercises\n"),
            "x\n",
            "`exercises` is a book anchor: dropped, and its lines kept"
        );
    }

    #[test]
    fn a_hash_commented_file_takes_the_same_markers() {
        let solution = "# ANCHOR: builder\n# ANCHOR: exercise env = []\nenv = [\"API_KEY\"]\n# ANCHOR_END: exercise\n";
        assert_eq!(
            starting_code(solution, "#").expect("well-formed markers"),
            "env = []\n",
            "a Dockerfile or TOML file marks its learner's parts with `#` comments"
        );
    }

    #[test]
    fn the_answer_view_drops_markers_and_keeps_the_rest() {
        let solution = "// ANCHOR: exercise todo!()\n7\n// ANCHOR_END: exercise\n// ANCHOR: app\n";
        assert_eq!(
            answer(solution, "//"),
            "7\n// ANCHOR: app\n",
            "the answer keeps the code and the book's anchors, not the exercise markers"
        );
    }
}

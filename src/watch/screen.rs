//! What watch mode prints, and the terminal's raw mode, which it turns on for
//! single-key commands and always turns off again, even on an error or a panic.

use crossterm::terminal::{self, Clear, ClearType};
use crossterm::{cursor::MoveTo, queue};
use std::io::{IsTerminal, Write};

/// The terminal watch mode writes to. Dropping it leaves raw mode.
pub struct Screen {
    /// Stdin is a terminal in raw mode: keys arrive one by one.
    raw: bool,
    /// Stdout is a terminal: it can be cleared, and in raw mode it needs `\r\n`.
    terminal: bool,
}

impl Screen {
    /// Turns raw mode on when stdin is a terminal that allows it.
    pub fn new() -> Screen {
        let raw = std::io::stdin().is_terminal() && terminal::enable_raw_mode().is_ok();
        Screen {
            raw,
            terminal: std::io::stdout().is_terminal(),
        }
    }

    /// True when single keys work, without Enter.
    pub fn raw(&self) -> bool {
        self.raw
    }

    /// Clears the terminal, so the verdict that follows is all there is to read.
    /// Output to a file or a pipe is left alone.
    pub fn clear(&mut self) {
        if self.terminal {
            let mut stdout = std::io::stdout().lock();
            // A terminal that ignores these only shows more scrollback.
            let _ = queue!(stdout, Clear(ClearType::All), MoveTo(0, 0));
            let _ = stdout.flush();
        }
    }

    /// Prints `text` and a newline.
    pub fn say(&mut self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        // Raw mode also stops the terminal turning `\n` into a new line at
        // column 0, so each line would start where the last one ended.
        let text = if self.raw && self.terminal {
            format!("{}\r\n", text.replace('\n', "\r\n"))
        } else {
            format!("{text}\n")
        };
        // With stdout gone there is no one left to tell.
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        if self.raw {
            let _ = terminal::disable_raw_mode();
        }
    }
}

/// A compile failure as watch shows it: the first error in full, then how
/// many more there are, so the screen holds one thing to fix.
pub fn first_error(errors: &str) -> String {
    let mut first = Vec::new();
    let mut more = 0_usize;
    // The check cuts long output and says so in a last line of its own.
    let mut cut = false;
    for line in errors.lines() {
        if line.starts_with("… (") && line.contains("more lines") {
            cut = true;
        } else if line.starts_with("error[") || line.starts_with("error:") {
            if first.iter().any(|line: &&str| line.starts_with("error")) {
                more += 1;
            } else {
                first.push(line);
            }
        } else if more == 0 {
            first.push(line);
        }
    }
    let first = first.join("\n").trim_end().to_owned();
    let errors = |count: usize| if count == 1 { "error" } else { "errors" };
    match (more, cut) {
        (0, false) => first,
        (0, true) => format!("{first}\n\n… and maybe more errors: {SEE_ALL}"),
        (more, false) => format!("{first}\n\n… and {more} more {}: {SEE_ALL}", errors(more)),
        (more, true) => format!("{first}\n\n… and {more} or more errors: {SEE_ALL}"),
    }
}

const SEE_ALL: &str = "fix this one first; the exercise's `cargo test` shows them all.";

#[cfg(test)]
mod tests {
    use super::first_error;

    const MISMATCH: &str = "error[E0308]: mismatched types\n --> src/lib.rs:2:5\n  |\n2 |     \"x\"\n  |     ^^^ expected `u32`\n";

    #[test]
    fn one_error_is_shown_whole_and_alone() {
        assert_eq!(
            first_error(MISMATCH),
            MISMATCH.trim_end(),
            "a single error needs no count after it"
        );
    }

    #[test]
    fn later_errors_are_counted_not_shown() {
        let three = format!("{MISMATCH}\n{MISMATCH}\nerror: cannot find value `y`\n");
        let shown = first_error(&three);
        assert_eq!(
            shown.matches("mismatched types").count(),
            1,
            "only the first error is shown in full:\n{shown}"
        );
        assert!(
            shown.contains("… and 2 more errors"),
            "the two others are counted:\n{shown}"
        );
    }

    #[test]
    fn output_the_check_cut_says_there_may_be_more() {
        let cut = format!("{MISMATCH}\n… (12 more lines: run the exercise's `cargo test`)");
        assert!(
            first_error(&cut).contains("maybe more errors"),
            "the count is unknown past the cut, and watch should say so:\n{}",
            first_error(&cut)
        );
    }
}

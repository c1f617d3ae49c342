//! "Check your understanding": the questions at the end of each chapter.
//!
//! Each chapter's questions live in `book/quizzes/<chapter>.toml`:
//!
//! ```toml
//! [[questions]]
//! prompt = "Which of these methods are idempotent?"
//! choices = ["GET", "PUT", "DELETE", "POST"]
//! answers = ["GET", "PUT", "DELETE"]
//! why = "RFC 9110 §9.2.2: ..."
//! ```
//!
//! A page marks where they go with a region of two HTML comments:
//!
//! ```markdown
//! <!-- quiz -->
//! What plain mdBook shows instead.
//! <!-- /quiz -->
//! ```
//!
//! [`QuizPreprocessor`] replaces the region with the questions, as HTML that
//! reads well without JavaScript (each answer folded in a `<details>`), and
//! that `book/theme/restlings.js` turns into a quiz you can check.
//!
//! Why not `mdbook-quiz`: version 0.5 is a binary only, run by mdBook as an
//! external command, so it cannot be given to mdBook as a library
//! (`MDBook::with_preprocessor`); the learner would have to `cargo install`
//! it, which is what `cargo run -- book` exists to avoid, and `mdbook serve
//! book` would need it too. Its 1.4 MB of JavaScript is a React build we could
//! not change. Questions in TOML, rendered here, need neither.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use mdbook_driver::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use serde::Deserialize;

/// The folder of the quiz files, relative to the book's root (`book/`).
pub const DIR: &str = "quizzes";

/// Where a page's questions start and end.
pub const START: &str = "<!-- quiz -->";
pub const END: &str = "<!-- /quiz -->";

/// One chapter's questions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quiz {
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// The question, in Markdown-free text (backticks become `<code>`).
    pub prompt: String,
    /// The choices, in the order shown.
    pub choices: Vec<String>,
    /// The right choices, each one of `choices`. More than one: the reader
    /// ticks every one that applies.
    pub answers: Vec<String>,
    /// Why: shown once the reader has answered.
    pub why: String,
}

impl Quiz {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> anyhow::Result<Quiz> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the quiz file {}", path.display()))?;
        Quiz::parse(&text).with_context(|| format!("{} is not a valid quiz", path.display()))
    }

    /// Parses a quiz and checks that every question can be answered.
    pub fn parse(text: &str) -> anyhow::Result<Quiz> {
        let quiz: Quiz = toml::from_str(text)
            .context("expected [[questions]] tables, each with prompt, choices, answers and why")?;
        if quiz.questions.is_empty() {
            bail!("it has no [[questions]]: write at least one");
        }
        for (number, question) in quiz.questions.iter().enumerate() {
            let number = number + 1;
            if question.choices.len() < 2 {
                bail!("question {number} needs at least two choices");
            }
            if question.answers.is_empty() {
                bail!("question {number} has no answer: list the right choices in `answers`");
            }
            for answer in &question.answers {
                if !question.choices.contains(answer) {
                    bail!(
                        "question {number}: the answer {answer:?} is not one of its choices \
                         {:?}; copy it from `choices` exactly",
                        question.choices
                    );
                }
            }
            for (index, choice) in question.choices.iter().enumerate() {
                if question.choices[..index].contains(choice) {
                    bail!("question {number} lists the choice {choice:?} twice");
                }
            }
            if question.why.trim().is_empty() {
                bail!("question {number} has an empty `why`: say why the answer is right");
            }
        }
        Ok(quiz)
    }

    /// The questions as HTML: a list a reader without JavaScript can use too.
    pub fn to_html(&self, chapter: &str) -> String {
        let mut html = format!("<div class=\"restlings-quiz\" data-chapter=\"{chapter}\">\n");
        for (number, question) in self.questions.iter().enumerate() {
            let multiple = question.answers.len() > 1;
            let kind = if multiple { "checkbox" } else { "radio" };
            let _ = writeln!(
                html,
                "<fieldset class=\"quiz-question\" data-multiple=\"{multiple}\">\n\
                 <legend>{}. {}</legend>",
                number + 1,
                inline(&question.prompt)
            );
            if multiple {
                html.push_str("<p class=\"quiz-hint\">Tick every one that applies.</p>\n");
            }
            for choice in &question.choices {
                let right = question.answers.contains(choice);
                let _ = writeln!(
                    html,
                    "<label class=\"quiz-choice\"><input type=\"{kind}\" \
                     name=\"{chapter}-q{number}\" data-right=\"{right}\"> {}</label>",
                    inline(choice)
                );
            }
            let answers: Vec<String> = question.answers.iter().map(|a| inline(a)).collect();
            let _ = writeln!(
                html,
                "<details class=\"quiz-answer\"><summary>Answer</summary>\n\
                 <p><strong>{}</strong>. {}</p>\n</details>\n</fieldset>",
                answers.join(", "),
                inline(&question.why)
            );
        }
        html.push_str("</div>\n");
        html
    }
}

/// Escapes `text` for HTML and turns `code` spans into `<code>`.
fn inline(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let mut out = String::new();
    for (index, part) in escaped.split('`').enumerate() {
        if index % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// Every quiz file under `book_root/quizzes`, sorted.
pub fn files(book_root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let dir = book_root.join(DIR);
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))?
    {
        let path = entry
            .with_context(|| format!("cannot list {}", dir.display()))?
            .path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Puts each page's questions in its `<!-- quiz -->` region.
pub struct QuizPreprocessor;

impl Preprocessor for QuizPreprocessor {
    fn name(&self) -> &str {
        "restlings-quiz"
    }

    fn run(&self, ctx: &PreprocessorContext, mut book: Book) -> anyhow::Result<Book> {
        let mut failure = None;
        book.for_each_mut(|item| {
            let BookItem::Chapter(chapter) = item else {
                return;
            };
            if failure.is_some() || !chapter.content.contains(START) {
                return;
            }
            let Some(page) = chapter.path.clone() else {
                return;
            };
            match render_region(&ctx.root, &page, &chapter.content) {
                Ok(content) => chapter.content = content,
                Err(error) => failure = Some(error),
            }
        });
        match failure {
            Some(error) => Err(error),
            None => Ok(book),
        }
    }

    fn supports_renderer(&self, renderer: &str) -> anyhow::Result<bool> {
        Ok(renderer == "html")
    }
}

/// `content` with its quiz region replaced by the questions of
/// `quizzes/<page stem>.toml`.
fn render_region(book_root: &Path, page: &Path, content: &str) -> anyhow::Result<String> {
    let chapter = page
        .file_stem()
        .and_then(|stem| stem.to_str())
        .with_context(|| format!("{} has no file name", page.display()))?;
    let (before, rest) = content
        .split_once(START)
        .with_context(|| format!("{} has no {START}", page.display()))?;
    let Some((_, after)) = rest.split_once(END) else {
        bail!(
            "{}: a {START} region must end with {END} on a line of its own",
            page.display()
        );
    };
    let path = book_root.join(DIR).join(format!("{chapter}.toml"));
    let quiz = Quiz::load(&path).with_context(|| {
        format!(
            "{} asks for its questions ({START}), so {} must exist",
            page.display(),
            path.display()
        )
    })?;
    Ok(format!("{before}{}{after}", quiz.to_html(chapter)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[questions]]
prompt = "Which is safe?"
choices = ["`GET`", "POST"]
answers = ["`GET`"]
why = "RFC 9110 §9.2.1."
"#;

    #[test]
    fn a_good_quiz_parses_and_renders_its_answer_folded() {
        let quiz = Quiz::parse(GOOD).expect("the sample quiz is valid");
        let html = quiz.to_html("03_get");
        assert!(
            html.contains("<code>GET</code>"),
            "backticks must become <code>: {html}"
        );
        assert!(
            html.contains("type=\"radio\""),
            "one answer: radio buttons: {html}"
        );
        assert!(
            html.contains("<details class=\"quiz-answer\">"),
            "the answer must be folded: {html}"
        );
    }

    #[test]
    fn an_answer_that_is_not_a_choice_is_refused() {
        let bad = GOOD.replace("answers = [\"`GET`\"]", "answers = [\"GET\"]");
        let error = Quiz::parse(&bad).expect_err("GET without backticks is not a choice");
        assert!(
            format!("{error:#}").contains("not one of its choices"),
            "the error must say the answer is not a choice, got: {error:#}"
        );
    }

    #[test]
    fn a_misspelt_field_is_refused() {
        let bad = GOOD.replace("why =", "wyh =");
        assert!(
            Quiz::parse(&bad).is_err(),
            "a misspelt `why` must not parse"
        );
    }
}

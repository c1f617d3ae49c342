//! A rule's-eye view of a parsed Dockerfile: stages with their resolved base
//! images and lines, and the shell commands inside `RUN`, `CMD` and `ENTRYPOINT`.
//!
//! `parse-dockerfile` does the Dockerfile grammar (continuations, heredocs,
//! exec vs shell form). What is left here is reading the *shell* text those
//! instructions carry, which is only split into simple commands: enough to see
//! `cargo build --release` or `apt-get install`, not a shell interpreter.

use std::collections::HashMap;

use parse_dockerfile::{Command, Dockerfile, Instruction, Stage};

use crate::Options;

/// Everything a rule may look at.
pub(crate) struct Ctx<'a, 'b> {
    text: &'a str,
    /// The stages in file order; the last one is the image that ships.
    pub stages: Vec<StageInfo<'a, 'b>>,
    /// Global `ARG` instructions, before the first `FROM`.
    pub global_args: Vec<&'b parse_dockerfile::ArgInstruction<'a>>,
    pub dockerignore: Option<&'b str>,
    pub options: &'b Options,
}

pub(crate) struct StageInfo<'a, 'b> {
    pub stage: Stage<'a, 'b>,
    /// The `FROM` image with the global `ARG` defaults substituted.
    pub image: String,
    /// The `AS` name, lowercased as Docker compares it.
    pub alias: Option<String>,
    /// The line of the `FROM`.
    pub line: usize,
    /// The earlier stage this one starts from, when the image names one.
    pub parent: Option<usize>,
}

impl<'a, 'b> Ctx<'a, 'b> {
    pub fn new(
        text: &'a str,
        file: &'b Dockerfile<'a>,
        dockerignore: Option<&'b str>,
        options: &'b Options,
    ) -> Self {
        let global_args: Vec<_> = file.global_args().collect();
        let vars: HashMap<String, String> = global_args
            .iter()
            .flat_map(|arg| assignments(&arg.arguments.value))
            .collect();
        let mut stages: Vec<StageInfo<'a, 'b>> = Vec::new();
        for stage in file.stages() {
            let image = substitute(&stage.from.image.value, &vars);
            let parent = stages
                .iter()
                .position(|earlier| earlier.alias.as_deref() == Some(&image.to_lowercase()));
            stages.push(StageInfo {
                image,
                alias: stage.from.as_.as_ref().map(|(_, n)| n.value.to_lowercase()),
                line: line_at(text, stage.from.from.span.start),
                parent,
                stage,
            });
        }
        Ctx {
            text,
            stages,
            global_args,
            dockerignore,
            options,
        }
    }

    /// The 1-based line of a byte offset into the Dockerfile.
    pub fn line(&self, offset: usize) -> usize {
        line_at(self.text, offset)
    }

    /// The index of the stage that ships.
    pub fn final_stage(&self) -> usize {
        self.stages.len() - 1
    }

    /// `index` and the stages it starts `FROM`, root first: what the image
    /// of stage `index` is made of.
    pub fn lineage(&self, index: usize) -> Vec<usize> {
        let mut chain = vec![index];
        let mut current = index;
        while let Some(parent) = self.stages[current].parent {
            chain.push(parent);
            current = parent;
        }
        chain.reverse();
        chain
    }

    /// Every instruction of every stage, with its stage index.
    pub fn instructions(&self) -> impl Iterator<Item = (usize, &'b Instruction<'a>)> + '_ {
        self.stages
            .iter()
            .enumerate()
            .flat_map(|(index, info)| info.stage.instructions.iter().map(move |i| (index, i)))
    }
}

fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The keyword offset of an instruction, for its line number.
pub(crate) fn start_of(instruction: &Instruction<'_>) -> Option<usize> {
    let span = match instruction {
        Instruction::Add(i) => &i.add.span,
        Instruction::Arg(i) => &i.arg.span,
        Instruction::Cmd(i) => &i.cmd.span,
        Instruction::Copy(i) => &i.copy.span,
        Instruction::Entrypoint(i) => &i.entrypoint.span,
        Instruction::Env(i) => &i.env.span,
        Instruction::Expose(i) => &i.expose.span,
        Instruction::Run(i) => &i.run.span,
        Instruction::User(i) => &i.user.span,
        _ => return None,
    };
    Some(span.start)
}

/// The shell text a `RUN`, `CMD` or `ENTRYPOINT` runs: line continuations
/// joined, exec-form arguments joined by spaces, heredoc bodies appended.
pub(crate) fn script_of(instruction: &Instruction<'_>) -> Option<String> {
    let (command, here_docs) = match instruction {
        Instruction::Run(run) => (&run.arguments, run.here_docs.as_slice()),
        Instruction::Cmd(cmd) => (&cmd.arguments, &[][..]),
        Instruction::Entrypoint(entrypoint) => (&entrypoint.arguments, &[][..]),
        _ => return None,
    };
    let mut script = match command {
        Command::Exec(args) => args
            .value
            .iter()
            .map(|arg| arg.value.as_ref())
            .collect::<Vec<_>>()
            .join(" "),
        Command::Shell(shell) => shell.value.replace("\\\r\n", " ").replace("\\\n", " "),
        _ => return None,
    };
    for doc in here_docs {
        script.push('\n');
        script.push_str(&doc.value);
    }
    Some(script)
}

/// Splits shell text into simple commands (at newlines, `;`, `&&`, `||`, `|`
/// and `&`), each as its words with quotes removed.
pub(crate) fn simple_commands(script: &str) -> Vec<Vec<String>> {
    let mut separated = script.to_string();
    for operator in ["&&", "||", ";", "|", "&", "(", ")"] {
        separated = separated.replace(operator, "\n");
    }
    separated
        .lines()
        .map(|line| {
            line.split_whitespace()
                .map(|word| word.trim_matches(|c| c == '"' || c == '\'').to_string())
                .collect::<Vec<_>>()
        })
        .filter(|words| !words.is_empty())
        .collect()
}

/// The program a simple command runs and its arguments, after any leading
/// `NAME=value` assignments. `/usr/bin/cargo` counts as `cargo`.
pub(crate) fn program(words: &[String]) -> Option<(&str, &[String])> {
    let start = words.iter().position(|w| !is_assignment(w))?;
    let name = words[start].rsplit('/').next().unwrap_or(&words[start]);
    Some((name, &words[start + 1..]))
}

/// The cargo subcommand (`build`, `install`, …) of a simple command and the
/// words after it, skipping `+toolchain` and leading options.
pub(crate) fn cargo_subcommand(words: &[String]) -> Option<(&str, &[String])> {
    let (name, args) = program(words)?;
    if name != "cargo" {
        return None;
    }
    let at = args
        .iter()
        .position(|w| !w.starts_with('-') && !w.starts_with('+'))?;
    Some((args[at].as_str(), &args[at + 1..]))
}

/// Whether any simple command in `script` runs cargo.
pub(crate) fn runs_cargo(script: &str) -> bool {
    simple_commands(script)
        .iter()
        .any(|words| program(words).is_some_and(|(name, _)| name == "cargo"))
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// The names an `ENV` or `ARG` declares: `A=1 B=2`, `NAME`, or the legacy
/// `ENV NAME value`.
pub(crate) fn declared_names(arguments: &str) -> Vec<&str> {
    let mut words = arguments.split_whitespace();
    match words.next() {
        Some(first) if !first.contains('=') => vec![first],
        Some(first) => std::iter::once(first)
            .chain(words)
            .filter_map(|w| w.split_once('=').map(|(name, _)| name))
            .filter(|name| !name.is_empty())
            .collect(),
        None => Vec::new(),
    }
}

/// The `NAME=value` pairs of an `ENV` or `ARG`, quotes removed from values.
pub(crate) fn assignments(arguments: &str) -> Vec<(String, String)> {
    arguments
        .split_whitespace()
        .filter_map(|word| word.split_once('='))
        .map(|(name, value)| {
            let value = value.trim_matches(|c| c == '"' || c == '\'');
            (name.to_string(), value.to_string())
        })
        .collect()
}

/// Replaces `${NAME}` and `$NAME` by their values; unknown names stay as
/// they are.
pub(crate) fn substitute(text: &str, vars: &HashMap<String, String>) -> String {
    // Longest names first, so `$RUST_VERSION` is not read as `$RUST` + `_VERSION`.
    let mut names: Vec<_> = vars.iter().collect();
    names.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
    let mut out = text.to_string();
    for (name, value) in names {
        out = out
            .replace(&format!("${{{name}}}"), value)
            .replace(&format!("${name}"), value);
    }
    out
}

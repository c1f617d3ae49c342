//! `restlings watch [NAME]`: check the exercise you are on each time you save
//! a file in it. A pass stays on the screen until you press `n` for the next.
//!
//! A save starts a check at once (after the few milliseconds an editor's
//! burst of events takes). A save during a check makes that check's verdict
//! stale: it is not shown, and the check runs again right after, so the
//! verdict on the screen is always about the files as they are.
//!
//! In a terminal the commands are single keys (`screen` turns raw mode on, and
//! off again whatever happens); from a pipe they are lines (`keys`). Watch
//! mode only reads: it never writes to the exercises.

mod keys;
mod screen;

use crate::check::{Checker, Outcome};
use crate::course::{Course, Exercise};
use crate::state::fingerprint;
use crate::{hint, report, state};
use anyhow::Context;
use keys::Key;
use notify::{EventKind, RecursiveMode, Watcher};
use screen::Screen;
use std::collections::VecDeque;
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// An editor's save is a burst of events (write, rename, touch) a few
/// milliseconds long: after the first, the check waits for this much quiet.
const SETTLE: Duration = Duration::from_millis(30);

/// The longest a burst may hold the check back: files that keep changing are
/// checked anyway, and again once they are seen to have changed.
const SETTLE_AT_MOST: Duration = Duration::from_millis(500);

enum Event {
    /// A file under the watched exercise changed.
    Changed,
    /// The learner pressed a key (or typed a line).
    Key(Key),
}

/// Where the current exercise stands, once checked.
#[derive(Clone, Copy)]
enum After {
    /// It needs work: keep watching it.
    Stay,
    /// It is done, and `n` goes on to this exercise.
    NextIs(usize),
    /// It is done, and so is every other.
    AllDone,
}

/// What ends the watch of one exercise.
enum Step {
    Go(usize),
    Quit,
}

/// Runs watch mode on `name`, or on the first exercise that needs work, until
/// every exercise passes or the learner quits (`q`, Ctrl-C).
pub fn run(course: &Course, checker: &Checker, name: Option<&str>) -> anyhow::Result<ExitCode> {
    let exercises = course.exercises();
    let (mut index, mut known) = match name {
        Some(name) => {
            let chosen = course.exercise(name)?;
            let index = exercises
                .iter()
                .position(|exercise| exercise.name == chosen.name)
                .context("the course lost an exercise it just named: run again")?;
            (index, None)
        }
        None => {
            let outcomes = state::check(course, checker, exercises)?;
            match report::current(&outcomes) {
                Some(index) => (index, outcomes.into_iter().nth(index)),
                None => {
                    println!("{}", report::finished(exercises, &outcomes));
                    return Ok(ExitCode::SUCCESS);
                }
            }
        }
    };
    let (sender, events) = mpsc::channel();
    let mut watch = Watch {
        course,
        checker,
        screen: Screen::new(),
        events,
        pending: VecDeque::new(),
    };
    keys::read(sender.clone(), watch.screen.raw());
    loop {
        let exercise = &exercises[index];
        // Dropping the watcher at the end of the iteration stops it.
        let _watcher = watch_dir(&course.root().join(&exercise.dir), sender.clone())?;
        let outcome = match known.take() {
            Some(outcome) => outcome,
            None => match watch.check_fresh(exercise)? {
                Some(outcome) => outcome,
                None => return Ok(ExitCode::SUCCESS),
            },
        };
        match watch.one(index, outcome)? {
            Step::Go(next) => index = next,
            Step::Quit => return Ok(ExitCode::SUCCESS),
        }
        // Saves made meanwhile were about the exercise just finished.
        let earlier: Vec<Event> = watch.pending.drain(..).collect();
        let meanwhile = std::iter::from_fn(|| watch.events.try_recv().ok());
        if earlier
            .into_iter()
            .chain(meanwhile)
            .any(|event| matches!(event, Event::Key(Key::Quit)))
        {
            return Ok(ExitCode::SUCCESS);
        }
    }
}

struct Watch<'a> {
    course: &'a Course,
    checker: &'a Checker,
    screen: Screen,
    events: Receiver<Event>,
    /// Keys that came during a check or a settle, in order, to answer next.
    pending: VecDeque<Event>,
}

impl Watch<'_> {
    /// Shows `outcome` of exercise `index`, then re-checks it on every change
    /// and answers keys, until the learner moves on or quits.
    fn one(&mut self, index: usize, outcome: Outcome) -> anyhow::Result<Step> {
        let exercise = &self.course.exercises()[index];
        let mut after = self.verdict(index, &outcome)?;
        loop {
            if let After::AllDone = after {
                return Ok(Step::Quit);
            }
            let Some(event) = self.next_event() else {
                return Ok(Step::Quit);
            };
            match event {
                Event::Key(Key::Quit) => return Ok(Step::Quit),
                Event::Key(Key::Next) => match after {
                    After::NextIs(next) => return Ok(Step::Go(next)),
                    After::Stay | After::AllDone => {
                        self.screen.say(&format!("\n{} {NOT_YET}", exercise.name));
                        continue;
                    }
                },
                Event::Key(Key::Hint) => {
                    self.screen.say(&format!("\n{}\n", hint::show(exercise)));
                    self.footer(exercise, after);
                    continue;
                }
                Event::Key(Key::List) => {
                    let exercises = self.course.exercises();
                    let outcomes = state::check(self.course, self.checker, exercises)?;
                    self.screen.say(&format!(
                        "\n{}\n{}\n",
                        report::table(exercises, &outcomes),
                        report::done(&outcomes)
                    ));
                    self.footer(exercise, after);
                    continue;
                }
                Event::Key(Key::Other) => {
                    self.screen.say(self.keys());
                    continue;
                }
                Event::Key(Key::Rerun) => {}
                Event::Changed => {
                    if !self.settle() {
                        return Ok(Step::Quit);
                    }
                }
            }
            self.screen.say(&format!("Checking {}…", exercise.name));
            let Some(outcome) = self.check_fresh(exercise)? else {
                return Ok(Step::Quit);
            };
            after = self.verdict(index, &outcome)?;
        }
    }

    /// Clears the screen and shows the verdict. A pass checks the rest of the
    /// course too, to name the exercise `n` goes to.
    fn verdict(&mut self, index: usize, outcome: &Outcome) -> anyhow::Result<After> {
        let exercises = self.course.exercises();
        let exercise = &exercises[index];
        self.screen.clear();
        self.screen.say(&format!(
            "Exercise {} of {}: {} — {}\n",
            index + 1,
            exercises.len(),
            exercise.name,
            exercise.title
        ));
        if outcome.needs_work() {
            self.screen.say(&format!(
                "{}: {} {}",
                exercise.name,
                outcome.mark(),
                outcome.label()
            ));
            let details = match outcome {
                Outcome::DoesNotCompile { errors } => screen::first_error(errors),
                _ => outcome.details(),
            };
            if !details.is_empty() {
                self.screen.say(&report::indent(&details));
            }
            self.footer(exercise, After::Stay);
            return Ok(After::Stay);
        }
        let done = match outcome {
            Outcome::Skipped { reason } => {
                format!("{} {} was skipped: {reason}", outcome.mark(), exercise.name)
            }
            _ => format!("✓ {} passes!", exercise.name),
        };
        self.screen.say(&done);
        let outcomes = state::check(self.course, self.checker, exercises)?;
        let after = match next_after(&outcomes, index) {
            Some(next) => After::NextIs(next),
            None => {
                self.screen
                    .say(&format!("\n{}", report::finished(exercises, &outcomes)));
                After::AllDone
            }
        };
        self.footer(exercise, after);
        Ok(after)
    }

    /// What the learner can do now: save to check again, or the keys.
    fn footer(&mut self, exercise: &Exercise, after: After) {
        let text = match after {
            After::Stay => format!(
                "\nWatching {}: save a file there to check again.\n{}",
                exercise.dir.display(),
                self.keys()
            ),
            After::NextIs(next) => {
                let next = &self.course.exercises()[next];
                format!(
                    "\nPress n for the next exercise: {} — {}.\n{}",
                    next.name,
                    next.title,
                    self.keys()
                )
            }
            After::AllDone => return,
        };
        self.screen.say(&text);
    }

    fn keys(&self) -> &'static str {
        if self.screen.raw() { KEYS } else { LINES }
    }

    /// The next thing to answer: a key that came during a check, else the
    /// next event. None when no event can come any more.
    fn next_event(&mut self) -> Option<Event> {
        self.pending.pop_front().or_else(|| self.events.recv().ok())
    }

    /// Checks `exercise` until a check saw its files as they still are. A
    /// verdict on files saved again during the check is stale: it is not
    /// shown, and the check runs again at once. None if the learner quit
    /// meanwhile.
    fn check_fresh(&mut self, exercise: &Exercise) -> anyhow::Result<Option<Outcome>> {
        let root = self.course.root();
        loop {
            let checked = fingerprint::files(root, exercise);
            let outcome = self.check_one(exercise)?;
            // Saves are told by the files themselves, not by their events,
            // which can still be on their way: drop the events first, then
            // compare, and a save after that sends events of its own.
            if !self.drop_changes() {
                return Ok(None);
            }
            if fingerprint::files(root, exercise) == checked {
                return Ok(Some(outcome));
            }
            self.screen.say(&format!(
                "{} changed during the check: checking again…",
                exercise.dir.display()
            ));
            if !self.settle() {
                return Ok(None);
            }
        }
    }

    fn check_one(&self, exercise: &Exercise) -> anyhow::Result<Outcome> {
        state::recheck(self.course, self.checker, std::slice::from_ref(exercise))?
            .pop()
            .context("the check returned no verdict: run `cargo run -- verify` to see why")
    }

    /// Drops the change events that came so far and keeps the keys for later.
    /// False if one of them was quit.
    fn drop_changes(&mut self) -> bool {
        while let Ok(event) = self.events.try_recv() {
            match event {
                Event::Changed => {}
                Event::Key(Key::Quit) => return false,
                Event::Key(_) => self.pending.push_back(event),
            }
        }
        true
    }

    /// Waits until changes stop for [`SETTLE`], at most [`SETTLE_AT_MOST`] in
    /// all; keys that come meanwhile wait their turn. False if the learner
    /// quit meanwhile.
    fn settle(&mut self) -> bool {
        let start = Instant::now();
        loop {
            let left = SETTLE_AT_MOST.saturating_sub(start.elapsed());
            if left.is_zero() {
                return true;
            }
            match self.events.recv_timeout(SETTLE.min(left)) {
                Ok(Event::Key(Key::Quit)) => return false,
                Ok(Event::Changed) => {}
                Ok(event) => self.pending.push_back(event),
                Err(RecvTimeoutError::Timeout) => return true,
                Err(RecvTimeoutError::Disconnected) => return false,
            }
        }
    }
}

/// The exercise `n` leads to: the first after `index` that needs work, else
/// the first before it (one the learner broke again, or skipped past).
fn next_after(outcomes: &[Outcome], index: usize) -> Option<usize> {
    let later = outcomes.iter().enumerate().skip(index + 1);
    let earlier = outcomes.iter().enumerate().take(index);
    later
        .chain(earlier)
        .find(|(_, outcome)| outcome.needs_work())
        .map(|(next, _)| next)
}

/// Sends [`Event::Changed`] for edits under `dir`, ignoring build output and
/// hidden or backup files.
fn watch_dir(dir: &Path, sender: Sender<Event>) -> anyhow::Result<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let edits = matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
        ) && !matches!(
            event.kind,
            EventKind::Modify(notify::event::ModifyKind::Metadata(_))
        );
        if edits && event.paths.iter().any(|path| counts(path)) {
            let _ = sender.send(Event::Changed);
        }
    })
    .context(WATCH_FAILED)?;
    watcher
        .watch(dir, RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}. {WATCH_FAILED}", dir.display()))?;
    Ok(watcher)
}

/// False for files an edit of the exercise does not touch.
fn counts(path: &Path) -> bool {
    !path.components().any(|part| part.as_os_str() == "target")
        && path
            .file_name()
            .and_then(|name| name.to_str())
            .is_none_or(|name| !name.starts_with('.') && !name.ends_with('~'))
}

const KEYS: &str = "Keys: h hint · n next · r check again · l list · q quit";

const LINES: &str = "Type a letter and Enter: h hint, n next, r (or just Enter) check again, \
                     l list, q quit.";

const NOT_YET: &str = "does not pass yet, so there is no next exercise to go to. Save a fix, \
                       or pick one with `cargo run -- watch NAME`.";

const WATCH_FAILED: &str = "Watching files failed on this machine. Check by hand instead: \
                            `cargo run -- verify NAME` after each change.";

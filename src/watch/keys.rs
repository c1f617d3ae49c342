//! What the learner types: single keys where stdin is a terminal in raw mode,
//! whole lines otherwise (a pipe, a test, a terminal that refused raw mode).

use super::Event;
use crossterm::event::{self as term, KeyCode, KeyEventKind, KeyModifiers};
use std::io::BufRead;
use std::sync::mpsc::Sender;
use std::thread;

/// A command of watch mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Hint,
    Next,
    Rerun,
    List,
    Quit,
    /// Anything else: watch answers with the list of keys.
    Other,
}

impl Key {
    /// The command a typed word or letter stands for.
    fn from_word(word: &str) -> Key {
        match word.trim() {
            "h" | "hint" => Key::Hint,
            "n" | "next" => Key::Next,
            "" | "r" | "run" => Key::Rerun,
            "l" | "list" => Key::List,
            "q" | "quit" | "exit" => Key::Quit,
            _ => Key::Other,
        }
    }
}

/// Forwards the learner's commands as [`Event::Key`], on a thread of its own:
/// single key presses when `raw`, else one line at a time until end of input.
pub fn read(sender: Sender<Event>, raw: bool) {
    if raw {
        thread::spawn(move || read_keys(&sender));
    } else {
        thread::spawn(move || read_lines(&sender));
    }
}

fn read_keys(sender: &Sender<Event>) {
    // An error here means the terminal went away: nothing more will come.
    while let Ok(event) = term::read() {
        let term::Event::Key(key) = event else {
            continue;
        };
        if key.kind != KeyEventKind::Press {
            continue;
        }
        let command = match key.code {
            // Raw mode turns Ctrl-C into a key press instead of a signal.
            KeyCode::Char('c' | 'd') if key.modifiers.contains(KeyModifiers::CONTROL) => Key::Quit,
            KeyCode::Char(letter) => Key::from_word(&letter.to_lowercase().to_string()),
            KeyCode::Enter => Key::Rerun,
            KeyCode::Esc => Key::Quit,
            _ => continue,
        };
        if sender.send(Event::Key(command)).is_err() {
            break;
        }
    }
}

fn read_lines(sender: &Sender<Event>) {
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if sender.send(Event::Key(Key::from_word(&line))).is_err() {
            break;
        }
    }
}

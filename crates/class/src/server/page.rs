//! The instructor's page, made on the server: every name a learner chose is
//! escaped here, in one function, and the page's script only swaps in the
//! table this module renders. The script and the style are files of their
//! own, so the Content-Security-Policy can forbid inline script outright.

use super::board::View;
use std::fmt::Write as _;

/// Text made safe for HTML, in an element or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut safe = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => safe.push_str("&amp;"),
            '<' => safe.push_str("&lt;"),
            '>' => safe.push_str("&gt;"),
            '"' => safe.push_str("&quot;"),
            '\'' => safe.push_str("&#39;"),
            c => safe.push(c),
        }
    }
    safe
}

/// The whole page, with the table as it is now.
pub fn page(view: &View) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>restlings class dashboard</title>\n\
         <link rel=\"stylesheet\" href=\"/dashboard.css\">\n\
         <script src=\"/dashboard.js\" defer></script>\n</head>\n<body>\n\
         <h1>Class dashboard</h1>\n\
         <p class=\"note\">Updated every {POLL_SECS} s. <span id=\"status\"></span></p>\n\
         <div id=\"board\">{}</div>\n</body>\n</html>\n",
        fragment(view)
    )
}

/// How often the page asks for the table again.
pub const POLL_SECS: u64 = 3;

/// The table and the common failures: what the page polls for.
pub fn fragment(view: &View) -> String {
    let mut html = String::new();
    let _ = writeln!(
        html,
        "<p id=\"summary\">{} learners, {} stuck for {} min or more on one problem. {} reports \
         received.</p>",
        view.learners.len(),
        view.learners.iter().filter(|row| row.stuck).count(),
        view.stuck_minutes,
        view.received
    );
    if view.learners.is_empty() {
        html.push_str(
            "<p id=\"empty\">No learner has reported yet. They join with <code>cargo run -- \
             class join</code>, and report after each check.</p>\n",
        );
        return html;
    }
    html.push_str("<table id=\"learners\">\n<thead><tr><th>Learner</th><th>Passes</th>");
    for chapter in &view.chapters {
        let _ = write!(html, "<th>{}</th>", escape(chapter));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in &view.learners {
        let _ = write!(
            html,
            "<tr data-learner=\"{}\"{}><th>{}{}</th><td>{}/{}</td>",
            escape(&row.learner),
            if row.stuck { " class=\"stuck\"" } else { "" },
            escape(&row.name),
            if row.stuck {
                " <span class=\"flag\">stuck</span>"
            } else {
                ""
            },
            row.passes,
            view.chapters.len()
        );
        for chapter in &view.chapters {
            let Some(cell) = row.cells.get(chapter) else {
                html.push_str("<td class=\"unchecked\">·</td>");
                continue;
            };
            let mut title = cell.label.to_owned();
            if let Some(test) = &cell.first_failing {
                let _ = write!(title, ": {test}");
            }
            if let Some(secs) = cell.same_for_secs {
                let _ = write!(title, " (for {} min)", secs / 60);
            }
            let _ = write!(
                html,
                "<td class=\"{}{}\" data-status=\"{}\" title=\"{}\">{}</td>",
                css_class(cell.label),
                if cell.stuck { " stuck" } else { "" },
                cell.label,
                escape(&title),
                escape(&mark(cell))
            );
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
    if !view.common_failures.is_empty() {
        html.push_str("<h2>Most common failing tests</h2>\n<dl id=\"common\">\n");
        for (chapter, tests) in &view.common_failures {
            let _ = write!(html, "<dt>{}</dt>", escape(chapter));
            for test in tests {
                let _ = write!(
                    html,
                    "<dd><code>{}</code>: {} learner{}</dd>",
                    escape(&test.test),
                    test.learners,
                    if test.learners == 1 { "" } else { "s" }
                );
            }
            html.push('\n');
        }
        html.push_str("</dl>\n");
    }
    html
}

fn css_class(label: &str) -> String {
    label.replace(' ', "-")
}

/// The cell's text: the runner's mark, and the minutes when stuck.
fn mark(cell: &super::board::Cell) -> String {
    let mark = match cell.status {
        crate::wire::Status::Passes => "✓",
        crate::wire::Status::Fails => "✗",
        crate::wire::Status::DoesNotCompile => "!",
        crate::wire::Status::TimedOut => "⏱",
        crate::wire::Status::Skipped => "–",
    };
    match (cell.stuck, cell.same_for_secs) {
        (true, Some(secs)) => format!("{mark} {} min", secs / 60),
        _ => mark.to_owned(),
    }
}

/// Asks for the table every few seconds with the page's own token, and
/// swaps it in. The HTML comes escaped from the server.
pub const SCRIPT: &str = r#""use strict";
(function () {
  const token = new URLSearchParams(window.location.search).get("token") || "";
  const board = document.getElementById("board");
  const status = document.getElementById("status");
  async function refresh() {
    try {
      const response = await fetch("/board?token=" + encodeURIComponent(token), {
        cache: "no-store",
      });
      if (!response.ok) {
        status.textContent = "The dashboard answered " + response.status + ".";
        return;
      }
      board.innerHTML = await response.text();
      status.textContent = "Last update " + new Date().toLocaleTimeString() + ".";
    } catch (error) {
      status.textContent = "The dashboard is not answering; trying again.";
    }
  }
  window.setInterval(refresh, POLL_MS);
})();
"#;

/// The page's look: a table that stays readable on a projector.
pub const STYLE: &str = r#"body { font-family: system-ui, sans-serif; margin: 1.5rem; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: center; }
tbody th { text-align: left; }
td.passes { background: #dff5df; }
td.fails, td.timed-out { background: #fde2e2; }
td.does-not-compile { background: #fff1c9; }
td.skipped, td.unchecked { color: #888; }
tr.stuck th, td.stuck { outline: 3px solid #c00; }
.flag { color: #fff; background: #c00; border-radius: 0.3rem; padding: 0 0.3rem; font-size: 0.8em; }
.note { color: #555; }
"#;

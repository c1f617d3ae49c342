//! The endpoint table, and the failures written out in full under it.

use std::fmt::Write as _;
use std::path::Path;

use console::style;

use crate::deploy::probe::Row;

/// One line per endpoint: method, path, the two statuses and the verdict.
pub fn render(rows: &[Row]) -> String {
    let path_width = rows
        .iter()
        .map(|row| row.path.len())
        .max()
        .unwrap_or(0)
        .max("PATH".len());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  {:<7} {:<path_width$}  {:<6}  {:<8}  RESULT",
        "METHOD", "PATH", "NO KEY", "WITH KEY"
    );
    for row in rows {
        let with_key = row
            .with_key
            .as_ref()
            .map_or("-".to_owned(), |answer| answer.short());
        let result = match &row.problem {
            None => style("ok".to_owned()).green(),
            Some(_) => style("FAIL".to_owned()).red().bold(),
        };
        let _ = writeln!(
            out,
            "  {:<7} {:<path_width$}  {:<6}  {:<8}  {result}",
            row.method,
            row.path,
            row.without_key.short(),
            with_key
        );
    }
    out
}

/// Each failed row as `file:line: METHOD path: what is wrong`.
pub fn failures(rows: &[Row], manifest: &Path) -> Vec<String> {
    rows.iter()
        .filter_map(|row| {
            let problem = row.problem.as_ref()?;
            let place = match row.at {
                Some(at) => format!("{}:{}", manifest.display(), at.line),
                None => format!("{} (health)", manifest.display()),
            };
            Some(format!("  {place}: {} {}: {problem}", row.method, row.path))
        })
        .collect()
}

//! From TOML text to a [`Manifest`]: serde reads the shape and keeps every
//! value's span, then [`rules`] judge each value and say where it is.
//!
//! The fields are read as `toml::Value`s, not as `u16` or `String`: a value of
//! the wrong type then becomes one of our problems, with the field's name and
//! the accepted values, instead of serde's generic "invalid type".
//!
//! Unknown fields are not serde's `deny_unknown_fields`, which stops at the
//! first one: the keys are read once more, with their spans, and each unknown
//! one is a problem like the others, so that one run reports every mistake.

use std::ops::Range;

use serde::Deserialize;
use toml::de::{DeTable, DeValue};
use toml::{Spanned, Value};

use crate::rules;
use crate::{Endpoint, EnvVar, Location, Manifest, Problem};

#[derive(Deserialize)]
struct RawManifest {
    image: Option<Spanned<Value>>,
    binary: Option<Spanned<Value>>,
    port: Option<Spanned<Value>>,
    health: Option<Spanned<Value>>,
    env: Option<Spanned<Vec<Spanned<Value>>>>,
    endpoints: Option<Spanned<Vec<Spanned<RawEndpoint>>>>,
    stack: Option<Spanned<Value>>,
}

#[derive(Deserialize)]
struct RawEndpoint {
    method: Option<Spanned<Value>>,
    path: Option<Spanned<Value>>,
}

/// The fields of a manifest, and of one of its `[[endpoints]]`.
const FIELDS: [&str; 7] = [
    "image",
    "binary",
    "port",
    "health",
    "env",
    "endpoints",
    "stack",
];
const ENDPOINT_FIELDS: [&str; 2] = ["method", "path"];

/// What every missing field is for, so the problem can say what to write.
const MISSING: [(&str, &str); 6] = [
    (
        "image",
        "add `image = \"name:tag\"`, the container image to run",
    ),
    (
        "binary",
        "add `binary = \"name\"`, the binary target to run without a container engine",
    ),
    ("port", "add `port = 8080`, the port the service listens on"),
    (
        "health",
        "add `health = \"/health\"`, the path a load balancer probes",
    ),
    (
        "env",
        "add `env = [\"API_KEY\"]`, the variables the service reads (or `env = []`)",
    ),
    (
        "endpoints",
        "add one `[[endpoints]]` table per endpoint, with `method` and `path`",
    ),
];

/// Collects the problems of one manifest, each with its location.
struct Problems<'t> {
    text: &'t str,
    found: Vec<Problem>,
}

impl Problems<'_> {
    fn at(&self, span: Range<usize>) -> Location {
        Location::of_offset(self.text, span.start)
    }

    fn push(&mut self, span: Range<usize>, field: impl Into<String>, message: impl Into<String>) {
        let at = self.at(span);
        self.found.push(Problem {
            at,
            field: field.into(),
            message: message.into(),
        });
    }
}

pub(crate) fn parse(text: &str) -> Result<Manifest, Vec<Problem>> {
    let raw: RawManifest =
        toml::from_str(text).map_err(|error| vec![syntax_problem(text, &error)])?;
    let mut problems = Problems {
        text,
        found: Vec::new(),
    };
    for (field, what) in MISSING {
        let present = match field {
            "image" => raw.image.is_some(),
            "binary" => raw.binary.is_some(),
            "port" => raw.port.is_some(),
            "health" => raw.health.is_some(),
            "env" => raw.env.is_some(),
            _ => raw.endpoints.is_some(),
        };
        if !present {
            problems.push(0..0, field, format!("missing: {what}"));
        }
    }
    unknown_fields(&mut problems);

    let image = check(&mut problems, raw.image, "image", rules::image);
    let binary = check(&mut problems, raw.binary, "binary", rules::binary);
    let port = check(&mut problems, raw.port, "port", rules::port);
    let health = check(&mut problems, raw.health, "health", rules::health);
    // Optional: only a manifest deployed on an orchestrator names one.
    let stack = check(&mut problems, raw.stack, "stack", rules::stack);
    let env = raw
        .env
        .map(|env| env_vars(&mut problems, env))
        .unwrap_or_default();
    let endpoints = raw
        .endpoints
        .map(|list| endpoints(&mut problems, list))
        .unwrap_or_default();

    match (image, binary, port, health) {
        (Some(image), Some(binary), Some(port), Some(health)) if problems.found.is_empty() => {
            Ok(Manifest {
                image,
                binary,
                port,
                health,
                env,
                endpoints,
                stack,
            })
        }
        _ => {
            problems
                .found
                .sort_by_key(|problem| (problem.at.line, problem.at.column));
            Err(problems.found)
        }
    }
}

/// Runs `rule` on a field that is present; records its complaint.
fn check<T>(
    problems: &mut Problems<'_>,
    value: Option<Spanned<Value>>,
    field: &str,
    rule: fn(&Value) -> Result<T, String>,
) -> Option<T> {
    let value = value?;
    match rule(value.get_ref()) {
        Ok(checked) => Some(checked),
        Err(message) => {
            problems.push(value.span(), field, message);
            None
        }
    }
}

fn env_vars(problems: &mut Problems<'_>, env: Spanned<Vec<Spanned<Value>>>) -> Vec<EnvVar> {
    let mut vars: Vec<EnvVar> = Vec::new();
    for (index, value) in env.into_inner().into_iter().enumerate() {
        let field = format!("env[{index}]");
        let span = value.span();
        let Some(name) = check(problems, Some(value), &field, rules::env_name) else {
            continue;
        };
        if vars.iter().any(|var| var.name == name) {
            problems.push(span, field, format!("{name} is listed twice: keep one"));
            continue;
        }
        let at = problems.at(span);
        vars.push(EnvVar { name, at });
    }
    vars
}

fn endpoints(
    problems: &mut Problems<'_>,
    list: Spanned<Vec<Spanned<RawEndpoint>>>,
) -> Vec<Endpoint> {
    let list_span = list.span();
    let list = list.into_inner();
    if list.is_empty() {
        problems.push(
            list_span,
            "endpoints",
            "no endpoints: declare each one the service exposes as an `[[endpoints]]` table",
        );
    }
    let mut checked: Vec<Endpoint> = Vec::new();
    for (index, endpoint) in list.into_iter().enumerate() {
        let table_span = endpoint.span();
        let endpoint = endpoint.into_inner();
        let field = |name: &str| format!("endpoints[{index}].{name}");
        for (name, present) in [
            ("method", endpoint.method.is_some()),
            ("path", endpoint.path.is_some()),
        ] {
            if !present {
                let example = if name == "method" {
                    "method = \"GET\""
                } else {
                    "path = \"/products\""
                };
                problems.push(
                    table_span.clone(),
                    field(name),
                    format!("missing: add `{example}`"),
                );
            }
        }
        let method = check(problems, endpoint.method, &field("method"), rules::method);
        let path = check(problems, endpoint.path, &field("path"), rules::path);
        let (Some(method), Some(path)) = (method, path) else {
            continue;
        };
        if checked
            .iter()
            .any(|seen| seen.method == method && seen.path == path)
        {
            problems.push(
                table_span,
                format!("endpoints[{index}]"),
                format!("{method} {path} is declared twice: keep one"),
            );
            continue;
        }
        let at = problems.at(table_span);
        checked.push(Endpoint { method, path, at });
    }
    checked
}

/// Every key the manifest does not know, at the top and in each endpoint.
/// The text has parsed already, so reading its keys again cannot fail.
fn unknown_fields(problems: &mut Problems<'_>) {
    let Ok(document) = DeTable::parse(problems.text) else {
        return;
    };
    let mut unknown = Vec::new();
    for (key, value) in document.get_ref() {
        let name = key.get_ref().as_ref();
        if !FIELDS.contains(&name) {
            unknown.push((key.span(), name.to_owned(), "a manifest", &FIELDS[..]));
        }
        let (Some(DeValue::Array(list)), "endpoints") = (Some(value.get_ref()), name) else {
            continue;
        };
        for (index, endpoint) in list.iter().enumerate() {
            let DeValue::Table(table) = endpoint.get_ref() else {
                continue;
            };
            for key in table.keys() {
                let field = key.get_ref().as_ref();
                if !ENDPOINT_FIELDS.contains(&field) {
                    let path = format!("endpoints[{index}].{field}");
                    unknown.push((key.span(), path, "an endpoint", &ENDPOINT_FIELDS[..]));
                }
            }
        }
    }
    for (span, field, holder, known) in unknown {
        let message = format!(
            "unknown field: {holder} has only the fields {}. Check the spelling, or remove it",
            known.join(", ")
        );
        problems.push(span, field, message);
    }
}

/// A problem serde or the TOML parser found: bad syntax, or a table where a
/// list belongs. The field is the key on the line it points at.
fn syntax_problem(text: &str, error: &toml::de::Error) -> Problem {
    let span = error.span().unwrap_or(0..0);
    let at = Location::of_offset(text, span.start);
    let line = text
        .lines()
        .nth(at.line.saturating_sub(1))
        .unwrap_or_default();
    let field = key_of_line(line).unwrap_or_else(|| "(file)".to_owned());
    let message = error.message().trim().replace('\n', "; ");
    Problem {
        at,
        field,
        message: format!(
            "{message}. Fix the TOML at this spot; the chapter's deploy.toml shows every field"
        ),
    }
}

/// `port` in `port = "8080"`, `endpoints` in `[[endpoints]]`.
fn key_of_line(line: &str) -> Option<String> {
    let line = line.trim();
    let key = match line.split_once('=') {
        Some((key, _)) => key,
        None => line.trim_start_matches('[').trim_end_matches(']'),
    };
    let key = key.trim().trim_matches('"');
    let looks_like_a_key = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    looks_like_a_key.then(|| key.to_owned())
}

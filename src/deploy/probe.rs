//! The checks: each declared endpoint called without the key and with it,
//! and a verdict for each.

use std::time::Duration;

use deploy_manifest::{Location, Manifest, Probe};

/// What one request got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Status {
        code: u16,
        challenge: Option<String>,
    },
    NoAnswer(String),
}

impl Answer {
    /// For the table: `401`, or `none`.
    pub fn short(&self) -> String {
        match self {
            Answer::Status { code, .. } => code.to_string(),
            Answer::NoAnswer(_) => "none".to_owned(),
        }
    }
}

/// One row of the table: an endpoint, what it answered, and the verdict.
pub struct Row {
    pub method: String,
    pub path: String,
    pub at: Option<Location>,
    pub without_key: Answer,
    pub with_key: Option<Answer>,
    /// `None` when every check passed, else what is wrong and what to do.
    pub problem: Option<String>,
}

/// Sends every probe of `manifest`, in the manifest's probe order.
pub fn check_all(base_url: &str, manifest: &Manifest, api_key: Option<&str>) -> Vec<Row> {
    let agent = agent(Duration::from_secs(5));
    manifest
        .probes()
        .iter()
        .map(|probe| check(&agent, base_url, probe, api_key))
        .collect()
}

fn check(agent: &ureq::Agent, base_url: &str, probe: &Probe<'_>, api_key: Option<&str>) -> Row {
    let without_key = send(agent, base_url, probe, None);
    let with_key = match api_key {
        Some(key) if !probe.open => Some(send(agent, base_url, probe, Some(key))),
        _ => None,
    };
    let problem = judge(probe, api_key.is_some(), &without_key, with_key.as_ref());
    Row {
        method: probe.method.to_owned(),
        path: probe.declared.to_owned(),
        at: probe.at,
        without_key,
        with_key,
        problem,
    }
}

/// The rules of the chapter, one answer at a time.
fn judge(
    probe: &Probe<'_>,
    keyed: bool,
    without_key: &Answer,
    with_key: Option<&Answer>,
) -> Option<String> {
    if probe.open {
        return match without_key {
            Answer::Status { code, .. } if (200..300).contains(code) => None,
            other => Some(format!(
                "the health check must answer 2xx without credentials, since load balancers and \
                 orchestrators probe it with none; it answered {}",
                describe(other)
            )),
        };
    }
    if keyed {
        match without_key {
            Answer::Status {
                code: 401,
                challenge,
            } if challenge.as_deref().is_some_and(|value| {
                value
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("bearer")
            }) => {}
            Answer::Status { code: 401, .. } => {
                return Some(
                    "without the key it answers 401 but without `WWW-Authenticate: Bearer`: RFC 9110 \
                     §11.6.1 requires the challenge, so clients know which credentials to send"
                        .to_owned(),
                );
            }
            other => {
                return Some(format!(
                    "without the key it answered {}, so anyone can call it: it must answer 401 \
                     with `WWW-Authenticate: Bearer`",
                    describe(other)
                ));
            }
        }
    }
    let routed = with_key.unwrap_or(without_key);
    let with = if keyed { "with the key" } else { "called" };
    match routed {
        Answer::Status { code: 404, .. } => Some(format!(
            "{with} it answered 404: the service has no route for {}. Add the route, or remove \
             the endpoint from the manifest{}",
            probe.path,
            if probe.path == probe.declared {
                ""
            } else {
                PLACEHOLDER_NOTE
            }
        )),
        Answer::Status { code: 405, .. } => Some(format!(
            "{with} it answered 405: the path exists but not with {}. Add the method, or fix the \
             manifest",
            probe.method
        )),
        Answer::Status { code, .. } if *code >= 500 => Some(format!(
            "{with} it answered {code}: the service failed; its output is below"
        )),
        Answer::NoAnswer(error) => Some(format!("{with} it never answered: {error}")),
        Answer::Status { .. } => None,
    }
}

fn describe(answer: &Answer) -> String {
    match answer {
        Answer::Status { code, .. } => code.to_string(),
        Answer::NoAnswer(error) => format!("nothing ({error})"),
    }
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        // 4xx and 5xx are answers to look at, not errors.
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .proxy(None)
        .max_redirects(0)
        .build()
        .into()
}

fn send(agent: &ureq::Agent, base_url: &str, probe: &Probe<'_>, key: Option<&str>) -> Answer {
    let mut request = ureq::http::Request::builder()
        .method(probe.method)
        .uri(format!("{base_url}{}", probe.path));
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    let request = match request.body(()) {
        Ok(request) => request,
        Err(error) => return Answer::NoAnswer(format!("the request could not be built: {error}")),
    };
    match agent.run(request) {
        Ok(response) => Answer::Status {
            code: response.status().as_u16(),
            challenge: response
                .headers()
                .get("www-authenticate")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
        },
        Err(error) => Answer::NoAnswer(error.to_string()),
    }
}

/// The status of `GET path`, for the health wait.
pub fn status(base_url: &str, path: &str) -> Result<u16, String> {
    let agent = agent(Duration::from_secs(2));
    match agent.get(format!("{base_url}{path}")).call() {
        Ok(response) => Ok(response.status().as_u16()),
        Err(error) => Err(error.to_string()),
    }
}

const PLACEHOLDER_NOTE: &str = " (placeholders are filled with 0, an id no resource has: the \
                                course's services answer it with 400, since ids are positive \
                                integers, and a missing route with 404)";

//! The kit's failure reports, checked end to end: each broken server gets the
//! diagnosis a learner needs, not a bare "connection reset".

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use kit::{StatusCode, TestApp};

/// Runs `check` and returns the message it panicked with.
async fn failure_of<F>(check: F) -> String
where
    F: Future<Output = ()> + Send + 'static,
{
    let outcome = tokio::spawn(check).await;
    let Err(error) = outcome else {
        panic!("the check was expected to fail, and it passed");
    };
    let payload = error.into_panic();
    if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else {
        String::from("<a panic without text>")
    }
}

fn assert_mentions(report: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            report.contains(needle),
            "the report should mention {needle:?}; it was:\n{report}"
        );
    }
}

#[tokio::test]
async fn a_todo_in_a_handler_is_reported_as_the_spot_to_write_next() {
    async fn unfinished() -> &'static str {
        todo!("return the health JSON")
    }
    let app = TestApp::spawn(
        || Router::new().route("/health", get(unfinished)),
        "02_endpoints",
    )
    .await;

    let report = failure_of(async move {
        app.get("/health")
            .await
            .expect_status(StatusCode::OK, "Health answers 200.");
    })
    .await;

    assert_mentions(
        &report,
        &[
            "Your handler panicked: not yet implemented: return the health JSON",
            "Expected: status 200 OK",
            "Got:      status 500 Internal Server Error",
            "Why: Health answers 200.",
            "curl -i -X GET 'http://127.0.0.1:",
            "Read: book/src/02_endpoints.md",
        ],
    );
}

#[tokio::test]
async fn a_handler_that_never_answers_is_diagnosed_as_stuck_after_the_timeout() {
    async fn stuck() -> &'static str {
        std::future::pending::<()>().await;
        "never"
    }
    let app = TestApp::spawn(|| Router::new().route("/slow", get(stuck)), "02_endpoints")
        .await
        .with_timeout(Duration::from_millis(300));

    let report = failure_of(async move {
        app.get("/slow").await;
    })
    .await;

    assert_mentions(
        &report,
        &[
            "did not answer within",
            "stuck in a loop",
            "deadlock",
            "GET /slow",
        ],
    );
}

#[tokio::test]
async fn a_handler_that_blocks_its_thread_still_gets_a_timeout_not_a_frozen_test() {
    async fn spin() -> &'static str {
        // A blocking loop starves the server's runtime; the client runs elsewhere.
        std::thread::sleep(Duration::from_secs(3));
        "late"
    }
    let app = TestApp::spawn(|| Router::new().route("/spin", get(spin)), "02_endpoints")
        .await
        .with_timeout(Duration::from_millis(300));

    let report = failure_of(async move {
        app.get("/spin").await;
    })
    .await;

    assert_mentions(&report, &["did not answer within"]);
}

#[tokio::test]
async fn a_server_that_is_not_running_is_diagnosed_as_refused() {
    // A port nothing listens on.
    let port = kit::free_port();
    let app = TestApp::connect(&format!("http://127.0.0.1:{port}"), "03_get");

    let report = failure_of(async move {
        app.get("/products").await;
    })
    .await;

    assert_mentions(
        &report,
        &[
            "Nothing accepted the connection",
            "Is your server running",
            "RESTLINGS_BASE_URL",
        ],
    );
}

#[tokio::test]
async fn a_json_mismatch_shows_both_values() {
    let app = TestApp::spawn(
        || {
            Router::new().route(
                "/health",
                get(|| async { axum::Json(kit::json!({"status": "down"})) }),
            )
        },
        "02_endpoints",
    )
    .await;

    let report = failure_of(async move {
        app.get("/health")
            .await
            .expect_json(&kit::json!({"status": "ok"}), "Health says ok.");
    })
    .await;

    assert_mentions(
        &report,
        &["\"ok\"", "\"down\"", "content-type: application/json"],
    );
}

/// A server whose 201 answers `Location: <origin><path>`, its own origin
/// included when `absolute`.
async fn created_at(path: &'static str, absolute: bool) -> TestApp {
    use axum::extract::Request;
    use axum::http::header;
    use axum::response::IntoResponse;
    let answer = move |request: Request| async move {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let location = if absolute {
            format!("http://{host}{path}")
        } else {
            path.to_owned()
        };
        (StatusCode::CREATED, [(header::LOCATION, location)]).into_response()
    };
    TestApp::spawn(
        || Router::new().route("/things", axum::routing::post(answer)),
        "04_post",
    )
    .await
}

#[tokio::test]
async fn a_location_may_be_relative_or_an_absolute_url_on_the_same_server() {
    for absolute in [false, true] {
        let app = created_at("/things/7", absolute).await;
        let res = app.post_json("/things", &kit::json!({})).await;
        assert_eq!(
            res.location().as_deref(),
            Some("/things/7"),
            "RFC 9110 §10.2.2 allows both forms, so both resolve to the path (absolute: {absolute})"
        );
        res.expect_location("/things/7", "Both forms name the same resource.");
    }
}

#[tokio::test]
async fn a_wrong_location_is_reported_with_what_was_there() {
    let app = created_at("/things", true).await;
    let report = failure_of(async move {
        app.post_json("/things", &kit::json!({}))
            .await
            .expect_location("/things/7", "The Location names the new thing.");
    })
    .await;
    assert_mentions(
        &report,
        &[
            "Expected: header location: /things/7",
            "Got:      header location: http://127.0.0.1:",
            "/things\n",
        ],
    );
}

/// Set in the child process of the test below, which then fails on purpose.
const INNER: &str = "KIT_REPORTS_INNER_FAILURE";

#[tokio::test]
async fn a_failure_report_has_no_backtrace_even_with_rust_backtrace_set() {
    async fn unfinished() -> &'static str {
        todo!("return the health JSON")
    }
    if std::env::var_os(INNER).is_some() {
        let app = TestApp::spawn(
            || Router::new().route("/health", get(unfinished)),
            "02_endpoints",
        )
        .await;
        app.get("/health")
            .await
            .expect_status(StatusCode::OK, "Health answers 200.");
        return;
    }
    // Run this very test again in a child process, with RUST_BACKTRACE=1,
    // as many learners have it, and read what a learner would read.
    let exe = std::env::current_exe().expect("the test binary knows its own path");
    let output = std::process::Command::new(exe)
        .args([
            "--exact",
            "a_failure_report_has_no_backtrace_even_with_rust_backtrace_set",
            "--test-threads=1",
        ])
        .env(INNER, "1")
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("the test binary runs again");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !output.status.success() && text.contains("Expected: status 200 OK"),
        "the inner run must fail with the kit's report; it printed:\n{text}"
    );
    assert!(
        !text.contains("stack backtrace"),
        "with RUST_BACKTRACE=1 the report must read as without it, with no backtrace of the \
         handler's todo!() nor of the failed check; it printed:\n{text}"
    );
    assert!(
        text.contains("panicked at crates/kit/tests/reports.rs:"),
        "the failed check must point at the test's own line, not inside the kit; it printed:\n{text}"
    );
}

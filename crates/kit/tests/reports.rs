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
            "That is a todo!(): this is the spot to write next.",
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
        text.contains(
            "thread 'a_failure_report_has_no_backtrace_even_with_rust_backtrace_set' panicked at \
             crates/kit/tests/reports.rs:"
        ) && !text.contains("panicked at crates/kit/src/"),
        "the failed check must point at the test's own line, not inside the kit; it printed:\n{text}"
    );
}

/// A server whose `PUT /things/{id}` answers 201 the first time and 200
/// after, as chapter 5's contract says, and whose `HEAD /raw` is chapter 2's.
async fn things() -> TestApp {
    use axum::extract::Path;
    use std::collections::BTreeSet;
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let put = move |Path(id): Path<u64>| async move {
        let created = seen.lock().map(|mut ids| ids.insert(id)).unwrap_or(false);
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        }
    };
    TestApp::spawn(
        || Router::new().route("/things/{id}", axum::routing::put(put)),
        "05_put",
    )
    .await
}

#[tokio::test]
async fn a_failure_after_earlier_requests_lists_them_with_their_statuses() {
    let app = things().await;
    let report = failure_of(async move {
        app.put_json("/things/5732513141", &kit::json!({"n": 1}))
            .await
            .expect_status(StatusCode::CREATED, "The first PUT creates.");
        app.put_json("/things/5732513141", &kit::json!({"n": 2}))
            .await
            .expect_status(StatusCode::CREATED, "A wrong promise, to fail on purpose.");
    })
    .await;

    assert_mentions(
        &report,
        &[
            "Before this:\n  PUT /things/5732513141 → 201 Created\n",
            "Got:      status 200 OK",
        ],
    );
}

#[tokio::test]
async fn a_first_request_that_fails_has_no_before_this_section() {
    let app = things().await;
    let report = failure_of(async move {
        app.put_json("/things/1", &kit::json!({}))
            .await
            .expect_status(StatusCode::OK, "A wrong promise, to fail on purpose.");
    })
    .await;

    assert!(
        !report.contains("Before this:"),
        "a test's first request has nothing before it to list; the report was:\n{report}"
    );
}

#[tokio::test]
async fn the_report_ends_with_every_request_of_the_test_as_curl_lines_for_serve() {
    let app = things().await;
    let report = failure_of(async move {
        app.put_json("/things/7", &kit::json!({"n": 1})).await;
        app.put_json("/things/8", &kit::json!({"n": 2})).await;
        app.put_json("/things/7", &kit::json!({"n": 3}))
            .await
            .expect_status(StatusCode::CREATED, "A wrong promise, to fail on purpose.");
    })
    .await;

    let script = [
        "`cargo run -- serve 05_put`",
        "\n  curl -i -X PUT 'http://127.0.0.1:3000/things/7' -H 'content-type: application/json' --data-binary '{\"n\":1}'\n",
        "\n  curl -i -X PUT 'http://127.0.0.1:3000/things/8' -H 'content-type: application/json' --data-binary '{\"n\":2}'\n",
        "\n  curl -i -X PUT 'http://127.0.0.1:3000/things/7' -H 'content-type: application/json' --data-binary '{\"n\":3}'  # the request that failed\n",
    ];
    assert_mentions(&report, &script);
    let positions: Vec<usize> = script.iter().filter_map(|line| report.find(line)).collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "the replay script lists the requests in the order the test sent them; it was:\n{report}"
    );
    let read = report.find("\nRead: book/src/05_put.md").unwrap_or(0);
    assert!(
        positions.iter().all(|position| *position < read),
        "the replay script comes last, just before the page to read; the report was:\n{report}"
    );
}

#[tokio::test]
async fn in_url_mode_the_replay_script_aims_at_the_tested_server() {
    let served = things().await;
    let base = served.base_url().to_owned();
    let app = TestApp::connect(&base, "05_put");
    let report = failure_of(async move {
        let _keep_the_server = served;
        app.put_json("/things/9", &kit::json!({})).await;
        app.put_json("/things/9", &kit::json!({}))
            .await
            .expect_status(StatusCode::CREATED, "A wrong promise, to fail on purpose.");
    })
    .await;

    assert_mentions(
        &report,
        &[
            &format!("  curl -i -X PUT '{base}/things/9'"),
            "against the same server",
        ],
    );
    assert!(
        !report.contains("127.0.0.1:3000") && !report.contains("cargo run -- serve"),
        "in URL mode the learner's server is the one at the base URL; the report was:\n{report}"
    );
}

#[tokio::test]
async fn a_failed_expect_names_what_was_there_not_the_response_below() {
    let app = created_at("/things", false).await;
    let report = failure_of(async move {
        let res = app.post_json("/things", &kit::json!({})).await;
        res.expect(
            res.header("etag").is_some(),
            "an ETag header",
            res.header_line("etag"),
            "A wrong promise, to fail on purpose.",
        );
    })
    .await;

    assert_mentions(
        &report,
        &["Expected: an ETag header", "Got:      no etag header"],
    );
    assert!(
        !report.contains("see the response below"),
        "Got: names what was there; the report was:\n{report}"
    );
}

#[tokio::test]
async fn a_header_line_names_the_header_and_its_value() {
    let app = created_at("/things/4/", false).await;
    let res = app.post_json("/things", &kit::json!({})).await;
    assert_eq!(
        res.header_line("Location"),
        "location: /things/4/",
        "a report's Got: line shows the header as it came, in lower case"
    );
}

#[tokio::test]
async fn a_problem_check_names_the_content_type_that_came() {
    let app = created_at("/things", false).await;
    let report = failure_of(async move {
        app.post_json("/things", &kit::json!({}))
            .await
            .expect_problem_shape();
    })
    .await;

    assert_mentions(
        &report,
        &[
            "Expected: Content-Type: application/problem+json",
            "Got:      no Content-Type header",
        ],
    );
}

#[tokio::test]
async fn a_panic_that_is_not_a_todo_is_not_called_the_spot_to_write_next() {
    async fn broken() -> &'static str {
        panic!("index out of bounds")
    }
    let app = TestApp::spawn(
        || Router::new().route("/health", get(broken)),
        "02_endpoints",
    )
    .await;

    let report = failure_of(async move {
        app.get("/health")
            .await
            .expect_status(StatusCode::OK, "Health answers 200.");
    })
    .await;

    assert_mentions(&report, &["Your handler panicked: index out of bounds"]);
    assert!(
        !report.contains("todo!()"),
        "only a todo!() is the spot to write next; a real panic is a bug to find. The report \
         was:\n{report}"
    );
}

/// A server that answers every request with `response`, byte for byte, and
/// then closes the connection.
async fn answering(response: &'static [u8]) -> TestApp {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("the test binds a loopback port");
    let addr = listener.local_addr().expect("a bound port has an address");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = [0_u8; 1024];
            let _ = stream.read(&mut request).await;
            let _ = stream.write_all(response).await;
        }
    });
    TestApp::connect(&format!("http://{addr}"), "02_endpoints")
}

#[tokio::test]
async fn a_raw_check_reads_like_every_other_check() {
    let app = answering(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok").await;
    let report = failure_of(async move {
        let Some(raw) = app.raw(kit::Method::HEAD, "/health").await else {
            panic!("an http:// server always gives a raw response");
        };
        raw.expect(
            raw.after_head.is_empty(),
            "nothing after the headers",
            format!("{} bytes after the headers", raw.after_head.len()),
            "A response to HEAD ends with its headers.",
        );
    })
    .await;

    assert_mentions(
        &report,
        &[
            "──── HEAD /health ────",
            "Expected: nothing after the headers",
            "Got:      2 bytes after the headers",
            "Why: A response to HEAD ends with its headers.",
            "Response:\n  HTTP/1.1 200 OK\n  content-length: 2\n  then 2 bytes after the headers:\n  ok",
            "curl -I 'http://127.0.0.1:",
            "Read: book/src/02_endpoints.md",
        ],
    );
}

#[tokio::test]
async fn a_request_that_gets_no_answer_still_lists_the_requests_before_it() {
    async fn stuck() -> &'static str {
        std::future::pending::<()>().await;
        "never"
    }
    let app = TestApp::spawn(
        || {
            Router::new()
                .route(
                    "/things/{id}",
                    axum::routing::put(|| async { StatusCode::CREATED }),
                )
                .route("/slow", get(stuck))
        },
        "05_put",
    )
    .await
    .with_timeout(Duration::from_millis(300));
    let report = failure_of(async move {
        app.put_json("/things/3", &kit::json!({})).await;
        app.get("/slow").await;
    })
    .await;

    assert_mentions(
        &report,
        &[
            "──── GET /slow: no answer ────\nBefore this:\n  PUT /things/3 → 201 Created\n",
            "did not answer within",
            "  curl -i -X GET 'http://127.0.0.1:3000/slow'  # the request that failed\n",
        ],
    );
}

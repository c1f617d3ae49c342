//! Chapter 2, Endpoints: the contract, checked over real HTTP.
//! Read `book/src/02_endpoints.md` for the table these tests follow.

use endpoints::app;
use kit::{StatusCode, TestApp, json};

const CHAPTER: &str = "02_endpoints";

async fn spawn() -> TestApp {
    TestApp::spawn(app, CHAPTER).await
}

#[tokio::test]
async fn get_health_answers_200_with_status_ok() {
    let app = spawn().await;

    let res = app.get("/health").await;

    res.expect_status(
        StatusCode::OK,
        "GET /health is how a load balancer or an orchestrator asks \"are you up?\". \
         A running service answers 200 OK.",
    )
    .expect_json(
        &json!({ "status": "ok" }),
        "The body is a small JSON object that says the service is fine, so that people \
         and scripts can read it, not only the status code.",
    );
}

#[tokio::test]
async fn get_health_says_its_body_is_json() {
    let app = spawn().await;

    let res = app.get("/health").await;

    let content_type = res.header("content-type").unwrap_or_default();
    res.expect(
        content_type.starts_with("application/json"),
        "Content-Type: application/json",
        res.header_line("content-type"),
        "The Content-Type header tells the client how to read the body. A JSON body \
         without it leaves the client guessing; many clients then refuse to parse it.",
    );
}

#[tokio::test]
async fn an_unknown_path_answers_404() {
    let app = spawn().await;

    for path in ["/no-such-endpoint", "/health/extra", "/HEALTH"] {
        let res = app.get(path).await;

        res.expect_status(
            StatusCode::NOT_FOUND,
            "An endpoint is a method plus a path. A path the API does not define names no \
             resource, so the answer is 404 Not Found, never 200 with an empty body. \
             Paths are case-sensitive.",
        );
    }
}

#[tokio::test]
async fn a_method_the_path_does_not_support_answers_405_with_allow() {
    let app = spawn().await;

    for method in [kit::Method::POST, kit::Method::PUT, kit::Method::DELETE] {
        let res = app.request(method.clone(), "/health").await;

        res.expect_status(
            StatusCode::METHOD_NOT_ALLOWED,
            "The path /health exists, but only for GET. A known path with an unsupported \
             method is 405 Method Not Allowed, not 404: the resource is there, the verb is not.",
        );
        let allowed = allowed_methods(&res);
        res.expect(
            allowed.iter().any(|m| m == "GET") && !allowed.iter().any(|m| *m == method.as_str()),
            format!("an Allow header that lists GET and not {method}"),
            res.header_line("allow"),
            "RFC 9110 §15.5.6: a 405 response MUST carry an Allow header listing the methods \
             the resource does support, so the client can correct its request.",
        );
    }
}

#[tokio::test]
async fn head_on_health_answers_like_get_without_a_body() {
    let app = spawn().await;

    let get = app.get("/health").await;
    let head = app.head("/health").await;

    head.expect_status(
        get.status(),
        "HEAD asks for exactly what GET would answer, minus the body (RFC 9110 §9.3.2). \
         Its status must match GET's.",
    );
    let get_type = get.header("content-type").unwrap_or_default();
    head.expect(
        head.header("content-type").unwrap_or_default() == get_type,
        format!("Content-Type: {get_type}, the same as GET"),
        head.header_line("content-type"),
        "HEAD sends the same headers GET would send, so Content-Type matches.",
    );
}

fn allowed_methods(res: &kit::Exchange) -> Vec<String> {
    res.header_all("allow")
        .iter()
        .flat_map(|value| value.split(','))
        .map(|method| method.trim().to_ascii_uppercase())
        .filter(|method| !method.is_empty())
        .collect()
}

#[tokio::test]
async fn head_sends_no_bytes_after_its_headers() {
    // An HTTP client stops reading after the headers of a HEAD response, so
    // this test reads the raw bytes from the connection instead.
    let app = spawn().await;

    let Some(raw) = app.raw(kit::Method::HEAD, "/health").await else {
        return; // An https:// server: its bytes are encrypted, nothing to read here.
    };

    raw.expect(
        raw.status() == Some(200),
        "status 200",
        format!(
            "the status line {:?}",
            raw.head.lines().next().unwrap_or_default()
        ),
        "HEAD asks for exactly what GET would answer, minus the body (RFC 9110 §9.3.2), \
         and GET /health answers 200 OK.",
    )
    .expect(
        raw.after_head.is_empty(),
        "nothing after the headers",
        format!("{} bytes after the headers", raw.after_head.len()),
        "A response to HEAD ends with its headers (RFC 9110 §9.3.2): clients use HEAD to \
         learn about a resource without downloading it. A client that reuses the \
         connection would read bytes sent after the headers as the start of its next \
         response.",
    );
}

//! Authentication over real HTTP: the health check open, everything else 401
//! with a Bearer challenge without the key or with a wrong one.

use deploy::{Config, app};
use kit::{Exchange, StatusCode, TestApp, json};

use crate::{CHAPTER, KEY, KEY_VAR, guarded_requests, url_mode};

/// The server and the key it demands: in process, the app built with `KEY`;
/// in URL mode, `RESTLINGS_API_KEY`, or `None` (the test then skips).
pub async fn guarded() -> Option<(TestApp, String)> {
    if url_mode() {
        let Some(key) = std::env::var(KEY_VAR).ok().filter(|key| !key.is_empty()) else {
            println!(
                "SKIPPED: this test needs the server's key. Start your server with API_KEY=<key> \
                 and run the tests with {KEY_VAR}=<key>."
            );
            return None;
        };
        return Some((TestApp::spawn(|| app(None), CHAPTER).await, key));
    }
    let config = Config::from_vars([("API_KEY", KEY)])
        .unwrap_or_else(|error| panic!("{KEY} is a valid key, got: {error}"));
    Some((
        TestApp::spawn(|| app(config.api_key), CHAPTER).await,
        KEY.to_owned(),
    ))
}

const CHALLENGE_WHY: &str = "RFC 9110 §11.6.1: a 401 response MUST carry a `WWW-Authenticate` \
    header saying how to authenticate. For an API key sent as `Authorization: Bearer <key>` \
    that is the Bearer scheme of RFC 6750 §3, such as `WWW-Authenticate: Bearer realm=\"shop\"`.";
const PROBLEM_WHY: &str = "Every error of this service is an RFC 9457 problem (chapter 7), a 401 \
    too: `Content-Type: application/problem+json` with a `status` of 401 and a `detail` that says \
    how to send the key.";

/// Checks a 401 with its challenge and its problem body.
pub fn expect_unauthorized(res: &Exchange, why: &str) {
    res.expect_status(StatusCode::UNAUTHORIZED, why);
    let challenge = res.header("www-authenticate").unwrap_or_default();
    res.expect(
        challenge
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("bearer"),
        "a header WWW-Authenticate: Bearer …",
        res.header_line("www-authenticate"),
        CHALLENGE_WHY,
    );
    res.expect_problem(StatusCode::UNAUTHORIZED, PROBLEM_WHY);
}

#[tokio::test]
async fn the_health_check_answers_without_a_key() {
    let Some((app, _key)) = guarded().await else {
        return;
    };

    let res = app.get("/health").await;

    res.expect_status(
        StatusCode::OK,
        "GET /health stays open when the service has a key: load balancers and orchestrators \
         call it to decide whether to send traffic or restart the service, and they hold no \
         credentials. It reveals nothing but \"up\", so it needs no protection.",
    );
}

#[tokio::test]
async fn every_other_request_without_the_key_answers_401_with_a_bearer_challenge() {
    let Some((app, _key)) = guarded().await else {
        return;
    };

    for (method, path) in guarded_requests() {
        let res = app.request(method, &path).await;

        expect_unauthorized(
            &res,
            "With API_KEY set, every request but GET /health must carry the key. Without an \
             Authorization header the answer is 401 Unauthorized (RFC 9110 §15.5.2), checked \
             before routing: even a path that does not exist answers 401, so a caller without \
             the key cannot map the API.",
        );
    }
}

/// True when a `WWW-Authenticate` value carries `error="invalid_token"`, the
/// parameter quoted or not (RFC 9110 §11.2), its name in any case.
fn says_invalid_token(challenge: &str) -> bool {
    let compact: String = challenge
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    compact.split(',').any(|param| {
        param.ends_with("error=\"invalid_token\"") || param.ends_with("error=invalid_token")
    })
}

#[tokio::test]
async fn a_wrong_key_answers_401_too() {
    let Some((app, key)) = guarded().await else {
        return;
    };
    // Bearer tokens that came but are not the key.
    let mut wrong_tokens = vec![
        "Bearer wrong-key".to_owned(),
        format!("Bearer {key}x"),
        format!("Bearer {}", &key[..key.len() - 1]),
    ];
    if key.to_ascii_uppercase() != key {
        wrong_tokens.push(format!("Bearer {}", key.to_ascii_uppercase()));
    }
    // No bearer token at all: another scheme, no scheme, or no token.
    let no_token = [format!("Basic {key}"), key.clone(), "Bearer".to_owned()];

    for header in wrong_tokens.iter().chain(&no_token) {
        let res = app.get("/products").header("authorization", header).await;

        expect_unauthorized(
            &res,
            "Only `Authorization: Bearer <the exact key>` opens the API. A different key, the \
             key with a byte more or less or in another letter case, another scheme or no \
             scheme at all is answered 401.",
        );
        if wrong_tokens.contains(header) {
            res.expect(
                says_invalid_token(res.header("www-authenticate").unwrap_or_default()),
                "a header WWW-Authenticate: Bearer …, error=\"invalid_token\"",
                res.header_line("www-authenticate"),
                "RFC 6750 §3.1: when a bearer token came and is wrong, the challenge says so \
                 with error=\"invalid_token\", so that the client knows to get another key \
                 rather than merely to send one.",
            );
        }
    }
}

#[tokio::test]
async fn the_right_key_opens_every_endpoint() {
    let Some((app, key)) = guarded().await else {
        return;
    };
    let bearer = format!("Bearer {key}");

    for (method, path) in guarded_requests()
        .into_iter()
        .filter(|(_, path)| path != "/no-such-endpoint")
    {
        let res = app
            .request(method.clone(), &path)
            .header("authorization", &bearer)
            .await;

        res.expect(
            res.status() != StatusCode::UNAUTHORIZED,
            format!("anything but 401 for {method} {path} with the right key"),
            format!("status {}", res.status()),
            "With `Authorization: Bearer <key>` the request goes through to the endpoint, which \
             answers as in chapters 2 to 8.",
        );
    }
    let res = app
        .get("/products/1")
        .header("authorization", &bearer)
        .await;
    res.expect_status(
        StatusCode::OK,
        "With the key, GET /products/1 answers the seed product, as in chapter 3.",
    );
    let res = app
        .get("/products")
        .header("authorization", &format!("bearer {key}"))
        .await;
    res.expect_status(
        StatusCode::OK,
        "The name of an authentication scheme is case-insensitive (RFC 9110 §11.1): `bearer` \
         is `Bearer`. The key itself is compared exactly.",
    );
}

#[tokio::test]
async fn two_authorization_headers_answer_400_even_when_one_holds_the_key() {
    let Some((app, key)) = guarded().await else {
        return;
    };
    let (right, wrong) = (format!("Bearer {key}"), "Bearer wrong-key".to_owned());
    let cases = [
        ("the key, then a wrong one", &right, &wrong),
        ("a wrong key, then the key", &wrong, &right),
        ("the key twice", &right, &right),
    ];

    for (what, first, second) in cases {
        let res = app
            .get("/products/1")
            .header("authorization", first)
            .header("authorization", second)
            .await;

        res.expect_problem(
            StatusCode::BAD_REQUEST,
            &format!(
                "The request carries two Authorization headers: {what}. RFC 9110 §5.3: a sender \
                 must not repeat a field that is not a list, and Authorization is not one, so \
                 the request is malformed: 400 Bad Request, RFC 6750 §3.1's invalid_request. \
                 Reading only the first (or only the last) lets a proxy that reads the other \
                 one and this service disagree on who is calling. Chapter 8 answers two \
                 Idempotency-Keys the same way: one rule for a header that must be single."
            ),
        );
    }
    let res = app.get("/products/1").header("authorization", &right).await;
    res.expect_status(
        StatusCode::OK,
        "One Authorization header with the key still opens the API.",
    );
}

#[tokio::test]
async fn without_api_key_every_endpoint_stays_open() {
    if url_mode() && std::env::var_os(KEY_VAR).is_some() {
        println!("SKIPPED: {KEY_VAR} is set, so the server in URL mode demands a key");
        return;
    }
    let app = TestApp::spawn(|| app(None), CHAPTER).await;

    let res = app.get("/products").await;

    res.expect_status(
        StatusCode::OK,
        "With API_KEY unset the service has no key to demand: it stays open, as in chapters 1 \
         to 9, so that nothing changes for a deployment that does not opt in.",
    );
    let res = app
        .post_json("/predictions", &json!({ "price_cents": 1899 }))
        .await;
    res.expect(
        res.status() != StatusCode::UNAUTHORIZED,
        "anything but 401",
        format!("status {}", res.status()),
        "With API_KEY unset no endpoint asks for credentials.",
    );
}

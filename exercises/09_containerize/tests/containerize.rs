//! Chapter 9, Containerize: the shop as an image, checked three ways, the
//! cheapest first. Read `book/src/09_containerize.md` for the contract.
//!
//! 1. Static: `Dockerfile` and `Dockerfile.dockerignore` pass the course's
//!    Dockerfile rules, the same ones `restlings dockerfile` prints.
//! 2. The runtime contract, no engine needed: the compiled binary, started
//!    with the `ENV` and `CMD` the Dockerfile declares, serves the chapters'
//!    contract, listens on every interface, refuses a bad `PORT`, and stops
//!    cleanly on SIGTERM.
//! 3. The real container, where `docker info` or `podman info` answers: build
//!    the image from the course's root, run it, run the same contract against
//!    it, remove it. Without an engine it prints `SKIPPED: …` and passes, and
//!    the runner shows the exercise as skipped, not passed.

#[path = "containerize/engine.rs"]
mod engine;
#[path = "containerize/process.rs"]
mod process;
#[path = "containerize/smoke.rs"]
mod smoke;

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use containerize::{ConfigError, DEFAULT_PORT, Timeouts, port};
use dockerfile_rules::{CheckError, Options, Report, RunSpec};
use kit::TestApp;
use process::{Bound, Server};

const CHAPTER: &str = "09_containerize";
const BOOK: &str = "book/src/09_containerize.md";

/// This crate's folder: the exercise's, or the solution's when it runs these tests.
fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The build context: the course's root, which is the Cargo workspace.
fn course_root() -> PathBuf {
    let root = crate_dir().join("../..");
    std::fs::canonicalize(&root).unwrap_or(root)
}

/// The binary cargo built from `src/main.rs`, named after the package.
fn binary() -> PathBuf {
    PathBuf::from(env!(concat!("CARGO_BIN_EXE_", env!("CARGO_PKG_NAME"))))
}

fn dockerfile_path() -> PathBuf {
    crate_dir().join("Dockerfile")
}

fn dockerfile() -> String {
    let path = dockerfile_path();
    std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read {}: {error}. The chapter's Dockerfile lives beside Cargo.toml.",
            path.display()
        )
    })
}

/// The Dockerfile's findings, judged with the ignore file Docker uses when it
/// builds from the course's root: `Dockerfile.dockerignore` beside the
/// Dockerfile, else the root's `.dockerignore`.
fn static_report() -> Report {
    let path = dockerfile_path();
    dockerfile_rules::check_file(&path, &course_root(), &Options::default()).unwrap_or_else(
        |error| match error {
            CheckError::Read { .. } => panic!(
                "{error}. The chapter's Dockerfile lives beside Cargo.toml, and its ignore file, \
                 Dockerfile.dockerignore, beside the Dockerfile."
            ),
            CheckError::Parse { .. } => {
                panic!(
                    "{}: {error}. Fix the syntax first: see {BOOK}.",
                    path.display()
                )
            }
        },
    )
}

fn run_spec() -> RunSpec {
    dockerfile_rules::run_spec(&dockerfile()).unwrap_or_else(|error| {
        panic!(
            "{}: {error}. Fix the syntax first: see {BOOK}.",
            dockerfile_path().display()
        )
    })
}

/// The port the service listens on inside the container: the `ENV PORT` the
/// Dockerfile sets, or the default.
fn container_port(spec: &RunSpec) -> u16 {
    let declared = spec.env.iter().find(|(name, _)| name == "PORT");
    match declared {
        None => DEFAULT_PORT,
        Some((_, value)) => port(Some(value)).unwrap_or_else(|error| {
            panic!("The Dockerfile's `ENV PORT={value}` is not a port the shop accepts: {error}")
        }),
    }
}

/// Writes straight to the terminal, past libtest's capture, so the build and
/// the container's results show in every log, CI's included.
fn announce(text: &str) {
    let _ = writeln!(std::io::stderr(), "[09_containerize] {text}");
}

// ---------------------------------------------------------------- PORT ----

#[test]
fn port_is_8080_when_unset_and_the_given_number_otherwise() {
    assert_eq!(
        port(None),
        Ok(DEFAULT_PORT),
        "With PORT unset, the shop listens on 8080: the default the Dockerfile EXPOSEs and \
         `docker run -p 8080:8080` expects."
    );
    for (raw, expected) in [
        ("8080", 8080),
        ("3000", 3000),
        (" 9000 ", 9000),
        ("1", 1),
        ("65535", 65535),
    ] {
        assert_eq!(
            port(Some(raw)),
            Ok(expected),
            "PORT={raw:?} is the port {expected}: platforms such as Cloud Run and Heroku choose the \
             port and pass it in PORT, so the service must listen where it says."
        );
    }
}

#[test]
fn a_value_that_is_not_a_port_is_refused_not_guessed() {
    let cases = [
        ("", "it is empty"),
        ("http", "it is not a number"),
        ("8080/tcp", "the protocol belongs to EXPOSE, not to PORT"),
        ("-1", "ports are not negative"),
        ("80800", "ports stop at 65535"),
        (
            "0",
            "port 0 means \"any free port\", where nobody could find the service",
        ),
    ];
    for (raw, why) in cases {
        let got = port(Some(raw));
        assert_eq!(
            got,
            Err(ConfigError::BadPort(raw.to_owned())),
            "PORT={raw:?} is not a port to listen on ({why}), so `port` must return \
             Err(ConfigError::BadPort({raw:?})). A service that guesses starts somewhere nobody \
             looks; one that stops with a clear message gets fixed in a minute. See {BOOK}."
        );
    }
}

// -------------------------------------------------------------- static ----

#[test]
fn the_dockerfile_and_its_ignore_file_pass_every_rule() {
    let report = static_report();
    assert!(
        !report.has_errors(),
        "{} is not fit to ship yet. Every finding says what is wrong, why it matters and how to \
         fix it (the `.dockerignore` rule reads {}, the ignore file Docker uses for this \
         Dockerfile):\n\n{report}\n\n`restlings dockerfile {}` prints this list again; {BOOK} \
         explains each line of a good Dockerfile.",
        dockerfile_path().display(),
        report.files.ignore.display(),
        crate_dir().display()
    );
}

// ------------------------------------------------------------- runtime ----

#[tokio::test]
async fn the_binary_started_as_the_dockerfile_says_serves_the_contract() {
    // Arrange: the command, the environment and the port, from the Dockerfile.
    let spec = run_spec();
    let Some(command) = spec.exec_command() else {
        panic!(
            "The Dockerfile has no exec-form CMD (or ENTRYPOINT), such as \
             CMD [\"/usr/local/bin/shop\"], so there is no telling how the image starts the shop. \
             Exec form matters: in shell form /bin/sh is PID 1 and SIGTERM never reaches the \
             shop. See {BOOK}."
        );
    };
    let declared = container_port(&spec);
    let exposed = spec.exposed_tcp_ports();
    assert!(
        exposed.contains(&declared),
        "The shop listens on {declared} in the container (ENV PORT, or 8080 when unset), but the \
         Dockerfile EXPOSEs {exposed:?}: `docker run -P` would publish a port nobody listens on. \
         Make them agree."
    );
    let port = kit::free_port();
    let mut env: Vec<(String, String)> = spec
        .env
        .into_iter()
        .filter(|(name, _)| name != "PORT")
        .collect();
    env.push(("PORT".to_owned(), port.to_string()));

    // Act: start it as the container would, with PORT moved to a free port.
    let mut server = Server::start(&binary(), &command[1..], &env, port);
    server.wait_until_healthy("The shop's binary, started as the Dockerfile's CMD says,");

    // Assert
    assert_listens_on_every_interface(port, &server);
    let app = TestApp::connect(&format!("http://127.0.0.1:{port}"), CHAPTER);
    smoke::contract(&app).await;
}

fn assert_listens_on_every_interface(port: u16, server: &Server) {
    match process::bound_address(port) {
        Bound::Everywhere => {}
        Bound::LoopbackOnly(addresses) => panic!(
            "The shop listens on port {port} at {} only, not on every interface.\n\
             In a container that is fatal: 127.0.0.1 is the container's own loopback. \
             `docker run -p 8080:8080` forwards connections to the container's network interface \
             (such as 172.17.0.2), where nothing listens, so every request fails with \
             \"connection reset\" or \"empty reply\", although the shop runs and its log looks \
             fine. Bind `Ipv4Addr::UNSPECIFIED`, that is 0.0.0.0. See {BOOK}.\n\
             --- what it printed ---\n{}",
            addresses.join(", "),
            server.output()
        ),
        Bound::Unknown(why) => println!("note: the 0.0.0.0 check could not run: {why}"),
    }
}

#[test]
fn a_bad_port_stops_the_binary_at_startup_with_a_message_not_a_panic() {
    let env = [("PORT".to_owned(), "eighty".to_owned())];
    let mut server = Server::start(&binary(), &[], &env, 0);
    let Some(status) = server.wait_for_exit(Duration::from_secs(10)) else {
        panic!(
            "With PORT=eighty the shop was still running after 10 s. A bad setting must stop it \
             at startup, where the operator is looking.\n--- what it printed ---\n{}",
            server.output()
        );
    };
    let output = server.output();
    assert!(
        !output.contains("panicked"),
        "With PORT=eighty the shop panicked. A wrong setting is the operator's mistake, not a bug: \
         print what is wrong and how to fix it, and exit with a failure status (`main` returns \
         ExitCode::FAILURE).\n--- what it printed ---\n{output}"
    );
    assert!(
        !status.success() && output.contains("PORT") && output.contains("eighty"),
        "With PORT=eighty the shop must exit with a failure status and a message that names PORT \
         and the bad value; it exited with {status}.\n--- what it printed ---\n{output}"
    );
}

#[cfg(unix)]
#[test]
fn sigterm_lets_the_request_in_flight_finish_then_exits_0() {
    use std::io::Read;
    use std::net::TcpStream;

    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;

    // Arrange: a POST whose headers have arrived and half of whose body has.
    let port = kit::free_port();
    let env = [("PORT".to_owned(), port.to_string())];
    let mut server = Server::start(&binary(), &[], &env, port);
    server.wait_until_healthy("The shop's binary");
    let body = kit::json!({
        "name": kit::unique_name("in-flight"),
        "price_cents": 100,
        "category": "sigterm",
    })
    .to_string();
    let (first_half, second_half) = body.split_at(body.len() / 2);
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|error| panic!("cannot connect to the shop on port {port}: {error}"));
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let head = format!(
        "POST /products HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream
        .write_all(format!("{head}{first_half}").as_bytes())
        .unwrap_or_else(|error| panic!("cannot send the request's first half: {error}"));
    std::thread::sleep(Duration::from_millis(300));

    // Act: what `docker stop` does first.
    let pid = i32::try_from(server.pid()).map(Pid::from_raw);
    let sent = pid
        .map_err(|error| error.to_string())
        .and_then(|pid| kill(pid, Signal::SIGTERM).map_err(|error| error.to_string()));
    assert!(
        sent.is_ok(),
        "the test could not send SIGTERM to the shop: {sent:?}"
    );
    let signalled = Instant::now();
    std::thread::sleep(Duration::from_millis(300));
    let early = server.try_status();
    assert!(
        early.is_none(),
        "The shop ended ({early:?}) as soon as it got SIGTERM, with a request still in flight: \
         that client gets a broken connection. Serve with \
         `axum::serve(..).with_graceful_shutdown(shutdown_signal())`, so the server stops \
         accepting connections but finishes the requests it has. See {BOOK}.\n\
         --- what it printed ---\n{}",
        server.output()
    );
    stream
        .write_all(second_half.as_bytes())
        .unwrap_or_else(|error| {
            panic!("cannot send the request's second half after SIGTERM: {error}")
        });
    let mut response = String::new();
    let read = stream.read_to_string(&mut response);

    // Assert
    assert!(
        response.starts_with("HTTP/1.1 201"),
        "The POST that was in flight when SIGTERM came must still be answered, 201 Created; \
         the shop answered {response:?} ({read:?}). Graceful shutdown means the requests already \
         accepted complete. See {BOOK}.\n--- what it printed ---\n{}",
        server.output()
    );
    let limit = Duration::from_secs(10);
    let status = server.wait_for_exit(limit.saturating_sub(signalled.elapsed()));
    assert!(
        status.is_some_and(|status| status.success()),
        "After SIGTERM and its last request the shop must exit with status 0 within 10 s \
         (`docker stop` kills it with SIGKILL after 10 s); it {}.\n--- what it printed ---\n{}",
        match status {
            Some(status) => format!("exited with {status}"),
            None => "was still running".to_owned(),
        },
        server.output()
    );
}

// ------------------------------------------------- hostile clients ----

/// How much later than its timeout the shop may act: scheduling, a loaded CI
/// machine, the test's own polling.
const SLACK: Duration = Duration::from_secs(3);

/// Starts the binary on a free port, as a container would, and waits for it.
fn start_shop() -> Server {
    let port = kit::free_port();
    let env = [("PORT".to_owned(), port.to_string())];
    let mut server = Server::start(&binary(), &[], &env, port);
    server.wait_until_healthy("The shop's binary");
    server
}

#[test]
fn a_client_that_sends_nothing_is_disconnected_after_the_header_timeout_while_others_are_served() {
    // Arrange: a client that connects and says nothing, the first move of a
    // slowloris attack (hundreds of them hold every file descriptor).
    let limit = Timeouts::DEFAULT.header_read;
    let server = start_shop();
    let mut silent = process::connect(server.port);
    let connected = Instant::now();

    // Act: a normal client comes along meanwhile.
    let served = process::health_is_ok(server.port);

    // Assert
    assert!(
        served,
        "While one client sat silent on its connection, GET /health from another client got no \
         200: a silent client must cost one connection, not the service. See {BOOK}.\n\
         --- what it printed ---\n{}",
        server.output()
    );
    let closed = process::wait_for_close(&mut silent, limit + SLACK);
    assert!(
        closed.is_ok(),
        "A client that connected and sent nothing was still connected {:?} later ({}); the header \
         timeout is {limit:?}. Without a timer, hyper's header-read timeout never fires, and \
         `axum::serve` sets none: each silent client holds a connection and a file descriptor \
         for good. Serve with hyper-util's builder: `.http1().timer(TokioTimer::new())\
         .header_read_timeout(timeouts.header_read)`. See {BOOK}.\n--- what it printed ---\n{}",
        connected.elapsed(),
        closed.err().unwrap_or_default(),
        server.output()
    );
}

#[test]
fn a_kept_alive_connection_left_idle_is_closed_after_the_header_timeout() {
    // Arrange: one request on a connection that HTTP/1.1 keeps open.
    let limit = Timeouts::DEFAULT.header_read;
    let server = start_shop();
    let mut stream = process::connect(server.port);
    let request = "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let answer = process::send_and_read_head(&mut stream, request);
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "GET /health on a kept-alive connection should answer 200, got {answer:?}"
    );

    // Act: the client keeps the connection and sends no next request.
    let idle_since = Instant::now();
    let closed = process::wait_for_close(&mut stream, limit + SLACK);

    // Assert
    assert!(
        closed.is_ok(),
        "A kept-alive connection that sent no next request was still open {:?} after its \
         answer ({}). Idle connections cost a file descriptor each; the header-read timeout \
         ({limit:?}) starts again when the server waits for the next request, so it closes \
         them too, once hyper has a timer. See {BOOK}.",
        idle_since.elapsed(),
        closed.err().unwrap_or_default(),
    );
}

#[test]
fn a_body_that_stops_arriving_is_answered_within_the_body_timeout() {
    // Arrange: a head that promises 100 bytes of body, 10 of them, then silence.
    let limit = Timeouts::DEFAULT.body_read;
    let server = start_shop();
    let mut stream = process::connect(server.port);
    let head = "POST /products HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
                Content-Length: 100\r\n\r\n{\"name\": \"";

    // Act
    let sent = Instant::now();
    let answer = process::send_and_read_head(&mut stream, head);

    // Assert
    assert!(
        answer.starts_with("HTTP/1.1 4"),
        "A request whose Content-Length promised 100 bytes, of which 10 came, then silence, got \
         {answer:?} after {:?}. The handler waits for the rest of the body, and without a body \
         timeout it waits for ever: the connection is held for good. Add \
         `tower_http::timeout::RequestBodyTimeoutLayer::new(timeouts.body_read)` ({limit:?}), so \
         the body fails to read and the client gets a 4xx problem. See {BOOK}.\n\
         --- what it printed ---\n{}",
        sent.elapsed(),
        server.output()
    );
    assert!(
        sent.elapsed() < limit + SLACK,
        "The stuck body was answered, but only after {:?}: the body timeout is {limit:?}.",
        sent.elapsed()
    );
}

#[tokio::test]
async fn a_request_that_outlasts_the_whole_request_deadline_answers_a_408_problem() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // Arrange: the shop served in this process with a deadline of 1 s, the
    // other timeouts as shipped; the binary's 30 s would make a slow test.
    let deadline = Duration::from_secs(1);
    let timeouts = Timeouts {
        request: deadline,
        ..Timeouts::DEFAULT
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap_or_else(|error| panic!("cannot listen on loopback: {error}"));
    let port = listener
        .local_addr()
        .unwrap_or_else(|error| panic!("a listener has an address: {error}"))
        .port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async {
        let _ = stopped.await;
    };
    let server = tokio::spawn(containerize::serve(
        listener,
        containerize::app(),
        shutdown,
        timeouts,
    ));
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap_or_else(|error| panic!("cannot connect to the shop: {error}"));
    let head = "POST /products HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
                Content-Length: 1000\r\n\r\n{\"name\": \"";
    let _ = stream.write_all(head.as_bytes()).await;

    // Act: one byte of body every 200 ms, so the body timeout (10 s of
    // silence) never fires and the body never ends, until an answer comes.
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    while started.elapsed() < deadline + SLACK
        && !received.windows(4).any(|window| window == b"\r\n\r\n")
    {
        let _ = stream.write_all(b"a").await;
        let read = tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buffer));
        match read.await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(count)) => received.extend_from_slice(&buffer[..count]),
            Err(_still_reading) => {}
        }
    }
    let took = started.elapsed();
    let _ = stop.send(());
    server.abort();

    // Assert
    let answer = String::from_utf8_lossy(&received).to_ascii_lowercase();
    assert!(
        answer.starts_with("http/1.1 408"),
        "A POST whose body came one byte every 200 ms, never silent long enough for the body \
         timeout, got {:?} after {took:?}; the whole-request deadline was {deadline:?}. A client \
         that trickles its body holds a connection for as long as it likes unless the whole \
         request has a deadline: `tower_http::timeout::TimeoutLayer::with_status_code(\
         StatusCode::REQUEST_TIMEOUT, timeouts.request)` in `with_timeouts`, answered 408 \
         Request Timeout (RFC 9110 §15.5.9). See {BOOK}.",
        String::from_utf8_lossy(&received),
    );
    assert!(
        answer.contains("content-type: application/problem+json")
            && answer.contains("connection: close"),
        "The 408 came, but as {:?}. Like every error of the shop it is a problem (chapter 7): \
         `TimeoutLayer`'s own 408 has an empty body, which \
         `axum::middleware::map_response(request_timeout_problem)` replaces. And it says \
         `Connection: close`, as RFC 9110 §15.5.9 asks: the rest of the body is still on its \
         way. See {BOOK}.",
        String::from_utf8_lossy(&received),
    );
}

#[cfg(unix)]
#[test]
fn sigterm_with_a_stuck_client_exits_within_the_shutdown_grace_with_status_1() {
    // Arrange: a POST whose body stops half-way, as from a client that hangs.
    let grace = Timeouts::DEFAULT.shutdown_grace;
    let mut server = start_shop();
    let mut stuck = process::connect(server.port);
    let head = "POST /products HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
                Content-Length: 100\r\n\r\n{\"name\": \"";
    stuck
        .write_all(head.as_bytes())
        .unwrap_or_else(|error| panic!("cannot send the stuck request: {error}"));
    std::thread::sleep(Duration::from_millis(300));

    // Act: what `docker stop` does first.
    server.terminate();
    let signalled = Instant::now();
    let status = server.wait_for_exit(grace + SLACK);

    // Assert
    let Some(status) = status else {
        panic!(
            "After SIGTERM, with one client stuck half-way through its request, the shop was \
             still running {:?} later. Graceful shutdown waits for the requests in flight, and a \
             stuck one never ends: `docker stop` then kills the shop with SIGKILL after 10 s, \
             and `restlings deploy` hangs. Bound the wait: \
             `tokio::time::timeout(timeouts.shutdown_grace, connections.shutdown())` \
             ({grace:?}). See {BOOK}.\n--- what it printed ---\n{}",
            signalled.elapsed(),
            server.output()
        );
    };
    assert_eq!(
        status.code(),
        Some(1),
        "After SIGTERM the shop stopped in {:?}, but the grace period ran out with a request \
         still in flight, which got no answer: it should exit with status 1 and say so, not \
         {status}. Status 0 promises that every request accepted was answered. See {BOOK}.\n\
         --- what it printed ---\n{}",
        signalled.elapsed(),
        server.output()
    );
}

#[test]
fn the_health_check_mode_exits_0_on_a_healthy_shop_and_1_when_nothing_answers() {
    // Arrange: a running shop, and a port where nothing listens.
    let server = start_shop();
    let probe = |port: u16| {
        let env = [("PORT".to_owned(), port.to_string())];
        let mut check = Server::start(&binary(), &["--health-check".to_owned()], &env, port);
        let status = check.wait_for_exit(Duration::from_secs(10));
        (status, check.output())
    };

    // Act
    let (healthy, healthy_output) = probe(server.port);
    let (unhealthy, unhealthy_output) = probe(kit::free_port());

    // Assert
    assert!(
        healthy.is_some_and(|status| status.success()),
        "`shop --health-check` with PORT={} (where the shop runs) should request GET /health, get \
         200 and exit 0 within 10 s: it is the image's HEALTHCHECK. It {}.\n\
         --- what it printed ---\n{healthy_output}",
        server.port,
        describe(healthy),
    );
    assert!(
        unhealthy.is_some_and(|status| status.code() == Some(1)),
        "`shop --health-check` with a PORT where nothing listens should exit 1, saying why; it \
         {}. Docker marks the container unhealthy after `--retries` such failures.\n\
         --- what it printed ---\n{unhealthy_output}",
        describe(unhealthy),
    );
}

fn describe(status: Option<std::process::ExitStatus>) -> String {
    match status {
        Some(status) => format!("exited with {status}"),
        None => "was still running".to_owned(),
    }
}

// ----------------------------------------------------------- container ----

#[tokio::test]
async fn the_image_builds_runs_and_serves_the_contract() {
    let engine = match engine::find() {
        Ok(engine) => engine,
        Err(tried) if engine::required() => panic!(
            "{}=1, so this test must build and run the image, but no container engine answers: \
             {tried}. Start Docker or Podman, or set {} to the engine's program.",
            engine::REQUIRE_VAR,
            engine::ENGINE_VAR
        ),
        Err(tried) => {
            println!("SKIPPED: no container engine ({tried})");
            return;
        }
    };
    let report = static_report();
    assert!(
        !report.has_errors(),
        "The image is not built while the Dockerfile has findings: fix those that \
         `the_dockerfile_and_its_ignore_file_pass_every_rule` lists first."
    );
    let spec = run_spec();
    let inside = container_port(&spec);
    let tag = format!("restlings-{}:test", env!("CARGO_PKG_NAME"));
    let root = course_root();
    let dockerfile = dockerfile_path();

    announce(&format!(
        "building {tag} with `{} build -f {} {}`",
        engine.program,
        dockerfile.display(),
        root.display()
    ));
    let took = engine.build(&dockerfile, &tag, &root).unwrap_or_else(|error| {
        panic!(
            "{error}\nThe image did not build. The log above shows each step; the last one is the \
             step that failed. The build context is the course's root, so COPY paths are relative \
             to it. If it says BuildKit or the buildx component is missing, install Docker's \
             buildx plugin, or set {} to a client that builds with BuildKit. See {BOOK}.",
            engine::ENGINE_VAR
        )
    });
    announce(&format!("built {tag} in {:.1} s", took.as_secs_f64()));

    let container = engine
        .run(&tag, inside)
        .unwrap_or_else(|error| panic!("{error}\nThe image built but did not start."));
    let address = container.published(inside).unwrap_or_else(|error| {
        panic!("{error}\nThe container runs, but its port {inside} is not published.")
    });
    announce(&format!(
        "container {} serves {inside} on {address}",
        short(&container.id)
    ));
    wait_for_container(&container, &address);
    let app = TestApp::connect(&format!("http://{address}"), CHAPTER);
    smoke::contract(&app).await;
    announce(&format!(
        "container {} passed the contract smoke suite: health, products, a problem, an order retried",
        short(&container.id)
    ));
    wait_until_healthy(&container);
    announce(&format!(
        "container {}: the engine's HEALTHCHECK says healthy",
        short(&container.id)
    ));
}

/// Waits for the engine to run the image's `HEALTHCHECK` and call the
/// container healthy: `shop --health-check` works inside the image, where
/// there is no curl, as well as on the host.
fn wait_until_healthy(container: &engine::Container<'_>) {
    let started = Instant::now();
    let mut health = container.health();
    while health != "healthy" && health != "unhealthy" && started.elapsed() < engine::HEALTHY {
        std::thread::sleep(Duration::from_millis(500));
        health = container.health();
    }
    assert!(
        health == "healthy",
        "The container serves the contract, but after {:?} the engine's health status is \
         {health:?}, not \"healthy\". The image's HEALTHCHECK must run `shop --health-check` \
         (exec form, the binary's path inside the image), which asks GET /health on PORT and \
         exits 0; an orchestrator restarts, or sends no traffic to, a container that is not \
         healthy. An empty status means the image has no HEALTHCHECK. See {BOOK}.\n\
         --- the engine's health record ---\n{}\n--- its logs ---\n{}",
        started.elapsed(),
        container.health_log(),
        container.logs()
    );
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

fn wait_for_container(container: &engine::Container<'_>, address: &str) {
    let port: u16 = address
        .rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("the published address {address:?} has no port"));
    let started = Instant::now();
    while started.elapsed() < engine::STARTUP {
        if process::health_is_ok(port) {
            return;
        }
        if !container.running() {
            panic!(
                "The container stopped before answering GET /health.\n--- its logs ---\n{}",
                container.logs()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!(
        "The container did not answer GET /health on {address} within {:?}. If its log says it \
         listens, check it listens on 0.0.0.0, not 127.0.0.1. See {BOOK}.\n--- its logs ---\n{}",
        engine::STARTUP,
        container.logs()
    );
}

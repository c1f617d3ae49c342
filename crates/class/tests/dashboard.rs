//! The class dashboard end to end on loopback: the real server, and learners
//! that use the real client (the runner's `record` and `deliver`, each with a
//! course folder of its own), over real HTTP.
//!
//! `thirty_learners_…` reports for `RESTLINGS_CLASS_SECS` seconds (default
//! 10, to keep CI short; the minute is `RESTLINGS_CLASS_SECS=60`) and
//! prints its figures: reports sent, received, and delivery latency.

use restlings_class::client::{self, Delivery, Membership};
use restlings_class::wire::{self, Exercise, Report, Status};
use std::thread;
use std::time::{Duration, Instant};

mod support;

use support::{
    CODE, Learner, Running, TIMEOUT, TOKEN, agent, exercise, get, options, percentile, progress,
};

#[test]
fn thirty_learners_reporting_for_a_while_all_show_with_their_statuses() {
    // Arrange
    let seconds: u64 = std::env::var("RESTLINGS_CLASS_SECS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(10);
    let dashboard = Running::start(options());
    let url = dashboard.url.clone();

    // Act: each learner checks about once a second, as a fast watch mode would.
    let started = Instant::now();
    let learners: Vec<_> = (0..30)
        .map(|i| {
            let url = url.clone();
            thread::spawn(move || {
                let learner = Learner::join(&url, &format!("Learner {i:02}"));
                let mut latencies = Vec::new();
                let mut refused = Vec::new();
                let mut round = 0;
                while started.elapsed() < Duration::from_secs(seconds) || round == 0 {
                    client::record(learner.root.path(), &learner.membership, progress(i, round))
                        .expect("the report is queued");
                    let sent = Instant::now();
                    match client::deliver(learner.root.path(), TIMEOUT).expect("the outbox") {
                        Delivery::Delivered(_) => latencies.push(sent.elapsed()),
                        other => refused.push(format!("{other:?}")),
                    }
                    round += 1;
                    thread::sleep(Duration::from_millis(1100));
                }
                (i, round, latencies, refused, learner)
            })
        })
        .collect();
    let results: Vec<_> = learners
        .into_iter()
        .map(|handle| handle.join().expect("a learner's thread"))
        .collect();

    // Assert
    let sent: usize = results.iter().map(|(_, rounds, ..)| rounds).sum();
    let mut latencies: Vec<Duration> = results
        .iter()
        .flat_map(|(_, _, latencies, ..)| latencies.iter().copied())
        .collect();
    latencies.sort();
    let refused: Vec<&String> = results.iter().flat_map(|(_, _, _, r, _)| r).collect();
    let view = dashboard.view();
    println!(
        "30 learners for {seconds} s: {sent} reports sent, {} received, {} refused; delivery \
         latency p50 {:?}, p99 {:?}, max {:?}",
        view["received"],
        refused.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default()
    );
    assert!(
        refused.is_empty(),
        "every report of a learner checking once a second is taken; refused: {refused:?}"
    );
    assert_eq!(
        view["received"].as_u64(),
        Some(sent as u64),
        "the dashboard received every report sent"
    );
    let rows = view["learners"].as_array().expect("learners is a list");
    assert_eq!(rows.len(), 30, "all 30 learners have a row: {view}");
    for (i, rounds, _, _, learner) in &results {
        let expected = progress(*i, rounds - 1);
        let row = rows
            .iter()
            .find(|row| row["learner"] == learner.membership.learner.as_str())
            .unwrap_or_else(|| panic!("learner {i} has a row"));
        assert_eq!(
            row["name"],
            format!("Learner {i:02}"),
            "the row shows the name joined with"
        );
        for exercise in &expected {
            let cell = &row["cells"][&exercise.name];
            assert_eq!(
                cell["status"],
                serde_json::to_value(exercise.status).expect("a status"),
                "learner {i}'s {} shows the status of their last check ({rounds} checks)",
                exercise.name
            );
            assert_eq!(
                cell["first_failing"].as_str(),
                exercise.failing.first().map(String::as_str),
                "learner {i}'s {} shows the test that fails",
                exercise.name
            );
        }
    }
}

#[test]
fn a_wrong_or_missing_join_code_is_refused_with_401_and_nothing_is_stored() {
    let dashboard = Running::start(options());
    let report = Report {
        version: wire::VERSION,
        learner: "abc".to_owned(),
        name: "Ada".to_owned(),
        sent_at: client::now(),
        exercises: progress(0, 1),
    };
    for code in ["WRONG-CODE", "K7QM-2XFB", "", "k7qm-2xfa"] {
        let delivery = client::send(&dashboard.url, code, &report, TIMEOUT);
        assert!(
            matches!(delivery, Delivery::Refused { status: 401, .. }),
            "the join code {code:?} is not {CODE:?}, so the report is refused with 401; got \
             {delivery:?}"
        );
    }
    let view = dashboard.view();
    assert_eq!(
        view["learners"],
        serde_json::json!([]),
        "no refused report is stored"
    );
    assert_eq!(
        client::send(&dashboard.url, CODE, &report, TIMEOUT),
        Delivery::Delivered(204),
        "the right code is taken, with 204 No Content"
    );
}

#[test]
fn the_page_and_its_json_need_the_instructors_token() {
    let dashboard = Running::start(options());
    for path in ["/", "/board", "/api/board"] {
        for query in ["", "?token=", "?token=0123456789abcdef0123456789abcdee"] {
            let (status, body) = get(&format!("{}{path}{query}", dashboard.url));
            assert_eq!(
                status, 401,
                "GET {path}{query} without the instructor's token answers 401; got {status} \
                 {body}"
            );
            assert!(!body.contains("<table"), "a 401 shows no table: {body}");
        }
        let (status, body) = get(&format!("{}{path}?token={TOKEN}", dashboard.url));
        assert_eq!(status, 200, "GET {path} with the token answers 200: {body}");
    }
    let mut response = agent()
        .get(format!("{}/api/board", dashboard.url))
        .header("authorization", format!("Bearer {TOKEN}"))
        .call()
        .expect("the dashboard answers");
    assert_eq!(
        response.status().as_u16(),
        200,
        "the token also works as `Authorization: Bearer`: {}",
        response.body_mut().read_to_string().unwrap_or_default()
    );
}

#[test]
fn a_body_over_64_kib_is_refused_with_413() {
    let dashboard = Running::start(options());
    let body = format!("{{\"padding\":\"{}\"}}", "x".repeat(wire::MAX_BODY + 1));
    let delivery = client::post(&dashboard.url, CODE, body, TIMEOUT);
    assert!(
        matches!(delivery, Delivery::Refused { status: 413, .. }),
        "a body over {} bytes answers 413 Content Too Large; got {delivery:?}",
        wire::MAX_BODY
    );
}

#[test]
fn a_report_with_anything_but_statuses_is_refused_with_422() {
    let dashboard = Running::start(options());
    let body = serde_json::json!({
        "version": wire::VERSION, "learner": "abc", "name": "Ada", "sent_at": 1,
        "exercises": [{ "name": "04_post", "status": "fails", "checked_at": 1,
                        "code": "pub fn app() -> Router { todo!() }" }],
    });
    let delivery = client::post(&dashboard.url, CODE, body.to_string(), TIMEOUT);
    assert!(
        matches!(&delivery, Delivery::Refused { status: 422, body } if body.contains("code")),
        "a report that carries code is refused with 422, naming the field; got {delivery:?}"
    );
    let many: Vec<String> = (0..=wire::MAX_FAILING).map(|n| format!("t{n}")).collect();
    let names: Vec<&str> = many.iter().map(String::as_str).collect();
    let report = Report {
        version: wire::VERSION,
        learner: "abc".to_owned(),
        name: "Ada".to_owned(),
        sent_at: 1,
        exercises: vec![exercise("04_post", Status::Fails, &names)],
    };
    let delivery = client::send(&dashboard.url, CODE, &report, TIMEOUT);
    assert!(
        matches!(delivery, Delivery::Refused { status: 422, .. }),
        "more than {} failing names in one exercise is refused with 422; got {delivery:?}",
        wire::MAX_FAILING
    );
    assert_eq!(
        dashboard.view()["learners"],
        serde_json::json!([]),
        "nothing was stored"
    );
}

#[test]
fn a_learner_who_reports_faster_than_the_limit_gets_429() {
    let dashboard = Running::start(options());
    let learner = Learner::join(&dashboard.url, "Hasty");
    let other = Learner::join(&dashboard.url, "Calm");
    let answers: Vec<Delivery> = (0..15)
        .map(|round| learner.check(progress(0, round)))
        .collect();
    let taken = answers
        .iter()
        .filter(|answer| matches!(answer, Delivery::Delivered(_)))
        .count();
    assert!(
        (10..15).contains(&taken),
        "a burst of 10 is taken, then one a second: 15 reports at once cannot all be taken; \
         {taken} were: {answers:?}"
    );
    assert!(
        answers
            .iter()
            .any(|answer| matches!(answer, Delivery::Refused { status: 429, .. })),
        "the reports over the limit answer 429 Too Many Requests: {answers:?}"
    );
    assert_eq!(
        learner.queued(),
        1,
        "a refused report stays queued for the next check"
    );
    assert!(
        matches!(other.check(progress(1, 0)), Delivery::Delivered(_)),
        "the limit is per learner: another learner is still taken"
    );
}

#[test]
fn a_restarted_dashboard_has_every_learner_back_once_they_report_again() {
    // Arrange: five learners report to a dashboard.
    let dashboard = Running::start(options());
    let address = dashboard.address;
    let url = dashboard.url.clone();
    let learners: Vec<Learner> = (0..5)
        .map(|i| Learner::join(&url, &format!("Learner {i}")))
        .collect();
    for (i, learner) in learners.iter().enumerate() {
        assert!(
            matches!(learner.check(progress(i, 0)), Delivery::Delivered(_)),
            "learner {i} reports to the running dashboard"
        );
    }

    // Act: it stops; the learners check on, and their reports queue up.
    dashboard.stop();
    for (i, learner) in learners.iter().enumerate() {
        let delivery = learner.check(progress(i, 1));
        assert!(
            matches!(delivery, Delivery::Unreachable(_)),
            "with the dashboard down, learner {i}'s report cannot be delivered: {delivery:?}"
        );
        assert_eq!(
            learner.queued(),
            1,
            "learner {i}'s report waits in the outbox"
        );
    }
    let restarted = Running::on(options(), address);
    assert_eq!(
        restarted.view()["learners"],
        serde_json::json!([]),
        "a restarted dashboard starts empty: it keeps nothing on disk"
    );
    for (i, learner) in learners.iter().enumerate() {
        let delivery = client::deliver(learner.root.path(), TIMEOUT).expect("the outbox");
        assert!(
            matches!(delivery, Delivery::Delivered(_)),
            "learner {i}'s queued report is delivered to the restarted dashboard: {delivery:?}"
        );
        assert_eq!(learner.queued(), 0, "a delivered report leaves the outbox");
    }

    // Assert: everyone is back, with the status of their last check.
    let view = restarted.view();
    let rows = view["learners"].as_array().expect("a list");
    assert_eq!(rows.len(), 5, "all five learners are back: {view}");
    for (i, learner) in learners.iter().enumerate() {
        let row = rows
            .iter()
            .find(|row| row["learner"] == learner.membership.learner.as_str())
            .unwrap_or_else(|| panic!("learner {i} is back"));
        for exercise in progress(i, 1) {
            assert_eq!(
                row["cells"][&exercise.name]["status"],
                serde_json::to_value(exercise.status).expect("a status"),
                "learner {i}'s {} shows the check made while the dashboard was down",
                exercise.name
            );
        }
    }
}

#[test]
fn a_name_is_escaped_in_the_page() {
    let dashboard = Running::start(options());
    let name = "<script>alert(\"pwned\")</script> & 'co'";
    let learner = Learner::join(&dashboard.url, name);
    let mut exercises = progress(0, 0);
    exercises[0].failing = vec!["<img src=x onerror=alert(1)>".to_owned()];
    assert!(
        matches!(learner.check(exercises), Delivery::Delivered(_)),
        "the learner reports"
    );
    for path in ["/", "/board"] {
        let (status, page) = get(&format!("{}{path}?token={TOKEN}", dashboard.url));
        assert_eq!(status, 200, "GET {path} with the token: {page}");
        assert!(
            page.contains(
                "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &#39;co&#39;"
            ),
            "the name is in {path}, escaped: {page}"
        );
        assert!(
            !page.contains("<script>alert") && !page.contains("<img src=x"),
            "no learner's text reaches {path} as markup: {page}"
        );
    }
}

#[test]
fn the_page_shows_the_table_and_its_policy_allows_only_its_own_script() {
    let dashboard = Running::start(options());
    let learner = Learner::join(&dashboard.url, "Ada");
    assert!(matches!(
        learner.check(progress(0, 2)),
        Delivery::Delivered(_)
    ));
    let mut response = agent()
        .get(format!("{}/?token={TOKEN}", dashboard.url))
        .call()
        .expect("the page answers");
    let policy = response
        .headers()
        .get("content-security-policy")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let page = response.body_mut().read_to_string().unwrap_or_default();
    assert!(
        policy.contains("script-src 'self'") && policy.contains("default-src 'none'"),
        "the page forbids inline and foreign script: {policy:?}"
    );
    assert!(
        page.contains("<table id=\"learners\">") && page.contains("<th>Ada"),
        "the page shows the table with the learner: {page}"
    );
    assert!(
        page.contains("src=\"/dashboard.js\"") && !page.contains("http"),
        "the page loads only its own script, from no other host: {page}"
    );
    let (status, script) = get(&format!("{}/dashboard.js", dashboard.url));
    assert_eq!(status, 200, "the script is served");
    assert!(
        script.contains("3000"),
        "the script polls every 3 s: {script}"
    );
}

#[test]
fn a_learner_on_one_problem_for_longer_than_the_limit_is_marked_stuck() {
    let mut options = options();
    options.stuck_after = Duration::from_secs(600);
    let dashboard = Running::start(options);
    let now = client::now();
    let report = |learner: &str, since: u64| Report {
        version: wire::VERSION,
        learner: learner.to_owned(),
        name: learner.to_owned(),
        sent_at: now,
        exercises: vec![Exercise {
            same_since: Some(since),
            ..exercise("04_post", Status::Fails, &["post_answers_201"])
        }],
    };
    for (learner, since) in [("stuck", now - 11 * 60), ("fresh", now - 60)] {
        assert_eq!(
            client::send(&dashboard.url, CODE, &report(learner, since), TIMEOUT),
            Delivery::Delivered(204)
        );
    }
    let json = dashboard.view();
    let row = |id: &str| {
        json["learners"]
            .as_array()
            .and_then(|rows| rows.iter().find(|row| row["learner"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("a row for {id}"))
    };
    assert_eq!(
        row("stuck")["cells"]["04_post"]["stuck"],
        true,
        "11 min on the same failing test, with a 10 min limit, is stuck"
    );
    assert_eq!(row("stuck")["stuck"], true, "the row is marked stuck too");
    assert_eq!(
        row("fresh")["cells"]["04_post"]["stuck"],
        false,
        "1 min on a failing test is not stuck"
    );
    let (_, page) = get(&format!("{}/board?token={TOKEN}", dashboard.url));
    assert!(
        page.contains("1 stuck") && page.contains("class=\"stuck\""),
        "the page counts and marks the stuck learner: {page}"
    );
}

#[test]
fn the_most_common_failing_tests_are_listed_per_chapter() {
    let dashboard = Running::start(options());
    let failing = [
        &["a_common", "b_rare"][..],
        &["a_common"][..],
        &["a_common", "c_middle"][..],
        &["c_middle"][..],
    ];
    for (i, tests) in failing.iter().enumerate() {
        let learner = Learner::join(&dashboard.url, &format!("L{i}"));
        let delivery = learner.check(vec![exercise("04_post", Status::Fails, tests)]);
        assert!(
            matches!(delivery, Delivery::Delivered(_)),
            "learner {i} reports"
        );
    }
    let view = dashboard.view();
    assert_eq!(
        view["common_failures"]["04_post"],
        serde_json::json!([
            { "test": "a_common", "learners": 3 },
            { "test": "c_middle", "learners": 2 },
            { "test": "b_rare", "learners": 1 },
        ]),
        "the chapter lists its failing tests by how many learners they fail for, most first"
    );
}

#[test]
fn the_same_first_failing_test_keeps_its_start_time_and_a_new_one_starts_again() {
    let root = tempfile::tempdir().expect("a temp dir");
    let membership = Membership::new("http://127.0.0.1:9", CODE, "Ada").expect("a good membership");
    let at = |time: u64, status: Status, failing: &[&str]| Exercise {
        checked_at: time,
        ..exercise("04_post", status, failing)
    };
    let since = |report: &Report| report.exercises[0].same_since;
    let path = root.path();
    let first = client::record(path, &membership, vec![at(100, Status::Fails, &["a"])]);
    assert_eq!(
        since(&first.expect("queued")),
        Some(100),
        "a new problem starts now"
    );
    let same = client::record(path, &membership, vec![at(200, Status::Fails, &["a", "b"])]);
    assert_eq!(
        since(&same.expect("queued")),
        Some(100),
        "the same first failing test keeps the time it started"
    );
    let other = client::record(path, &membership, vec![at(300, Status::Fails, &["b"])]);
    assert_eq!(
        since(&other.expect("queued")),
        Some(300),
        "another first failing test starts again"
    );
    let broken = client::record(
        path,
        &membership,
        vec![at(400, Status::DoesNotCompile, &[])],
    );
    assert_eq!(
        since(&broken.expect("queued")),
        Some(400),
        "not compiling is a new problem"
    );
    let passes = client::record(path, &membership, vec![at(500, Status::Passes, &[])]);
    assert_eq!(
        since(&passes.expect("queued")),
        None,
        "a pass is no problem"
    );
    assert_eq!(
        client::queued(&path.join(client::DIR).join("outbox")).len(),
        1,
        "the outbox keeps only the newest report, which holds all the others say"
    );
}

#[test]
fn a_join_code_typed_in_lowercase_or_with_look_alike_letters_is_the_code_shown() {
    for typed in ["K7QM-2XFA", " k7qm-2xfa ", "K7QM-2XFA\n"] {
        let membership = Membership::new("http://127.0.0.1:4000/", typed, "Ada")
            .unwrap_or_else(|error| panic!("{typed:?} is a good code: {error}"));
        assert_eq!(membership.code, CODE, "{typed:?} is read as {CODE:?}");
        assert_eq!(
            membership.url, "http://127.0.0.1:4000",
            "the URL loses its trailing /"
        );
    }
    let membership = Membership::new("http://127.0.0.1:4000", "oil0-1234", "Ada")
        .unwrap_or_else(|error| panic!("a good code: {error}"));
    assert_eq!(
        membership.code, "0110-1234",
        "O reads as 0, I and L as 1: Crockford's base32 has no O, I or L"
    );
    for (url, code, name) in [
        ("192.168.1.20:4000", CODE, "Ada"),
        ("https://example.test", CODE, "Ada"),
        ("http://127.0.0.1:4000", "  ", "Ada"),
        ("http://127.0.0.1:4000", CODE, " "),
    ] {
        assert!(
            Membership::new(url, code, name).is_err(),
            "join {url:?} --code {code:?} --name {name:?} is refused before anything is sent"
        );
    }
}

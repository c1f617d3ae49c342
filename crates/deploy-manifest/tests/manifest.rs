//! The manifest rules, one case per way to get a field wrong: each problem
//! must carry the line, the column and the field a learner has to fix.

use std::path::Path;

use deploy_manifest::{Invalid, Location, Manifest, parse};

const GOOD: &str = r#"image = "restlings-shop:10"
binary = "shop"
port = 8080
health = "/health"
env = ["API_KEY", "LOG_LEVEL"]

[[endpoints]]
method = "DELETE"
path = "/products/{id}"

[[endpoints]]
method = "GET"
path = "/products/{id}"

[[endpoints]]
method = "GET"
path = "/health"

[[endpoints]]
method = "POST"
path = "/products"
"#;

fn invalid(text: &str) -> Invalid {
    match parse(text, Path::new("deploy.toml")) {
        Ok(manifest) => {
            panic!("this manifest must be rejected, but it parsed as {manifest:#?}:\n{text}")
        }
        Err(invalid) => invalid,
    }
}

/// `GOOD` with the line that starts with `key` replaced by `line`.
fn good_with(key: &str, line: &str) -> String {
    GOOD.lines()
        .map(|current| {
            if current.starts_with(key) {
                line
            } else {
                current
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_complete_manifest_parses_with_every_field() {
    let manifest: Manifest =
        parse(GOOD, Path::new("deploy.toml")).expect("the example manifest is valid");

    assert_eq!(
        manifest.image, "restlings-shop:10",
        "image is kept as written"
    );
    assert_eq!(manifest.binary, "shop", "binary is kept as written");
    assert_eq!(manifest.port, 8080, "port is read as a number");
    assert_eq!(manifest.health, "/health", "health is kept as written");
    let names: Vec<&str> = manifest.env.iter().map(|var| var.name.as_str()).collect();
    assert_eq!(
        names,
        ["API_KEY", "LOG_LEVEL"],
        "env keeps the declared order"
    );
    assert_eq!(
        manifest.env[1].at,
        Location {
            line: 5,
            column: 19
        },
        "each variable knows its spot"
    );
    assert_eq!(
        manifest.endpoints.len(),
        4,
        "every [[endpoints]] table is kept"
    );
    assert_eq!(
        manifest.endpoints[0].at.line, 7,
        "an endpoint is located at its [[endpoints]] header"
    );
    assert!(
        manifest.needs("API_KEY"),
        "needs() finds a declared variable"
    );
    assert!(!manifest.needs("PORT"), "needs() does not invent variables");
}

#[test]
fn probes_check_health_first_and_deletions_last() {
    let manifest = parse(GOOD, Path::new("deploy.toml")).expect("the example manifest is valid");

    let order: Vec<(&str, String, bool)> = manifest
        .probes()
        .into_iter()
        .map(|probe| (probe.method, probe.path, probe.open))
        .collect();

    assert_eq!(
        order,
        [
            ("GET", "/health".to_owned(), true),
            ("GET", "/products/0".to_owned(), false),
            ("POST", "/products".to_owned(), false),
            ("DELETE", "/products/0".to_owned(), false),
        ],
        "the health check comes first and only once, and is the one open probe; placeholders \
         become 0, an id no resource has; reads go before writes and DELETE goes last, so that no probe \
         removes what a later one needs"
    );
}

#[test]
fn each_bad_value_is_reported_at_its_line_and_field() {
    // (key to replace, replacement line, field, line, words the message must hold)
    let cases = [
        ("port", "port = 70000", "port", 3, "from 1 to 65535"),
        ("port", "port = 0", "port", 3, "from 1 to 65535"),
        ("port", "port = \"8080\"", "port", 3, "expected a number"),
        ("image", "image = \"restlings-shop\"", "image", 1, "no tag"),
        (
            "image",
            "image = \"restlings-shop:latest\"",
            "image",
            1,
            "latest",
        ),
        (
            "image",
            "image = \"Restlings-Shop:10\"",
            "image",
            1,
            "lowercase",
        ),
        (
            "binary",
            "binary = \"my shop\"",
            "binary",
            2,
            "binary target",
        ),
        ("health", "health = \"health\"", "health", 4, "start with /"),
        (
            "health",
            "health = \"/items/{id}\"",
            "health",
            4,
            "placeholder",
        ),
        ("env", "env = [\"api-key\"]", "env[0]", 5, "capitals"),
        (
            "env",
            "env = [\"API_KEY\", \"PORT\"]",
            "env[1]",
            5,
            "`port` field",
        ),
        (
            "env",
            "env = [\"API_KEY\", \"API_KEY\"]",
            "env[1]",
            5,
            "twice",
        ),
        (
            "env",
            "env = [\"API_KEY\", 3]",
            "env[1]",
            5,
            "expected a string",
        ),
        (
            "method = \"DELETE\"",
            "method = \"delete\"",
            "endpoints[0].method",
            8,
            "write \"DELETE\"",
        ),
        (
            "method = \"DELETE\"",
            "method = \"FETCH\"",
            "endpoints[0].method",
            8,
            "not an HTTP method",
        ),
        (
            "path = \"/products/{id}\"",
            "path = \"products\"",
            "endpoints[0].path",
            9,
            "start with /",
        ),
        (
            "path = \"/products/{id}\"",
            "path = \"/products/id{id}\"",
            "endpoints[0].path",
            9,
            "whole segment",
        ),
        (
            "path = \"/products/{id}\"",
            "path = \"/products?id=1\"",
            "endpoints[0].path",
            9,
            "query",
        ),
    ];

    for (key, line, field, expected_line, words) in cases {
        let text = good_with(key, line);

        let invalid = invalid(&text);

        let problem = invalid
            .problems
            .iter()
            .find(|problem| problem.field == field)
            .unwrap_or_else(|| {
                panic!("`{line}` must be reported under the field {field}, got {invalid}")
            });
        assert_eq!(
            problem.at.line, expected_line,
            "`{line}` must be reported on line {expected_line}, where it is, got {invalid}"
        );
        assert!(
            problem.message.contains(words),
            "the message for `{line}` must say {words:?} so the learner knows what to write, got {invalid}"
        );
    }
}

#[test]
fn missing_fields_are_each_named_with_what_to_write() {
    let invalid = invalid("[[endpoints]]\nmethod = \"GET\"\n");

    for field in [
        "image",
        "binary",
        "port",
        "health",
        "env",
        "endpoints[0].path",
    ] {
        let problem = invalid
            .problems
            .iter()
            .find(|problem| problem.field == field);
        assert!(
            problem.is_some_and(|problem| problem.message.contains("missing: add")),
            "a manifest without {field} must say so and say what to add, got {invalid}"
        );
    }
}

#[test]
fn an_endpoint_declared_twice_is_reported_at_the_second_table() {
    let text = format!("{GOOD}\n[[endpoints]]\nmethod = \"POST\"\npath = \"/products\"\n");

    let invalid = invalid(&text);

    assert_eq!(
        invalid.problems.len(),
        1,
        "only the duplicate is wrong, got {invalid}"
    );
    assert_eq!(
        invalid.problems[0].field, "endpoints[4]",
        "the duplicate is the fifth table, got {invalid}"
    );
    assert_eq!(
        invalid.problems[0].at.line, 23,
        "the duplicate's [[endpoints]] header is on line 23, got {invalid}"
    );
}

#[test]
fn syntax_errors_and_unknown_fields_name_the_line_and_the_key() {
    let cases = [
        (good_with("port", "port = "), "port", 3),
        (good_with("port", "prot = 8080"), "prot", 3),
        (good_with("health", "health = [\"/health\"]"), "health", 4),
        (
            format!("{GOOD}\n[[endpoints]]\nverb = \"GET\"\n"),
            "endpoints[4].verb",
            24,
        ),
    ];

    for (text, field, line) in cases {
        let invalid = invalid(&text);

        // A misspelt field is reported with every other problem (here, the
        // field it should have been is also missing): look for it among them.
        let at = invalid
            .problems
            .iter()
            .find(|problem| problem.field == field)
            .map(|problem| problem.at.line);
        assert_eq!(
            at,
            Some(line),
            "a problem must point at {field} on line {line}, got {invalid}"
        );
    }
}

#[test]
fn the_report_lists_every_problem_as_file_line_column_field() {
    let text =
        good_with("port", "port = -1").replace("health = \"/health\"", "health = \"health\"");

    let report = invalid(&text).to_string();

    assert!(
        report.starts_with("deploy.toml has 2 problems:"),
        "the report opens with the file and the count, got:\n{report}"
    );
    assert!(
        report.contains("\n  deploy.toml:3:8: port: -1 is not a port")
            && report.contains("\n  deploy.toml:4:10: health: \"health\" does not start with /"),
        "each problem reads file:line:column: field: message, in file order, got:\n{report}"
    );
}

#[test]
fn load_says_which_file_it_cannot_read() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("deploy.toml");

    let error = deploy_manifest::load(&path).expect_err("there is no file to read");

    let message = error.to_string();
    assert!(
        message.contains(&path.display().to_string()) && message.contains("Check the path"),
        "a missing manifest names the path and what to check, got: {message}"
    );
}

#[test]
fn a_stack_beside_the_manifest_is_optional_and_kept_as_written() {
    let without = parse(GOOD, Path::new("deploy.toml")).expect("the example manifest is valid");
    assert_eq!(
        without.stack, None,
        "a manifest without `stack` deploys one container or binary, as in chapter 10"
    );
    let text = good_with("port", "port = 8080\nstack = \"stack.yml\"");
    let with = parse(&text, Path::new("deploy.toml")).expect("a stack beside it is valid");
    assert_eq!(
        with.stack.as_deref(),
        Some("stack.yml"),
        "stack is kept as written, relative to the manifest"
    );
}

#[test]
fn a_stack_that_is_not_a_yaml_file_beside_the_manifest_is_refused_at_its_line() {
    for (value, says) in [
        ("\"/etc/stack.yml\"", "not a path beside the manifest"),
        ("\"C:/stack.yml\"", "not a path beside the manifest"),
        ("\"stack.toml\"", "not a stack file"),
        ("3", "expected a string"),
    ] {
        let text = good_with("port", &format!("port = 8080\nstack = {value}"));
        let problems = invalid(&text).problems;
        let problem = problems.iter().find(|problem| problem.field == "stack");
        assert!(
            problem.is_some_and(|problem| problem.at.line == 4 && problem.message.contains(says)),
            "stack = {value} must be a problem at line 4, field stack, saying {says:?}; got \
             {problems:?}"
        );
    }
}

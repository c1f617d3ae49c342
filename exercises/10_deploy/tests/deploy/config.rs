//! Configuration: every bad value refused with the variable named, first as a
//! pure function, then by the real binary at startup.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use deploy::{Config, ConfigError, DEFAULT_PORT, LogLevel};

use crate::{KEY, skip_in_url_mode};

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::from_vars(vars.iter().copied())
}

#[test]
fn with_no_variable_set_every_default_applies() {
    if skip_in_url_mode("the configuration test") {
        return;
    }

    let config = config(&[("HOME", "/root"), ("PATH", "/usr/bin")]);

    let config = config.unwrap_or_else(|error| {
        panic!("with PORT, API_KEY and LOG_LEVEL unset the service must start, but got: {error}")
    });
    assert_eq!(
        config.port, DEFAULT_PORT,
        "an unset PORT means 8080, as in chapter 9"
    );
    assert!(
        config.api_key.is_none(),
        "an unset API_KEY means no key: the API stays open, as in chapters 1 to 9"
    );
    assert_eq!(
        config.log_level,
        LogLevel::Info,
        "an unset LOG_LEVEL means info"
    );
}

#[test]
fn good_values_are_read_as_given() {
    if skip_in_url_mode("the configuration test") {
        return;
    }

    let config = config(&[("PORT", "3000"), ("API_KEY", KEY), ("LOG_LEVEL", "DEBUG")]);

    let config = config.unwrap_or_else(|error| {
        panic!("PORT=3000, a key and LOG_LEVEL=DEBUG are all valid, got: {error}")
    });
    assert_eq!(config.port, 3000, "PORT=3000 is port 3000");
    assert!(
        config.api_key.as_ref().is_some_and(|key| key.matches(KEY)),
        "API_KEY={KEY} is the key the service must then demand"
    );
    assert_eq!(
        config.log_level,
        LogLevel::Debug,
        "LOG_LEVEL is read in any case: DEBUG is debug"
    );
    for (level, expected) in [
        ("error", LogLevel::Error),
        ("warn", LogLevel::Warn),
        ("info", LogLevel::Info),
        ("trace", LogLevel::Trace),
    ] {
        let read = self::config(&[("LOG_LEVEL", level)]).map(|config| config.log_level);
        assert_eq!(
            read,
            Ok(expected),
            "LOG_LEVEL={level} is one of the five accepted levels"
        );
    }
}

#[test]
fn each_bad_value_stops_the_start_with_the_variable_and_what_it_accepts() {
    if skip_in_url_mode("the configuration test") {
        return;
    }
    // (variable, value, words the message must contain besides the name)
    let cases = [
        ("PORT", "abc", "1 to 65535"),
        ("PORT", "70000", "1 to 65535"),
        ("PORT", "0", "1 to 65535"),
        ("PORT", "-1", "1 to 65535"),
        ("PORT", "", "1 to 65535"),
        ("API_KEY", "", "unset API_KEY"),
        ("API_KEY", "two words", "letters, digits"),
        ("API_KEY", "key\"quote", "letters, digits"),
        ("LOG_LEVEL", "verbose", "error, warn, info, debug, trace"),
        ("LOG_LEVEL", "", "error, warn, info, debug, trace"),
    ];

    for (name, value, accepted) in cases {
        let result = config(&[(name, value)]);

        let message = match result {
            Ok(config) => panic!(
                "{name}={value:?} must stop the service at startup, but it was read as {config:?}. \
                 A bad value is never replaced by a default in silence: the operator would \
                 never learn that their setting was ignored."
            ),
            Err(error) => error.to_string(),
        };
        assert!(
            message.contains(name) && message.contains(accepted),
            "the error for {name}={value:?} must name {name} and say what it accepts ({accepted:?}), \
             so the operator can fix it without reading the code. Got: {message}"
        );
    }
}

#[test]
fn the_key_never_shows_in_debug_output_and_matches_only_itself() {
    if skip_in_url_mode("the configuration test") {
        return;
    }
    let config = config(&[("API_KEY", KEY)])
        .unwrap_or_else(|error| panic!("{KEY} is a valid key, got: {error}"));
    let Some(key) = config.api_key.clone() else {
        panic!("API_KEY={KEY} must give Some(key)");
    };

    let printed = format!("{config:?}");

    assert!(
        !printed.contains(KEY),
        "Debug output ends up in logs and panic messages, so it must not show the secret. \
         Got: {printed}"
    );
    assert!(key.matches(KEY), "the key matches itself");
    for wrong in [
        "",
        "test-key",
        &format!("{KEY}x"),
        &KEY.to_uppercase(),
        &KEY[1..],
    ] {
        assert!(
            !key.matches(wrong),
            "the key {KEY:?} must not match {wrong:?}"
        );
    }
}

// The real binary, started with bad values.

/// The package's binary, which cargo builds before it runs these tests:
/// `target/debug/<package>`, next to the `deps/` folder this test runs from.
pub fn binary() -> PathBuf {
    let test = std::env::current_exe().expect("a test knows its own path");
    let dir = test
        .parent()
        .and_then(Path::parent)
        .expect("tests run from target/<profile>/deps");
    dir.join(format!(
        "{}{}",
        env!("CARGO_PKG_NAME"),
        std::env::consts::EXE_SUFFIX
    ))
}

#[test]
fn a_bad_variable_stops_the_binary_at_startup_with_its_name() {
    if skip_in_url_mode("the startup test") {
        return;
    }
    let binary = binary();
    assert!(
        binary.is_file(),
        "cargo builds src/main.rs before the tests, as {}; it is not there",
        binary.display()
    );

    for (name, value) in [("PORT", "70000"), ("API_KEY", ""), ("LOG_LEVEL", "loud")] {
        let mut command = Command::new(&binary);
        command.env_clear().env(name, value);
        if name != "PORT" {
            // A free port: if the bad value were ignored, the service would
            // start and this test would say so, rather than fail to bind 8080.
            command.env("PORT", kit::free_port().to_string());
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > Duration::from_secs(10) => {
                    let _ = child.kill();
                    panic!(
                        "with {name}={value:?} the binary was still running after 10 s: a bad \
                         value must stop it at startup, before it listens"
                    );
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(error) => panic!("cannot wait for the binary: {error}"),
            }
        };
        let stderr = child
            .wait_with_output()
            .map(|output| String::from_utf8_lossy(&output.stderr).into_owned())
            .unwrap_or_default();

        assert!(
            !status.success(),
            "with {name}={value:?} the binary must exit with a failure status, so an orchestrator \
             sees the deployment fail; it exited with {status}"
        );
        assert!(
            stderr.contains(name) && !stderr.contains("panicked"),
            "with {name}={value:?} the binary must print an error naming {name}, not panic. \
             It printed:\n{stderr}"
        );
    }
}

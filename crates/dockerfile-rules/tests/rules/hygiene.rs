//! DR007 add-local-files, DR008 secret-in-env, DR009 dockerignore,
//! DR010 apt-get-hygiene, DR011 add-url.

use dockerfile_rules::{Options, RuleId, Severity};

use crate::{
    GOOD, assert_quiet_on_good, findings, findings_with, good_with, line_of, one_finding, render,
};

#[test]
fn add_of_local_files_is_flagged() {
    let dockerfile = good_with("COPY src ./src", "ADD src ./src");
    let finding = one_finding(RuleId::AddLocalFiles, &dockerfile);
    assert_eq!(
        finding.line,
        Some(line_of(&dockerfile, "ADD src ./src")),
        "DR007 should point at the ADD"
    );
    assert!(
        finding.fix.contains("COPY src ./src"),
        "the fix should spell out the COPY: {}",
        finding.fix
    );
}

#[test]
fn the_reference_dockerfile_copies_with_copy() {
    assert_quiet_on_good(RuleId::AddLocalFiles);
}

#[test]
fn add_of_a_url_is_a_warning_of_its_own() {
    let dockerfile = good_with(
        "USER app\n",
        "ADD https://example.com/app.toml /etc/app.toml\nUSER app\n",
    );
    assert!(
        findings(RuleId::AddLocalFiles, &dockerfile).is_empty(),
        "a URL is not a local file, so DR007 should stay quiet"
    );
    let finding = one_finding(RuleId::AddUrl, &dockerfile);
    assert_eq!(
        finding.severity,
        Severity::Warning,
        "ADD of a URL is a warning, not an error"
    );
}

#[test]
fn add_of_a_url_with_a_checksum_is_accepted() {
    let dockerfile = good_with(
        "USER app\n",
        "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2015d0549ba4a3e6 https://example.com/app.toml /etc/app.toml\nUSER app\n",
    );
    let found = findings(RuleId::AddUrl, &dockerfile);
    assert!(
        found.is_empty(),
        "a checksummed download is verified, got:\n{}",
        render(&found)
    );
}

#[test]
fn the_reference_dockerfile_downloads_nothing_with_add() {
    assert_quiet_on_good(RuleId::AddUrl);
}

#[test]
fn secret_looking_env_and_arg_names_are_flagged_in_any_case() {
    for line in [
        "ENV API_KEY=abc",
        "ARG GITHUB_TOKEN",
        "ENV db_password=x",
        "ENV A=1 MY_SECRET_THING=2",
        "ENV STRIPE_KEY sk_live",
    ] {
        let dockerfile = good_with("ENV PORT=8080", line);
        let found = findings(RuleId::SecretInEnv, &dockerfile);
        assert_eq!(
            found.len(),
            1,
            "`{line}` declares a secret, got:\n{}",
            render(&found)
        );
        assert_eq!(
            found[0].line,
            Some(line_of(&dockerfile, line)),
            "DR008 should point at `{line}`"
        );
    }
}

#[test]
fn a_secret_in_a_global_arg_is_flagged() {
    let dockerfile = format!("ARG NPM_TOKEN\n{GOOD}");
    let found = findings(RuleId::SecretInEnv, &dockerfile);
    assert_eq!(
        found.len(),
        1,
        "a global ARG is baked in too, got:\n{}",
        render(&found)
    );
    assert_eq!(
        found[0].line,
        Some(1),
        "DR008 should point at the global ARG"
    );
}

#[test]
fn ordinary_names_are_not_secrets() {
    for line in [
        "ENV KEYBOARD=us",
        "ENV TOKENIZER=simple",
        "ARG RUST_LOG=info",
    ] {
        let dockerfile = good_with("ENV PORT=8080", &format!("ENV PORT=8080\n{line}"));
        let found = findings(RuleId::SecretInEnv, &dockerfile);
        assert!(
            found.is_empty(),
            "`{line}` is no secret, got:\n{}",
            render(&found)
        );
    }
}

#[test]
fn the_reference_dockerfile_keeps_secrets_out() {
    assert_quiet_on_good(RuleId::SecretInEnv);
}

#[test]
fn a_missing_dockerignore_is_flagged() {
    let found = findings_with(RuleId::Dockerignore, GOOD, None, &Options::default());
    assert_eq!(
        found.len(),
        1,
        "expected one DR009, got:\n{}",
        render(&found)
    );
    assert!(
        found[0]
            .to_string()
            .starts_with(".dockerignore: error[DR009] dockerignore:"),
        "the finding should name the .dockerignore file: {}",
        found[0]
    );
}

#[test]
fn each_missing_exclusion_is_flagged() {
    let cases = [
        ("target/\n", ".git"),
        (".git\n", "target/"),
        ("*.log\n!target\n", "target/"),
    ];
    for (ignore, missing) in cases {
        let found = findings_with(
            RuleId::Dockerignore,
            GOOD,
            Some(ignore),
            &Options::default(),
        );
        assert!(
            found
                .iter()
                .any(|f| f.message.contains(&format!("`{missing}`"))),
            ".dockerignore {ignore:?} does not exclude {missing}, got:\n{}",
            render(&found)
        );
    }
}

#[test]
fn every_usual_spelling_of_the_exclusions_is_accepted() {
    for ignore in [
        "target\n.git\n",
        "/target\n/.git/\n",
        "**/target\n**/.git\n",
        "# allow-list\n*\n!src\n!Cargo.toml\n",
    ] {
        let found = findings_with(
            RuleId::Dockerignore,
            GOOD,
            Some(ignore),
            &Options::default(),
        );
        assert!(
            found.is_empty(),
            ".dockerignore {ignore:?} excludes both, got:\n{}",
            render(&found)
        );
    }
}

#[test]
fn the_reference_dockerignore_excludes_target_and_git() {
    assert_quiet_on_good(RuleId::Dockerignore);
}

#[test]
fn apt_get_install_with_recommends_and_lists_is_flagged_twice() {
    let dockerfile = good_with(
        "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends ca-certificates \\\n    && rm -rf /var/lib/apt/lists/*",
        "RUN apt-get update && apt-get install -y ca-certificates",
    );
    let found = findings(RuleId::AptGetHygiene, &dockerfile);
    assert_eq!(
        found.len(),
        2,
        "both the recommends and the lists should be flagged, got:\n{}",
        render(&found)
    );
    let line = line_of(
        &dockerfile,
        "RUN apt-get update && apt-get install -y ca-certificates",
    );
    assert!(
        found.iter().all(|f| f.line == Some(line)),
        "both should point at the RUN:\n{}",
        render(&found)
    );
    assert!(
        found.iter().all(|f| f.severity == Severity::Warning),
        "image size is a warning"
    );
}

#[test]
fn cleaning_the_lists_in_a_later_run_is_too_late() {
    let dockerfile = good_with(
        " \\\n    && rm -rf /var/lib/apt/lists/*\n",
        "\nRUN rm -rf /var/lib/apt/lists/*\n",
    );
    let found = findings(RuleId::AptGetHygiene, &dockerfile);
    assert_eq!(
        found.len(),
        1,
        "the lists are already in the install layer, got:\n{}",
        render(&found)
    );
    assert!(
        found[0].message.contains("/var/lib/apt/lists"),
        "the finding should be about the lists, not the recommends: {}",
        found[0].message
    );
}

#[test]
fn an_apt_get_install_in_a_heredoc_is_read_too() {
    let dockerfile = good_with(
        "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends ca-certificates \\\n    && rm -rf /var/lib/apt/lists/*",
        "RUN <<EOF\napt-get update\napt-get install -y ca-certificates\nrm -rf /var/lib/apt/lists/*\nEOF",
    );
    let found = findings(RuleId::AptGetHygiene, &dockerfile);
    assert_eq!(
        found.len(),
        1,
        "only --no-install-recommends is missing, got:\n{}",
        render(&found)
    );
}

#[test]
fn the_reference_dockerfile_installs_lean() {
    assert_quiet_on_good(RuleId::AptGetHygiene);
}

#[test]
fn an_ignore_file_that_lets_env_and_key_files_through_is_flagged_once_for_each() {
    let found = findings_with(
        RuleId::IgnoreSecrets,
        GOOD,
        Some("target/\n.git\n"),
        &Options::default(),
    );
    let missing: Vec<&str> = [".env", "*.pem", "*.key"]
        .into_iter()
        .filter(|name| {
            found
                .iter()
                .any(|f| f.message.contains(&format!("`{name}`")))
        })
        .collect();
    assert_eq!(
        (found.len(), missing),
        (3, vec![".env", "*.pem", "*.key"]),
        "an ignore file with only target/ and .git lets `.env` and key files into the build: \
         one DR013 for each, got:\n{}",
        render(&found)
    );
    assert!(
        found[0]
            .to_string()
            .starts_with(".dockerignore: error[DR013] ignore-secrets:"),
        "DR013 is about the ignore file, and names it: {}",
        found[0]
    );
}

#[test]
fn the_usual_spellings_of_the_secret_exclusions_are_accepted() {
    for ignore in [
        "target\n.git\n.env\n*.pem\n*.key\n",
        "target\n.git\n**/.env*\n**/*.pem\n**/*.key\n",
        "# allow-list\n*\n!src\n!Cargo.toml\n",
    ] {
        let found = findings_with(
            RuleId::IgnoreSecrets,
            GOOD,
            Some(ignore),
            &Options::default(),
        );
        assert!(
            found.is_empty(),
            ".dockerignore {ignore:?} keeps .env and key files out, got:\n{}",
            render(&found)
        );
    }
    let taken_back = findings_with(
        RuleId::IgnoreSecrets,
        GOOD,
        Some("target\n.git\n.env\n*.pem\n*.key\n!.env\n"),
        &Options::default(),
    );
    assert_eq!(
        taken_back.len(),
        1,
        "a later `!.env` lets .env back in, got:\n{}",
        render(&taken_back)
    );
}

#[test]
fn without_an_ignore_file_only_dr009_speaks() {
    let found = findings_with(RuleId::IgnoreSecrets, GOOD, None, &Options::default());
    assert!(
        found.is_empty(),
        "with no ignore file at all, DR009 asks for one; DR013 should not add to it, got:\n{}",
        render(&found)
    );
}

#[test]
fn the_reference_dockerignore_keeps_secrets_out() {
    assert_quiet_on_good(RuleId::IgnoreSecrets);
}

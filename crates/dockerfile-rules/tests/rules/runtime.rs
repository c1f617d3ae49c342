//! DR004 final-stage-root, DR005 missing-expose, DR006 shell-form-command.

use dockerfile_rules::{Options, RuleId};

use crate::{
    GOOD_IGNORE, assert_quiet_on_good, findings, findings_with, good_with, line_of, one_finding,
    render,
};

#[test]
fn a_final_stage_without_user_runs_as_root() {
    let dockerfile = good_with("USER app\n", "");
    let finding = one_finding(RuleId::FinalStageRoot, &dockerfile);
    assert_eq!(
        finding.line,
        Some(line_of(&dockerfile, "FROM debian:trixie-20251117-slim")),
        "with no USER at all, DR004 should point at the final FROM"
    );
}

#[test]
fn root_by_name_or_by_id_is_flagged_at_its_user_line() {
    for user in ["root", "0", "0:0", "root:app"] {
        let dockerfile = good_with("USER app", &format!("USER {user}"));
        let found = findings(RuleId::FinalStageRoot, &dockerfile);
        assert_eq!(
            found.len(),
            1,
            "`USER {user}` is root, got:\n{}",
            render(&found)
        );
        assert_eq!(
            found[0].line,
            Some(line_of(&dockerfile, &format!("USER {user}"))),
            "DR004 should point at `USER {user}`"
        );
    }
}

#[test]
fn the_last_user_wins() {
    let back_to_root = good_with("USER app\n", "USER app\nUSER root\n");
    let found = findings(RuleId::FinalStageRoot, &back_to_root);
    assert_eq!(
        found.len(),
        1,
        "USER root after USER app runs as root, got:\n{}",
        render(&found)
    );

    let root_then_app = good_with("USER app\n", "USER root\nUSER app\n");
    let found = findings(RuleId::FinalStageRoot, &root_then_app);
    assert!(
        found.is_empty(),
        "USER app comes last, so the service is not root, got:\n{}",
        render(&found)
    );
}

#[test]
fn a_user_set_only_in_the_build_stage_does_not_count() {
    let dockerfile =
        good_with("USER app\n", "").replacen("WORKDIR /app\n", "WORKDIR /app\nUSER 10001\n", 1);
    let found = findings(RuleId::FinalStageRoot, &dockerfile);
    assert_eq!(
        found.len(),
        1,
        "the builder's USER does not carry into the final stage, got:\n{}",
        render(&found)
    );
}

#[test]
fn the_reference_dockerfile_runs_as_a_non_root_user() {
    assert_quiet_on_good(RuleId::FinalStageRoot);
}

#[test]
fn a_final_stage_without_expose_is_flagged() {
    let dockerfile = good_with("EXPOSE 8080\n", "");
    let finding = one_finding(RuleId::MissingExpose, &dockerfile);
    assert_eq!(
        finding.line,
        Some(line_of(&dockerfile, "FROM debian:trixie-20251117-slim")),
        "with no EXPOSE at all, DR005 should point at the final FROM"
    );
}

#[test]
fn exposing_the_wrong_port_is_flagged_at_the_expose() {
    let dockerfile = good_with("EXPOSE 8080", "EXPOSE 3000");
    let finding = one_finding(RuleId::MissingExpose, &dockerfile);
    assert_eq!(
        finding.line,
        Some(line_of(&dockerfile, "EXPOSE 3000")),
        "DR005 should point at the EXPOSE that names the wrong port"
    );
}

#[test]
fn protocols_ranges_and_variables_can_expose_the_port() {
    for expose in ["EXPOSE 8080/tcp", "EXPOSE 9000 8000-8090", "EXPOSE ${PORT}"] {
        let dockerfile = good_with("EXPOSE 8080", expose);
        let found = findings(RuleId::MissingExpose, &dockerfile);
        assert!(
            found.is_empty(),
            "`{expose}` exposes 8080 (PORT=8080), got:\n{}",
            render(&found)
        );
    }
}

#[test]
fn the_port_comes_from_the_options() {
    let options = Options {
        port: 3000,
        ..Options::default()
    };
    let found = findings_with(
        RuleId::MissingExpose,
        crate::GOOD,
        Some(GOOD_IGNORE),
        &options,
    );
    assert_eq!(
        found.len(),
        1,
        "a service on port 3000 must EXPOSE 3000, got:\n{}",
        render(&found)
    );
    assert!(
        found[0].fix.contains("EXPOSE 3000"),
        "the fix should name the configured port: {}",
        found[0].fix
    );
}

#[test]
fn the_reference_dockerfile_exposes_the_port() {
    assert_quiet_on_good(RuleId::MissingExpose);
}

#[test]
fn a_shell_form_cmd_is_flagged_with_its_exec_form_as_the_fix() {
    let dockerfile = good_with(
        r#"CMD ["/usr/local/bin/service"]"#,
        "CMD /usr/local/bin/service --port 8080",
    );
    let finding = one_finding(RuleId::ShellFormCommand, &dockerfile);
    assert_eq!(
        finding.line,
        Some(line_of(
            &dockerfile,
            "CMD /usr/local/bin/service --port 8080"
        )),
        "DR006 should point at the CMD"
    );
    assert!(
        finding
            .fix
            .contains(r#"CMD ["/usr/local/bin/service", "--port", "8080"]"#),
        "the fix should spell out the exec form: {}",
        finding.fix
    );
}

#[test]
fn a_shell_form_entrypoint_is_flagged() {
    let dockerfile = good_with(
        r#"CMD ["/usr/local/bin/service"]"#,
        "ENTRYPOINT /usr/local/bin/service",
    );
    one_finding(RuleId::ShellFormCommand, &dockerfile);
}

#[test]
fn the_reference_dockerfile_uses_exec_form() {
    assert_quiet_on_good(RuleId::ShellFormCommand);
}

#[test]
fn a_final_stage_without_healthcheck_is_flagged() {
    let dockerfile = crate::GOOD
        .lines()
        .filter(|line| !line.starts_with("HEALTHCHECK"))
        .map(|line| format!("{line}\n"))
        .collect::<String>();
    let finding = one_finding(RuleId::MissingHealthcheck, &dockerfile);
    assert_eq!(
        finding.line,
        Some(line_of(&dockerfile, "FROM debian:trixie-20251117-slim")),
        "DR012 should point at the final stage's FROM, where the HEALTHCHECK belongs"
    );
    assert!(
        finding.fix.contains("--health-check") && finding.fix.contains("no curl"),
        "the fix should name the binary's own health-check mode, and why not curl: {}",
        finding.fix
    );
}

#[test]
fn healthcheck_none_and_a_healthcheck_in_the_build_stage_do_not_count() {
    let switched_off = good_with("\nCMD [", "\nHEALTHCHECK NONE\nCMD [");
    let finding = one_finding(RuleId::MissingHealthcheck, &switched_off);
    assert_eq!(
        finding.line,
        Some(line_of(&switched_off, "HEALTHCHECK NONE")),
        "the last HEALTHCHECK wins, and NONE switches the check off"
    );
    let in_builder = crate::GOOD
        .lines()
        .filter(|line| !line.starts_with("HEALTHCHECK"))
        .map(|line| format!("{line}\n"))
        .collect::<String>()
        .replacen(
            "WORKDIR /app\n",
            "WORKDIR /app\nHEALTHCHECK CMD [\"true\"]\n",
            1,
        );
    assert_eq!(
        findings(RuleId::MissingHealthcheck, &in_builder).len(),
        1,
        "a HEALTHCHECK in the build stage never reaches the image that ships"
    );
}

#[test]
fn the_reference_dockerfile_has_a_healthcheck() {
    assert_quiet_on_good(RuleId::MissingHealthcheck);
}

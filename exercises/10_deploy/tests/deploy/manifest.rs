//! `deploy.toml`: valid by the rules `restlings deploy` applies, and true to
//! what the app serves.

use std::path::{Path, PathBuf};

use deploy::DEFAULT_PORT;
use kit::{Method, StatusCode};

use crate::CONTRACT;
use crate::auth::{expect_unauthorized, guarded};

fn manifest_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(deploy_manifest::FILE_NAME)
}

fn manifest() -> deploy_manifest::Manifest {
    deploy_manifest::load(&manifest_path()).unwrap_or_else(|error| {
        panic!(
            "deploy.toml must pass the same checks as `restlings deploy`:\n{error}\n\
             Each line gives the file, line, column and field to fix."
        )
    })
}

#[test]
fn the_manifest_describes_the_service_as_it_runs() {
    let manifest = manifest();

    assert_eq!(
        manifest.port, DEFAULT_PORT,
        "deploy.toml: `port` is the port the service listens on in its container: 8080, the \
         default of PORT and the port the Dockerfile EXPOSEs"
    );
    assert_eq!(
        manifest.health, "/health",
        "deploy.toml: `health` is the open health check, /health"
    );
    assert_eq!(
        manifest.binary,
        env!("CARGO_PKG_NAME"),
        "deploy.toml: `binary` names the program src/main.rs builds, which cargo names after the package"
    );
    assert!(
        manifest.needs("API_KEY"),
        "deploy.toml: `env` must list API_KEY, or the deployment never receives a key and runs \
         with the API open to anyone"
    );
}

#[test]
fn the_manifest_declares_exactly_the_endpoints_of_the_contract() {
    let manifest = manifest();
    let declared: Vec<(String, String)> = manifest
        .endpoints
        .iter()
        .map(|endpoint| (endpoint.method.clone(), endpoint.path.clone()))
        .collect();

    let missing: Vec<String> = CONTRACT
        .iter()
        .filter(|(method, path)| !declared.iter().any(|(m, p)| m == method && p == path))
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    let extra: Vec<String> = declared
        .iter()
        .filter(|(method, path)| !CONTRACT.iter().any(|(m, p)| m == method && p == path))
        .map(|(method, path)| format!("{method} {path}"))
        .collect();

    assert!(
        missing.is_empty(),
        "deploy.toml must declare every endpoint the service exposes, so that a deployment is \
         checked against all of them. Add an [[endpoints]] table for each of: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "deploy.toml declares endpoints the contract does not have: {extra:?}. Write the path \
         as the router does, with {{id}} for the id."
    );
}

#[tokio::test]
async fn every_declared_endpoint_is_served_and_guarded() {
    let manifest = manifest();
    let Some((app, key)) = guarded().await else {
        return;
    };
    let bearer = format!("Bearer {key}");

    for probe in manifest.probes() {
        let method =
            Method::from_bytes(probe.method.as_bytes()).expect("the manifest checked the method");
        let without = app.request(method.clone(), &probe.path).await;
        if probe.open {
            without.expect_status(
                StatusCode::OK,
                "The health check answers without credentials.",
            );
            continue;
        }
        expect_unauthorized(
            &without,
            "Each endpoint the manifest declares demands the key, as `restlings deploy` checks.",
        );

        let with = app
            .request(method, &probe.path)
            .header("authorization", &bearer)
            .await;

        with.expect(
            ![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&with.status()),
            format!("not 404 or 405 for {} {}", probe.method, probe.declared),
            format!("status {}", with.status()),
            "deploy.toml must declare only what the service serves: with the key, a declared \
             endpoint must reach a route (placeholders such as {id} are sent as 0, which the \
             shop answers with 400 since ids are positive). 404 means no route has this path, \
             405 means the path has no such method.",
        );
    }
}

//! `stack.yml`, read as YAML and checked field by field, with the reason for
//! each field. The same checks guard the live test: a stack that fails one is
//! never deployed.

use std::path::PathBuf;
use std::time::Duration;

use serde_norway::Value;

use crate::{BOOK, crate_dir};

/// The stack's services, as the tests and the book name them.
pub const API: &str = "api";
pub const DB: &str = "db";
pub const PROXY: &str = "proxy";
/// How many replicas of the API the chapter runs.
pub const REPLICAS: u64 = 3;
/// The port the API and the proxy listen on inside their containers.
pub const PORT: u64 = 8080;
/// Where Docker mounts the secret `api_key`.
pub const KEY_FILE: &str = "/run/secrets/api_key";
/// Where PostgreSQL keeps its data in the image.
pub const PG_DATA: &str = "/var/lib/postgresql/data";

pub fn stack_path() -> PathBuf {
    crate_dir().join("stack.yml")
}

/// The stack file, parsed; a file that is missing or not YAML fails here.
pub fn load() -> Value {
    let path = stack_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read {}: {error}. The chapter's stack file lives beside Cargo.toml.",
            path.display()
        )
    });
    serde_norway::from_str(&text).unwrap_or_else(|error| {
        panic!(
            "{} is not valid YAML: {error}. YAML nests by indentation, with spaces only (no \
             tabs), and a list item starts with `- `. See {BOOK}.",
            path.display()
        )
    })
}

/// The value at a dotted path such as `services.api.deploy.replicas`.
pub fn at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |value, key| value.get(key))
}

fn text(value: Option<&Value>) -> String {
    match value {
        None => "nothing".to_owned(),
        Some(value) => serde_norway::to_string(value)
            .map(|yaml| yaml.trim().to_owned())
            .unwrap_or_else(|_| format!("{value:?}")),
    }
}

/// A Compose duration such as `10s`, `1m30s` or `500ms`.
pub fn duration(value: &Value) -> Option<Duration> {
    let raw = value.as_str()?.trim();
    let mut total = Duration::ZERO;
    let mut rest = raw;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit() && c != '.')?;
        let (number, tail) = rest.split_at(digits);
        let number: f64 = number.parse().ok()?;
        let unit = tail
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit);
        let seconds = match unit {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return None,
        };
        total += Duration::from_secs_f64(number * seconds);
        rest = tail;
    }
    (!raw.is_empty()).then_some(total)
}

// One check per promise of the stack. Each returns what is wrong, written for
// the learner, or nothing.

pub fn three_services(stack: &Value) -> Result<(), String> {
    let missing: Vec<&str> = [API, DB, PROXY]
        .into_iter()
        .filter(|name| at(stack, &format!("services.{name}")).is_none())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "stack.yml must define the services {API}, {DB} and {PROXY} under `services:`; it lacks \
         {missing:?}. The tests and `restlings deploy` find them by these names."
    ))
}

pub fn replicas_without_a_virtual_ip(stack: &Value) -> Result<(), String> {
    let replicas = at(stack, "services.api.deploy.replicas");
    if replicas.and_then(Value::as_u64) != Some(REPLICAS) {
        return Err(format!(
            "services.api.deploy.replicas must be {REPLICAS}; it is {}. One replica is one \
             process: when it stops, for an update or a crash, the shop is down. With three, a \
             load balancer sends each request to one that is up. See {BOOK}, \"Why replicas\".",
            text(replicas)
        ));
    }
    let mode = at(stack, "services.api.deploy.endpoint_mode");
    if mode.and_then(Value::as_str) != Some("dnsrr") {
        return Err(format!(
            "services.api.deploy.endpoint_mode must be dnsrr; it is {}. By default swarm gives a \
             service one virtual IP and balances connections with the kernel's IPVS, which not \
             every machine has (this course's CI has not). With dnsrr the name `api` resolves to \
             one address per healthy replica, and nginx balances. See {BOOK}.",
            text(mode)
        ));
    }
    let db_mode = at(stack, "services.db.deploy.endpoint_mode");
    if db_mode.and_then(Value::as_str) != Some("dnsrr") {
        return Err(format!(
            "services.db.deploy.endpoint_mode must be dnsrr too; it is {}. The API reaches the \
             database by its name, db: behind a virtual IP, on a machine without IPVS, that name \
             leads nowhere and every replica fails to start.",
            text(db_mode)
        ));
    }
    Ok(())
}

pub fn a_health_check(stack: &Value) -> Result<(), String> {
    let test = at(stack, "services.api.healthcheck.test");
    let words: Vec<&str> = test
        .and_then(Value::as_sequence)
        .map(|words| words.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if words.first() != Some(&"CMD") || !words.contains(&"--health-check") {
        return Err(format!(
            "services.api.healthcheck.test must run the shop's own check, [\"CMD\", \
             \"/usr/local/bin/shop\", \"--health-check\"]; it is {}. Swarm starts sending \
             traffic to a replica, and a rolling update moves on, only once its health check \
             passes, and it replaces a replica whose check keeps failing. Exec form (CMD), since \
             the image has no shell to spare. See {BOOK}, \"Liveness and readiness\".",
            text(test)
        ));
    }
    let interval = at(stack, "services.api.healthcheck.interval");
    match interval.and_then(duration) {
        Some(every) if every <= Duration::from_secs(5) => Ok(()),
        _ => Err(format!(
            "services.api.healthcheck.interval must be 5s or less, such as 2s; it is {}. Docker \
             runs the first check one interval after the start, so with the default 30 s each \
             replica of a rolling update waits half a minute before it counts as healthy.",
            text(interval)
        )),
    }
}

pub fn a_start_first_rolling_update(stack: &Value) -> Result<(), String> {
    let order = at(stack, "services.api.deploy.update_config.order");
    if order.and_then(Value::as_str) != Some("start-first") {
        return Err(format!(
            "services.api.deploy.update_config.order must be start-first; it is {}. The default, \
             stop-first, stops an old replica before its successor is up, so during an update \
             only 2 of 3 replicas serve, and with 1 replica nothing does. start-first starts the \
             new one, waits for its health check, then stops an old one: Kubernetes calls it \
             maxSurge 1, maxUnavailable 0. See {BOOK}, \"Rolling updates\".",
            text(order)
        ));
    }
    let parallelism = at(stack, "services.api.deploy.update_config.parallelism");
    if parallelism.and_then(Value::as_u64) != Some(1) {
        return Err(format!(
            "services.api.deploy.update_config.parallelism must be 1; it is {}. One replica at \
             a time: if the new version is broken, one replica fails its health check and the \
             update stops there, while the others still run the old version.",
            text(parallelism)
        ));
    }
    let failure = at(stack, "services.api.deploy.update_config.failure_action");
    if failure.and_then(Value::as_str) != Some("rollback") {
        return Err(format!(
            "services.api.deploy.update_config.failure_action must be rollback; it is {}. The \
             default, pause, leaves a half-updated service; rollback puts the old version back \
             on its own when a new replica never becomes healthy.",
            text(failure)
        ));
    }
    Ok(())
}

pub fn a_grace_period_longer_than_the_shutdown(stack: &Value) -> Result<(), String> {
    let grace = containerize::Timeouts::DEFAULT.shutdown_grace;
    let period = at(stack, "services.api.stop_grace_period");
    match period.and_then(duration) {
        Some(period) if period > grace => Ok(()),
        _ => Err(format!(
            "services.api.stop_grace_period must be longer than the {grace:?} the shop gives its \
             requests in flight after SIGTERM, such as 10s; it is {}. Swarm sends SIGTERM, waits \
             this long, then sends SIGKILL: the default 10 s is just enough, a shorter one kills \
             the shop while it still answers, and the clients see broken connections in the \
             middle of every update. See {BOOK}, \"Graceful shutdown\".",
            text(period)
        )),
    }
}

pub fn the_key_as_a_secret_file(stack: &Value) -> Result<(), String> {
    let environment = at(stack, "services.api.environment");
    let variable = |name: &str| -> Option<String> {
        let environment = environment?;
        if let Some(list) = environment.as_sequence() {
            return list.iter().filter_map(Value::as_str).find_map(|entry| {
                let (key, value) = entry.split_once('=').unwrap_or((entry, ""));
                (key == name).then(|| value.to_owned())
            });
        }
        environment.get(name).map(|value| match value {
            Value::String(text) => text.clone(),
            other => text(Some(other)),
        })
    };
    if variable("API_KEY").is_some() {
        return Err(format!(
            "services.api.environment sets API_KEY: the key would sit in this file, in Git, and \
             in every `docker service inspect`. Hand it over as a swarm secret instead: set \
             API_KEY_FILE: {KEY_FILE} and list `api_key` under the service's `secrets:`. See \
             {BOOK}, \"Configuration and secrets\"."
        ));
    }
    if variable("API_KEY_FILE").as_deref() != Some(KEY_FILE) {
        return Err(format!(
            "services.api.environment must set API_KEY_FILE: {KEY_FILE}, the file where Docker \
             mounts the secret `api_key`; it sets {}. The `_FILE` suffix is the usual convention: \
             the service reads the value from that file.",
            variable("API_KEY_FILE").map_or("nothing".to_owned(), |value| format!("{value:?}"))
        ));
    }
    let secrets = at(stack, "services.api.secrets");
    let listed = secrets.and_then(Value::as_sequence).is_some_and(|list| {
        list.iter().any(|secret| {
            secret.as_str() == Some("api_key")
                || at(secret, "source").and_then(Value::as_str) == Some("api_key")
        })
    });
    if !listed {
        return Err(format!(
            "services.api.secrets must list api_key; it is {}. A service sees only the secrets \
             it lists: without it, {KEY_FILE} does not exist and the shop cannot start.",
            text(secrets)
        ));
    }
    let declared = at(stack, "secrets.api_key");
    let external = declared
        .and_then(|secret| secret.get("external"))
        .and_then(Value::as_bool)
        == Some(true);
    if !external {
        return Err(format!(
            "the top-level secrets.api_key must say `external: true`; it is {}. An external \
             secret is created before the deploy, from the shell (`printf '%s' \"$API_KEY\" | \
             docker secret create shop_api_key -`), so the key is in no file of the repository.",
            text(declared)
        ));
    }
    Ok(())
}

pub fn postgres_keeps_its_data_in_a_volume(stack: &Value) -> Result<(), String> {
    let volumes = at(stack, "services.db.volumes");
    let named = volumes.and_then(Value::as_sequence).and_then(|list| {
        list.iter().find_map(|volume| match volume {
            Value::String(short) => {
                let (source, target) = short.split_once(':')?;
                let target = target.split(':').next()?;
                (target == PG_DATA).then(|| source.to_owned())
            }
            long => {
                let target = at(long, "target").and_then(Value::as_str)?;
                let source = at(long, "source").and_then(Value::as_str)?;
                (target == PG_DATA).then(|| source.to_owned())
            }
        })
    });
    let Some(name) = named else {
        return Err(format!(
            "services.db.volumes must mount a named volume at {PG_DATA}, such as \
             `- db-data:{PG_DATA}`; it is {}. A container's own files go with it: without a \
             volume, a new task of db, after a crash or an update, starts with an empty \
             database, and every product and order is gone. See {BOOK}.",
            text(volumes)
        ));
    };
    if name.starts_with('/') || name.starts_with('.') {
        return Err(format!(
            "services.db.volumes mounts the host folder {name:?}: a swarm may start db on any \
             node, where that folder is not. Use a named volume, such as db-data, declared under \
             the top-level `volumes:`."
        ));
    }
    if at(stack, &format!("volumes.{name}")).is_none()
        && !stack
            .get("volumes")
            .and_then(Value::as_mapping)
            .is_some_and(|volumes| volumes.contains_key(name.as_str()))
    {
        return Err(format!(
            "services.db mounts the volume {name}, but the top-level `volumes:` does not declare \
             it: add `volumes:` with `{name}:` under it, at the file's top level. `docker stack \
             deploy` refuses a service that names an undeclared volume."
        ));
    }
    Ok(())
}

pub fn the_proxy_reads_a_config_and_publishes_in_host_mode(stack: &Value) -> Result<(), String> {
    let configs = at(stack, "services.proxy.configs");
    let mounted = configs.and_then(Value::as_sequence).is_some_and(|list| {
        list.iter().any(|config| {
            at(config, "source").and_then(Value::as_str) == Some("nginx")
                && at(config, "target").and_then(Value::as_str) == Some("/etc/nginx/nginx.conf")
        })
    });
    if !mounted {
        return Err(format!(
            "services.proxy.configs must mount the config nginx at /etc/nginx/nginx.conf (`- \
             source: nginx` with `target: /etc/nginx/nginx.conf`); it is {}. A swarm config is \
             a file the orchestrator keeps and hands to every task of the service, on any node: \
             no image to rebuild for a change of configuration. See {BOOK}.",
            text(configs)
        ));
    }
    let file = at(stack, "configs.nginx.file").and_then(Value::as_str);
    if file.is_none_or(|file| !crate_dir().join(file).is_file()) {
        return Err(format!(
            "the top-level configs.nginx.file must name the nginx configuration beside the \
             stack file, ./nginx.conf; it is {}.",
            text(at(stack, "configs.nginx.file"))
        ));
    }
    let ports = at(stack, "services.proxy.ports");
    let published = ports.and_then(Value::as_sequence).and_then(|list| {
        list.iter()
            .find(|port| at(port, "target").and_then(Value::as_u64) == Some(PORT))
    });
    let Some(port) = published else {
        return Err(format!(
            "services.proxy.ports must publish the proxy's port {PORT} in the long form (`- \
             target: {PORT}`, `published: …`, `mode: host`); it is {}.",
            text(ports)
        ));
    };
    if at(port, "mode").and_then(Value::as_str) != Some("host") {
        return Err(format!(
            "services.proxy.ports publishes {PORT} with mode {}, not host. The default, ingress, \
             goes through swarm's routing mesh, which needs the kernel's IPVS: on Docker Desktop \
             it works, on this course's CI machine nothing answers. Host mode opens the port on \
             the node that runs the proxy, with nothing in between. See {BOOK}.",
            text(at(port, "mode"))
        ));
    }
    Ok(())
}

pub fn every_image_is_pinned(stack: &Value) -> Result<(), String> {
    let Some(services) = stack.get("services").and_then(Value::as_mapping) else {
        return Err("stack.yml has no `services:`".to_owned());
    };
    for (name, service) in services {
        let name = name.as_str().unwrap_or("?");
        let image = at(service, "image").and_then(Value::as_str).unwrap_or("");
        // ${SHOP_IMAGE:-restlings-shop:12}: the default is what deploys.
        let image = image
            .strip_prefix("${")
            .and_then(|rest| rest.split_once(":-"))
            .map_or(image, |(_, default)| default.trim_end_matches('}'));
        let last = image.rsplit('/').next().unwrap_or(image);
        let tag = last.split_once(':').map(|(_, tag)| tag);
        if matches!(tag, None | Some("") | Some("latest")) {
            return Err(format!(
                "services.{name}.image is {image:?}: pin a tag, such as postgres:17-trixie. A \
                 rolling update replaces replicas one by one; with a moving tag, two replicas \
                 can run two different builds, and a rollback rolls back to nothing in \
                 particular."
            ));
        }
    }
    Ok(())
}

/// One promise of the stack: what is wrong with it, or nothing.
pub type Check = fn(&Value) -> Result<(), String>;

/// Every check, in the order of the page.
pub const CHECKS: [(&str, Check); 9] = [
    ("services", three_services),
    ("replicas", replicas_without_a_virtual_ip),
    ("health check", a_health_check),
    ("rolling update", a_start_first_rolling_update),
    ("grace period", a_grace_period_longer_than_the_shutdown),
    ("secret", the_key_as_a_secret_file),
    ("volume", postgres_keeps_its_data_in_a_volume),
    ("proxy", the_proxy_reads_a_config_and_publishes_in_host_mode),
    ("images", every_image_is_pinned),
];

/// What is wrong with the stack, every check's complaint.
pub fn problems(stack: &Value) -> Vec<String> {
    CHECKS
        .iter()
        .filter_map(|(_, check)| check(stack).err())
        .collect()
}

#[track_caller]
fn pass(check: Check) {
    kit::quiet_panics();
    if let Err(problem) = check(&load()) {
        panic!("{}: {problem}", stack_path().display());
    }
}

#[test]
fn the_stack_defines_the_api_the_database_and_the_proxy() {
    pass(three_services);
}

#[test]
fn the_api_runs_three_replicas_found_by_dns() {
    pass(replicas_without_a_virtual_ip);
}

#[test]
fn each_replica_has_a_health_check_that_runs_the_shops_own() {
    pass(a_health_check);
}

#[test]
fn a_rolling_update_starts_each_new_replica_before_it_stops_an_old_one() {
    pass(a_start_first_rolling_update);
}

#[test]
fn swarm_waits_longer_than_the_shops_shutdown_before_it_kills() {
    pass(a_grace_period_longer_than_the_shutdown);
}

#[test]
fn the_api_key_is_a_swarm_secret_read_from_api_key_file() {
    pass(the_key_as_a_secret_file);
}

#[test]
fn postgres_keeps_its_data_in_a_named_volume() {
    pass(postgres_keeps_its_data_in_a_volume);
}

#[test]
fn nginx_gets_its_configuration_from_a_swarm_config_and_listens_in_host_mode() {
    pass(the_proxy_reads_a_config_and_publishes_in_host_mode);
}

#[test]
fn every_image_names_a_pinned_tag() {
    pass(every_image_is_pinned);
}

#[test]
fn durations_read_as_compose_writes_them() {
    for (raw, expected) in [
        ("10s", Duration::from_secs(10)),
        ("1m30s", Duration::from_secs(90)),
        ("500ms", Duration::from_millis(500)),
        ("1.5s", Duration::from_millis(1500)),
    ] {
        assert_eq!(
            duration(&Value::String(raw.to_owned())),
            Some(expected),
            "the tests read the Compose duration {raw:?} as {expected:?}"
        );
    }
    for raw in ["", "ten seconds", "10"] {
        assert_eq!(
            duration(&Value::String(raw.to_owned())),
            None,
            "{raw:?} is not a Compose duration: the tests must not guess one"
        );
    }
}

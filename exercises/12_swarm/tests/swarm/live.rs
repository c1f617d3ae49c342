//! The stack on a real one-node swarm, where a container engine answers:
//! deploy, wait for 3 healthy replicas, a smoke suite through the proxy, a
//! rolling update under a stream of orders, a killed replica; then everything
//! is removed, and the swarm left if this test joined it, whatever happened.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dockerfile_rules::engine;
use kit::{Method, StatusCode, TestApp, json};
use serde_json::Value;
use swarm::{Next, Outcome, next};
use tokio::sync::Semaphore;

use crate::stack::{self, API, REPLICAS};
use crate::{BOOK, CHAPTER, announce, course_root, crate_dir};

/// The Dockerfile of the service the stack runs, from the course's root.
const SHOP_DOCKERFILE: &str = "solutions/12_swarm/Dockerfile";
/// The stream of orders sent during the rolling update: this many, spread
/// over this long (and on, at the same pace, until the update is done).
const ORDERS: usize = 2_000;
const STREAM: Duration = Duration::from_secs(30);
/// How many of them may be in flight at once.
const IN_FLIGHT: usize = 32;
/// How long the swarm may take to converge: all replicas up and healthy.
const CONVERGE: Duration = Duration::from_secs(180);

// ---------------------------------------------------------------- docker ----

struct Docker {
    program: String,
}

impl Docker {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.env("DOCKER_BUILDKIT", "1").stdin(Stdio::null());
        command
    }

    /// Runs `docker ARGS`, its output captured; Err holds stderr.
    fn run(&self, args: &[&str]) -> Result<String, String> {
        self.run_with(args, &[], None)
    }

    fn run_with(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
        dir: Option<&Path>,
    ) -> Result<String, String> {
        let mut command = self.command();
        command.args(args).envs(env.iter().copied());
        if let Some(dir) = dir {
            command.current_dir(dir);
        }
        let output = command.output().map_err(|error| {
            format!("cannot run `{} {}`: {error}", self.program, args.join(" "))
        })?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(format!(
                "`{} {}` failed ({}): {}",
                self.program,
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    }

    /// `docker secret create NAME -`, the value on stdin, never in argv.
    fn create_secret(&self, name: &str, value: &str) -> Result<(), String> {
        use std::io::Write;
        let mut child = self
            .command()
            .args(["secret", "create", name, "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| format!("cannot run `{} secret create`: {error}", self.program))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(value.as_bytes())
                .map_err(|error| format!("cannot hand the secret to docker: {error}"))?;
        }
        let output = child
            .wait_with_output()
            .map_err(|error| format!("`docker secret create` did not finish: {error}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
        }
    }

    /// The API's containers: id and `docker ps` status, such as
    /// `Up 12 seconds (healthy)`.
    fn api_containers(&self, stack: &str) -> Vec<(String, String)> {
        let filter = format!("label=com.docker.swarm.service.name={stack}_{API}");
        self.run(&[
            "ps",
            "--filter",
            &filter,
            "--format",
            "{{.ID}}\t{{.Status}}",
        ])
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(id, status)| (id.to_owned(), status.to_owned()))
        .collect()
    }

    /// What the stack's services and tasks look like, for a failure report.
    fn status(&self, stack: &str) -> String {
        let services = self.run(&["stack", "services", stack]).unwrap_or_default();
        let tasks = self
            .run(&[
                "stack",
                "ps",
                stack,
                "--no-trunc",
                "--format",
                "{{.Name}}\t{{.Image}}\t{{.CurrentState}}\t{{.Error}}",
            ])
            .unwrap_or_default();
        // The shop logs to stderr, which `service logs` passes on as stderr.
        let logs = self
            .command()
            .args(["service", "logs", "--tail", "20", &format!("{stack}_{API}")])
            .output()
            .map(|output| {
                format!(
                    "{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                )
            })
            .unwrap_or_default();
        format!(
            "--- services ---\n{services}--- tasks ---\n{tasks}--- the API's last lines ---\n{logs}"
        )
    }
}

/// Everything the test created; dropping it removes all of it, also when
/// the test fails half-way.
struct Deployment {
    docker: Docker,
    stack: String,
    secret: String,
    images: Vec<String>,
    joined_swarm: bool,
}

impl Drop for Deployment {
    fn drop(&mut self) {
        let docker = &self.docker;
        let _ = docker.run(&["stack", "rm", &self.stack]);
        // The containers go first, then the secret, network and volume can.
        let label = format!("label=com.docker.stack.namespace={}", self.stack);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60)
            && !docker
                .run(&["ps", "-aq", "--filter", &label])
                .unwrap_or_default()
                .trim()
                .is_empty()
        {
            std::thread::sleep(Duration::from_millis(500));
        }
        let _ = docker.run(&["secret", "rm", &self.secret]);
        let volume = format!("{}_db-data", self.stack);
        for _ in 0..20 {
            if docker.run(&["volume", "rm", "-f", &volume]).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        for image in &self.images {
            let _ = docker.run(&["rmi", image]);
        }
        if self.joined_swarm {
            match docker.run(&["swarm", "leave", "--force"]) {
                Ok(_) => announce("removed the stack and left the swarm"),
                Err(error) => announce(&format!("could not leave the swarm: {error}")),
            }
        } else {
            announce("removed the stack; the swarm was there before, so it stays");
        }
    }
}

// ------------------------------------------------------------------ test ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stack_rolls_out_a_new_version_under_load_without_losing_or_doubling_an_order() {
    kit::quiet_panics();
    let program = match engine::find() {
        Ok(program) => program,
        Err(tried) if engine::required() => panic!(
            "{}=1, so this test must deploy the stack on a swarm, but no container engine \
             answers: {tried}. Start Docker, or set {} to the engine's program.",
            engine::REQUIRE_VAR,
            engine::ENGINE_VAR
        ),
        Err(tried) => {
            println!("SKIPPED: no container engine ({tried})");
            return;
        }
    };
    let problems = stack::problems(&stack::load());
    assert!(
        problems.is_empty(),
        "The stack is not deployed while stack.yml has problems; the other tests of this file \
         name each one:\n  - {}",
        problems.join("\n  - ")
    );
    let docker = Docker { program };
    let deployment = tokio::task::block_in_place(|| deploy(docker));
    let base = base_url();
    let app = TestApp::connect(&base, CHAPTER).with_timeout(Duration::from_secs(10));

    smoke(&app).await;
    announce("the smoke suite passed through the proxy: health, the key, an order and its retries");

    let update = rolling_update_under_load(&deployment, &base).await;
    announce(&update);

    kill_one_replica(&deployment, &base).await;
    // Removes the stack and leaves the swarm; a failed step above does the same.
    tokio::task::block_in_place(|| drop(deployment));
}

/// The proxy's address; one port per run, shared by the steps below.
fn base_url() -> String {
    format!("http://127.0.0.1:{}", proxy_port())
}

fn proxy_port() -> u16 {
    static PORT: std::sync::OnceLock<u16> = std::sync::OnceLock::new();
    *PORT.get_or_init(kit::free_port)
}

fn deploy(docker: Docker) -> Deployment {
    let run = format!("{}{}", std::process::id(), kit::unique_number() % 10_000);
    let stack = format!("restlings12t{run}");
    let image = format!("restlings-shop:12-test-{run}-a");
    let mut deployment = Deployment {
        docker,
        stack: stack.clone(),
        secret: format!("{stack}_api_key"),
        images: Vec::new(),
        joined_swarm: false,
    };
    let docker = &deployment.docker;

    // The swarm: this machine's, or a one-node swarm of our own.
    let state = docker
        .run(&["info", "--format", "{{.Swarm.LocalNodeState}}"])
        .unwrap_or_default();
    if state.trim() != "active" {
        docker
            .run(&["swarm", "init", "--advertise-addr", "127.0.0.1"])
            .unwrap_or_else(|error| {
                panic!("{error}\nThe engine runs but could not start a swarm. See {BOOK}.")
            });
        deployment.joined_swarm = true;
        announce("started a one-node swarm (docker swarm init --advertise-addr 127.0.0.1)");
    }

    // The image, built from the course's root as chapter 9 builds it.
    let root = course_root();
    announce(&format!("building {image} from {SHOP_DOCKERFILE}"));
    let started = Instant::now();
    let status = deployment
        .docker
        .command()
        .args(["build", "-f"])
        .arg(root.join(SHOP_DOCKERFILE))
        .args(["-t", &image])
        .arg(&root)
        // Its output goes straight to the terminal, past libtest's capture:
        // the first build takes minutes, and the log shows each step.
        .status();
    assert!(
        status.as_ref().is_ok_and(|status| status.success()),
        "`{} build -f {SHOP_DOCKERFILE} -t {image} .` failed ({status:?}); the log above shows \
         each step, the last one is the one that failed. Run it from the \
         course's root to see why.",
        deployment.docker.program
    );
    // The new version of the rolling update: the same build under another
    // tag, as a release pipeline would push it. Both tags go at the end.
    deployment.images.push(image.clone());
    deployment
        .images
        .push(format!("restlings-shop:12-test-{run}-b"));
    announce(&format!(
        "built {image} in {:.1} s",
        started.elapsed().as_secs_f64()
    ));

    deployment
        .docker
        .create_secret(&deployment.secret, &api_key())
        .unwrap_or_else(|error| panic!("cannot create the secret {}: {error}", deployment.secret));

    let port = proxy_port().to_string();
    let env = [
        ("SHOP_IMAGE", image.as_str()),
        ("SHOP_PORT", port.as_str()),
        ("SHOP_API_KEY_SECRET", deployment.secret.as_str()),
    ];
    deployment
        .docker
        .run_with(
            &["stack", "deploy", "-c", "stack.yml", &stack],
            &env,
            Some(&crate_dir()),
        )
        .unwrap_or_else(|error| {
            panic!("{error}\n`docker stack deploy` refused stack.yml. See {BOOK}.")
        });
    announce(&format!(
        "deployed the stack {stack}: {REPLICAS} replicas of {image} behind nginx on port {port}"
    ));
    let took = wait_for_replicas(&deployment, None);
    announce(&format!(
        "{REPLICAS} of {REPLICAS} replicas healthy, and the proxy answers, {:.1} s after the deploy",
        took.as_secs_f64()
    ));
    deployment
}

/// The API key, made once per run; the swarm secret holds it.
fn api_key() -> String {
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    KEY.get_or_init(|| format!("k12-{}-{}", std::process::id(), kit::unique_number()))
        .clone()
}

/// Waits until exactly `REPLICAS` API containers run and are healthy (none of
/// them `gone`, if given) and the proxy's health check answers 200.
fn wait_for_replicas(deployment: &Deployment, gone: Option<&str>) -> Duration {
    let started = Instant::now();
    let url = format!("{}/health", base_url());
    let mut seen = Vec::new();
    while started.elapsed() < CONVERGE {
        seen = deployment.docker.api_containers(&deployment.stack);
        let healthy = seen
            .iter()
            .filter(|(id, status)| status.contains("(healthy)") && Some(id.as_str()) != gone)
            .count();
        if healthy == seen.len() && healthy == REPLICAS as usize && proxy_answers(&url) {
            return started.elapsed();
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!(
        "After {CONVERGE:?}, the stack still does not run {REPLICAS} healthy replicas behind a \
         proxy that answers GET /health; the API's containers are {seen:?}.\n{}\nSee {BOOK}.",
        deployment.docker.status(&deployment.stack)
    );
}

/// True when `GET url` (an `http://127.0.0.1:PORT/...` address) answers 200.
fn proxy_answers(url: &str) -> bool {
    use std::io::{Read, Write};
    let Some((address, path)) = url
        .strip_prefix("http://")
        .and_then(|rest| rest.split_once('/'))
    else {
        return false;
    };
    let Ok(mut stream) = std::net::TcpStream::connect(address) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    let mut answer = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut answer).is_ok()
        && answer.starts_with("HTTP/1.1 200")
}

// ----------------------------------------------------------------- smoke ----

async fn smoke(app: &TestApp) {
    let bearer = format!("Bearer {}", api_key());
    app.get("/health").await.expect_status(
        StatusCode::OK,
        "GET /health through the proxy answers 200 without a key: load balancers and \
         orchestrators probe it with none (chapter 10).",
    );
    app.get("/products").await.expect_status(
        StatusCode::UNAUTHORIZED,
        "GET /products without the key answers 401: the replicas read the key from the swarm \
         secret, through API_KEY_FILE. A 200 means they found no key and left the API open.",
    );
    app.get("/products")
        .header("authorization", &bearer)
        .await
        .expect_status(
            StatusCode::OK,
            "GET /products with the secret's key answers 200, through the proxy, from any \
             replica.",
        );
    let order_key = kit::unique_name("swarm-smoke");
    let body = json!({"product_id": 1, "quantity": 2});
    let first = app
        .request(Method::POST, "/orders")
        .header("authorization", &bearer)
        .header("Idempotency-Key", &order_key)
        .json(&body)
        .await;
    let why = "POST /orders with a new Idempotency-Key places the order: 201 (chapter 8).";
    first.expect_status(StatusCode::CREATED, why);
    let order = first.json(why);
    // Each retry and each read may land on another replica: the proxy takes
    // turns. All of them must agree, because the state is in PostgreSQL.
    for attempt in 1..=REPLICAS {
        let retry = app
            .request(Method::POST, "/orders")
            .header("authorization", &bearer)
            .header("Idempotency-Key", &order_key)
            .json(&body)
            .await;
        let why = "A retry of POST /orders with the same Idempotency-Key replays the first \
                   order, whichever replica answers it: the keys are in the shared database, \
                   not in one process's memory (chapter 11).";
        retry.expect_status(StatusCode::CREATED, why);
        let replayed = retry.json(why);
        retry.expect(
            replayed == order,
            format!("the first order, {order}"),
            format!("on retry {attempt}, {replayed}"),
            why,
        );
        let id = order["id"].as_u64().unwrap_or_default();
        let read = app
            .get(&format!("/orders/{id}"))
            .header("authorization", &bearer)
            .await;
        read.expect_status(
            StatusCode::OK,
            "GET /orders/{id} finds the order on every replica: they share one database.",
        );
    }
}

// -------------------------------------------------------- rolling update ----

/// What became of one order of the stream.
struct Placed {
    key: String,
    quantity: u64,
    attempts: u32,
    /// The order ids of every 201 it got, one per attempt that got one.
    ids: Vec<u64>,
    /// The last attempt's outcome.
    last: Outcome,
    detail: String,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(2))
        .build()
        .unwrap_or_else(|error| panic!("cannot build an HTTP client: {error}"))
}

/// Sends one request until `next` says it is done or gives up.
async fn with_retries(
    client: &reqwest::Client,
    request: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
) -> (u32, Outcome, Option<Value>, Vec<u64>, String) {
    let mut attempt = 0;
    let mut ids = Vec::new();
    loop {
        attempt += 1;
        let (outcome, body, detail) = match request(client).send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let body: Option<Value> = response.json().await.ok();
                (Outcome::Status(status), body, String::new())
            }
            Err(error) => (Outcome::NoAnswer, None, error.to_string()),
        };
        if outcome == Outcome::Status(201)
            && let Some(id) = body.as_ref().and_then(|body| body["id"].as_u64())
        {
            ids.push(id);
        }
        match next(attempt, outcome) {
            Next::RetryAfter(pause) => tokio::time::sleep(pause).await,
            Next::Done | Next::GiveUp => return (attempt, outcome, body, ids, detail),
        }
    }
}

async fn place_order(
    client: reqwest::Client,
    base: Arc<str>,
    bearer: Arc<str>,
    key: String,
    quantity: u64,
) -> Placed {
    let url = format!("{base}/orders");
    let body = json!({"product_id": 1, "quantity": quantity});
    let (attempts, last, _, ids, detail) = with_retries(&client, |client| {
        client
            .post(&url)
            .header("authorization", &*bearer)
            .header("idempotency-key", &key)
            .json(&body)
    })
    .await;
    Placed {
        key,
        quantity,
        attempts,
        ids,
        last,
        detail,
    }
}

async fn rolling_update_under_load(deployment: &Deployment, base: &str) -> String {
    let bearer: Arc<str> = format!("Bearer {}", api_key()).into();
    let base: Arc<str> = base.into();
    let client = client();
    let docker = &deployment.docker;
    let service = format!("{}_{API}", deployment.stack);
    let [image, next_image] = &deployment.images[..] else {
        panic!(
            "the deployment names two image tags: {:?}",
            deployment.images
        );
    };
    docker
        .run(&["tag", image, next_image])
        .unwrap_or_else(|error| panic!("cannot tag the new version: {error}"));

    let run = kit::unique_number();
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let pace = STREAM / ORDERS as u32;
    let mut tasks = tokio::task::JoinSet::new();
    let started = Instant::now();
    let mut update_started: Option<Instant> = None;
    let mut update_took: Option<Duration> = None;
    let mut sent = 0usize;
    let mut ticker = tokio::time::interval(pace);
    while sent < ORDERS || update_took.is_none() {
        ticker.tick().await;
        if started.elapsed() > CONVERGE {
            break;
        }
        // The update starts 2 s into the stream, and is watched as it goes.
        if update_started.is_none() && started.elapsed() >= Duration::from_secs(2) {
            docker
                .run(&[
                    "service", "update", "--detach", "--image", next_image, &service,
                ])
                .unwrap_or_else(|error| panic!("{error}\nthe rolling update did not start"));
            update_started = Some(Instant::now());
        }
        if let (Some(since), None) = (update_started, update_took)
            && sent.is_multiple_of(50)
        {
            let state = docker
                .run(&[
                    "service",
                    "inspect",
                    "--format",
                    "{{.UpdateStatus.State}}",
                    &service,
                ])
                .unwrap_or_default();
            match state.trim() {
                "completed" => update_took = Some(since.elapsed()),
                "rollback_started" | "rollback_completed" | "paused" => panic!(
                    "The rolling update to {next_image} failed: swarm says {}. A new replica \
                     never became healthy.\n{}",
                    state.trim(),
                    docker.status(&deployment.stack)
                ),
                _ => {}
            }
        }
        let permit = Arc::clone(&gate)
            .acquire_owned()
            .await
            .unwrap_or_else(|error| panic!("the request gate closed: {error}"));
        let (client, base, bearer) = (client.clone(), Arc::clone(&base), Arc::clone(&bearer));
        let key = format!("roll-{run}-{sent}");
        let quantity = 1 + (sent as u64 % 9);
        tasks.spawn(async move {
            let placed = place_order(client, base, bearer, key, quantity).await;
            drop(permit);
            placed
        });
        sent += 1;
    }
    let mut placed = Vec::with_capacity(sent);
    while let Some(done) = tasks.join_next().await {
        placed.push(done.unwrap_or_else(|error| panic!("a request task failed: {error}")));
    }
    let streamed = started.elapsed();
    let Some(update_took) = update_took else {
        panic!(
            "The rolling update to {next_image} did not complete within {CONVERGE:?}.\n{}",
            docker.status(&deployment.stack)
        );
    };
    tokio::task::block_in_place(|| wait_for_replicas(deployment, None));
    let images = docker
        .run(&[
            "service",
            "ps",
            &service,
            "--filter",
            "desired-state=running",
            "--format",
            "{{.Image}}",
        ])
        .unwrap_or_default();
    assert!(
        images.lines().count() == REPLICAS as usize
            && images
                .lines()
                .all(|image| image.trim() == next_image.as_str()),
        "After the update every replica must run {next_image}; swarm runs {images:?}."
    );

    // Assert: nothing failed, nothing doubled, everything readable.
    let retried = placed.iter().filter(|order| order.attempts > 1).count();
    let failed: Vec<&Placed> = placed
        .iter()
        .filter(|order| order.last != Outcome::Status(201) || order.ids.is_empty())
        .collect();
    let duplicates = duplicates(&placed);
    announce(&format!(
        "rolling update under load: {sent} orders sent in {:.1} s, {retried} retried, {} failed \
         after retries, {} duplicate orders; the update took {:.1} s",
        streamed.as_secs_f64(),
        failed.len(),
        duplicates.len(),
        update_took.as_secs_f64()
    ));
    assert!(
        failed.is_empty(),
        "{} of {sent} orders failed even after their retries, during a rolling update that \
         should lose no request. The first ones:\n{}\nA replica that stops must finish its \
         requests (graceful shutdown, a stop_grace_period longer than it), a new one must get \
         traffic only once healthy, and the client must retry what did not reach the service. \
         See {BOOK}.\n{}",
        failed.len(),
        failed
            .iter()
            .take(5)
            .map(|order| format!(
                "  {}: {} attempts, last {:?} {}",
                order.key, order.attempts, order.last, order.detail
            ))
            .collect::<Vec<_>>()
            .join("\n"),
        docker.status(&deployment.stack)
    );
    assert!(
        duplicates.is_empty(),
        "Retries made duplicate orders ({} in all; the first ones):\n  {}\nA retry with the \
         same Idempotency-Key must replay the first order, on whichever replica it lands: the \
         keys must live in the shared database (chapter 11). One id answering two keys means \
         the replicas number their orders each on their own, in memory. See {BOOK}, \"Retries \
         need idempotency\".",
        duplicates.len(),
        duplicates
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    );

    // Every order readable, and no order that nobody asked for.
    let readable = read_back(&client, &base, &bearer, &placed).await;
    assert!(
        readable.is_empty(),
        "Orders the stream placed cannot be read back as they were placed:\n  {}",
        readable.join("\n  ")
    );
    format!(
        "every one of the {sent} orders reads back as placed, from any replica; {REPLICAS} \
         replicas run {next_image}"
    )
}

/// Each key must have got one order id, however many attempts it took, and
/// no id may answer two keys.
fn duplicates(placed: &[Placed]) -> Vec<String> {
    let mut owner: BTreeMap<u64, &str> = BTreeMap::new();
    let mut duplicates = Vec::new();
    for order in placed {
        let ids: BTreeSet<u64> = order.ids.iter().copied().collect();
        if ids.len() > 1 {
            duplicates.push(format!(
                "the key {} got the orders {ids:?}: its retries made new orders",
                order.key
            ));
        }
        for id in ids {
            if let Some(other) = owner.insert(id, &order.key) {
                duplicates.push(format!(
                    "the order {id} was the answer to two keys, {other} and {}",
                    order.key
                ));
            }
        }
    }
    duplicates
}

/// GET every order of the stream, and the ids just above the last one, which
/// no order of ours has: an order there was made by an attempt whose answer
/// was lost, and whose retry made another.
async fn read_back(
    client: &reqwest::Client,
    base: &str,
    bearer: &str,
    placed: &[Placed],
) -> Vec<String> {
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = tokio::task::JoinSet::new();
    let ours: BTreeSet<u64> = placed
        .iter()
        .flat_map(|order| order.ids.first().copied())
        .collect();
    let (Some(&low), Some(&high)) = (ours.first(), ours.last()) else {
        return vec!["no order was placed at all".to_owned()];
    };
    let mut checks: Vec<(u64, Option<u64>)> = placed
        .iter()
        .filter_map(|order| Some((*order.ids.first()?, Some(order.quantity))))
        .collect();
    checks.extend(
        (low..=high + 20)
            .filter(|id| !ours.contains(id))
            .map(|id| (id, None)),
    );
    for (id, quantity) in checks {
        let permit = Arc::clone(&gate)
            .acquire_owned()
            .await
            .unwrap_or_else(|error| panic!("the request gate closed: {error}"));
        let client = client.clone();
        let url = format!("{base}/orders/{id}");
        let bearer = bearer.to_owned();
        tasks.spawn(async move {
            let (_, outcome, body, _, detail) =
                with_retries(&client, |client| client.get(&url).header("authorization", &bearer)).await;
            drop(permit);
            match (quantity, outcome) {
                (Some(quantity), Outcome::Status(200)) => {
                    let got = body.as_ref().map(|body| body["quantity"].clone());
                    (got != Some(json!(quantity))).then(|| {
                        format!("GET /orders/{id} answers {body:?}, not the quantity {quantity} it was placed with")
                    })
                }
                (Some(_), other) => Some(format!("GET /orders/{id} answers {other:?} {detail}: a placed order must be readable")),
                (None, Outcome::Status(404)) => None,
                (None, Outcome::Status(200)) => Some(format!(
                    "GET /orders/{id} finds an order that no key of the stream got as its answer: a duplicate made by a retry"
                )),
                (None, other) => Some(format!("GET /orders/{id} answers {other:?} {detail}")),
            }
        });
    }
    let mut problems = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Some(problem) = done.unwrap_or_else(|error| panic!("a read task failed: {error}")) {
            problems.push(problem);
        }
    }
    problems.truncate(10);
    problems
}

// ----------------------------------------------------------- a replica dies ----

async fn kill_one_replica(deployment: &Deployment, base: &str) {
    let docker = &deployment.docker;
    let containers = docker.api_containers(&deployment.stack);
    let Some((victim, _)) = containers.first() else {
        panic!("no API container to kill: {containers:?}");
    };
    let bearer = format!("Bearer {}", api_key());
    let client = client();
    let url = format!("{base}/products");
    let probing = {
        let (client, url, bearer) = (client.clone(), url.clone(), bearer.clone());
        tokio::spawn(async move {
            let started = Instant::now();
            let (mut sent, mut failed, mut retried) = (0u32, Vec::new(), 0u32);
            while started.elapsed() < Duration::from_secs(10) {
                let (attempts, outcome, _, _, detail) = with_retries(&client, |client| {
                    client.get(&url).header("authorization", &bearer)
                })
                .await;
                sent += 1;
                if attempts > 1 {
                    retried += 1;
                }
                if outcome != Outcome::Status(200) {
                    failed.push(format!("{outcome:?} {detail}"));
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (sent, retried, failed)
        })
    };
    // Orders too: a POST that the killed replica had taken gets no answer, and
    // nginx does not send a POST again; the client's retry, with its key, must.
    let ordering = {
        let (client, base, bearer) = (
            client.clone(),
            Arc::<str>::from(base),
            Arc::<str>::from(bearer.as_str()),
        );
        tokio::spawn(async move {
            let run = kit::unique_number();
            let started = Instant::now();
            let mut orders = tokio::task::JoinSet::new();
            let mut sent = 0u64;
            while started.elapsed() < Duration::from_secs(10) {
                let key = format!("kill-{run}-{sent}");
                let task = place_order(
                    client.clone(),
                    Arc::clone(&base),
                    Arc::clone(&bearer),
                    key,
                    1 + sent % 9,
                );
                orders.spawn(task);
                sent += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let mut placed = Vec::new();
            while let Some(done) = orders.join_next().await {
                placed.push(done.unwrap_or_else(|error| panic!("an order task failed: {error}")));
            }
            placed
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    docker
        .run(&["kill", victim])
        .unwrap_or_else(|error| panic!("{error}\ncannot kill the replica {victim}"));
    let killed = Instant::now();
    let (sent, retried, failed) = probing
        .await
        .unwrap_or_else(|error| panic!("the probing task failed: {error}"));
    let placed = ordering
        .await
        .unwrap_or_else(|error| panic!("the ordering task failed: {error}"));
    tokio::task::block_in_place(|| wait_for_replicas(deployment, Some(victim)));
    let orders_retried = placed.iter().filter(|order| order.attempts > 1).count();
    let orders_failed: Vec<String> = placed
        .iter()
        .filter(|order| order.last != Outcome::Status(201) || order.ids.is_empty())
        .map(|order| format!("{}: {:?} {}", order.key, order.last, order.detail))
        .collect();
    let doubled = duplicates(&placed);
    announce(&format!(
        "killed replica {victim}: {sent} reads and {} orders meanwhile, {} retried, {} failed \
         after retries, {} duplicate orders; swarm replaced it, {REPLICAS} healthy replicas \
         again {:.1} s after the kill",
        placed.len(),
        retried as usize + orders_retried,
        failed.len() + orders_failed.len(),
        doubled.len(),
        killed.elapsed().as_secs_f64()
    ));
    assert!(
        orders_failed.is_empty(),
        "While one replica was killed, {} of {} orders failed even after their retries: {:?}. \
         A POST the dead replica had taken gets no answer, and nginx rightly does not send a \
         POST again; the client must, with the same Idempotency-Key. See {BOOK}, \"Retries \
         need idempotency\".",
        orders_failed.len(),
        placed.len(),
        orders_failed.iter().take(5).collect::<Vec<_>>()
    );
    assert!(
        doubled.is_empty(),
        "While one replica was killed, retries made duplicate orders ({} in all; the first \
         ones):\n  {}\nA retry with the same Idempotency-Key must replay the first order, on \
         whichever replica it lands. See {BOOK}.",
        doubled.len(),
        doubled
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    );
    let unreadable = read_back(&client, base, &bearer, &placed).await;
    assert!(
        unreadable.is_empty(),
        "Orders placed while a replica was killed cannot be read back as placed:\n  {}",
        unreadable.join("\n  ")
    );
    assert!(
        failed.is_empty(),
        "While one replica was killed (`docker kill`, no graceful shutdown), {} of {sent} reads \
         through the proxy failed even after retries: {:?}. The other replicas must carry the \
         load: nginx tries the next replica when one refuses (`proxy_next_upstream error`), and \
         swarm's DNS drops the dead one. See {BOOK}.",
        failed.len(),
        failed.iter().take(5).collect::<Vec<_>>()
    );
}

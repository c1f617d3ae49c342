//! What the dashboard's tests share: a dashboard on loopback, and simulated
//! learners that use the real client.

#![allow(dead_code)] // each test file uses its own part

use restlings_class::client::{self, Delivery, Membership};
use restlings_class::server::{self, Options};
use restlings_class::wire::{Exercise, Status};
use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

pub const CODE: &str = "K7QM-2XFA";
pub const TOKEN: &str = "0123456789abcdef0123456789abcdef";
pub const TIMEOUT: Duration = Duration::from_secs(5);

pub fn options() -> Options {
    Options {
        code: CODE.to_owned(),
        token: TOKEN.to_owned(),
        stuck_after: Duration::from_secs(600),
        burst: 10,
        every: Duration::from_secs(1),
        max_learners: 500,
    }
}

/// A dashboard on 127.0.0.1, in a runtime of its own; stops when dropped.
pub struct Running {
    pub url: String,
    pub address: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Running {
    pub fn start(options: Options) -> Running {
        Running::on(options, SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn on(options: Options, address: SocketAddr) -> Running {
        let (ready_tx, ready_rx) = mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = thread::spawn(move || {
            let runtime =
                tokio::runtime::Runtime::new().expect("a tokio runtime for the dashboard");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(address)
                    .await
                    .expect("the dashboard binds its loopback port");
                let bound = listener.local_addr().expect("the bound address");
                let (router, _) = server::app(options);
                ready_tx
                    .send(bound)
                    .expect("the test waits for the address");
                server::serve(listener, router, async {
                    let _ = stopped.await;
                })
                .await
                .expect("the dashboard serves until stopped");
            });
        });
        let address = ready_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the dashboard is listening within 10 s");
        Running {
            url: format!("http://{address}"),
            address,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The board as `GET /api/board` shows it to the instructor.
    pub fn view(&self) -> serde_json::Value {
        let (status, body) = get(&format!("{}/api/board?token={TOKEN}", self.url));
        assert_eq!(
            status, 200,
            "the instructor's token opens the board: {body}"
        );
        serde_json::from_str(&body).expect("the board is JSON")
    }

    pub fn stop(mut self) {
        self.shut();
    }

    pub fn shut(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shut();
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(TIMEOUT))
        .proxy(None)
        .build()
        .into()
}

pub fn get(url: &str) -> (u16, String) {
    let mut response = agent().get(url).call().expect("the dashboard answers");
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    (status, body)
}

/// One simulated learner: a course folder of their own and a membership.
pub struct Learner {
    pub root: tempfile::TempDir,
    pub membership: Membership,
}

impl Learner {
    pub fn join(url: &str, name: &str) -> Learner {
        let root = tempfile::tempdir().expect("a temp course folder");
        let membership = Membership::new(url, CODE, name).expect("a good membership");
        membership.save(root.path()).expect("class.toml is written");
        Learner { root, membership }
    }

    /// What the runner does after a check: record, then deliver.
    pub fn check(&self, exercises: Vec<Exercise>) -> Delivery {
        client::record(self.root.path(), &self.membership, exercises)
            .expect("the report is queued");
        client::deliver(self.root.path(), TIMEOUT).expect("the outbox is readable")
    }

    pub fn queued(&self) -> usize {
        client::queued(&self.root.path().join(client::DIR).join("outbox")).len()
    }
}

pub fn exercise(name: &str, status: Status, failing: &[&str]) -> Exercise {
    Exercise {
        name: name.to_owned(),
        status,
        passed: Some(3),
        failed: Some(u32::try_from(failing.len()).unwrap_or(0)),
        failing: failing.iter().map(|test| (*test).to_owned()).collect(),
        checked_at: client::now(),
        same_since: None,
    }
}

/// Learner `i`'s progress after `round` checks: the first `(i + round) % 6`
/// chapters pass, the next fails on a test that depends on `i`, the rest
/// are not checked yet.
pub fn progress(i: usize, round: usize) -> Vec<Exercise> {
    let done = (i + round) % 6;
    let mut exercises: Vec<Exercise> = (0..done)
        .map(|chapter| exercise(&format!("0{chapter}_ch"), Status::Passes, &[]))
        .collect();
    let test = format!("test_{}", i % 3);
    exercises.push(exercise(&format!("0{done}_ch"), Status::Fails, &[&test]));
    exercises
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

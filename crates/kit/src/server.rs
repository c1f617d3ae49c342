//! The in-process server: the learner's router on a loopback port, in a thread
//! of its own so that a handler stuck in a loop cannot freeze the test's client.

use std::net::SocketAddr;
use std::thread;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::oneshot;
use tower_http::catch_panic::CatchPanicLayer;

/// Prefix of the body the kit sends when a handler panics, so that failure
/// reports can tell a `todo!()` from a real 500.
pub(crate) const PANIC_PREFIX: &str = "handler panicked: ";

pub(crate) struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl Running {
    pub(crate) async fn start(app: Router) -> Running {
        let app = app.layer(CatchPanicLayer::custom(panic_to_500));
        let (ready_tx, ready_rx) = oneshot::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        thread::Builder::new()
            .name("restlings-server".into())
            .spawn(move || serve(app, ready_tx, stop_rx))
            .expect("the kit could not start a thread for the server");
        let addr = match ready_rx.await {
            Ok(Ok(addr)) => addr,
            Ok(Err(why)) => panic!("the kit could not start your app on 127.0.0.1: {why}"),
            Err(_) => panic!("the kit's server thread stopped before it was ready"),
        };
        Running {
            addr,
            stop: Some(stop_tx),
        }
    }

    pub(crate) fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            // The server may already be gone; nothing to do then.
            let _ = stop.send(());
        }
    }
}

type Ready = oneshot::Sender<Result<SocketAddr, String>>;

fn serve(app: Router, ready: Ready, stop: oneshot::Receiver<()>) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let _ = ready.send(Err(format!("no tokio runtime: {error}")));
            return;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
            Ok(listener) => listener,
            Err(error) => {
                let _ = ready.send(Err(error.to_string()));
                return;
            }
        };
        let addr = match listener.local_addr() {
            Ok(addr) => addr,
            Err(error) => {
                let _ = ready.send(Err(error.to_string()));
                return;
            }
        };
        let _ = ready.send(Ok(addr));
        let shutdown = async {
            let _ = stop.await;
        };
        // A serve error ends this test's server only; the test then reports
        // the refused connection.
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
    });
    // Handlers that never finish must not hold the test process open.
    runtime.shutdown_background();
}

fn panic_to_500(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else {
        "a panic without a message".to_owned()
    };
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{PANIC_PREFIX}{message}"),
    )
        .into_response()
}

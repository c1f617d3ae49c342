//! The HTTP side: the built pages, and the three endpoints the pages' script
//! (`book/theme/restlings.js`) calls.
//!
//! - `GET /__restlings/progress`: each chapter's status ([`crate::progress`]);
//! - `GET /__restlings/version`: a number that grows with each rebuild, which
//!   the page polls to reload itself, and the last build's error, if any;
//! - `POST /__restlings/try`: the Try-it proxy ([`crate::proxy`]).

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde::Serialize;

use crate::progress::{self, Progress};
use crate::proxy;

/// What the handlers share.
pub struct Book {
    /// The folder of the current build's HTML.
    pub html: RwLock<PathBuf>,
    /// The build's number, and the last build's error (the pages stay those of
    /// the last good build).
    pub version: RwLock<Version>,
    /// The course's exercises, as `(name, title)`.
    pub exercises: Vec<(String, String)>,
    /// The runner's state file.
    pub state_file: PathBuf,
    pub client: reqwest::Client,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Version {
    pub version: u64,
    pub error: Option<String>,
}

impl Book {
    /// Takes a new build: its pages from now on, and a new version number.
    pub fn update(&self, html: PathBuf) -> PathBuf {
        let old = {
            let mut current = self
                .html
                .write()
                .unwrap_or_else(|poison| poison.into_inner());
            std::mem::replace(&mut *current, html)
        };
        let mut version = self
            .version
            .write()
            .unwrap_or_else(|poison| poison.into_inner());
        version.version += 1;
        version.error = None;
        old
    }

    /// Records a failed rebuild: the pages stay, and the page shows why.
    pub fn failed(&self, error: String) {
        let mut version = self
            .version
            .write()
            .unwrap_or_else(|poison| poison.into_inner());
        version.version += 1;
        version.error = Some(error);
    }

    fn html(&self) -> PathBuf {
        self.html
            .read()
            .unwrap_or_else(|poison| poison.into_inner())
            .clone()
    }
}

/// The router: the endpoints, then every other path as a file of the build.
pub fn router(book: Arc<Book>) -> Router {
    Router::new()
        .route("/__restlings/progress", get(progress))
        .route("/__restlings/version", get(version))
        .route(
            "/__restlings/try",
            // The handler reads the body under the proxy's own limit, so
            // that a 413 comes with the proxy's message.
            post(try_it).layer(DefaultBodyLimit::disable()),
        )
        .fallback(get(file))
        .with_state(book)
}

async fn progress(State(book): State<Arc<Book>>) -> Json<Progress> {
    Json(progress::progress(&book.exercises, &book.state_file))
}

async fn version(State(book): State<Arc<Book>>) -> Response {
    let version = book
        .version
        .read()
        .unwrap_or_else(|poison| poison.into_inner())
        .clone();
    no_cache(Json(version).into_response())
}

async fn try_it(State(book): State<Arc<Book>>, headers: HeaderMap, body: Body) -> Response {
    let Ok(body) = axum::body::to_bytes(body, proxy::MAX_REQUEST + 1).await else {
        return proxy::ProxyError::TooLarge.into_response();
    };
    match proxy::handle(&book.client, &headers, body).await {
        Ok(answer) => answer.into_response(),
        Err(error) => error.into_response(),
    }
}

/// A file of the current build, `index.html` for a folder, else the book's
/// 404 page.
async fn file(State(book): State<Arc<Book>>, uri: Uri) -> Response {
    let html = book.html();
    let Some(relative) = relative_path(uri.path()) else {
        return (StatusCode::BAD_REQUEST, "no such page").into_response();
    };
    let mut path = html.join(&relative);
    if path.is_dir() {
        path = path.join("index.html");
    }
    let found = tokio::task::spawn_blocking({
        let path = path.clone();
        move || std::fs::read(path)
    })
    .await;
    match found {
        Ok(Ok(bytes)) => {
            let mut response = bytes.into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&path)),
            );
            no_cache(response)
        }
        _ => {
            let page = std::fs::read(html.join("404.html")).unwrap_or_default();
            let mut response = (StatusCode::NOT_FOUND, page).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
        }
    }
}

/// The request's path as a path inside the build, or `None` if it would
/// leave it (`..`).
fn relative_path(path: &str) -> Option<PathBuf> {
    let relative = Path::new(path.trim_start_matches('/'));
    relative
        .components()
        .all(|part| matches!(part, Component::Normal(_)))
        .then(|| relative.to_path_buf())
}

/// The pages change with each rebuild: the browser asks again every time.
fn no_cache(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|ext| ext.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("ttf") => "font/ttf",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_that_climbs_out_of_the_build_is_refused() {
        assert_eq!(
            relative_path("/03_get.html"),
            Some(PathBuf::from("03_get.html")),
            "a page of the book is served"
        );
        assert_eq!(
            relative_path("/"),
            Some(PathBuf::new()),
            "the root is the index"
        );
        for path in ["/../Cargo.toml", "/css/../../secret", "/./x"] {
            assert_eq!(
                relative_path(path),
                None,
                "{path} leaves the build's folder (or names it oddly): it must be refused"
            );
        }
    }
}

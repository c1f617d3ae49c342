//! A real browser for the course's tests: Debian's `chromium`, headless,
//! driven over the DevTools protocol by `headless_chrome`.
//!
//! ```ignore
//! let Some(browser) = restlings_browser::Browser::launch_or_skip() else {
//!     return; // printed SKIPPED: no chromium (install Debian's chromium)
//! };
//! let page = browser.page()?;
//! page.goto("http://127.0.0.1:3001/")?;
//! assert!(page.errors().is_empty(), "{:?}", page.errors());
//! ```
//!
//! Chromium starts with `--headless --no-sandbox --disable-gpu
//! --disable-background-networking --disable-component-update --disable-sync
//! --no-first-run` and a fresh profile folder, so it reaches for no host
//! besides the pages it is sent to. Without a `chromium` (or `$CHROMIUM`),
//! [`Browser::launch_or_skip`] prints [`SKIPPED`] and the test passes; with
//! `RESTLINGS_REQUIRE_BROWSER=1`, as CI sets it, that is a failure instead.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::{LaunchOptions, Tab};
use tempfile::TempDir;

/// What a test prints when it cannot run for want of a browser.
pub const SKIPPED: &str = "SKIPPED: no chromium (install Debian's chromium)";

/// Set to 1 to make a missing browser a failure (CI does).
pub const REQUIRE: &str = "RESTLINGS_REQUIRE_BROWSER";

/// How long a page may take to load, or a condition to come true.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The flags besides headless_chrome's own (`--headless`, `--no-sandbox`
/// and `--disable-gpu` come from its options).
const FLAGS: [&str; 4] = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

/// Chromium's executable: `$CHROMIUM`, else `chromium` or `chromium-browser`
/// on PATH. A `$CHROMIUM` that names no file means no browser, so
/// `CHROMIUM=/nonexistent` skips the browser tests (as `scripts/bench --cold`
/// does), like `RESTLINGS_CONTAINER_ENGINE=/nonexistent` for the engine.
pub fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// A running headless Chromium, with a profile folder of its own that is
/// deleted when it is dropped.
pub struct Browser {
    browser: headless_chrome::Browser,
    _profile: TempDir,
}

impl Browser {
    /// Starts Chromium, or returns `None` after printing [`SKIPPED`] when
    /// there is none. Panics instead if [`REQUIRE`] is `1`, or if Chromium is
    /// there but does not start.
    pub fn launch_or_skip() -> Option<Browser> {
        let Some(path) = chromium() else {
            if std::env::var(REQUIRE).as_deref() == Ok("1") {
                panic!(
                    "{REQUIRE}=1, and there is no chromium (on PATH, or at $CHROMIUM if it is \
                     set): install Debian's chromium (`apt-get install -y chromium`; \
                     .ci/container-tests does)"
                );
            }
            println!("{SKIPPED}");
            return None;
        };
        match Browser::launch(&path) {
            Ok(browser) => Some(browser),
            Err(error) => panic!("{} does not start: {error:#}", path.display()),
        }
    }

    /// Starts the Chromium at `path`.
    pub fn launch(path: &Path) -> anyhow::Result<Browser> {
        let profile = tempfile::Builder::new()
            .prefix("restlings-chromium-")
            .tempdir()
            .context("cannot make a profile folder for chromium")?;
        let flags: Vec<&OsStr> = FLAGS.iter().map(OsStr::new).collect();
        let options = LaunchOptions::default_builder()
            .path(Some(path.to_path_buf()))
            .headless(true)
            .sandbox(false)
            .enable_gpu(false)
            .window_size(Some((1280, 900)))
            .user_data_dir(Some(profile.path().to_path_buf()))
            .args(flags)
            .idle_browser_timeout(Duration::from_secs(120))
            .build()
            .context("the browser's options are invalid")?;
        let browser = headless_chrome::Browser::new(options)
            .with_context(|| format!("cannot start {} headless", path.display()))?;
        Ok(Browser {
            browser,
            _profile: profile,
        })
    }

    /// A new tab that records the page's console errors, uncaught
    /// exceptions and failed loads.
    pub fn page(&self) -> anyhow::Result<Page> {
        let tab = self
            .browser
            .new_tab()
            .context("the browser cannot open a tab")?;
        tab.set_default_timeout(TIMEOUT);
        let errors = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&errors);
        tab.add_event_listener(Arc::new(move |event: &Event| {
            let message = match event {
                Event::RuntimeConsoleAPICalled(called)
                    if format!("{:?}", called.params.Type).eq_ignore_ascii_case("error") =>
                {
                    let words: Vec<String> = called
                        .params
                        .args
                        .iter()
                        .map(|arg| {
                            arg.value
                                .as_ref()
                                .map(ToString::to_string)
                                .or_else(|| arg.description.clone())
                                .unwrap_or_default()
                        })
                        .collect();
                    Some(format!("console.error: {}", words.join(" ")))
                }
                Event::RuntimeExceptionThrown(thrown) => {
                    let details = &thrown.params.exception_details;
                    let text = details
                        .exception
                        .as_ref()
                        .and_then(|exception| exception.description.clone())
                        .unwrap_or_else(|| details.text.clone());
                    Some(format!("uncaught exception: {text}"))
                }
                Event::LogEntryAdded(entry)
                    if format!("{:?}", entry.params.entry.level).eq_ignore_ascii_case("error") =>
                {
                    Some(format!(
                        "{} (url: {})",
                        entry.params.entry.text,
                        entry.params.entry.url.clone().unwrap_or_default()
                    ))
                }
                _ => None,
            };
            if let Some(message) = message
                && let Ok(mut errors) = sink.lock()
            {
                errors.push(message);
            }
        }))
        .context("cannot listen to the tab's console")?;
        tab.enable_runtime()
            .context("cannot enable the tab's runtime")?;
        tab.enable_log().context("cannot enable the tab's log")?;
        Ok(Page { tab, errors })
    }
}

/// One tab.
pub struct Page {
    pub tab: Arc<Tab>,
    errors: Arc<Mutex<Vec<String>>>,
}

impl Page {
    /// Loads `url` and waits until it has loaded.
    pub fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.tab
            .navigate_to(url)
            .with_context(|| format!("the browser cannot go to {url}"))?;
        self.tab
            .wait_until_navigated()
            .with_context(|| format!("{url} did not finish loading"))?;
        Ok(())
    }

    /// The errors seen since the tab opened (or since [`Page::clear_errors`]).
    pub fn errors(&self) -> Vec<String> {
        self.errors
            .lock()
            .map(|errors| errors.clone())
            .unwrap_or_default()
    }

    pub fn clear_errors(&self) {
        if let Ok(mut errors) = self.errors.lock() {
            errors.clear();
        }
    }

    /// The value of a JavaScript expression (a promise is awaited), as JSON.
    /// Arrays and objects come back whole: the page turns the value into
    /// JSON text itself (undefined becomes null).
    pub fn eval(&self, expression: &str) -> anyhow::Result<serde_json::Value> {
        let wrapped = format!("(async () => JSON.stringify(await ({expression})) ?? 'null')()");
        let result = self
            .tab
            .evaluate(&wrapped, true)
            .with_context(|| format!("the page cannot run {expression}"))?;
        let text = result
            .value
            .as_ref()
            .and_then(serde_json::Value::as_str)
            .with_context(|| format!("`{expression}` gave no value: {result:?}"))?;
        serde_json::from_str(text).with_context(|| format!("`{expression}` gave {text}"))
    }

    /// Waits until `expression` is true in the page, for at most `timeout`.
    pub fn wait_for(&self, expression: &str, timeout: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            if self.eval(expression)? == serde_json::Value::Bool(true) {
                return Ok(());
            }
            if started.elapsed() > timeout {
                bail!(
                    "`{expression}` was still not true after {} s",
                    timeout.as_secs()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a PNG of the page as it is now.
    pub fn screenshot(&self, path: &Path) -> anyhow::Result<()> {
        let png = self
            .tab
            .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
            .context("the browser cannot take a screenshot")?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::write(path, png).with_context(|| format!("cannot write {}", path.display()))
    }
}

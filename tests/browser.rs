//! The book in a real browser: Debian's headless `chromium`, on the book that
//! `cargo run -- book` serves.
//!
//! - every page loads with no console error, no failed load, no broken image
//!   and no link to a page of the book that is not there;
//! - Try it sends a request to a running solution server and shows its answer;
//! - the sidebar's marks change when an exercise passes, and its Solution
//!   block opens;
//! - a chapter page is saved as a screenshot under `target/`.
//!
//! Without chromium these print `SKIPPED: no chromium (install Debian's
//! chromium)` and pass; `RESTLINGS_REQUIRE_BROWSER=1` (CI) makes that a
//! failure. Run it: `cargo test --test browser`.

mod book_server;

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use book_server::{BookServer, root, state_dir, write_state};
use restlings_browser::{Browser, Page};

/// How long the page's script may take to show what the server says (it
/// polls the progress every 2 s).
const SHOWN: Duration = Duration::from_secs(20);

fn page(browser: &Browser) -> Page {
    browser
        .page()
        .unwrap_or_else(|error| panic!("chromium cannot open a tab: {error:#}"))
}

fn goto(page: &Page, url: &str) {
    page.goto(url)
        .unwrap_or_else(|error| panic!("chromium cannot load {url}: {error:#}"));
}

fn eval(page: &Page, expression: &str) -> serde_json::Value {
    page.eval(expression)
        .unwrap_or_else(|error| panic!("{error:#}"))
}

/// Waits until the book's script has asked the server for the progress.
fn wait_until_served(page: &Page, url: &str) {
    if let Err(error) = page.wait_for(
        "document.documentElement.classList.contains('restlings-served')",
        SHOWN,
    ) {
        panic!(
            "{url}: the page never marked itself as served by `cargo run -- book` ({error:#}): \
             book/theme/restlings.js did not run, or /__restlings/progress did not answer. \
             Errors seen: {:?}",
            page.errors()
        );
    }
}

#[test]
fn every_page_loads_without_console_errors_broken_links_or_images() {
    let Some(browser) = Browser::launch_or_skip() else {
        return;
    };
    let (_dir, state) = state_dir();
    write_state(&state, &["01_what_is_an_api"], Some("02_endpoints"));
    let book = BookServer::start(&state);
    let page = page(&browser);

    goto(&page, &book.at("/"));
    if let Err(error) = page.wait_for(
        "document.querySelectorAll('#mdbook-sidebar a[href]').length > 10",
        SHOWN,
    ) {
        panic!("the sidebar of the book's first page lists no pages: {error:#}");
    }
    let listed = eval(
        &page,
        "Array.from(document.querySelectorAll('#mdbook-sidebar a[href]')).map(a => a.href)",
    );
    let mut pages: Vec<String> = listed
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|url| url.as_str().map(str::to_owned))
        .filter(|url| url.starts_with(&book.url))
        .map(|url| url.split('#').next().unwrap_or(&url).to_owned())
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect();
    pages.push(book.at("/print.html"));
    assert!(
        pages.len() > 10,
        "the sidebar lists only {} pages: {pages:?}",
        pages.len()
    );

    let mut problems = Vec::new();
    let mut links = BTreeSet::new();
    for url in &pages {
        page.clear_errors();
        goto(&page, url);
        wait_until_served(&page, url);
        // The images are loaded, and none is broken.
        let broken = eval(
            &page,
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)\
             .map(i => i.src)",
        );
        if broken.as_array().is_some_and(|broken| !broken.is_empty()) {
            problems.push(format!("{url}: broken images {broken}"));
        }
        let found = eval(
            &page,
            "Array.from(document.querySelectorAll('main a[href]')).map(a => a.href)",
        );
        for link in found.as_array().into_iter().flatten() {
            if let Some(link) = link.as_str()
                && link.starts_with(&book.url)
            {
                links.insert(link.split('#').next().unwrap_or(link).to_owned());
            }
        }
        for error in page.errors() {
            problems.push(format!("{url}: {error}"));
        }
    }
    // Each link of the book's pages to the book itself, fetched by the page.
    let targets = serde_json::to_string(&links).expect("the links as JSON");
    let statuses = eval(
        &page,
        &format!(
            "Promise.all({targets}.map(url => fetch(url).then(r => [url, r.status])\
             .catch(e => [url, String(e)]))).then(all => all.filter(([, s]) => s !== 200))"
        ),
    );
    for failed in statuses.as_array().into_iter().flatten() {
        problems.push(format!("a link of the book does not load: {failed}"));
    }
    assert!(
        problems.is_empty(),
        "the book in chromium ({} pages, {} links to the book): fix each problem on the page \
         it names (book/src/<page>.md, book/theme/):\n  {}",
        pages.len(),
        links.len(),
        problems.join("\n  ")
    );
}

/// Chapter 9's answer, the shop binary, on a free loopback port; killed on drop.
struct Shop {
    child: Child,
    url: String,
}

impl Drop for Shop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_shop() -> Shop {
    let built = restlings::cargo::command(restlings::cargo::program())
        .current_dir(root())
        .args([
            "build",
            "-q",
            "-p",
            "sol09_containerize",
            "--message-format=json",
        ])
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(built.status.success(), "chapter 9's solution must build");
    let binary = String::from_utf8_lossy(&built.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find_map(|message| {
            (message["target"]["name"] == "sol09_containerize")
                .then(|| message["executable"].as_str().map(PathBuf::from))
                .flatten()
        })
        .expect("cargo names the shop's binary");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(binary)
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the shop starts");
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the shop did not listen on {url} within 20 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Shop { child, url }
}

#[test]
fn try_it_sends_a_request_to_a_running_solution_server_and_shows_the_answer() {
    let Some(browser) = Browser::launch_or_skip() else {
        return;
    };
    let shop = start_shop();
    let (_dir, state) = state_dir();
    let book = BookServer::start(&state);
    let page = page(&browser);
    let url = book.at("/03_get.html");
    goto(&page, &url);
    wait_until_served(&page, &url);
    if let Err(error) = page.wait_for("!!document.querySelector('.restlings-try-send')", SHOWN) {
        panic!("03_get.html shows no Try-it panel: {error:#}");
    }

    // Arrange: the panel points at the shop, for one product.
    let script = format!(
        "(() => {{ const panel = document.querySelector('.restlings-try-panel');\
         panel.querySelector('.restlings-try-server').value = '{}';\
         panel.querySelector('.restlings-try-path').value = '/products/1';\
         panel.querySelector('.restlings-try-send').click(); return true; }})()",
        shop.url
    );
    // Act
    eval(&page, &script);
    // Assert
    let shown = page.wait_for(
        "(document.querySelector('.restlings-try-curl') || {}).textContent !== undefined",
        SHOWN,
    );
    let result = eval(
        &page,
        "document.querySelector('.restlings-try-result').innerText",
    );
    let result = result.as_str().unwrap_or_default();
    assert!(
        shown.is_ok(),
        "after Send, the panel must show the answer and its curl line; it shows: {result}"
    );
    for expected in [
        "HTTP/1.1 200 OK",
        "content-type: application/json",
        "Espresso beans 1kg",
        &format!("curl -i '{}/products/1'", shop.url),
    ] {
        assert!(
            result.contains(expected),
            "the panel must show `{expected}` for GET {}/products/1; it shows:\n{result}",
            shop.url
        );
    }
    assert!(
        page.errors().is_empty(),
        "Try it left errors in the console: {:?}",
        page.errors()
    );
}

#[test]
fn the_sidebar_marks_change_when_an_exercise_passes_and_its_solution_opens() {
    let Some(browser) = Browser::launch_or_skip() else {
        return;
    };
    let (_dir, state) = state_dir();
    write_state(&state, &["01_what_is_an_api"], Some("02_endpoints"));
    let book = BookServer::start(&state);
    let page = page(&browser);
    let url = book.at("/02_endpoints.html");
    goto(&page, &url);
    wait_until_served(&page, &url);

    let mark = |name: &str| {
        format!(
            "(document.querySelector('#mdbook-sidebar a[href$=\"{name}.html\"]') || {{}})\
             .getAttribute && document.querySelector('#mdbook-sidebar a[href$=\"{name}.html\"]')\
             .getAttribute('data-restlings-status')"
        )
    };
    let marks = |page: &Page| {
        ["01_what_is_an_api", "02_endpoints", "03_get"].map(|name| {
            eval(page, &mark(name))
                .as_str()
                .unwrap_or("none")
                .to_owned()
        })
    };
    let locked = "!!document.querySelector('main details[data-restlings-locked=\"true\"]')";
    let waited = page.wait_for(&format!("{} === 'current'", mark("02_endpoints")), SHOWN);
    assert!(
        waited.is_ok(),
        "with 02_endpoints current in the state file, its sidebar link must be marked \
         current; the marks are {:?}",
        marks(&page)
    );
    assert_eq!(
        marks(&page),
        ["done", "current", "pending"],
        "the sidebar must show 01 done, 02 current, 03 pending"
    );
    assert_eq!(
        eval(&page, locked),
        serde_json::Value::Bool(true),
        "02_endpoints does not pass yet: its Solution block must be locked"
    );

    // The exercise passes: the runner records it, and 03 becomes current.
    write_state(
        &state,
        &["01_what_is_an_api", "02_endpoints"],
        Some("03_get"),
    );

    let waited = page.wait_for(&format!("{} === 'done'", mark("02_endpoints")), SHOWN);
    assert!(
        waited.is_ok(),
        "after 02_endpoints passed, its mark must turn to done without a reload; the marks \
         are {:?}",
        marks(&page)
    );
    assert_eq!(
        marks(&page),
        ["done", "done", "current"],
        "after 02 passes: 01 and 02 done, 03 current"
    );
    assert_eq!(
        eval(&page, locked),
        serde_json::Value::Bool(false),
        "02_endpoints passes now: its Solution block must open on a click"
    );
}

#[test]
fn a_chapter_page_is_saved_as_a_screenshot_under_target() {
    let Some(browser) = Browser::launch_or_skip() else {
        return;
    };
    let (_dir, state) = state_dir();
    write_state(
        &state,
        &["01_what_is_an_api", "02_endpoints"],
        Some("03_get"),
    );
    let book = BookServer::start(&state);
    let page = page(&browser);
    let url = book.at("/03_get.html");
    goto(&page, &url);
    wait_until_served(&page, &url);
    let _ = page.wait_for(
        "!!document.querySelector('#mdbook-sidebar [data-restlings-status]')",
        SHOWN,
    );

    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let path = target.join("browser").join("03_get.png");
    page.screenshot(&path)
        .unwrap_or_else(|error| panic!("{error:#}"));
    let size = std::fs::metadata(&path).map(|meta| meta.len()).unwrap_or(0);
    assert!(
        size > 10_000,
        "{} is only {size} bytes: the screenshot shows nothing",
        path.display()
    );
    println!("screenshot of 03_get.html: {}", display(&path));
    // And the parts the book adds, scrolled into view.
    for (part, selector) in [
        ("try-it", ".restlings-try-panel"),
        ("solution", ".restlings-locked"),
        ("quiz", ".restlings-quiz"),
    ] {
        let shown = eval(
            &page,
            &format!(
                "(() => {{ const e = document.querySelector('{selector}'); \
                 if (!e) return false; e.scrollIntoView(); return true; }})()"
            ),
        );
        assert_eq!(
            shown,
            serde_json::Value::Bool(true),
            "03_get.html has no {selector} to show"
        );
        let path = target.join("browser").join(format!("03_get-{part}.png"));
        page.screenshot(&path)
            .unwrap_or_else(|error| panic!("{error:#}"));
        println!("screenshot of 03_get.html's {part}: {}", display(&path));
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn a_quiz_answer_is_checked_and_its_why_shown() {
    let Some(browser) = Browser::launch_or_skip() else {
        return;
    };
    let (_dir, state) = state_dir();
    let book = BookServer::start(&state);
    let page = page(&browser);
    let url = book.at("/03_get.html");
    goto(&page, &url);
    if let Err(error) = page.wait_for("!!document.querySelector('.quiz-check')", SHOWN) {
        panic!("03_get.html has no quiz with a Check button: {error:#}");
    }

    // Act: answer question 2 ("`GET /products/abc`"), first wrongly, then rightly.
    let answer = |choice: &str| {
        format!(
            "(() => {{ const q = document.querySelectorAll('.restlings-quiz .quiz-question')[1];\
             const input = Array.from(q.querySelectorAll('label'))\
               .find(l => l.textContent.includes('{choice}')).querySelector('input');\
             input.checked = true; q.querySelector('.quiz-check').click();\
             return [q.querySelector('.quiz-verdict').textContent,\
                     q.querySelector('.quiz-answer').open]; }})()"
        )
    };
    let wrong = eval(&page, &answer("404 Not Found"));
    let right = eval(&page, &answer("400 Bad Request"));

    // Assert
    assert_eq!(
        wrong,
        serde_json::json!(["Not quite: read why below.", true]),
        "404 is the wrong answer for /products/abc: the quiz must say so and open the why"
    );
    assert_eq!(
        right,
        serde_json::json!(["Right.", true]),
        "400 is the right answer: the quiz must say so"
    );
    assert!(
        page.errors().is_empty(),
        "the quiz left errors in the console: {:?}",
        page.errors()
    );
}

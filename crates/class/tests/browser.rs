//! The instructor's page in a real browser (headless Chromium, through
//! crates/browser): it shows the table, its script runs under the page's
//! Content-Security-Policy without an error, it follows new reports by
//! itself, and a learner's name that is markup stays text.
//!
//! Without a `chromium` the test prints SKIPPED and passes;
//! RESTLINGS_REQUIRE_BROWSER=1 (CI) makes that a failure.

mod support;

use restlings_browser::Browser;
use restlings_class::client::Delivery;
use std::time::Duration;
use support::{Learner, Running, TOKEN, options, progress};

#[test]
fn the_page_in_a_browser_shows_the_table_and_follows_new_reports() {
    let Some(browser) = Browser::launch_or_skip() else {
        return;
    };
    // Arrange: two learners, one whose name is a script.
    let dashboard = Running::start(options());
    let named = [
        "Ada",
        "<img src=x onerror=\"pwned=1\"><script>pwned=1</script>",
    ];
    for (i, name) in named.iter().enumerate() {
        let learner = Learner::join(&dashboard.url, name);
        assert!(
            matches!(learner.check(progress(i, 2)), Delivery::Delivered(_)),
            "{name} reports"
        );
    }
    let page = browser.page().expect("a tab");

    // Act
    page.goto(&format!("{}/?token={TOKEN}", dashboard.url))
        .expect("the page loads");

    // Assert
    let rows = "document.querySelectorAll('#learners tbody tr').length";
    assert_eq!(
        page.eval(rows).expect("the page runs script"),
        serde_json::json!(2),
        "the table has a row per learner"
    );
    let names = page
        .eval("[...document.querySelectorAll('#learners tbody th')].map(th => th.textContent).join(' | ')")
        .expect("the names");
    assert!(
        names.to_string().contains("<script>pwned=1</script>"),
        "the name made of markup is shown as text: {names}"
    );
    // A new learner reports; the page, polling every 3 s, shows them.
    let late = Learner::join(&dashboard.url, "Late");
    assert!(matches!(late.check(progress(5, 0)), Delivery::Delivered(_)));
    page.wait_for(&format!("{rows} === 3"), Duration::from_secs(10))
        .unwrap_or_else(|error| panic!("the page shows a new learner by itself: {error:#}"));
    assert_eq!(
        page.eval("typeof window.pwned").expect("a type"),
        serde_json::json!("undefined"),
        "no learner's name ran as script"
    );
    assert!(
        page.eval("document.getElementById('status').textContent.startsWith('Last update')")
            .expect("the status line")
            == serde_json::json!(true),
        "the page's own script ran and says when it last updated"
    );
    assert_eq!(
        page.errors(),
        Vec::<String>::new(),
        "the page loads and polls without an error in the console (a CSP violation would be one)"
    );
}

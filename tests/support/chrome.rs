//! Headless Chromium driven over WebDriver (chromedriver + fantoccini), and
//! the accessibility checks run on every page a journey visits: axe-core at
//! WCAG 2.2 A/AA plus the checks axe cannot make (one h1, a title naming
//! the page, tags with words, reflow at 320 px and at 200% zoom).
//!
//! Each test starts its own chromedriver on a free port with a fresh
//! profile directory. On failure the test's screenshot and page HTML are
//! saved under target/browser-artifacts/<test>/ and the path is printed.
//!
//! Over 400 lines on purpose: the browser driver and the checks every
//! journey runs on each page (axe, focus, the error summary, zoom and
//! keyboard), kept together so every journey checks the same way.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");

/// The WebDriver key codes the journeys press.
pub mod keys {
    pub const TAB: &str = "\u{e004}";
    pub const ENTER: &str = "\u{e007}";
    pub const SPACE: &str = " ";
    pub const RIGHT: &str = "\u{e014}";
}

pub struct Chrome {
    pub client: Client,
    /// The app's address, like http://127.0.0.1:41234.
    pub base: String,
    name: &'static str,
    driver: Child,
    profile: PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// target/browser-artifacts/<name> of the workspace, as an absolute path
/// without `..` (Chrome refuses any other path for a file upload).
pub fn artifacts_dir(name: &str) -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::canonicalize(&workspace)
        .unwrap_or(workspace)
        .join("target/browser-artifacts")
        .join(name)
}

impl Chrome {
    /// Starts chromedriver and a headless Chromium on a fresh profile.
    pub async fn start(base: String, name: &'static str) -> Chrome {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "chromedriver runs: install Debian's chromium and chromium-driver \
                 (.ci/run does) to run the browser tests",
            );
        let profile = std::env::temp_dir().join(format!(
            "casemark-chrome-{}-{name}-{port}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&profile);
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,1024",
            &format!("--user-data-dir={}", profile.display()),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({"args": args, "binary": "/usr/bin/chromium"}),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Chrome {
                        client,
                        base,
                        name,
                        driver,
                        profile,
                    };
                }
                Err(e) => last_error = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not start a session: {last_error}");
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("page loads");
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        let path = url.path().to_owned();
        match url.query() {
            Some(q) => format!("{path}?{q}"),
            None => path,
        }
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    pub async fn exists(&self, css: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(css))
            .await
            .expect("query")
            .is_empty()
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("type");
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// Clicks a submit button and waits for the next page.
    pub async fn submit(&self, css: &str) {
        self.mark_page().await;
        self.click(css).await;
        self.settle().await;
    }

    /// Presses keys that navigate (Enter on a link or in a form) and waits
    /// for the next page.
    pub async fn press_and_wait(&self, keys: &str) {
        self.mark_page().await;
        self.press(keys).await;
        self.settle().await;
    }

    /// Marks the current document, so that [`Chrome::settle`] can tell when
    /// it has been replaced.
    async fn mark_page(&self) {
        self.client
            .execute("window.casemarkOldPage = true; return true;", vec![])
            .await
            .expect("script runs");
    }

    /// Waits until a new document has replaced the marked one and loaded.
    async fn settle(&self) {
        for _ in 0..200 {
            let state = self
                .client
                .execute(
                    "return window.casemarkOldPage ? 'old' : document.readyState",
                    vec![],
                )
                .await
                .ok();
            if state.as_ref().and_then(Value::as_str) == Some("complete") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no new page loaded within 10 seconds");
    }

    /// Chooses a file in a file input (the path must be absolute).
    pub async fn choose_file(&self, css: &str, path: &std::path::Path) {
        self.find(css)
            .await
            .send_keys(&path.display().to_string())
            .await
            .expect("choose file");
    }

    /// The GOV.UK error summary has taken focus, as it must after a
    /// refused submit.
    pub async fn assert_error_summary_focused(&self) {
        assert_eq!(
            self.focused("el.classList.contains('govuk-error-summary')")
                .await,
            json!(true),
            "the error summary takes focus"
        );
    }

    /// Presses keys in whatever has focus, as a keyboard user does.
    pub async fn press(&self, keys: &str) {
        let focused = self.client.active_element().await.expect("focus");
        focused.send_keys(keys).await.expect("keys");
    }

    /// Evaluates `expression` on the focused element (`el`).
    pub async fn focused(&self, expression: &str) -> Value {
        self.client
            .execute(
                &format!("const el = document.activeElement; return {expression};"),
                vec![],
            )
            .await
            .expect("script runs")
    }

    /// Runs a script's body in the page and returns what it returns.
    pub async fn execute(&self, body: &str) -> Value {
        self.client
            .execute(body, vec![])
            .await
            .expect("script runs")
    }

    /// Presses Tab until the focused element matches `css`.
    pub async fn tab_to(&self, css: &str) {
        let test = format!("el.matches({})", json!(css));
        for _ in 0..300 {
            if self.focused(&test).await == json!(true) {
                return;
            }
            self.press(keys::TAB).await;
        }
        panic!("Tab never reached {css}");
    }

    /// Runs every accessibility check on the page as it is now; `names` is
    /// what the title must mention (the inspection, the case).
    pub async fn check_page(&self, state: &str, names: &[&str]) {
        // A state named for its errors must show them: a form that was
        // not refused would otherwise pass as checked.
        if state.contains("error") {
            assert!(
                self.exists(".govuk-error-summary").await,
                "{} ({state}) has a GOV.UK error summary",
                self.path().await
            );
        }
        let mut problems = self.axe().await;
        let page: Value = self
            .client
            .execute(
                r#"
                const problems = [];
                const h1s = document.querySelectorAll('h1');
                if (h1s.length !== 1) problems.push(`${h1s.length} h1 elements`);
                if (!/ – casemark$/.test(document.title) || document.title.length < 14)
                    problems.push(`title "${document.title}" does not name the page`);
                for (const table of document.querySelectorAll('table')) {
                    if (!table.querySelector('th')) problems.push('a table without headers');
                    if (!table.querySelector('caption') && !table.getAttribute('aria-label'))
                        problems.push('a table without a caption');
                }
                // At 1280 px (the width the pages are checked at) no table
                // region scrolls sideways: each table fits the page.
                for (const region of document.querySelectorAll('.casemark-table-scroll')) {
                    if (region.scrollWidth > region.clientWidth + 1)
                        problems.push(`table region "${region.getAttribute('aria-label')}" scrolls at 1280 px (${region.scrollWidth} px in ${region.clientWidth})`);
                }
                for (const tag of document.querySelectorAll('.govuk-tag')) {
                    if (!tag.textContent.trim()) problems.push('a status tag with no words');
                }
                for (const control of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
                    const labelled = control.labels && control.labels.length > 0
                        || control.getAttribute('aria-label') || control.getAttribute('aria-labelledby');
                    if (!labelled) problems.push(`control ${control.name} has no label`);
                }
                return {problems, title: document.title};
                "#,
                vec![],
            )
            .await
            .expect("page checks run");
        for p in page["problems"].as_array().into_iter().flatten() {
            problems.push(p.as_str().unwrap_or_default().to_owned());
        }
        let title = page["title"].as_str().unwrap_or_default();
        for name in names {
            if !title.contains(name) {
                problems.push(format!("title \"{title}\" does not name {name}"));
            }
        }
        // 320 CSS pixels wide, and 1280 at 200% zoom (640 CSS pixels).
        for width in [320, 640] {
            if let Some(overflow) = self.overflow_at(width).await {
                problems.push(format!("at {width} px wide: {overflow}"));
            }
        }
        assert!(
            problems.is_empty(),
            "accessibility problems on {} ({state}):\n  {}",
            self.path().await,
            problems.join("\n  ")
        );
    }

    /// axe-core's WCAG 2.2 A and AA violations, one line each.
    async fn axe(&self) -> Vec<String> {
        self.client
            .execute(&format!("{AXE}\nreturn true;"), vec![])
            .await
            .expect("axe loads");
        let violations = self
            .client
            .execute_async(
                r#"
                const done = arguments[arguments.length - 1];
                axe.run(document, {runOnly: {type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}})
                  .then(r => done(r.violations.map(v =>
                      `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join('; ')}`)))
                  .catch(e => done([`axe failed: ${e}`]));
                "#,
                vec![],
            )
            .await
            .expect("axe runs");
        violations
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// What makes the page scroll sideways at a viewport of `width` CSS
    /// pixels, if anything. A wide table may scroll inside its own region
    /// (WCAG 1.4.10 allows that for data tables); the page itself may not.
    async fn overflow_at(&self, width: u32) -> Option<String> {
        self.set_viewport(width).await;
        let found = self
            .client
            .execute(
                r#"
                const root = document.documentElement;
                if (root.scrollWidth <= root.clientWidth + 1) return null;
                const culprits = [...document.body.querySelectorAll('*')]
                    .map(e => [e, e.getBoundingClientRect().right])
                    .filter(([, right]) => right > root.clientWidth + 1)
                    .sort((a, b) => b[1] - a[1])
                    .slice(0, 3)
                    .map(([e, right]) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')} (to ${Math.round(right)} px)`);
                return `the page is ${root.scrollWidth} px wide: ${culprits.join(', ')}`;
                "#,
                vec![],
            )
            .await
            .expect("reflow check runs");
        self.set_viewport(1280).await;
        found.as_str().map(str::to_owned)
    }

    /// Sets the viewport's width in CSS pixels by resizing the window by
    /// the difference between the window and its viewport.
    async fn set_viewport(&self, width: u32) {
        let chrome: Value = self
            .client
            .execute("return window.outerWidth - window.innerWidth", vec![])
            .await
            .expect("window size");
        let extra = chrome.as_u64().unwrap_or(0) as u32;
        self.client
            .set_window_size(width + extra, 1024)
            .await
            .expect("resize");
    }

    /// Saves the page as it is now for whoever reads a failure.
    async fn save_artifacts(&self) -> PathBuf {
        let dir = artifacts_dir(self.name);
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(dir.join("screenshot.png"), png);
        }
        if let Ok(html) = self.client.source().await {
            let _ = std::fs::write(dir.join("page.html"), html);
        }
        if let Ok(url) = self.client.current_url().await {
            let _ = std::fs::write(dir.join("url.txt"), url.as_str());
        }
        dir
    }

    /// Ends the session; if the journey failed, saves the page first and
    /// then fails the test with the journey's own message.
    pub async fn finish(mut self, outcome: std::thread::Result<()>) {
        if outcome.is_err() {
            let dir = self.save_artifacts().await;
            eprintln!("browser test artifacts: {}", dir.display());
        } else {
            // Evidence of an earlier failure would mislead.
            let _ = std::fs::remove_dir_all(artifacts_dir(self.name));
        }
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }
}

//! axe-core in the test browser, and what a Vietnamese page must not show: shared by the
//! portal's and the desk's end-to-end tests.

use std::path::PathBuf;

use serde_json::json;

use super::webdriver::Browser;

/// axe-core, installed by `.ci/run` with npm (pinned) into target/axe.
pub fn axe_source() -> Option<String> {
    let path = std::env::var_os("BRANDVAULT_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target/axe/node_modules/axe-core/axe.min.js")
        });
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(_) if std::env::var("BRANDVAULT_REQUIRE_TOOLS").as_deref() == Ok("1") => {
            panic!("axe-core is required: npm install --prefix target/axe axe-core@4.14.1")
        }
        Err(_) => {
            eprintln!(
                "\n*** SKIPPED: axe-core not found at {} ***\n",
                path.display()
            );
            None
        }
    }
}

/// The serious and critical WCAG 2.1 A/AA violations axe finds on the current page.
pub fn axe_violations(browser: &Browser, axe: &str) -> Vec<String> {
    browser.run(&format!("{axe}\nreturn true;"), json!([]));
    let found = browser.run_async(
        "const done = arguments[arguments.length - 1];
         axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})
           .then(r => done(r.violations
             .filter(v => v.impact === 'serious' || v.impact === 'critical')
             .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
           .catch(e => done(['axe failed: ' + e]));",
    );
    serde_json::from_value(found).unwrap()
}

/// Words that must never show on a Vietnamese page: status, kind and preset codes.
pub const CODES: &[&str] = &[
    "approved",
    "in_review",
    "draft",
    "rejected",
    "archived",
    "photo",
    "video",
    "thumb",
    "preview",
    "press",
    "social-",
    "logo-",
    "horizontal-",
    "stacked-",
    "icon-",
    "not-found",
    "bad-query",
    "bad-date",
];

/// The current page at both widths: no serious or critical axe violation, nothing wider than
/// the screen, no status or kind codes in Vietnamese text.
pub fn audit(browser: &Browser, axe: &str, url: &str) {
    for (width, height) in [(1366, 900), (390, 844)] {
        browser.resize(width, height);
        browser.go(url);
        browser.find("main");
        let violations = axe_violations(browser, axe);
        assert!(violations.is_empty(), "{url} at {width} px: {violations:?}");
        let overflow = browser.run(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            json!([]),
        );
        assert_eq!(overflow, 0, "{url} is wider than {width} px");
        let text = browser.run(
            "const main = document.body.cloneNode(true);
             main.querySelectorAll('pre, code, [hidden]').forEach(e => e.remove());
             return main.innerText",
            json!([]),
        );
        let text = text.as_str().unwrap().to_lowercase();
        for code in CODES {
            assert!(!text.contains(code), "{url} shows {code:?}: {text}");
        }
    }
    browser.resize(1366, 900);
}

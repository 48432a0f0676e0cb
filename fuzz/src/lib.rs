//! The checks behind prwarden's fuzz targets.
//!
//! Each function takes the raw bytes libFuzzer generates, drives the public
//! API of `prwarden` / `prwarden-config` with them and panics when an
//! invariant breaks. The fuzz targets in `fuzz_targets/` are one-line
//! wrappers, and `tests/fuzz_regressions.rs` at the repository root includes
//! this file to replay the committed inputs in `fuzz/regressions/` and
//! `fuzz/seeds/` with a plain `cargo test`, so a crash found once stays fixed.
//!
//! Only the public API is used here, and only crates that the `prwarden`
//! package itself depends on, so the file compiles in both places.

use http::{HeaderMap, HeaderName, HeaderValue};
use prwarden::intake::signature::{sign, verify};
use prwarden::intake::{Decision, decide, parse_payload};
use prwarden::review::diff::FileDiff;
use prwarden_analyze::Severity;
use prwarden_config::{RepoConfig, parse_layer};
use serde_json::Value;

/// The secret the webhook target signs and verifies with.
pub const WEBHOOK_SECRET: &str = "fuzz-webhook-secret";

/// The App id handed to `decide`.
pub const APP_ID: u64 = 12345;

/// Event names `decide` is asked about besides the delivery's own.
pub const EVENTS: [&str; 7] = [
    "pull_request",
    "check_run",
    "check_suite",
    "ping",
    "installation",
    "installation_repositories",
    "",
];

/// Rule ids the configuration target declares as known.
pub const KNOWN_RULE_IDS: [&str; 2] = ["type-safety/explicit-any", "hardcoded-config/secret"];

const FORM: &str = "application/x-www-form-urlencoded";

/// Splits a fuzz input into an HTTP-style header block and a body, at the
/// first empty line (`\n\n` or `\r\n\r\n`). Without one, everything is body.
pub fn split_request(data: &[u8]) -> (&[u8], &[u8]) {
    for i in 0..data.len() {
        if data[i..].starts_with(b"\n\n") {
            return (&data[..i], &data[i + 2..]);
        }
        if data[i..].starts_with(b"\r\n\r\n") {
            return (&data[..i], &data[i + 4..]);
        }
    }
    (&[], data)
}

/// `name: value` lines → a header map; lines that are not valid headers are
/// skipped, as a server would never see them.
pub fn header_map(head: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let value = line[colon + 1..].trim_ascii();
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(value),
        ) {
            headers.append(name, value);
        }
    }
    headers
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn with_content_type(content_type: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).expect("a valid content type"),
    );
    headers
}

/// Target `webhook_intake`: `HEADERS \n\n BODY` → signature check, payload
/// parsing (JSON or form-encoded) and the routing decision.
pub fn webhook_intake(data: &[u8]) {
    let (head, body) = split_request(data);
    let mut headers = header_map(head);
    if !headers.contains_key(http::header::CONTENT_TYPE) {
        // Inputs that name no content type still try both encodings.
        match data.len() % 3 {
            0 => {}
            1 => headers = merge(headers, "application/json"),
            _ => headers = merge(headers, FORM),
        }
    }

    check_signature(&headers, body);
    let parsed = parse_payload(&headers, body);
    if let Ok(payload) = &parsed {
        assert!(payload.is_object(), "parse_payload accepted a non-object");
    }
    check_form_equals_json(body);

    let Ok(payload) = parsed else {
        return;
    };
    let own_event = header(&headers, "x-github-event").unwrap_or(EVENTS[data.len() % EVENTS.len()]);
    // Our App id, and the one the payload names so its own-app paths run.
    let app_ids = [
        Some(APP_ID),
        payload["check_run"]["app"]["id"].as_u64(),
        payload["check_suite"]["app"]["id"].as_u64(),
    ];
    for event in EVENTS.iter().copied().chain([own_event]) {
        for app_id in app_ids.into_iter().flatten() {
            check_decision(event, &payload, decide(event, &payload, app_id));
        }
    }
}

fn merge(mut headers: HeaderMap, content_type: &str) -> HeaderMap {
    headers.extend(with_content_type(content_type));
    headers
}

/// `verify` must accept what `sign` produced (with rotated secrets too), and
/// a header from the input may only verify if it is that signature.
fn check_signature(headers: &HeaderMap, body: &[u8]) {
    let secrets = [WEBHOOK_SECRET.to_owned()];
    let signed = sign(WEBHOOK_SECRET, body);
    assert!(
        verify(&secrets, &signed, body),
        "verify rejected sign's output"
    );
    assert!(
        verify(
            &["old-secret".to_owned(), WEBHOOK_SECRET.to_owned()],
            &signed,
            body
        ),
        "verify rejected sign's output under a rotated secret"
    );
    assert!(
        !verify(&["not-the-secret".to_owned()], &signed, body),
        "verify accepted a signature made with another secret"
    );
    assert!(
        !verify(&[], &signed, body),
        "verify accepted with no secret"
    );

    if let Some(claimed) = header(headers, "x-hub-signature-256") {
        if verify(&secrets, claimed, body) {
            assert!(
                claimed.trim().eq_ignore_ascii_case(&signed),
                "verify accepted {claimed:?}, which is not sign's {signed:?}"
            );
        }
        // A secret from the input: any string must sign and verify.
        let secret = header(headers, "x-fuzz-secret").unwrap_or(claimed);
        let own = sign(secret, body);
        assert!(
            verify(&[secret.to_owned()], &own, body),
            "verify rejected sign's output for secret {secret:?}"
        );
    }
}

/// A form-encoded delivery is the JSON body in a `payload` field: both ways
/// of sending the same text must parse to the same result.
fn check_form_equals_json(body: &[u8]) {
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    let form_body =
        serde_urlencoded::to_string([("payload", text)]).expect("a string pair encodes");
    let as_json = parse_payload(&with_content_type("application/json"), body);
    let as_form = parse_payload(
        &with_content_type(&format!("{FORM}; charset=utf-8")),
        form_body.as_bytes(),
    );
    match (&as_json, &as_form) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "form and JSON deliveries parsed differently"),
        (Err(_), Err(_)) => {}
        _ => panic!("form and JSON deliveries disagree: {as_json:?} vs {as_form:?}"),
    }
}

fn check_decision(event: &str, payload: &Value, decision: Decision) {
    match (event, decision) {
        ("ping", Decision::Ping) => {}
        ("ping", other) => panic!("ping decided as {other:?}"),
        (_, Decision::Ping) => panic!("{event:?} decided as ping"),
        (_, Decision::Ignore(reason)) => assert!(!reason.is_empty(), "empty ignore reason"),
        (_, Decision::Review(request)) => {
            assert!(
                matches!(event, "pull_request" | "check_run" | "check_suite"),
                "{event:?} asked for a review"
            );
            assert!(
                request.trigger.starts_with(&format!("{event}.")),
                "trigger {:?} for event {event:?}",
                request.trigger
            );
            assert_eq!(
                Some(request.installation_id),
                payload["installation"]["id"].as_u64()
            );
            if event == "check_run" {
                assert!(request.manual, "check run triggers are manual");
            }
            if request.signoff_by.is_some() {
                assert_eq!(event, "check_run", "sign-off outside a check run");
            }
        }
    }
}

/// Target `patch_parser`: a file's `patch` → hunks; every added line is a
/// RIGHT-side line of its hunk and a comment can be anchored on it.
pub fn patch_parser(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(diff) = FileDiff::parse(&text) else {
        return;
    };
    for hunk in &diff.hunks {
        assert!(
            hunk.added.is_subset(&hunk.right),
            "added lines outside the hunk's right side: {hunk:?}"
        );
    }
    let added = diff.added_lines();
    let in_hunks: usize = diff.hunks.iter().map(|h| h.added.len()).sum();
    assert!(added.len() <= in_hunks);
    for &line in &added {
        assert!(
            diff.hunks.iter().any(|h| h.right.contains(&line)),
            "added line {line} is in no hunk's right set"
        );
        assert!(
            diff.can_anchor(line, line),
            "cannot anchor on added line {line}"
        );
        if line > 0 {
            assert!(!diff.can_anchor(line, line - 1), "reversed range anchored");
        }
    }
    for hunk in &diff.hunks {
        if let (Some(&first), Some(&last)) = (hunk.right.first(), hunk.right.last()) {
            assert!(
                diff.can_anchor(first, last),
                "a hunk's own span must anchor"
            );
        }
    }
}

/// Target `config_parser`: any text as `.github/prwarden.yml` → a layer, the
/// resolved configuration and the questions a review asks of it. Nothing may
/// panic, whatever the file says.
pub fn config_parser(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let layer = parse_layer(&text, "fuzz.yml", &KNOWN_RULE_IDS);
    for problem in &layer.problems {
        let _ = problem.to_string();
    }
    let config = RepoConfig::resolve(std::slice::from_ref(&layer));
    exercise(&config);
    // The same file as organisation defaults and as the repository's own.
    let mut org = layer.clone();
    org.source = "org/.github:.github/prwarden.yml".to_owned();
    exercise(&RepoConfig::resolve(&[org, layer]));
}

fn exercise(config: &RepoConfig) {
    let _ = config.describe();
    let _ = config.is_default();
    for problem in &config.problems {
        let _ = problem.to_string();
    }
    for path in [
        "src/a.ts",
        "",
        "/",
        "a/../b",
        "src/legacy/auth/x.ts",
        "dist/",
    ] {
        let _ = config.is_ignored(path);
        let _ = config.is_security_path(path);
    }
    let mut rules: Vec<String> = KNOWN_RULE_IDS.iter().map(|r| (*r).to_owned()).collect();
    rules.extend(config.custom_rules.iter().map(|r| r.rule_id()));
    rules.extend(config.rules.keys().cloned());
    for rule in &rules {
        let item = rule.split_once('/').map_or(rule.as_str(), |(i, _)| i);
        for default in [Severity::Info, Severity::Warning, Severity::Error] {
            let _ = config.severity_for(rule, item, default);
            let _ = config.severity_for(rule, "", default);
        }
    }
    for login in ["octocat", "devin-ai-integration[bot]", "", "*"] {
        let _ = config.author_override(login);
    }
    for rule in &config.custom_rules {
        let _ = rule.analyzer_language();
        let _ = rule.applies_to_path("src/a.ts");
    }
}

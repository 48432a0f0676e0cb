//! Replays the fuzzers' committed inputs through the public API.
//!
//! `fuzz/src/lib.rs` holds the checks the fuzz targets run (invariants of
//! the webhook intake, the patch parser and the configuration parser); it is
//! included here as a module, so `cargo test` runs exactly the same checks on
//! every input under `fuzz/regressions/<target>/` (inputs that once crashed a
//! target) and `fuzz/seeds/<target>/` (the seed corpora). New crash inputs
//! only need to be dropped into the right directory.

#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::fs;
use std::path::{Path, PathBuf};

use prwarden::review::diff::FileDiff;

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `check` on every committed input of `target`; returns how many ran.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let mut count = 0;
    for kind in ["regressions", "seeds"] {
        for path in inputs(kind, target) {
            let data = fs::read(&path).expect("readable fuzz input");
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{} fails its checks", path.display());
            count += 1;
        }
    }
    count
}

#[test]
fn webhook_intake_inputs_pass() {
    assert!(replay("webhook_intake", harness::webhook_intake) > 0);
}

#[test]
fn patch_parser_inputs_pass() {
    assert!(replay("patch_parser", harness::patch_parser) > 0);
}

#[test]
fn config_parser_inputs_pass() {
    assert!(replay("config_parser", harness::config_parser) > 0);
}

#[test]
fn seeds_exercise_the_accepting_paths() {
    // The seeds are real deliveries signed with the harness's secret, so the
    // fuzzer starts from inputs that verify, parse and ask for a review.
    let data = fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/webhook_intake/pull_request.opened"),
    )
    .unwrap();
    let (head, body) = harness::split_request(&data);
    let headers = harness::header_map(head);
    let claimed = headers["x-hub-signature-256"].to_str().unwrap();
    assert!(prwarden::intake::signature::verify(
        &[harness::WEBHOOK_SECRET.to_owned()],
        claimed,
        body
    ));
    let payload = prwarden::intake::parse_payload(&headers, body).unwrap();
    assert!(matches!(
        prwarden::intake::decide("pull_request", &payload, harness::APP_ID),
        prwarden::intake::Decision::Review(_)
    ));
    assert!(
        !FileDiff::parse("@@ -1,3 +1,4 @@\n a\n+b\n c\n d")
            .unwrap()
            .hunks
            .is_empty()
    );
}

/// patch_parser, `fuzz/regressions/patch_parser/line-number-overflow-8ce8fbee`:
/// a hunk starting at line 4294967295 followed by a second line overflowed
/// the `u32` line counter (a panic in debug builds, line 0 in release).
#[test]
fn hunk_lines_past_u32_max_are_refused_not_overflowed() {
    let crash = b"@@ -1,2 +04294967295 ew()\n+m(b\n";
    let committed = fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/regressions/patch_parser/line-number-overflow-8ce8fbee"),
    )
    .unwrap();
    assert_eq!(committed, crash);
    let text = std::str::from_utf8(crash).unwrap();
    // The header's one line fits; there is no second one.
    let diff = FileDiff::parse(text).unwrap();
    assert_eq!(
        diff.added_lines().into_iter().collect::<Vec<_>>(),
        [u32::MAX]
    );
    assert!(diff.can_anchor(u32::MAX, u32::MAX));
    // A line after it would be numbered 2^32: a malformed patch, not a panic.
    assert!(FileDiff::parse("@@ -1 +4294967295 @@\n+a\n+b").is_err());
    assert!(FileDiff::parse("@@ -1 +4294967295 @@\n a\n b").is_err());
    assert!(FileDiff::parse("@@ -1 +4294967295 @@\n+a\n-b\n\\ No newline at end of file").is_ok());
}

/// config_parser, `fuzz/regressions/config_parser/deep-block-sequence`:
/// 50,000 nested block sequences (`- - - … x`, 100 KB, well under the 1 MiB
/// file limit) built a tree whose recursive drop overflowed the stack. In a
/// release build a 2 MiB stack (a tokio worker's) aborted the whole process
/// from about 35,000 levels on; debug builds fail far earlier. Nesting is now
/// refused past 64 levels, directly or through an alias.
#[test]
fn deeply_nested_config_is_a_problem_not_a_stack_overflow() {
    let text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/regressions/config_parser/deep-block-sequence"),
    )
    .unwrap();
    assert_eq!(text.len(), 100_001);
    let deep_alias = format!(
        "a: &a {open}x{close}\nb: &b {open}*a{close}\nscope: ai-authored\n",
        open = "[".repeat(40),
        close = "]".repeat(40)
    );
    let problems = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let mut messages = Vec::new();
            for text in [text, deep_alias] {
                let layer =
                    prwarden_config::parse_layer(&text, "fuzz.yml", &harness::KNOWN_RULE_IDS);
                let config = prwarden_config::RepoConfig::resolve(std::slice::from_ref(&layer));
                let _ = config.describe();
                messages.push(
                    layer
                        .problems
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>(),
                );
            }
            messages
        })
        .unwrap()
        .join()
        .expect("parsing a deeply nested file must not overflow the stack");
    for file in &problems {
        assert!(
            file.iter()
                .any(|p| p.contains("nested more than 64 levels")),
            "{file:?}"
        );
    }
    // A file nested a few levels, like every real one, still loads.
    let layer = prwarden_config::parse_layer(
        "custom_rules:\n  - id: a\n    language: python\n    pattern: print($X)\n    message: m\n    severity: info\n    paths: [\"src/**\"]\n",
        "fuzz.yml",
        &harness::KNOWN_RULE_IDS,
    );
    assert!(layer.problems.is_empty(), "{:?}", layer.problems);
}

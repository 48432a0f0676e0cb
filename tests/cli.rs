//! The command line: `prwarden config check` and `prwarden rules`.

use std::process::Command;

fn prwarden(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_prwarden"))
        .args(args)
        .output()
        .expect("run prwarden")
}

#[test]
fn config_check_accepts_the_annotated_example() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/prwarden-config/examples/prwarden.yml"
    );
    let out = prwarden(&["config", "check", example]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("valid"));
}

#[test]
fn config_check_reports_problems_with_their_lines_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prwarden.yml");
    std::fs::write(
        &file,
        "scope: everything\nrules:\n  type-safety/no-such-rule: off\nfail_on: warning\n",
    )
    .unwrap();
    let out = prwarden(&["config", "check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(":1: scope"), "{stderr}");
    assert!(
        stderr.contains(":3: rules.type-safety/no-such-rule"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("fail_on"),
        "valid keys are not problems: {stderr}"
    );
}

#[test]
fn rules_lists_every_rule() {
    let out = prwarden(&["rules"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    for id in [
        "hardcoded-config/secret",
        "type-safety/explicit-any",
        "error-handling/empty-catch",
        "query-efficiency/call-in-loop",
    ] {
        assert!(stdout.contains(id), "{stdout}");
    }
}

//! Custom rules from the base branch's `.github/prwarden.yml`, end to end:
//! they comment like built-in rules, and a broken one is a reported problem
//! that stops nothing else.

mod common;

use common::*;
use fake_github::{FakeFile, FakePr};

const BASE_CONFIG: &str = "custom_rules:
  - id: app-error
    language: typescript
    pattern: throw new Error($MSG)
    message: throw AppError, not Error
    severity: warning
  - id: broken
    language: typescript
    pattern: db.query(
    message: never runs
    severity: error
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_rule_on_the_base_branch_comments_and_a_broken_one_is_reported() {
    let content = format!(
        "{}\nexport function fail(id: string) {{\n  throw new Error(\"no user \" + id);\n}}\n",
        risky_ts()
    );
    let throw_line = content
        .lines()
        .position(|l| l.contains("throw new Error"))
        .unwrap()
        + 1;
    let app = TestApp::with_pr_and(
        FakePr::new(PR, HEAD, vec![FakeFile::added("src/users.ts", &content)]),
        |fake| fake.add_content(OWNER, REPO, "main", ".github/prwarden.yml", BASE_CONFIG),
    )
    .await;
    app.deliver(
        "pull_request",
        "d-open",
        &payload_bytes("pull_request.opened"),
    )
    .await;
    app.settle().await;

    let comments = app.comments();
    let custom: Vec<&serde_json::Value> = comments
        .iter()
        .filter(|c| {
            c["body"]
                .as_str()
                .unwrap_or("")
                .contains("error-handling/app-error")
        })
        .collect();
    assert_eq!(custom.len(), 1, "{comments:#?}");
    assert_eq!(custom[0]["line"], throw_line as u64);
    assert_eq!(custom[0]["path"], "src/users.ts");
    let body = custom[0]["body"].as_str().unwrap();
    assert!(body.contains("throw AppError, not Error"), "{body}");
    assert!(
        body.contains("follow the project's convention: throw AppError, not Error"),
        "{body}"
    );

    // Built-in rules still ran and posted.
    let ids = rule_ids(&comments);
    assert!(
        ids.contains(&"hardcoded-config/secret".to_owned()),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"type-safety/explicit-any".to_owned()),
        "{ids:?}"
    );

    let run = &app.check_runs()[0];
    let summary = run["output"]["summary"].as_str().unwrap();
    assert!(
        summary.contains(".github/prwarden.yml on main:9: custom_rules[1].pattern: the pattern does not parse as TypeScript code"),
        "{summary}"
    );
    assert!(summary.contains("`error-handling/app-error`"), "{summary}");
    app.assert_github_happy();
}

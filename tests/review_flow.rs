//! End to end: signed deliveries into the real router, reviews and check runs
//! out at a stateful fake GitHub.

mod common;

use common::*;
use fake_github::{FakeFile, TEST_APP_ID};
use serde_json::{Value, json};

fn opened() -> Vec<u8> {
    payload_bytes("pull_request.opened")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opened_pr_gets_one_review_and_a_completed_check_run() {
    let app = TestApp::with_pr(vec![
        FakeFile::added("src/users.ts", &risky_ts()),
        FakeFile::added("src/math.ts", &clean_ts()),
        FakeFile::binary("assets/logo.png"),
    ])
    .await;

    let response = app.deliver("pull_request", "delivery-1", &opened()).await;
    assert_eq!(response.status(), 202);
    app.settle().await;

    let reviews = app.reviews();
    assert_eq!(reviews.len(), 1, "exactly one review");
    assert_eq!(reviews[0]["commit_id"], HEAD);
    assert_eq!(reviews[0]["state"], "COMMENTED");

    let comments = app.comments();
    assert_eq!(
        rule_ids(&comments),
        [
            "error-handling/empty-catch",
            "hardcoded-config/secret",
            "query-efficiency/call-in-loop",
            "type-safety/explicit-any",
        ]
    );
    for c in &comments {
        assert_eq!(c["path"], "src/users.ts");
        let body = c["body"].as_str().unwrap();
        assert!(
            body.contains("<summary>Prompt for your coding agent</summary>"),
            "{body}"
        );
        assert!(body.contains("<!-- prwarden:fingerprint "), "{body}");
    }
    // The secret itself is never echoed back in the comment.
    let secret_comment = comments
        .iter()
        .find(|c| {
            c["body"]
                .as_str()
                .unwrap()
                .contains("hardcoded-config/secret")
        })
        .unwrap();
    assert!(
        !secret_comment["body"]
            .as_str()
            .unwrap()
            .contains("A1b2C3d4E5f6G7h8")
    );
    assert_eq!(secret_comment["line"], 3);

    let runs = app.check_runs();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["name"], "prwarden");
    assert_eq!(run["head_sha"], HEAD);
    assert_eq!(run["status"], "completed");
    assert_eq!(
        run["conclusion"], "failure",
        "a hard-coded secret is an error"
    );
    let summary = run["output"]["summary"].as_str().unwrap();
    assert!(
        summary.contains("`hardcoded-config` | ❌ fail | 1 |"),
        "{summary}"
    );
    assert!(summary.contains("`assets/logo.png`"), "{summary}");
    assert_eq!(run["annotations"].as_array().unwrap().len(), 4);
    app.assert_github_happy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_pr_gets_no_review_and_a_green_check() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/math.ts", &clean_ts())]).await;
    app.deliver("pull_request", "d-clean", &opened()).await;
    app.settle().await;
    assert!(app.reviews().is_empty());
    let runs = app.check_runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["conclusion"], "success");
    app.assert_github_happy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_binary_files_is_never_green() {
    let app = TestApp::with_pr(vec![FakeFile::binary("assets/logo.png")]).await;
    app.deliver("pull_request", "d-bin", &opened()).await;
    app.settle().await;
    let runs = app.check_runs();
    assert_eq!(runs[0]["status"], "completed");
    assert_eq!(runs[0]["conclusion"], "neutral");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_on_unchanged_lines_are_not_reported() {
    let old = risky_ts();
    let new = format!("{old}export const VERSION = 2;\n");
    let app = TestApp::with_pr(vec![FakeFile::modified("src/users.ts", &old, &new)]).await;
    app.deliver("pull_request", "d-mod", &opened()).await;
    app.settle().await;
    assert!(
        app.reviews().is_empty(),
        "only pre-existing problems: nothing to say"
    );
    assert_eq!(app.check_runs()[0]["conclusion"], "success");
    app.assert_github_happy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rerequested_check_run_reviews_again_without_duplicate_comments() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    app.deliver("pull_request", "d-open", &opened()).await;
    app.settle().await;
    assert_eq!(app.comments().len(), 4);

    // GitHub's rerequested example, aimed at our App, this repository and
    // commit; `pull_requests` is empty as it is for forks.
    let mut rerun = payload("check_run.rerequested");
    let original = app.check_runs()[0].clone();
    rerun["check_run"]["id"] = original["id"].clone();
    rerun["check_run"]["name"] = json!("prwarden");
    rerun["check_run"]["app"]["id"] = json!(TEST_APP_ID);
    rerun["check_run"]["head_sha"] = json!(HEAD);
    rerun["check_run"]["check_suite"]["head_sha"] = json!(HEAD);
    rerun["repository"] = payload("pull_request.opened")["repository"].clone();
    let body = serde_json::to_vec(&rerun).unwrap();
    assert_eq!(
        app.deliver("check_run", "d-rerun", &body).await.status(),
        202
    );
    app.settle().await;

    let runs = app.check_runs();
    assert_eq!(runs.len(), 2, "a re-run creates a new check run");
    assert!(runs.iter().all(|r| r["status"] == "completed"));
    assert_eq!(app.comments().len(), 4, "no duplicate comments");
    assert_eq!(app.reviews().len(), 1, "nothing new, so no second review");
    assert!(
        runs[1]["output"]["summary"]
            .as_str()
            .unwrap()
            .contains("0 new in this run, 4 still open from earlier runs")
    );

    // The action button does the same.
    let mut clicked = payload("check_run.requested_action");
    clicked["requested_action"] = json!({ "identifier": "rerun" });
    clicked["check_run"] = rerun["check_run"].clone();
    clicked["repository"] = rerun["repository"].clone();
    clicked["installation"] = json!({ "id": INSTALLATION });
    let body = serde_json::to_vec(&clicked).unwrap();
    assert_eq!(
        app.deliver("check_run", "d-click", &body).await.status(),
        202
    );
    app.settle().await;
    assert_eq!(app.check_runs().len(), 3);
    assert_eq!(app.comments().len(), 4);
    app.assert_github_happy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_suite_requested_collapses_with_the_pull_request_event() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    let mut suite = payload("check_suite.requested");
    suite["check_suite"]["head_sha"] = json!(HEAD);
    suite["check_suite"]["app"]["id"] = json!(TEST_APP_ID);
    suite["installation"] = json!({ "id": INSTALLATION });
    let suite = serde_json::to_vec(&suite).unwrap();
    // Stop the workers from racing the second delivery: both arrive while the
    // first job is still queued, as GitHub sends them together on a push.
    app.deliver("pull_request", "d-pr", &opened()).await;
    app.deliver("check_suite", "d-suite", &suite).await;
    app.settle().await;
    assert_eq!(app.reviews().len(), 1);
    assert_eq!(app.comments().len(), 4);
    assert!(app.check_runs().len() <= 2);
    app.assert_github_happy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_delivery_twice_is_processed_once() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    assert_eq!(
        app.deliver("pull_request", "same-id", &opened())
            .await
            .status(),
        202
    );
    let again = app.deliver("pull_request", "same-id", &opened()).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap()["status"], "duplicate");
    app.settle().await;
    // And a redelivery after the review finished.
    assert_eq!(
        app.deliver("pull_request", "same-id", &opened())
            .await
            .status(),
        200
    );
    app.settle().await;
    assert_eq!(app.reviews().len(), 1);
    assert_eq!(app.check_runs().len(), 1);
    assert_eq!(app.state.store.delivery_count().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_event_with_a_new_delivery_id_posts_no_duplicate_comment() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    app.deliver("pull_request", "first", &opened()).await;
    app.settle().await;
    app.deliver("pull_request", "second", &opened()).await;
    app.settle().await;
    assert_eq!(app.comments().len(), 4);
    assert_eq!(app.reviews().len(), 1);
    assert_eq!(
        app.check_runs().len(),
        1,
        "the duplicate joined the finished job"
    );
    // Reopening reviews again, and still posts nothing twice.
    app.deliver(
        "pull_request",
        "third",
        &payload_bytes("pull_request.reopened"),
    )
    .await;
    app.settle().await;
    assert_eq!(app.check_runs().len(), 2);
    assert_eq!(app.comments().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draft_waits_for_ready_for_review() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    let mut draft = payload("pull_request.opened");
    draft["pull_request"]["draft"] = json!(true);
    let response = app
        .deliver(
            "pull_request",
            "d-draft",
            &serde_json::to_vec(&draft).unwrap(),
        )
        .await;
    assert_eq!(response.status(), 202);
    assert_eq!(response.json::<Value>().await.unwrap()["status"], "ignored");
    assert_eq!(app.state.store.delivery_count().await.unwrap(), 0);

    let ready = payload_bytes("pull_request.ready_for_review.with-installation");
    assert_eq!(
        app.deliver("pull_request", "d-ready", &ready)
            .await
            .status(),
        202
    );
    app.settle().await;
    assert_eq!(app.reviews().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_pr_is_paginated_and_annotated_in_batches_of_fifty() {
    // 350 files: four pages of 100; each file has one finding.
    let files: Vec<FakeFile> = (0..350)
        .map(|i| {
            FakeFile::added(
                &format!("src/gen/module_{i:03}.ts"),
                &format!("export function f{i}(x: any): number {{\n  return {i};\n}}\n"),
            )
        })
        .collect();
    let app = TestApp::with_pr(files).await;
    app.deliver("pull_request", "d-big", &opened()).await;
    app.settle().await;

    assert_eq!(app.fake.count("GET", "/pulls/2/files"), 4, "four pages");
    let runs = app.check_runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["conclusion"], "success", "warnings only");
    assert_eq!(runs[0]["annotations"].as_array().unwrap().len(), 350);
    assert!(
        app.fake.count("PATCH", "/check-runs/") >= 7,
        "350 annotations need 7 requests"
    );
    assert_eq!(app.comments().len(), 30, "capped at max_inline_comments");
    let summary = runs[0]["output"]["summary"].as_str().unwrap();
    assert!(
        summary.contains("320 more are only in the annotations"),
        "{summary}"
    );
    // Contents came in a few GraphQL batches, not one call per file.
    let content_queries = app
        .fake
        .graphql_queries()
        .iter()
        .filter(|q| q.query.contains("object(expression"))
        .count();
    assert_eq!(content_queries, 7, "350 files in batches of 50");
    app.assert_github_happy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_push_posts_only_the_new_finding() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    app.deliver("pull_request", "d-open", &opened()).await;
    app.settle().await;
    assert_eq!(app.comments().len(), 4);

    // The push moves the existing code down two lines and adds a new `any`.
    let new_head = "0123456789abcdef0123456789abcdef01234567";
    let pushed = format!(
        "// header\n\n{}export function parse(raw: string): any {{\n  return JSON.parse(raw);\n}}\n",
        risky_ts()
    );
    push_and_sync(&app, new_head, &pushed).await;

    let reviews = app.reviews();
    assert_eq!(reviews.len(), 2);
    assert_eq!(reviews[1]["commit_id"], new_head);
    let comments = app.comments();
    assert_eq!(comments.len(), 5, "moved findings keep their fingerprints");
    let newest = comments.last().unwrap();
    assert!(newest["body"].as_str().unwrap().contains("`parse`"));
    let runs = app.check_runs();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1]["head_sha"], new_head);
    app.assert_github_happy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn installation_token_is_reused_and_renewed_when_revoked() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    // Reopening asks for a fresh review of the same commit.
    let reopened = payload_bytes("pull_request.reopened");
    app.deliver("pull_request", "d1", &opened()).await;
    app.settle().await;
    app.deliver("pull_request", "d2", &reopened).await;
    app.settle().await;
    assert_eq!(app.check_runs().len(), 2);
    assert_eq!(app.fake.tokens_issued(), 1, "one token for both reviews");

    // A revoked token answers 401: prwarden renews it once and carries on.
    app.fake.expire_tokens();
    app.deliver("pull_request", "d3", &reopened).await;
    app.settle().await;
    assert_eq!(app.fake.tokens_issued(), 2);
    assert_eq!(app.check_runs().len(), 3);
    assert!(app.check_runs().iter().all(|r| r["status"] == "completed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_close_to_expiry_is_not_used() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/math.ts", &clean_ts())]).await;
    // Tokens that expire within the renewal margin are renewed before use.
    app.fake.set_token_ttl(std::time::Duration::from_secs(120));
    app.deliver("pull_request", "d1", &opened()).await;
    app.settle().await;
    let calls = app
        .fake
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/repos/"))
        .count();
    assert!(
        app.fake.tokens_issued() >= calls,
        "a fresh token per request"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_server_errors_on_reads_are_retried() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    app.fake
        .fail_next("GET", "/repos/Codertocat/Hello-World/pulls/2/files", 502, 1);
    app.deliver("pull_request", "d1", &opened()).await;
    app.settle().await;
    assert_eq!(app.fake.count("GET", "/pulls/2/files"), 2);
    assert_eq!(app.reviews().len(), 1);
    assert_eq!(app.check_runs()[0]["status"], "completed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_review_is_reported_on_the_check_run() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    app.fake.fail_next("POST", "/pulls/2/reviews", 422, 1);
    app.deliver("pull_request", "d1", &opened()).await;
    app.settle().await;
    let run = &app.check_runs()[0];
    assert_eq!(run["status"], "completed");
    assert_eq!(run["conclusion"], "failure", "the secret is still an error");
    assert!(
        run["output"]["summary"]
            .as_str()
            .unwrap()
            .contains("could not be posted")
    );
    assert_eq!(
        run["annotations"].as_array().unwrap().len(),
        4,
        "findings kept as annotations"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_graphql_contents_and_markers_come_from_rest() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    app.fake.fail_next("POST", "/graphql", 404, 100);
    app.deliver("pull_request", "first", &opened()).await;
    app.settle().await;
    assert_eq!(app.comments().len(), 4, "contents through the blobs API");
    app.deliver(
        "pull_request",
        "second",
        &payload_bytes("pull_request.reopened"),
    )
    .await;
    app.settle().await;
    assert_eq!(
        app.comments().len(),
        4,
        "markers through REST: no duplicates"
    );
    assert!(app.check_runs().iter().all(|r| r["status"] == "completed"));
    assert!(app.fake.count("GET", "/git/blobs/") >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_during_a_review_cancels_the_stale_one() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    // Contents come after the check run is created: hold them so the push
    // lands mid-review.
    app.fake
        .delay("POST", "/graphql", std::time::Duration::from_millis(1500));
    app.deliver("pull_request", "d-open", &opened()).await;
    wait_until(std::time::Duration::from_secs(10), || async {
        !app.check_runs().is_empty()
    })
    .await;
    // While the first commit is being reviewed, the author pushes again.
    let new_head = "3333333333333333333333333333333333333333";
    push_and_sync(&app, new_head, &clean_ts()).await;

    let runs = app.check_runs();
    let old = runs.iter().find(|r| r["head_sha"] == HEAD).unwrap();
    assert_eq!(
        old["conclusion"], "cancelled",
        "{}",
        old["output"]["summary"]
    );
    assert!(
        old["output"]["summary"]
            .as_str()
            .unwrap()
            .contains(new_head)
    );
    let new = runs.iter().find(|r| r["head_sha"] == new_head).unwrap();
    assert_eq!(new["conclusion"], "success");
    assert!(
        app.reviews().is_empty(),
        "nothing posted for the stale commit"
    );
    app.assert_github_happy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_review_does_not_repeat_the_annotations_it_already_added() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    // The annotations are added; then completing the run fails on every
    // inline retry, so the attempt fails and the queue runs the job again.
    app.fake.fail_after("PATCH", "/check-runs/", 500, 1, 3);
    app.deliver("pull_request", "d1", &opened()).await;
    app.settle().await;
    let counts = app.state.store.counts().await.unwrap();
    assert_eq!(
        (counts.done, counts.failed),
        (1, 0),
        "the second attempt finished the job"
    );
    assert!(
        app.fake.count("PATCH", "/check-runs/") >= 5,
        "the first attempt's completion was refused"
    );
    let runs = app.check_runs();
    assert_eq!(runs.len(), 1, "the retry reuses the check run");
    assert_eq!(runs[0]["status"], "completed");
    assert_eq!(
        runs[0]["annotations"].as_array().unwrap().len(),
        4,
        "each finding annotated once, not once per attempt"
    );
    assert_eq!(app.reviews().len(), 1);
    app.assert_github_happy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_writes_are_retried_after_looking_and_never_duplicated() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    app.fake
        .fail_next("POST", "/repos/Codertocat/Hello-World/check-runs", 502, 1);
    app.fake.fail_next("POST", "/pulls/2/reviews", 503, 1);
    app.fake.fail_next("PATCH", "/check-runs/", 500, 2);
    app.deliver("pull_request", "d1", &opened()).await;
    app.settle().await;
    assert_eq!(
        app.check_runs().len(),
        1,
        "one check run despite the failed create"
    );
    assert_eq!(app.reviews().len(), 1, "one review despite the failed post");
    assert_eq!(app.comments().len(), 4);
    let run = &app.check_runs()[0];
    assert_eq!(run["status"], "completed");
    assert_eq!(run["annotations"].as_array().unwrap().len(), 4);
    // The lookups happened: check runs by commit, reviews by marker.
    assert!(
        app.fake.count(
            "GET",
            "/commits/ec26c3e57ca3a959ca5aad62de7213c562f8c821/check-runs"
        ) >= 1
    );
    assert!(app.fake.count("GET", "/pulls/2/reviews") >= 1);
}

const DISCOUNT_OLD: &str = "export function discount(total: number): number {\n  return total > 100 ? total * 0.9 : total;\n}\n";
const DISCOUNT_NEW: &str = "export function discount(total: number, member = false): number {\n  const rate = member ? 0.85 : 0.9;\n  return total > 100 ? total * rate : total;\n}\n";
const DISCOUNT_TEST_OLD: &str = "import { discount } from \"./x\";\n\ntest(\"discounts orders over 100\", () => {\n  expect(discount(200)).toBe(180);\n});\n";
const DISCOUNT_TEST_NEW: &str = "import { discount } from \"./x\";\n\ntest(\"discounts orders over 100\", () => {\n  expect(discount(200)).toBe(180);\n});\n\ntest(\"members get a larger discount\", () => {\n  expect(discount(200, true)).toBe(170);\n});\n";

/// The repository at `main`: a package whose source has a colocated test.
fn add_tested_package(app: &TestApp) {
    let fake = &app.fake;
    fake.add_content(
        OWNER,
        REPO,
        "main",
        "package.json",
        "{\"name\": \"shop\"}\n",
    );
    fake.add_content(OWNER, REPO, "main", "src/x.ts", DISCOUNT_OLD);
    fake.add_content(OWNER, REPO, "main", "src/x.test.ts", DISCOUNT_TEST_OLD);
}

const NO_TESTS_CHANGED: &str = "test-quality/no-tests-changed";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_change_without_test_change_is_a_pr_level_finding_in_the_summary_only() {
    let app = TestApp::with_pr(vec![FakeFile::modified(
        "src/x.ts",
        DISCOUNT_OLD,
        DISCOUNT_NEW,
    )])
    .await;
    add_tested_package(&app);
    app.deliver("pull_request", "d-no-tests", &opened()).await;
    app.settle().await;

    let runs = app.check_runs();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["status"], "completed");
    let summary = run["output"]["summary"].as_str().unwrap();
    assert!(summary.contains(NO_TESTS_CHANGED), "{summary}");
    assert!(
        summary.contains("`test-quality` | ❌ fail | 1 |"),
        "{summary}"
    );
    assert!(summary.contains("`src/x.test.ts`"), "{summary}");
    assert!(
        run["output"]["title"]
            .as_str()
            .unwrap()
            .contains("1 warning"),
        "{}",
        run["output"]["title"]
    );
    // A warning stays under the default `fail_on: error`.
    assert_eq!(run["conclusion"], "success");

    // Never an inline comment or an annotation: it has no line.
    assert!(
        !rule_ids(&app.comments())
            .iter()
            .any(|id| id == NO_TESTS_CHANGED),
        "{:#?}",
        app.comments()
    );
    for annotation in run["annotations"].as_array().into_iter().flatten() {
        assert!(
            !annotation["title"]
                .as_str()
                .unwrap_or_default()
                .contains(NO_TESTS_CHANGED),
            "{annotation}"
        );
    }
    assert_eq!(app.fake.count("GET", "/git/trees/"), 1);
    app.assert_github_happy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_change_with_its_test_change_has_no_pr_level_finding() {
    let app = TestApp::with_pr(vec![
        FakeFile::modified("src/x.ts", DISCOUNT_OLD, DISCOUNT_NEW),
        FakeFile::modified("src/x.test.ts", DISCOUNT_TEST_OLD, DISCOUNT_TEST_NEW),
    ])
    .await;
    add_tested_package(&app);
    app.deliver("pull_request", "d-with-tests", &opened()).await;
    app.settle().await;

    let run = &app.check_runs()[0];
    let summary = run["output"]["summary"].as_str().unwrap();
    assert!(!summary.contains(NO_TESTS_CHANGED), "{summary}");
    assert!(
        summary.contains("`test-quality` | ✅ pass | 0 |"),
        "{summary}"
    );
    assert_eq!(run["conclusion"], "success");
    // A test changed: no rule needs the repository's file list.
    assert_eq!(app.fake.count("GET", "/git/trees/"), 0);
    app.assert_github_happy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_repository_tree_gives_no_pr_level_finding() {
    let app = TestApp::with_pr(vec![FakeFile::modified(
        "src/x.ts",
        DISCOUNT_OLD,
        DISCOUNT_NEW,
    )])
    .await;
    add_tested_package(&app);
    app.fake.set_trees_truncated(OWNER, REPO, true);
    app.deliver("pull_request", "d-truncated", &opened()).await;
    app.settle().await;

    let summary = app.check_runs()[0]["output"]["summary"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!summary.contains(NO_TESTS_CHANGED), "{summary}");
    assert_eq!(app.fake.count("GET", "/git/trees/"), 1);
    app.assert_github_happy();
}

//! The stricter policy for agent-authored pull requests, repository
//! configuration, and a review that converges across pushes.

mod common;

use common::*;
use fake_github::{FakeCommit, FakeFile, FakePr, TEST_APP_ID};
use serde_json::{Value, json};

const SESSION_TS: &str = r#"import bcrypt from "bcrypt";

export async function verifyPassword(input: string, hash: string): Promise<boolean> {
  return bcrypt.compare(input, hash);
}
"#;

/// A PR written by GitHub's Copilot coding agent, as GitHub shows it.
fn copilot_pr(files: Vec<FakeFile>) -> FakePr {
    let mut pr = FakePr::new(PR, HEAD, files);
    pr.author = "Copilot".into();
    pr.author_type = Some("Bot".into());
    pr.head_ref = "copilot/fix-session-handling".into();
    pr.title = "Fix session handling".into();
    pr.body = Some(
        "Fixes password verification in the session module.\n\nThe old code compared hashes by hand.\n\n<!-- START COPILOT CODING AGENT SUFFIX -->\n\n<!-- START COPILOT CODING AGENT TIPS -->"
            .into(),
    );
    pr
}

fn copilot_commit(sha: &str) -> FakeCommit {
    let mut commit = FakeCommit::new(
        sha,
        "Fix session handling\n\nCo-authored-by: octocat <583231+octocat@users.noreply.github.com>",
    );
    commit.author_name = "copilot-swe-agent[bot]".into();
    commit.author_email = "198982749+Copilot@users.noreply.github.com".into();
    commit.author_login = Some("Copilot".into());
    commit
}

fn opened() -> Vec<u8> {
    payload_bytes("pull_request.opened")
}

/// GitHub's `requested_action` example, clicked by `login` on `run`.
fn click(run: &Value, identifier: &str, login: &str) -> Vec<u8> {
    let mut clicked = payload("check_run.requested_action");
    clicked["requested_action"] = json!({ "identifier": identifier });
    clicked["check_run"]["id"] = run["id"].clone();
    clicked["check_run"]["name"] = json!("prwarden");
    clicked["check_run"]["app"]["id"] = json!(TEST_APP_ID);
    clicked["check_run"]["head_sha"] = json!(HEAD);
    clicked["check_run"]["pull_requests"] = json!([]);
    clicked["repository"] = payload("pull_request.opened")["repository"].clone();
    clicked["installation"] = json!({ "id": INSTALLATION });
    clicked["sender"]["login"] = json!(login);
    serde_json::to_vec(&clicked).unwrap()
}

fn summary(run: &Value) -> &str {
    run["output"]["summary"].as_str().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_critical_agent_pr_waits_for_a_writer_to_sign_off() {
    let app = TestApp::with_pr_and(
        copilot_pr(vec![FakeFile::added("src/auth/session.ts", SESSION_TS)]),
        |fake| {
            fake.set_commits(OWNER, REPO, PR, vec![copilot_commit(HEAD)]);
            fake.set_permission(OWNER, REPO, "reader", "read");
            fake.set_permission(OWNER, REPO, "maintainer", "write");
        },
    )
    .await;
    app.deliver("pull_request", "d-open", &opened()).await;
    app.settle().await;

    let run = app.check_runs()[0].clone();
    assert_eq!(run["conclusion"], "action_required");
    let text = summary(&run);
    assert!(text.contains("AI authorship: agent-authored"), "{text}");
    assert!(
        text.contains("198982749+Copilot"),
        "evidence is shown: {text}"
    );
    assert!(text.contains("`src/auth/session.ts"), "{text}");
    assert!(text.contains("| 🧑 needs human |"), "{text}");
    let actions: Vec<&str> = run["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["identifier"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["rerun", "mark-reviewed"]);
    let labels = app.fake.labels(OWNER, REPO, PR);
    assert!(labels.contains(&"ai-authored".to_owned()), "{labels:?}");
    assert!(
        labels.contains(&"needs-human-review".to_owned()),
        "{labels:?}"
    );

    // A read-only user's click changes nothing, and the summary says why.
    let response = app
        .deliver(
            "check_run",
            "d-reader",
            &click(&run, "mark-reviewed", "reader"),
        )
        .await;
    assert_eq!(response.status(), 202);
    app.settle().await;
    let runs = app.check_runs();
    assert_eq!(runs.len(), 1, "the click re-completes the same run");
    assert_eq!(runs[0]["conclusion"], "action_required");
    assert!(
        summary(&runs[0]).contains("@reader clicked **Mark reviewed**, but has `read` permission")
    );
    assert!(
        app.fake
            .labels(OWNER, REPO, PR)
            .contains(&"needs-human-review".to_owned())
    );

    // A collaborator with write permission signs off.
    app.deliver(
        "check_run",
        "d-writer",
        &click(&run, "mark-reviewed", "maintainer"),
    )
    .await;
    app.settle().await;
    let runs = app.check_runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["conclusion"], "success");
    assert!(summary(&runs[0]).contains("✅ signed off by @maintainer"));
    let labels = app.fake.labels(OWNER, REPO, PR);
    assert!(
        !labels.contains(&"needs-human-review".to_owned()),
        "{labels:?}"
    );
    assert!(labels.contains(&"ai-authored".to_owned()));
    let actions = runs[0]["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "no sign-off button once signed off");
    app.assert_github_happy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn human_pr_with_the_same_change_gets_no_stricter_policy() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/auth/session.ts", SESSION_TS)]).await;
    app.deliver("pull_request", "d-open", &opened()).await;
    app.settle().await;
    let run = &app.check_runs()[0];
    assert_eq!(run["conclusion"], "success");
    assert!(
        summary(run).contains("AI authorship: no evidence"),
        "{}",
        summary(run)
    );
    assert!(app.fake.labels(OWNER, REPO, PR).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_pr_with_a_one_line_description_fails_specification() {
    let mut pr = copilot_pr(vec![FakeFile::added("src/math.ts", &clean_ts())]);
    pr.body = Some("Add add()".into());
    let app = TestApp::with_pr_and(pr, |fake| {
        fake.set_commits(OWNER, REPO, PR, vec![copilot_commit(HEAD)])
    })
    .await;
    app.deliver("pull_request", "d-open", &opened()).await;
    app.settle().await;
    let text = summary(&app.check_runs()[0]).to_owned();
    assert!(text.contains("`specification` | ❌ fail | 1 |"), "{text}");
    assert!(text.contains("empty or one-line description"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_in_the_pr_head_has_no_effect() {
    let head_config = "rules:\n  type-safety: off\n  error-handling: off\n  query-efficiency: off\n  hardcoded-config: off\n";
    let app = TestApp::with_pr(vec![
        FakeFile::added(".github/prwarden.yml", head_config),
        FakeFile::added("src/users.ts", &risky_ts()),
    ])
    .await;
    app.deliver("pull_request", "d-open", &opened()).await;
    app.settle().await;
    assert_eq!(
        app.comments().len(),
        4,
        "the PR cannot switch its own review off"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn base_branch_config_applies_and_its_problems_are_reported() {
    let base_config =
        "rules:\n  type-safety/explicit-any: off\nfail-on: never\nmax_inline_comments: 2\n";
    let app = TestApp::with_pr_and(
        FakePr::new(PR, HEAD, vec![FakeFile::added("src/users.ts", &risky_ts())]),
        |fake| fake.add_content(OWNER, REPO, "main", ".github/prwarden.yml", base_config),
    )
    .await;
    app.deliver("pull_request", "d-open", &opened()).await;
    app.settle().await;
    let ids = rule_ids(&app.comments());
    assert!(
        !ids.contains(&"type-safety/explicit-any".to_owned()),
        "{ids:?}"
    );
    assert_eq!(ids.len(), 2, "max_inline_comments: 2");
    let run = &app.check_runs()[0];
    let text = summary(run);
    assert!(
        text.contains(".github/prwarden.yml on main:3: fail-on"),
        "the unknown key is reported with its line: {text}"
    );
    assert!(text.contains("fail-on"), "{text}");
    // The valid rest applies; `fail_on` stays at its default, so the secret fails the check.
    assert_eq!(run["conclusion"], "failure");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organisation_defaults_apply_under_the_repository_file() {
    let app = TestApp::with_pr_and(
        FakePr::new(PR, HEAD, vec![FakeFile::added("src/users.ts", &risky_ts())]),
        |fake| {
            fake.add_repo(INSTALLATION, OWNER, ".github");
            fake.add_content(
                OWNER,
                ".github",
                "main",
                ".github/prwarden.yml",
                "fail_on: never\nmax_inline_comments: 1\n",
            );
            fake.add_content(
                OWNER,
                REPO,
                "main",
                ".github/prwarden.yml",
                "max_inline_comments: 3\n",
            );
        },
    )
    .await;
    app.deliver("pull_request", "d-open", &opened()).await;
    app.settle().await;
    assert_eq!(app.comments().len(), 3, "the repository's value wins");
    assert_eq!(
        app.check_runs()[0]["conclusion"],
        "success",
        "fail_on: never from the org"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_ai_authored_skips_human_prs() {
    let app = TestApp::with_pr_and(
        FakePr::new(PR, HEAD, vec![FakeFile::added("src/users.ts", &risky_ts())]),
        |fake| {
            fake.add_content(
                OWNER,
                REPO,
                "main",
                ".github/prwarden.yml",
                "scope: ai-authored\n",
            )
        },
    )
    .await;
    app.deliver("pull_request", "d-open", &opened()).await;
    app.settle().await;
    let run = &app.check_runs()[0];
    assert_eq!(run["conclusion"], "skipped");
    assert!(app.comments().is_empty());
}

/// The risky file after a push that fixes the empty catch and adds an `any`.
fn fixed_one_added_one() -> String {
    risky_ts()
        .replace("  } catch (e) {}\n", "  } catch (e) {\n    console.error(\"notify failed\", e);\n  }\n")
        .replace("  return users;\n}\n", "  return users;\n}\n\nexport function parse(raw: string): any {\n  return JSON.parse(raw);\n}\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_that_fixes_one_and_adds_one_gets_one_comment_and_one_resolved_thread() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    app.deliver("pull_request", "d-open", &opened()).await;
    app.settle().await;
    assert_eq!(app.comments().len(), 4);

    let new_head = "1111111111111111111111111111111111111111";
    push_and_sync(&app, new_head, &fixed_one_added_one()).await;

    let threads = app.fake.review_threads(OWNER, REPO, PR);
    assert_eq!(threads.len(), 5, "exactly one new thread");
    let resolved: Vec<&Value> = threads
        .iter()
        .filter(|t| t["is_resolved"] == true)
        .collect();
    assert_eq!(resolved.len(), 1, "exactly one resolved thread");
    let comments = app.comments();
    let reply = comments
        .iter()
        .find(|c| {
            c["body"]
                .as_str()
                .unwrap()
                .starts_with("Fixed in `111111111111`")
        })
        .expect("a reply naming the fixing commit");
    let root = comments
        .iter()
        .find(|c| c["id"] == reply["in_reply_to_id"])
        .unwrap();
    assert!(
        root["body"]
            .as_str()
            .unwrap()
            .contains("error-handling/empty-catch")
    );
    let text = summary(&app.check_runs()[1]).to_owned();
    assert!(
        text.contains("1 new in this run, 3 still open from earlier runs, 1 fixed"),
        "{text}"
    );
    app.assert_github_happy();

    // Running again changes nothing.
    let mut again = payload("pull_request.synchronize");
    again["pull_request"]["head"]["sha"] = json!(new_head);
    app.deliver(
        "pull_request",
        "again",
        &serde_json::to_vec(&again).unwrap(),
    )
    .await;
    app.settle().await;
    assert_eq!(app.fake.review_threads(OWNER, REPO, PR).len(), 5);
    assert_eq!(app.comments().len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threads_a_human_touched_are_never_resolved_or_duplicated() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    app.deliver("pull_request", "d-open", &opened()).await;
    app.settle().await;
    let comments = app.comments();
    let id_of = |rule: &str| {
        comments
            .iter()
            .find(|c| c["body"].as_str().unwrap().contains(rule))
            .and_then(|c| c["id"].as_u64())
            .unwrap()
    };
    // A reviewer answers the empty-catch comment and resolves the `any` one by hand.
    app.fake.human_reply(
        OWNER,
        REPO,
        PR,
        id_of("error-handling/empty-catch"),
        "octocat",
        "Intentional, see #12.",
    );
    app.fake
        .resolve_by_hand(OWNER, REPO, PR, id_of("type-safety/explicit-any"));

    let new_head = "2222222222222222222222222222222222222222";
    push_and_sync(&app, new_head, &fixed_one_added_one()).await;

    let threads = app.fake.review_threads(OWNER, REPO, PR);
    let catch_thread = threads
        .iter()
        .find(|t| t["comment_ids"][0].as_u64() == Some(id_of("error-handling/empty-catch")))
        .unwrap();
    assert_eq!(
        catch_thread["is_resolved"], false,
        "a human replied: left alone"
    );
    assert_eq!(
        catch_thread["comment_ids"].as_array().unwrap().len(),
        2,
        "no reply from prwarden"
    );
    // The hand-resolved `any` is still there and is not posted again; the new `any` is.
    let any_comments = app
        .comments()
        .iter()
        .filter(|c| {
            c["body"]
                .as_str()
                .unwrap()
                .contains("type-safety/explicit-any")
        })
        .count();
    assert_eq!(any_comments, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pr_opened_through_the_codex_connector_is_agent_authored() {
    // The connector opens the PR as the person who started the task; only
    // `performed_via_github_app` on the issue view tells.
    let mut pr = FakePr::new(PR, HEAD, vec![FakeFile::added("src/math.ts", &clean_ts())]);
    pr.author = "alice".into();
    pr.via_app = Some("chatgpt-codex-connector".into());
    let app = TestApp::with_pr_and(pr, |_| {}).await;
    app.deliver("pull_request", "d-open", &opened()).await;
    app.settle().await;
    let text = summary(&app.check_runs()[0]).to_owned();
    assert!(text.contains("AI authorship: agent-authored"), "{text}");
    assert!(text.contains("chatgpt-codex-connector"), "{text}");
    assert_eq!(app.fake.labels(OWNER, REPO, PR), ["ai-authored"]);
}

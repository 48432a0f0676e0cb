//! The app reads GitHub through octocrab's models, so the fake's responses must
//! deserialize into them (several fields that look optional are required).

use fake_github::{FakeFile, FakeGitHub, FakePr, TEST_APP_ID, keys};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use octocrab::models::checks::{CheckRun, ListCheckRuns};
use octocrab::models::pulls::{Review, ReviewComment};
use octocrab::params::checks::{CheckRunConclusion, CheckRunStatus};
use octocrab::params::repos::Commitish;
use octocrab::{Octocrab, Page};
use serde_json::{Value, json};

const HEAD: &str = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

async fn installation_token(fake: &FakeGitHub) -> String {
    let now = chrono::Utc::now().timestamp();
    let key = EncodingKey::from_rsa_pem(keys::test_app_private_key_pem().as_bytes()).unwrap();
    let jwt = jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &json!({"iss": TEST_APP_ID, "iat": now - 60, "exp": now + 540}),
        &key,
    )
    .unwrap();
    let body: Value = reqwest::Client::new()
        .post(format!("{}/app/installations/1/access_tokens", fake.url()))
        .bearer_auth(jwt)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn octocrab_models_accept_the_fakes_responses() {
    let fake = FakeGitHub::start().await;
    fake.add_repo(1, "octo", "hello");
    fake.add_pull(
        "octo",
        "hello",
        FakePr::new(
            3,
            HEAD,
            vec![
                FakeFile::modified("src/a.rs", "fn a() {}\n", "fn a() {}\nfn b() {}\n"),
                FakeFile::binary("img.png"),
            ],
        ),
    );
    let crab = Octocrab::builder()
        .base_uri(fake.url())
        .unwrap()
        .personal_token(installation_token(&fake).await)
        .build()
        .unwrap();

    let pr = crab.pulls("octo", "hello").get(3).await.unwrap();
    assert_eq!(pr.head.sha, HEAD);
    assert_eq!(pr.user.unwrap().login, "octocat");

    let files = crab.pulls("octo", "hello").list_files(3).await.unwrap();
    assert_eq!(files.items.len(), 2);
    assert_eq!(
        files.items[0].patch.as_deref(),
        Some("@@ -1 +1,2 @@\n fn a() {}\n+fn b() {}")
    );
    assert!(files.items[1].patch.is_none());

    let content = crab
        .repos("octo", "hello")
        .get_content()
        .path("src/a.rs")
        .r#ref(HEAD)
        .send()
        .await
        .unwrap();
    assert_eq!(
        content.items[0].decoded_content().as_deref(),
        Some("fn a() {}\nfn b() {}\n")
    );

    let run = crab
        .checks("octo", "hello")
        .create_check_run("prwarden", HEAD)
        .status(CheckRunStatus::InProgress)
        .send()
        .await
        .unwrap();
    assert_eq!(run.pull_requests[0].number, 3);
    let done: CheckRun = crab
        .patch(
            format!("/repos/octo/hello/check-runs/{}", run.id),
            Some(&json!({"conclusion": "success", "output": {"title": "t", "summary": "s", "annotations": [
                {"path": "src/a.rs", "start_line": 2, "end_line": 2, "annotation_level": "notice", "message": "m"}
            ]}})),
        )
        .await
        .unwrap();
    assert_eq!(done.conclusion.as_deref(), Some("success"));
    assert_eq!(done.output.annotations_count, 1);
    let updated = crab
        .checks("octo", "hello")
        .update_check_run(run.id)
        .conclusion(CheckRunConclusion::Neutral)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.conclusion.as_deref(), Some("neutral"));
    let list: ListCheckRuns = crab
        .checks("octo", "hello")
        .list_check_runs_for_git_ref(Commitish(HEAD.to_string()))
        .send()
        .await
        .unwrap();
    assert_eq!(list.total_count, 1);

    let review: Review = crab
        .post(
            "/repos/octo/hello/pulls/3/reviews",
            Some(
                &json!({"commit_id": HEAD, "body": "b", "event": "COMMENT", "comments": [
                    {"path": "src/a.rs", "line": 2, "side": "RIGHT", "body": "c"}
                ]}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(review.user.unwrap().login, "octocoders-linter[bot]");
    let comments: Page<ReviewComment> = crab
        .get("/repos/octo/hello/pulls/3/comments", None::<&()>)
        .await
        .unwrap();
    assert_eq!(comments.items[0].line, Some(2));

    // GitHub's 422 surfaces as octocrab's GitHub error with the message.
    let err = crab
        .post::<_, Review>(
            "/repos/octo/hello/pulls/3/reviews",
            Some(
                &json!({"commit_id": HEAD, "body": "b", "event": "COMMENT", "comments": [
                    {"path": "src/a.rs", "line": 9, "body": "outside"}
                ]}),
            ),
        )
        .await
        .unwrap_err();
    match err {
        octocrab::Error::GitHub { source, .. } => {
            assert_eq!(source.status_code.as_u16(), 422);
            assert!(
                source.errors.unwrap()[0]
                    .as_str()
                    .unwrap()
                    .contains("part of the diff")
            );
        }
        other => panic!("unexpected error {other:?}"),
    }

    let data: Value = crab
        .graphql(&json!({"query": format!(
            "{{ repository(owner: \"octo\", name: \"hello\") {{ f0: object(expression: \"{HEAD}:src/a.rs\") {{ ... on Blob {{ text }} }} }} }}"
        )}))
        .await
        .unwrap();
    assert_eq!(data["repository"]["f0"]["text"], "fn a() {}\nfn b() {}\n");
    assert!(
        fake.schema_violations().is_empty(),
        "{:?}",
        fake.schema_violations()
    );
    assert!(fake.invalid_graphql_queries().is_empty());
}

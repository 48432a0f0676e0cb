//! Drives the fake over HTTP the way the app does, checking the GitHub
//! behaviours prwarden depends on.

use std::time::Duration;

use fake_github::{FakeFile, FakeGitHub, FakePr, TEST_APP_ID, keys};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

const HEAD: &str = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// An App JWT signed with the test key, with `iat`/`exp` relative to now.
fn jwt(iss: Value, iat: i64, exp: i64) -> String {
    let key = EncodingKey::from_rsa_pem(keys::test_app_private_key_pem().as_bytes()).unwrap();
    let claims = json!({"iss": iss, "iat": now() + iat, "exp": now() + exp});
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &key).unwrap()
}

fn valid_jwt() -> String {
    // What octocrab signs: iat 60 s in the past, exp 540 s ahead.
    jwt(json!(TEST_APP_ID), -60, 540)
}

async fn token_response(fake: &FakeGitHub, installation: u64, jwt: &str) -> Response {
    Client::new()
        .post(format!(
            "{}/app/installations/{installation}/access_tokens",
            fake.url()
        ))
        .bearer_auth(jwt)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
}

async fn token(fake: &FakeGitHub, installation: u64) -> String {
    let resp = token_response(fake, installation, &valid_jwt()).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    resp.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn get(fake: &FakeGitHub, tok: &str, path: &str) -> Response {
    Client::new()
        .get(format!("{}{path}", fake.url()))
        .header("authorization", format!("token {tok}"))
        .send()
        .await
        .unwrap()
}

async fn send(
    fake: &FakeGitHub,
    tok: &str,
    method: &str,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let resp = Client::new()
        .request(method.parse().unwrap(), format!("{}{path}", fake.url()))
        .header("authorization", format!("Bearer {tok}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn numbered(n: usize) -> String {
    (1..=n).map(|i| format!("line {i}\n")).collect()
}

/// A repo on installation 1 with PR #2 changing lines 5 and 16 of `src/lib.rs`.
async fn fake_with_pr() -> (FakeGitHub, String) {
    let fake = FakeGitHub::start().await;
    fake.add_repo(1, "Codertocat", "Hello-World");
    let old = numbered(20);
    let new = old
        .replace("line 5\n", "line five\n")
        .replace("line 16\n", "line 16\nextra\n");
    fake.add_pull(
        "Codertocat",
        "Hello-World",
        FakePr::new(
            2,
            HEAD,
            vec![
                FakeFile::modified("src/lib.rs", &old, &new),
                FakeFile::added("README.md", "# Hello\n\nWorld\n"),
                FakeFile::binary("logo.png"),
            ],
        ),
    );
    let tok = token(&fake, 1).await;
    (fake, tok)
}

#[tokio::test]
async fn token_endpoint_checks_the_app_jwt() {
    let fake = FakeGitHub::start().await;

    let resp = token_response(&fake, 957387, &valid_jwt()).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(resp.headers()["x-ratelimit-resource"], "core");
    let body: Value = resp.json().await.unwrap();
    let tok = body["token"].as_str().unwrap();
    assert!(tok.starts_with("ghs_") && tok.len() == 40, "{tok}");
    assert!(tok[4..].chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(body["repository_selection"], "all");
    let expires =
        chrono::DateTime::parse_from_rfc3339(body["expires_at"].as_str().unwrap()).unwrap();
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));
    assert!((expires.timestamp() - now() - 3600).abs() < 5);

    // `iss` may also be the app id as a string.
    let resp = token_response(&fake, 1, &jwt(json!(TEST_APP_ID.to_string()), -60, 540)).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(fake.tokens_issued(), 2);

    // A signature that does not verify (wrong key).
    let good = valid_jwt();
    let (head_payload, sig) = good.rsplit_once('.').unwrap();
    let mut sig: Vec<char> = sig.chars().collect();
    sig[10] = if sig[10] == 'A' { 'B' } else { 'A' };
    let forged = format!("{head_payload}.{}", sig.into_iter().collect::<String>());
    // Not RS256 at all.
    let hs = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &json!({"iss": TEST_APP_ID, "iat": now() - 60, "exp": now() + 540}),
        &EncodingKey::from_secret(b"not the app key"),
    )
    .unwrap();
    let rejected = [
        forged,
        hs,
        jwt(json!(TEST_APP_ID), -700, -100), // expired
        jwt(json!(TEST_APP_ID), 0, 900),     // lives longer than 10 minutes
        jwt(json!(TEST_APP_ID), 120, 300),   // issued in the future
        jwt(json!(12345), -60, 540),         // another app
    ];
    for bad in &rejected {
        let resp = token_response(&fake, 1, bad).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{bad}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["documentation_url"], "https://docs.github.com/rest");
    }
    assert_eq!(fake.tokens_issued(), 2);

    let resp = token_response(&fake, 424242, &valid_jwt()).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn repo_endpoints_require_the_owning_installations_token() {
    let (fake, tok) = fake_with_pr().await;
    fake.add_repo(957387, "octo-org", "other");
    let path = "/repos/Codertocat/Hello-World/pulls/2";

    let resp = Client::new()
        .get(format!("{}{path}", fake.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = get(&fake, "ghs_not_a_token_at_all_000000000000000000", path).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["message"],
        "Bad credentials"
    );
    let resp = Client::new()
        .get(format!("{}{path}", fake.url()))
        .bearer_auth(valid_jwt())
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::UNAUTHORIZED,
        "a JWT is not an installation token"
    );

    // A valid token does not see another installation's repository.
    let resp = get(&fake, &tok, "/repos/octo-org/other/pulls/1").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    let resp = get(&fake, &tok, path).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let remaining: u64 = resp.headers()["x-ratelimit-remaining"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let pr: Value = resp.json().await.unwrap();
    assert_eq!(pr["number"], 2);
    assert_eq!(pr["head"]["sha"], HEAD);
    assert_eq!(pr["base"]["ref"], "main");
    assert_eq!(pr["user"]["login"], "octocat");
    assert_eq!(pr["merged"], false);
    let again = get(&fake, &tok, path).await;
    let next: u64 = again.headers()["x-ratelimit-remaining"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(next, remaining - 1);

    fake.expire_tokens();
    assert_eq!(
        get(&fake, &tok, path).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let resp = get(&fake, &token(&fake, 1).await, "/no/such/route").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(resp.json::<Value>().await.unwrap()["message"], "Not Found");
}

fn link_rels(resp: &Response) -> Vec<(String, String)> {
    let Some(link) = resp.headers().get("link") else {
        return Vec::new();
    };
    link.to_str()
        .unwrap()
        .split(", ")
        .map(|part| {
            let (url, rel) = part.split_once("; ").unwrap();
            let rel = rel.trim_start_matches("rel=\"").trim_end_matches('"');
            (
                rel.to_string(),
                url.trim_matches(|c| c == '<' || c == '>').to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn files_are_paginated_with_link_headers_and_capped_at_3000() {
    let fake = FakeGitHub::start().await;
    fake.add_repo(1, "o", "r");
    let files: Vec<FakeFile> = (0..350)
        .map(|i| FakeFile::added(&format!("f{i}.txt"), "x\n"))
        .collect();
    fake.add_pull("o", "r", FakePr::new(7, HEAD, files));
    let tok = token(&fake, 1).await;
    let base = format!("{}/repos/o/r/pulls/7/files", fake.url());

    let mut seen = 0;
    for page in 1..=4 {
        let resp = get(
            &fake,
            &tok,
            &format!("/repos/o/r/pulls/7/files?per_page=100&page={page}"),
        )
        .await;
        let rels = link_rels(&resp);
        let names: Vec<&str> = rels.iter().map(|(r, _)| r.as_str()).collect();
        let expected: &[&str] = match page {
            1 => &["next", "last"],
            4 => &["prev", "first"],
            _ => &["prev", "next", "last", "first"],
        };
        assert_eq!(names, expected, "page {page}");
        for (rel, url) in &rels {
            let target = match rel.as_str() {
                "next" => page + 1,
                "prev" => page - 1,
                "last" => 4,
                _ => 1,
            };
            assert_eq!(url, &format!("{base}?per_page=100&page={target}"));
        }
        let items: Vec<Value> = resp.json().await.unwrap();
        assert_eq!(items.len(), if page == 4 { 50 } else { 100 });
        seen += items.len();
    }
    assert_eq!(seen, 350);

    // The default page size is 30, and the entries look like GitHub's.
    let resp = get(&fake, &tok, "/repos/o/r/pulls/7/files").await;
    let items: Vec<Value> = resp.json().await.unwrap();
    assert_eq!(items.len(), 30);
    assert_eq!(items[0]["patch"], "@@ -0,0 +1 @@\n+x");
    assert_eq!(items[0]["sha"], "587be6b4c3f93f93c489c0111bba5596147a26cb");
    assert_eq!(items[0]["status"], "added");
    assert_eq!(items[0]["additions"], 1);

    // per_page above 100 is clamped and recorded as the app's mistake.
    let resp = get(&fake, &tok, "/repos/o/r/pulls/7/files?per_page=250").await;
    assert_eq!(resp.json::<Vec<Value>>().await.unwrap().len(), 100);
    assert!(
        fake.schema_violations()
            .iter()
            .any(|v| v.contains("per_page=250"))
    );

    // GitHub lists at most 3000 files.
    let many: Vec<FakeFile> = (0..3100)
        .map(|i| FakeFile::added(&format!("m{i}"), "y\n"))
        .collect();
    fake.add_pull("o", "r", FakePr::new(8, HEAD, many));
    let resp = get(&fake, &tok, "/repos/o/r/pulls/8/files?per_page=100&page=30").await;
    assert!(link_rels(&resp).iter().all(|(rel, _)| rel != "next"));
    assert_eq!(resp.json::<Vec<Value>>().await.unwrap().len(), 100);
    let resp = get(&fake, &tok, "/repos/o/r/pulls/8/files?per_page=100&page=31").await;
    assert_eq!(resp.json::<Vec<Value>>().await.unwrap().len(), 0);
}

#[tokio::test]
async fn reviews_are_all_or_nothing() {
    let (fake, tok) = fake_with_pr().await;
    let path = "/repos/Codertocat/Hello-World/pulls/2/reviews";
    let good = json!({"path": "src/lib.rs", "line": 5, "side": "RIGHT", "body": "ok"});
    let review = |comments: Value| json!({"commit_id": HEAD, "body": "Review", "event": "COMMENT", "comments": comments});

    let cases = [
        (
            json!({"path": "src/lib.rs", "line": 10, "body": "not in a hunk"}),
            "line must be part of the diff",
        ),
        (
            json!({"path": "nope.rs", "line": 1, "body": "x"}),
            "path is invalid",
        ),
        (
            json!({"path": "logo.png", "line": 1, "body": "binary"}),
            "line must be part of the diff",
        ),
        (
            json!({"path": "src/lib.rs", "line": 5, "start_line": 5, "body": "x"}),
            "start line must precede the end line.",
        ),
        (
            json!({"path": "src/lib.rs", "line": 17, "start_line": 4, "body": "x"}),
            "same hunk as the line.",
        ),
        (
            json!({"path": "src/lib.rs", "line": 5, "side": "LEFT", "body": "old line 5 was removed: ok on LEFT"}),
            "",
        ),
    ];
    for (bad, msg) in cases {
        let (status, body) = send(&fake, &tok, "POST", path, review(json!([good, bad]))).await;
        if msg.is_empty() {
            assert_eq!(status, StatusCode::OK, "{body}");
            continue;
        }
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(body["message"], "Unprocessable Entity");
        assert!(body["errors"][0].as_str().unwrap().contains(msg), "{body}");
    }
    // Only the one valid review (2 comments) was stored.
    assert_eq!(fake.reviews("Codertocat", "Hello-World", 2).len(), 1);
    assert_eq!(
        fake.review_comments("Codertocat", "Hello-World", 2).len(),
        2
    );

    let (status, body) = send(
        &fake,
        &tok,
        "POST",
        path,
        review(json!([{"path": "src/lib.rs", "line": 17, "start_line": 15, "side": "RIGHT", "body": "multi"}])),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "COMMENTED");
    assert_eq!(body["user"]["login"], "octocoders-linter[bot]");
    assert_eq!(body["user"]["type"], "Bot");
    assert_eq!(body["commit_id"], HEAD);
    let comments = fake.review_comments("Codertocat", "Hello-World", 2);
    let multi = comments.last().unwrap();
    assert_eq!(multi["pull_request_review_id"], body["id"]);
    assert_eq!(
        (multi["start_line"].as_u64(), multi["line"].as_u64()),
        (Some(15), Some(17))
    );
    assert_eq!(
        multi["diff_hunk"],
        "@@ -14,6 +14,7 @@\n line 14\n line 15\n line 16\n+extra"
    );

    // Body is required for COMMENT; unknown commits are rejected.
    let (status, _) = send(
        &fake,
        &tok,
        "POST",
        path,
        json!({"commit_id": HEAD, "event": "COMMENT"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = send(
        &fake,
        &tok,
        "POST",
        path,
        json!({"commit_id": "deadbeef", "body": "b", "event": "COMMENT"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // `event: PENDING` is not a value GitHub accepts: a schema violation.
    let (status, _) = send(
        &fake,
        &tok,
        "POST",
        path,
        json!({"body": "b", "event": "PENDING"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        fake.schema_violations()
            .iter()
            .any(|v| v.contains("pulls/create-review"))
    );

    // No event leaves a pending review, which tests can detect.
    let (status, body) = send(&fake, &tok, "POST", path, json!({"body": "draft"})).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (StatusCode::OK, Some("PENDING"))
    );
    assert_eq!(fake.pending_reviews_created(), 1);

    // After a push the old head stays a valid commit_id, with its own diff.
    fake.push(
        "Codertocat",
        "Hello-World",
        2,
        "abc123",
        vec![FakeFile::added("new.rs", "fn main() {}\n")],
    );
    let (status, _) = send(&fake, &tok, "POST", path, review(json!([good]))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(
        &fake,
        &tok,
        "POST",
        path,
        json!({"commit_id": "abc123", "body": "b", "event": "COMMENT", "comments": [good]}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "src/lib.rs is not in the new head's diff"
    );

    let resp = get(
        &fake,
        &tok,
        "/repos/Codertocat/Hello-World/pulls/2/comments?per_page=2",
    )
    .await;
    assert_eq!(link_rels(&resp).len(), 2);
    assert_eq!(resp.json::<Vec<Value>>().await.unwrap().len(), 2);
}

#[tokio::test]
async fn check_runs_enforce_limits_and_append_annotations() {
    let (fake, tok) = fake_with_pr().await;
    let base = "/repos/Codertocat/Hello-World/check-runs";
    let (status, run) = send(
        &fake,
        &tok,
        "POST",
        base,
        json!({"name": "prwarden", "head_sha": HEAD, "status": "in_progress", "external_id": "42"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    for key in [
        "id",
        "node_id",
        "url",
        "html_url",
        "details_url",
        "started_at",
        "check_suite",
        "app",
    ] {
        assert!(!run[key].is_null(), "{key}");
    }
    assert_eq!(run["status"], "in_progress");
    assert_eq!(run["app"]["id"], TEST_APP_ID);
    assert_eq!(run["pull_requests"][0]["number"], 2);
    let id = run["id"].as_u64().unwrap();
    let run_path = format!("{base}/{id}");

    let annotations = |n: usize, from: usize| -> Vec<Value> {
        (from..from + n)
            .map(|i| json!({"path": "src/lib.rs", "start_line": i + 1, "end_line": i + 1, "annotation_level": "warning", "message": format!("finding {i}")}))
            .collect()
    };
    let output =
        |a: Vec<Value>| json!({"output": {"title": "prwarden", "summary": "s", "annotations": a}});

    let (status, body) = send(&fake, &tok, "PATCH", &run_path, output(annotations(51, 0))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid request.\n\n")
    );
    assert_eq!(
        fake.check_runs("Codertocat", "Hello-World")[0]["annotations"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    for batch in 0..2 {
        let (status, body) = send(
            &fake,
            &tok,
            "PATCH",
            &run_path,
            output(annotations(50, batch * 50)),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["output"]["annotations_count"], (batch + 1) * 50);
    }
    let (status, body) = send(
        &fake,
        &tok,
        "PATCH",
        &run_path,
        json!({"conclusion": "failure", "output": {"title": "prwarden", "summary": "done"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["status"].as_str(), body["conclusion"].as_str()),
        (Some("completed"), Some("failure"))
    );
    let stored = &fake.check_runs("Codertocat", "Hello-World")[0];
    assert_eq!(stored["annotations"].as_array().unwrap().len(), 100);
    assert_eq!(stored["output"]["summary"], "done");

    let resp = get(
        &fake,
        &tok,
        &format!("{run_path}/annotations?per_page=40&page=3"),
    )
    .await;
    assert_eq!(link_rels(&resp).len(), 2, "prev and first");
    let last_page = resp.json::<Vec<Value>>().await.unwrap();
    assert_eq!(last_page.len(), 20);
    assert_eq!(last_page[19]["message"], "finding 99");

    let resp = get(
        &fake,
        &tok,
        &format!("/repos/Codertocat/Hello-World/commits/{HEAD}/check-runs?check_name=prwarden"),
    )
    .await;
    let list: Value = resp.json().await.unwrap();
    assert_eq!(list["total_count"], 1);
    assert_eq!(list["check_runs"][0]["id"], id);

    // Prose rules: summary length (GitHub's wording), completed without a
    // conclusion, a PATCH output without title.
    let long = "x".repeat(65_536);
    let bad_bodies = [
        (
            json!({"name": "n", "head_sha": HEAD, "output": {"title": "t", "summary": long}}),
            "Only 65535 characters are allowed; 65536 were supplied.",
        ),
        (
            json!({"name": "n", "head_sha": HEAD, "status": "completed"}),
            "conclusion",
        ),
    ];
    for (body, msg) in bad_bodies {
        let (status, resp) = send(&fake, &tok, "POST", base, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(resp["message"].as_str().unwrap().contains(msg), "{resp}");
    }
    let (status, resp) = send(
        &fake,
        &tok,
        "POST",
        base,
        json!({"name": "n", "head_sha": "main"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp["message"]
            .as_str()
            .unwrap()
            .contains("No commit found for SHA: main")
    );
    let (status, _) = send(
        &fake,
        &tok,
        "PATCH",
        &run_path,
        json!({"output": {"summary": "no title"}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = send(
        &fake,
        &tok,
        "PATCH",
        &run_path,
        json!({"status": "completed"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn schema_violations_are_rejected_and_recorded() {
    let (fake, tok) = fake_with_pr().await;
    let body = json!({
        "name": "prwarden",
        "head_sha": HEAD,
        "actions": [{"label": "Re-run the whole review", "description": "d", "identifier": "rerun"}]
    });
    let (status, resp) = send(
        &fake,
        &tok,
        "POST",
        "/repos/Codertocat/Hello-World/check-runs",
        body,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp["message"].as_str().unwrap().contains("characters"),
        "{resp}"
    );
    let violations = fake.schema_violations();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(violations[0].contains("checks/create") && violations[0].contains("/actions/0/label"));
    assert!(fake.check_runs("Codertocat", "Hello-World").is_empty());

    // A body that is not JSON.
    let resp = Client::new()
        .post(format!(
            "{}/repos/Codertocat/Hello-World/check-runs",
            fake.url()
        ))
        .header("authorization", format!("token {tok}"))
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(fake.responses_with_status(422), 1);
    assert_eq!(fake.count("POST", "/check-runs"), 2);
}

async fn graphql(fake: &FakeGitHub, tok: &str, query: &str, variables: Value) -> Value {
    let (status, body) = send(
        fake,
        tok,
        "POST",
        "/graphql",
        json!({"query": query, "variables": variables}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    body
}

#[tokio::test]
async fn graphql_reads_blobs_in_a_batch_and_rejects_unknown_fields() {
    let (fake, tok) = fake_with_pr().await;
    let big = "a".repeat(600_000);
    fake.push(
        "Codertocat",
        "Hello-World",
        2,
        "bbbb",
        vec![
            FakeFile::added("README.md", "# Hello\n"),
            FakeFile::added("big.txt", &big).without_patch(),
            FakeFile::binary("logo.png"),
        ],
    );
    let query = r#"query($owner: String!, $name: String!, $e1: String!) {
      rateLimit { cost remaining resetAt }
      repository(owner: $owner, name: $name) {
        f0: object(expression: "bbbb:README.md") { ... on Blob { text isBinary byteSize isTruncated oid } }
        f1: object(expression: $e1) { ... on Blob { text isBinary isTruncated byteSize } }
        f2: object(expression: "bbbb:logo.png") { ... on Blob { text isBinary } }
        f3: object(expression: "bbbb:missing.rs") { ... on Blob { text } }
        f4: object(expression: "main:README.md") { __typename }
      }
    }"#;
    let body = graphql(
        &fake,
        &tok,
        query,
        json!({"owner": "Codertocat", "name": "Hello-World", "e1": "bbbb:big.txt"}),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    let repo = &body["data"]["repository"];
    assert_eq!(repo["f0"]["text"], "# Hello\n");
    assert_eq!(repo["f0"]["isBinary"], false);
    assert_eq!(repo["f0"]["byteSize"], 8);
    assert_eq!(repo["f1"]["isTruncated"], true);
    assert_eq!(repo["f1"]["text"].as_str().unwrap().len(), 512_000);
    assert_eq!(repo["f1"]["byteSize"], 600_000);
    assert_eq!(repo["f2"], json!({"text": null, "isBinary": true}));
    assert_eq!(repo["f3"], Value::Null);
    assert_eq!(repo["f4"], Value::Null, "nothing on main");
    assert_eq!(body["data"]["rateLimit"]["cost"], 1);
    assert_eq!(fake.graphql_queries().len(), 1);
    assert!(fake.invalid_graphql_queries().is_empty());

    let bad = r#"query { repository(owner: "Codertocat", name: "Hello-World") { f0: object(expression: "bbbb:README.md") { ... on Blob { text contents } } } }"#;
    let body = graphql(&fake, &tok, bad, json!({})).await;
    assert!(body.get("data").is_none());
    assert_eq!(
        body["errors"][0]["message"],
        "Field 'contents' doesn't exist on type 'Blob'"
    );
    assert_eq!(body["errors"][0]["extensions"]["code"], "undefinedField");
    let invalid = fake.invalid_graphql_queries();
    assert_eq!(invalid.len(), 1);

    // Other validation rules GitHub applies.
    let body = graphql(
        &fake,
        &tok,
        "query($x: String!) { viewer { login } }",
        json!({}),
    )
    .await;
    let messages: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"Variable $x is declared by anonymous query but not used"),
        "{messages:?}"
    );
    let body = graphql(
        &fake,
        &tok,
        "{ repository(name: \"x\") { object { oid } } }",
        json!({}),
    )
    .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("missing required arguments: owner")
    );
    let body = graphql(
        &fake,
        &tok,
        "{ repository(owner: \"a\", name: \"b\") }",
        json!({}),
    )
    .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("has no selections")
    );

    // Another installation's repository resolves to null with NOT_FOUND.
    fake.add_repo(957387, "octo-org", "other");
    let body = graphql(
        &fake,
        &tok,
        "{ repository(owner: \"octo-org\", name: \"other\") { name } }",
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["repository"], Value::Null);
    assert_eq!(body["errors"][0]["type"], "NOT_FOUND");
}

#[tokio::test]
async fn graphql_review_threads_can_be_listed_and_resolved() {
    let (fake, tok) = fake_with_pr().await;
    let (status, _) = send(
        &fake,
        &tok,
        "POST",
        "/repos/Codertocat/Hello-World/pulls/2/reviews",
        json!({"commit_id": HEAD, "body": "r", "event": "COMMENT", "comments": [
            {"path": "src/lib.rs", "line": 5, "body": "<!-- fp:1 --> one"},
            {"path": "README.md", "line": 1, "body": "<!-- fp:2 --> two"}
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let query = r#"query($n: Int!, $after: String) { repository(owner: "Codertocat", name: "Hello-World") {
        pullRequest(number: $n) { reviewThreads(first: 1, after: $after) {
          pageInfo { hasNextPage endCursor }
          nodes { id isResolved isOutdated path line comments(first: 10) { nodes { id databaseId body author { login } } } }
        } } } }"#;
    let page1 = graphql(&fake, &tok, query, json!({"n": 2})).await;
    let threads = &page1["data"]["repository"]["pullRequest"]["reviewThreads"];
    assert_eq!(threads["pageInfo"]["hasNextPage"], true);
    assert_eq!(threads["nodes"][0]["path"], "src/lib.rs");
    assert_eq!(
        threads["nodes"][0]["comments"]["nodes"][0]["author"]["login"],
        "octocoders-linter"
    );
    let cursor = threads["pageInfo"]["endCursor"].clone();
    let page2 = graphql(&fake, &tok, query, json!({"n": 2, "after": cursor})).await;
    let second = &page2["data"]["repository"]["pullRequest"]["reviewThreads"]["nodes"][0];
    assert_eq!(second["path"], "README.md");

    let thread_id = second["id"].as_str().unwrap();
    let mutation = "mutation($id: ID!) { resolveReviewThread(input: {threadId: $id}) { thread { id isResolved } } }";
    let body = graphql(&fake, &tok, mutation, json!({"id": thread_id})).await;
    assert_eq!(
        body["data"]["resolveReviewThread"]["thread"]["isResolved"], true,
        "{body}"
    );
    let threads = fake.review_threads("Codertocat", "Hello-World", 2);
    assert_eq!(
        threads.iter().filter(|t| t["is_resolved"] == true).count(),
        1
    );

    // A connection without `first`/`last` is an error GitHub reports.
    let body = graphql(
        &fake,
        &tok,
        "{ repository(owner: \"Codertocat\", name: \"Hello-World\") { pullRequest(number: 2) { reviewThreads { totalCount } } } }",
        json!({}),
    )
    .await;
    assert_eq!(body["errors"][0]["type"], "MISSING_PAGINATION_BOUNDARIES");
    assert_eq!(fake.invalid_graphql_queries().len(), 1);
}

#[tokio::test]
async fn contents_blobs_and_manifest_conversion() {
    let (fake, tok) = fake_with_pr().await;
    fake.add_content(
        "Codertocat",
        "Hello-World",
        "main",
        ".github/prwarden.yml",
        "scope: all\n",
    );

    let resp = get(
        &fake,
        &tok,
        "/repos/Codertocat/Hello-World/contents/.github/prwarden.yml?ref=main",
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let file: Value = resp.json().await.unwrap();
    assert_eq!(file["content"], "c2NvcGU6IGFsbAo=\n");
    // Unchanged files are visible at the head through the base branch.
    let resp = get(
        &fake,
        &tok,
        &format!("/repos/Codertocat/Hello-World/contents/.github/prwarden.yml?ref={HEAD}"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = get(
        &fake,
        &tok,
        "/repos/Codertocat/Hello-World/contents/README.md?ref=main",
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    let files: Vec<Value> = get(&fake, &tok, "/repos/Codertocat/Hello-World/pulls/2/files")
        .await
        .json()
        .await
        .unwrap();
    let lib = files
        .iter()
        .find(|f| f["filename"] == "src/lib.rs")
        .unwrap();
    let blob: Value = get(
        &fake,
        &tok,
        &format!(
            "/repos/Codertocat/Hello-World/git/blobs/{}",
            lib["sha"].as_str().unwrap()
        ),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(blob["encoding"], "base64");
    let content = blob["content"].as_str().unwrap();
    assert!(content.split('\n').all(|l| l.len() <= 60));
    assert_eq!(content.split('\n').next().unwrap().len(), 60);
    assert!(
        files
            .iter()
            .any(|f| f["filename"] == "logo.png" && f.get("patch").is_none())
    );
    assert_eq!(
        get(&fake, &tok, "/repos/Codertocat/Hello-World/git/blobs/0000")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let pem = keys::test_app_private_key_pem();
    fake.add_manifest_code("code123", 4242, &pem, "whsec");
    let url = format!("{}/app-manifests/code123/conversions", fake.url());
    let resp = Client::new().post(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let app: Value = resp.json().await.unwrap();
    assert_eq!(
        (app["id"].as_u64(), app["webhook_secret"].as_str()),
        (Some(4242), Some("whsec"))
    );
    assert_eq!(app["pem"], pem);
    for key in [
        "slug",
        "node_id",
        "name",
        "client_id",
        "client_secret",
        "owner",
        "html_url",
        "permissions",
        "events",
        "created_at",
        "updated_at",
    ] {
        assert!(!app[key].is_null(), "{key}");
    }
    assert_eq!(
        Client::new().post(&url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // The converted App can now authenticate.
    let resp = token_response(&fake, 1, &jwt(json!(4242), -60, 540)).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn faults_can_be_injected() {
    let (fake, tok) = fake_with_pr().await;
    let path = "/repos/Codertocat/Hello-World/pulls/2";
    fake.fail_next("GET", "/pulls/2", 502, 2);
    assert_eq!(
        get(&fake, &tok, path).await.status(),
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(
        get(&fake, &tok, path).await.status(),
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(get(&fake, &tok, path).await.status(), StatusCode::OK);
    assert_eq!(fake.responses_with_status(502), 2);

    fake.fail_next("*", "/pulls/2", 429, 1);
    let resp = get(&fake, &tok, path).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "1");

    fake.delay("GET", "/pulls/2", Duration::from_millis(300));
    let started = std::time::Instant::now();
    assert_eq!(get(&fake, &tok, path).await.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // A client that gives up during the delay: GitHub would still carry the
    // request out, and so does the fake (it is recorded with its status).
    fake.delay("POST", "/issues/2/labels", Duration::from_millis(300));
    let quick = Client::builder()
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let sent = quick
        .post(format!(
            "{}/repos/Codertocat/Hello-World/issues/2/labels",
            fake.url()
        ))
        .header("authorization", format!("token {tok}"))
        .json(&json!({"labels": ["ai-authored"]}))
        .send()
        .await;
    assert!(sent.is_err());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        fake.labels("Codertocat", "Hello-World", 2),
        vec!["ai-authored"]
    );
    assert_eq!(fake.count("POST", "/labels"), 1);

    fake.set_rate_limit_remaining("core", 0);
    let resp = get(&fake, &tok, "/repos/Codertocat/Hello-World").await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(resp.headers()["x-ratelimit-remaining"], "0");
    assert_eq!(fake.count("GET", "/pulls/2"), 5);
}

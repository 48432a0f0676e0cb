//! Webhook intake: what is rejected, what is acknowledged, and that no
//! rejected or ignored delivery reaches GitHub or the store.

mod common;

use common::*;
use fake_github::FakeFile;
use serde_json::Value;

async fn app() -> TestApp {
    TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_signature_is_401_and_calls_nothing() {
    let app = app().await;
    let body = payload_bytes("pull_request.opened");
    let wrong = prwarden::intake::signature::sign("not-the-secret", &body);
    assert_eq!(
        app.deliver_signed("pull_request", "d1", &body, &wrong)
            .await
            .status(),
        401
    );
    // Signed, then changed.
    let good = prwarden::intake::signature::sign(SECRET, &body);
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    assert_eq!(
        app.deliver_signed("pull_request", "d2", &tampered, &good)
            .await
            .status(),
        401
    );
    // Missing altogether.
    let missing = app
        .http
        .post(format!("{}/api/github/webhooks", app.url))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "d3")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(app.fake.requests().is_empty(), "no GitHub API call");
    assert_eq!(app.state.store.delivery_count().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_secrets_both_verify() {
    let fake = fake_github::FakeGitHub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&fake.url(), dir.path());
    cfg.github_webhook_secret = Some(format!("new-secret,{SECRET}"));
    let app = TestApp::start(fake, dir, cfg).await;
    let body = payload_bytes("ping");
    assert_eq!(app.deliver("ping", "p1", &body).await.status(), 200);
    let signed_new = prwarden::intake::signature::sign("new-secret", &body);
    assert_eq!(
        app.deliver_signed("ping", "p2", &body, &signed_new)
            .await
            .status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_and_missing_headers_are_400() {
    let app = app().await;
    let body = b"{\"action\": \"opened\", ".to_vec();
    assert_eq!(app.deliver("pull_request", "d1", &body).await.status(), 400);
    let body = payload_bytes("pull_request.opened");
    let signature = prwarden::intake::signature::sign(SECRET, &body);
    let no_event = app
        .http
        .post(format!("{}/api/github/webhooks", app.url))
        .header("x-github-delivery", "d2")
        .header("x-hub-signature-256", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(no_event.status(), 400);
    assert_eq!(app.state.store.delivery_count().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_body_is_413() {
    let app = app().await;
    let body = vec![b' '; 25 * 1024 * 1024 + 1];
    assert_eq!(
        app.deliver("pull_request", "big", &body).await.status(),
        413
    );
    assert_eq!(app.state.store.delivery_count().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_unknown_events_and_unhandled_actions_store_nothing() {
    let app = app().await;
    assert_eq!(
        app.deliver("ping", "p", &payload_bytes("ping.with-app_id"))
            .await
            .status(),
        200
    );
    for (event, file) in [
        ("installation", "installation.created"),
        ("pull_request", "pull_request.closed"),
        ("check_run", "check_run.created"),
        ("check_suite", "check_suite.completed"),
    ] {
        let response = app.deliver(event, file, &payload_bytes(file)).await;
        assert_eq!(response.status(), 202, "{file}");
        assert_eq!(response.json::<Value>().await.unwrap()["status"], "ignored");
    }
    let response = app.deliver("star", "s", b"{\"action\":\"created\"}").await;
    assert_eq!(response.status(), 202);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.state.store.delivery_count().await.unwrap(), 0);
    assert!(app.fake.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_encoded_deliveries_are_accepted() {
    let app = app().await;
    let json = String::from_utf8(payload_bytes("pull_request.opened")).unwrap();
    let body = serde_urlencoded::to_string([("payload", json)])
        .unwrap()
        .into_bytes();
    let response = app
        .http
        .post(format!("{}/api/github/webhooks", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "form-1")
        .header(
            "x-hub-signature-256",
            prwarden::intake::signature::sign(SECRET, &body),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    app.settle().await;
    assert_eq!(app.reviews().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers() {
    let app = app().await;
    let response = app
        .http
        .get(format!("{}/healthz", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_beyond_the_intake_limit_waits_and_is_fully_accepted() {
    let app = app().await;
    let body = payload_bytes("pull_request.closed");
    let sends: Vec<_> = (0..600)
        .map(|i| {
            let (http, url, body) = (app.http.clone(), app.url.clone(), body.clone());
            tokio::spawn(async move {
                http.post(format!("{url}/api/github/webhooks"))
                    .header("x-github-event", "pull_request")
                    .header("x-github-delivery", format!("burst-{i}"))
                    .header(
                        "x-hub-signature-256",
                        prwarden::intake::signature::sign(SECRET, &body),
                    )
                    .body(body)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    for send in sends {
        assert_eq!(send.await.unwrap().unwrap(), 202);
    }
}

//! The App's webhook: signed deliveries, the delivery log and redelivery,
//! checked against a small receiver that records what it got.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use fake_github::{FakeGitHub, TEST_APP_ID, keys};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

const SECRET: &str = "hook-secret";

/// What the receiver got: headers and the exact body of each POST.
type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A webhook receiver answering `status`; returns its URL and its log.
async fn receiver(status: u16) -> (String, Received) {
    let received: Received = Arc::default();
    let log = Arc::clone(&received);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let log = Arc::clone(&log);
            async move {
                log.lock().unwrap().push((headers, body));
                (AxumStatus::from_u16(status).unwrap(), "{\"ok\":true}")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

fn jwt() -> String {
    let now = chrono::Utc::now().timestamp();
    let key = EncodingKey::from_rsa_pem(keys::test_app_private_key_pem().as_bytes()).unwrap();
    jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &json!({"iss": TEST_APP_ID, "iat": now - 60, "exp": now + 540}),
        &key,
    )
    .unwrap()
}

async fn app_get(fake: &FakeGitHub, path_or_url: &str) -> reqwest::Response {
    let url = if path_or_url.starts_with("http") {
        path_or_url.to_owned()
    } else {
        format!("{}{path_or_url}", fake.url())
    };
    Client::new()
        .get(url)
        .bearer_auth(jwt())
        .send()
        .await
        .unwrap()
}

fn payload(n: u64) -> Value {
    json!({
        "action": "opened",
        "number": n,
        "installation": {"id": 1},
        "repository": {"id": 186853002, "name": "Hello-World"},
    })
}

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn wait_for(fake: &FakeGitHub, n: usize) {
    for _ in 0..200 {
        if fake.deliveries().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("fewer than {n} deliveries were recorded");
}

#[tokio::test]
async fn deliveries_are_signed_and_recorded() {
    let fake = FakeGitHub::start().await;
    let (url, received) = receiver(202).await;
    fake.set_webhook(&url, SECRET);
    assert_eq!(fake.send_webhook("pull_request", &payload(2)).await, 202);

    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let (headers, body) = &got[0];
    assert_eq!(body.as_ref(), serde_json::to_vec(&payload(2)).unwrap());
    assert_eq!(headers["x-github-event"], "pull_request");
    assert_eq!(headers["content-type"], "application/json");
    assert!(
        headers["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("GitHub-Hookshot/")
    );
    assert_eq!(
        headers["x-hub-signature-256"].to_str().unwrap(),
        format!("sha256={}", hmac_hex(SECRET, body))
    );
    let guid = headers["x-github-delivery"].to_str().unwrap().to_owned();

    let log = fake.deliveries();
    assert_eq!(log.len(), 1);
    let d = &log[0];
    assert_eq!(d["guid"], guid.as_str());
    assert_eq!(d["status"], "OK");
    assert_eq!(d["status_code"], 202);
    assert_eq!(d["redelivery"], false);
    assert_eq!(d["event"], "pull_request");
    assert_eq!(d["action"], "opened");
    assert_eq!(d["installation_id"], 1);
    assert_eq!(d["repository_id"], 186853002);
    assert!(d["delivered_at"].as_str().unwrap().ends_with('Z'));

    // The single delivery shows what was sent and received.
    let resp = app_get(&fake, &format!("/app/hook/deliveries/{}", d["id"])).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let full: Value = resp.json().await.unwrap();
    assert_eq!(full["request"]["payload"], payload(2));
    assert_eq!(
        full["request"]["headers"]["X-GitHub-Delivery"],
        guid.as_str()
    );
    assert_eq!(full["response"]["payload"], "{\"ok\":true}");
    assert_eq!(full["url"], url.as_str());
    assert_eq!(
        app_get(&fake, "/app/hook/deliveries/1").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn failures_are_recorded_with_githubs_status() {
    let fake = FakeGitHub::start().await;
    let (url, _) = receiver(503).await;
    fake.set_webhook(&url, SECRET);
    assert_eq!(fake.send_webhook("pull_request", &payload(1)).await, 503);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed = format!("http://{}/hook", listener.local_addr().unwrap());
    drop(listener);
    fake.set_webhook(&closed, SECRET);
    assert_eq!(fake.send_webhook("pull_request", &payload(2)).await, 0);

    let log = fake.deliveries();
    assert_eq!(log[0]["status"], "Invalid HTTP Response: 503");
    assert_eq!(log[0]["status_code"], 503);
    assert_eq!(log[1]["status"], "failed to connect");
    assert_eq!(log[1]["status_code"], 0);

    // The `status` filter follows the documented ranges: 0 is in neither.
    let failures: Vec<Value> = app_get(&fake, "/app/hook/deliveries?status=failure")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0]["status_code"], 503);
}

#[tokio::test]
async fn the_log_is_newest_first_and_cursor_paginated() {
    let fake = FakeGitHub::start().await;
    let (url, _) = receiver(200).await;
    fake.set_webhook(&url, SECRET);
    for n in 0..5 {
        fake.send_webhook("pull_request", &payload(n)).await;
    }
    // App JWT only.
    let anonymous = Client::new()
        .get(format!("{}/app/hook/deliveries", fake.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let mut seen = Vec::new();
    let mut next = Some("/app/hook/deliveries?per_page=2".to_owned());
    while let Some(page_url) = next.take() {
        let resp = app_get(&fake, &page_url).await;
        assert_eq!(resp.status(), StatusCode::OK);
        next = resp
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_owned())
            .map(|link| {
                assert!(link.ends_with("; rel=\"next\""), "{link}");
                assert!(link.contains("per_page=2&cursor="), "{link}");
                link.trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_owned()
            });
        let items: Vec<Value> = resp.json().await.unwrap();
        assert!(items.len() <= 2);
        seen.extend(items);
    }
    let numbers: Vec<u64> = seen
        .iter()
        .map(|d| d["id"].as_u64().unwrap())
        .collect::<Vec<_>>();
    assert_eq!(numbers.len(), 5);
    assert!(numbers.windows(2).all(|w| w[0] > w[1]), "newest first");
}

#[tokio::test]
async fn redelivery_sends_the_same_delivery_again() {
    let fake = FakeGitHub::start().await;
    let (url, received) = receiver(500).await;
    fake.set_webhook(&url, SECRET);
    fake.send_webhook("check_suite", &payload(3)).await;
    let first = fake.deliveries()[0].clone();

    // Redelivered to the URL and with the secret in force now.
    let (url, received_now) = receiver(200).await;
    fake.set_webhook(&url, "rotated");
    let resp = Client::new()
        .post(format!(
            "{}/app/hook/deliveries/{}/attempts",
            fake.url(),
            first["id"]
        ))
        .bearer_auth(jwt())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert_eq!(resp.json::<Value>().await.unwrap(), json!({}));
    wait_for(&fake, 2).await;

    let again = &fake.deliveries()[1];
    assert_eq!(again["guid"], first["guid"]);
    assert_eq!(again["redelivery"], true);
    assert_eq!(again["status"], "OK");
    assert_ne!(again["id"], first["id"]);
    let original = received.lock().unwrap()[0].clone();
    let resent = received_now.lock().unwrap()[0].clone();
    assert_eq!(original.1, resent.1, "the same bytes");
    assert_eq!(
        original.0["x-github-delivery"],
        resent.0["x-github-delivery"]
    );
    assert_eq!(resent.0["x-github-event"], "check_suite");
    assert_eq!(
        resent.0["x-hub-signature-256"].to_str().unwrap(),
        format!("sha256={}", hmac_hex("rotated", &resent.1))
    );

    // Unknown and expired deliveries cannot be redelivered.
    let post = |id: String| {
        let url = format!("{}/app/hook/deliveries/{id}/attempts", fake.url());
        async move {
            Client::new()
                .post(url)
                .bearer_auth(jwt())
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(post("1".into()).await, StatusCode::NOT_FOUND);
    fake.backdate_deliveries(Duration::from_secs(4 * 24 * 3600));
    assert_eq!(
        post(first["id"].to_string()).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

//! Secrets never reach the logs: every log line of a whole review — at
//! TRACE, including the HTTP client's — is captured and searched for the
//! private key, the webhook secret, the App JWTs and installation tokens.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use fake_github::FakeFile;
use serde_json::json;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_appears_in_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    // A normal review, a rejected delivery, a revoked token and a failed write.
    app.deliver("pull_request", "d1", &payload_bytes("pull_request.opened"))
        .await;
    app.settle().await;
    let body = payload_bytes("pull_request.opened");
    app.deliver_signed("pull_request", "bad", &body, "sha256=00")
        .await;
    app.fake.expire_tokens();
    app.fake.fail_next("POST", "/pulls/2/reviews", 500, 3);
    let mut rerun = payload("pull_request.reopened");
    rerun["pull_request"]["body"] = json!("changed");
    app.deliver("pull_request", "d2", &serde_json::to_vec(&rerun).unwrap())
        .await;
    app.settle().await;
    assert!(app.fake.tokens_issued() >= 2);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("review complete"), "the capture works");
    let key = fake_github::keys::test_app_private_key_pem();
    for line in key.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!logs.contains(line), "private key material in the logs");
    }
    assert!(!logs.contains(SECRET), "webhook secret in the logs");
    let credentials: Vec<String> = app
        .fake
        .requests()
        .iter()
        .filter_map(|r| r.authorization.clone())
        .map(|a| {
            a.trim_start_matches("Bearer ")
                .trim_start_matches("token ")
                .to_owned()
        })
        .collect();
    assert!(!credentials.is_empty());
    for credential in credentials {
        assert!(!logs.contains(&credential), "a token or JWT in the logs");
    }
}

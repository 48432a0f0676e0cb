//! First run without credentials: the setup page registers the App through
//! the manifest flow and the server switches to normal operation without a
//! restart.

mod common;

use common::*;
use fake_github::{FakeFile, FakeGitHub, FakePr, TEST_APP_ID};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manifest_flow_registers_the_app_and_reviews_start() {
    let fake = FakeGitHub::start().await;
    fake.add_repo(INSTALLATION, OWNER, REPO);
    fake.add_pull(
        OWNER,
        REPO,
        FakePr::new(PR, HEAD, vec![FakeFile::added("src/users.ts", &risky_ts())]),
    );
    let registered_secret = "secret-from-registration";
    fake.add_manifest_code(
        "code-123",
        TEST_APP_ID,
        &fake_github::keys::test_app_private_key_pem(),
        registered_secret,
    );
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&fake.url(), dir.path());
    cfg.github_app_id = None;
    cfg.github_private_key = None;
    cfg.github_webhook_secret = None;
    cfg.public_url = Some("https://prwarden.example.org".into());
    let app = TestApp::start(fake, dir, cfg).await;

    // Webhooks cannot be verified yet.
    let body = payload_bytes("pull_request.opened");
    assert_eq!(
        app.deliver("pull_request", "early", &body).await.status(),
        503
    );

    let page = app
        .http
        .get(&app.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("action=\"https://github.example/settings/apps/new?state="),
        "{page}"
    );
    assert!(page.contains("name=\"manifest\""));
    assert!(page.contains("https://prwarden.example.org/api/github/webhooks"));
    let state = page
        .split("state=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();

    // A forged callback with an unknown state is refused.
    let forged = app
        .http
        .get(format!(
            "{}/setup/callback?code=code-123&state=forged",
            app.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);

    let done = app
        .http
        .get(format!(
            "{}/setup/callback?code=code-123&state={state}",
            app.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("registered"));

    let key_file = app.dir.path().join("prwarden-app.pem");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // Same process, new credentials: deliveries signed with the registered
    // secret are reviewed.
    let signature = prwarden::intake::signature::sign(registered_secret, &body);
    let response = app
        .deliver_signed("pull_request", "after", &body, &signature)
        .await;
    assert_eq!(response.status(), 202);
    app.settle().await;
    assert_eq!(app.reviews().len(), 1);
    let status = app
        .http
        .get(&app.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(status.contains("prwarden is running"));

    // And the credentials survive a restart (loaded from the database).
    let restarted = prwarden::state::AppState::new(config_without_env(&app))
        .await
        .unwrap();
    assert_eq!(restarted.credentials().unwrap().app_id, TEST_APP_ID);
}

fn config_without_env(app: &TestApp) -> prwarden::config::ServeConfig {
    let mut cfg = config(&app.fake.url(), app.dir.path());
    cfg.github_app_id = None;
    cfg.github_private_key = None;
    cfg.github_webhook_secret = None;
    cfg
}

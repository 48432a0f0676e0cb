//! Crash safety: the real `prwarden serve` binary is SIGKILLed in the middle
//! of a review and started again on the same database; the review completes
//! once, on the same check run.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use fake_github::{FakeFile, FakeGitHub, FakePr, TEST_APP_ID};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn_server(fake: &FakeGitHub, dir: &std::path::Path, port: u16) -> Child {
    let key_path = dir.join("app.pem");
    std::fs::write(&key_path, fake_github::keys::test_app_private_key_pem()).unwrap();
    Command::new(env!("CARGO_BIN_EXE_prwarden"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_APP_ID", TEST_APP_ID.to_string())
        .env("GITHUB_PRIVATE_KEY_PATH", &key_path)
        .env("GITHUB_WEBHOOK_SECRET", SECRET)
        .env("GITHUB_API_URL", fake.url())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("prwarden.db").display()),
        )
        .env("PORT", port.to_string())
        .env("BIND_ADDRESS", "127.0.0.1")
        .env("PRWARDEN_JOB_LEASE_SECS", "2")
        .env("PRWARDEN_POLL_MS", "100")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start prwarden")
}

async fn wait_healthy(http: &reqwest::Client, port: u16) {
    wait_until(Duration::from_secs(30), || async {
        http.get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
    })
    .await;
}

/// Sends GitHub's `pull_request.opened` example, signed, to the server on
/// `port` and expects it queued.
async fn deliver_opened(http: &reqwest::Client, port: u16, delivery: &str) {
    let body = payload_bytes("pull_request.opened");
    let response = http
        .post(format!("http://127.0.0.1:{port}/api/github/webhooks"))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", delivery)
        .header(
            "x-hub-signature-256",
            prwarden::intake::signature::sign(SECRET, &body),
        )
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
}

/// The fake GitHub with the test repository and its PR adding a file
/// with four defects.
async fn fake_with_risky_pr() -> FakeGitHub {
    let fake = FakeGitHub::start().await;
    fake.add_repo(INSTALLATION, OWNER, REPO);
    fake.add_pull(
        OWNER,
        REPO,
        FakePr::new(PR, HEAD, vec![FakeFile::added("src/users.ts", &risky_ts())]),
    );
    fake
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_review_then_restart_completes_the_review_once() {
    let fake = fake_with_risky_pr().await;
    // Hold the file listing so the first process is killed mid-review, after
    // it has created the check run.
    fake.delay("GET", "/pulls/2/files", Duration::from_secs(4));
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();

    let port = free_port();
    let mut first = spawn_server(&fake, dir.path(), port);
    wait_healthy(&http, port).await;
    deliver_opened(&http, port, "crash-1").await;
    // From when the listing arrives (it is then held for 4 s): counting
    // answered requests raced the review the answer let through.
    wait_until(Duration::from_secs(20), || async {
        fake.arrived("GET", "/pulls/2/files") > 0
    })
    .await;
    assert_eq!(fake.check_runs(OWNER, REPO).len(), 1);
    first.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix.
    first.wait().unwrap();
    assert!(
        fake.reviews(OWNER, REPO, PR).is_empty(),
        "killed before reviewing"
    );

    let port = free_port();
    let mut second = spawn_server(&fake, dir.path(), port);
    wait_healthy(&http, port).await;
    wait_until(Duration::from_secs(40), || async {
        fake.check_runs(OWNER, REPO)
            .iter()
            .all(|r| r["status"] == "completed")
    })
    .await;
    second.kill().unwrap();
    second.wait().unwrap();

    assert_eq!(fake.reviews(OWNER, REPO, PR).len(), 1, "one review");
    assert_eq!(fake.review_comments(OWNER, REPO, PR).len(), 4);
    let runs = fake.check_runs(OWNER, REPO);
    assert_eq!(
        runs.len(),
        1,
        "the resumed job completed the same check run"
    );
    assert_eq!(runs[0]["conclusion"], "failure");
    assert!(
        fake.schema_violations().is_empty(),
        "{:?}",
        fake.schema_violations()
    );
}

/// Sends `signal` to a child process.
fn signal(child: &Child, signal: libc::c_int) {
    // SAFETY: kill(2) on the pid of a child this test started and has not
    // yet waited for, so the pid cannot have been reused.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    assert_eq!(rc, 0, "kill({signal})");
}

/// A replica frozen past its lease (a VM pause, a starved host) comes back
/// to find its job reviewed by another: it must not post a second review or
/// touch the check run on the strength of work it did before the pause.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_frozen_past_its_lease_writes_nothing_when_it_thaws() {
    let fake = fake_with_risky_pr().await;
    // The read that comes right before the check run is completed: the
    // first replica is frozen while it waits for it (its review already
    // posted), so completing the run is its next request when it thaws.
    fake.delay("GET", "/check-runs/", Duration::from_secs(3));
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();

    let port = free_port();
    let mut first = spawn_server(&fake, dir.path(), port);
    wait_healthy(&http, port).await;
    deliver_opened(&http, port, "freeze-1").await;
    wait_until(Duration::from_secs(20), || async {
        fake.arrived("GET", "/check-runs/") > 0
    })
    .await;
    signal(&first, libc::SIGSTOP);
    assert_eq!(fake.reviews(OWNER, REPO, PR).len(), 1);

    // The second replica takes the job over once the 2-second lease has
    // run out, finds the review's comments already there, and completes
    // the check run.
    let port = free_port();
    let mut second = spawn_server(&fake, dir.path(), port);
    wait_healthy(&http, port).await;
    wait_until(Duration::from_secs(40), || async {
        fake.reviews(OWNER, REPO, PR).len() == 1
            && fake
                .check_runs(OWNER, REPO)
                .iter()
                .all(|r| r["status"] == "completed")
    })
    .await;
    let requests_before_thaw = fake.requests().len();

    signal(&first, libc::SIGCONT);
    // Long enough for the thawed replica to complete the run, had it kept
    // going, and to notice the lost lease at its next heartbeat.
    tokio::time::sleep(Duration::from_secs(3)).await;
    first.kill().unwrap();
    first.wait().unwrap();
    second.kill().unwrap();
    second.wait().unwrap();

    let late: Vec<String> = fake.requests()[requests_before_thaw..]
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        late.is_empty(),
        "the thawed replica wrote after losing its lease: {late:?}"
    );
    assert_eq!(fake.reviews(OWNER, REPO, PR).len(), 1, "one review");
    assert_eq!(fake.review_comments(OWNER, REPO, PR).len(), 4);
    let runs = fake.check_runs(OWNER, REPO);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["status"], "completed");
}

//! Review work runs behind webhook intake: the review workers' threads have
//! a lower scheduling priority than the runtime answering webhooks, and stop
//! with the app. Alone in its test binary, so that no other test's app has
//! threads in this process.

mod common;

use common::*;
use fake_github::FakeFile;

/// The nice value of a thread, from its `/proc/…/stat` (field 19 of stat(5),
/// counted after the parenthesised name).
#[cfg(target_os = "linux")]
fn nice_of(task: &std::path::Path) -> i64 {
    let stat = std::fs::read_to_string(task.join("stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    fields[16].parse().unwrap()
}

/// The nice values of this process's threads named `name`.
#[cfg(target_os = "linux")]
fn nice_of_threads(name: &str) -> Vec<i64> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .map(|task| task.unwrap().path())
        .filter(|task| {
            std::fs::read_to_string(task.join("comm")).is_ok_and(|comm| comm.trim_end() == name)
        })
        .map(|task| nice_of(&task))
        .collect()
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviews_run_on_threads_scheduled_behind_the_intake() {
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    // This test's runtime is where the app answers webhooks; the test may
    // itself run under `nice`.
    let intake = nice_of(std::path::Path::new("/proc/thread-self"));
    let reviews = nice_of_threads("prwarden-review");
    assert!(!reviews.is_empty(), "the review runtime has threads");
    assert!(
        reviews.iter().all(|&n| n == (intake + 10).min(19)),
        "{reviews:?} with the intake at {intake}"
    );
    drop(app);
    // Stopping does not wait for the threads to exit.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !nice_of_threads("prwarden-review").is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "review threads outlive the app"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

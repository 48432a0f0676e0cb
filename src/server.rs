//! The HTTP server: routes, and the workers started beside it.

use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::routing::{get, post};
use tokio::sync::Semaphore;
use tracing::info;

use crate::config::ServeConfig;
use crate::intake::{self, MAX_BODY_BYTES};
use crate::queue::worker;
use crate::state::AppState;
use crate::web;

/// Deliveries handled at once. More wait, unread, in their connections:
/// under a burst, memory holds at most this many bodies, not the burst.
const INTAKE_CONCURRENCY: usize = 256;

pub fn router(state: Arc<AppState>) -> Router {
    let permits = Arc::new(Semaphore::new(INTAKE_CONCURRENCY));
    Router::new()
        .route(
            "/api/github/webhooks",
            // Over the limit the body extractor answers 413.
            post(intake::webhook)
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
                .layer(middleware::from_fn(move |request: Request, next: Next| {
                    let permits = Arc::clone(&permits);
                    async move {
                        // The semaphore is never closed.
                        let _permit = permits.acquire_owned().await.ok();
                        next.run(request).await
                    }
                })),
        )
        .route("/healthz", get(web::healthz))
        .route("/", get(web::index))
        .route("/setup/callback", get(web::setup_callback))
        .with_state(state)
}

/// How much lower than the webhook intake the review threads run (a nice
/// value: Linux schedules a nice-10 thread with about a tenth of the weight
/// of a nice-0 one when both want a core).
const REVIEW_NICE: i32 = 10;

/// The review workers' runtime. Dropping it stops them.
pub struct Workers {
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Workers {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            // Allowed inside an async context, unlike dropping a runtime.
            runtime.shutdown_background();
        }
    }
}

/// Starts `config.workers` review workers on a runtime of their own, whose
/// threads (and the threads they start, the analyzers' included) the
/// kernel runs behind the ones acknowledging webhooks.
///
/// A review can wait a few milliseconds; an acknowledgement should not:
/// GitHub gives up on a delivery after 10 seconds, and on a busy machine
/// reviews and intake want the same cores. Sharing one runtime, a steady
/// 2,000 deliveries/s with reviews running were acknowledged with a p99
/// well above the intake's own.
pub fn spawn_workers(state: &Arc<AppState>) -> std::io::Result<Workers> {
    // Relative to the caller's priority, so that `nice prwarden serve`
    // keeps the difference.
    let priority = thread_priority().map(|nice| (nice + REVIEW_NICE).min(19));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name("prwarden-review")
        .on_thread_start(move || {
            if let Some(nice) = priority {
                set_thread_priority(nice);
            }
        })
        .enable_all()
        .build()?;
    let prefix = format!(
        "{}-{}",
        std::process::id(),
        hex::encode(rand::random::<[u8; 4]>())
    );
    for n in 0..state.config.workers.max(1) {
        runtime.spawn(worker::run(Arc::clone(state), format!("{prefix}-{n}")));
    }
    Ok(Workers {
        runtime: Some(runtime),
    })
}

/// The calling thread's nice value (Linux; elsewhere review threads keep the
/// default priority).
fn thread_priority() -> Option<i32> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: getpriority only reads its integer arguments; `who = 0`
        // names the calling thread. It cannot fail for these arguments
        // (-1 is a nice value, not an error, here).
        Some(unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) })
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// Sets the calling thread's nice value. On Linux the nice value belongs to
/// the thread, raising it needs no privilege, and threads it starts inherit
/// it.
fn set_thread_priority(nice: i32) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: setpriority only reads its integer arguments; `who = 0`
        // names the calling thread.
        if unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, nice) } != 0 {
            tracing::debug!(
                error = %std::io::Error::last_os_error(),
                "review thread keeps the default priority"
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = nice;
}

/// Starts the periodic catch-up ([`crate::catchup`]) unless
/// `config.catchup_secs` is 0. It idles while no credentials are configured.
pub fn spawn_catchup(state: &Arc<AppState>) {
    let secs = state.config.catchup_secs;
    if secs == 0 {
        info!("catch-up of missed webhook deliveries is disabled");
        return;
    }
    let interval = std::time::Duration::from_secs(secs);
    tokio::spawn(crate::catchup::run_periodically(
        Arc::clone(state),
        interval,
    ));
}

/// `prwarden serve`.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let addr = format!("{}:{}", config.bind_address, config.port);
    let state = AppState::new(config).await?;
    match state.credentials() {
        Some(creds) => {
            info!(app_id = creds.app_id, api = %state.endpoints.rest, "GitHub App configured")
        }
        None => info!("no GitHub App credentials: open / to register the App"),
    }
    let _workers = spawn_workers(&state).context("starting the review workers")?;
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    // After binding: redeliveries it asks for must find the port open.
    spawn_catchup(&state);
    info!(%addr, "listening");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("HTTP server failed")
}

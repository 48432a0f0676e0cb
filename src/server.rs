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

/// Starts `config.workers` review workers on the current runtime.
pub fn spawn_workers(state: &Arc<AppState>) {
    let prefix = format!(
        "{}-{}",
        std::process::id(),
        hex::encode(rand::random::<[u8; 4]>())
    );
    for n in 0..state.config.workers.max(1) {
        tokio::spawn(worker::run(Arc::clone(state), format!("{prefix}-{n}")));
    }
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
    spawn_workers(&state);
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

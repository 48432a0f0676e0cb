//! The human-facing pages: the setup page with the App manifest flow, the
//! status page, and the health check.

use std::os::unix::fs::OpenOptionsExt;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use crate::github::GitHubApp;
use crate::queue::StoredCredentials;
use crate::state::{AppState, CredentialSource};

const MANIFEST_YAML: &str = include_str!("../app-manifest.yml");

/// `GET /healthz`: the process is up and its database answers.
pub async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(err) => (StatusCode::SERVICE_UNAVAILABLE, format!("database: {err}")).into_response(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}\
         code{{background:#f3f3f3;padding:0 .2rem}}button{{font-size:1rem;padding:.5rem 1rem}}</style></head>\
         <body>{body}</body></html>",
        escape(title)
    ))
}

/// This server's public base URL: configured, or from the request's Host.
fn public_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// The manifest as GitHub expects it, pointing at this server.
pub fn manifest_json(public_url: &str) -> anyhow::Result<Value> {
    let mut manifest: Value =
        serde_yaml::from_str(MANIFEST_YAML).context("app-manifest.yml is not valid YAML")?;
    manifest["url"] = Value::String(public_url.to_owned());
    manifest["hook_attributes"]["url"] = Value::String(format!("{public_url}/api/github/webhooks"));
    manifest["redirect_url"] = Value::String(format!("{public_url}/setup/callback"));
    Ok(manifest)
}

#[derive(Deserialize)]
pub struct SetupQuery {
    org: Option<String>,
}

/// `GET /`: setup when no App is configured, status otherwise.
pub async fn index(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(query): Query<SetupQuery>,
) -> Response {
    match state.credentials() {
        Some(creds) => status_page(
            &state,
            creds.app_id,
            creds.source,
            creds.html_url.as_deref(),
        )
        .await
        .into_response(),
        None => setup_page(&state, &headers, query.org.as_deref()).into_response(),
    }
}

fn setup_page(state: &AppState, headers: &HeaderMap, org: Option<&str>) -> Response {
    let base = public_url(state, headers);
    let manifest = match manifest_json(&base) {
        Ok(m) => m.to_string(),
        Err(err) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, format!("{err:#}")).into_response();
        }
    };
    let setup_state = hex::encode(rand::random::<[u8; 16]>());
    state
        .setup_states
        .lock()
        .expect("setup states lock")
        .insert(setup_state.clone());
    let web = state.config.github_web_url.trim_end_matches('/');
    let org = org.map(str::trim).filter(|o| !o.is_empty());
    let action = match org {
        Some(org) => format!(
            "{web}/organizations/{}/settings/apps/new?state={setup_state}",
            escape(org)
        ),
        None => format!("{web}/settings/apps/new?state={setup_state}"),
    };
    let owner = org.map_or("your personal account".to_owned(), |o| {
        format!("the organisation <code>{}</code>", escape(o))
    });
    let body = format!(
        "<h1>Set up prwarden</h1>\
         <p>No GitHub App credentials are configured. Register prwarden as a GitHub App owned by {owner}: \
         GitHub shows you the App's settings, and sends you back here when you confirm.</p>\
         <form method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"manifest\" value=\"{manifest}\">\
         <button type=\"submit\">Register the GitHub App</button></form>\
         <form method=\"get\" action=\"/\" style=\"margin-top:1.5rem\">\
         <label>Register it for an organisation instead: <input name=\"org\" placeholder=\"organisation\"></label> \
         <button type=\"submit\">Use organisation</button></form>\
         <p>Webhooks will be sent to <code>{base}/api/github/webhooks</code>. \
         If that is not how GitHub reaches this server, set <code>PUBLIC_URL</code> and reload.</p>\
         <p>Already have an App? Set <code>GITHUB_APP_ID</code>, <code>GITHUB_PRIVATE_KEY_PATH</code> and \
         <code>GITHUB_WEBHOOK_SECRET</code> and restart.</p>",
        manifest = escape(&manifest),
        base = escape(&base),
    );
    page("Set up prwarden", &body).into_response()
}

async fn status_page(
    state: &AppState,
    app_id: u64,
    source: CredentialSource,
    html_url: Option<&str>,
) -> Html<String> {
    let counts = state.store.counts().await.unwrap_or_default();
    let source = match source {
        CredentialSource::Environment => "environment",
        CredentialSource::ManifestFlow => "manifest registration",
    };
    let install = html_url
        .map(|url| {
            format!(
                "<p><a href=\"{0}/installations/new\">Install the App on repositories</a></p>",
                escape(url)
            )
        })
        .unwrap_or_default();
    page(
        "prwarden",
        &format!(
            "<h1>prwarden is running</h1>\
             <p>GitHub App <code>{app_id}</code> (credentials from {source}), API <code>{}</code>.</p>{install}\
             <h2>Review queue</h2><ul><li>queued: {}</li><li>running: {}</li><li>done: {}</li><li>failed: {}</li></ul>",
            escape(&state.endpoints.rest),
            counts.queued,
            counts.running,
            counts.done,
            counts.failed
        ),
    )
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
}

/// `GET /setup/callback`: GitHub sends the browser here after registration.
pub async fn setup_callback(
    State(state): State<Arc<AppState>>,
    Query(query): Query<CallbackQuery>,
) -> Response {
    if state.credentials().is_some() {
        return (
            StatusCode::CONFLICT,
            page("prwarden", "<p>prwarden is already configured.</p>"),
        )
            .into_response();
    }
    let known_state = query.state.as_deref().is_some_and(|s| {
        state
            .setup_states
            .lock()
            .expect("setup states lock")
            .remove(s)
    });
    let Some(code) = query.code.filter(|c| known_state && !c.is_empty()) else {
        return (
            StatusCode::BAD_REQUEST,
            page(
                "prwarden",
                "<p>Unknown or expired registration. <a href=\"/\">Start again</a>.</p>",
            ),
        )
            .into_response();
    };
    match finish_registration(&state, &code).await {
        Ok((app_id, html_url)) => page(
            "prwarden is registered",
            &format!(
                "<h1>prwarden is registered</h1><p>GitHub App <code>{app_id}</code> is configured and webhooks are accepted now.</p>\
                 <p><a href=\"{}/installations/new\">Install it on your repositories</a>.</p>",
                escape(&html_url)
            ),
        )
        .into_response(),
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "App registration failed");
            (
                StatusCode::BAD_GATEWAY,
                page(
                    "prwarden",
                    &format!("<p>Registration failed: {}. <a href=\"/\">Start again</a>.</p>", escape(&format!("{err:#}"))),
                ),
            )
                .into_response()
        }
    }
}

/// Exchanges the code for the App's credentials, stores them, and switches
/// the running server to them.
async fn finish_registration(state: &AppState, code: &str) -> anyhow::Result<(u64, String)> {
    let app = GitHubApp::convert_manifest(&state.http, &state.endpoints, code)
        .await
        .context("exchanging the registration code")?;
    let app_id = app["id"].as_u64().context("conversion response lacks id")?;
    let pem = app["pem"]
        .as_str()
        .context("conversion response lacks pem")?;
    let secret = app["webhook_secret"]
        .as_str()
        .context("conversion response lacks webhook_secret")?;
    let key_path = &state.config.key_file;
    write_private_file(key_path, pem)
        .with_context(|| format!("writing the App key to {}", key_path.display()))?;
    let stored = StoredCredentials {
        app_id,
        slug: app["slug"].as_str().map(str::to_owned),
        html_url: app["html_url"].as_str().map(str::to_owned),
        webhook_secret: secret.to_owned(),
        key_path: key_path.display().to_string(),
    };
    let creds = state.credentials_from_store(&stored)?;
    state.store.save_credentials(&stored).await?;
    state.set_credentials(creds);
    tracing::info!(app_id, "GitHub App registered through the manifest flow");
    Ok((app_id, stored.html_url.unwrap_or_default()))
}

/// Writes `contents` to a file only its owner can read (mode 0600).
fn write_private_file(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // The mode above only applies to new files.
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_points_at_this_server_with_the_required_permissions() {
        let m = manifest_json("https://review.example.org").unwrap();
        assert_eq!(
            m["hook_attributes"]["url"],
            "https://review.example.org/api/github/webhooks"
        );
        assert_eq!(
            m["redirect_url"],
            "https://review.example.org/setup/callback"
        );
        assert_eq!(m["public"], false);
        assert_eq!(m["default_permissions"]["checks"], "write");
        assert_eq!(m["default_permissions"]["pull_requests"], "write");
        assert_eq!(m["default_permissions"]["contents"], "read");
        assert_eq!(m["default_permissions"]["metadata"], "read");
        assert_eq!(m["default_permissions"]["issues"], "write");
        let events: Vec<&str> = m["default_events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap())
            .collect();
        assert_eq!(events, ["pull_request", "check_run", "check_suite"]);
    }

    #[test]
    fn private_file_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        write_private_file(&path, "secret").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

//! Shared server state: configuration, the store, the analyzer, and the App
//! credentials, which the setup flow can install while the server runs.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, RwLock};

use anyhow::Context;
use octocrab::Octocrab;
use prwarden_analyze::Analyzer;
use tokio::sync::Notify;

use crate::config::{ApiEndpoints, ServeConfig, split_secrets};
use crate::github::GitHubApp;
use crate::queue::{Store, StoredCredentials};
use crate::review::{ConfigCache, Services};

/// Where the running credentials came from, shown on the status page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
    Environment,
    ManifestFlow,
}

/// A configured GitHub App.
pub struct Credentials {
    pub app_id: u64,
    pub webhook_secrets: Vec<String>,
    pub github: Arc<GitHubApp>,
    pub source: CredentialSource,
    pub slug: Option<String>,
    pub html_url: Option<String>,
}

pub struct AppState {
    pub config: ServeConfig,
    pub endpoints: ApiEndpoints,
    pub store: Store,
    pub analyzer: Arc<Analyzer>,
    /// Repository configuration files, by ETag.
    pub configs: ConfigCache,
    /// Wakes idle workers when a job is enqueued.
    pub wake: Notify,
    /// The HTTP stack shared by every GitHub client.
    pub http: Octocrab,
    credentials: RwLock<Option<Arc<Credentials>>>,
    /// `state` values of manifest registrations in flight (CSRF protection).
    pub setup_states: Mutex<HashSet<String>>,
}

impl AppState {
    pub async fn new(config: ServeConfig) -> anyhow::Result<Arc<AppState>> {
        let endpoints = ApiEndpoints::from_api_url(&config.github_api_url);
        let http = crate::github::http_client(&endpoints)?;
        let store = Store::connect(&config.database_url)
            .await
            .with_context(|| format!("opening the database {}", config.database_url))?;
        let state = Arc::new(AppState {
            endpoints,
            store,
            analyzer: Arc::new(Analyzer::with_builtin_rules()),
            configs: ConfigCache::default(),
            wake: Notify::new(),
            http,
            credentials: RwLock::new(None),
            setup_states: Mutex::new(HashSet::new()),
            config,
        });
        if let Some(creds) = state.credentials_from_env()? {
            state.set_credentials(creds);
        } else if let Some(stored) = state.store.load_credentials().await? {
            let creds = state.credentials_from_store(&stored)?;
            state.set_credentials(creds);
        }
        Ok(state)
    }

    pub fn credentials(&self) -> Option<Arc<Credentials>> {
        self.credentials.read().expect("credentials lock").clone()
    }

    /// Installs credentials and wakes the workers: the server switches from
    /// setup to normal operation without a restart.
    pub fn set_credentials(&self, creds: Credentials) {
        *self.credentials.write().expect("credentials lock") = Some(Arc::new(creds));
        self.wake.notify_waiters();
    }

    pub fn services(&self) -> Services<'_> {
        Services {
            store: &self.store,
            analyzer: &self.analyzer,
            configs: &self.configs,
        }
    }

    fn credentials_from_env(&self) -> anyhow::Result<Option<Credentials>> {
        let cfg = &self.config;
        let key =
            match (&cfg.github_private_key, &cfg.github_private_key_path) {
                (Some(pem), _) if !pem.trim().is_empty() => Some(pem.replace("\\n", "\n")),
                (_, Some(path)) => Some(std::fs::read_to_string(path).with_context(|| {
                    format!("reading GITHUB_PRIVATE_KEY_PATH {}", path.display())
                })?),
                _ => None,
            };
        let secrets = cfg.webhook_secrets();
        match (cfg.github_app_id, key, secrets.is_empty()) {
            (None, None, true) => Ok(None),
            (Some(app_id), Some(key), false) => Ok(Some(Credentials {
                app_id,
                webhook_secrets: secrets,
                github: Arc::new(
                    GitHubApp::new(self.http.clone(), self.endpoints.clone(), app_id, &key)
                        .context("GITHUB_PRIVATE_KEY")?,
                ),
                source: CredentialSource::Environment,
                slug: None,
                html_url: None,
            })),
            _ => anyhow::bail!(
                "incomplete App credentials: set all of GITHUB_APP_ID, GITHUB_PRIVATE_KEY_PATH (or GITHUB_PRIVATE_KEY) and GITHUB_WEBHOOK_SECRET, or none of them to use the setup page"
            ),
        }
    }

    pub fn credentials_from_store(
        &self,
        stored: &StoredCredentials,
    ) -> anyhow::Result<Credentials> {
        let key = std::fs::read_to_string(&stored.key_path)
            .with_context(|| format!("reading the App key {}", stored.key_path))?;
        Ok(Credentials {
            app_id: stored.app_id,
            webhook_secrets: split_secrets(&stored.webhook_secret),
            github: Arc::new(
                GitHubApp::new(
                    self.http.clone(),
                    self.endpoints.clone(),
                    stored.app_id,
                    &key,
                )
                .context("stored App key")?,
            ),
            source: CredentialSource::ManifestFlow,
            slug: stored.slug.clone(),
            html_url: stored.html_url.clone(),
        })
    }
}

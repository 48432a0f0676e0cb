//! Process configuration: environment variables (12-factor) with equivalent
//! command-line flags, and the GitHub endpoints derived from them.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// Settings of `prwarden serve`. Every flag has an environment variable.
#[derive(Args, Clone, Debug)]
pub struct ServeConfig {
    /// The GitHub App's numeric id.
    #[arg(long, env = "GITHUB_APP_ID")]
    pub github_app_id: Option<u64>,

    /// Path of the App's private key (PEM).
    #[arg(long, env = "GITHUB_PRIVATE_KEY_PATH")]
    pub github_private_key_path: Option<PathBuf>,

    /// The App's private key itself (PEM), instead of a path.
    #[arg(long, env = "GITHUB_PRIVATE_KEY", hide_env_values = true)]
    pub github_private_key: Option<String>,

    /// Webhook secret; a comma-separated list is accepted while rotating.
    #[arg(long, env = "GITHUB_WEBHOOK_SECRET", hide_env_values = true)]
    pub github_webhook_secret: Option<String>,

    /// REST API root; GitHub Enterprise Server uses `https://HOST/api/v3`.
    #[arg(long, env = "GITHUB_API_URL", default_value = "https://api.github.com")]
    pub github_api_url: String,

    /// Web root, used by the App manifest registration flow.
    #[arg(long, env = "GITHUB_WEB_URL", default_value = "https://github.com")]
    pub github_web_url: String,

    /// `sqlite://FILE` (default) or, later, `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://prwarden.db")]
    pub database_url: String,

    #[arg(long, env = "PORT", default_value_t = 3000)]
    pub port: u16,

    /// Address to bind.
    #[arg(long, env = "BIND_ADDRESS", default_value = "0.0.0.0")]
    pub bind_address: String,

    /// Public URL of this server, used in the App manifest (webhook and
    /// redirect URLs). Defaults to the `Host` of the setup request.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Where the manifest flow stores the App's private key (mode 0600).
    #[arg(long, env = "PRWARDEN_KEY_FILE", default_value = "prwarden-app.pem")]
    pub key_file: PathBuf,

    /// Number of review workers in this process.
    #[arg(long, env = "PRWARDEN_WORKERS", default_value_t = 2)]
    pub workers: usize,

    /// Seconds a claimed job stays leased to its worker without a heartbeat;
    /// after that another worker (or a restarted process) takes it over.
    #[arg(long, env = "PRWARDEN_JOB_LEASE_SECS", default_value_t = 120)]
    pub job_lease_secs: u64,

    /// How often idle workers look for jobs they were not notified about
    /// (jobs of other processes, expired leases, retries).
    #[arg(long, env = "PRWARDEN_POLL_MS", default_value_t = 1000)]
    pub poll_ms: u64,

    /// Seconds between catch-up runs, which redeliver failed webhook
    /// deliveries of the last 3 days that were never processed (the first
    /// runs shortly after start-up); 0 disables catch-up.
    #[arg(long, env = "PRWARDEN_CATCHUP_SECS", default_value_t = 600)]
    pub catchup_secs: u64,

    /// Delay before a failed review is retried; it doubles with each
    /// attempt, up to 10 minutes.
    #[arg(long, env = "PRWARDEN_RETRY_BASE_MS", default_value_t = 10_000)]
    pub retry_base_ms: u64,
}

impl ServeConfig {
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.job_lease_secs.max(1))
    }

    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_ms.max(10))
    }

    /// The configured webhook secrets, in rotation order.
    pub fn webhook_secrets(&self) -> Vec<String> {
        split_secrets(self.github_webhook_secret.as_deref().unwrap_or(""))
    }
}

pub fn split_secrets(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// REST and GraphQL roots of one GitHub deployment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiEndpoints {
    /// REST root without a trailing slash.
    pub rest: String,
    /// Full GraphQL endpoint.
    pub graphql: String,
}

impl ApiEndpoints {
    /// GitHub.com serves GraphQL at `/graphql` beside REST; GHES serves REST
    /// at `https://HOST/api/v3` but GraphQL at `https://HOST/api/graphql`.
    pub fn from_api_url(api_url: &str) -> ApiEndpoints {
        let rest = api_url.trim_end_matches('/').to_owned();
        let graphql = match rest.strip_suffix("/api/v3") {
            Some(host) => format!("{host}/api/graphql"),
            None => format!("{rest}/graphql"),
        };
        ApiEndpoints { rest, graphql }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphql_endpoint_follows_ghes_layout() {
        let dotcom = ApiEndpoints::from_api_url("https://api.github.com/");
        assert_eq!(dotcom.rest, "https://api.github.com");
        assert_eq!(dotcom.graphql, "https://api.github.com/graphql");
        let ghes = ApiEndpoints::from_api_url("https://ghe.example.com/api/v3");
        assert_eq!(ghes.graphql, "https://ghe.example.com/api/graphql");
        let fake = ApiEndpoints::from_api_url("http://127.0.0.1:4000");
        assert_eq!(fake.graphql, "http://127.0.0.1:4000/graphql");
    }

    #[test]
    fn secrets_split_on_commas_for_rotation() {
        assert_eq!(split_secrets(" new , old,,"), vec!["new", "old"]);
        assert!(split_secrets("").is_empty());
    }
}

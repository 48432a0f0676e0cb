//! Loading a repository's `.github/prwarden.yml`: from the pull request's
//! BASE branch (a PR cannot switch its own review off, forks included),
//! merged over the organisation defaults in the owner's `.github` repository.
//!
//! Files are cached per repository and ref with their ETag; every review asks
//! GitHub "changed since?", which costs no rate limit when the answer is no,
//! and picks up a change on the default branch at once.

use std::collections::HashMap;
use std::sync::Mutex;

use anyhow::Context;
use prwarden_config::{Layer, RepoConfig};

use crate::github::Installation;
use crate::github::rest::{self, FileAt};

pub const CONFIG_PATH: &str = ".github/prwarden.yml";
/// The repository holding an organisation's defaults.
const ORG_DEFAULTS_REPO: &str = ".github";

#[derive(Default)]
pub struct ConfigCache {
    files: Mutex<HashMap<String, CachedFile>>,
}

#[derive(Clone)]
struct CachedFile {
    etag: Option<String>,
    text: Option<String>,
}

impl ConfigCache {
    /// The file's text (`None` when absent), refreshed only when it changed.
    async fn file(
        &self,
        gh: &Installation,
        owner: &str,
        repo: &str,
        git_ref: Option<&str>,
    ) -> anyhow::Result<Option<String>> {
        let key = format!("{owner}/{repo}@{}", git_ref.unwrap_or(""));
        let cached = self.files.lock().expect("config cache").get(&key).cloned();
        let etag = cached.as_ref().and_then(|c| c.etag.clone());
        let fetched = rest::file_if_changed(gh, owner, repo, CONFIG_PATH, git_ref, etag.as_deref())
            .await
            .with_context(|| format!("reading {CONFIG_PATH} of {owner}/{repo}"))?;
        let entry = match fetched {
            FileAt::Unchanged => match cached {
                Some(entry) => entry,
                None => return Ok(None),
            },
            FileAt::Missing => CachedFile {
                etag: None,
                text: None,
            },
            FileAt::Text { text, etag } => CachedFile {
                etag,
                text: Some(text),
            },
        };
        let text = entry.text.clone();
        self.files.lock().expect("config cache").insert(key, entry);
        Ok(text)
    }

    /// The effective configuration for a PR whose base branch is `base_ref`.
    pub async fn load(
        &self,
        gh: &Installation,
        owner: &str,
        repo: &str,
        base_ref: &str,
        known_rules: &[&str],
    ) -> anyhow::Result<RepoConfig> {
        let mut layers: Vec<Layer> = Vec::new();
        if repo != ORG_DEFAULTS_REPO {
            // The org's `.github` repository may not exist or not be part of
            // the installation: then there are simply no org defaults.
            let org = match self.file(gh, owner, ORG_DEFAULTS_REPO, None).await {
                Ok(text) => text,
                Err(err) => {
                    tracing::debug!(error = %format!("{err:#}"), "no organisation defaults");
                    None
                }
            };
            if let Some(text) = org {
                let source = format!("{owner}/{ORG_DEFAULTS_REPO}:{CONFIG_PATH}");
                layers.push(prwarden_config::parse_layer(&text, &source, known_rules));
            }
        }
        if let Some(text) = self.file(gh, owner, repo, Some(base_ref)).await? {
            let source = format!("{CONFIG_PATH} on {base_ref}");
            layers.push(prwarden_config::parse_layer(&text, &source, known_rules));
        }
        Ok(RepoConfig::resolve(&layers))
    }
}

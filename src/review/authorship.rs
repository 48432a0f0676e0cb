//! Feeding the pure authorship detector from GitHub's pull request and
//! commit JSON.

use prwarden_authorship::{CommitMeta, PrMetadata};
use serde_json::Value;

use crate::github::rest::PullRequest;

pub fn metadata(pr: &PullRequest, via_app: Option<String>, commits: &[Value]) -> PrMetadata {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    PrMetadata {
        author_login: pr.user.login.clone(),
        author_type: pr.user.kind.clone(),
        author_id: pr.user.id,
        title: pr.title.clone(),
        body: pr.body.clone(),
        head_ref: pr.head.name.clone(),
        labels: pr.labels.iter().map(|l| l.name.clone()).collect(),
        via_app,
        commits: commits
            .iter()
            .map(|c| CommitMeta {
                sha: c["sha"].as_str().unwrap_or_default().to_owned(),
                message: c["commit"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                author_name: text(&c["commit"]["author"]["name"]),
                author_email: text(&c["commit"]["author"]["email"]),
                author_login: text(&c["author"]["login"]),
                committer_name: text(&c["commit"]["committer"]["name"]),
                committer_email: text(&c["commit"]["committer"]["email"]),
                committer_login: text(&c["committer"]["login"]),
            })
            .collect(),
    }
}

/// The `specification` item: an agent-authored PR must say what it is for.
/// Empty or one-line descriptions state no intent, requirements or scope.
pub fn description_is_missing(body: Option<&str>) -> bool {
    let meaningful = body
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        // Agent footers and HTML comments are not a description.
        .filter(|l| !l.is_empty() && !l.starts_with("<!--") && !l.contains("Generated with"))
        .count();
    meaningful <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_or_footer_only_descriptions_are_missing() {
        assert!(description_is_missing(None));
        assert!(description_is_missing(Some("")));
        assert!(description_is_missing(Some("Fix bug")));
        assert!(description_is_missing(Some(
            "Fix bug\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)"
        )));
        assert!(!description_is_missing(Some(
            "Adds rate limiting to the login endpoint.\n\nScope: only `src/auth/login.ts`; requirements in #12."
        )));
    }
}

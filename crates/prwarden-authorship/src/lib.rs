//! prwarden's AI-authorship detector: pull request metadata in, a verdict with
//! its evidence out.
//!
//! The crate is pure — no I/O, no network, no clock — so the same metadata
//! always yields the same verdict, and every verdict can be explained line by
//! line in the check run summary.
//!
//! What counts as evidence lives in one data file, `signals.yml`, compiled in:
//! bot accounts that open PRs, commit identities and trailers, PR-body markers,
//! branch prefixes and labels, each with a tier and a weight, plus the
//! look-alikes that are *not* AI authorship (dependency and CI bots, AI
//! reviewers and the summaries they paste into PR bodies). Adding an agent is
//! adding an entry there. The design follows
//! `shared/reference/ai-authorship-signals.md` §6:
//!
//! - **tier 1** identity: the PR author or app is an agent, or a commit's
//!   author/committer is an agent identity;
//! - **tier 2** tool-written marker: co-author trailer with an agent's exact
//!   address, session trailers, body footers;
//! - **tier 3** convention: branch prefixes, default labels;
//! - **tier 4** assist: an accepted AI suggestion (VS Code's Copilot co-author,
//!   Copilot Autofix, …) — never enough for "agent-authored".
//!
//! Detection is a lower bound: tools can be configured not to leave marks, so
//! the weakest verdict is "no evidence", never "human".
//!
//! - [`detect`] (in `detect`) matches and classifies;
//! - `registry` owns the signal table and its validation;
//! - `text` owns what part of a body or commit message is the tool's own
//!   words rather than a quote.

mod detect;
mod registry;
mod text;

pub use detect::detect;

/// One commit of the pull request, as listed by `GET /pulls/{n}/commits`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CommitMeta {
    pub sha: String,
    pub message: String,
    /// Git author (`commit.author`) and the GitHub account it resolved to.
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    pub author_login: Option<String>,
    /// Git committer (`commit.committer`) and its GitHub account.
    pub committer_name: Option<String>,
    pub committer_email: Option<String>,
    pub committer_login: Option<String>,
}

/// What the detector looks at: the pull request and its commits.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PrMetadata {
    pub author_login: String,
    /// `"User"`, `"Bot"` or `"Organization"`.
    pub author_type: String,
    pub author_id: Option<u64>,
    pub title: String,
    pub body: Option<String>,
    pub head_ref: String,
    pub labels: Vec<String>,
    /// slug of `performed_via_github_app` when known
    pub via_app: Option<String>,
    pub commits: Vec<CommitMeta>,
}

/// Repository overrides from `.github/prwarden.yml` (`ai_authors`,
/// `human_authors`: GitHub logins, exact, case-insensitive; a trailing `*`
/// wildcard allowed).
///
/// `human_authors` applies to the PR author and forces "no evidence";
/// `ai_authors` forces "agent-authored" for the PR author and also marks
/// commits whose author or committer login matches. When both lists match the
/// PR author, `ai_authors` wins: detection only ever adds scrutiny.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct Overrides {
    pub ai_authors: Vec<String>,
    pub human_authors: Vec<String>,
}

/// The verdict, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Tier {
    /// An agent opened the PR, wrote most of its commits, or signed its body.
    #[serde(rename = "agent-authored")]
    AgentAuthored,
    /// Assist-only signals, or agent marks on a minority of commits.
    #[serde(rename = "ai-assisted")]
    AiAssisted,
    /// Conventions only (branch prefix, default label), which people copy.
    #[serde(rename = "possible")]
    Possible,
    /// Nothing found. Not "human": markers can be switched off or stripped.
    #[serde(rename = "no evidence")]
    NoEvidence,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::AgentAuthored => "agent-authored",
            Tier::AiAssisted => "ai-assisted",
            Tier::Possible => "possible",
            Tier::NoEvidence => "no evidence",
        }
    }
}

/// One matched signal, with where it was found.
///
/// Not `Eq`: `weight` is a float.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Evidence {
    /// Human name: "Claude Code", "GitHub Copilot coding agent", …
    pub tool: String,
    /// "pr author" | "app" | "commit author" | "commit trailer" | "pr body" |
    /// "branch" | "label" | "assist" | "override"
    pub family: String,
    /// "pull request author" | "commit 1a2b3c4" | "pull request body" |
    /// "branch name" | "label" | "configuration"
    pub location: String,
    /// The full sha when the evidence comes from a commit.
    pub commit: Option<String>,
    /// The exact matched text, trimmed to ≤ 120 characters.
    pub matched: String,
    /// Stable id of the signal, e.g. "claude-code.coauthor-trailer".
    pub rule_id: String,
    pub weight: f32,
}

/// The verdict with every piece of evidence behind it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Authorship {
    pub tier: Tier,
    /// Tools seen, most certain first.
    pub tools: Vec<String>,
    /// Strongest first.
    pub evidence: Vec<Evidence>,
    /// Confidence that an AI tool was involved, 0–1: per tool the strongest
    /// evidence of each family combined as a noisy-OR, then the best tool.
    pub score: f32,
}

impl Authorship {
    pub fn is_agent_authored(&self) -> bool {
        self.tier == Tier::AgentAuthored
    }
}

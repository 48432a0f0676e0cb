//! Matching the signal table against a pull request, and the verdict.

use crate::registry::{AccountQuality, Lookalike, Matcher, Registry, Role, Signal, registry};
use crate::text::{
    clip, coauthors, is_merge_subject, normalize_newlines, strip_blocks, without_quotes_and_code,
};
use crate::{Authorship, CommitMeta, Evidence, Overrides, PrMetadata, Tier};

const MAX_MATCHED: usize = 120;
/// Share of commits with tier-1/2 evidence from which a PR is agent-authored.
const AGENT_COMMIT_SHARE: f32 = 0.5;
const OVERRIDE_AI_TOOL: &str = "configured AI author";
const OVERRIDE_HUMAN_TOOL: &str = "configured human author";

/// Where a hit came from; the classification rules depend on it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    PrAuthor,
    Commit(usize),
    Body,
    Branch,
    Label,
}

struct Hit {
    tier: u8,
    source: Source,
    evidence: Evidence,
}

/// Detects AI authorship from a pull request's metadata.
///
/// Never fails and never guesses from prose: only exact identities and
/// tool-written markers count, look-alikes (dependency bots, AI reviewers)
/// are ignored, and overrides from the repository configuration win.
pub fn detect(pr: &PrMetadata, overrides: &Overrides) -> Authorship {
    let reg = registry();
    let ai_override = first_pattern(&overrides.ai_authors, &pr.author_login);
    if ai_override.is_none()
        && let Some(pattern) = first_pattern(&overrides.human_authors, &pr.author_login)
    {
        return human_override(pr, pattern);
    }

    let mut hits = Vec::new();
    if let Some(pattern) = ai_override {
        hits.push(Hit {
            tier: 1,
            source: Source::PrAuthor,
            evidence: override_evidence(&pr.author_login, "ai_authors", pattern, None),
        });
    }
    // Dependency bots quote upstream release notes and commit messages, which
    // may carry another project's Claude footer: neither is this PR's author.
    let quoting = reg.lookalikes.iter().find(|l| {
        l.automation && l.quotes_upstream && l.is_account(Some(&pr.author_login), pr.author_id)
    });

    match_pr_author(reg, pr, &mut hits);
    for (index, commit) in pr.commits.iter().enumerate() {
        if quoting.is_some_and(|l| authored_by(l, commit)) {
            continue;
        }
        match_commit(reg, index, commit, overrides, &mut hits);
    }
    if quoting.is_none()
        && let Some(body) = pr.body.as_deref()
    {
        match_body(reg, body, &mut hits);
    }
    match_branch(reg, &pr.head_ref, &mut hits);
    match_labels(reg, &pr.labels, &mut hits);

    let tier = classify(reg, pr, &hits);
    finish(tier, hits)
}

fn match_pr_author(reg: &Registry, pr: &PrMetadata, hits: &mut Vec<Hit>) {
    // Only the best kind of account match counts, so that the coding agent's
    // REST login `Copilot` (id 198982749) does not also name the `copilot[bot]`
    // app, whose bare GraphQL login is the same word.
    let accounts: Vec<(&Signal, AccountQuality)> = reg
        .signals
        .iter()
        .filter_map(|s| match &s.matcher {
            Matcher::PrAuthor(m) => m
                .matches(&pr.author_login, &pr.author_type, pr.author_id)
                .map(|q| (s, q)),
            _ => None,
        })
        .collect();
    let best = accounts.iter().map(|(_, q)| *q).max();
    for (signal, quality) in &accounts {
        if Some(*quality) == best {
            let login = pr.author_login.trim();
            hits.push(hit(
                signal,
                Source::PrAuthor,
                "pull request author",
                None,
                login,
            ));
        }
    }
    if let Some(app) = pr.via_app.as_deref().map(str::trim) {
        for signal in &reg.signals {
            if let Matcher::App(slugs) = &signal.matcher
                && slugs.iter().any(|s| s.eq_ignore_ascii_case(app))
            {
                hits.push(hit(
                    signal,
                    Source::PrAuthor,
                    "pull request author",
                    None,
                    app,
                ));
            }
        }
    }
}

fn match_commit(
    reg: &Registry,
    index: usize,
    commit: &CommitMeta,
    overrides: &Overrides,
    hits: &mut Vec<Hit>,
) {
    let location = format!("commit {}", short_sha(&commit.sha));
    let sha = Some(commit.sha.as_str());
    let message = without_quotes_and_code(&normalize_newlines(&commit.message));
    let trailers = coauthors(&message);
    let source = Source::Commit(index);
    for signal in &reg.signals {
        let matched = match &signal.matcher {
            Matcher::CommitIdentity(m) => m.roles.iter().find_map(|role| {
                let (name, email, login) = identity(commit, *role);
                m.matches(name, email, login)
                    .then(|| display_identity(name, email, login))
            }),
            Matcher::Coauthor(m) => trailers
                .iter()
                .find(|t| m.matches(Some(t.name), Some(t.email), None))
                .map(|t| t.line.to_owned()),
            Matcher::Message(re) => re.find(&message).map(|m| m.as_str().to_owned()),
            _ => None,
        };
        if let Some(matched) = matched {
            hits.push(hit(signal, source, &location, sha, &matched));
        }
    }
    // Repository-declared agent accounts also mark the commits they made.
    for login in [&commit.author_login, &commit.committer_login]
        .into_iter()
        .flatten()
    {
        if let Some(pattern) = first_pattern(&overrides.ai_authors, login) {
            let mut evidence = override_evidence(login, "ai_authors", pattern, sha);
            evidence.location = location.clone();
            hits.push(Hit {
                tier: 1,
                source,
                evidence,
            });
            break;
        }
    }
}

fn match_body(reg: &Registry, body: &str, hits: &mut Vec<Hit>) {
    let body = normalize_newlines(body);
    let body = strip_blocks(
        &body,
        reg.lookalikes.iter().filter_map(|l| l.strip.as_ref()),
    );
    let body = without_quotes_and_code(&body);
    for signal in &reg.signals {
        if let Matcher::Body(re) = &signal.matcher
            && let Some(m) = re.find(&body)
        {
            hits.push(hit(
                signal,
                Source::Body,
                "pull request body",
                None,
                m.as_str(),
            ));
        }
    }
}

/// A branch name has a single origin: only its most specific match counts
/// (`cursor/…-857c` is the Cursor agent format, not also the generic prefix).
fn match_branch(reg: &Registry, head_ref: &str, hits: &mut Vec<Hit>) {
    let best = best_signal(
        reg,
        |m| matches!(m, Matcher::Branch(re) if re.is_match(head_ref)),
    );
    if let Some(signal) = best {
        hits.push(hit(signal, Source::Branch, "branch name", None, head_ref));
    }
}

fn match_labels(reg: &Registry, labels: &[String], hits: &mut Vec<Hit>) {
    for label in labels {
        let label = label.trim();
        let best = best_signal(
            reg,
            |m| matches!(m, Matcher::Label(names) if names.iter().any(|n| n.eq_ignore_ascii_case(label))),
        );
        if let Some(signal) = best {
            hits.push(hit(signal, Source::Label, "label", None, label));
        }
    }
}

/// The highest-weight signal whose matcher passes; the first one on ties.
fn best_signal(reg: &Registry, pass: impl Fn(&Matcher) -> bool) -> Option<&Signal> {
    reg.signals.iter().filter(|s| pass(&s.matcher)).fold(
        None,
        |best: Option<&Signal>, s| match best {
            Some(b) if b.weight >= s.weight => Some(b),
            _ => Some(s),
        },
    )
}

/// Reference §6.3: an agent identity as the PR author, or agent marks on at
/// least half of the commits, or an agent's own footer in the body, make the
/// PR agent-authored; any other tier-1/2 mark or an assist mark makes it
/// AI-assisted; conventions alone make it "possible".
fn classify(reg: &Registry, pr: &PrMetadata, hits: &[Hit]) -> Tier {
    let by_author = hits
        .iter()
        .any(|h| h.source == Source::PrAuthor && h.tier == 1);
    let by_body = hits.iter().any(|h| h.source == Source::Body && h.tier <= 2);

    // Merge commits and CI/dependency bots' own commits (pre-commit.ci fixes,
    // "Update branch") do not dilute an agent's share of the work.
    let counted: Vec<usize> = pr
        .commits
        .iter()
        .enumerate()
        .filter(|(_, c)| !is_merge_subject(&c.message) && !is_automation(reg, c))
        .map(|(i, _)| i)
        .collect();
    let marked = counted
        .iter()
        .filter(|&&i| {
            hits.iter()
                .any(|h| h.source == Source::Commit(i) && h.tier <= 2)
        })
        .count();
    let by_commits =
        !counted.is_empty() && marked as f32 >= AGENT_COMMIT_SHARE * counted.len() as f32;

    if by_author || by_body || by_commits {
        Tier::AgentAuthored
    } else if hits.iter().any(|h| h.tier <= 2 || h.tier == 4) {
        Tier::AiAssisted
    } else if hits.iter().any(|h| h.tier == 3) {
        Tier::Possible
    } else {
        Tier::NoEvidence
    }
}

/// Orders the evidence, names the tools and computes the score.
fn finish(tier: Tier, hits: Vec<Hit>) -> Authorship {
    if tier == Tier::NoEvidence {
        return Authorship {
            tier,
            tools: Vec::new(),
            evidence: Vec::new(),
            score: 0.0,
        };
    }
    let mut evidence: Vec<Evidence> = hits.into_iter().map(|h| h.evidence).collect();
    // Stable: equal weights keep the author → commits → body → branch order.
    evidence.sort_by(|a, b| b.weight.total_cmp(&a.weight));

    let mut scored: Vec<(String, f32)> = Vec::new();
    for e in &evidence {
        if !scored.iter().any(|(t, _)| *t == e.tool) {
            scored.push((e.tool.clone(), tool_score(&evidence, &e.tool)));
        }
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    let score = scored.first().map_or(0.0, |(_, s)| *s);
    Authorship {
        tier,
        tools: scored.into_iter().map(|(t, _)| t).collect(),
        evidence,
        score: (score * 1000.0).round() / 1000.0,
    }
}

/// Noisy-OR across families of each family's strongest evidence: repeating
/// the same kind of mark on many commits does not add certainty, independent
/// kinds of marks do (reference §6.2).
fn tool_score(evidence: &[Evidence], tool: &str) -> f32 {
    let mut families: Vec<(&str, f32)> = Vec::new();
    for e in evidence.iter().filter(|e| e.tool == tool) {
        match families.iter_mut().find(|(f, _)| *f == e.family) {
            Some((_, w)) => *w = w.max(e.weight),
            None => families.push((&e.family, e.weight)),
        }
    }
    1.0 - families.iter().map(|(_, w)| 1.0 - w).product::<f32>()
}

fn human_override(pr: &PrMetadata, pattern: &str) -> Authorship {
    let mut evidence = override_evidence(&pr.author_login, "human_authors", pattern, None);
    evidence.tool = OVERRIDE_HUMAN_TOOL.to_owned();
    evidence.rule_id = "override.human-authors".to_owned();
    evidence.weight = 0.0;
    Authorship {
        tier: Tier::NoEvidence,
        tools: Vec::new(),
        evidence: vec![evidence],
        score: 0.0,
    }
}

fn override_evidence(login: &str, key: &str, pattern: &str, sha: Option<&str>) -> Evidence {
    Evidence {
        tool: OVERRIDE_AI_TOOL.to_owned(),
        family: "override".to_owned(),
        location: "configuration".to_owned(),
        commit: sha.map(str::to_owned),
        matched: clip(&format!("{login} ({key}: {pattern})"), MAX_MATCHED),
        rule_id: "override.ai-authors".to_owned(),
        weight: 1.0,
    }
}

/// The first pattern matching `login`: exact and case-insensitive, or a
/// prefix when the pattern ends in `*`.
fn first_pattern<'a>(patterns: &'a [String], login: &str) -> Option<&'a str> {
    let login = login.trim().to_lowercase();
    if login.is_empty() {
        return None;
    }
    patterns.iter().map(|p| p.trim()).find(|p| {
        let p = p.to_lowercase();
        match p.strip_suffix('*') {
            Some(prefix) => login.starts_with(prefix),
            None => !p.is_empty() && p == login,
        }
    })
}

fn hit(signal: &Signal, source: Source, location: &str, sha: Option<&str>, matched: &str) -> Hit {
    Hit {
        tier: signal.tier,
        source,
        evidence: Evidence {
            tool: signal.tool.clone(),
            family: signal.family.clone(),
            location: location.to_owned(),
            commit: sha.map(str::to_owned),
            matched: clip(matched, MAX_MATCHED),
            rule_id: signal.id.clone(),
            weight: signal.weight,
        },
    }
}

fn identity(c: &CommitMeta, role: Role) -> (Option<&str>, Option<&str>, Option<&str>) {
    match role {
        Role::Author => (
            c.author_name.as_deref(),
            c.author_email.as_deref(),
            c.author_login.as_deref(),
        ),
        Role::Committer => (
            c.committer_name.as_deref(),
            c.committer_email.as_deref(),
            c.committer_login.as_deref(),
        ),
    }
}

/// `Name <email>` as git shows it, or whatever part is known.
fn display_identity(name: Option<&str>, email: Option<&str>, login: Option<&str>) -> String {
    match (name.map(str::trim), email.map(str::trim)) {
        (Some(n), Some(e)) if !n.is_empty() => format!("{n} <{e}>"),
        (_, Some(e)) => format!("<{e}>"),
        (Some(n), None) => n.to_owned(),
        (None, None) => login.unwrap_or_default().to_owned(),
    }
}

fn authored_by(l: &Lookalike, c: &CommitMeta) -> bool {
    l.is_account(c.author_login.as_deref(), None) || l.is_email(c.author_email.as_deref())
}

fn is_automation(reg: &Registry, c: &CommitMeta) -> bool {
    reg.lookalikes
        .iter()
        .any(|l| l.automation && authored_by(l, c))
}

fn short_sha(sha: &str) -> &str {
    let sha = sha.trim();
    sha.get(..7).unwrap_or(sha)
}

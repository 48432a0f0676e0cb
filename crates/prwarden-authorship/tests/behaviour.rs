//! Properties of the detector that the corpus cannot show on its own: that
//! look-alikes are quiet *because* they are recognised (the same text from a
//! person is detected), invariants of every piece of evidence, overrides,
//! serialisation and large pull requests.

use prwarden_authorship::{Authorship, CommitMeta, Evidence, Overrides, PrMetadata, Tier, detect};
use serde::Deserialize;

const AGENTS: &str = include_str!("corpus/agents.yml");
const HUMANS: &str = include_str!("corpus/humans.yml");

#[derive(Deserialize)]
struct Case {
    name: String,
    pr: PrMetadata,
    #[serde(default)]
    overrides: Overrides,
}

fn corpus() -> Vec<Case> {
    // `expect` is ignored here; corpus.rs checks it.
    let parse = |text: &str| -> Vec<Case> {
        let values: Vec<serde_yaml::Value> = serde_yaml::from_str(text).expect("corpus parses");
        values
            .into_iter()
            .map(|mut v| {
                v.as_mapping_mut().expect("case is a map").remove("expect");
                serde_yaml::from_value(v).expect("case parses")
            })
            .collect()
    };
    let mut all = parse(AGENTS);
    all.extend(parse(HUMANS));
    all
}

fn case(name: &str) -> Case {
    corpus()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no corpus case {name}"))
}

fn human(login: &str) -> PrMetadata {
    PrMetadata {
        author_login: login.to_owned(),
        author_type: "User".to_owned(),
        title: "Change".to_owned(),
        head_ref: "change".to_owned(),
        ..PrMetadata::default()
    }
}

fn commit(sha: &str, message: &str) -> CommitMeta {
    CommitMeta {
        sha: sha.to_owned(),
        message: message.to_owned(),
        author_name: Some("Rosa Diaz".to_owned()),
        author_email: Some("rosa@diaz.example".to_owned()),
        ..CommitMeta::default()
    }
}

fn rules(a: &Authorship) -> Vec<&str> {
    a.evidence.iter().map(|e| e.rule_id.as_str()).collect()
}

// ── Look-alikes are quiet because they are recognised ────────────────────────

#[test]
fn dependency_bot_bodies_would_match_if_a_person_wrote_them() {
    for (name, rule) in [
        ("dependabot", "codex.body-task-footer"),
        ("renovate", "claude-code.body-footer"),
    ] {
        let bot = case(name);
        assert_eq!(
            detect(&bot.pr, &Overrides::default()).tier,
            Tier::NoEvidence
        );
        let mut person = bot.pr.clone();
        person.author_login = "rosa-d".to_owned();
        person.author_type = "User".to_owned();
        person.author_id = Some(31337);
        let got = detect(&person, &Overrides::default());
        assert!(rules(&got).contains(&rule), "{name}: {:?}", rules(&got));
    }
}

#[test]
fn reviewer_summaries_would_match_without_their_block_markers() {
    for name in [
        "human-pr-with-coderabbit-summary",
        "human-pr-with-cubic-ellipsis-sourcery-summaries",
    ] {
        let mut pr = case(name).pr;
        assert_eq!(
            detect(&pr, &Overrides::default()).tier,
            Tier::NoEvidence,
            "{name}"
        );
        let body = pr.body.take().unwrap_or_default();
        let unmarked = body
            .lines()
            .filter(|l| !l.contains("<!--") && !l.starts_with("## Summary by Sourcery"))
            .collect::<Vec<_>>()
            .join("\n");
        pr.body = Some(unmarked);
        assert_eq!(
            detect(&pr, &Overrides::default()).tier,
            Tier::AgentAuthored,
            "{name}"
        );
    }
}

#[test]
fn quoted_footers_would_match_unquoted() {
    let quoted = "Our template used to say\n\n> 🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nand `Generated with [Claude Code](https://claude.ai/code)`.";
    let mut pr = human("rosa-d");
    pr.body = Some(quoted.to_owned());
    assert_eq!(detect(&pr, &Overrides::default()).tier, Tier::NoEvidence);
    pr.body = Some(quoted.replace("> ", ""));
    assert_eq!(detect(&pr, &Overrides::default()).tier, Tier::AgentAuthored);
}

#[test]
fn commits_by_dependency_bots_are_not_searched_but_people_on_their_pr_are() {
    // Someone pushed an agent-written fix onto a Dependabot PR.
    let mut pr = case("dependabot").pr;
    pr.commits.push(commit(
        "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e",
        "Fix breaking change in axios 1.9\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
    ));
    let got = detect(&pr, &Overrides::default());
    assert_eq!(rules(&got), ["claude-code.coauthor-trailer"]);
    assert_eq!(got.evidence[0].location, "commit 0d1e2f3");
}

// ── Evidence invariants over the whole corpus ────────────────────────────────

const FAMILIES: [&str; 9] = [
    "pr author",
    "app",
    "commit author",
    "commit trailer",
    "pr body",
    "branch",
    "label",
    "assist",
    "override",
];

fn check_evidence(name: &str, pr: &PrMetadata, e: &Evidence) {
    assert!(
        FAMILIES.contains(&e.family.as_str()),
        "{name}: family {}",
        e.family
    );
    assert!(!e.tool.is_empty() && !e.rule_id.is_empty(), "{name}: {e:?}");
    assert!(
        !e.matched.is_empty(),
        "{name}: empty match for {}",
        e.rule_id
    );
    assert!(e.matched.chars().count() <= 120, "{name}: {}", e.matched);
    assert_eq!(
        e.matched,
        e.matched.trim(),
        "{name}: untrimmed {}",
        e.rule_id
    );
    assert!(
        (0.0..=1.0).contains(&e.weight),
        "{name}: weight {}",
        e.weight
    );
    match &e.commit {
        Some(sha) => {
            assert!(
                pr.commits.iter().any(|c| c.sha == *sha),
                "{name}: unknown sha"
            );
            assert_eq!(e.location, format!("commit {}", &sha[..7]), "{name}");
        }
        None => assert!(
            [
                "pull request author",
                "pull request body",
                "branch name",
                "label",
                "configuration"
            ]
            .contains(&e.location.as_str()),
            "{name}: location {}",
            e.location
        ),
    }
}

#[test]
fn every_verdict_is_consistent() {
    for c in corpus() {
        let got = detect(&c.pr, &c.overrides);
        for e in &got.evidence {
            check_evidence(&c.name, &c.pr, e);
        }
        assert!(
            got.evidence.windows(2).all(|w| w[0].weight >= w[1].weight),
            "{}: evidence not strongest first",
            c.name
        );
        assert!(
            (0.0..=1.0).contains(&got.score),
            "{}: score {}",
            c.name,
            got.score
        );
        assert_eq!(got.is_agent_authored(), got.tier == Tier::AgentAuthored);
        for tool in &got.tools {
            assert!(
                got.evidence.iter().any(|e| e.tool == *tool),
                "{}: {tool}",
                c.name
            );
        }
        if got.tier == Tier::NoEvidence {
            assert!(got.tools.is_empty() && got.score == 0.0, "{}", c.name);
            assert!(
                got.evidence.iter().all(|e| e.family == "override"),
                "{}",
                c.name
            );
        } else {
            assert!(!got.tools.is_empty() && got.score > 0.0, "{}", c.name);
        }
        // Pure: the same input gives the same output.
        assert_eq!(got, detect(&c.pr, &c.overrides), "{}", c.name);
    }
}

#[test]
fn long_matches_are_clipped_to_120_characters() {
    let mut pr = human("rosa-d");
    let mut c = commit("1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c", "Tune caches");
    c.author_name = Some(format!("{} (aider)", "Rosalind Diaz-Montgomery ".repeat(8)));
    pr.commits.push(c);
    let got = detect(&pr, &Overrides::default());
    let matched = &got.evidence[0].matched;
    assert_eq!(matched.chars().count(), 120);
    assert!(matched.ends_with('…'));
}

// ── Classification edges ─────────────────────────────────────────────────────

#[test]
fn half_of_the_commits_is_enough_for_agent_authored() {
    let mut pr = human("rosa-d");
    pr.commits = vec![
        commit(
            "a1",
            "Add parser\n\nCo-authored-by: Codex <noreply@openai.com>",
        ),
        commit("b2", "Add tests"),
    ];
    assert_eq!(detect(&pr, &Overrides::default()).tier, Tier::AgentAuthored);
    pr.commits.push(commit("c3", "Add docs"));
    assert_eq!(detect(&pr, &Overrides::default()).tier, Tier::AiAssisted);
}

#[test]
fn assist_marks_never_make_agent_authored() {
    let mut pr = human("rosa-d");
    pr.commits = (0..5)
        .map(|i| {
            commit(
                &format!("{i:040x}"),
                "Tweak\n\nCo-authored-by: Copilot <copilot@github.com>",
            )
        })
        .collect();
    pr.head_ref = "copilot/tweak".to_owned();
    let got = detect(&pr, &Overrides::default());
    assert_eq!(got.tier, Tier::AiAssisted);
    assert_eq!(got.evidence.len(), 6, "one per commit plus the branch");
}

#[test]
fn graphql_logins_and_search_forms_are_recognised() {
    for (login, kind) in [
        ("devin-ai-integration", "Bot"),
        ("app/devin-ai-integration", ""),
        ("DEVIN-AI-INTEGRATION[bot]", "Bot"),
    ] {
        let mut pr = human(login);
        pr.author_type = kind.to_owned();
        assert_eq!(
            detect(&pr, &Overrides::default()).tools,
            ["Devin"],
            "{login}"
        );
    }
    // A person who registered the bare name is not the app.
    assert_eq!(
        detect(&human("devin-ai-integration"), &Overrides::default()).tier,
        Tier::NoEvidence
    );
}

#[test]
fn renamed_bots_are_recognised_by_id() {
    let mut pr = human("copilot-agent-renamed");
    pr.author_type = "Bot".to_owned();
    pr.author_id = Some(198982749);
    assert_eq!(
        detect(&pr, &Overrides::default()).tools,
        ["GitHub Copilot coding agent"]
    );
}

// ── Overrides ────────────────────────────────────────────────────────────────

#[test]
fn human_override_explains_itself() {
    let c = case("override-human-author");
    let got = detect(&c.pr, &c.overrides);
    assert_eq!(got.tier, Tier::NoEvidence);
    assert_eq!(got.evidence.len(), 1);
    let e = &got.evidence[0];
    assert_eq!(e.family, "override");
    assert_eq!(e.location, "configuration");
    assert_eq!(e.matched, "Alice-W (human_authors: alice-w)");
    assert_eq!(e.commit, None);
    // Without the override the same PR is agent-authored.
    assert!(detect(&c.pr, &Overrides::default()).is_agent_authored());
}

#[test]
fn ai_override_keeps_the_detected_tools() {
    let c = case("claude-code-model-names-in-trailers");
    let overrides = Overrides {
        ai_authors: vec!["MKOWALSKI".to_owned()],
        human_authors: Vec::new(),
    };
    let got = detect(&c.pr, &overrides);
    assert_eq!(got.tier, Tier::AgentAuthored);
    assert_eq!(got.tools, ["configured AI author", "Claude Code"]);
    assert_eq!(got.score, 1.0);
}

#[test]
fn empty_and_blank_patterns_match_nobody() {
    let overrides = Overrides {
        ai_authors: vec![String::new(), "  ".to_owned()],
        human_authors: vec![String::new()],
    };
    assert_eq!(detect(&human("rosa-d"), &overrides).tier, Tier::NoEvidence);
    assert!(detect(&human("rosa-d"), &overrides).evidence.is_empty());
}

// ── API surface ──────────────────────────────────────────────────────────────

#[test]
fn tiers_serialise_as_their_display_names() {
    for tier in [
        Tier::AgentAuthored,
        Tier::AiAssisted,
        Tier::Possible,
        Tier::NoEvidence,
    ] {
        let yaml = serde_yaml::to_string(&tier).expect("serialise");
        assert_eq!(yaml.trim().trim_matches('\''), tier.as_str());
    }
    assert_eq!(Tier::NoEvidence.as_str(), "no evidence");
}

#[test]
fn empty_pull_request_has_no_evidence() {
    let got = detect(&PrMetadata::default(), &Overrides::default());
    assert_eq!(got.tier, Tier::NoEvidence);
    assert!(got.evidence.is_empty() && got.tools.is_empty());
}

#[test]
fn large_pull_requests_are_handled() {
    // 250 commits (the REST cap) and a 60 KB body.
    let mut pr = human("rosa-d");
    pr.body = Some(format!(
        "{}\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n",
        "Refactors the storage layer; see the design doc for details.\n".repeat(1000)
    ));
    pr.commits = (0..250)
        .map(|i| {
            commit(
                &format!("{i:040x}"),
                &format!(
                    "Step {i}\n\n{}\nCo-Authored-By: Claude <noreply@anthropic.com>",
                    "detail\n".repeat(50)
                ),
            )
        })
        .collect();
    let got = detect(&pr, &Overrides::default());
    assert_eq!(got.tier, Tier::AgentAuthored);
    assert_eq!(got.evidence.len(), 251);
}

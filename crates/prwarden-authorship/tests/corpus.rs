//! Data-driven corpus: realistic pull requests with the verdict, tools and
//! rules each must produce. `corpus/agents.yml` has at least one PR per agent
//! in the reference table; `corpus/humans.yml` has human PRs, look-alikes,
//! convention-only PRs and overrides.

use std::collections::{BTreeMap, BTreeSet};

use prwarden_authorship::{Authorship, Overrides, PrMetadata, detect};
use serde::Deserialize;

const AGENTS: &str = include_str!("corpus/agents.yml");
const HUMANS: &str = include_str!("corpus/humans.yml");
const SIGNALS: &str = include_str!("../signals.yml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    pr: PrMetadata,
    #[serde(default)]
    overrides: Overrides,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    tier: String,
    tools: Vec<String>,
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default)]
    absent_rules: Vec<String>,
    #[serde(default)]
    commit_evidence: BTreeMap<String, String>,
}

fn cases() -> Vec<Case> {
    let mut all: Vec<Case> = serde_yaml::from_str(AGENTS).expect("agents.yml");
    all.extend(serde_yaml::from_str::<Vec<Case>>(HUMANS).expect("humans.yml"));
    all
}

/// Every mismatch between the verdict and the expectation, as text.
fn check(case: &Case, got: &Authorship) -> Vec<String> {
    let mut problems = Vec::new();
    let fired: BTreeSet<&str> = got.evidence.iter().map(|e| e.rule_id.as_str()).collect();
    if got.tier.as_str() != case.expect.tier {
        problems.push(format!(
            "tier {} (want {})",
            got.tier.as_str(),
            case.expect.tier
        ));
    }
    if got.tools != case.expect.tools {
        problems.push(format!(
            "tools {:?} (want {:?})",
            got.tools, case.expect.tools
        ));
    }
    for rule in &case.expect.rules {
        if !fired.contains(rule.as_str()) {
            problems.push(format!("missing rule {rule}"));
        }
    }
    for rule in &case.expect.absent_rules {
        if fired.contains(rule.as_str()) {
            problems.push(format!("unexpected rule {rule}"));
        }
    }
    for (rule, sha) in &case.expect.commit_evidence {
        let ok = got.evidence.iter().any(|e| {
            e.rule_id == *rule
                && e.commit.as_deref() == Some(sha.as_str())
                && e.location == format!("commit {}", &sha[..7])
        });
        if !ok {
            problems.push(format!("no {rule} evidence naming commit {sha}"));
        }
    }
    problems
}

#[test]
fn corpus_verdicts() {
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let got = detect(&case.pr, &case.overrides);
        let problems = check(case, &got);
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {}\n    evidence: {:#?}",
                case.name,
                problems.join("; "),
                got.evidence
                    .iter()
                    .map(|e| format!("{} [{}] {}", e.rule_id, e.location, e.matched))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_names_are_unique_and_it_is_big_enough() {
    let cases = cases();
    let names: BTreeSet<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), cases.len(), "duplicate case names");
    let agent_cases = cases
        .iter()
        .filter(|c| c.expect.tier == "agent-authored")
        .count();
    let quiet_cases = cases
        .iter()
        .filter(|c| c.expect.tier == "no evidence")
        .count();
    assert!(agent_cases >= 50, "{agent_cases} agent-authored cases");
    assert!(quiet_cases >= 15, "{quiet_cases} no-evidence cases");
}

/// Every rule in the signal table must fire on some realistic PR, so a rule
/// whose regex can never match (a typo, an escaping mistake) fails here.
#[test]
fn every_signal_fires_somewhere_in_the_corpus() {
    #[derive(Deserialize)]
    struct Table {
        signals: Vec<Entry>,
    }
    #[derive(Deserialize)]
    struct Entry {
        id: String,
        tool: String,
    }
    let table: Table = serde_yaml::from_str(SIGNALS).expect("signals.yml");
    let mut fired = BTreeSet::new();
    let mut tools_detected = BTreeSet::new();
    for case in cases() {
        let got = detect(&case.pr, &case.overrides);
        fired.extend(got.evidence.iter().map(|e| e.rule_id.clone()));
        tools_detected.extend(got.tools);
    }
    let never: Vec<&str> = table
        .signals
        .iter()
        .map(|s| s.id.as_str())
        .filter(|id| !fired.contains(*id))
        .collect();
    assert!(never.is_empty(), "rules that never fire: {never:?}");
    let missing_tools: BTreeSet<&str> = table
        .signals
        .iter()
        .map(|s| s.tool.as_str())
        .filter(|t| !tools_detected.contains(*t))
        .collect();
    assert!(
        missing_tools.is_empty(),
        "tools never detected: {missing_tools:?}"
    );
}

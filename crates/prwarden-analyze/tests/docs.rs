//! The rule pages under `docs/rules/` are rendered from each rule's doc
//! comment and registry entry, so the documentation cannot drift from the
//! code. `PRWARDEN_BLESS=1 cargo test -p prwarden-analyze --test docs`
//! rewrites them after a rule changes.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use prwarden_analyze::{Analyzer, RuleMeta};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `query-efficiency/call-in-loop` → `src/rules/query_efficiency/call_in_loop.rs`.
fn source_path(id: &str) -> PathBuf {
    let (item, rule) = id.split_once('/').expect("id has the form item/rule");
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "src/rules/{}/{}.rs",
        item.replace('-', "_"),
        rule.replace('-', "_")
    ))
}

fn languages(meta: &RuleMeta) -> String {
    if meta.languages.is_empty() {
        "every text file".to_string()
    } else {
        meta.languages
            .iter()
            .map(|l| l.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The page for one rule: a header from the registry, then the module doc
/// comment of its file (without its first, title line).
fn render_page(meta: &RuleMeta) -> String {
    let path = source_path(meta.id);
    let source = fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{}: rule file {} is missing", meta.id, path.display()));
    let doc: Vec<&str> = source
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| {
            l.strip_prefix("//! ")
                .unwrap_or(l.trim_start_matches("//!"))
        })
        .collect();
    assert!(
        doc.len() > 3,
        "{}: the rule file starts with a `//!` doc comment",
        meta.id
    );
    let title = doc[0]
        .split_once(": ")
        .map(|(_, t)| t)
        .unwrap_or(doc[0])
        .trim();
    let body = doc[1..].join("\n");
    for section in ["## What it does", "## Why is this bad?", "## Example"] {
        assert!(
            body.contains(section),
            "{}: the doc comment has a `{section}` section",
            meta.id
        );
    }
    let mut page = String::new();
    let _ = writeln!(page, "# `{}`\n", meta.id);
    let _ = writeln!(page, "{title}\n");
    let _ = writeln!(
        page,
        "- **Checklist item:** `{}` — {}",
        meta.item.id(),
        meta.item.question()
    );
    let _ = writeln!(page, "- **Severity:** {}", meta.severity.as_str());
    let _ = writeln!(page, "- **Languages:** {}", languages(meta));
    let _ = writeln!(
        page,
        "- **Source:** `crates/prwarden-analyze/src/rules/{}`; fixtures: `fixtures/rules/{}/`",
        source_path(meta.id)
            .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules"))
            .unwrap()
            .display(),
        meta.id.replace('/', "__")
    );
    let _ = writeln!(page, "{}", body.trim_end());
    page
}

/// The table between the markers in `docs/rules/README.md`.
fn render_table(metas: &[&RuleMeta]) -> String {
    let mut table = String::from("| id | severity | languages | catches |\n|---|---|---|---|\n");
    for meta in metas {
        let _ = writeln!(
            table,
            "| [`{}`]({}.md) | {} | {} | {} |",
            meta.id,
            meta.id.replace('/', "-"),
            meta.severity.as_str(),
            languages(meta),
            meta.summary
        );
    }
    table
}

const TABLE_START: &str = "<!-- rules-table:start -->\n";
const TABLE_END: &str = "<!-- rules-table:end -->";

#[test]
fn rule_pages_are_rendered_from_the_doc_comments() {
    let bless = std::env::var_os("PRWARDEN_BLESS").is_some();
    let analyzer = Analyzer::with_builtin_rules();
    let metas: Vec<&RuleMeta> = analyzer.rules().collect();
    let mut stale = Vec::new();
    for meta in &metas {
        let page = render_page(meta);
        let path = repo().join(format!("docs/rules/{}.md", meta.id.replace('/', "-")));
        if fs::read_to_string(&path).ok().as_deref() != Some(page.as_str()) {
            if bless {
                fs::write(&path, &page).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }

    let index_path = repo().join("docs/rules/README.md");
    let index = fs::read_to_string(&index_path).unwrap();
    let start = index
        .find(TABLE_START)
        .expect("README has the table start marker")
        + TABLE_START.len();
    let end = index
        .find(TABLE_END)
        .expect("README has the table end marker");
    let table = render_table(&metas);
    if index[start..end] != table {
        if bless {
            let updated = format!("{}{}{}", &index[..start], table, &index[end..]);
            fs::write(&index_path, updated).unwrap();
        } else {
            stale.push(index_path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale rule docs (run `PRWARDEN_BLESS=1 cargo test -p prwarden-analyze --test docs`): {stale:?}"
    );
}

#[test]
fn no_page_is_left_for_a_rule_that_no_longer_exists() {
    let analyzer = Analyzer::with_builtin_rules();
    let pages: Vec<String> = analyzer
        .rules()
        .map(|m| format!("{}.md", m.id.replace('/', "-")))
        .collect();
    for entry in fs::read_dir(repo().join("docs/rules")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let hand_written = ["README.md", "security-review.md"].contains(&name.as_str());
        assert!(
            hand_written || pages.contains(&name),
            "docs/rules/{name} belongs to no rule"
        );
    }
}

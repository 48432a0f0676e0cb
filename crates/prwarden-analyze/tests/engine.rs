//! The engine's contracts: added lines only, stable fingerprints, one
//! registry, file classification, ordering, and secret suggestions.

use std::collections::BTreeSet;
use std::path::Path;

use prwarden_analyze::{
    Analyzer, ChangedFile, ChecklistItem, FileReport, Finding, LineSet, SkipReason,
};

fn all_lines(content: &str) -> LineSet {
    (1..=u32::try_from(content.lines().count()).unwrap()).collect()
}

fn analyze(path: &str, content: &str, added: &LineSet) -> (FileReport, Vec<Finding>) {
    Analyzer::with_builtin_rules().analyze_file(ChangedFile {
        path,
        content,
        added_lines: added,
    })
}

fn analyze_all_added(path: &str, content: &str) -> (FileReport, Vec<Finding>) {
    analyze(path, content, &all_lines(content))
}

/// A GitHub-shaped token assembled at run time (the repository is scanned
/// for secrets).
fn github_token() -> String {
    format!("gh{}_{}", "p", "Zk3q9XbT7mLw2RcV8pNf4HjY6sDa1GeUo5Ki")
}

const EMPTY_CATCHES: &str = "\
export function a() {
  try { one(); } catch (e) {}
}

export function b() {
  try { two(); } catch (e) {}
}
";

#[test]
fn findings_only_on_added_lines() {
    let (_, all) = analyze_all_added("src/a.ts", EMPTY_CATCHES);
    assert_eq!(all.iter().map(|f| f.line).collect::<Vec<_>>(), [2, 6]);

    // Line 2 is context, not added: its handler is not reported.
    let added: LineSet = [1, 3, 4, 5, 6, 7].into();
    let (_, some) = analyze("src/a.ts", EMPTY_CATCHES, &added);
    assert_eq!(some.iter().map(|f| f.line).collect::<Vec<_>>(), [6]);

    let (_, none) = analyze("src/a.ts", EMPTY_CATCHES, &LineSet::new());
    assert!(none.is_empty());
}

#[test]
fn fingerprint_survives_moves_and_reformatting_but_not_code_changes() {
    let original = "function load() {\n  try { fetchAll(); } catch (err) {}\n}\n";
    let moved = "// a new header comment\n\nimport x from 'x';\n\nfunction load() {\n      try { fetchAll(); }   catch (err)   {}\n}\n";
    let changed = "function load() {\n  try { fetchAll(); } catch (error) {}\n}\n";
    let renamed_symbol = "function reload() {\n  try { fetchAll(); } catch (err) {}\n}\n";

    let fp = |content: &str| {
        let (_, findings) = analyze_all_added("src/load.ts", content);
        assert_eq!(findings.len(), 1, "{content}");
        (findings[0].line, findings[0].fingerprint.clone())
    };
    let (line_a, a) = fp(original);
    let (line_b, b) = fp(moved);
    assert_ne!(line_a, line_b);
    assert_eq!(a, b, "moving or re-indenting code keeps the fingerprint");
    assert_ne!(fp(changed).1, a, "changing the offending code changes it");
    assert_ne!(fp(renamed_symbol).1, a, "another symbol is another finding");

    // The path is part of the identity.
    let (_, other_path) = analyze_all_added("src/other.ts", original);
    assert_ne!(other_path[0].fingerprint, a);
}

#[test]
fn identical_code_in_one_symbol_gets_distinct_fingerprints() {
    let content = "function f() {\n  try { g(); } catch {}\n  try { g(); } catch {}\n}\n";
    let (_, findings) = analyze_all_added("src/f.ts", content);
    assert_eq!(findings.len(), 2);
    assert_ne!(findings[0].fingerprint, findings[1].fingerprint);

    // Which lines are added does not change a fingerprint.
    let (_, second_only) = analyze("src/f.ts", content, &[3].into());
    assert_eq!(second_only.len(), 1);
    assert_eq!(second_only[0].fingerprint, findings[1].fingerprint);
}

#[test]
fn registry_lists_each_rule_once_with_docs_and_fixtures() {
    let analyzer = Analyzer::with_builtin_rules();
    let metas: Vec<_> = analyzer.rules().collect();
    let ids: BTreeSet<&str> = metas.iter().map(|m| m.id).collect();
    assert_eq!(ids.len(), metas.len(), "rule ids are unique");

    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for meta in metas {
        let (item, rule) = meta.id.split_once('/').expect("id has the form item/rule");
        assert_eq!(
            item,
            meta.item.id(),
            "{}: prefix is the checklist item",
            meta.id
        );
        assert!(ChecklistItem::ALL.contains(&meta.item));
        assert!(
            !rule.is_empty() && rule.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{}: rule part is kebab-case",
            meta.id
        );
        assert!(!meta.summary.is_empty());
        assert_eq!(analyzer.rule(meta.id).map(|m| m.id), Some(meta.id));

        let doc = repo.join(format!("docs/rules/{}.md", meta.id.replace('/', "-")));
        let text = std::fs::read_to_string(&doc)
            .unwrap_or_else(|_| panic!("missing doc page {}", doc.display()));
        assert!(
            text.contains(meta.id),
            "{} names its rule id",
            doc.display()
        );
        let fixtures = repo.join(format!("fixtures/rules/{}", meta.id.replace('/', "__")));
        assert!(fixtures.is_dir(), "missing {}", fixtures.display());
    }
}

#[test]
fn analyzer_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Analyzer>();
}

#[test]
fn files_without_a_grammar_still_get_text_rules() {
    let env = format!("NODE_ENV=production\nGITHUB_TOKEN={}\n", github_token());
    let (report, findings) = analyze_all_added("deploy/.env", &env);
    assert_eq!(report.skipped, Some(SkipReason::UnsupportedLanguage));
    assert_eq!(report.language, None);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule_id, "hardcoded-config/secret");
    assert_eq!(findings[0].line, 2);

    // No grammar: structural rules do not guess from text.
    let kotlin = "fun f() {\n    try { x() } catch (e: Exception) {}\n}\n";
    let (report, findings) = analyze_all_added("Main.kt", kotlin);
    assert_eq!(report.skipped, Some(SkipReason::UnsupportedLanguage));
    assert!(findings.is_empty());
}

#[test]
fn skipped_files_produce_no_findings() {
    let content = format!(
        "const token = \"{}\";\ntry {{ a() }} catch {{}}\n",
        github_token()
    );
    for (path, reason) in [
        ("node_modules/pkg/index.js", SkipReason::Vendored),
        ("public/app.min.js", SkipReason::Minified),
        ("src/schema.generated.ts", SkipReason::Generated),
        ("yarn.lock", SkipReason::LockFile),
    ] {
        let (report, findings) = analyze_all_added(path, &content);
        assert_eq!(report.skipped, Some(reason), "{path}");
        assert!(findings.is_empty(), "{path}");
    }
    let marked = format!("// @generated by openapi-typescript\n{content}");
    let (report, findings) = analyze_all_added("src/api.ts", &marked);
    assert_eq!(report.skipped, Some(SkipReason::Generated));
    assert!(findings.is_empty());
}

#[test]
fn unparsable_files_are_reported_and_still_scanned_for_secrets() {
    let content = format!(
        "}}}} ))) ((( <<< >>> ]]] [[[\n=> => => ::: ;;; }}}} )))\nconst t = \"{}\" ))) ]]]\n",
        github_token()
    );
    let (report, findings) = analyze_all_added("src/broken.ts", &content);
    assert_eq!(report.skipped, Some(SkipReason::ParseError));
    assert_eq!(
        findings.iter().map(|f| f.rule_id).collect::<Vec<_>>(),
        ["hardcoded-config/secret"]
    );

    // A small syntax error leaves the rest of the file analysable.
    let mostly_fine = "function f() {\n  try { g(); } catch (e) {}\n}\nconst broken = ;\n";
    let (report, findings) = analyze_all_added("src/almost.ts", mostly_fine);
    assert_eq!(report.skipped, None);
    assert_eq!(findings.len(), 1);
}

#[test]
fn analysis_reports_every_file_and_sorts_findings() {
    let b = "try { g(); } catch {}\nlet x: any;\n".to_string();
    let a = "try:\n    g()\nexcept:\n    pass\n".to_string();
    let lock = "# lock\n".to_string();
    let (la, lb, ll) = (all_lines(&a), all_lines(&b), all_lines(&lock));
    let files = [
        ChangedFile {
            path: "src/b.ts",
            content: &b,
            added_lines: &lb,
        },
        ChangedFile {
            path: "poetry.lock",
            content: &lock,
            added_lines: &ll,
        },
        ChangedFile {
            path: "app/a.py",
            content: &a,
            added_lines: &la,
        },
    ];
    let analysis = Analyzer::with_builtin_rules().analyze(&files);
    assert_eq!(
        analysis
            .files
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>(),
        ["src/b.ts", "poetry.lock", "app/a.py"]
    );
    assert_eq!(analysis.files[1].skipped, Some(SkipReason::LockFile));
    let order: Vec<(&str, u32, &str)> = analysis
        .findings
        .iter()
        .map(|f| (f.path.as_str(), f.line, f.rule_id))
        .collect();
    assert_eq!(
        order,
        [
            ("app/a.py", 3, "error-handling/empty-catch"),
            ("src/b.ts", 1, "error-handling/empty-catch"),
            ("src/b.ts", 2, "type-safety/explicit-any"),
        ]
    );
}

#[test]
fn secret_suggestions_replace_the_literal_with_an_env_lookup() {
    let token = github_token();
    let ts = format!("export const githubToken = \"{token}\"; // for the API\n");
    let (_, findings) = analyze_all_added("src/config.ts", &ts);
    assert_eq!(
        findings[0].suggestion.as_deref(),
        Some("export const githubToken = process.env.GITHUB_TOKEN; // for the API")
    );

    let py = format!("import os\n\n\nclass Settings:\n    token = '{token}'\n");
    let (_, findings) = analyze_all_added("app/settings.py", &py);
    assert_eq!(
        findings[0].suggestion.as_deref(),
        Some("    token = os.environ[\"GITHUB_TOKEN\"]")
    );
    assert_eq!(findings[0].symbol.as_deref(), Some("Settings"));

    // Not mechanical: no `import os`, a typed declaration, a longer string,
    // a client bundle.
    for (path, content) in [
        ("app/settings.py", format!("TOKEN = \"{token}\"\n")),
        ("src/a.ts", format!("const TOKEN: string = \"{token}\";\n")),
        ("src/a.ts", format!("const AUTH = \"Bearer {token}\";\n")),
        ("src/App.tsx", format!("const TOKEN = \"{token}\";\n")),
    ] {
        let (_, findings) = analyze_all_added(path, &content);
        assert_eq!(findings.len(), 1, "{content}");
        assert_eq!(findings[0].suggestion, None, "{content}");
    }
}

#[test]
fn secret_messages_never_repeat_the_secret() {
    let token = github_token();
    let content = format!("const GITHUB_TOKEN = \"{token}\";\n");
    let (_, findings) = analyze_all_added("src/a.ts", &content);
    let f = &findings[0];
    let posted = serde_text(f);
    assert!(posted.contains("ghp_********"));
    assert!(!posted.contains(&token[..8]));
    assert_eq!(f.severity, prwarden_analyze::Severity::Error);
}

fn serde_text(f: &Finding) -> String {
    format!(
        "{}\n{}\n{:?}\n{:?}",
        f.title, f.message, f.suggestion, f.prompt
    )
}

#[test]
fn prompts_name_the_specific_code() {
    let content = "async function sync(ids: string[]) {\n  for (const id of ids) {\n    await prisma.user.findUnique({ where: { id } });\n  }\n}\n";
    let (_, findings) = analyze_all_added("src/sync.ts", content);
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(f.rule_id, "query-efficiency/call-in-loop");
    assert_eq!(f.line, 3);
    assert_eq!(f.symbol.as_deref(), Some("sync"));
    assert_eq!(f.prompt.location, "src/sync.ts:3");
    assert!(f.title.contains("prisma.user.findUnique"));
    assert!(f.prompt.symptom.contains("`ids`"));
    assert!(f.message.contains("IN ("));
}

#[test]
fn thread_count_does_not_change_the_result() {
    let added: LineSet = (1..=40).collect();
    let sources: Vec<(String, String)> = (0..23)
        .map(|i| {
            (
                format!("src/m{i}.ts"),
                format!("export function f{i}(x: any) {{\n  try {{ g(x); }} catch (e) {{}}\n}}\n"),
            )
        })
        .collect();
    let files: Vec<ChangedFile<'_>> = sources
        .iter()
        .map(|(path, content)| ChangedFile {
            path,
            content,
            added_lines: &added,
        })
        .collect();
    let analyzer = Analyzer::with_builtin_rules();
    let one = analyzer.analyze_with_threads(&files, 1);
    assert_eq!(one.files.len(), 23);
    assert!(one.findings.len() >= 46, "{}", one.findings.len());
    for threads in [2, 4, 64] {
        assert_eq!(analyzer.analyze_with_threads(&files, threads), one);
    }
    let paths: Vec<&str> = one.files.iter().map(|f| f.path.as_str()).collect();
    let expected: Vec<&str> = sources.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, expected, "reports keep input order");
}

#[test]
fn nodes_of_kind_lists_every_node_of_those_kinds_in_order() {
    use prwarden_analyze::{Language, RuleContext};
    let source = "const a = f(1);\nfunction g() { return h(f(2)); }\n";
    let added = all_lines(source);
    let file = ChangedFile {
        path: "src/a.ts",
        content: source,
        added_lines: &added,
    };
    let tree = prwarden_analyze::parse(Language::TypeScript, source).unwrap();
    let ctx = RuleContext::new(file, Some(Language::TypeScript), Some(&tree));
    let calls: Vec<&str> = ctx
        .nodes_of_kind(&["call_expression"])
        .map(|n| ctx.text(n))
        .collect();
    assert_eq!(calls, ["f(1)", "h(f(2))", "f(2)"]);
    let mixed = ctx
        .nodes_of_kind(&["function_declaration", "number"])
        .count();
    assert_eq!(mixed, 3);
    let none = RuleContext::new(file, Some(Language::TypeScript), None);
    assert_eq!(none.nodes_of_kind(&["call_expression"]).count(), 0);
}

/// Finds something on line 1, then panics: a rule with a bug.
struct PanicsAfterAFinding;

static PANICKY: prwarden_analyze::RuleMeta = prwarden_analyze::RuleMeta {
    id: "test/panics",
    item: ChecklistItem::TypeSafety,
    severity: prwarden_analyze::Severity::Warning,
    languages: &[prwarden_analyze::Language::TypeScript],
    summary: "panics",
};

impl prwarden_analyze::Rule for PanicsAfterAFinding {
    fn meta(&self) -> &'static prwarden_analyze::RuleMeta {
        &PANICKY
    }

    fn check(&self, ctx: &prwarden_analyze::RuleContext<'_>, out: &mut Vec<Finding>) {
        out.push(
            ctx.finding(&PANICKY, 1, None, "x")
                .title("found")
                .message("found")
                .build(),
        );
        panic!("a rule bug");
    }
}

#[test]
fn a_panicking_rule_costs_only_its_own_findings_on_that_file() {
    let mut rules = prwarden_analyze::rules::builtin();
    rules.push(Box::new(PanicsAfterAFinding));
    let analyzer = Analyzer::with_rules(rules);
    let content = "export function f(x: any): number {\n  return 1;\n}\n";
    let added = all_lines(content);
    let files = [
        ChangedFile {
            path: "src/a.ts",
            content,
            added_lines: &added,
        },
        ChangedFile {
            path: "src/b.ts",
            content,
            added_lines: &added,
        },
    ];
    let analysis = analyzer.analyze(&files);
    for report in &analysis.files {
        assert_eq!(report.skipped, None);
        assert_eq!(report.failed_rules, ["test/panics"], "{}", report.path);
    }
    let rules: BTreeSet<&str> = analysis.findings.iter().map(|f| f.rule_id).collect();
    assert!(rules.contains("type-safety/explicit-any"), "{rules:?}");
    assert!(!rules.contains("test/panics"), "its findings are dropped");
    assert_eq!(
        analysis
            .findings
            .iter()
            .filter(|f| f.rule_id == "type-safety/explicit-any")
            .count(),
        2
    );
}

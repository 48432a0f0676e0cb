//! The text of an inline review comment, and the hidden fingerprint marker
//! that lets a later run recognise a finding already on the PR.

use std::collections::HashSet;

use prwarden_analyze::Finding;

const MARKER_OPEN: &str = "<!-- prwarden:fingerprint ";
const MARKER_CLOSE: &str = " -->";

/// The marker for a finding: rule id and fingerprint, no line numbers.
pub fn marker(finding: &Finding) -> String {
    format!(
        "{MARKER_OPEN}{}:{}{MARKER_CLOSE}",
        finding.rule_id, finding.fingerprint
    )
}

/// `rule:fingerprint` keys of every marker in `bodies`.
pub fn markers_in<'a>(bodies: impl IntoIterator<Item = &'a str>) -> HashSet<String> {
    let mut found = HashSet::new();
    for body in bodies {
        let mut rest = body;
        while let Some(start) = rest.find(MARKER_OPEN) {
            let after = &rest[start + MARKER_OPEN.len()..];
            let Some(end) = after.find(MARKER_CLOSE) else {
                break;
            };
            found.insert(after[..end].trim().to_owned());
            rest = &after[end..];
        }
    }
    found
}

/// The key [`markers_in`] yields for `finding`.
pub fn key(finding: &Finding) -> String {
    format!("{}:{}", finding.rule_id, finding.fingerprint)
}

/// A fence longer than any backtick run in `text`, so that code containing
/// ``` cannot close the block early.
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// The full Markdown body of the inline comment for `finding`.
pub fn body(finding: &Finding) -> String {
    let mut out = format!(
        "**{}** · `{}` · {}\n\n**{}**\n\n{}\n",
        finding.item.id(),
        finding.rule_id,
        finding.severity.as_str(),
        finding.title,
        finding.message.trim_end(),
    );
    if let Some(suggestion) = &finding.suggestion {
        let fence = fence_for(suggestion);
        out.push_str(&format!(
            "\n{fence}suggestion\n{}\n{fence}\n",
            suggestion.trim_end_matches('\n')
        ));
    }
    let prompt = &finding.prompt;
    let prompt_text = format!(
        "Symptom: {}\nLocation: {}\nRoot cause: {}\nWhat the fix must do: {}\nDo not touch: {}",
        prompt.symptom, prompt.location, prompt.root_cause, prompt.fix, prompt.scope
    );
    let fence = fence_for(&prompt_text);
    out.push_str(&format!(
        "\n<details>\n<summary>Prompt for your coding agent</summary>\n\n{fence}text\n{prompt_text}\n{fence}\n\n</details>\n\n{}\n",
        marker(finding)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use prwarden_analyze::{AgentPrompt, ChecklistItem, Severity};

    fn finding(suggestion: Option<&str>) -> Finding {
        Finding {
            rule_id: "error-handling/empty-catch",
            item: ChecklistItem::ErrorHandling,
            severity: Severity::Warning,
            path: "src/a.ts".into(),
            line: 3,
            end_line: 3,
            title: "Empty catch block".into(),
            message: "The error is swallowed.".into(),
            suggestion: suggestion.map(str::to_owned),
            prompt: AgentPrompt {
                symptom: "errors vanish".into(),
                location: "src/a.ts:3".into(),
                root_cause: "empty catch".into(),
                fix: "log or rethrow".into(),
                scope: "nothing else".into(),
            },
            symbol: Some("load".into()),
            fingerprint: "0123456789abcdef".into(),
        }
    }

    #[test]
    fn body_carries_item_rule_prompt_and_a_recoverable_marker() {
        let f = finding(None);
        let text = body(&f);
        assert!(text.contains("`error-handling/empty-catch`"));
        assert!(text.contains("<summary>Prompt for your coding agent</summary>"));
        assert!(text.contains("Location: src/a.ts:3"));
        assert!(!text.contains("suggestion"));
        let keys = markers_in([text.as_str(), "unrelated human reply"]);
        assert_eq!(keys, HashSet::from([key(&f)]));
    }

    #[test]
    fn suggestion_fence_outgrows_backticks_in_the_code() {
        let text = body(&finding(Some("let s = ```x```;")));
        assert!(text.contains("````suggestion\nlet s = ```x```;\n````"));
        let plain = body(&finding(Some("x();")));
        assert!(plain.contains("```suggestion\nx();\n```"));
    }

    #[test]
    fn marker_has_no_line_numbers() {
        let mut moved = finding(None);
        moved.line = 40;
        moved.end_line = 40;
        assert_eq!(marker(&moved), marker(&finding(None)));
    }
}

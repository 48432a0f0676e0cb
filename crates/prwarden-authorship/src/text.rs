//! Preparing bodies and commit messages before matching.
//!
//! Markers only count where the tool wrote them. People quote footers and
//! trailers when they discuss them (in `inline code`, fenced blocks and `>`
//! quotes), and AI reviewers append their own summaries to PR bodies; both are
//! removed first so that a quote is never read as authorship (reference §5.7).

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

/// `\r\n` and lone `\r` become `\n`, so that line anchors behave the same on
/// text from any client.
pub(crate) fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Removes every `begin … end` block; without an end, everything from `begin`
/// on (reviewers append their summary as the last section).
pub(crate) fn strip_blocks<'a>(
    text: &str,
    blocks: impl Iterator<Item = &'a (Regex, Option<Regex>)>,
) -> String {
    let mut out = text.to_owned();
    for (begin, end) in blocks {
        while let Some(b) = begin.find(&out) {
            let stop = match end {
                Some(end) => end.find_at(&out, b.end()).map_or(out.len(), |m| m.end()),
                None => out.len(),
            };
            if stop <= b.start() {
                // An empty match at the very end: nothing left to remove.
                break;
            }
            out.replace_range(b.start()..stop, "");
        }
    }
    out
}

/// The text without fenced code blocks, `>` quotes and inline code spans.
/// Removed lines are kept as empty lines so line anchors stay meaningful.
pub(crate) fn without_quotes_and_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fence: Option<(u8, usize)> = None;
    for line in text.split('\n') {
        let trimmed = line.trim_start_matches(' ');
        let shallow = line.len() - trimmed.len() <= 3;
        match fence {
            Some((ch, len)) => {
                if shallow
                    && let Some((c, n)) = fence_run(trimmed)
                    && c == ch
                    && n >= len
                    && trimmed[n..].trim().is_empty()
                {
                    fence = None;
                }
            }
            None if shallow && fence_open(trimmed).is_some() => fence = fence_open(trimmed),
            None if shallow && trimmed.starts_with('>') => {}
            None => out.push_str(&without_inline_code(line)),
        }
        out.push('\n');
    }
    out
}

/// The fence character and length when `line` opens or closes a code fence.
fn fence_run(line: &str) -> Option<(u8, usize)> {
    let ch = *line.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let n = line.bytes().take_while(|&b| b == ch).count();
    (n >= 3).then_some((ch, n))
}

/// A fence that opens a code block. A backtick fence's info string cannot
/// contain backticks, so ```` ```a``` ```` on one line is inline code instead.
fn fence_open(line: &str) -> Option<(u8, usize)> {
    let (ch, n) = fence_run(line)?;
    (ch == b'~' || !line[n..].contains('`')).then_some((ch, n))
}

/// `line` with every `` `code` `` span (any backtick run length) removed; an
/// unmatched backtick run is kept as text, as Markdown does.
fn without_inline_code(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let opening = &rest[start..];
        let run = opening.bytes().take_while(|&b| b == b'`').count();
        let inner = &opening[run..];
        let mut from = 0;
        let mut close = None;
        while let Some(pos) = inner[from..].find('`') {
            let at = from + pos;
            let n = inner[at..].bytes().take_while(|&b| b == b'`').count();
            if n == run {
                close = Some(at);
                break;
            }
            from = at + n;
        }
        match close {
            Some(at) => {
                out.push(' ');
                rest = &inner[at + run..];
            }
            None => {
                out.push_str(&opening[..run]);
                rest = inner;
            }
        }
    }
    out.push_str(rest);
    out
}

/// One `Co-authored-by: Name <email>` trailer line.
pub(crate) struct Coauthor<'a> {
    pub line: &'a str,
    pub name: &'a str,
    pub email: &'a str,
}

static COAUTHOR: LazyLock<Regex> = LazyLock::new(|| {
    // Line-anchored and case-insensitive (`Co-Authored-By` vs `Co-authored-by`);
    // trailers glued to the subject or in a squash body still start a line.
    RegexBuilder::new(r"^co-authored-by:[ \t]*(?P<name>[^<\n]*?)[ \t]*<(?P<email>[^<>\n]+)>[ \t]*$")
        .case_insensitive(true)
        .multi_line(true)
        .build()
        .expect("static co-author regex")
});

/// Every co-author trailer in an already cleaned commit message.
pub(crate) fn coauthors(message: &str) -> Vec<Coauthor<'_>> {
    COAUTHOR
        .captures_iter(message)
        .filter_map(|c| {
            Some(Coauthor {
                line: c.get(0)?.as_str().trim(),
                name: c.name("name")?.as_str(),
                email: c.name("email")?.as_str(),
            })
        })
        .collect()
}

/// Whether a commit subject is git's or GitHub's default merge message. Merge
/// commits carry no authored code of their own.
pub(crate) fn is_merge_subject(message: &str) -> bool {
    let subject = message.lines().next().unwrap_or_default();
    [
        "Merge pull request #",
        "Merge branch ",
        "Merge remote-tracking branch ",
        "Merge commit '",
        "Merge tag ",
    ]
    .iter()
    .any(|p| subject.starts_with(p))
}

/// `text` trimmed and cut to at most `max` characters (an ellipsis marks a cut).
pub(crate) fn clip(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_fences_and_inline_code_are_removed() {
        let text = "keep 1\n> quoted\n```\nfenced\n```\nkeep `code` here\n~~~~md\n```\nstill fenced\n~~~~\nkeep 2";
        let out = without_quotes_and_code(text);
        assert!(out.contains("keep 1"));
        assert!(!out.contains("quoted"));
        assert!(!out.contains("fenced"));
        assert!(out.contains("keep   here"));
        assert!(!out.contains("code"));
        assert!(out.contains("keep 2"));
        assert_eq!(out.lines().count(), text.lines().count());
    }

    #[test]
    fn inline_code_uses_matching_backtick_runs() {
        assert_eq!(without_inline_code("a ``x ` y`` b"), "a   b");
        assert_eq!(without_inline_code("a `unclosed b"), "a `unclosed b");
        assert_eq!(without_inline_code("é `ü` ö"), "é   ö");
    }

    #[test]
    fn blocks_are_stripped_with_or_without_end() {
        let begin = RegexBuilder::new(r"<!--\s*X\s*-->")
            .multi_line(true)
            .build()
            .unwrap();
        let end = RegexBuilder::new(r"<!--\s*/X\s*-->")
            .multi_line(true)
            .build()
            .unwrap();
        let blocks = [(begin.clone(), Some(end)), (begin, None)];
        assert_eq!(
            strip_blocks("a<!-- X -->b<!-- /X -->c", blocks[..1].iter()),
            "ac"
        );
        assert_eq!(strip_blocks("a<!-- X -->b", blocks[1..].iter()), "a");
        assert_eq!(
            strip_blocks("a<!-- X -->b<!-- X -->c<!-- /X -->", blocks[..1].iter()),
            "a"
        );
    }

    #[test]
    fn coauthor_trailers_are_parsed() {
        let msg = "fix\n\nCo-Authored-By: Claude Opus 4.6 (1M context) <noreply@anthropic.com>\nco-authored-by: alice <1+alice@users.noreply.github.com>\n- Co-authored-by: quoted <q@example.com>";
        let found = coauthors(msg);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, "Claude Opus 4.6 (1M context)");
        assert_eq!(found[0].email, "noreply@anthropic.com");
        assert_eq!(found[1].name, "alice");
    }

    #[test]
    fn clip_counts_characters() {
        assert_eq!(clip("  abc  ", 5), "abc");
        assert_eq!(clip("🤖🤖🤖🤖", 3), "🤖🤖…");
    }
}

//! Test-side description of pull requests and their files, plus the diff
//! machinery the fake needs: generating patches in GitHub's format and parsing
//! them back into hunks to validate review-comment anchors.
//!
//! GitHub's `patch` field is the body of `git diff` for one file without the
//! `diff --git`/`---`/`+++` header: hunk headers (`@@ -a,b +c,d @@`) followed by
//! ` `/`-`/`+` lines, joined with `\n` and with no trailing newline. Like git, a
//! range of exactly one line is written without its count (`@@ -3 +3 @@`) and an
//! empty range names the line before it (`@@ -0,0 +1,2 @@`).

use similar::{Algorithm, DiffOp, capture_diff_slices};

/// Lines of context around each change, as `git diff` and GitHub use.
const CONTEXT_LINES: usize = 3;

/// One file of a pull request, as the test describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeFile {
    pub filename: String,
    /// `added`, `removed`, `modified`, `renamed`, `copied`, `changed` or `unchanged`.
    pub status: String,
    /// The per-file diff in GitHub's format; `None` for binary or too-large files.
    pub patch: Option<String>,
    /// The file's text at the PR head (`None` for removed and binary files).
    pub content: Option<String>,
    pub previous_filename: Option<String>,
    pub binary: bool,
}

impl FakeFile {
    /// A new file: every line is an addition.
    pub fn added(path: &str, content: &str) -> FakeFile {
        FakeFile {
            filename: path.to_string(),
            status: "added".to_string(),
            patch: unified_patch("", content),
            content: Some(content.to_string()),
            previous_filename: None,
            binary: false,
        }
    }

    /// A changed file: a real unified diff with three lines of context.
    pub fn modified(path: &str, old: &str, new: &str) -> FakeFile {
        FakeFile {
            filename: path.to_string(),
            status: "modified".to_string(),
            patch: unified_patch(old, new),
            content: Some(new.to_string()),
            previous_filename: None,
            binary: false,
        }
    }

    /// A deleted file: every old line is a deletion, and nothing exists at the head.
    pub fn removed(path: &str, old: &str) -> FakeFile {
        FakeFile {
            filename: path.to_string(),
            status: "removed".to_string(),
            patch: unified_patch(old, ""),
            content: None,
            previous_filename: None,
            binary: false,
        }
    }

    /// A moved file, optionally with changes (no patch when the content is identical,
    /// as GitHub reports a pure rename).
    pub fn renamed(old_path: &str, new_path: &str, old: &str, new: &str) -> FakeFile {
        FakeFile {
            filename: new_path.to_string(),
            status: "renamed".to_string(),
            patch: unified_patch(old, new),
            content: Some(new.to_string()),
            previous_filename: Some(old_path.to_string()),
            binary: false,
        }
    }

    /// A new binary file: GitHub sends no `patch` for it, and its blob is not text.
    pub fn binary(path: &str) -> FakeFile {
        FakeFile {
            filename: path.to_string(),
            status: "added".to_string(),
            patch: None,
            content: None,
            previous_filename: None,
            binary: true,
        }
    }

    /// Simulates a diff GitHub considers too large to show: the patch is dropped but
    /// the content stays readable through the blob, contents and GraphQL APIs.
    pub fn without_patch(mut self) -> FakeFile {
        self.patch = None;
        self
    }

    /// `(additions, deletions)` as GitHub reports them. Without a patch the counts
    /// are estimated from the content, since a too-large diff still has counts.
    pub(crate) fn line_counts(&self) -> (u64, u64) {
        if let Some(patch) = &self.patch {
            let mut add = 0;
            let mut del = 0;
            for line in patch.split('\n') {
                if line.starts_with("@@") {
                    continue;
                }
                match line.as_bytes().first() {
                    Some(b'+') => add += 1,
                    Some(b'-') => del += 1,
                    _ => {}
                }
            }
            (add, del)
        } else if self.binary {
            (0, 0)
        } else {
            let n = self.content.as_deref().map(|c| split_lines(c).len() as u64);
            (n.unwrap_or(0), 0)
        }
    }

    /// The bytes of the file at the head commit, if it exists there.
    pub(crate) fn head_bytes(&self) -> Option<Vec<u8>> {
        if self.status == "removed" {
            return None;
        }
        if let Some(content) = &self.content {
            return Some(content.as_bytes().to_vec());
        }
        if self.binary {
            // Deterministic, obviously-binary stand-in (a PNG signature plus NULs),
            // so a blob exists and `isBinary` has something to detect.
            let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
            bytes.extend_from_slice(self.filename.as_bytes());
            return Some(bytes);
        }
        None
    }
}

/// A pull request, as the test describes it.
#[derive(Clone, Debug)]
pub struct FakePr {
    pub number: u64,
    pub title: String,
    pub body: Option<String>,
    pub head_sha: String,
    pub base_sha: String,
    pub head_ref: String,
    pub base_ref: String,
    pub draft: bool,
    pub author: String,
    /// `User` or `Bot`; by default `Bot` for logins ending in `[bot]`. Set it
    /// for bots GitHub shows without the suffix, like Copilot's agent.
    pub author_type: Option<String>,
    pub labels: Vec<String>,
    /// Slug of the App that opened the PR on the author's behalf
    /// (`performed_via_github_app`), e.g. `chatgpt-codex-connector`.
    pub via_app: Option<String>,
    pub files: Vec<FakeFile>,
}

impl FakePr {
    /// An open, non-draft PR by `octocat` from `feature-<n>` into `main`, with a
    /// deterministic base SHA.
    pub fn new(number: u64, head_sha: &str, files: Vec<FakeFile>) -> FakePr {
        FakePr {
            number,
            title: format!("Change #{number}"),
            body: Some("Describes the change and why it is needed.".to_string()),
            head_sha: head_sha.to_string(),
            base_sha: crate::util::sha1_hex(format!("base-of-pr-{number}").as_bytes()),
            head_ref: format!("feature-{number}"),
            base_ref: "main".to_string(),
            draft: false,
            author: "octocat".to_string(),
            author_type: None,
            labels: Vec::new(),
            via_app: None,
            files,
        }
    }
}

/// A commit of a PR as `GET /pulls/{n}/commits` shows it. The fake makes one per
/// head SHA; tests can replace them with [`crate::FakeGitHub::set_commits`] to
/// control messages, trailers and author e-mails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeCommit {
    pub sha: String,
    pub message: String,
    pub author_name: String,
    pub author_email: String,
    /// The GitHub account of the author, if the e-mail maps to one.
    pub author_login: Option<String>,
}

impl FakeCommit {
    pub fn new(sha: &str, message: &str) -> FakeCommit {
        FakeCommit {
            sha: sha.to_string(),
            message: message.to_string(),
            author_name: "The Octocat".to_string(),
            author_email: "octocat@github.com".to_string(),
            author_login: Some("octocat".to_string()),
        }
    }
}

/// Splits text into lines the way git counts them: a final newline ends the last
/// line rather than starting an empty one.
fn split_lines(text: &str) -> Vec<&str> {
    if text.is_empty() {
        return Vec::new();
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.split('\n').collect()
}

/// Formats one side of a hunk header the way git does.
fn range(start: usize, len: usize) -> String {
    // `start` is 0-based; git prints 1-based starts, except that an empty range
    // names the line before it (so 0 for the start of the file).
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{}", start + 1, len),
    }
}

/// A unified diff of `old` → `new` in GitHub's `patch` format, or `None` when the
/// texts have the same lines (GitHub sends no patch for such files).
pub(crate) fn unified_patch(old: &str, new: &str) -> Option<String> {
    let old_lines = split_lines(old);
    let new_lines = split_lines(new);
    let ops = capture_diff_slices(Algorithm::Myers, &old_lines, &new_lines);
    let groups = group_ops(&ops, CONTEXT_LINES);
    if groups.is_empty() {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    for group in groups {
        let first = group.first()?;
        let last = group.last()?;
        let old_start = first.old_range().start;
        let old_end = last.old_range().end;
        let new_start = first.new_range().start;
        let new_end = last.new_range().end;
        out.push(format!(
            "@@ -{} +{} @@",
            range(old_start, old_end - old_start),
            range(new_start, new_end - new_start)
        ));
        for op in &group {
            for (tag, old_idx, new_idx) in op_lines(op) {
                match tag {
                    ' ' => out.push(format!(" {}", old_lines[old_idx])),
                    '-' => out.push(format!("-{}", old_lines[old_idx])),
                    _ => out.push(format!("+{}", new_lines[new_idx])),
                }
            }
        }
    }
    Some(out.join("\n"))
}

/// Expands an op into `(tag, old index, new index)` per line; deletions come before
/// insertions within a replacement, as in git's output.
fn op_lines(op: &DiffOp) -> Vec<(char, usize, usize)> {
    let o = op.old_range();
    let n = op.new_range();
    let mut lines = Vec::new();
    match op {
        DiffOp::Equal { .. } => {
            for (i, j) in o.zip(n) {
                lines.push((' ', i, j));
            }
        }
        _ => {
            for i in o {
                lines.push(('-', i, 0));
            }
            for j in n {
                lines.push(('+', 0, j));
            }
        }
    }
    lines
}

/// Groups changes into hunks with `context` lines around them. Like git, two
/// changes stay in one hunk when at most 2×context unchanged lines separate them.
fn group_ops(ops: &[DiffOp], context: usize) -> Vec<Vec<DiffOp>> {
    let is_change = |op: &DiffOp| !matches!(op, DiffOp::Equal { .. });
    let mut groups: Vec<Vec<DiffOp>> = Vec::new();
    let mut current: Vec<DiffOp> = Vec::new();
    let last = ops.len().saturating_sub(1);
    for (i, op) in ops.iter().enumerate() {
        let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = *op
        else {
            current.push(*op);
            continue;
        };
        let tail = |take: usize| DiffOp::Equal {
            old_index: old_index + len - take,
            new_index: new_index + len - take,
            len: take,
        };
        let take = len.min(context);
        if !current.iter().any(is_change) {
            // Only the last `context` lines before the next change lead its hunk.
            current.clear();
            if take > 0 {
                current.push(tail(take));
            }
        } else if i == last || len > 2 * context {
            // Trailing context closes the hunk; its tail may lead the next one.
            if take > 0 {
                current.push(DiffOp::Equal {
                    old_index,
                    new_index,
                    len: take,
                });
            }
            groups.push(std::mem::take(&mut current));
            if i != last && take > 0 {
                current.push(tail(take));
            }
        } else {
            current.push(*op);
        }
    }
    if current.iter().any(is_change) {
        groups.push(current);
    }
    groups
}

/// Which side of the diff a line number refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Left,
    Right,
}

impl Side {
    pub(crate) fn parse(s: &str) -> Option<Side> {
        match s {
            "LEFT" => Some(Side::Left),
            "RIGHT" => Some(Side::Right),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Side::Left => "LEFT",
            Side::Right => "RIGHT",
        }
    }
}

/// One line of a parsed patch.
#[derive(Clone, Debug)]
pub(crate) struct PatchLine {
    pub kind: char,
    pub old_no: Option<u64>,
    pub new_no: Option<u64>,
    /// GitHub's legacy `position`: lines below the first `@@` header, counting
    /// later headers too.
    pub position: u64,
    /// Index into the patch's lines (for cutting `diff_hunk`).
    pub index: usize,
}

#[derive(Clone, Debug)]
pub(crate) struct Hunk {
    /// Index of the `@@` header line in the patch.
    pub header_index: usize,
    pub lines: Vec<PatchLine>,
}

/// Parses a GitHub patch into hunks; malformed headers end the parse (the hunks
/// seen so far are kept), which is as forgiving as GitHub's own rendering.
pub(crate) fn parse_patch(patch: &str) -> Vec<Hunk> {
    let mut hunks: Vec<Hunk> = Vec::new();
    let mut old_no = 0u64;
    let mut new_no = 0u64;
    let mut position = 0u64;
    for (index, line) in patch.split('\n').enumerate() {
        if line.starts_with("@@") {
            let Some((o, n)) = parse_header(line) else {
                break;
            };
            if !hunks.is_empty() {
                position += 1;
            }
            old_no = o;
            new_no = n;
            hunks.push(Hunk {
                header_index: index,
                lines: Vec::new(),
            });
            continue;
        }
        let Some(hunk) = hunks.last_mut() else {
            continue;
        };
        position += 1;
        let kind = line.chars().next().unwrap_or(' ');
        let (o, n) = match kind {
            '+' => {
                new_no += 1;
                (None, Some(new_no))
            }
            '-' => {
                old_no += 1;
                (Some(old_no), None)
            }
            // "\ No newline at end of file" belongs to the previous line.
            '\\' => continue,
            _ => {
                old_no += 1;
                new_no += 1;
                (Some(old_no), Some(new_no))
            }
        };
        hunk.lines.push(PatchLine {
            kind,
            old_no: o,
            new_no: n,
            position,
            index,
        });
    }
    hunks
}

/// `@@ -a[,b] +c[,d] @@…` → the line numbers *before* the first line of each side.
fn parse_header(line: &str) -> Option<(u64, u64)> {
    let rest = line.strip_prefix("@@ -")?;
    let (old, rest) = rest.split_once(" +")?;
    let (new, _) = rest.split_once(" @@")?;
    let start = |r: &str| -> Option<u64> {
        let s: u64 = r.split(',').next()?.parse().ok()?;
        Some(s.saturating_sub(1))
    };
    // An empty range names the line before it, so "0,0" means "before line 1"
    // and "5,0" means "after line 5".
    let start_of = |r: &str| -> Option<u64> {
        if r.ends_with(",0") {
            r.split(',').next()?.parse().ok()
        } else {
            start(r)
        }
    };
    Some((start_of(old)?, start_of(new)?))
}

/// Where a (line, side) anchor sits in a patch.
pub(crate) struct Anchor {
    pub hunk: usize,
    pub line: PatchLine,
}

/// Finds `line` on `side`: RIGHT matches added and context lines by new number,
/// LEFT matches removed and context lines by old number.
pub(crate) fn find_anchor(hunks: &[Hunk], line: u64, side: Side) -> Option<Anchor> {
    for (h, hunk) in hunks.iter().enumerate() {
        for pl in &hunk.lines {
            let hit = match side {
                Side::Right => pl.kind != '-' && pl.new_no == Some(line),
                Side::Left => pl.kind != '+' && pl.old_no == Some(line),
            };
            if hit {
                return Some(Anchor {
                    hunk: h,
                    line: pl.clone(),
                });
            }
        }
    }
    None
}

/// Maps a legacy `position` to the line it names.
pub(crate) fn find_position(hunks: &[Hunk], position: u64) -> Option<Anchor> {
    for (h, hunk) in hunks.iter().enumerate() {
        for pl in &hunk.lines {
            if pl.position == position {
                return Some(Anchor {
                    hunk: h,
                    line: pl.clone(),
                });
            }
        }
    }
    None
}

/// GitHub's `diff_hunk` for a comment: from the hunk header down to the line.
pub(crate) fn diff_hunk(patch: &str, hunk: &Hunk, line_index: usize) -> String {
    patch
        .split('\n')
        .skip(hunk.header_index)
        .take(line_index + 1 - hunk.header_index)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_file_patch() {
        let f = FakeFile::added("a.txt", "one\ntwo\nthree\n");
        assert_eq!(
            f.patch.as_deref(),
            Some("@@ -0,0 +1,3 @@\n+one\n+two\n+three")
        );
        assert_eq!(f.line_counts(), (3, 0));
        let single = FakeFile::added("b.txt", "x");
        assert_eq!(single.patch.as_deref(), Some("@@ -0,0 +1 @@\n+x"));
    }

    #[test]
    fn modified_patch_has_context_and_correct_headers() {
        let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let new = old
            .replace("line 5\n", "line five\n")
            .replace("line 16\n", "line 16\nextra\n");
        let f = FakeFile::modified("m.txt", &old, &new);
        let patch = f.patch.unwrap();
        let headers: Vec<&str> = patch.split('\n').filter(|l| l.starts_with("@@")).collect();
        assert_eq!(headers, vec!["@@ -2,7 +2,7 @@", "@@ -14,6 +14,7 @@"]);
        assert!(patch.starts_with(
            "@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6"
        ));
        assert!(!patch.ends_with('\n'));
        let hunks = parse_patch(&patch);
        assert_eq!(hunks.len(), 2);
        assert!(find_anchor(&hunks, 5, Side::Right).is_some());
        assert!(find_anchor(&hunks, 5, Side::Left).is_some());
        assert!(find_anchor(&hunks, 10, Side::Right).is_none());
        assert_eq!(find_anchor(&hunks, 17, Side::Right).unwrap().line.kind, '+');
        // Position counts the second header.
        assert_eq!(
            find_anchor(&hunks, 14, Side::Right).unwrap().line.position,
            10
        );
    }

    #[test]
    fn nearby_changes_merge_into_one_hunk() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let new = "A\nb\nc\nd\ne\nf\ng\nH\ni\nj\n";
        let patch = unified_patch(old, new).unwrap();
        assert_eq!(patch.lines().filter(|l| l.starts_with("@@")).count(), 1);
        assert!(patch.starts_with("@@ -1,10 +1,10 @@\n-a\n+A\n"));
    }

    /// Checks a patch against the texts it claims to diff: header counts match
    /// the hunk bodies, and every line sits at the line number it names.
    fn assert_consistent(old: &str, new: &str, patch: &str) {
        let old_lines = split_lines(old);
        let new_lines = split_lines(new);
        let counts = |r: &str| -> u64 { r.split_once(',').map_or(1, |(_, n)| n.parse().unwrap()) };
        let mut headers = patch.split('\n').filter(|l| l.starts_with("@@"));
        for hunk in parse_patch(patch) {
            let header = headers.next().unwrap();
            let inner = header.trim_start_matches("@@ -").trim_end_matches(" @@");
            let (o, n) = inner.split_once(" +").unwrap();
            let olen = hunk.lines.iter().filter(|l| l.kind != '+').count() as u64;
            let nlen = hunk.lines.iter().filter(|l| l.kind != '-').count() as u64;
            assert_eq!((counts(o), counts(n)), (olen, nlen), "{header}\n{patch}");
            assert!(
                hunk.lines.iter().any(|l| l.kind != ' '),
                "hunk without change"
            );
            for l in &hunk.lines {
                let text = &patch.split('\n').nth(l.index).unwrap()[1..];
                if let Some(no) = l.old_no.filter(|_| l.kind != '+') {
                    assert_eq!(old_lines[no as usize - 1], text, "old {no} in {header}");
                }
                if let Some(no) = l.new_no.filter(|_| l.kind != '-') {
                    assert_eq!(new_lines[no as usize - 1], text, "new {no} in {header}");
                }
            }
        }
        assert!(headers.next().is_none());
    }

    #[test]
    fn generated_patches_are_consistent_with_their_texts() {
        // A small deterministic LCG, so the cases are varied but repeatable.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for case in 0..200 {
            let len = next(40) as usize;
            let old: Vec<String> = (0..len).map(|i| format!("l{i}")).collect();
            let mut new = old.clone();
            for _ in 0..next(5) {
                let at = next(new.len() as u64 + 1) as usize;
                match next(3) {
                    0 if at < new.len() => {
                        new.remove(at);
                    }
                    1 if at < new.len() => new[at] = format!("changed {case}"),
                    _ => new.insert(at, format!("added {case}")),
                }
            }
            let old_text: String = old.iter().map(|l| format!("{l}\n")).collect();
            let new_text: String = new.iter().map(|l| format!("{l}\n")).collect();
            match unified_patch(&old_text, &new_text) {
                Some(p) => assert_consistent(&old_text, &new_text, &p),
                None => assert_eq!(old, new),
            }
        }
    }

    #[test]
    fn identical_texts_have_no_patch() {
        assert_eq!(unified_patch("a\nb\n", "a\nb\n"), None);
        assert_eq!(
            FakeFile::removed("r", "x\ny\n").patch.as_deref(),
            Some("@@ -1,2 +0,0 @@\n-x\n-y")
        );
    }
}

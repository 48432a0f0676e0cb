//! Unified-diff hunks of one file's `patch` (as GitHub's `/pulls/{n}/files`
//! returns it) and the lines a review comment may be anchored to; and, for
//! local mode, the split of a whole multi-file diff (`git diff`, `diff -u`)
//! into those per-file patches.

use std::collections::BTreeSet;

use prwarden_analyze::LineSet;

/// One `@@ -a,b +c,d @@` hunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// New-side lines shown in the hunk (added and context): the RIGHT side
    /// lines GitHub accepts a comment on.
    pub right: BTreeSet<u32>,
    /// New-side lines the change added.
    pub added: BTreeSet<u32>,
}

/// The parsed patch of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileDiff {
    pub hunks: Vec<Hunk>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("malformed hunk header {0:?}")]
pub struct PatchError(String);

impl FileDiff {
    pub fn parse(patch: &str) -> Result<FileDiff, PatchError> {
        let mut hunks = Vec::new();
        let mut current: Option<Hunk> = None;
        // u64 so that counting past the last line cannot overflow; a line
        // numbered beyond u32::MAX is refused where it is used.
        let mut new_line = 0u64;
        let mut header = "";
        for line in patch.lines() {
            if line.starts_with("@@") {
                if let Some(hunk) = current.take() {
                    hunks.push(hunk);
                }
                new_line = u64::from(parse_new_start(line)?);
                header = line;
                current = Some(Hunk {
                    right: BTreeSet::new(),
                    added: BTreeSet::new(),
                });
                continue;
            }
            let Some(hunk) = current.as_mut() else {
                // Text before the first hunk (e.g. `diff --git` headers) has
                // no line numbers.
                continue;
            };
            match line.as_bytes().first() {
                Some(b'+') => {
                    let number = line_number(new_line, header)?;
                    hunk.right.insert(number);
                    hunk.added.insert(number);
                    new_line += 1;
                }
                Some(b'-') => {}
                // "\ No newline at end of file" belongs to the previous line.
                Some(b'\\') => {}
                _ => {
                    hunk.right.insert(line_number(new_line, header)?);
                    new_line += 1;
                }
            }
        }
        if let Some(hunk) = current {
            hunks.push(hunk);
        }
        Ok(FileDiff { hunks })
    }

    /// Every added line of the file.
    pub fn added_lines(&self) -> LineSet {
        self.hunks
            .iter()
            .flat_map(|h| h.added.iter().copied())
            .collect()
    }

    /// Can a RIGHT-side comment span `start..=end` (one hunk, in order)?
    pub fn can_anchor(&self, start: u32, end: u32) -> bool {
        start <= end
            && self
                .hunks
                .iter()
                .any(|h| h.right.contains(&start) && h.right.contains(&end))
    }
}

/// One file of a multi-file unified diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffEntry {
    /// Path before the change; `None` for an added file (`/dev/null`).
    pub old_path: Option<String>,
    /// Path after the change; `None` for a deleted file.
    pub new_path: Option<String>,
    /// `Binary files … differ` or a `GIT binary patch`: no lines to review.
    pub binary: bool,
    /// The file's hunks, as [`FileDiff::parse`] reads them.
    pub diff: FileDiff,
}

impl DiffEntry {
    pub fn is_deleted(&self) -> bool {
        self.new_path.is_none()
    }
}

#[derive(Default)]
struct EntryBuilder {
    git_header: Option<(String, String)>,
    old: Option<String>,
    new: Option<String>,
    old_seen: bool,
    new_seen: bool,
    rename_from: Option<String>,
    rename_to: Option<String>,
    deleted: bool,
    added: bool,
    binary: bool,
    patch: String,
}

impl EntryBuilder {
    fn finish(self) -> Result<Option<DiffEntry>, PatchError> {
        let (git_old, git_new) = match self.git_header {
            Some((old, new)) => (Some(old), Some(new)),
            None => (None, None),
        };
        // `---`/`+++` lines are the most precise; renames and the `diff --git`
        // header fill in for entries without hunks (pure renames, binaries,
        // mode changes).
        let side = |header: Option<Option<String>>, absent: bool, rename, git| match header {
            Some(path) => path,
            None if absent => None,
            None => Option::or(rename, git),
        };
        let old = side(
            self.old_seen.then_some(self.old),
            self.added,
            self.rename_from,
            git_old,
        );
        let new = side(
            self.new_seen.then_some(self.new),
            self.deleted,
            self.rename_to,
            git_new,
        );
        if old.is_none() && new.is_none() {
            return Ok(None);
        }
        Ok(Some(DiffEntry {
            old_path: old,
            new_path: new,
            binary: self.binary,
            diff: FileDiff::parse(&self.patch)?,
        }))
    }
}

/// Splits a unified diff of any number of files into one [`DiffEntry`] per
/// file. Reads `git diff` (with or without `a/`/`b/` prefixes, renames,
/// binary markers, quoted paths) and plain `diff -u` output; CRLF line ends
/// are accepted. Hunk bodies are consumed by their header's line counts, so
/// a removed line that reads `-- x` is never taken for a file header.
pub fn split_unified_diff(text: &str) -> Result<Vec<DiffEntry>, PatchError> {
    let mut entries = Vec::new();
    let mut current: Option<EntryBuilder> = None;
    let (mut old_left, mut new_left) = (0u64, 0u64);
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if old_left > 0 || new_left > 0 {
            match line.as_bytes().first() {
                Some(b'+') => new_left = new_left.saturating_sub(1),
                Some(b'-') => old_left = old_left.saturating_sub(1),
                Some(b'\\') => {}
                // Some tools strip the space of an empty context line.
                _ => {
                    old_left = old_left.saturating_sub(1);
                    new_left = new_left.saturating_sub(1);
                }
            }
            push_line(&mut current, line);
            continue;
        }
        if let Some(rest) = line.strip_prefix("diff --git ") {
            if let Some(done) = current.take() {
                entries.extend(done.finish()?);
            }
            current = Some(EntryBuilder {
                git_header: git_header_paths(rest),
                ..EntryBuilder::default()
            });
        } else if let Some(rest) = line.strip_prefix("--- ") {
            // Plain `diff -u` output has no `diff --git` line: a `---` after
            // an entry's hunks starts the next file.
            let starts_new = current
                .as_ref()
                .is_none_or(|c| c.old_seen || !c.patch.is_empty());
            if starts_new {
                if let Some(done) = current.take() {
                    entries.extend(done.finish()?);
                }
                current = Some(EntryBuilder::default());
            }
            if let Some(c) = current.as_mut() {
                c.old = header_path(rest, "a/");
                c.old_seen = true;
            }
        } else if let Some(rest) = line.strip_prefix("+++ ") {
            if let Some(c) = current.as_mut() {
                c.new = header_path(rest, "b/");
                c.new_seen = true;
            }
        } else if line.starts_with("@@") {
            let (old, new) = hunk_lengths(line)?;
            (old_left, new_left) = (u64::from(old), u64::from(new));
            push_line(&mut current, line);
        } else if let Some(c) = current.as_mut() {
            if let Some(path) = line.strip_prefix("rename from ") {
                c.rename_from = Some(unquote(path));
            } else if let Some(path) = line.strip_prefix("rename to ") {
                c.rename_to = Some(unquote(path));
            } else if line.starts_with("deleted file mode") {
                c.deleted = true;
            } else if line.starts_with("new file mode") {
                c.added = true;
            } else if line == "GIT binary patch"
                || (line.starts_with("Binary files ") && line.ends_with(" differ"))
            {
                c.binary = true;
            } else if line.starts_with('\\') {
                c.patch.push_str(line);
                c.patch.push('\n');
            }
        }
    }
    if let Some(done) = current.take() {
        entries.extend(done.finish()?);
    }
    Ok(entries)
}

fn push_line(current: &mut Option<EntryBuilder>, line: &str) {
    if let Some(c) = current.as_mut() {
        c.patch.push_str(line);
        c.patch.push('\n');
    }
}

/// `a/x b/x` → the two paths; `None` when spaces make it ambiguous (the
/// `---`/`+++` or `rename` lines then decide).
fn git_header_paths(rest: &str) -> Option<(String, String)> {
    if let Some(quoted) = rest.strip_prefix('"') {
        let (old, new) = quoted.split_once("\" ")?;
        let old = unquote(&format!("\"{old}\""));
        let new = unquote(new);
        return Some((strip(&old, "a/"), strip(&new, "b/")));
    }
    let mut parts = rest.split(' ');
    let (old, new) = (parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some((strip(old, "a/"), strip(&unquote(new), "b/")))
}

fn strip(path: &str, prefix: &str) -> String {
    path.strip_prefix(prefix).unwrap_or(path).to_string()
}

/// The path of a `---`/`+++` line: `/dev/null` is no file; `diff -u` appends
/// a tab and a timestamp; git adds an `a/`/`b/` prefix.
fn header_path(rest: &str, prefix: &str) -> Option<String> {
    let path = if rest.starts_with('"') {
        unquote(rest)
    } else {
        rest.split('\t').next().unwrap_or(rest).to_string()
    };
    if path == "/dev/null" {
        return None;
    }
    Some(strip(&path, prefix))
}

/// Git quotes paths with unusual bytes C-style: `"sp\"ace\303\251.ts"`.
fn unquote(path: &str) -> String {
    let Some(inner) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) else {
        return path.to_string();
    };
    let mut bytes = Vec::with_capacity(inner.len());
    let mut chars = inner.bytes().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(d @ b'0'..=b'7') => {
                let mut value = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(&next @ b'0'..=b'7') = chars.peek() {
                        value = value * 8 + u32::from(next - b'0');
                        chars.next();
                    }
                }
                bytes.push(u8::try_from(value).unwrap_or(b'?'));
            }
            Some(other) => bytes.push(other),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The new-side line `n` of the hunk under `header`, if it fits in a `u32`
/// (a start near `u32::MAX` followed by more lines does not).
fn line_number(n: u64, header: &str) -> Result<u32, PatchError> {
    u32::try_from(n).map_err(|_| PatchError(header.chars().take(80).collect()))
}

/// `@@ -old[,n] +new[,n] @@ …` → the first new-side line.
fn parse_new_start(line: &str) -> Result<u32, PatchError> {
    Ok(parse_hunk_header(line)?.new_start)
}

/// `@@ -old[,n] +new[,n] @@ …` → how many old and new lines the hunk body
/// holds (a missing count is 1).
fn hunk_lengths(line: &str) -> Result<(u32, u32), PatchError> {
    let header = parse_hunk_header(line)?;
    Ok((header.old_len, header.new_len))
}

struct HunkHeader {
    new_start: u32,
    old_len: u32,
    new_len: u32,
}

fn parse_hunk_header(line: &str) -> Result<HunkHeader, PatchError> {
    let bad = || PatchError(line.chars().take(80).collect());
    let inner = line
        .strip_prefix("@@ ")
        .and_then(|rest| rest.split(" @@").next())
        .ok_or_else(bad)?;
    let mut parts = inner.split_whitespace();
    let mut range = |sign: char| -> Result<(u32, u32), PatchError> {
        let range = parts
            .next()
            .and_then(|p| p.strip_prefix(sign))
            .ok_or_else(bad)?;
        let (start, len) = match range.split_once(',') {
            Some((start, len)) => (start, len.parse().map_err(|_| bad())?),
            None => (range, 1),
        };
        Ok((start.parse().map_err(|_| bad())?, len))
    };
    let (_, old_len) = range('-')?;
    let (new_start, new_len) = range('+')?;
    Ok(HunkHeader {
        new_start,
        old_len,
        new_len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATCH: &str = "@@ -1,4 +1,5 @@\n import x\n-old()\n+new()\n+more()\n keep\n keep2\n@@ -20,3 +21,4 @@ fn f() {\n a\n+b\n c\n d\n\\ No newline at end of file";

    #[test]
    fn added_and_commentable_lines_follow_the_hunk_headers() {
        let diff = FileDiff::parse(PATCH).unwrap();
        assert_eq!(diff.hunks.len(), 2);
        assert_eq!(diff.added_lines(), LineSet::from([2, 3, 22]));
        assert_eq!(diff.hunks[0].right, BTreeSet::from([1, 2, 3, 4, 5]));
        assert_eq!(diff.hunks[1].right, BTreeSet::from([21, 22, 23, 24]));
    }

    #[test]
    fn anchors_must_stay_inside_one_hunk() {
        let diff = FileDiff::parse(PATCH).unwrap();
        assert!(diff.can_anchor(2, 2));
        assert!(diff.can_anchor(1, 5));
        assert!(diff.can_anchor(22, 22));
        assert!(!diff.can_anchor(5, 21), "spans two hunks");
        assert!(!diff.can_anchor(10, 10), "between hunks");
        assert!(!diff.can_anchor(3, 2), "reversed");
        assert!(!diff.can_anchor(25, 25), "past the end");
    }

    #[test]
    fn new_file_patch_adds_every_line() {
        let diff = FileDiff::parse("@@ -0,0 +1,3 @@\n+a\n+b\n+c").unwrap();
        assert_eq!(diff.added_lines(), LineSet::from([1, 2, 3]));
        let single = FileDiff::parse("@@ -0,0 +1 @@\n+only").unwrap();
        assert_eq!(single.added_lines(), LineSet::from([1]));
    }

    #[test]
    fn malformed_header_is_an_error() {
        assert!(FileDiff::parse("@@ nonsense @@\n+a").is_err());
        assert!(FileDiff::parse("").unwrap().hunks.is_empty());
    }

    #[test]
    fn splits_a_git_diff_with_every_kind_of_entry() {
        let text = "diff --git a/src/a.ts b/src/a.ts\r\nindex 1..2 100644\r\n--- a/src/a.ts\r\n+++ b/src/a.ts\r\n@@ -1,2 +1,3 @@\r\n keep\r\n--- not a header\r\n+added\r\n+more\r\n\\ No newline at end of file\r\n\
diff --git a/gone.py b/gone.py\ndeleted file mode 100644\n--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n\
diff --git a/new.go b/new.go\nnew file mode 100644\n--- /dev/null\n+++ b/new.go\n@@ -0,0 +1,2 @@\n+package a\n+var x = 1\n\
diff --git a/img.png b/img.png\nBinary files a/img.png and b/img.png differ\n\
diff --git a/old name.rs b/new name.rs\nsimilarity index 90%\nrename from old name.rs\nrename to new name.rs\n\
diff --git \"a/caf\\303\\251.ts\" \"b/caf\\303\\251.ts\"\n--- \"a/caf\\303\\251.ts\"\n+++ \"b/caf\\303\\251.ts\"\n@@ -3,0 +4 @@\n+y\n";
        let entries = split_unified_diff(text).unwrap();
        let summary: Vec<(Option<&str>, Option<&str>, bool, LineSet)> = entries
            .iter()
            .map(|e| {
                (
                    e.old_path.as_deref(),
                    e.new_path.as_deref(),
                    e.binary,
                    e.diff.added_lines(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    Some("src/a.ts"),
                    Some("src/a.ts"),
                    false,
                    LineSet::from([2, 3])
                ),
                (Some("gone.py"), None, false, LineSet::new()),
                (None, Some("new.go"), false, LineSet::from([1, 2])),
                (Some("img.png"), Some("img.png"), true, LineSet::new()),
                (
                    Some("old name.rs"),
                    Some("new name.rs"),
                    false,
                    LineSet::new()
                ),
                (Some("café.ts"), Some("café.ts"), false, LineSet::from([4])),
            ]
        );
        assert!(entries[1].is_deleted());
    }

    #[test]
    fn splits_plain_diff_u_output() {
        let text = "--- a.py\t2024-01-01 00:00:00\n+++ a.py\t2024-01-02 00:00:00\n@@ -1 +1,2 @@\n x\n+y\n--- b.py\t2024-01-01\n+++ b.py\t2024-01-02\n@@ -5,2 +5,2 @@\n--- removed line that looks like a header\n+z\n k\n";
        let entries = split_unified_diff(text).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].new_path.as_deref(), Some("a.py"));
        assert_eq!(entries[0].diff.added_lines(), LineSet::from([2]));
        assert_eq!(entries[1].new_path.as_deref(), Some("b.py"));
        assert_eq!(entries[1].diff.added_lines(), LineSet::from([5]));
        assert!(split_unified_diff("").unwrap().is_empty());
        assert!(split_unified_diff("--- a\n+++ b\n@@ bad @@\n").is_err());
    }
}

//! Unified-diff hunks of one file's `patch` (as GitHub's `/pulls/{n}/files`
//! returns it) and the lines a review comment may be anchored to.

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

/// The new-side line `n` of the hunk under `header`, if it fits in a `u32`
/// (a start near `u32::MAX` followed by more lines does not).
fn line_number(n: u64, header: &str) -> Result<u32, PatchError> {
    u32::try_from(n).map_err(|_| PatchError(header.chars().take(80).collect()))
}

/// `@@ -old[,n] +new[,n] @@ …` → the first new-side line.
fn parse_new_start(line: &str) -> Result<u32, PatchError> {
    let bad = || PatchError(line.chars().take(80).collect());
    let inner = line
        .strip_prefix("@@ ")
        .and_then(|rest| rest.split(" @@").next())
        .ok_or_else(bad)?;
    let mut parts = inner.split_whitespace();
    let old = parts
        .next()
        .and_then(|p| p.strip_prefix('-'))
        .ok_or_else(bad)?;
    let new = parts
        .next()
        .and_then(|p| p.strip_prefix('+'))
        .ok_or_else(bad)?;
    let start = |range: &str| -> Result<u32, PatchError> {
        range
            .split(',')
            .next()
            .and_then(|n| n.parse().ok())
            .ok_or_else(bad)
    };
    start(old)?;
    start(new)
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
}

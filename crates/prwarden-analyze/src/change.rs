//! PR-level checks: rules that look at the pull request as a whole (which
//! paths it touches, what the repository holds at the head commit) rather than
//! at lines of one file.
//!
//! A [`ChangeFinding`] has no line: it is never an inline comment or a
//! check-run annotation, only a row of the check run's summary under its
//! checklist item. It still counts toward the item's verdict and the
//! conclusion like any finding of its severity.

use serde::Serialize;

use crate::model::{AgentPrompt, ChecklistItem, RuleMeta, Severity};

/// What a pull request did to one path (GitHub's `status` of a PR file).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Added,
    Modified,
    Removed,
    /// Moved; `content_changed` is false for a pure rename.
    Renamed {
        content_changed: bool,
    },
}

impl FileStatus {
    /// GitHub's `status` string and changed-line count (`changes`) of a PR
    /// file. `copied` and `changed` (mode only) count as modified, an unknown
    /// status too.
    pub fn from_github(status: &str, changes: u64) -> FileStatus {
        match status {
            "added" => FileStatus::Added,
            "removed" => FileStatus::Removed,
            "renamed" => FileStatus::Renamed {
                content_changed: changes > 0,
            },
            _ => FileStatus::Modified,
        }
    }

    /// Whether the file's content at the head differs from the base.
    pub fn changes_content(self) -> bool {
        match self {
            FileStatus::Added | FileStatus::Modified => true,
            FileStatus::Removed => false,
            FileStatus::Renamed { content_changed } => content_changed,
        }
    }
}

/// One path of the pull request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedPath {
    pub path: String,
    pub status: FileStatus,
}

/// A whole pull request, as PR-level rules see it.
#[derive(Clone, Copy, Debug)]
pub struct Change<'a> {
    /// Every path the pull request touches.
    pub files: &'a [ChangedPath],
    /// Every file path of the repository at the head commit, when known
    /// completely. `None` when it could not be listed (or GitHub truncated the
    /// listing): rules that need it then report nothing.
    pub head_paths: Option<&'a [String]>,
}

/// A problem of the pull request as a whole. It has no line: it belongs in
/// the check run's summary, never in an inline comment or an annotation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeFinding {
    pub rule_id: &'static str,
    pub item: ChecklistItem,
    pub severity: Severity,
    /// One line: what is wrong.
    pub title: String,
    /// What is wrong and why it matters (Markdown).
    pub message: String,
    /// The paths the finding is about (e.g. the changed source files).
    pub paths: Vec<String>,
    /// `location` names the package or area instead of a line.
    pub prompt: AgentPrompt,
    /// Hex hash of the rule id and what the finding is about (e.g. the
    /// package root); stable across pushes.
    pub fingerprint: String,
}

/// One PR-level check. Pure, like [`crate::Rule`].
pub trait ChangeRule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// Whether the rule could report anything without `head_paths`, i.e.
    /// whether a caller should spend an API call listing the repository.
    /// `false` means: listing the head tree cannot make this rule fire.
    fn needs_head_paths(&self, files: &[ChangedPath]) -> bool;

    fn check(&self, change: &Change<'_>, out: &mut Vec<ChangeFinding>);
}

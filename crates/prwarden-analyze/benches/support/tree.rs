//! A directory read as a change in which every line of every file is added:
//! what the speed, evaluation and real-code benchmarks review.

use std::path::{Path, PathBuf};

use prwarden_analyze::{ChangedFile, LineSet};

pub struct WholeFiles {
    /// `(path relative to the base, content)`, sorted by path.
    pub sources: Vec<(String, String)>,
    added: Vec<LineSet>,
}

impl WholeFiles {
    /// Every UTF-8 file under `dir`, named relative to `base`, its content
    /// passed through `transform` (placeholders, for the evaluation corpus).
    pub fn read(dir: &Path, base: &Path, transform: impl Fn(&Path, String) -> String) -> Self {
        let mut paths = Vec::new();
        collect(dir, &mut paths);
        paths.sort();
        let sources: Vec<(String, String)> = paths
            .iter()
            .filter_map(|p| {
                let text = std::fs::read_to_string(p).ok()?;
                let rel = p.strip_prefix(base).unwrap_or(p).display().to_string();
                Some((rel, transform(p, text)))
            })
            .collect();
        let added = sources
            .iter()
            .map(|(_, s)| (1..=u32::try_from(s.lines().count()).unwrap_or(u32::MAX)).collect())
            .collect();
        WholeFiles { sources, added }
    }

    pub fn files(&self) -> Vec<ChangedFile<'_>> {
        self.sources
            .iter()
            .zip(&self.added)
            .map(|((path, content), added_lines)| ChangedFile {
                path,
                content,
                added_lines,
            })
            .collect()
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

//! Path globs for `ignore`, `security_paths` and custom rules' `paths`,
//! with .gitignore-like meaning (see [`PathMatcher`]), translated onto
//! `globset`. Because organisation patterns come first in a merged list, a
//! repository can carve `!` exceptions out of them.

use std::fmt;
use std::sync::{Arc, OnceLock};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// A compiled list of path globs, .gitignore-style, relative to the
/// repository root:
///
/// - `**` crosses directories, `*` and `?` do not;
/// - a pattern without `/` matches a file's or directory's name at any depth
///   (`*.generated.ts`, `vendor/`);
/// - a pattern with a `/` is anchored at the root (a leading `/` or `./`
///   changes nothing);
/// - a trailing `/` or `/**` matches everything inside the directory, and a
///   pattern naming a directory also matches its contents (`src/gen`);
/// - `!pattern` re-includes what an earlier pattern matched: the last
///   matching pattern decides.
///
/// Invalid patterns are skipped (parsing has reported them already).
pub struct PathMatcher {
    /// The patterns as written, to notice when the list it came from changed.
    patterns: Vec<String>,
    set: GlobSet,
    /// For each glob in `set`: the index of the pattern it came from.
    owner: Vec<usize>,
    negated: Vec<bool>,
}

/// The globset patterns one user pattern stands for, and whether it is a
/// `!` exception. `Err` explains what is wrong with it.
fn translate(pattern: &str) -> Result<(Vec<String>, bool), String> {
    let (negated, rest) = match pattern.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    let mut p = rest.trim();
    if p != rest {
        return Err("has leading or trailing spaces".to_string());
    }
    let mut anchored = false;
    if let Some(r) = p.strip_prefix("./") {
        p = r;
        anchored = true;
    } else if let Some(r) = p.strip_prefix('/') {
        p = r;
        anchored = true;
    }
    let dir_only = p.ends_with('/');
    let p = p.trim_end_matches('/');
    if p.is_empty() {
        return Err("matches nothing: it is empty once `!`, `/` and `./` are removed".to_string());
    }
    let anchored = anchored || p.contains('/');
    let base = if anchored || p.starts_with("**") {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    let globs = if base.ends_with("/**") || base == "**" {
        vec![base]
    } else if dir_only {
        vec![format!("{base}/**")]
    } else {
        vec![format!("{base}/**"), base]
    };
    for glob in &globs {
        build(glob).map_err(|e| e.kind().to_string())?;
    }
    Ok((globs, negated))
}

fn build(glob: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(glob)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

/// Why `pattern` is not a usable glob, if it is not.
pub(crate) fn check(pattern: &str) -> Result<(), String> {
    translate(pattern).map(|_| ())
}

impl fmt::Debug for PathMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PathMatcher")
            .field("patterns", &self.patterns)
            .finish_non_exhaustive()
    }
}

impl PathMatcher {
    /// Compiles `patterns`, skipping any that are invalid.
    pub fn new(patterns: &[String]) -> PathMatcher {
        let mut builder = GlobSetBuilder::new();
        let mut owner = Vec::new();
        let mut negated = Vec::new();
        for (index, pattern) in patterns.iter().enumerate() {
            let Ok((globs, neg)) = translate(pattern) else {
                negated.push(false);
                continue;
            };
            negated.push(neg);
            for glob in globs {
                if let Ok(g) = build(&glob) {
                    builder.add(g);
                    owner.push(index);
                }
            }
        }
        let set = builder.build().unwrap_or_else(|_| GlobSet::empty());
        PathMatcher {
            patterns: patterns.to_vec(),
            set,
            owner,
            negated,
        }
    }

    /// Whether `path` is matched: some pattern matches it and the last one
    /// that does is not a `!` exception.
    pub fn matches(&self, path: &str) -> bool {
        let path = normalise(path);
        self.set
            .matches(path)
            .into_iter()
            .map(|glob| self.owner[glob])
            .max()
            .is_some_and(|pattern| !self.negated[pattern])
    }
}

/// Paths arrive as the GitHub API writes them (`src/a.ts`); tolerate the
/// `./` and `/` prefixes people type.
fn normalise(path: &str) -> &str {
    let path = path.strip_prefix("./").unwrap_or(path);
    path.trim_start_matches('/')
}

/// Compiled forms of [`RepoConfig::ignore`](crate::RepoConfig::ignore) and
/// [`RepoConfig::security_paths`](crate::RepoConfig::security_paths), built on
/// first use so that checking every file of a large PR compiles each list
/// once. If the lists were edited after that, the stale set is not used.
#[derive(Clone, Default)]
pub struct GlobCache {
    ignore: OnceLock<Arc<PathMatcher>>,
    security: OnceLock<Arc<PathMatcher>>,
}

impl fmt::Debug for GlobCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GlobCache").finish_non_exhaustive()
    }
}

impl GlobCache {
    pub(crate) fn ignore(&self, patterns: &[String]) -> Arc<PathMatcher> {
        cached(&self.ignore, patterns)
    }

    pub(crate) fn security(&self, patterns: &[String]) -> Arc<PathMatcher> {
        cached(&self.security, patterns)
    }
}

fn cached(cell: &OnceLock<Arc<PathMatcher>>, patterns: &[String]) -> Arc<PathMatcher> {
    let set = cell.get_or_init(|| Arc::new(PathMatcher::new(patterns)));
    if set.patterns == patterns {
        Arc::clone(set)
    } else {
        Arc::new(PathMatcher::new(patterns))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(patterns: &[&str]) -> PathMatcher {
        let patterns: Vec<String> = patterns.iter().map(|s| s.to_string()).collect();
        for p in &patterns {
            check(p).unwrap();
        }
        PathMatcher::new(&patterns)
    }

    #[test]
    fn basename_patterns_match_at_any_depth() {
        let s = set(&["*.generated.ts"]);
        assert!(s.matches("a.generated.ts"));
        assert!(s.matches("src/deep/x/a.generated.ts"));
        assert!(!s.matches("src/a.ts"));
        assert!(!s.matches("src/a.generated.tsx"));
    }

    #[test]
    fn single_star_does_not_cross_directories() {
        let s = set(&["src/*.ts"]);
        assert!(s.matches("src/a.ts"));
        assert!(!s.matches("src/lib/a.ts"));
        assert!(!s.matches("other/src/a.ts"));
    }

    #[test]
    fn double_star_crosses_directories() {
        let s = set(&["src/**/*.ts"]);
        assert!(s.matches("src/a.ts"));
        assert!(s.matches("src/lib/deep/a.ts"));
        assert!(!s.matches("lib/a.ts"));
    }

    #[test]
    fn directories_match_their_contents() {
        for p in ["dist/", "dist/**", "/dist", "./dist", "dist"] {
            let s = set(&[p]);
            assert!(s.matches("dist/a.js"), "{p}");
            assert!(s.matches("dist/x/y/a.js"), "{p}");
            assert!(!s.matches("src/dist.ts"), "{p}");
        }
        // A name without a slash is a directory at any depth too.
        let s = set(&["vendor/"]);
        assert!(s.matches("third_party/vendor/lib.go"));
        assert!(!s.matches("vendor.go"));
        // …but one with a slash is anchored at the root.
        let s = set(&["src/gen/"]);
        assert!(s.matches("src/gen/a.ts"));
        assert!(!s.matches("pkg/src/gen/a.ts"));
    }

    #[test]
    fn last_matching_pattern_wins() {
        let s = set(&["*.min.js", "!public/app.min.js"]);
        assert!(s.matches("lib/x.min.js"));
        assert!(!s.matches("public/app.min.js"));
        let s = set(&["!public/app.min.js", "*.min.js"]);
        assert!(s.matches("public/app.min.js"));
    }

    #[test]
    fn leading_slash_in_paths_is_tolerated() {
        let s = set(&["src/**"]);
        assert!(s.matches("./src/a.ts"));
        assert!(s.matches("/src/a.ts"));
    }

    #[test]
    fn invalid_patterns_are_explained() {
        assert!(check("src/[a").is_err());
        assert!(check("").is_err());
        assert!(check("!").is_err());
        assert!(check("/").is_err());
        assert!(check(" src").is_err());
        assert!(check("src/{a,b}/*.ts").is_ok());
    }

    #[test]
    fn cache_notices_edited_lists() {
        let cache = GlobCache::default();
        let a = vec!["a/**".to_string()];
        assert!(cache.ignore(&a).matches("a/x"));
        let b = vec!["b/**".to_string()];
        assert!(!cache.ignore(&b).matches("a/x"));
        assert!(cache.ignore(&b).matches("b/x"));
    }
}

//! What a changed file's path says on its own: whether the file ships at all
//! (tests, docs, assets and type stubs do not), whether it is a UI file, and
//! which security areas its directory and file names name.

use super::SecurityArea;
use super::vocabulary::{self, PATH_ONLY, SHARED};
use crate::syntax::identifier_words;

/// Directories whose files never run in production. Compared whole and
/// case-insensitively, so `tests/` counts and `contests/` does not.
const NON_PRODUCTION_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "__test__",
    "__mocks__",
    "mocks",
    "__fixtures__",
    "fixtures",
    "fixture",
    "testdata",
    "test-data",
    "test_data",
    "testing",
    "test-utils",
    "test_utils",
    "testutils",
    "spec",
    "specs",
    "e2e",
    "cypress",
    "playwright",
    "__snapshots__",
    "stories",
    "storybook",
    ".storybook",
    "docs",
    "doc",
    "documentation",
    "examples",
    "example",
    // Translations mention "password" and "payment" in every language.
    "locales",
    "locale",
    "i18n",
    "l10n",
    "translations",
];

/// Documentation, stylesheets, media, fonts, snapshots and translation
/// catalogues: text about the code, or no code at all.
const NON_PRODUCTION_EXTENSIONS: &[&str] = &[
    "md", "mdx", "markdown", "rst", "txt", "adoc", "asciidoc", "textile", "rtf", "pdf", "doc",
    "docx", "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "avif", "bmp", "tiff", "woff",
    "woff2", "ttf", "otf", "eot", "mp3", "mp4", "webm", "ogg", "wav", "mov", "css", "scss", "sass",
    "less", "styl", "snap", "map", "po", "pot", "mo", "xlf", "xliff",
];

/// Markers in a file name that make it a test, story, mock or fixture.
const NON_PRODUCTION_NAME_PARTS: &[&str] = &[
    ".test.",
    ".tests.",
    ".spec.",
    ".e2e.",
    ".stories.",
    ".story.",
    ".mock.",
    ".mocks.",
    ".fixture.",
    ".fixtures.",
    ".test-d.",
    "-test.",
];

/// Extensions of files rendered in a browser or by a template engine.
const UI_EXTENSIONS: &[&str] = &[
    "tsx",
    "jsx",
    "vue",
    "svelte",
    "astro",
    "html",
    "htm",
    "hbs",
    "handlebars",
    "ejs",
    "pug",
    "njk",
    "jinja",
    "jinja2",
    "j2",
    "erb",
    "liquid",
    "mustache",
    "twig",
];

/// Directories of presentational UI: a component under `components/auth/`
/// lays out the login screen, the code it calls checks the password.
const UI_DIRS: &[&str] = &[
    "components",
    "component",
    "ui",
    "widgets",
    "layouts",
    "views",
    "screens",
    "templates",
    "partials",
];

/// Key material and certificates, recognised by extension. Binary ones
/// (`.p12`) usually arrive as paths without content.
const KEY_EXTENSIONS: &[(&str, SecurityArea)] = &[
    ("pem", SecurityArea::Secrets),
    ("key", SecurityArea::Secrets),
    ("p12", SecurityArea::Secrets),
    ("pfx", SecurityArea::Secrets),
    ("p8", SecurityArea::Secrets),
    ("jks", SecurityArea::Secrets),
    ("jceks", SecurityArea::Secrets),
    ("keystore", SecurityArea::Secrets),
    ("crt", SecurityArea::Cryptography),
    ("cer", SecurityArea::Cryptography),
    ("csr", SecurityArea::Cryptography),
];

/// A path split into its directories, file name, stem and extension.
struct PathParts<'p> {
    dirs: Vec<&'p str>,
    file_name: &'p str,
    /// The file name without its last extension; a dotfile (`.env`) keeps
    /// its name without the dot.
    stem: &'p str,
    /// Lower-case last extension, `""` when there is none.
    extension: String,
}

fn split(path: &str) -> PathParts<'_> {
    let mut segments: Vec<&str> = path
        .split(['/', '\\'])
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    let file_name = segments.pop().unwrap_or("");
    let (stem, extension) = match file_name.rfind('.') {
        Some(0) | None => (file_name.trim_start_matches('.'), ""),
        Some(dot) => (&file_name[..dot], &file_name[dot + 1..]),
    };
    PathParts {
        dirs: segments,
        file_name,
        stem,
        extension: extension.to_ascii_lowercase(),
    }
}

/// Whether the file can run in production. Tests, fixtures, docs, examples,
/// stories, translations, assets and type declarations (`.d.ts`, `.pyi`)
/// cannot, so they never make a change security-critical on their own.
pub(super) fn is_production(path: &str) -> bool {
    let parts = split(path);
    if parts
        .dirs
        .iter()
        .any(|d| NON_PRODUCTION_DIRS.contains(&d.to_ascii_lowercase().as_str()))
    {
        return false;
    }
    if NON_PRODUCTION_EXTENSIONS.contains(&parts.extension.as_str()) {
        return false;
    }
    let name = parts.file_name.to_ascii_lowercase();
    if NON_PRODUCTION_NAME_PARTS.iter().any(|m| name.contains(m)) {
        return false;
    }
    let test_suffix = ["_test.go", "_test.py", "_tests.py", "_spec.rb", "_test.rb"];
    let declaration = [".d.ts", ".d.mts", ".d.cts", ".pyi"];
    if test_suffix
        .iter()
        .chain(&declaration)
        .any(|s| name.ends_with(s))
        || (name.starts_with("test_") && name.ends_with(".py"))
        || name == "conftest.py"
    {
        return false;
    }
    // JUnit naming: `AuthServiceTest.java`, `LoginIT.kt`.
    let jvm = matches!(parts.extension.as_str(), "java" | "kt" | "scala" | "groovy");
    !(jvm
        && ["Test", "Tests", "IT"]
            .iter()
            .any(|s| parts.stem.ends_with(s)))
}

/// A file rendered in the browser or by a template engine.
pub(super) fn is_ui(path: &str) -> bool {
    UI_EXTENSIONS.contains(&split(path).extension.as_str())
}

/// The areas named by the path: key-material extensions, the words of each
/// directory and of the file stem (see [`vocabulary`]), and a `policies/`
/// directory (Laravel, Pundit and OPA keep authorization rules there).
///
/// A UI file (see [`is_ui`]) under a UI directory (`components/`,
/// `views/`, …) names nothing by its path, and its stem does not count when
/// it names a component (`LoginForm.tsx`): only its imports and symbols can
/// make it security-critical.
pub(super) fn path_areas(path: &str) -> Vec<SecurityArea> {
    let parts = split(path);
    let mut areas: Vec<SecurityArea> = KEY_EXTENSIONS
        .iter()
        .filter(|(ext, _)| *ext == parts.extension)
        .map(|(_, area)| *area)
        .collect();

    let ui = UI_EXTENSIONS.contains(&parts.extension.as_str());
    if ui
        && parts
            .dirs
            .iter()
            .any(|d| UI_DIRS.contains(&d.to_ascii_lowercase().as_str()))
    {
        return areas;
    }

    let mut names: Vec<Vec<String>> = parts.dirs.iter().map(|d| identifier_words(d)).collect();
    let stem_words = identifier_words(parts.stem);
    let all_words: Vec<String> = names.iter().flatten().chain(&stem_words).cloned().collect();
    if !(ui && vocabulary::is_ui_name(&stem_words)) {
        names.push(stem_words);
    }
    for words in &names {
        areas.extend(vocabulary::areas_of(
            words,
            &all_words,
            &[SHARED, PATH_ONLY],
        ));
    }
    if parts
        .dirs
        .iter()
        .any(|d| d.eq_ignore_ascii_case("policies"))
    {
        areas.push(SecurityArea::Authorization);
    }
    areas.sort();
    areas.dedup();
    areas
}

#[cfg(test)]
mod tests {
    use super::*;
    use SecurityArea::*;

    #[test]
    fn production_files() {
        for path in [
            "src/auth/session.ts",
            "app/core/security.py",
            "internal/auth/middleware.go",
            "src/contests/entry.ts",
            "src/testimonials/list.ts",
            ".env",
            "Makefile",
        ] {
            assert!(is_production(path), "{path}");
        }
        for path in [
            "src/auth/auth.test.ts",
            "src/auth/__tests__/login.ts",
            "tests/test_auth.py",
            "app/auth/test_login.py",
            "app/conftest.py",
            "internal/auth/auth_test.go",
            "docs/authentication.md",
            "src/auth/README.md",
            "fixtures/keys/app.pem",
            "src/auth/LoginForm.stories.tsx",
            "src/auth/login.module.css",
            "src/types/next-auth.d.ts",
            "src/main/java/AuthServiceTest.java",
            "public/locales/en/auth.json",
            "examples/oauth/server.js",
        ] {
            assert!(!is_production(path), "{path}");
        }
    }

    #[test]
    fn areas_from_directories_stems_and_extensions() {
        assert_eq!(path_areas("src/auth/session.ts"), [Authentication]);
        assert_eq!(path_areas("src/lib/session.ts"), [Authentication]);
        assert!(path_areas("app/db/session.py").is_empty());
        assert_eq!(
            path_areas("app/api/auth/[...nextauth]/route.ts"),
            [Authentication]
        );
        assert_eq!(path_areas("src/billing/invoices.ts"), [Payments]);
        assert_eq!(path_areas("certs/server.pem"), [Secrets]);
        assert_eq!(path_areas("app/Policies/PostPolicy.php"), [Authorization]);
        assert_eq!(path_areas("src/middleware/validate.ts"), [InputValidation]);
        assert!(path_areas("src/config/validation.ts").is_empty());
        assert!(path_areas("src/authors/list.ts").is_empty());
        assert!(path_areas("tokenizer.py").is_empty());
        assert!(path_areas("src/privacy-policy.ts").is_empty());
    }

    #[test]
    fn ui_files_are_judged_by_route_directories_only() {
        assert!(path_areas("src/components/auth/LoginForm.tsx").is_empty());
        assert!(path_areas("src/features/LoginForm.tsx").is_empty());
        assert!(path_areas("src/views/Login.vue").is_empty());
        assert_eq!(path_areas("app/(auth)/login/page.tsx"), [Authentication]);
        assert_eq!(path_areas("src/pages/login.tsx"), [Authentication]);
        // Not a UI file: the same name is server code.
        assert_eq!(path_areas("src/features/LoginForm.ts"), [Authentication]);
    }
}

//! The words that make a path segment or a symbol name security-critical.
//!
//! Names are compared word by word — `identifier_words` splits
//! `verifyPassword`, `verify_password`, `verify-password` and
//! `auth.guard` alike — never by substring, so `authors`, `author.ts`,
//! `tokenizer`, `keyboard` and `monkey` cannot match `auth`, `token` or
//! `key`. A term matches a word exactly, as its plural (`acl` → `acls`), or
//! with a version suffix (`oauth` → `oauth2`, `argon` → `argon2`).
//!
//! Words that are security-critical on their own (`password`, `jwt`,
//! `billing`) are single-word terms. Words that are not (`token`, `key`,
//! `session`, `validate`, `policy`) only count in a phrase that pins the
//! meaning down (`refresh token`, `api key`, `validate request`), or — for
//! paths only, where a file name states its purpose — with the `unless`
//! words that mark the other meanings.

use super::SecurityArea::{self, *};

/// A run of adjacent words that marks an area, unless one of the `unless`
/// words occurs anywhere in the same name (path or symbol).
pub(super) struct Term {
    pub words: &'static [&'static str],
    pub area: SecurityArea,
    pub unless: &'static [&'static str],
    /// Whether the last word also matches its plural.
    pub plural: bool,
}

const fn term(words: &'static [&'static str], area: SecurityArea) -> Term {
    Term {
        words,
        area,
        unless: &[],
        plural: true,
    }
}

const fn term_unless(
    words: &'static [&'static str],
    area: SecurityArea,
    unless: &'static [&'static str],
) -> Term {
    Term {
        words,
        area,
        unless,
        plural: true,
    }
}

/// Words of the database-session meaning (`app/db/session.py`,
/// SQLAlchemy's `get_db_session`), which has nothing to do with logins.
const DATABASE_WORDS: &[&str] = &[
    "db",
    "database",
    "sql",
    "sqlalchemy",
    "orm",
    "prisma",
    "drizzle",
    "typeorm",
    "sequelize",
    "mongo",
    "mongoose",
    "knex",
];

/// Mobile-platform permissions (camera, notifications) are a UX prompt, not
/// access control.
const DEVICE_WORDS: &[&str] = &[
    "camera",
    "microphone",
    "notification",
    "location",
    "push",
    "contacts",
    "photo",
    "media",
    "bluetooth",
    "storage",
];

/// Terms that count in paths and in symbol names alike.
pub(super) const SHARED: &[Term] = &[
    // Authentication: who the caller is.
    term(&["auth"], Authentication),
    term(&["authn"], Authentication),
    term(&["authenticate"], Authentication),
    term(&["authentication"], Authentication),
    term(&["authenticated"], Authentication),
    term(&["authenticator"], Authentication),
    term(&["login"], Authentication),
    term(&["logout"], Authentication),
    term(&["logon"], Authentication),
    term(&["signin"], Authentication),
    term(&["signout"], Authentication),
    term(&["sign", "in"], Authentication),
    term(&["sign", "out"], Authentication),
    term(&["log", "in"], Authentication),
    term(&["log", "out"], Authentication),
    term(&["oauth"], Authentication),
    term(&["oidc"], Authentication),
    term(&["openid"], Authentication),
    term(&["saml"], Authentication),
    term(&["sso"], Authentication),
    term(&["mfa"], Authentication),
    term(&["2fa"], Authentication),
    term(&["two", "factor"], Authentication),
    term(&["totp"], Authentication),
    term(&["otp"], Authentication),
    term(&["webauthn"], Authentication),
    term(&["passkey"], Authentication),
    term(&["password"], Authentication),
    term(&["passwd"], Authentication),
    term(&["passwordless"], Authentication),
    term(&["jwt"], Authentication),
    term(&["jwks"], Authentication),
    term(&["nextauth"], Authentication),
    term(&["magic", "link"], Authentication),
    term(&["access", "token"], Authentication),
    term(&["refresh", "token"], Authentication),
    term(&["id", "token"], Authentication),
    term(&["bearer", "token"], Authentication),
    term(&["reset", "token"], Authentication),
    term(&["verify", "token"], Authentication),
    term(&["verification", "token"], Authentication),
    term(&["sign", "token"], Authentication),
    term(&["revoke", "token"], Authentication),
    term(&["session", "token"], Authentication),
    term(&["session", "cookie"], Authentication),
    term(&["require", "user"], Authentication),
    // Authorization: what the caller may do.
    term(&["authz"], Authorization),
    term(&["authorize"], Authorization),
    term(&["authorization"], Authorization),
    term(&["authorized"], Authorization),
    term(&["authorizer"], Authorization),
    term_unless(&["permission"], Authorization, DEVICE_WORDS),
    term(&["rbac"], Authorization),
    term(&["abac"], Authorization),
    term(&["acl"], Authorization),
    term(&["iam"], Authorization),
    term(&["cors"], Authorization),
    term(&["impersonate"], Authorization),
    term(&["impersonation"], Authorization),
    term(&["access", "control"], Authorization),
    term(&["access", "policy"], Authorization),
    term(&["is", "admin"], Authorization),
    term(&["require", "admin"], Authorization),
    term(&["require", "role"], Authorization),
    term(&["has", "role"], Authorization),
    term(&["check", "role"], Authorization),
    term(&["role", "guard"], Authorization),
    term(&["can", "access"], Authorization),
    term(&["check", "access"], Authorization),
    term(&["has", "access"], Authorization),
    // Payments: money moves.
    term(&["payment"], Payments),
    term(&["pay"], Payments),
    term(&["billing"], Payments),
    term_unless(&["checkout"], Payments, &["git"]),
    term(&["stripe"], Payments),
    term(&["paypal"], Payments),
    term(&["braintree"], Payments),
    term(&["adyen"], Payments),
    term(&["razorpay"], Payments),
    term(&["payout"], Payments),
    term(&["refund"], Payments),
    term(&["pci"], Payments),
    term(&["credit", "card"], Payments),
    term(&["card", "number"], Payments),
    term(&["charge", "card"], Payments),
    term(&["charge", "customer"], Payments),
    // Cryptography: keys, ciphers, signatures, TLS.
    term_unless(
        &["crypto"],
        Cryptography,
        &["price", "coin", "market", "ticker", "currency"],
    ),
    term(&["cryptography"], Cryptography),
    term(&["cryptographic"], Cryptography),
    term(&["encrypt"], Cryptography),
    term(&["encryption"], Cryptography),
    term(&["encrypted"], Cryptography),
    term(&["decrypt"], Cryptography),
    term(&["decryption"], Cryptography),
    term(&["decrypted"], Cryptography),
    term(&["cipher"], Cryptography),
    term(&["decipher"], Cryptography),
    term(&["hmac"], Cryptography),
    term(&["bcrypt"], Cryptography),
    term(&["scrypt"], Cryptography),
    term(&["argon"], Cryptography),
    term(&["pbkdf"], Cryptography),
    term(&["kdf"], Cryptography),
    term(&["hkdf"], Cryptography),
    term(&["aes"], Cryptography),
    term(&["rsa"], Cryptography),
    term(&["ecdsa"], Cryptography),
    term(&["ecdh"], Cryptography),
    term(&["ed25519"], Cryptography),
    term(&["x509"], Cryptography),
    term(&["pki"], Cryptography),
    term(&["tls"], Cryptography),
    term(&["mtls"], Cryptography),
    term(&["ssl"], Cryptography),
    term(&["kms"], Cryptography),
    term(&["gpg"], Cryptography),
    term(&["pgp"], Cryptography),
    term(&["openpgp"], Cryptography),
    term(&["nacl"], Cryptography),
    term(&["keypair"], Cryptography),
    term(&["key", "pair"], Cryptography),
    term(&["public", "key"], Cryptography),
    term(&["derive", "key"], Cryptography),
    term(&["verify", "signature"], Cryptography),
    term(&["validate", "signature"], Cryptography),
    term(&["check", "signature"], Cryptography),
    term(&["webhook", "signature"], Cryptography),
    term(&["signature", "verification"], Cryptography),
    term(&["constant", "time"], Cryptography),
    term(&["timing", "safe"], Cryptography),
    // Secrets: credentials the service itself holds.
    term(&["secret"], Secrets),
    term(&["credential"], Secrets),
    term(&["apikey"], Secrets),
    term(&["api", "key"], Secrets),
    term(&["api", "token"], Secrets),
    term(&["private", "key"], Secrets),
    term(&["signing", "key"], Secrets),
    term(&["master", "key"], Secrets),
    term(&["keystore"], Secrets),
    term(&["keychain"], Secrets),
    term(&["keyring"], Secrets),
    // Input validation: what untrusted input may contain.
    term(&["sanitize"], InputValidation),
    term(&["sanitise"], InputValidation),
    term(&["sanitizer"], InputValidation),
    term(&["sanitiser"], InputValidation),
    term(&["sanitization"], InputValidation),
    term(&["sanitisation"], InputValidation),
    term(&["xss"], InputValidation),
    term(&["csrf"], InputValidation),
    term(&["xsrf"], InputValidation),
    term(&["escape", "html"], InputValidation),
    term(&["input", "validation"], InputValidation),
    term(&["request", "validation"], InputValidation),
    term(&["validate", "input"], InputValidation),
    term(&["validate", "request"], InputValidation),
    term(&["validate", "body"], InputValidation),
    term(&["validate", "param"], InputValidation),
    term(&["validate", "query"], InputValidation),
    term(&["validate", "payload"], InputValidation),
    term(&["validate", "redirect"], InputValidation),
    term(&["validate", "url"], InputValidation),
    term(&["validate", "upload"], InputValidation),
    term(&["validate", "origin"], InputValidation),
    term(&["safe", "redirect"], InputValidation),
    term(&["open", "redirect"], InputValidation),
];

/// Terms that only count in a path: a file or directory name states what
/// the whole file is for, a function name does not (`validate()` on a form,
/// `get_session()` for the database).
pub(super) const PATH_ONLY: &[Term] = &[
    // `session.ts` is the login session; `sessions/` is as often a list of
    // chat, workout or training sessions, so the plural does not count —
    // except for the controller that logs users in (Rails, Laravel, Phoenix).
    Term {
        words: &["session"],
        area: Authentication,
        unless: DATABASE_WORDS,
        plural: false,
    },
    term(&["session", "controller"], Authentication),
    term_unless(&["validation"], InputValidation, NOT_INPUT_WORDS),
    term_unless(&["validator"], InputValidation, NOT_INPUT_WORDS),
    term_unless(&["validate"], InputValidation, NOT_INPUT_WORDS),
];

/// Validating configuration, the environment, a UI form or the repository
/// itself (links, lint, build scripts) is not a security boundary.
const NOT_INPUT_WORDS: &[&str] = &[
    "config",
    "env",
    "environment",
    "settings",
    "form",
    "props",
    "scripts",
    "tools",
    "tooling",
    "build",
    "ci",
    "lint",
    "link",
];

/// Terms that only count in a symbol name: session operations that only an
/// authentication session has.
pub(super) const SYMBOL_ONLY: &[Term] = &[
    term(&["verify", "session"], Authentication),
    term(&["validate", "session"], Authentication),
    term(&["invalidate", "session"], Authentication),
    term(&["revoke", "session"], Authentication),
    term(&["refresh", "session"], Authentication),
    term(&["destroy", "session"], Authentication),
    term(&["rotate", "session"], Authentication),
    term(&["user", "session"], Authentication),
];

/// Terms that only count in a decorator (`@Roles('admin')`,
/// `@UseGuards(…)`, `@role_required`): on an endpoint they can only mean
/// access control.
pub(super) const DECORATOR_ONLY: &[Term] = &[
    term(&["role"], Authorization),
    term(&["use", "guard"], Authorization),
    term(&["allow", "anonymous"], Authorization),
];

/// The areas marked by `words` (one name, already split), in area order.
/// `context` holds the words checked for a term's `unless` words: the name
/// itself for a symbol, every segment of the path for a path.
pub(super) fn areas_of(
    words: &[String],
    context: &[String],
    tables: &[&[Term]],
) -> Vec<SecurityArea> {
    let mut areas: Vec<SecurityArea> = tables
        .iter()
        .flat_map(|table| table.iter())
        .filter(|term| matches_term(words, context, term))
        .map(|term| term.area)
        .collect();
    areas.sort();
    areas.dedup();
    areas
}

/// Whether the phrase occurs as adjacent words of `words` and none of its
/// `unless` words occurs in `context`.
fn matches_term(words: &[String], context: &[String], term: &Term) -> bool {
    let n = term.words.len();
    let found = words.len() >= n
        && words.windows(n).any(|w| {
            w.iter().zip(term.words).enumerate().all(|(i, (w, t))| {
                if i + 1 == n && !term.plural {
                    w == t
                } else {
                    word_is(w, t)
                }
            })
        });
    found
        && !term
            .unless
            .iter()
            .any(|u| context.iter().any(|w| word_is(w, u)))
}

/// `word` is `term`, its plural, or `term` with a version number
/// (`oauth2`, `argon2`, `pbkdf2`).
fn word_is(word: &str, term: &str) -> bool {
    if word == term {
        return true;
    }
    if let Some(stem) = word.strip_suffix('s')
        && stem == term
    {
        return true;
    }
    let unversioned = word.trim_end_matches(|c: char| c.is_ascii_digit());
    !unversioned.is_empty() && unversioned.len() < word.len() && unversioned == term
}

/// Last words of a UI component's name (`LoginForm`, `PaymentButton`,
/// `ResetPasswordPage`): in a UI file such a name renders the screen, it
/// does not decide who gets in or what gets charged.
const UI_NOUNS: &[&str] = &[
    "form",
    "button",
    "btn",
    "input",
    "field",
    "page",
    "modal",
    "dialog",
    "link",
    "screen",
    "view",
    "component",
    "icon",
    "banner",
    "menu",
    "layout",
    "header",
    "footer",
    "section",
    "panel",
    "label",
    "tab",
    "tooltip",
    "popover",
    "skeleton",
    "toast",
    "alert",
    "badge",
    "avatar",
    "card",
    "step",
    "summary",
    "wrapper",
    "list",
    "item",
    "row",
    "table",
    "placeholder",
    "illustration",
    "logo",
    "image",
    "text",
    "title",
    "notice",
    "callout",
    "widget",
    "drawer",
    "sheet",
    "overlay",
    "spinner",
    "loader",
    "container",
    "cta",
];

/// First words of UI callbacks (`handleLogin`, `onSignOut`,
/// `togglePasswordVisibility`): they wire a control to the code that matters.
const UI_VERBS: &[&str] = &[
    "handle", "on", "toggle", "show", "hide", "render", "open", "close", "focus",
];

/// A UI component or UI callback name: last word a UI noun, or first word a
/// UI verb.
pub(super) fn is_ui_name(words: &[String]) -> bool {
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return false;
    };
    (words.len() > 1 && UI_VERBS.contains(&first.as_str()))
        || UI_NOUNS.iter().any(|noun| word_is(last, noun))
}

/// Error types (`AuthError`, `PaymentFailedException`) describe a failure;
/// defining one changes no security decision.
pub(super) fn is_error_type(words: &[String]) -> bool {
    words
        .last()
        .is_some_and(|w| word_is(w, "error") || word_is(w, "exception"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::identifier_words;

    fn areas(name: &str, tables: &[&[Term]]) -> Vec<SecurityArea> {
        let words = identifier_words(name);
        areas_of(&words, &words, tables)
    }

    #[test]
    fn whole_words_only() {
        for name in [
            "authors",
            "author",
            "tokenizer",
            "keyboard",
            "monkey",
            "payload",
            "display",
            "authority",
            "secretary",
            "unauthorized",
            "catalog",
            "sessionize",
        ] {
            assert!(areas(name, &[SHARED, PATH_ONLY]).is_empty(), "{name}");
        }
    }

    #[test]
    fn plurals_versions_and_phrases() {
        assert_eq!(areas("acls", &[SHARED]), [Authorization]);
        assert_eq!(areas("OAuth2Client", &[SHARED]), [Authentication]);
        assert_eq!(areas("oauth2", &[SHARED]), [Authentication]);
        assert_eq!(areas("refreshAccessToken", &[SHARED]), [Authentication]);
        assert_eq!(areas("signIn", &[SHARED]), [Authentication]);
        assert_eq!(areas("API_KEYS", &[SHARED]), [Secrets]);
        assert!(areas("getToken", &[SHARED]).is_empty());
        assert!(areas("primaryKey", &[SHARED]).is_empty());
    }

    #[test]
    fn unless_words_cancel_a_term() {
        assert!(areas("db_session", &[PATH_ONLY]).is_empty());
        assert_eq!(areas("session", &[PATH_ONLY]), [Authentication]);
        assert!(areas("sessions", &[PATH_ONLY]).is_empty());
        assert_eq!(areas("sessions_controller", &[PATH_ONLY]), [Authentication]);
        assert!(areas("validate-links", &[PATH_ONLY]).is_empty());
        assert!(areas("requestCameraPermission", &[SHARED]).is_empty());
        assert_eq!(areas("checkPermission", &[SHARED]), [Authorization]);
        assert!(areas("validateEnv", &[PATH_ONLY]).is_empty());
        assert!(areas("gitCheckout", &[SHARED]).is_empty());
    }
}

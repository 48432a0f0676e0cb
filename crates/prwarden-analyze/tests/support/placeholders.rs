//! Secret-shaped test values assembled at run time, shared by the rule
//! fixtures test and the evaluation benchmark: the repository is scanned for
//! secrets, so no key-shaped literal is ever committed. Fixture files say
//! `{{GITHUB_TOKEN}}` and get a fresh, format-correct value here.

use std::collections::BTreeMap;
use std::path::Path;

/// Deterministic random-looking text: the values are assembled at run time
/// so that no key-shaped literal is ever committed.
fn random(seed: u64, len: usize, alphabet: &[u8]) -> String {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            alphabet[((state >> 33) % alphabet.len() as u64) as usize] as char
        })
        .collect()
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `{{NAME}}` → value.
pub fn placeholders() -> BTreeMap<&'static str, String> {
    let pem = |kind: &str, edge: &str| format!("-----{edge} {kind}{}-----", "PRIVATE KEY");
    BTreeMap::from([
        (
            "GITHUB_TOKEN",
            format!("gh{}_{}", "p", random(1, 36, ALNUM)),
        ),
        (
            "GITHUB_PAT",
            format!("github_{}_{}", "pat", random(2, 82, ALNUM)),
        ),
        (
            "AWS_KEY_ID",
            format!("AK{}{}", "IA", random(3, 16, UPPER_ALNUM)),
        ),
        (
            "SLACK_TOKEN",
            format!("xox{}-{}-{}", "b", "2837461920", random(4, 24, ALNUM)),
        ),
        (
            "STRIPE_LIVE_KEY",
            format!("sk_{}_{}", "live", random(5, 24, ALNUM)),
        ),
        (
            "GOOGLE_API_KEY",
            format!("AI{}{}", "za", random(6, 35, ALNUM)),
        ),
        ("OPENAI_KEY", format!("sk-{}", random(7, 48, ALNUM))),
        (
            "OPENAI_PROJECT_KEY",
            format!("sk-{}-{}", "proj", random(8, 64, ALNUM)),
        ),
        (
            "ANTHROPIC_KEY",
            format!("sk-{}-api03-{}", "ant", random(9, 90, ALNUM)),
        ),
        ("PEM_BEGIN", pem("", "BEGIN")),
        ("PEM_RSA_BEGIN", pem("RSA ", "BEGIN")),
        ("PEM_RSA_END", pem("RSA ", "END")),
        ("PEM_OPENSSH_BEGIN", pem("OPENSSH ", "BEGIN")),
        ("PEM_OPENSSH_END", pem("OPENSSH ", "END")),
        ("PEM_BODY", random(10, 64, BASE64)),
        ("DB_PASSWORD", random(11, 20, ALNUM)),
        // Placeholders the rule must ignore.
        (
            "AWS_EXAMPLE_KEY_ID",
            format!("AK{}{}", "IA", "IOSFODNN7EXAMPLE"),
        ),
        ("GITHUB_TOKEN_XXXX", format!("gh{}_{}", "p", "x".repeat(36))),
        (
            "GITHUB_TOKEN_SAME_CHAR",
            format!("gh{}_{}", "p", "7".repeat(36)),
        ),
    ])
}

/// Replaces `{{NAME}}` (upper-case names only, so `${{ secrets.X }}` in CI
/// files stays as it is); an unknown name is a broken fixture.
pub fn substitute(text: &str, values: &BTreeMap<&'static str, String>, file: &Path) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let name_len = after.find("}}").filter(|&end| {
            end > 0
                && after[..end]
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        });
        match name_len {
            Some(end) => {
                let name = &after[..end];
                let value = values.get(name).unwrap_or_else(|| {
                    panic!("{}: unknown placeholder {{{{{name}}}}}", file.display())
                });
                out.push_str(value);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

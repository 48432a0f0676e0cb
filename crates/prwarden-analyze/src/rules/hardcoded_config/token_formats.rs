//! Recognisers for credential formats whose shape alone identifies them
//! (vendor prefixes, fixed lengths, PEM headers), plus the placeholder filter
//! that keeps documentation examples like `AKIA…EXAMPLE` or `ghp_xxxx…` quiet.
//!
//! Hand-written matchers rather than regexes: each format is a prefix and a
//! character class with a length, and the boundaries matter more than the
//! pattern.

use std::ops::Range;

/// A credential format the scanner recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    GitHubToken,
    GitHubFineGrainedToken,
    AwsAccessKeyId,
    SlackToken,
    StripeLiveKey,
    GoogleApiKey,
    OpenAiKey,
    AnthropicKey,
    PrivateKey,
    /// The password of `scheme://user:password@host` or `…?password=…`.
    ConnectionPassword,
}

impl TokenKind {
    /// Human name, used in titles: "Hard-coded {name}".
    pub fn name(self) -> &'static str {
        match self {
            TokenKind::GitHubToken => "GitHub token",
            TokenKind::GitHubFineGrainedToken => "GitHub fine-grained personal access token",
            TokenKind::AwsAccessKeyId => "AWS access key ID",
            TokenKind::SlackToken => "Slack token",
            TokenKind::StripeLiveKey => "Stripe live secret key",
            TokenKind::GoogleApiKey => "Google API key",
            TokenKind::OpenAiKey => "OpenAI API key",
            TokenKind::AnthropicKey => "Anthropic API key",
            TokenKind::PrivateKey => "private key",
            TokenKind::ConnectionPassword => "password in a connection string",
        }
    }

    /// The environment variable such a secret is conventionally read from.
    pub fn env_var(self) -> &'static str {
        match self {
            TokenKind::GitHubToken | TokenKind::GitHubFineGrainedToken => "GITHUB_TOKEN",
            TokenKind::AwsAccessKeyId => "AWS_ACCESS_KEY_ID",
            TokenKind::SlackToken => "SLACK_TOKEN",
            TokenKind::StripeLiveKey => "STRIPE_SECRET_KEY",
            TokenKind::GoogleApiKey => "GOOGLE_API_KEY",
            TokenKind::OpenAiKey => "OPENAI_API_KEY",
            TokenKind::AnthropicKey => "ANTHROPIC_API_KEY",
            TokenKind::PrivateKey => "PRIVATE_KEY",
            TokenKind::ConnectionPassword => "DATABASE_URL",
        }
    }

    /// Where the exposed credential is revoked.
    pub fn revoke_hint(self) -> &'static str {
        match self {
            TokenKind::GitHubToken | TokenKind::GitHubFineGrainedToken => {
                "revoke it under GitHub → Settings → Developer settings (or the app/OAuth settings that issued it)"
            }
            TokenKind::AwsAccessKeyId => {
                "deactivate and delete the access key in AWS IAM, then check CloudTrail for its use"
            }
            TokenKind::SlackToken => "regenerate it in the Slack app's settings",
            TokenKind::StripeLiveKey => {
                "roll the key in the Stripe dashboard (Developers → API keys)"
            }
            TokenKind::GoogleApiKey => {
                "regenerate or delete the key in Google Cloud Console → APIs & Services → Credentials"
            }
            TokenKind::OpenAiKey => "revoke it on the OpenAI platform's API keys page",
            TokenKind::AnthropicKey => "revoke it in the Anthropic Console's API keys page",
            TokenKind::PrivateKey => {
                "replace the key pair everywhere the public key is trusted (certificates, deploy keys, app registrations)"
            }
            TokenKind::ConnectionPassword => {
                "change the password of this user on the database/broker it connects to, and check its access logs"
            }
        }
    }
}

/// One credential found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenMatch {
    pub kind: TokenKind,
    /// Byte range of the token (for a private key, of its `-----BEGIN` line).
    pub range: Range<usize>,
    /// Byte range of the part that identifies this particular secret: the
    /// token itself, or the start of a private key's body.
    pub identity: Range<usize>,
}

impl TokenMatch {
    /// The token with everything after its first four characters masked, so
    /// that messages never repeat the secret.
    pub fn masked(&self, text: &str) -> String {
        let token = text.get(self.range.clone()).unwrap_or("");
        if self.kind == TokenKind::PrivateKey {
            return token.to_string();
        }
        if self.kind == TokenKind::ConnectionPassword {
            let before = text
                .get(self.range.start..self.identity.start)
                .unwrap_or("");
            let after = text.get(self.identity.end..self.range.end).unwrap_or("");
            return format!("{before}****{after}");
        }
        let visible: String = token.chars().take(4).collect();
        format!("{visible}********")
    }
}

/// Every credential in `text`, in order, non-overlapping.
pub fn find_tokens(text: &str) -> Vec<TokenMatch> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let candidate = match bytes[i] {
            b'g' | b'A' | b'x' | b's' | b'r' if at_word_start(bytes, i) => match_token(bytes, i),
            b'-' => match_private_key(bytes, i),
            _ => None,
        };
        match candidate {
            Some(m) => {
                i = m.range.end;
                found.push(m);
            }
            None => i += 1,
        }
    }
    let passwords = connection_passwords(text);
    if !passwords.is_empty() {
        found.extend(passwords);
        found.sort_by_key(|m| m.range.start);
        let mut last_end = 0;
        found.retain(|m| {
            let keep = m.range.start >= last_end;
            if keep {
                last_end = m.range.end;
            }
            keep
        });
    }
    found
}

/// Passwords written into connection strings: the userinfo of
/// `postgres://app:<password>@db.acme.internal/orders`, and JDBC-style
/// `…://host/db?user=app&password=<password>`. Placeholders, interpolations,
/// well-known development defaults and local hosts (loopback, example
/// domains, single-label service names such as `db` in a compose file) are
/// left out.
fn connection_passwords(text: &str) -> Vec<TokenMatch> {
    let mut found = Vec::new();
    let mut search = 0;
    while let Some(at) = text.get(search..).and_then(|t| t.find("://")) {
        let sep = search + at;
        search = sep + 3;
        let scheme_start = scheme_start(text, sep, b"+.-:");
        if scheme_start == sep {
            continue;
        }
        let rest = &text[sep + 3..];
        let url_len = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ')' | ',' | ']'))
            .unwrap_or(rest.len());
        let url = &rest[..url_len];
        let authority_len = url.find(['/', '?', '#']).unwrap_or(url.len());
        let authority = &url[..authority_len];
        let url_start = sep + 3;
        let (host_part, password) = match authority.rfind('@') {
            Some(at_sign) => {
                let userinfo = &authority[..at_sign];
                let Some((user, password)) = userinfo.split_once(':') else {
                    continue;
                };
                let start = url_start + user.len() + 1;
                (
                    &authority[at_sign + 1..],
                    Some((user, start..start + password.len())),
                )
            }
            None => (authority, None),
        };
        let host = host_part.split(':').next().unwrap_or(host_part);
        if !is_remote_host(host) {
            continue;
        }
        let password = password.or_else(|| {
            // `?user=app&password=…` / `;password=…`.
            let query = url.get(authority_len..)?;
            let key = query.find("password=")?;
            let before = query[..key].chars().next_back()?;
            if !matches!(before, '?' | '&' | ';') {
                return None;
            }
            let value_start = key + "password=".len();
            let value_len = query[value_start..]
                .find(['&', ';', '#'])
                .unwrap_or(query.len() - value_start);
            let start = url_start + authority_len + value_start;
            Some(("", start..start + value_len))
        });
        let Some((user, range)) = password else {
            continue;
        };
        let value = &text[range.clone()];
        if is_placeholder_password(user, value) {
            continue;
        }
        found.push(TokenMatch {
            kind: TokenKind::ConnectionPassword,
            range: scheme_start..url_start + authority_len.max(range.end - url_start),
            identity: range,
        });
    }
    found
}

/// Start of the URL scheme that ends at `sep` (the `://`): the run of ASCII
/// letters, digits and `also` before it. Counted in bytes of ASCII
/// characters, so the result is always a character boundary.
pub(crate) fn scheme_start(text: &str, sep: usize, also: &[u8]) -> usize {
    sep - text.as_bytes()[..sep]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || also.contains(b))
        .count()
}

fn is_remote_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    !host.is_empty()
        && host.contains('.')
        && !host.contains(['$', '{', '}', '<', '>', '%', '*'])
        && host != "0.0.0.0"
        && !host.starts_with("127.")
        && !host.ends_with("localhost")
        && !host.ends_with("example.com")
        && !host.ends_with("example.org")
        && !host.ends_with("example.net")
        && !host.ends_with(".example")
        && !host.ends_with(".test")
        && !host.ends_with(".invalid")
        && host != "host.docker.internal"
}

fn is_placeholder_password(user: &str, password: &str) -> bool {
    let lower = password.to_ascii_lowercase();
    const DEFAULTS: &[&str] = &[
        "pass", "pwd", "passwd", "postgres", "root", "admin", "test", "testing", "guest", "user",
        "mysql", "redis", "dev", "local", "default", "sa", "demo", "rabbitmq",
    ];
    const WORDS: &[&str] = &[
        "password",
        "secret",
        "changeme",
        "example",
        "your",
        "xxx",
        "placeholder",
        "redacted",
        "dummy",
        "sample",
    ];
    password.len() < 3
        || password.starts_with(['$', '{', '<', '%', '[', '(', ':'])
        || password.contains("${")
        || password.contains("{{")
        || password.contains(['<', '>'])
        || lower == user.to_ascii_lowercase()
        || DEFAULTS.contains(&lower.as_str())
        || WORDS.iter().any(|w| lower.contains(w))
        || password.chars().all(|c| c == '*' || c == 'x' || c == '.')
}

fn at_word_start(bytes: &[u8], i: usize) -> bool {
    i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn is_upper_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

fn is_alnum_underscore(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_alnum_dash(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

fn is_url_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// End of the longest run of `class` starting at `from`.
fn run_end(bytes: &[u8], from: usize, class: fn(u8) -> bool) -> usize {
    from + bytes[from.min(bytes.len())..]
        .iter()
        .take_while(|&&b| class(b))
        .count()
}

fn match_token(bytes: &[u8], start: usize) -> Option<TokenMatch> {
    let rest = &bytes[start..];
    // (prefix, kind, body class, minimum body length, maximum body length)
    type Format = (&'static [u8], TokenKind, fn(u8) -> bool, usize, usize);
    const FORMATS: &[Format] = &[
        (
            b"github_pat_",
            TokenKind::GitHubFineGrainedToken,
            is_alnum_underscore,
            60,
            255,
        ),
        (b"ghp_", TokenKind::GitHubToken, is_alnum, 36, 251),
        (b"gho_", TokenKind::GitHubToken, is_alnum, 36, 251),
        (b"ghu_", TokenKind::GitHubToken, is_alnum, 36, 251),
        (b"ghs_", TokenKind::GitHubToken, is_alnum, 36, 251),
        (b"ghr_", TokenKind::GitHubToken, is_alnum, 36, 251),
        (b"AKIA", TokenKind::AwsAccessKeyId, is_upper_alnum, 16, 16),
        (b"ASIA", TokenKind::AwsAccessKeyId, is_upper_alnum, 16, 16),
        (b"AIza", TokenKind::GoogleApiKey, is_url_safe, 35, 35),
        (b"xoxb-", TokenKind::SlackToken, is_alnum_dash, 20, 255),
        (b"xoxa-", TokenKind::SlackToken, is_alnum_dash, 20, 255),
        (b"xoxp-", TokenKind::SlackToken, is_alnum_dash, 20, 255),
        (b"xoxr-", TokenKind::SlackToken, is_alnum_dash, 20, 255),
        (b"xoxs-", TokenKind::SlackToken, is_alnum_dash, 20, 255),
        (b"sk_live_", TokenKind::StripeLiveKey, is_alnum, 20, 255),
        (b"rk_live_", TokenKind::StripeLiveKey, is_alnum, 20, 255),
        (b"sk-ant-", TokenKind::AnthropicKey, is_url_safe, 40, 255),
        (b"sk-proj-", TokenKind::OpenAiKey, is_url_safe, 40, 255),
        (b"sk-svcacct-", TokenKind::OpenAiKey, is_url_safe, 40, 255),
        (b"sk-admin-", TokenKind::OpenAiKey, is_url_safe, 40, 255),
    ];
    for &(prefix, kind, class, min, max) in FORMATS {
        if !rest.starts_with(prefix) {
            continue;
        }
        let body_start = start + prefix.len();
        let end = run_end(bytes, body_start, class);
        let body = &bytes[body_start..end];
        // A longer run of letters means this is part of a longer word, not a
        // fixed-length key.
        let bounded = bytes.get(end).is_none_or(|&b| !is_alnum(b));
        if (min..=max).contains(&body.len()) && bounded && looks_random(body) {
            return Some(TokenMatch {
                kind,
                range: start..end,
                identity: start..end,
            });
        }
        return None;
    }
    // Legacy OpenAI keys: `sk-` and a long alphanumeric run, or the
    // `T3BlbkFJ` marker every such key carries.
    if rest.starts_with(b"sk-") {
        let body_start = start + 3;
        let end = run_end(bytes, body_start, is_url_safe);
        let body = &bytes[body_start..end];
        let plain = body.len() >= 32 && body.iter().all(|&b| is_alnum(b));
        let marked = body.len() >= 32 && body.windows(8).any(|w| w == b"T3BlbkFJ");
        if (plain || marked) && looks_random(body) {
            return Some(TokenMatch {
                kind: TokenKind::OpenAiKey,
                range: start..end,
                identity: start..end,
            });
        }
    }
    None
}

/// `-----BEGIN [RSA |EC |OPENSSH |DSA |ENCRYPTED ]PRIVATE KEY-----` followed by
/// a base64 body. Code that merely checks for the header (`pem.startsWith(…)`)
/// has no body and is not a finding.
fn match_private_key(bytes: &[u8], start: usize) -> Option<TokenMatch> {
    let rest = &bytes[start..];
    let after_begin = rest.strip_prefix(b"-----BEGIN ")?;
    let after_type = [
        &b"RSA "[..],
        b"EC ",
        b"OPENSSH ",
        b"DSA ",
        b"ENCRYPTED ",
        b"",
    ]
    .iter()
    .find_map(|t| after_begin.strip_prefix(*t))?;
    let after_header = after_type.strip_prefix(b"PRIVATE KEY-----")?;
    let header_end = bytes.len() - after_header.len();

    // The body may follow after a newline, a `\n` escape, quotes and string
    // concatenation, or `Proc-Type`/`DEK-Info` headers: look a little ahead
    // for a long base64 run.
    let window_end = (header_end + 300).min(bytes.len());
    let is_b64 = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    let mut i = header_end;
    while i < window_end {
        if is_b64(bytes[i]) {
            let end = run_end(bytes, i, is_b64);
            if end - i >= 40 {
                return Some(TokenMatch {
                    kind: TokenKind::PrivateKey,
                    range: start..header_end,
                    identity: i..(i + 64).min(end),
                });
            }
            i = end;
        } else {
            i += 1;
        }
    }
    None
}

/// Real credentials are random; documentation placeholders are not.
fn looks_random(body: &[u8]) -> bool {
    let lower = body.to_ascii_lowercase();
    const PLACEHOLDERS: &[&[u8]] = &[
        b"xxxx",
        b"your",
        b"example",
        b"placeholder",
        b"redacted",
        b"dummy",
        b"fake",
        b"sample",
        b"changeme",
        b"replace",
    ];
    if PLACEHOLDERS
        .iter()
        .any(|p| lower.windows(p.len()).any(|w| w == *p))
    {
        return false;
    }
    let has_digit = body.iter().any(u8::is_ascii_digit);
    let has_letter = body.iter().any(u8::is_ascii_alphabetic);
    if !has_digit || !has_letter {
        return false;
    }
    // `aaaa`, `0000`: filler.
    if body.windows(4).any(|w| w.iter().all(|&b| b == w[0])) {
        return false;
    }
    // `abcde`, `12345`: typed by hand.
    if lower
        .windows(5)
        .any(|w| w.windows(2).all(|p| p[1] == p[0].wrapping_add(1)))
    {
        return false;
    }
    let mut seen = [false; 256];
    let distinct = body
        .iter()
        .filter(|&&b| !std::mem::replace(&mut seen[b as usize], true))
        .count();
    distinct >= (body.len() / 3).min(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic random-looking text, so that no key-shaped literal is
    /// committed to the repository.
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
    const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    fn kinds(text: &str) -> Vec<TokenKind> {
        find_tokens(text).into_iter().map(|m| m.kind).collect()
    }

    #[test]
    fn recognises_each_format() {
        let cases = [
            (
                format!("gh{}_{}", "p", random(1, 36, ALNUM)),
                TokenKind::GitHubToken,
            ),
            (
                format!("gh{}_{}", "s", random(2, 36, ALNUM)),
                TokenKind::GitHubToken,
            ),
            (
                format!("github_{}_{}", "pat", random(3, 82, ALNUM)),
                TokenKind::GitHubFineGrainedToken,
            ),
            (
                format!("AK{}{}", "IA", random(4, 16, UPPER)),
                TokenKind::AwsAccessKeyId,
            ),
            (
                format!("AI{}{}", "za", random(5, 35, ALNUM)),
                TokenKind::GoogleApiKey,
            ),
            (
                format!("xox{}-{}-{}", "b", "2837461920", random(6, 24, ALNUM)),
                TokenKind::SlackToken,
            ),
            (
                format!("sk_{}_{}", "live", random(7, 24, ALNUM)),
                TokenKind::StripeLiveKey,
            ),
            (
                format!("sk-{}-{}", "ant", random(8, 90, ALNUM)),
                TokenKind::AnthropicKey,
            ),
            (
                format!("sk-{}-{}", "proj", random(9, 60, ALNUM)),
                TokenKind::OpenAiKey,
            ),
            (
                format!("sk-{}", random(10, 48, ALNUM)),
                TokenKind::OpenAiKey,
            ),
            (
                format!(
                    "-----BEGIN {}-----\n{}\n",
                    "RSA PRIVATE KEY",
                    random(11, 64, ALNUM)
                ),
                TokenKind::PrivateKey,
            ),
        ];
        for (text, kind) in cases {
            let quoted = format!("const value = \"{text}\";");
            assert_eq!(kinds(&quoted), [kind], "{kind:?}");
        }
    }

    #[test]
    fn ignores_placeholders_and_partial_words() {
        let texts = [
            format!("gh{}_{}", "p", "x".repeat(36)),
            format!("gh{}_{}", "p", "a".repeat(36)),
            format!("gh{}_<your-token>", "p"),
            format!("AK{}{}", "IA", "IOSFODNN7EXAMPLE"),
            format!("AK{}{}", "IA", "0123456789ABCDEF"),
            // Glued to a longer word: not a token boundary.
            format!("my{}{}", "AKIA", random(12, 16, UPPER)),
            format!("AK{}{}lower", "IA", random(13, 16, UPPER)),
            format!("sk-{}", "my-very-long-descriptive-slug-name-here"),
            format!("-----BEGIN {}-----", "RSA PRIVATE KEY"),
            format!(
                "if (pem.startsWith(\"-----BEGIN {}-----\")) {{ return true; }}",
                "PRIVATE KEY"
            ),
            "task-aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW".to_string(),
        ];
        for text in texts {
            assert!(kinds(&text).is_empty(), "{text}");
        }
    }

    #[test]
    fn finds_passwords_in_connection_strings() {
        let password = random(14, 18, ALNUM);
        let found = find_tokens(&format!(
            "url = \"postgres://orders:{password}@db.acme.internal:5432/orders\""
        ));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, TokenKind::ConnectionPassword);
        let text = format!("postgres://orders:{password}@db.acme.internal:5432/orders");
        let m = &find_tokens(&text)[0];
        assert_eq!(
            m.masked(&text),
            "postgres://orders:****@db.acme.internal:5432"
        );
        let jdbc = format!("jdbc:mysql://db.acme.internal/app?user=app&password={password}");
        assert_eq!(kinds(&jdbc), [TokenKind::ConnectionPassword]);
        for quiet in [
            format!("postgres://orders:{password}@localhost:5432/orders"),
            format!("postgres://orders:{password}@db:5432/orders"),
            "postgres://postgres:postgres@db.acme.internal/app".to_string(),
            "postgres://app:${DB_PASSWORD}@db.acme.internal/app".to_string(),
            "mysql://root:your_password@db.acme.internal/app".to_string(),
            "postgres://app@db.acme.internal/app".to_string(),
            "https://github.com/acme/app".to_string(),
            "é://ü:é@ö.ä/ é://".to_string(),
        ] {
            assert!(kinds(&quiet).is_empty(), "{quiet}");
        }
    }

    #[test]
    fn masks_all_but_four_characters() {
        let token = format!("gh{}_{}", "p", random(1, 36, ALNUM));
        let m = &find_tokens(&token)[0];
        assert_eq!(m.masked(&token), "ghp_********");
    }
}

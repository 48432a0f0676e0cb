//! Small helpers shared by the fake's handlers: hashing, ids, encodings, paging.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::Rng;
use rand::distr::Alphanumeric;
use sha1::{Digest, Sha1};

pub(crate) fn sha1_hex(bytes: &[u8]) -> String {
    let digest = Sha1::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA git gives a blob: SHA-1 over `blob <len>\0<bytes>`.
pub(crate) fn git_blob_sha(bytes: &[u8]) -> String {
    let mut data = format!("blob {}\0", bytes.len()).into_bytes();
    data.extend_from_slice(bytes);
    sha1_hex(&data)
}

/// `ghs_` + 36 random alphanumerics, the shape of a real installation token.
pub(crate) fn installation_token() -> String {
    let tail: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(36)
        .map(char::from)
        .collect();
    format!("ghs_{tail}")
}

pub(crate) fn random_hex(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// Base64 as GitHub's contents and blobs APIs send it: wrapped with a newline
/// every 60 characters (Ruby's `Base64.encode64`), ending in a newline.
pub(crate) fn base64_wrapped(bytes: &[u8]) -> String {
    let flat = STANDARD.encode(bytes);
    let mut out = String::with_capacity(flat.len() + flat.len() / 60 + 1);
    for chunk in flat.as_bytes().chunks(60) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// A GraphQL-style global node id (`PREFIX_` + base64 of the type and number).
pub(crate) fn node_id(prefix: &str, id: u64) -> String {
    let raw = format!("0:{prefix}{id}");
    format!(
        "{prefix}_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    )
}

/// RFC 3339 with a `Z` suffix and whole seconds, as GitHub writes timestamps.
pub(crate) fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(crate) fn now_iso() -> String {
    iso(chrono::Utc::now())
}

/// Decodes `%XX` escapes in one path segment or query component.
pub(crate) fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn parse_query(raw: Option<&str>) -> Vec<(String, String)> {
    raw.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// Paging parameters as GitHub reads them: `per_page` defaults to 30 and is
/// clamped to 100; `page` starts at 1.
pub(crate) struct Paging {
    pub per_page: usize,
    pub page: usize,
}

pub(crate) fn paging(query: &[(String, String)]) -> Paging {
    let get = |k: &str| {
        query
            .iter()
            .find(|(key, _)| key == k)
            .and_then(|(_, v)| v.parse::<usize>().ok())
    };
    let per_page = match get("per_page") {
        Some(0) | None => 30,
        Some(n) => n.min(100),
    };
    let page = get("page").unwrap_or(1).max(1);
    Paging { per_page, page }
}

/// Returns the slice of `total` items on this page and the `Link` header value
/// (absolute URLs, `prev`/`next`/`last`/`first` in GitHub's order), if any.
pub(crate) fn page_window(
    base_url: &str,
    path: &str,
    query: &[(String, String)],
    total: usize,
    p: &Paging,
) -> (std::ops::Range<usize>, Option<String>) {
    let last_page = total.div_ceil(p.per_page).max(1);
    let start = ((p.page - 1) * p.per_page).min(total);
    let end = (start + p.per_page).min(total);
    let link_to = |page: usize| {
        // Keep the caller's other parameters in order and put `page` last,
        // which is how GitHub builds its links.
        let mut parts: Vec<String> = query
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
            .collect();
        parts.push(format!("page={page}"));
        format!("<{base_url}{path}?{}>", parts.join("&"))
    };
    let mut rels = Vec::new();
    if p.page > 1 {
        rels.push(format!(
            "{}; rel=\"prev\"",
            link_to((p.page - 1).min(last_page))
        ));
    }
    if p.page < last_page {
        rels.push(format!("{}; rel=\"next\"", link_to(p.page + 1)));
        rels.push(format!("{}; rel=\"last\"", link_to(last_page)));
    }
    if p.page > 1 {
        rels.push(format!("{}; rel=\"first\"", link_to(1)));
    }
    let link = if rels.is_empty() {
        None
    } else {
        Some(rels.join(", "))
    };
    (start..end, link)
}

pub(crate) fn encode_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Encodes a repository path for a URL, keeping the slashes.
pub(crate) fn encode_path(s: &str) -> String {
    s.split('/')
        .map(encode_component)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_sha_matches_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            git_blob_sha(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }

    #[test]
    fn base64_is_wrapped_at_60() {
        let s = base64_wrapped(&[7u8; 100]);
        let lines: Vec<&str> = s.trim_end().split('\n').collect();
        assert_eq!(lines[0].len(), 60);
        assert!(s.ends_with('\n'));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b%2Fc", false), "a b/c");
        assert_eq!(percent_decode("a+b", true), "a b");
        assert_eq!(percent_decode("100%", false), "100%");
    }
}

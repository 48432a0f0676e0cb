//! `hardcoded-config/endpoint`: an environment-specific host, URL, IP address or bucket written into production code.
//!
//! ## What it does
//! Finds string literals in production source that name infrastructure which
//! differs between environments:
//! - database, cache and broker URLs (`postgres://`, `mysql://`,
//!   `mongodb://`, `redis://`, `amqp://`, `kafka://`, `nats://`) and
//!   key-value DSNs (`host=db.prod.acme.com port=5432 …`);
//! - storage buckets (`s3://…`, `gs://…`, and names with an environment in
//!   them given to a name that says bucket: `const BUCKET = "acme-prod-uploads"`);
//! - HTTP(S), WebSocket and gRPC URLs whose host is an IP address, an
//!   internal or environment-named host (`.internal`, `.corp`, `.local`,
//!   `.svc.cluster.local`, `staging`, `dev`, `qa`, `uat`, `prod`, …) or
//!   a cloud region (`gw.eu-west-1.acme.com`, `europe-west1`), a bare
//!   service name (`http://billing:8080`) or carries an explicit port;
//! - bare private IP addresses (`10.…`, `172.16–31.…`, `192.168.…`);
//! - Java: a bare internal or environment-named host given to a host
//!   setter (`new PgConnectOptions().setHost("pg.prod.internal")`,
//!   `.host("…")`) or bound to a name that says host (`DB_HOST = "…"`);
//! - bare host names with an internal or environment label given to a name
//!   that says host (`host: "smtp.acme.local"`, `DB_HOSTNAME = "db.prod.acme.com"`);
//! - bare `host:port` targets with no scheme whose host is internal or
//!   environment-named (`grpc.NewClient("pricing.prod.svc.cluster.local:50051")`,
//!   Kafka `brokers: ["kafka-1.prod.acme.internal:9092"]`).
//!
//! Deliberately not reported: public SaaS endpoints (`https://api.stripe.com`:
//! a vendor constant, not configuration), loopback and documentation hosts
//! (`localhost`, `127.0.0.1`, `example.com`, `*.test`), literals used as the
//! default of an environment or configuration lookup
//! (`process.env.API_URL ?? "http://…"`, `os.getenv("API_URL", "…")`,
//! `env::var("API_URL").unwrap_or(…)`), literals in log, print and error
//! messages, Python docstrings, Rust attributes and Java `@Value`, and every
//! file that is a test, a configuration file (`config/`, `settings.py`,
//! `*.config.ts`, …) or an example. Java has no configuration files in
//! source: a Spring `@Configuration` class (`DataSourceConfig.java`,
//! `com/acme/config/`) is code and is checked.
//!
//! ## Why is this bad?
//! The same build has to run in development, staging and production. A host
//! written into the code makes staging talk to production's database (or the
//! reverse), forces a code change and a redeploy when infrastructure moves,
//! and tells every reader of the repository where the internal services live.
//!
//! ## Example
//! ```ts
//! const billing = axios.create({ baseURL: "https://billing.internal.acme.com/v1" });
//! ```
//!
//! Use instead:
//! ```ts
//! const billing = axios.create({ baseURL: config.billingUrl }); // from BILLING_URL
//! ```

use std::ops::Range;

use tree_sitter::Node;

use super::token_formats::{TokenKind, find_tokens, scheme_start};
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::Rule;
use crate::syntax::NodeExt as _;
use crate::syntax::{identifier_words, in_rust_test, is_test_path};

pub static META: RuleMeta = RuleMeta {
    id: "hardcoded-config/endpoint",
    item: ChecklistItem::HardcodedConfig,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Go,
        Language::Rust,
        Language::Java,
    ],
    summary: "An internal host, IP address, database URL or bucket hard-coded in production source",
};

pub struct Endpoint;

impl Rule for Endpoint {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        if is_test_path(ctx.path) || is_config_path(ctx.path) {
            return;
        }
        for node in ctx.nodes_in_order(literal_kinds(language)) {
            if !is_literal(language, node) {
                continue;
            }
            let text = ctx.text(node);
            // The text scan first: most literals hold no endpoint, and the
            // checks below (all side-effect free) walk the tree.
            let Some(found) = find_endpoint(text)
                .or_else(|| named_bucket(ctx, node, text))
                .or_else(|| java_host_argument(ctx, language, node, text))
                .or_else(|| named_internal_host(ctx, node, text))
            else {
                continue;
            };
            if excluded_context(ctx, language, node)
                || (language == Language::Rust && in_rust_test(node, ctx.source))
            {
                continue;
            }
            // A URL with a real password is `hardcoded-config/secret`'s.
            if find_tokens(text)
                .iter()
                .any(|t| t.kind == TokenKind::ConnectionPassword)
            {
                continue;
            }
            let start = node.start_byte() + found.range.start;
            let end = node.start_byte() + found.range.end;
            out.push(report(ctx, node, start..end, found.kind));
        }
    }
}

/// The kinds [`is_literal`] accepts in `language`.
fn literal_kinds(language: Language) -> &'static [&'static str] {
    match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => {
            &["string", "template_string"]
        }
        Language::Python => &["string"],
        Language::Go => &["interpreted_string_literal", "raw_string_literal"],
        Language::Rust => &["string_literal", "raw_string_literal"],
        Language::Java => &["string_literal", "text_block"],
        Language::Sql => &[],
    }
}

fn is_literal(language: Language, node: Node<'_>) -> bool {
    match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => {
            matches!(node.kind_str(), "string" | "template_string")
        }
        Language::Python => node.kind_str() == "string",
        Language::Go => matches!(
            node.kind_str(),
            "interpreted_string_literal" | "raw_string_literal"
        ),
        Language::Rust => matches!(node.kind_str(), "string_literal" | "raw_string_literal"),
        Language::Java => matches!(node.kind_str(), "string_literal" | "text_block"),
        Language::Sql => false,
    }
}

/// Files whose job is to hold configuration (or to demonstrate usage).
///
/// Java has no configuration *files* in source: a `config/` package or a
/// `DataSourceConfig.java` is a Spring `@Configuration` class, code that
/// runs in every environment, so only the example and tooling directories
/// are exempt there.
fn is_config_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let (dirs, file) = lower.rsplit_once('/').unwrap_or(("", &lower));
    let stem = file.split('.').next().unwrap_or(file);
    let tooling_dir = |d: &str| {
        matches!(
            d,
            "examples" | "example" | "docs" | "scripts" | "migrations" | "seeds"
        )
    };
    if file.ends_with(".java") {
        return dirs.split('/').any(tooling_dir);
    }
    dirs.split('/').any(|d| {
        tooling_dir(d)
            || matches!(
                d,
                "config"
                    | "configs"
                    | "conf"
                    | "configuration"
                    | "settings"
                    | "env"
                    | "environments"
            )
    }) || matches!(
        stem,
        "config" | "configuration" | "settings" | "conf" | "constants" | "env" | "environment"
    ) || file.contains(".config.")
        || stem.ends_with("_config")
        || stem.ends_with("_settings")
        || stem.ends_with("config")
        || stem.ends_with("settings")
}

/// Literals whose role is not "where to connect": messages, docs,
/// defaults of a configuration lookup, attributes.
fn excluded_context(ctx: &RuleContext<'_>, language: Language, literal: Node<'_>) -> bool {
    let mut child = literal;
    let mut current = literal.parent();
    let mut depth = 0;
    while let Some(node) = current {
        depth += 1;
        let text_of = |field: &str| node.field(field).map(|n| ctx.text(n));
        match node.kind_str() {
            // Python docstring / a bare string statement.
            "expression_statement" if language == Language::Python && child == literal => {
                return true;
            }
            "attribute_item" | "inner_attribute_item" | "decorator" => return true,
            "annotation" | "marker_annotation" => {
                return text_of("name").is_some_and(|n| n == "Value");
            }
            "throw_statement" | "raise_statement" => return true,
            // `process.env.X ?? "…"`, `os.environ.get("X") or "…"`.
            "binary_expression" | "boolean_operator" => {
                let op = text_of("operator").unwrap_or("");
                let left = node.field("left");
                if matches!(op, "??" | "||" | "or")
                    && left.is_some_and(|l| l != child && is_config_lookup(ctx.text(l)))
                {
                    return true;
                }
            }
            "call_expression" | "call" | "method_invocation" | "macro_invocation"
                if node.field("arguments") == Some(child) || child.kind_str() == "token_tree" =>
            {
                let callee = match node.kind_str() {
                    "method_invocation" => {
                        let object = text_of("object").unwrap_or("");
                        format!("{object}.{}", text_of("name").unwrap_or(""))
                    }
                    "macro_invocation" => text_of("macro").unwrap_or("").to_string(),
                    _ => text_of("function").unwrap_or("").to_string(),
                };
                if is_message_call(&callee) || is_config_lookup(&callee) {
                    return true;
                }
            }
            "new_expression" | "object_creation_expression" => {
                let ty = text_of("constructor")
                    .or_else(|| text_of("type"))
                    .unwrap_or("");
                if ty.ends_with("Error") || ty.ends_with("Exception") {
                    return true;
                }
            }
            _ => {}
        }
        // Statements end the search: the literal's role is decided within.
        if node.kind_str().ends_with("statement")
            || node.kind_str().ends_with("declaration")
            || node.kind_str() == "let_declaration"
            || depth > 8
        {
            return false;
        }
        child = node;
        current = node.parent();
    }
    false
}

/// `process.env.X`, `os.getenv`, `config.get`, `getOrDefault`,
/// `flag.String`, `env::var(…).unwrap_or`: reads of configuration.
fn is_config_lookup(text: &str) -> bool {
    identifier_words(text).iter().any(|w| {
        matches!(
            w.as_str(),
            "env"
                | "getenv"
                | "environ"
                | "environment"
                | "config"
                | "cfg"
                | "conf"
                | "settings"
                | "setting"
                | "property"
                | "getproperty"
                | "flag"
                | "default"
                | "defaults"
        )
    })
}

fn is_message_call(callee: &str) -> bool {
    let last = callee
        .rsplit(['.', ':'])
        .next()
        .unwrap_or(callee)
        .to_ascii_lowercase();
    matches!(
        last.as_str(),
        "log"
            | "info"
            | "warn"
            | "warning"
            | "error"
            | "debug"
            | "trace"
            | "fatal"
            | "print"
            | "println"
            | "printf"
            | "eprintln"
            | "eprint"
            | "errorf"
            | "fatalf"
            | "infof"
            | "warnf"
            | "debugf"
            | "panic"
            | "bail"
            | "anyhow"
            | "exception"
            | "critical"
            | "assert"
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Database,
    Bucket,
    Internal,
    Ip,
}

struct Found {
    kind: Kind,
    /// Byte range within the literal's text.
    range: Range<usize>,
}

const DB_SCHEMES: &[&str] = &[
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongodb",
    "mongodb+srv",
    "redis",
    "rediss",
    "amqp",
    "amqps",
    "kafka",
    "nats",
    "sqlserver",
    "clickhouse",
];

const WEB_SCHEMES: &[&str] = &["http", "https", "ws", "wss", "grpc", "grpcs", "tcp"];

fn find_endpoint(text: &str) -> Option<Found> {
    let mut search = 0;
    while let Some(at) = text.get(search..).and_then(|t| t.find("://")) {
        let sep = search + at;
        search = sep + 3;
        let scheme_start = scheme_start(text, sep, b"+");
        let scheme = text[scheme_start..sep].to_ascii_lowercase();
        let rest = &text[sep + 3..];
        let authority_len = rest
            .find(['/', '?', '#', '"', '\'', '`', ' ', '\n', ','])
            .unwrap_or(rest.len());
        let authority = &rest[..authority_len];
        let hostport = authority.rsplit('@').next().unwrap_or(authority);
        if hostport.contains(['$', '{', '}', '%', '<', '>', '*']) || hostport.is_empty() {
            continue;
        }
        let (host, port) = split_port(hostport);
        let end = sep + 3 + authority_len;
        let kind = if matches!(scheme.as_str(), "s3" | "gs") {
            Some(Kind::Bucket)
        } else if DB_SCHEMES.contains(&scheme.as_str()) {
            (!is_loopback_or_example(host) && host.contains('.')).then_some(Kind::Database)
        } else if WEB_SCHEMES.contains(&scheme.as_str()) {
            web_host_kind(host, port)
        } else {
            None
        };
        if let Some(kind) = kind {
            // Report the URL up to the end of its path.
            let path_len = text[end..]
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '$' | '{'))
                .unwrap_or(text.len() - end);
            return Some(Found {
                kind,
                range: scheme_start..end + path_len,
            });
        }
    }
    key_value_dsn(text)
        .or_else(|| bare_private_ip(text))
        .or_else(|| bare_internal_host_port(text))
}

fn split_port(hostport: &str) -> (&str, Option<&str>) {
    if hostport.starts_with('[') {
        return (hostport, None);
    }
    match hostport.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => (h, Some(p)),
        _ => (hostport, None),
    }
}

fn is_loopback_or_example(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.starts_with("127.")
        || host == "0.0.0.0"
        || host == "[::1]"
        || host == "host.docker.internal"
        || host.ends_with("example.com")
        || host.ends_with("example.org")
        || host.ends_with("example.net")
        || host.ends_with(".example")
        || host.ends_with(".test")
        || host.ends_with(".invalid")
}

fn ipv4(host: &str) -> Option<[u8; 4]> {
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut out = [0u8; 4];
    for (slot, part) in out.iter_mut().zip(parts) {
        if part.is_empty() || part.len() > 3 || !part.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        *slot = part.parse().ok()?;
    }
    Some(out)
}

fn is_private(ip: [u8; 4]) -> bool {
    matches!(ip, [10, ..] | [192, 168, ..])
        || (ip[0] == 172 && (16..=31).contains(&ip[1]))
        || (ip[0] == 100 && (64..=127).contains(&ip[1]))
}

/// Environment- or network-specific labels of a host name.
const INTERNAL_LABELS: &[&str] = &[
    "internal",
    "intranet",
    "intra",
    "corp",
    "local",
    "lan",
    "svc",
    "cluster",
    "consul",
    "staging",
    "stage",
    "stg",
    "dev",
    "qa",
    "uat",
    "preprod",
    "prod",
    "production",
];

fn web_host_kind(host: &str, port: Option<&str>) -> Option<Kind> {
    if is_loopback_or_example(host) || host.is_empty() {
        return None;
    }
    if let Some(ip) = ipv4(host) {
        return (ip != [0, 0, 0, 0]).then_some(Kind::Ip);
    }
    let lower = host.to_ascii_lowercase();
    if !lower
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return None;
    }
    let internal = is_internal_host(&lower);
    // A bare service name (`http://billing:8080`) only resolves inside one
    // network; require a port so that `http://foo` placeholders stay quiet.
    let service_name = !lower.contains('.') && port.is_some();
    let custom_port = port.is_some_and(|p| !matches!(p, "80" | "443")) && lower.contains('.');
    (internal || service_name || custom_port).then_some(Kind::Internal)
}

/// A lower-case host name with an internal, environment or region label.
fn is_internal_host(lower: &str) -> bool {
    // The top-level domain only counts when it is a private one: `.dev`
    // and `.prod` are public TLDs (`pkg.go.dev`).
    let (below_tld, tld) = lower.rsplit_once('.').unwrap_or(("", lower));
    below_tld
        .split(['.', '-'])
        .any(|label| INTERNAL_LABELS.contains(&label))
        || below_tld.split('.').any(is_cloud_region)
        || matches!(
            tld,
            "internal" | "local" | "lan" | "corp" | "intranet" | "localdomain"
        )
}

/// `eu-west-1`, `us-east-2` (AWS), `europe-west1`, `us-central1` (GCP): a
/// host label naming a cloud region pins the code to one deployment.
fn is_cloud_region(label: &str) -> bool {
    const AREAS: &[&str] = &[
        "us",
        "eu",
        "ap",
        "sa",
        "ca",
        "me",
        "af",
        "il",
        "mx",
        "europe",
        "asia",
        "australia",
        "northamerica",
        "southamerica",
        "africa",
    ];
    const DIRECTIONS: &[&str] = &[
        "north",
        "south",
        "east",
        "west",
        "central",
        "northeast",
        "southeast",
        "northwest",
        "southwest",
    ];
    let mut parts = label.split('-');
    let (Some(area), Some(direction), rest) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    if !AREAS.contains(&area) || parts.next().is_some() {
        return false;
    }
    match rest {
        // AWS: `eu-west-1`.
        Some(n) => {
            DIRECTIONS.contains(&direction)
                && !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
        }
        // GCP: `europe-west1`.
        None => {
            let digits = direction.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            let word = &direction[..direction.len() - digits.len()];
            !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && DIRECTIONS.contains(&word)
        }
    }
}

/// `const BUCKET = "acme-prod-user-uploads"`, `Bucket="acme-staging-exports"`:
/// a bucket name with an environment in it, given to a name that says
/// bucket. The whole literal is the range.
fn named_bucket(ctx: &RuleContext<'_>, literal: Node<'_>, text: &str) -> Option<Found> {
    let value = text.trim_matches(|c| matches!(c, '"' | '\'' | '`'));
    let valid = (3..=63).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    let environment = value.split(['-', '.']).any(|w| {
        matches!(
            w,
            "prod" | "production" | "staging" | "stage" | "stg" | "dev" | "qa" | "uat" | "preprod"
        )
    });
    if !valid || !environment {
        return None;
    }
    let name = bound_name(ctx, literal)?;
    identifier_words(name)
        .iter()
        .any(|w| w == "bucket")
        .then(|| {
            let start = text.find(value).unwrap_or(0);
            Found {
                kind: Kind::Bucket,
                range: start..start + value.len(),
            }
        })
}

/// Java: a bare internal or environment-named host (no scheme, no port)
/// given to a host setter (`new PgConnectOptions().setHost("pg.prod.internal")`,
/// `builder.host("…")`) or bound to a name that says host
/// (`DB_HOST = "…"`).
fn java_host_argument(
    ctx: &RuleContext<'_>,
    language: Language,
    literal: Node<'_>,
    text: &str,
) -> Option<Found> {
    if language != Language::Java {
        return None;
    }
    let inner = text.trim_matches('"');
    let lower = inner.to_ascii_lowercase();
    if !lower.contains('.')
        || ipv4(&lower).is_some()
        || !lower.starts_with(|c: char| c.is_ascii_alphabetic())
        || !lower
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        || is_loopback_or_example(&lower)
        || !is_internal_host(&lower)
    {
        return None;
    }
    let says_host = |name: &str| identifier_words(name).iter().any(|w| w == "host");
    let args = literal.parent().filter(|p| p.kind_str() == "argument_list");
    let setter = args.is_some_and(|a| {
        a.named_child_count() == 1
            && a.parent()
                .filter(|c| c.kind_str() == "method_invocation")
                .and_then(|c| c.field("name"))
                .is_some_and(|m| says_host(ctx.text(m)))
    });
    (setter || bound_name(ctx, literal).is_some_and(says_host)).then(|| {
        let start = text.find(inner).unwrap_or(0);
        Found {
            kind: Kind::Internal,
            range: start..start + inner.len(),
        }
    })
}

/// `host: "smtp.acme.local"` (`hostname`, `server`, `SMTP_HOST = …`): a
/// bare host name with an internal or environment label, given to a name
/// that says host. The whole literal is the range.
fn named_internal_host(ctx: &RuleContext<'_>, literal: Node<'_>, text: &str) -> Option<Found> {
    let value = text.trim_matches(|c| matches!(c, '"' | '\'' | '`'));
    let lower = value.to_ascii_lowercase();
    let host_like = value.contains('.')
        && value.starts_with(|c: char| c.is_ascii_alphabetic())
        && lower
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !host_like || is_loopback_or_example(&lower) || !is_internal_host(&lower) {
        return None;
    }
    let name = bound_name(ctx, literal)?;
    identifier_words(name)
        .last()
        .is_some_and(|w| matches!(w.as_str(), "host" | "hostname" | "server"))
        .then(|| {
            let start = text.find(value).unwrap_or(0);
            Found {
                kind: Kind::Internal,
                range: start..start + value.len(),
            }
        })
}

/// The variable, constant, field, property or keyword argument a literal is
/// the value of.
fn bound_name<'s>(ctx: &RuleContext<'s>, literal: Node<'_>) -> Option<&'s str> {
    let mut parent = literal.parent()?;
    // Go's `const X = "…"` holds its values in an expression list.
    if parent.kind_str() == "expression_list" {
        parent = parent.parent()?;
    }
    let name = match parent.kind_str() {
        "variable_declarator"
        | "const_spec"
        | "var_spec"
        | "const_item"
        | "static_item"
        | "keyword_argument" => parent.field("name"),
        "assignment" | "assignment_expression" => parent.field("left"),
        "pair" => parent.field("key"),
        "let_declaration" => parent.field("pattern"),
        _ => None,
    }?;
    Some(ctx.text(name).trim_matches(|c| matches!(c, '"' | '\'')))
}

/// `host=db.prod.acme.com port=5432 dbname=app` (libpq, JDBC-less DSNs).
fn key_value_dsn(text: &str) -> Option<Found> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find("host=")?;
    if at > 0 && lower.as_bytes()[at - 1].is_ascii_alphanumeric() {
        return None;
    }
    if !(lower.contains("dbname=") || lower.contains("port=") || lower.contains("user=")) {
        return None;
    }
    let value_start = at + 5;
    let len = text[value_start..]
        .find(|c: char| c.is_whitespace() || matches!(c, ';' | '"' | '\'' | '`'))
        .unwrap_or(text.len() - value_start);
    let host = &text[value_start..value_start + len];
    if host.is_empty()
        || host.contains(['$', '{', '%', '<'])
        || is_loopback_or_example(host)
        || !host.contains('.')
    {
        return None;
    }
    Some(Found {
        kind: Kind::Database,
        range: at..value_start + len,
    })
}

/// A literal that is exactly a private IPv4 address, optionally with a port.
fn bare_private_ip(text: &str) -> Option<Found> {
    let inner = text.trim_matches(|c| matches!(c, '"' | '\'' | '`'));
    let (host, _) = split_port(inner);
    let ip = ipv4(host)?;
    is_private(ip).then(|| {
        let start = text.find(inner).unwrap_or(0);
        Found {
            kind: Kind::Ip,
            range: start..start + inner.len(),
        }
    })
}

/// A literal that is exactly `host:port` (no scheme) with an internal or
/// environment-named host: `"pricing.prod.svc.cluster.local:50051"`,
/// `"kafka-1.prod.acme.internal:9092"` (gRPC targets, broker lists). The
/// host needs a dot and an internal label, so `"user:42"` and
/// `"api.github.com:443"` stay quiet.
fn bare_internal_host_port(text: &str) -> Option<Found> {
    let inner = text.trim_matches(|c| matches!(c, '"' | '\'' | '`'));
    let (host, port) = split_port(inner);
    port?;
    if !host.contains('.')
        || ipv4(host).is_some()
        || !host.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        return None;
    }
    let lower = host.to_ascii_lowercase();
    if is_loopback_or_example(&lower)
        || !lower
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return None;
    }
    is_internal_host(&lower).then(|| {
        let start = text.find(inner).unwrap_or(0);
        Found {
            kind: Kind::Internal,
            range: start..start + inner.len(),
        }
    })
}

/// `scheme://user:secret@host` → `scheme://user:****@host`: even a
/// development password is not repeated in a review comment.
fn without_password(url: &str) -> String {
    let Some(sep) = url.find("://") else {
        return url.to_string();
    };
    let authority_end = url[sep + 3..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| sep + 3 + i);
    match url[sep + 3..authority_end].rfind('@') {
        Some(at) => {
            let userinfo = &url[sep + 3..sep + 3 + at];
            match userinfo.split_once(':') {
                Some((user, _)) => {
                    format!("{}{user}:****{}", &url[..sep + 3], &url[sep + 3 + at..])
                }
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    }
}

fn report(ctx: &RuleContext<'_>, literal: Node<'_>, range: Range<usize>, kind: Kind) -> Finding {
    let endpoint = without_password(ctx.source.get(range.clone()).unwrap_or(""));
    let endpoint = endpoint.as_str();
    let shown = crate::rules::quote(endpoint, 80);
    let (what, env_var) = match kind {
        Kind::Database => ("database/broker address", "DATABASE_URL"),
        Kind::Bucket => ("storage bucket", "STORAGE_BUCKET"),
        Kind::Internal => ("environment-specific host", "SERVICE_URL"),
        Kind::Ip => ("IP address", "SERVICE_HOST"),
    };
    let load = match ctx.language {
        Some(Language::Python) => format!("`os.environ[\"{env_var}\"]` (or the settings module)"),
        Some(Language::Go) => format!("`os.Getenv(\"{env_var}\")` (or the config struct)"),
        Some(Language::Rust) => format!("`std::env::var(\"{env_var}\")` (or the config struct)"),
        Some(Language::Java) => {
            format!("configuration (`@Value(\"${{…}}\")`, `application.yml`, or `{env_var}`)")
        }
        _ => format!("`process.env.{env_var}` (through the project's config module)"),
    };
    ctx.finding(
        &META,
        ctx.line_at(range.start),
        ctx.symbol_for(literal),
        endpoint,
    )
    .title(format!("Hard-coded {what} `{shown}`"))
    .message(format!(
        "`{shown}` is a {what} written into the code. It differs between development, \
             staging and production, so this build can only ever talk to one of them, and \
             moving the service needs a code change and a redeploy.\n\nRead it from {load} \
             and fail fast at startup when it is missing."
    ))
    .symptom(format!(
        "The {what} `{shown}` is hard-coded in `{}`.",
        ctx.path
    ))
    .root_cause(
        "A deployment-specific value is written as a literal instead of being read from \
             configuration.",
    )
    .fix(format!(
        "Replace the literal with a value read from {load}; add the variable to the \
             project's example environment file / configuration docs with this value as the \
             documented example, and fail with a clear error at startup when it is missing."
    ))
    .scope(
        "Do not change the behaviour in the environment this value was written for, do not \
             introduce a default that silently points at production, and do not touch \
             unrelated literals or tests.",
    )
    .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_cloud_regions() {
        for region in [
            "eu-west-1",
            "us-east-2",
            "ap-southeast-2",
            "europe-west1",
            "us-central1",
        ] {
            assert!(is_cloud_region(region), "{region}");
        }
        for label in [
            "eu",
            "west-1",
            "us-east",
            "my-west-1",
            "us-east-1a",
            "europe-west",
            "api-v2",
        ] {
            assert!(!is_cloud_region(label), "{label}");
        }
    }

    #[test]
    fn classifies_endpoints() {
        let kind = |t: &str| find_endpoint(t).map(|f| f.kind);
        assert_eq!(kind("\"https://api.stripe.com/v1\""), None);
        assert_eq!(kind("\"http://localhost:3000\""), None);
        assert_eq!(
            kind("\"https://billing.internal.acme.com/v1\""),
            Some(Kind::Internal)
        );
        assert_eq!(kind("\"http://10.0.3.7:8080/health\""), Some(Kind::Ip));
        assert_eq!(kind("\"s3://acme-invoices/2024\""), Some(Kind::Bucket));
        assert_eq!(
            kind("\"redis://cache.prod.acme.net:6379/0\""),
            Some(Kind::Database)
        );
        assert_eq!(kind("\"192.168.1.20\""), Some(Kind::Ip));
        assert_eq!(kind("\"1.2.3.4\""), None);
        assert_eq!(
            kind("\"pricing.prod.svc.cluster.local:50051\""),
            Some(Kind::Internal)
        );
        assert_eq!(kind("\"api.github.com:443\""), None);
        assert_eq!(kind("\"user:42\""), None);
        assert_eq!(kind("\"kafka:9092\""), None);
        assert_eq!(kind("\"é://10.0.0.1:80 ü://\""), None);
        assert_eq!(
            without_password("postgres://app:hunter2@db.acme.internal/x"),
            "postgres://app:****@db.acme.internal/x"
        );
        assert_eq!(
            kind("\"https://pkg.go.dev/github.com/gin-gonic/gin\""),
            None
        );
        assert_eq!(
            kind("\"https://orders.acme.internal/v2\""),
            Some(Kind::Internal)
        );
        assert_eq!(kind("\"http://${host}:8080\""), None);
        assert_eq!(kind("\"http://billing:8080/v1\""), Some(Kind::Internal));
        assert_eq!(
            kind("\"host=db.prod.acme.com port=5432 dbname=app\""),
            Some(Kind::Database)
        );
    }
}

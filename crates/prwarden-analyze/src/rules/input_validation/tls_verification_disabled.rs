//! `input-validation/tls-verification-disabled`: TLS certificate or host-name verification switched off.
//!
//! ## What it does
//! Finds code that makes a TLS client accept any certificate:
//! - JavaScript/TypeScript: `rejectUnauthorized: false`, and
//!   `process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0"`;
//! - Python: `verify=False` passed to a call (requests, httpx, aiohttp
//!   sessions and clients), `ssl._create_unverified_context()`,
//!   `… .verify_mode = ssl.CERT_NONE` and `… .check_hostname = False`;
//! - Go: `InsecureSkipVerify: true` in a `tls.Config` (or assigned later);
//! - Rust: `.danger_accept_invalid_certs(true)` and
//!   `.danger_accept_invalid_hostnames(true)`;
//! - Java: an `X509TrustManager` whose `checkServerTrusted` is empty, and a
//!   `HostnameVerifier` that returns `true` for every host
//!   (`(hostname, session) -> true`, `NoopHostnameVerifier`).
//!
//! Only literal `false`/`true`/`"0"` count: a value read from configuration
//! (`verify=settings.VERIFY_TLS`, `InsecureSkipVerify: cfg.Insecure`) is a
//! deliberate, switchable choice and is not reported. Test files are skipped.
//!
//! ## Why is this bad?
//! Without certificate verification, anyone on the network path (a Wi-Fi
//! hotspot, a compromised router, a proxy) can impersonate the server, read
//! the credentials and data sent to it and change its answers. Agents add
//! these switches to get past a self-signed or corporate certificate error,
//! and they end up in production.
//!
//! ## Example
//! ```py
//! response = requests.get(f"{BILLING_URL}/invoices", verify=False, timeout=10)
//! ```
//!
//! Use instead:
//! ```py
//! # Trust the internal CA explicitly instead of trusting everyone.
//! response = requests.get(f"{BILLING_URL}/invoices", verify=settings.INTERNAL_CA_BUNDLE, timeout=10)
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_test_path, statements};

pub static META: RuleMeta = RuleMeta {
    id: "input-validation/tls-verification-disabled",
    item: ChecklistItem::InputValidation,
    severity: Severity::Error,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Go,
        Language::Rust,
        Language::Java,
    ],
    summary: "TLS certificate or host-name verification disabled (rejectUnauthorized: false, verify=False, InsecureSkipVerify)",
};

pub struct TlsVerificationDisabled;

impl Rule for TlsVerificationDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        if is_test_path(ctx.path) {
            return;
        }
        let kinds: &[&str] = match language {
            Language::TypeScript | Language::Tsx | Language::JavaScript => {
                &["pair", "assignment_expression"]
            }
            Language::Python => &["keyword_argument", "call", "assignment"],
            Language::Go => &["keyed_element", "assignment_statement"],
            Language::Rust => &["call_expression"],
            Language::Java => &["method_declaration", "method_invocation"],
            Language::Sql => &[],
        };
        for node in ctx.nodes_in_order(kinds) {
            let what = match language {
                Language::TypeScript | Language::Tsx | Language::JavaScript => js(ctx, node),
                Language::Python => python(ctx, node),
                Language::Go => go(ctx, node),
                Language::Rust => rust(ctx, node),
                Language::Java => java(ctx, node),
                Language::Sql => None,
            };
            if let Some(what) = what {
                out.push(report(ctx, language, node, what));
            }
        }
    }
}

/// What was switched off.
#[derive(Clone, Copy)]
enum Disabled {
    Certificates,
    HostNames,
}

fn text_is(ctx: &RuleContext<'_>, node: Option<Node<'_>>, expected: &[&str]) -> bool {
    node.is_some_and(|n| expected.contains(&ctx.text(n).trim()))
}

fn js(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<Disabled> {
    match node.kind_str() {
        "pair" => (text_is(
            ctx,
            node.field("key"),
            &[
                "rejectUnauthorized",
                "\"rejectUnauthorized\"",
                "'rejectUnauthorized'",
            ],
        ) && text_is(ctx, node.field("value"), &["false"]))
        .then_some(Disabled::Certificates),
        "assignment_expression" => {
            let left = ctx.text(node.field("left")?);
            (left.ends_with("NODE_TLS_REJECT_UNAUTHORIZED")
                && text_is(ctx, node.field("right"), &["\"0\"", "'0'", "`0`", "0"]))
            .then_some(Disabled::Certificates)
        }
        _ => None,
    }
}

fn python(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<Disabled> {
    match node.kind_str() {
        "keyword_argument" => {
            let in_call = node
                .parent()
                .and_then(|p| p.parent())
                .is_some_and(|c| c.kind_str() == "call");
            (in_call
                && text_is(ctx, node.field("name"), &["verify", "verify_ssl"])
                && text_is(ctx, node.field("value"), &["False"]))
            .then_some(Disabled::Certificates)
        }
        "call" => text_is(
            ctx,
            node.field("function"),
            &["ssl._create_unverified_context"],
        )
        .then_some(Disabled::Certificates),
        "assignment" => {
            let left = ctx.text(node.field("left")?);
            let right = node.field("right");
            if left.ends_with(".verify_mode")
                && text_is(ctx, right, &["ssl.CERT_NONE", "CERT_NONE"])
            {
                Some(Disabled::Certificates)
            } else if left.ends_with(".check_hostname") && text_is(ctx, right, &["False"]) {
                Some(Disabled::HostNames)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn go(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<Disabled> {
    let (key, value) = match node.kind_str() {
        "keyed_element" => (node.named_child(0)?, node.named_child(1)?),
        "assignment_statement" => (node.field("left")?, node.field("right")?),
        _ => return None,
    };
    let key = ctx.text(key);
    (key.rsplit('.').next() == Some("InsecureSkipVerify") && ctx.text(value).trim() == "true")
        .then_some(Disabled::Certificates)
}

fn rust(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<Disabled> {
    if node.kind_str() != "call_expression" {
        return None;
    }
    let function = node.field("function")?;
    if function.kind_str() != "field_expression" {
        return None;
    }
    let method = ctx.text(function.field("field")?);
    let args = node.field("arguments")?;
    if args.named_child_count() != 1 || !text_is(ctx, args.named_child(0), &["true"]) {
        return None;
    }
    match method {
        "danger_accept_invalid_certs" => Some(Disabled::Certificates),
        "danger_accept_invalid_hostnames" => Some(Disabled::HostNames),
        _ => None,
    }
}

fn java(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<Disabled> {
    match node.kind_str() {
        "method_declaration" => {
            let name = ctx.text(node.field("name")?);
            let body = node.field("body")?;
            (name == "checkServerTrusted" && statements(body).next().is_none())
                .then_some(Disabled::Certificates)
        }
        "method_invocation" => {
            let name = ctx.text(node.field("name")?);
            if !matches!(name, "setHostnameVerifier" | "setDefaultHostnameVerifier") {
                return None;
            }
            let arg = node.field("arguments")?.named_child(0)?;
            let text = ctx.text(arg).split_whitespace().collect::<String>();
            let allow_all = text.contains("NoopHostnameVerifier")
                || text.contains("ALLOW_ALL_HOSTNAME_VERIFIER")
                || (arg.kind_str() == "lambda_expression"
                    && (text.ends_with("->true") || text.ends_with("{returntrue;}")));
            allow_all.then_some(Disabled::HostNames)
        }
        _ => None,
    }
}

fn report(ctx: &RuleContext<'_>, language: Language, node: Node<'_>, what: Disabled) -> Finding {
    // Anchor where the switch is written: the method's name, not its
    // annotations; the builder call's method, not the start of the chain.
    let anchor = match node.kind_str() {
        "method_declaration" => node.field("name"),
        "call_expression" => node.field("function").and_then(|f| f.field("field")),
        _ => None,
    }
    .unwrap_or(node);
    let code = match node.kind_str() {
        "method_declaration" => "checkServerTrusted {}".to_string(),
        "call_expression" => format!("{}(true)", ctx.text(anchor)),
        _ => quote(ctx.text(node), 80),
    };
    let shown = match node.kind_str() {
        "method_declaration" => "checkServerTrusted(…) {}".to_string(),
        _ => quote(&code, 60),
    };
    let (effect, name) = match what {
        Disabled::Certificates => (
            "accepts any certificate, so anyone on the network path can impersonate the server",
            "certificate verification",
        ),
        Disabled::HostNames => (
            "accepts a valid certificate issued for any other host, so any site with a \
             certificate can impersonate the server",
            "host-name verification",
        ),
    };
    let fix = match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => {
            "Remove the switch. If the server uses a private CA, pass its certificate with the \
             `ca` option (or `NODE_EXTRA_CA_CERTS`) instead."
        }
        Language::Python => {
            "Remove the switch. If the server uses a private CA, point `verify` at its bundle \
             (`verify=\"/etc/ssl/internal-ca.pem\"`, or `REQUESTS_CA_BUNDLE`) or load it into \
             the SSL context with `load_verify_locations`."
        }
        Language::Go => {
            "Remove `InsecureSkipVerify`. If the server uses a private CA, add it to a \
             `x509.CertPool` and set `RootCAs` in the `tls.Config`."
        }
        Language::Rust => {
            "Remove the call. If the server uses a private CA, add it with \
             `add_root_certificate(Certificate::from_pem(…))`."
        }
        Language::Java => {
            "Remove the permissive trust manager / host-name verifier. If the server uses a \
             private CA, load it into a `KeyStore` and build the `TrustManagerFactory` from it."
        }
        Language::Sql => "",
    };
    ctx.finding(&META, ctx.line(anchor), ctx.symbol_for(node), &code)
        .title(format!("TLS {name} disabled"))
        .message(format!(
            "`{shown}` turns off TLS {name}: the client {effect}, read the credentials and data \
             sent to it, and change its answers.\n\n{fix}"
        ))
        .symptom(format!("TLS {name} is disabled by `{shown}`."))
        .root_cause(
            "A certificate error was silenced by trusting everything instead of trusting the \
             right certificate authority.",
        )
        .fix(fix)
        .scope(
            "Keep the request, timeouts and error handling unchanged. Do not disable \
             verification anywhere else, and do not commit certificates' private keys.",
        )
        .build()
}

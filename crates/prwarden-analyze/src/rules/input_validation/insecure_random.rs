//! `input-validation/insecure-random`: a predictable random generator used for a secret value.
//!
//! ## What it does
//! Finds non-cryptographic random generators whose result becomes a token,
//! password, secret, nonce, salt, OTP, CSRF or session value — judged by the
//! name it is assigned to (`const resetToken = …`, `otp = …`, `{ apiKey: … }`)
//! or by the name of the function that produces it (`generateSessionId()`),
//! or a one-time code (`pickupCode`, `inviteCode`, `voucherCode`, a
//! booking's `cancelCode`, a door `pin`):
//! - JavaScript/TypeScript: `Math.random()`;
//! - Python: `random.random`/`randint`/`choice`/`choices`/`sample`/
//!   `randrange`/`getrandbits`;
//! - Go: `rand.Int*`/`rand.Read`/… in a file that imports `math/rand`;
//! - Java: `new Random()`, `Math.random()` and `ThreadLocalRandom.current()`.
//!
//! Not reported: random values for anything else (jitter, sampling, shuffles,
//! React keys, colours, test data) — a value named for such a use
//! (`jitter`, `delay`, `sample`, `index`, `color`, `offset`, …) is not
//! reported even inside a token-named function — and test files.
//!
//! ## Why is this bad?
//! These generators are designed to be fast, not unpredictable: their state
//! can be recovered from a few outputs, so an attacker who sees some tokens
//! can compute the next password-reset link or session id. The platform's
//! cryptographic generator costs the same to call.
//!
//! ## Example
//! ```ts
//! const resetToken = Math.random().toString(36).slice(2);
//! ```
//!
//! Use instead:
//! ```ts
//! const resetToken = crypto.randomBytes(32).toString("base64url");
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{identifier_words, is_function, is_test_path};

pub static META: RuleMeta = RuleMeta {
    id: "input-validation/insecure-random",
    item: ChecklistItem::InputValidation,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Go,
        Language::Java,
    ],
    summary: "Math.random / random / math/rand / java.util.Random used for tokens, passwords or secrets",
};

pub struct InsecureRandom;

impl Rule for InsecureRandom {
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
        if language == Language::Go
            && !(ctx.source.contains("\"math/rand\"") || ctx.source.contains("\"math/rand/v2\""))
        {
            return;
        }
        for node in ctx.nodes_in_order(&[
            "call_expression",
            "call",
            "object_creation_expression",
            "method_invocation",
        ]) {
            if !is_weak_random(ctx, language, node) {
                continue;
            }
            if let Some(name) = secret_name(ctx, language, node) {
                out.push(report(ctx, language, node, &name));
            }
        }
    }
}

fn is_weak_random(ctx: &RuleContext<'_>, language: Language, node: Node<'_>) -> bool {
    match (language, node.kind_str()) {
        (l, "call_expression") if l.is_js_family() => node
            .field("function")
            .is_some_and(|f| ctx.text(f) == "Math.random"),
        (Language::Python, "call") => node.field("function").is_some_and(|f| {
            matches!(
                ctx.text(f),
                "random.random"
                    | "random.randint"
                    | "random.choice"
                    | "random.choices"
                    | "random.sample"
                    | "random.randrange"
                    | "random.getrandbits"
                    | "random.randbytes"
            )
        }),
        (Language::Go, "call_expression") => node.field("function").is_some_and(|f| {
            let text = ctx.text(f);
            text.starts_with("rand.")
                && matches!(
                    &text[5..],
                    "Int"
                        | "Intn"
                        | "Int31"
                        | "Int31n"
                        | "Int63"
                        | "Int63n"
                        | "IntN"
                        | "Uint32"
                        | "Uint64"
                        | "Read"
                        | "N"
                )
        }),
        (Language::Java, "object_creation_expression") => node
            .field("type")
            .is_some_and(|t| matches!(ctx.text(t), "Random" | "java.util.Random")),
        (Language::Java, "method_invocation") => {
            let object = node.field("object").map(|o| ctx.text(o));
            let name = node.field("name").map(|n| ctx.text(n));
            matches!(
                (object, name),
                (Some("Math"), Some("random")) | (Some("ThreadLocalRandom"), Some("current"))
            )
        }
        _ => false,
    }
}

/// Words that make a value a secret. `key` alone is too common (React
/// keys, cache keys) and only counts next to `api`/`secret`/`private`.
fn is_secret_name(name: &str) -> bool {
    let words = identifier_words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    words.iter().any(|w| {
        matches!(
            w.as_str(),
            "token"
                | "tokens"
                | "secret"
                | "password"
                | "passwd"
                | "pwd"
                | "passphrase"
                | "nonce"
                | "otp"
                | "totp"
                | "salt"
                | "csrf"
                | "xsrf"
                | "session"
                | "sessionid"
                | "apikey"
                | "credential"
                | "credentials"
        )
    }) || (has("key") && (has("api") || has("private") || has("signing")))
        || ((has("code") || has("pin")) && is_one_time_code(&words))
}

/// A code someone types or shows to prove something (`pickupCode`,
/// `inviteCode`, `voucherCode`, the `cancelCode` that cancels a booking):
/// guessing it is the attack. Codes that
/// name a thing (`statusCode`, `countryCode`, `colorCode`) have none of
/// these words.
fn is_one_time_code(words: &[String]) -> bool {
    words.iter().any(|w| {
        matches!(
            w.as_str(),
            "reset"
                | "verification"
                | "verify"
                | "confirmation"
                | "confirm"
                | "pickup"
                | "access"
                | "invite"
                | "invitation"
                | "activation"
                | "unlock"
                | "login"
                | "auth"
                | "recovery"
                | "backup"
                | "pairing"
                | "redeem"
                | "redemption"
                | "claim"
                | "voucher"
                | "coupon"
                | "gift"
                | "referral"
                | "door"
                | "cancel"
                | "cancellation"
        )
    })
}

/// Names of the ordinary uses of randomness.
fn is_other_use(name: &str) -> bool {
    identifier_words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "jitter"
                | "delay"
                | "backoff"
                | "sleep"
                | "timeout"
                | "wait"
                | "retry"
                | "sample"
                | "sampled"
                | "shuffle"
                | "shuffled"
                | "index"
                | "idx"
                | "color"
                | "colour"
                | "hue"
                | "x"
                | "y"
                | "left"
                | "top"
                | "offset"
                | "position"
                | "probability"
                | "rate"
                | "chance"
                | "weight"
                | "duration"
                | "interval"
                | "angle"
                | "speed"
                | "noise"
        )
    })
}

/// The name the random value is given: the first secret-looking variable,
/// field or key it is assigned to on the way up, else the enclosing named
/// function's name; `None` as soon as a name says it is for something else.
fn secret_name(ctx: &RuleContext<'_>, language: Language, call: Node<'_>) -> Option<String> {
    let mut current = call.parent();
    while let Some(node) = current {
        // A named function decides by its name; an anonymous callback
        // (`Array.from({ length: 6 }, () => …)`) by what its result is
        // assigned to, further up.
        if is_function(language, node)
            && let Some(name) = node.field("name")
        {
            let name = ctx.text(name);
            return is_secret_name(name).then(|| name.to_string());
        }
        let target = match node.kind_str() {
            "variable_declarator" => node.field("name"),
            "assignment" | "assignment_expression" | "augmented_assignment_expression" => {
                node.field("left")
            }
            "pair" => node.field("key"),
            "keyword_argument" => node.field("name"),
            "short_var_declaration" | "assignment_statement" => node.field("left"),
            "keyed_element" => node.named_child(0),
            _ => None,
        };
        if let Some(target) = target {
            let text = ctx.text(target);
            let last = text.rsplit(['.', ' ']).next().unwrap_or(text);
            if is_secret_name(last) {
                return Some(last.to_string());
            }
            // Named for another use of randomness: not a secret, whatever
            // the function is called (`jitter` in `refreshToken()`).
            if is_other_use(last) {
                return None;
            }
        }
        current = node.parent();
    }
    None
}

fn report(ctx: &RuleContext<'_>, language: Language, call: Node<'_>, name: &str) -> Finding {
    let generator = quote(ctx.text(call), 40);
    let fix = match language {
        Language::Python => {
            "Use the `secrets` module: `secrets.token_urlsafe(32)`, `secrets.token_hex(16)`, \
             `secrets.choice(alphabet)` for codes."
        }
        Language::Go => {
            "Use `crypto/rand`: `rand.Read(buf)` into a 32-byte slice and encode it \
             (`base64.RawURLEncoding`), or `rand.Int(rand.Reader, max)` for codes."
        }
        Language::Java => {
            "Use `java.security.SecureRandom` (one shared instance): `secureRandom.nextBytes(buf)` \
             and Base64-URL-encode it."
        }
        _ => {
            "Use the platform's cryptographic generator: `crypto.randomBytes(32).toString(\
             \"base64url\")` / `crypto.randomUUID()` in Node, `crypto.getRandomValues` in the \
             browser, `crypto.randomInt` for numeric codes."
        }
    };
    ctx.node_finding(&META, call)
        .title(format!(
            "`{name}` generated with a predictable random generator"
        ))
        .message(format!(
            "`{generator}` is not cryptographically secure: its output can be predicted from \
             earlier outputs, so a `{name}` built from it can be guessed by an attacker who \
             has seen a few others.\n\n{fix}"
        ))
        .symptom(format!("`{name}` is derived from `{generator}`."))
        .root_cause(
            "A statistical random generator is used where an unguessable value is required.",
        )
        .fix(format!(
            "{fix} Keep at least 128 bits of randomness for tokens."
        ))
        .scope(
            "Keep the value's format (length, alphabet) compatible with its consumers where \
             possible; do not change other uses of random numbers (jitter, sampling, tests).",
        )
        .build()
}

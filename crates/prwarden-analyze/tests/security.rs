//! The security-critical change detector: evidence per area from paths,
//! symbols and imports, the negatives that must stay silent, and the
//! fixtures under `fixtures/security/`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use prwarden_analyze::{ChangedFile, LineSet, SecurityArea, SecuritySignal, security_signals};

/// `(line, area, reason)` of every signal, in output order.
type Summary = Vec<(Option<u32>, &'static str, String)>;

fn summary(signals: &[SecuritySignal]) -> Summary {
    signals
        .iter()
        .map(|s| (s.line, s.area.as_str(), s.reason.clone()))
        .collect()
}

fn lines_of(source: &str) -> LineSet {
    (1..=u32::try_from(source.lines().count()).unwrap()).collect()
}

/// One file with the given added lines.
fn review(path: &str, source: &str, added: &LineSet) -> Summary {
    summary(&security_signals(
        &[ChangedFile {
            path,
            content: source,
            added_lines: added,
        }],
        &[],
    ))
}

/// One new file: every line added.
fn review_new(path: &str, source: &str) -> Summary {
    review(path, source, &lines_of(source))
}

fn line(line: u32, area: &'static str, reason: &str) -> (Option<u32>, &'static str, String) {
    (Some(line), area, reason.to_string())
}

fn path(area: &'static str, path: &str) -> (Option<u32>, &'static str, String) {
    (None, area, format!("path `{path}`"))
}

#[test]
fn area_ids() {
    let ids: Vec<&str> = SecurityArea::ALL.iter().map(|a| a.as_str()).collect();
    assert_eq!(
        ids,
        [
            "authentication",
            "authorization",
            "payments",
            "cryptography",
            "secrets",
            "input-validation"
        ]
    );
}

#[test]
fn paths_per_area() {
    let cases = [
        ("src/auth/session.ts", "authentication"),
        ("src/routes/login.py", "authentication"),
        ("app/api/auth/[...nextauth]/route.ts", "authentication"),
        ("internal/oauth2/provider.go", "authentication"),
        ("src/lib/jwt.rs", "authentication"),
        (
            "src/main/java/com/acme/PasswordResetService.java",
            "authentication",
        ),
        ("src/rbac/roles.ts", "authorization"),
        ("app/permissions.py", "authorization"),
        ("app/Policies/PostPolicy.php", "authorization"),
        ("src/payments/refunds.ts", "payments"),
        ("services/billing/invoice.go", "payments"),
        ("src/checkout/cart.ts", "payments"),
        ("src/crypto/envelope.ts", "cryptography"),
        ("pkg/encryption/aes.go", "cryptography"),
        ("deploy/tls/ca.crt", "cryptography"),
        ("config/secrets.yml", "secrets"),
        ("k8s/credentials.yaml", "secrets"),
        ("certs/client.p12", "secrets"),
        ("src/validators/user.ts", "input-validation"),
        ("app/sanitizers.py", "input-validation"),
    ];
    for (p, area) in cases {
        // A path counts for any changed file, added lines or not.
        let got = review(p, "", &LineSet::new());
        assert_eq!(got, vec![path(area, p)], "{p}");
    }
}

#[test]
fn typescript_symbols_per_area() {
    let source = r#"export async function login(email: string, password: string) {}
export function checkPermission(user: User, action: string) {}
export const createPaymentIntent = async (amount: number) => {};
export class FieldEncryptor {
  encryptField(value: string) {}
}
export async function rotateApiKey(id: string) {}
export function sanitizeHtml(html: string) {}
export function formatDate(d: Date) {}
"#;
    assert_eq!(
        review_new("src/lib/util.ts", source),
        vec![
            line(1, "authentication", "defines `login`"),
            line(2, "authorization", "defines `checkPermission`"),
            line(3, "payments", "defines `createPaymentIntent`"),
            line(5, "cryptography", "defines `encryptField`"),
            line(7, "secrets", "defines `rotateApiKey`"),
            line(8, "input-validation", "defines `sanitizeHtml`"),
        ]
    );
}

#[test]
fn python_symbols_per_area() {
    let source = r#"def authenticate_user(username, password):
    pass


def has_role(user, role):
    pass


class StripeWebhook:
    def handle(self, event):
        pass


def decrypt_token(value):
    pass


def load_secrets():
    pass


def sanitize_filename(name):
    pass


def slugify(title):
    pass
"#;
    assert_eq!(
        review_new("app/util.py", source),
        vec![
            line(1, "authentication", "defines `authenticate_user`"),
            line(5, "authorization", "defines `has_role`"),
            line(9, "payments", "defines `StripeWebhook`"),
            line(14, "cryptography", "defines `decrypt_token`"),
            line(18, "secrets", "defines `load_secrets`"),
            line(22, "input-validation", "defines `sanitize_filename`"),
        ]
    );
}

#[test]
fn typescript_imports_per_area() {
    let source = r#"import jwt from "jsonwebtoken";
import { defineAbility } from "@casl/ability";
import { loadStripe } from "@stripe/stripe-js";
import { createCipheriv } from "node:crypto";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import sanitizeHtml from "sanitize-html";
import express from "express";
import { format } from "date-fns";
import { getUser } from "./users";
import { auth } from "@/lib/auth";

export const deps = { jwt, defineAbility, loadStripe, createCipheriv, SecretsManagerClient, sanitizeHtml, express, format, getUser, auth };
"#;
    assert_eq!(
        review_new("src/server/deps.ts", source),
        vec![
            line(1, "authentication", "imports `jsonwebtoken`"),
            line(2, "authorization", "imports `@casl/ability`"),
            line(3, "payments", "imports `@stripe/stripe-js`"),
            line(4, "cryptography", "imports `node:crypto`"),
            line(5, "secrets", "imports `@aws-sdk/client-secrets-manager`"),
            line(6, "input-validation", "imports `sanitize-html`"),
        ]
    );
}

#[test]
fn javascript_require_and_dynamic_import() {
    let source = r#"const passport = require("passport");
const { Strategy } = require("passport-github2");
async function pay() {}
async function later() {
  const { default: Stripe } = await import("stripe");
  return Stripe;
}
module.exports = { passport, Strategy, later };
"#;
    assert_eq!(
        review_new("lib/setup.js", source),
        vec![
            line(1, "authentication", "imports `passport`"),
            line(2, "authentication", "imports `passport-github2`"),
            line(3, "payments", "defines `pay`"),
            line(5, "payments", "imports `stripe`"),
        ]
    );
}

#[test]
fn python_imports_per_area() {
    let source = r#"import bcrypt
from rest_framework.permissions import IsAuthenticated
import stripe as payments
from cryptography.fernet import Fernet
import hvac
import bleach
import requests
from .auth import current_user
"#;
    assert_eq!(
        review_new("app/deps.py", source),
        vec![
            line(1, "authentication", "imports `bcrypt`"),
            line(2, "authorization", "imports `rest_framework.permissions`"),
            line(3, "payments", "imports `stripe`"),
            line(4, "cryptography", "imports `cryptography.fernet`"),
            line(5, "secrets", "imports `hvac`"),
            line(6, "input-validation", "imports `bleach`"),
        ]
    );
}

#[test]
fn editing_inside_an_existing_function_changes_it() {
    let source = r#"import { db } from "./db";

export async function verifyPassword(user: User, candidate: string) {
  const ok = await compare(candidate, user.hash);
  return ok || candidate === process.env.MASTER_OVERRIDE;
}
"#;
    // Only line 5 is new: the signature was there before.
    assert_eq!(
        review("src/lib/users.ts", source, &LineSet::from([5])),
        vec![line(5, "authentication", "changes `verifyPassword`")]
    );
}

#[test]
fn unchanged_lines_do_not_count_but_a_path_always_does() {
    let source = r#"import bcrypt from "bcryptjs";

export async function verifyPassword(plain: string, hash: string) {
  return bcrypt.compare(plain, hash);
}

export function greeting(name: string) {
  return `Hello ${name}`;
}
"#;
    // The change only touched `greeting`.
    assert!(review("src/lib/users.ts", source, &LineSet::from([8])).is_empty());
    // No added line at all (only deletions) under an auth path: the path
    // still counts, nothing else does.
    assert_eq!(
        review("src/auth/users.ts", source, &LineSet::new()),
        vec![path("authentication", "src/auth/users.ts")]
    );
}

#[test]
fn negatives_stay_silent() {
    let cases: &[(&str, &str)] = &[
        (
            "src/authors/list.ts",
            "export function listAuthors() { return db.author.findMany(); }\n",
        ),
        (
            "src/author.ts",
            "export class Author { constructor(readonly name: string) {} }\n",
        ),
        (
            "docs/authentication.md",
            "# Authentication\n\nCall `verifyPassword()`; we use `bcrypt`.\n",
        ),
        (
            "docs/passwordless-docs.md",
            "Passwordless sign-in with magic links.\n",
        ),
        (
            "src/components/Keyboard.tsx",
            "export function Keyboard() { return <div onKeyDown={() => {}} />; }\n",
        ),
        (
            "tokenizer.py",
            "def tokenize(text):\n    return text.split()\n",
        ),
        ("src/monkey.ts", "export const monkey = () => 'ook';\n"),
        (
            "src/auth.test.ts",
            "import bcrypt from 'bcrypt';\ntest('login', () => { expect(login()).toBe(true); });\nfunction login() { return true; }\n",
        ),
        (
            "src/lib/mailer.ts",
            "// never put the password in the email\nexport function send(to: string) {\n  return mail(to, 'Reset your password', 'api key rotation: see settings');\n}\n",
        ),
        (
            "app/mailer.py",
            "# the password is never logged\ndef send(to):\n    return mail(to, \"Your password was changed\")\n",
        ),
        (
            "src/components/ContactForm.tsx",
            "import { z } from \"zod\";\nconst schema = z.object({ email: z.string().email() });\nexport function ContactForm() { return <form />; }\n",
        ),
        (
            "src/lib/ids.ts",
            "import { randomUUID } from \"node:crypto\";\nexport const newId = () => randomUUID();\n",
        ),
        (
            "app/cache.py",
            "import hashlib\n\ndef cache_key(body):\n    return hashlib.md5(body).hexdigest()\n",
        ),
        (
            "app/db/session.py",
            "from sqlalchemy.orm import sessionmaker\n\ndef get_session():\n    return sessionmaker()()\n",
        ),
        (
            "app/blog/models.py",
            "from django.contrib.auth import get_user_model\nUser = get_user_model()\n",
        ),
        (
            "src/lib/design-tokens.ts",
            "export const tokens = { primaryKey: 'id' };\nexport function getToken(name: string) { return name; }\n",
        ),
        (
            "src/features/workout/sessions/list.ts",
            "export function listSessions() { return []; }\n",
        ),
        (
            "scripts/validate-links.ts",
            "export function check(url: string) { return url.startsWith('https://'); }\n",
        ),
        (
            "src/lib/errors.ts",
            "export class AuthError extends Error {}\nexport class Declined extends PaymentError {}\n",
        ),
        (
            "app/errors.py",
            "class PaymentFailed(Exception):\n    pass\n\n\nclass LoginRejected(errors.HttpError):\n    pass\n",
        ),
        (
            "src/types/session.d.ts",
            "declare module 'next-auth' { interface Session { id: string } }\n",
        ),
    ];
    for (p, source) in cases {
        assert_eq!(review_new(p, source), Summary::new(), "{p}");
    }
}

#[test]
fn a_test_file_alone_does_not_count_its_subject_does() {
    let test = "import { login } from './auth';\ntest('login', () => login());\n";
    let subject = "export function login() {}\n";
    let (ta, sa) = (lines_of(test), lines_of(subject));
    let files = [
        ChangedFile {
            path: "src/auth.test.ts",
            content: test,
            added_lines: &ta,
        },
        ChangedFile {
            path: "src/session-utils/index.ts",
            content: subject,
            added_lines: &sa,
        },
    ];
    assert_eq!(summary(&security_signals(&files[..1], &[])), Summary::new());
    assert_eq!(
        summary(&security_signals(&files, &[])),
        vec![
            path("authentication", "src/session-utils/index.ts"),
            line(1, "authentication", "defines `login`"),
        ]
    );
}

#[test]
fn deleted_and_binary_files_count_by_path() {
    let signals = security_signals(
        &[],
        &[
            "src/payments/stripe.ts",
            "deploy/keys/signing.p12",
            "tests/auth/login.test.ts",
            "assets/logo.png",
            "node_modules/jsonwebtoken/index.js",
        ],
    );
    assert_eq!(
        signals,
        vec![
            SecuritySignal {
                path: "deploy/keys/signing.p12".into(),
                line: None,
                area: SecurityArea::Secrets,
                reason: "path `deploy/keys/signing.p12`".into(),
            },
            SecuritySignal {
                path: "src/payments/stripe.ts".into(),
                line: None,
                area: SecurityArea::Payments,
                reason: "path `src/payments/stripe.ts`".into(),
            },
        ]
    );
}

#[test]
fn skipped_files_count_for_nothing() {
    let js =
        "const jwt = require('jsonwebtoken');\nfunction verifyToken(t) { return jwt.verify(t); }\n";
    for p in [
        "node_modules/jsonwebtoken/index.js",
        "vendor/auth/lib.js",
        "dist/auth.js",
        "static/auth.min.js",
    ] {
        assert_eq!(review_new(p, js), Summary::new(), "{p}");
    }
    let generated = format!("// Code generated by openapi-generator. DO NOT EDIT.\n{js}");
    assert_eq!(review_new("src/auth/client.ts", &generated), Summary::new());
}

#[test]
fn go_rust_and_java_are_judged_by_path_and_symbols() {
    let go = "package users\n\nfunc VerifyPassword(p string) bool { return false }\n";
    let signals = review_new("internal/users/store.go", go);
    assert_eq!(signals.len(), 1, "{signals:?}");
    assert_eq!((signals[0].0, signals[0].1), (Some(3), "authentication"));
    let plain = "package users\n\nfunc ListUsers() []string { return nil }\n";
    assert!(review_new("internal/users/store.go", plain).is_empty());
    assert_eq!(
        review_new("internal/auth/store.go", go),
        vec![
            path("authentication", "internal/auth/store.go"),
            line(3, "authentication", "defines `VerifyPassword`")
        ]
    );
    // A file the parser cannot make sense of keeps its path evidence.
    let broken = "}}}} ))) ((( %%% $$$ @@@ !!! ]]]] [[[ }}}} ))) ((( %%%\n";
    assert_eq!(
        review_new("src/billing/broken.ts", broken),
        vec![path("payments", "src/billing/broken.ts")]
    );
}

#[test]
fn libraries_are_judged_by_what_the_file_takes() {
    // Node's crypto: ids and checksums are not cryptography…
    let benign = "import crypto from \"crypto\";\nexport const id = () => crypto.randomUUID();\nexport const sum = (s: string) => crypto.createHash(\"md5\").update(s).digest(\"hex\");\n";
    assert!(review_new("src/lib/ids.ts", benign).is_empty());
    // …keys and MACs are.
    let mac = "import * as crypto from \"node:crypto\";\nexport const sign = (s: string, k: string) => crypto.createHmac(\"sha256\", k).update(s).digest();\n";
    assert_eq!(
        review_new("src/lib/mac.ts", mac),
        vec![line(1, "cryptography", "imports `node:crypto`")]
    );
    let passed_around = "const crypto = require(\"crypto\");\nmodule.exports = { crypto };\n";
    assert_eq!(
        review_new("lib/deps.js", passed_around),
        vec![line(1, "cryptography", "imports `crypto`")]
    );

    // Python's hashlib counts for password hashing only.
    let kdf = "import hashlib\n\ndef derive(p, s):\n    return hashlib.pbkdf2_hmac('sha256', p, s, 600000)\n";
    assert_eq!(
        review_new("app/keys_util.py", kdf),
        vec![line(1, "cryptography", "imports `hashlib`")]
    );
    let from_kdf = "from hashlib import scrypt as kdf\n";
    assert_eq!(
        review_new("app/derive.py", from_kdf),
        vec![line(1, "cryptography", "imports `hashlib`")]
    );

    // Django's auth: the user model is not auth code, `authenticate` is.
    let models = "from django.contrib.auth.models import User\nfrom django.contrib.auth import get_user_model\n";
    assert!(review_new("app/blog/models.py", models).is_empty());
    let views = "from django.contrib.auth import authenticate, get_user_model\n";
    assert_eq!(
        review_new("app/blog/views.py", views),
        vec![line(1, "authentication", "imports `django.contrib.auth`")]
    );
    // `from package import module`: judged by what is taken from the module.
    let logout = "from django.contrib import auth\n\ndef out(r):\n    auth.logout(r)\n";
    assert_eq!(
        review_new("app/blog/views.py", logout),
        vec![line(1, "authentication", "imports `django.contrib.auth`")]
    );
    let model = "from django.contrib import auth\nUser = auth.get_user_model()\n";
    assert!(review_new("app/blog/models.py", model).is_empty());
}

#[test]
fn type_only_and_client_side_imports_do_not_count() {
    let ts = r#"import type { JwtPayload } from "jsonwebtoken";
import { type Stripe } from "stripe";
export type { Session } from "next-auth";
import { useSession, signOut } from "next-auth/react";
import { getServerSession } from "next-auth";
export const x = { useSession, signOut, getServerSession };
"#;
    assert_eq!(
        review_new("src/lib/page-helpers.ts", ts),
        vec![line(5, "authentication", "imports `next-auth`")]
    );
    let py = "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import stripe\n    from jose import jwt\n";
    assert!(review_new("app/hints.py", py).is_empty());
}

#[test]
fn schema_libraries_count_only_in_validation_files() {
    let zod = "import { z } from \"zod\";\nexport const User = z.object({ email: z.string().email() });\n";
    assert!(review_new("src/api/schemas.ts", zod).is_empty());
    assert!(review_new("src/components/forms/validation.ts", zod).is_empty());
    assert_eq!(
        review_new("src/api/validation.ts", zod),
        vec![
            path("input-validation", "src/api/validation.ts"),
            line(1, "input-validation", "imports `zod`"),
        ]
    );
    // A file that defines a request validator is a validation file too.
    let middleware =
        "import Joi from \"joi\";\nexport function validateRequest(schema: Joi.Schema) {}\n";
    assert_eq!(
        review_new("src/api/middleware.ts", middleware),
        vec![
            line(1, "input-validation", "imports `joi`"),
            line(2, "input-validation", "defines `validateRequest`"),
        ]
    );
    let pydantic = "from pydantic import BaseModel\n\nclass UserIn(BaseModel):\n    email: str\n";
    assert!(review_new("app/schemas/user.py", pydantic).is_empty());
    assert_eq!(
        review_new("app/validation/user.py", pydantic),
        vec![
            path("input-validation", "app/validation/user.py"),
            line(1, "input-validation", "imports `pydantic`"),
        ]
    );
}

#[test]
fn decorators_added_to_existing_endpoints() {
    let py = r#"from django.contrib.auth.decorators import login_required, permission_required


@login_required
@permission_required("reports.view")
def report(request):
    return render(request, "report.html")
"#;
    // The import and the view existed; the change added two decorators.
    assert_eq!(
        review("app/reports/views.py", py, &LineSet::from([4, 5])),
        vec![
            line(4, "authentication", "applies `@login_required`"),
            line(5, "authorization", "applies `@permission_required`"),
        ]
    );
    let ts = r#"@Controller("reports")
export class ReportsController {
  @Get()
  @UseGuards(JwtGuard)
  @Roles("admin")
  list() {}
}
"#;
    assert_eq!(
        review(
            "src/reports/reports.controller.ts",
            ts,
            &LineSet::from([4, 5])
        ),
        vec![
            line(4, "authorization", "applies `@UseGuards`"),
            line(5, "authorization", "applies `@Roles`"),
        ]
    );
}

#[test]
fn ui_components_and_event_handlers_do_not_count() {
    let tsx = r#"export function PasswordInput() { return <input type="password" />; }
export function LogoutButton({ onLogout }: { onLogout: () => void }) {
  const handleLogout = () => onLogout();
  return <button onClick={handleLogout} />;
}
export function useAuth() { return useContext(AuthContext); }
function togglePasswordVisibility() {}
"#;
    assert_eq!(
        review_new("src/app/account.tsx", tsx),
        vec![line(6, "authentication", "defines `useAuth`")]
    );
    // In server code the same handler name is a route handler.
    let ts = "export async function handleLogin(req: Request) {}\n";
    assert_eq!(
        review_new("src/server/routes.ts", ts),
        vec![line(1, "authentication", "defines `handleLogin`")]
    );
}

#[test]
fn output_is_sorted_and_deduplicated() {
    let a = "import bcrypt from \"bcrypt\";\nimport { hash } from \"bcrypt\";\nexport function login() {}\nexport const x = { bcrypt, hash };\n";
    let b = "import Stripe from \"stripe\";\nexport const s = new Stripe(\"\");\n";
    let (la, lb) = (lines_of(a), lines_of(b));
    let files = [
        ChangedFile {
            path: "src/z/users.ts",
            content: a,
            added_lines: &la,
        },
        ChangedFile {
            path: "src/a/orders.ts",
            content: b,
            added_lines: &lb,
        },
    ];
    let signals = security_signals(&files, &["src/auth/old.ts"]);
    let got: Vec<(&str, Option<u32>, &str)> = signals
        .iter()
        .map(|s| (s.path.as_str(), s.line, s.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("src/a/orders.ts", Some(1), "imports `stripe`"),
            ("src/auth/old.ts", None, "path `src/auth/old.ts`"),
            ("src/z/users.ts", Some(1), "imports `bcrypt`"),
            ("src/z/users.ts", Some(3), "defines `login`"),
        ]
    );
}

// ---- fixtures ------------------------------------------------------------

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/security")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            walk(&entry, out);
        } else {
            out.push(entry);
        }
    }
}

fn area_by_id(id: &str, file: &str) -> &'static str {
    SecurityArea::ALL
        .iter()
        .map(|a| a.as_str())
        .find(|a| *a == id)
        .unwrap_or_else(|| panic!("{file}: unknown area `{id}`"))
}

/// `(line, area)` for every `expect-line:` (next line) and `expect-path:`
/// (no line) marker.
fn expectations(text: &str, file: &str) -> BTreeSet<(Option<u32>, &'static str)> {
    let mut expected = BTreeSet::new();
    for (index, l) in text.lines().enumerate() {
        for (marker, target) in [
            ("expect-line:", Some(u32::try_from(index).unwrap() + 2)),
            ("expect-path:", None),
        ] {
            if let Some((_, areas)) = l.split_once(marker) {
                for id in areas.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    expected.insert((target, area_by_id(id, file)));
                }
            }
        }
    }
    expected
}

#[test]
fn every_fixture_produces_exactly_its_expected_signals() {
    let mut failures = Vec::new();
    let mut counts = [0; 2];
    for (index, kind) in ["positive", "negative"].into_iter().enumerate() {
        let root = fixtures_dir().join(kind);
        let mut files = Vec::new();
        walk(&root, &mut files);
        for file in files {
            let logical = file
                .strip_prefix(&root)
                .unwrap()
                .to_str()
                .unwrap()
                .replace('\\', "/");
            let content = fs::read_to_string(&file).unwrap();
            let expected = expectations(&content, &logical);
            if kind == "positive" {
                assert!(!expected.is_empty(), "{kind}/{logical}: no expect marker");
            } else {
                assert!(
                    expected.is_empty(),
                    "{kind}/{logical}: negative with markers"
                );
            }
            let added = lines_of(&content);
            let signals = security_signals(
                &[ChangedFile {
                    path: &logical,
                    content: &content,
                    added_lines: &added,
                }],
                &[],
            );
            let actual: BTreeSet<(Option<u32>, &'static str)> =
                signals.iter().map(|s| (s.line, s.area.as_str())).collect();
            if actual != expected {
                failures.push(format!(
                    "{kind}/{logical}:\n  missing:    {:?}\n  unexpected: {:?}\n  signals:    {signals:#?}",
                    expected.difference(&actual).collect::<Vec<_>>(),
                    actual.difference(&expected).collect::<Vec<_>>(),
                ));
            }
            counts[index] += 1;
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(
        counts[0] >= 10 && counts[1] >= 10,
        "too few fixtures: {counts:?}"
    );
}

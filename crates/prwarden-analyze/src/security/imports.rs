//! Imports of security libraries in a parsed JS-family or Python file, and
//! the table of those libraries.
//!
//! A library counts when the code imports it (`import`, `export … from`,
//! `require`, dynamic `import()`, Python `import` / `from … import`).
//! Type-only imports (`import type`, Python imports under `if
//! TYPE_CHECKING:`) run nothing and do not count, nor do relative and
//! path-alias imports (`./auth`, `@/lib/auth`): the local module is judged by
//! its own path when it changes.
//!
//! Some libraries are mostly used for something harmless, so what the file
//! takes from them decides (see [`Members`]): Node's `crypto` for
//! `randomUUID` or a checksum, Python's `hashlib` for anything but password
//! hashing, `django.contrib.auth` for `get_user_model`.

use std::collections::BTreeSet;

use tree_sitter::Node;

use super::SecurityArea::{self, *};
use super::symbols::{end_line, start_line};
use crate::model::Language;
use crate::syntax::NodeExt as _;
use crate::syntax::preorder;

/// Which uses of a library make its import count.
#[derive(Clone, Copy)]
pub(super) enum Members {
    /// Any import.
    Any,
    /// Unless everything the file takes from it is in this list.
    UnlessOnly(&'static [&'static str]),
    /// Only when the file takes one of these.
    OnlyIf(&'static [&'static str]),
}

/// One entry of a language's library table.
pub(super) struct Library {
    /// JS: a package or package subpath (`bcrypt`, `@clerk/nextjs/server`);
    /// ending in `/` or `-`, a prefix (`@stripe/`, `passport-`). Python: a
    /// dotted module, covering its submodules.
    pub module: &'static str,
    /// `None`: a known client-side helper of a security library
    /// (`next-auth/react`) that is deliberately not counted.
    pub area: Option<SecurityArea>,
    pub members: Members,
    /// Schema libraries (`zod`, `pydantic`) build UI forms and API types as
    /// often as they guard input: they count only in a file whose purpose
    /// is validation.
    pub validation_only: bool,
}

const fn lib(module: &'static str, area: SecurityArea) -> Library {
    Library {
        module,
        area: Some(area),
        members: Members::Any,
        validation_only: false,
    }
}

const fn ignored(module: &'static str) -> Library {
    Library {
        module,
        area: None,
        members: Members::Any,
        validation_only: false,
    }
}

const fn unless_only(
    module: &'static str,
    area: SecurityArea,
    benign: &'static [&'static str],
) -> Library {
    Library {
        module,
        area: Some(area),
        members: Members::UnlessOnly(benign),
        validation_only: false,
    }
}

const fn only_if(
    module: &'static str,
    area: SecurityArea,
    critical: &'static [&'static str],
) -> Library {
    Library {
        module,
        area: Some(area),
        members: Members::OnlyIf(critical),
        validation_only: false,
    }
}

const fn schema(module: &'static str) -> Library {
    Library {
        module,
        area: Some(InputValidation),
        members: Members::Any,
        validation_only: true,
    }
}

/// npm packages. The longest matching entry wins, so `next-auth/react`
/// (ignored) beats `next-auth`.
pub(super) const JS_LIBRARIES: &[Library] = &[
    // Authentication.
    lib("bcrypt", Authentication),
    lib("bcryptjs", Authentication),
    lib("argon2", Authentication),
    lib("@node-rs/argon2", Authentication),
    lib("@node-rs/bcrypt", Authentication),
    lib("jsonwebtoken", Authentication),
    lib("jose", Authentication),
    lib("jwks-rsa", Authentication),
    lib("express-jwt", Authentication),
    lib("@fastify/jwt", Authentication),
    lib("koa-jwt", Authentication),
    lib("passport", Authentication),
    lib("passport-", Authentication),
    lib("@nestjs/passport", Authentication),
    lib("@nestjs/jwt", Authentication),
    lib("next-auth", Authentication),
    ignored("next-auth/react"),
    ignored("next-auth/client"),
    lib("@auth/", Authentication),
    lib("better-auth", Authentication),
    ignored("better-auth/react"),
    ignored("better-auth/client"),
    lib("lucia", Authentication),
    lib("@lucia-auth/", Authentication),
    lib("express-session", Authentication),
    lib("cookie-session", Authentication),
    lib("iron-session", Authentication),
    lib("@fastify/session", Authentication),
    lib("@fastify/secure-session", Authentication),
    lib("koa-session", Authentication),
    lib("express-openid-connect", Authentication),
    lib("express-oauth2-jwt-bearer", Authentication),
    lib("openid-client", Authentication),
    lib("oauth4webapi", Authentication),
    lib("simple-oauth2", Authentication),
    lib("@simplewebauthn/server", Authentication),
    lib("otplib", Authentication),
    lib("speakeasy", Authentication),
    lib("@clerk/nextjs/server", Authentication),
    lib("@clerk/backend", Authentication),
    lib("@clerk/express", Authentication),
    lib("@clerk/fastify", Authentication),
    lib("firebase-admin/auth", Authentication),
    lib("auth0", Authentication),
    lib("@okta/jwt-verifier", Authentication),
    lib("keycloak-connect", Authentication),
    lib("@azure/msal-node", Authentication),
    lib("@aws-sdk/client-cognito-identity-provider", Authentication),
    // Authorization.
    lib("@casl/", Authorization),
    lib("accesscontrol", Authorization),
    lib("casbin", Authorization),
    lib("oso", Authorization),
    lib("cors", Authorization),
    lib("@fastify/cors", Authorization),
    lib("@koa/cors", Authorization),
    lib("@aws-sdk/client-iam", Authorization),
    // Payments.
    lib("stripe", Payments),
    lib("@stripe/", Payments),
    lib("@paypal/", Payments),
    lib("braintree", Payments),
    lib("braintree-web", Payments),
    lib("@adyen/", Payments),
    lib("razorpay", Payments),
    lib("@lemonsqueezy/", Payments),
    lib("@paddle/", Payments),
    lib("square", Payments),
    lib("@mollie/", Payments),
    lib("chargebee", Payments),
    lib("recurly", Payments),
    // Cryptography. `crypto.randomUUID()` and `createHash` for checksums
    // and cache keys are not cryptography anyone needs to review.
    unless_only(
        "crypto",
        Cryptography,
        &["randomUUID", "createHash", "getHashes"],
    ),
    lib("tls", Cryptography),
    lib("crypto-js", Cryptography),
    lib("node-forge", Cryptography),
    lib("tweetnacl", Cryptography),
    lib("tweetnacl-util", Cryptography),
    lib("libsodium-wrappers", Cryptography),
    lib("sodium-native", Cryptography),
    lib("@noble/", Cryptography),
    lib("elliptic", Cryptography),
    lib("openpgp", Cryptography),
    lib("node-rsa", Cryptography),
    lib("jsrsasign", Cryptography),
    lib("@aws-sdk/client-kms", Cryptography),
    lib("@google-cloud/kms", Cryptography),
    lib("@azure/keyvault-keys", Cryptography),
    // Secrets.
    lib("@aws-sdk/client-secrets-manager", Secrets),
    lib("@google-cloud/secret-manager", Secrets),
    lib("@azure/keyvault-secrets", Secrets),
    lib("node-vault", Secrets),
    lib("keytar", Secrets),
    lib("@infisical/sdk", Secrets),
    // Input validation: request hardening and HTML sanitising always count.
    lib("helmet", InputValidation),
    lib("@fastify/helmet", InputValidation),
    lib("csurf", InputValidation),
    lib("csrf", InputValidation),
    lib("csrf-csrf", InputValidation),
    lib("@fastify/csrf-protection", InputValidation),
    lib("lusca", InputValidation),
    lib("dompurify", InputValidation),
    lib("isomorphic-dompurify", InputValidation),
    lib("sanitize-html", InputValidation),
    lib("xss", InputValidation),
    lib("express-validator", InputValidation),
    lib("express-mongo-sanitize", InputValidation),
    lib("hpp", InputValidation),
    // Schema libraries: only in a validation file.
    schema("zod"),
    schema("joi"),
    schema("@hapi/joi"),
    schema("yup"),
    schema("valibot"),
    schema("superstruct"),
    schema("ajv"),
    schema("class-validator"),
    schema("@sinclair/typebox"),
    schema("io-ts"),
    schema("validator"),
    schema("@vinejs/vine"),
    schema("runtypes"),
    schema("arktype"),
];

/// Python modules (case-sensitive, as Python is). An entry covers its
/// submodules; the longest matching entry wins.
pub(super) const PY_LIBRARIES: &[Library] = &[
    // Authentication.
    lib("bcrypt", Authentication),
    lib("passlib", Authentication),
    lib("argon2", Authentication),
    lib("crypt", Authentication),
    lib("jwt", Authentication),
    lib("jose", Authentication),
    lib("authlib", Authentication),
    lib("oauthlib", Authentication),
    lib("requests_oauthlib", Authentication),
    lib("social_core", Authentication),
    lib("social_django", Authentication),
    lib("allauth", Authentication),
    lib("dj_rest_auth", Authentication),
    lib("knox", Authentication),
    // Every model file takes the user model from here; that is not auth
    // code.
    unless_only("django.contrib.auth", Authentication, &["get_user_model"]),
    unless_only(
        "django.contrib.auth.models",
        Authentication,
        &["User", "Group", "AnonymousUser"],
    ),
    lib("django.contrib.sessions", Authentication),
    unless_only("flask_login", Authentication, &["current_user"]),
    lib("flask_jwt_extended", Authentication),
    lib("flask_httpauth", Authentication),
    lib("flask_security", Authentication),
    lib("flask_bcrypt", Authentication),
    lib("werkzeug.security", Authentication),
    lib("fastapi.security", Authentication),
    lib("starlette.authentication", Authentication),
    lib("starlette.middleware.sessions", Authentication),
    lib("rest_framework.authentication", Authentication),
    lib("rest_framework.authtoken", Authentication),
    lib("rest_framework_simplejwt", Authentication),
    lib("pyotp", Authentication),
    lib("webauthn", Authentication),
    lib("fido2", Authentication),
    lib("onelogin.saml2", Authentication),
    lib("saml2", Authentication),
    lib("keycloak", Authentication),
    lib("firebase_admin.auth", Authentication),
    // Authorization.
    lib("rest_framework.permissions", Authorization),
    lib("guardian", Authorization),
    lib("casbin", Authorization),
    lib("oso", Authorization),
    lib("flask_principal", Authorization),
    lib("flask_cors", Authorization),
    lib("corsheaders", Authorization),
    // Payments.
    lib("stripe", Payments),
    lib("djstripe", Payments),
    lib("paypalrestsdk", Payments),
    lib("paypalcheckoutsdk", Payments),
    lib("paypalserversdk", Payments),
    lib("braintree", Payments),
    lib("razorpay", Payments),
    lib("Adyen", Payments),
    lib("square", Payments),
    lib("mollie", Payments),
    lib("chargebee", Payments),
    // Cryptography. `hashlib` is mostly checksums and cache keys; only its
    // password-hashing functions count.
    lib("cryptography", Cryptography),
    lib("Crypto", Cryptography),
    lib("Cryptodome", Cryptography),
    lib("nacl", Cryptography),
    only_if("hashlib", Cryptography, &["pbkdf2_hmac", "scrypt"]),
    lib("hmac", Cryptography),
    lib("secrets", Cryptography),
    lib("ssl", Cryptography),
    lib("OpenSSL", Cryptography),
    lib("itsdangerous", Cryptography),
    lib("jwcrypto", Cryptography),
    lib("gnupg", Cryptography),
    lib("pgpy", Cryptography),
    lib("google.cloud.kms", Cryptography),
    // Secrets.
    lib("keyring", Secrets),
    lib("hvac", Secrets),
    lib("google.cloud.secretmanager", Secrets),
    lib("azure.keyvault", Secrets),
    // Input validation: sanitisers and CSRF protection always count.
    lib("bleach", InputValidation),
    lib("nh3", InputValidation),
    lib("html_sanitizer", InputValidation),
    lib("defusedxml", InputValidation),
    lib("django.views.decorators.csrf", InputValidation),
    lib("django.middleware.csrf", InputValidation),
    lib("flask_wtf.csrf", InputValidation),
    // Schema libraries: only in a validation file.
    schema("pydantic"),
    schema("marshmallow"),
    schema("cerberus"),
    schema("voluptuous"),
    schema("jsonschema"),
    schema("validators"),
    schema("email_validator"),
    schema("django.core.validators"),
];

/// One import of a library that counts, given what the file takes from it.
pub(super) struct Import {
    /// The module as written (`node:crypto`, `django.contrib.auth`).
    pub module: String,
    pub area: SecurityArea,
    pub validation_only: bool,
    pub start_line: u32,
    pub end_line: u32,
}

/// Every import in the file of a library in the table whose members make
/// it count. Whether its lines were added is the caller's business.
pub(super) fn collect(root: Node<'_>, source: &str, language: Language) -> Vec<Import> {
    let mut out = Vec::new();
    let finder = Finder { root, source };
    for node in preorder(root) {
        match (language, node.kind_str()) {
            (Language::Python, "import_statement") => finder.python_import(node, &mut out),
            (Language::Python, "import_from_statement") => finder.python_from(node, &mut out),
            (Language::Python, _) => {}
            // Go, Rust and Java imports are not in the tables yet; their
            // files are judged by path and symbols.
            (l, _) if !l.is_js_family() => {}
            (_, "import_statement") => finder.js_import(node, &mut out),
            (_, "export_statement") => finder.js_reexport(node, &mut out),
            (_, "call_expression") => finder.js_require(node, &mut out),
            _ => {}
        }
    }
    out
}

/// Which library table an import is looked up in.
#[derive(Clone, Copy)]
enum Table {
    Js,
    Python,
}

/// What a file takes from an import: `Some(names)` when known, `None` when
/// the module object escapes (passed around, unused, `import *`).
type Used = Option<BTreeSet<String>>;

struct Finder<'t, 's> {
    root: Node<'t>,
    source: &'s str,
}

impl<'t, 's> Finder<'t, 's> {
    fn text(&self, node: Node<'_>) -> &'s str {
        self.source.get(node.byte_range()).unwrap_or("")
    }

    /// Pushes the import when its module is in the table and what the file
    /// takes from it makes it count.
    fn push(
        &self,
        language: Table,
        module: &str,
        used: &Used,
        span: Node<'_>,
        out: &mut Vec<Import>,
    ) {
        let Some(library) = lookup(language, module) else {
            return;
        };
        let Some(area) = library.area else {
            return;
        };
        if !members_count(library.members, used) {
            return;
        }
        out.push(Import {
            module: module.to_string(),
            area,
            validation_only: library.validation_only,
            start_line: start_line(span),
            end_line: end_line(span),
        });
    }

    /// Names accessed as `local.name` (JS member expressions, Python
    /// attributes) anywhere in the file; `None` when there are none.
    fn member_uses(&self, local: &str) -> Used {
        let uses: BTreeSet<String> = preorder(self.root)
            .filter_map(|node| {
                let (object, property) = match node.kind_str() {
                    "member_expression" => ("object", "property"),
                    "attribute" => ("object", "attribute"),
                    _ => return None,
                };
                let object = node.field(object)?;
                (object.kind_str() == "identifier" && self.text(object) == local)
                    .then(|| node.field(property))
                    .flatten()
                    .map(|p| self.text(p).to_string())
            })
            .collect();
        (!uses.is_empty()).then_some(uses)
    }

    /// Imports under `if TYPE_CHECKING:` only exist for the type checker.
    fn under_type_checking(&self, node: Node<'_>) -> bool {
        let mut current = node.parent();
        while let Some(n) = current {
            let condition = n
                .field("condition")
                .filter(|_| n.kind_str() == "if_statement")
                .map(|c| self.text(c));
            if condition.is_some_and(|c| c == "TYPE_CHECKING" || c.ends_with(".TYPE_CHECKING")) {
                return true;
            }
            current = n.parent();
        }
        false
    }

    // ---- JavaScript and TypeScript ----------------------------------------

    /// `import x, { a, b as c } from "m"`, `import * as x from "m"`,
    /// `import "m"`; not `import type …`.
    fn js_import(&self, node: Node<'_>, out: &mut Vec<Import>) {
        if has_type_keyword(node) {
            return;
        }
        let Some(module) = self.js_source(node) else {
            return;
        };
        let Some(track) = tracks_members(Table::Js, module) else {
            return;
        };
        let mut cursor = node.walk();
        let clause = node
            .named_children(&mut cursor)
            .find(|c| c.kind_str() == "import_clause");
        let used = match clause {
            // A side-effect import: the module runs, nothing is named.
            None => None,
            Some(clause) => {
                let mut names = BTreeSet::new();
                let mut opaque = false;
                let mut values = 0;
                let mut cursor = clause.walk();
                for part in clause.named_children(&mut cursor) {
                    match part.kind_str() {
                        "identifier" => {
                            values += 1;
                            if track {
                                self.add_uses(self.text(part), &mut names, &mut opaque);
                            }
                        }
                        "namespace_import" => {
                            values += 1;
                            let mut c = part.walk();
                            if let Some(local) = part
                                .named_children(&mut c)
                                .find(|n| n.kind_str() == "identifier")
                                .filter(|_| track)
                            {
                                self.add_uses(self.text(local), &mut names, &mut opaque);
                            }
                        }
                        "named_imports" => {
                            let mut c = part.walk();
                            for spec in part.named_children(&mut c) {
                                if spec.kind_str() != "import_specifier" || has_type_keyword(spec) {
                                    continue;
                                }
                                if let Some(name) = spec.field("name") {
                                    values += 1;
                                    names.insert(unquote(self.text(name)).to_string());
                                }
                            }
                        }
                        _ => {}
                    }
                }
                // `import { type A, type B } from "m"` imports types only.
                if values == 0 {
                    return;
                }
                (!opaque).then_some(names)
            }
        };
        self.push(Table::Js, module, &used, node, out);
    }

    /// Adds what the file takes from a default or namespace import; a binding
    /// that is never dereferenced is opaque.
    fn add_uses(&self, local: &str, names: &mut BTreeSet<String>, opaque: &mut bool) {
        match self.member_uses(local) {
            Some(uses) => names.extend(uses),
            None => *opaque = true,
        }
    }

    /// `export { a } from "m"`, `export * from "m"`; not `export type …`.
    fn js_reexport(&self, node: Node<'_>, out: &mut Vec<Import>) {
        if has_type_keyword(node) {
            return;
        }
        let Some(module) = self.js_source(node) else {
            return;
        };
        let mut cursor = node.walk();
        let used = node
            .named_children(&mut cursor)
            .find(|c| c.kind_str() == "export_clause")
            .map(|clause| {
                let mut c = clause.walk();
                clause
                    .named_children(&mut c)
                    .filter(|s| s.kind_str() == "export_specifier")
                    .filter_map(|s| s.field("name"))
                    .map(|n| unquote(self.text(n)).to_string())
                    .collect::<BTreeSet<_>>()
            });
        self.push(Table::Js, module, &used, node, out);
    }

    /// `require("m")` and `import("m")`, with what the result is bound to.
    fn js_require(&self, call: Node<'_>, out: &mut Vec<Import>) {
        let Some(function) = call.field("function") else {
            return;
        };
        let is_loader = function.kind_str() == "import"
            || (function.kind_str() == "identifier" && self.text(function) == "require");
        if !is_loader {
            return;
        }
        let Some(argument) = call
            .field("arguments")
            .and_then(|args| args.named_child(0))
            .filter(|a| a.kind_str() == "string")
        else {
            return;
        };
        let module = unquote(self.text(argument));
        if is_local_js(module) {
            return;
        }
        let Some(track) = tracks_members(Table::Js, module) else {
            return;
        };

        // `const x = require(…)` / `const { a, b } = await import(…)`.
        let mut binding = call.parent();
        while let Some(b) = binding.filter(|b| b.kind_str() == "await_expression") {
            binding = b.parent();
        }
        let used = binding
            .filter(|b| track && b.kind_str() == "variable_declarator")
            .and_then(|d| d.field("name"))
            .and_then(|name| match name.kind_str() {
                "identifier" => self.member_uses(self.text(name)),
                "object_pattern" => {
                    let mut c = name.walk();
                    let keys: BTreeSet<String> = name
                        .named_children(&mut c)
                        .filter_map(|p| match p.kind_str() {
                            "shorthand_property_identifier_pattern" => Some(p),
                            "pair_pattern" => p.field("key"),
                            _ => None,
                        })
                        .map(|k| unquote(self.text(k)).to_string())
                        .collect();
                    (!keys.is_empty()).then_some(keys)
                }
                _ => None,
            });
        self.push(Table::Js, module, &used, enclosing_statement(call), out);
    }

    /// The module string of an import or re-export, unless it is local.
    fn js_source(&self, node: Node<'_>) -> Option<&'s str> {
        let source = node.field("source")?;
        let module = unquote(self.text(source));
        (!is_local_js(module)).then_some(module)
    }

    // ---- Python --------------------------------------------------------------

    /// `import a.b`, `import a as b`, `import a, b`: each name is an import.
    fn python_import(&self, node: Node<'_>, out: &mut Vec<Import>) {
        if self.under_type_checking(node) {
            return;
        }
        let mut cursor = node.walk();
        for name in node.children_by_field_name("name", &mut cursor) {
            let (module, alias) = match name.kind_str() {
                "aliased_import" => (
                    name.field("name").map(|n| self.text(n)),
                    name.field("alias").map(|n| self.text(n)),
                ),
                _ => (Some(self.text(name)), None),
            };
            let Some(module) = module else { continue };
            let Some(track) = tracks_members(Table::Python, module) else {
                continue;
            };
            // `import hashlib` binds `hashlib`; `import a.b` binds `a`, and
            // what is taken from `a.b` is not worth tracing.
            let local = alias.or((!module.contains('.')).then_some(module));
            let used = local.filter(|_| track).and_then(|l| self.member_uses(l));
            self.push(Table::Python, module, &used, node, out);
        }
    }

    /// `from m import a, b as c`, `from m import *`, and `from pkg import
    /// submodule` (`from django.contrib import auth`).
    fn python_from(&self, node: Node<'_>, out: &mut Vec<Import>) {
        if self.under_type_checking(node) {
            return;
        }
        let Some(module_node) = node.field("module_name") else {
            return;
        };
        if module_node.kind_str() == "relative_import" {
            return;
        }
        let module = self.text(module_node);
        let module_entry = best_match(PY_LIBRARIES, module, python_matches).map(|l| l.module);

        let mut names = BTreeSet::new();
        let mut cursor = node.walk();
        for name in node.children_by_field_name("name", &mut cursor) {
            let (original, local) = match name.kind_str() {
                "aliased_import" => {
                    let original = name.field("name").map(|n| self.text(n));
                    let alias = name.field("alias").map(|n| self.text(n));
                    (original, alias.or(original))
                }
                _ => (Some(self.text(name)), Some(self.text(name))),
            };
            let Some(original) = original else { continue };
            let full = format!("{module}.{original}");
            let submodule = best_match(PY_LIBRARIES, &full, python_matches)
                .filter(|l| module_entry.is_none_or(|m| l.module.len() > m.len()));
            if let Some(submodule) = submodule {
                let track = !matches!(submodule.members, Members::Any);
                let used = local.filter(|_| track).and_then(|l| self.member_uses(l));
                self.push(Table::Python, &full, &used, node, out);
            } else {
                names.insert(original.to_string());
            }
        }
        let mut c = node.walk();
        let wildcard = node
            .children(&mut c)
            .any(|n| n.kind_str() == "wildcard_import");
        if module_entry.is_some() && (wildcard || !names.is_empty()) {
            let used = (!wildcard).then_some(names);
            self.push(Table::Python, module, &used, node, out);
        }
    }
}

/// The table entry for a module, if it is a library that can count.
fn lookup(table: Table, module: &str) -> Option<&'static Library> {
    match table {
        Table::Js => best_match(JS_LIBRARIES, js_package_key(module), js_matches),
        Table::Python => best_match(PY_LIBRARIES, module, python_matches),
    }
    .filter(|l| l.area.is_some())
}

/// Whether what the file takes from the module decides (so it is worth
/// looking up); `None` when the module is no library that counts.
fn tracks_members(table: Table, module: &str) -> Option<bool> {
    lookup(table, module).map(|l| !matches!(l.members, Members::Any))
}

/// Whether a library's import counts given what the file takes from it.
fn members_count(members: Members, used: &Used) -> bool {
    match (members, used) {
        (Members::Any, _) => true,
        (Members::UnlessOnly(benign), Some(used)) => {
            used.is_empty() || !used.iter().all(|u| benign.contains(&u.as_str()))
        }
        (Members::UnlessOnly(_), None) => true,
        (Members::OnlyIf(critical), Some(used)) => {
            used.iter().any(|u| critical.contains(&u.as_str()))
        }
        (Members::OnlyIf(_), None) => false,
    }
}

/// The longest table entry that matches `module`.
fn best_match(
    table: &'static [Library],
    module: &str,
    matches: fn(&str, &str) -> bool,
) -> Option<&'static Library> {
    table
        .iter()
        .filter(|l| matches(module, l.module))
        .max_by_key(|l| l.module.len())
}

/// `m` is the entry, a subpath of it, or — for a prefix entry ending in `/`
/// or `-` — any package starting with it.
fn js_matches(module: &str, entry: &str) -> bool {
    if entry.ends_with('/') || entry.ends_with('-') {
        return module.starts_with(entry);
    }
    module
        .strip_prefix(entry)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// `m` is the entry or one of its submodules.
fn python_matches(module: &str, entry: &str) -> bool {
    module
        .strip_prefix(entry)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// `node:crypto` and Deno's `npm:stripe` name the same package as
/// `crypto` and `stripe`.
fn js_package_key(module: &str) -> &str {
    module
        .strip_prefix("node:")
        .or_else(|| module.strip_prefix("npm:"))
        .unwrap_or(module)
}

/// Relative paths and the usual path aliases (`@/`, `~/`, `#lib`, `$lib`)
/// point into the repository, not at a library.
fn is_local_js(module: &str) -> bool {
    module.starts_with(['.', '/', '~', '#', '$']) || module.starts_with("@/")
}

/// An anonymous `type` keyword child: `import type …`, `export type … from`,
/// `{ type A }`.
fn has_type_keyword(node: Node<'_>) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .any(|c| !c.is_named() && c.kind_str() == "type")
}

/// The statement a loader call belongs to, so that an import spread over
/// several lines counts when any of them was added.
fn enclosing_statement(node: Node<'_>) -> Node<'_> {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.kind_str().ends_with("statement") || parent.kind_str().ends_with("declaration") {
            return parent;
        }
        if matches!(
            parent.kind_str(),
            "program" | "statement_block" | "class_body"
        ) {
            break;
        }
        current = parent;
    }
    node
}

fn unquote(text: &str) -> &str {
    text.trim_matches(['"', '\'', '`'])
}

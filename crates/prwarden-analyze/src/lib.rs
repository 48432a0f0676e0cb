//! prwarden's analyzer engine: changed files and their added lines go in,
//! checklist findings come out.
//!
//! The crate is pure — no I/O, no network, no clock — so the same diff always
//! yields the same findings, in the App, in local mode and in tests.
//!
//! - [`model`] owns the vocabulary shared with the App (findings, severities,
//!   checklist items, file reports).
//! - [`Analyzer`] (in `engine`) owns file classification (skipped, generated,
//!   unsupported), parsing each file once and running the rules over it.
//! - [`RuleContext`] (in `context`) owns what a rule may look at and the
//!   helpers every rule shares, including fingerprints.
//! - [`rules`] owns the registry of built-in rules, one file per rule.
//! - [`custom`] owns the teams' own structural patterns (custom rules) and
//!   their matcher.
//! - [`change`] owns the pull-request-level interface ([`ChangeRule`]): rules
//!   over the PR's paths whose findings have no line.

pub mod change;
mod context;
pub mod custom;
mod engine;
pub mod model;
pub mod pr_facts;
pub mod rules;
pub mod security;
mod sql_ddl;
pub mod syntax;

pub use change::{Change, ChangeFinding, ChangeRule, ChangedPath, FileStatus};
pub use context::{FindingBuilder, RuleContext, fingerprint, normalise_code};
pub use custom::{CustomRuleSpec, Pattern, PatternError, StructuralRule};
pub use engine::{Analysis, Analyzer, parse};
pub use model::*;
pub use rules::Rule;
pub use security::{SecurityArea, SecuritySignal, security_signals};

//! The registry of built-in rules — the one list every consumer (the
//! analyzer, `prwarden rules`, the docs, the tests) reads — and the [`Rule`]
//! trait they implement. Each rule lives in its own file under the module of
//! its checklist item.

use crate::context::RuleContext;
use crate::model::{Finding, RuleMeta};

pub mod error_handling;
pub mod hardcoded_config;
pub mod query_efficiency;
pub mod type_safety;

/// One check. Rules are pure: they read the [`RuleContext`] and push a
/// finding for every problem in the file, added line or not. The engine keeps
/// those on added lines; it needs the others to number repeated fingerprints
/// independently of which lines a push happened to touch.
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>);
}

/// Every built-in rule, in the order they are documented.
pub fn builtin() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(hardcoded_config::secret::Secret),
        Box::new(type_safety::explicit_any::ExplicitAny),
        Box::new(error_handling::empty_catch::EmptyCatch),
        Box::new(query_efficiency::call_in_loop::CallInLoop),
    ]
}

/// Shortens code quoted in a title or message so that a long expression does
/// not drown the sentence around it.
pub(crate) fn quote(code: &str, max_chars: usize) -> String {
    let code = crate::context::normalise_code(code);
    if code.chars().count() <= max_chars {
        return code;
    }
    let cut: String = code.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

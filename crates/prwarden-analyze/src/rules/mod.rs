//! The registry of built-in rules — the one list every consumer (the
//! analyzer, `prwarden rules`, the docs, the tests) reads — and the [`Rule`]
//! trait they implement. Each rule lives in its own file under the module of
//! its checklist item.

use crate::change::ChangeRule;
use crate::context::RuleContext;
use crate::model::{Finding, RuleMeta};

pub mod async_races;
pub mod concurrency;
pub mod error_handling;
pub mod error_messages;
pub mod hardcoded_config;
pub mod input_validation;
pub mod null_safety;
pub mod performance;
pub mod query_efficiency;
pub mod test_quality;
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
        Box::new(hardcoded_config::endpoint::Endpoint),
        Box::new(type_safety::explicit_any::ExplicitAny),
        Box::new(type_safety::unsafe_cast::UnsafeCast),
        Box::new(type_safety::suppressed_check::SuppressedCheck),
        Box::new(type_safety::python_any::PythonAny),
        Box::new(type_safety::go_empty_interface::GoEmptyInterface),
        Box::new(type_safety::rust_unsafe::RustUnsafe),
        Box::new(type_safety::java_raw_type::JavaRawType),
        Box::new(error_handling::empty_catch::EmptyCatch),
        Box::new(error_handling::bare_except::BareExcept),
        Box::new(error_handling::discarded_error::DiscardedError),
        Box::new(error_handling::logged_without_error::LoggedWithoutError),
        Box::new(query_efficiency::call_in_loop::CallInLoop),
        Box::new(query_efficiency::lazy_relation_in_loop::LazyRelationInLoop),
        Box::new(query_efficiency::lookup_column_without_index::LookupColumnWithoutIndex),
        Box::new(query_efficiency::missing_fk_index::MissingFkIndex),
        Box::new(query_efficiency::unbounded_query::UnboundedQuery),
        Box::new(performance::lookup_in_loop::LookupInLoop),
        Box::new(performance::string_concat_in_loop::StringConcatInLoop),
        Box::new(performance::nested_loop_over_same_collection::NestedLoopOverSameCollection),
        Box::new(null_safety::non_null_assertion::NonNullAssertion),
        Box::new(null_safety::unchecked_lookup::UncheckedLookup),
        Box::new(null_safety::unwrap_outside_tests::UnwrapOutsideTests),
        Box::new(null_safety::ignored_error::IgnoredError),
        Box::new(null_safety::used_before_error_check::UsedBeforeErrorCheck),
        Box::new(error_messages::generic_message::GenericMessage),
        Box::new(error_messages::errorf_drops_cause::ErrorfDropsCause),
        Box::new(error_messages::bare_error_log::BareErrorLog),
        Box::new(error_messages::map_err_drops_cause::MapErrDropsCause),
        Box::new(concurrency::module_level_state::ModuleLevelState),
        Box::new(concurrency::go_map_in_goroutine::GoMapInGoroutine),
        Box::new(concurrency::go_append_in_goroutine::GoAppendInGoroutine),
        Box::new(concurrency::go_global_written_by_handler::GoGlobalWrittenByHandler),
        Box::new(concurrency::java_shared_mutable_static::JavaSharedMutableStatic),
        Box::new(concurrency::read_modify_write::ReadModifyWrite),
        Box::new(async_races::floating_promise::FloatingPromise),
        Box::new(async_races::async_foreach::AsyncForeach),
        Box::new(async_races::effect_without_abort::EffectWithoutAbort),
        Box::new(async_races::effect_without_cleanup::EffectWithoutCleanup),
        Box::new(async_races::mutex_guard_across_await::MutexGuardAcrossAwait),
        Box::new(async_races::stale_store_write::StaleStoreWrite),
        Box::new(input_validation::sql_injection::SqlInjection),
        Box::new(input_validation::command_injection::CommandInjection),
        Box::new(input_validation::tls_verification_disabled::TlsVerificationDisabled),
        Box::new(input_validation::dynamic_code::DynamicCode),
        Box::new(input_validation::unsafe_deserialization::UnsafeDeserialization),
        Box::new(input_validation::unsafe_html::UnsafeHtml),
        Box::new(input_validation::xml_external_entities::XmlExternalEntities),
        Box::new(input_validation::insecure_random::InsecureRandom),
        Box::new(input_validation::path_from_request::PathFromRequest),
        Box::new(input_validation::mass_assignment::MassAssignment),
        Box::new(input_validation::unvalidated_body_cast::UnvalidatedBodyCast),
        Box::new(test_quality::no_assertion::NoAssertion),
        Box::new(test_quality::only_mock_assertions::OnlyMockAssertions),
        Box::new(test_quality::duplicate_test_name::DuplicateTestName),
        Box::new(test_quality::focused_test::FocusedTest),
        Box::new(test_quality::skipped_test::SkippedTest),
        Box::new(test_quality::sleep_in_test::SleepInTest),
        Box::new(test_quality::private_state_assertion::PrivateStateAssertion),
    ]
}

/// Every built-in pull-request-level rule ([`ChangeRule`]), in the order they
/// are documented. They are listed with the per-file rules by
/// [`crate::Analyzer::rules`].
pub fn builtin_change_rules() -> Vec<Box<dyn ChangeRule>> {
    vec![Box::new(test_quality::no_tests_changed::NoTestsChanged)]
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

/// ` in `Service.method`` to append to a sentence about a finding, or
/// nothing when the code is outside any named scope.
pub(crate) fn symbol_suffix(symbol: Option<&str>) -> String {
    symbol.map(|s| format!(" in `{s}`")).unwrap_or_default()
}

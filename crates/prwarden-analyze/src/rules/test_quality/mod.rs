//! Rules of the `test-quality` checklist item: tests that test behaviour, not implementation.

pub mod duplicate_test_name;
pub mod focused_test;
pub mod no_assertion;
pub mod no_tests_changed;
pub mod only_mock_assertions;
pub mod private_state_assertion;
pub mod skipped_test;
pub mod sleep_in_test;
pub(crate) mod tests_in_file;

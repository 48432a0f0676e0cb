//! Rules of the `null-safety` checklist item: values that may be missing
//! (null, undefined, `None`, an empty `Option`/`Optional`, a zero value
//! next to an ignored error) used as if they were always there.

pub mod ignored_error;
pub mod non_null_assertion;
pub mod unchecked_lookup;
pub mod unwrap_outside_tests;
pub mod used_before_error_check;

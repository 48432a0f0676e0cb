//! Rules of the `error-handling` checklist item: errors that are swallowed
//! instead of handled or propagated.

pub mod bare_except;
pub mod discarded_error;
pub mod empty_catch;
pub mod logged_without_error;

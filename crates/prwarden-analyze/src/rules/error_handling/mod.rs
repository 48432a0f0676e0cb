//! Rules of the `error-handling` checklist item: errors that are swallowed
//! instead of handled or propagated.

pub mod empty_catch;

//! Rules of the `error-messages` checklist item: errors that reach a log or
//! a caller without the context needed to debug them.

pub mod bare_error_log;
pub mod errorf_drops_cause;
pub mod generic_message;
pub mod map_err_drops_cause;

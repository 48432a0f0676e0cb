//! Rules of the `hardcoded-config` checklist item: values that belong in
//! configuration or a secret store, not in the code.

pub mod endpoint;
pub mod secret;
pub mod token_formats;

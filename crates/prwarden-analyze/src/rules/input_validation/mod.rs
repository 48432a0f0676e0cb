//! Rules of the `input-validation` checklist item: untrusted values reaching interpreters (SQL, shells) and disabled transport security.

pub(crate) mod built;
pub mod command_injection;
pub mod dynamic_code;
pub mod insecure_random;
pub mod mass_assignment;
pub mod path_from_request;
pub mod sql_injection;
pub mod tls_verification_disabled;
pub mod unsafe_deserialization;
pub mod unsafe_html;
pub mod unvalidated_body_cast;
pub mod xml_external_entities;

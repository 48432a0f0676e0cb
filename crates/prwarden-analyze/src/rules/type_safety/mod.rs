//! Rules of the `type-safety` checklist item: holes in static typing.

pub mod explicit_any;
pub mod go_empty_interface;
pub mod java_raw_type;
pub mod python_any;
pub mod rust_unsafe;
pub mod suppressed_check;
pub mod unsafe_cast;

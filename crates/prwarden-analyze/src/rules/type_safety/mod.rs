//! Rules of the `type-safety` checklist item: holes in static typing.

pub mod explicit_any;

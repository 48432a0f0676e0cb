//! Rules of the `performance` checklist item: quadratic work hiding in loops.

pub mod lookup_in_loop;
pub mod nested_loop_over_same_collection;
mod search;
mod shapes;
pub mod string_concat_in_loop;

//! The review pipeline: fetch the PR's files and contents, parse the diff,
//! run the analyzers, publish one review and the check run.

pub mod comment;
pub mod diff;
pub mod pipeline;
pub mod summary;

pub use pipeline::{CHECK_NAME, Outcome, ReviewSettings};

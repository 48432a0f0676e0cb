//! The review pipeline: fetch the PR's files and contents, parse the diff,
//! run the analyzers, apply the repository's configuration and the policy for
//! AI-authored changes, publish one review, converge threads, complete the
//! check run.

mod authorship;
pub mod comment;
pub mod diff;
pub mod pipeline;
pub mod repo_config;
pub mod summary;
mod threads;

pub use pipeline::{AI_LABEL, CHECK_NAME, NEEDS_HUMAN_LABEL, Outcome, Services};
pub use repo_config::ConfigCache;

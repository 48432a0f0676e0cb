//! prwarden: a GitHub App that reviews pull requests — above all those written
//! by AI coding agents — against a team checklist.
//!
//! Data flows one way: [`intake`] verifies and persists webhook deliveries →
//! [`queue`] holds review jobs durably → [`review`] fetches the PR, parses the
//! diff, runs the pure analyzers of `prwarden-analyze` and publishes → [`github`]
//! is the only module that talks to GitHub.

pub mod catchup;
pub mod config;
pub mod github;
pub mod intake;
pub mod local;
pub mod queue;
pub mod review;
pub mod server;
pub mod state;
pub mod web;

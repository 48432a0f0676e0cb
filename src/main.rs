//! The `prwarden` command line.

use anyhow::Context;
use clap::{Parser, Subcommand};
use prwarden::config::ServeConfig;
use prwarden_analyze::Analyzer;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "prwarden",
    version,
    about = "Reviews pull requests against your team's checklist"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the GitHub App: webhook server and review workers.
    Serve(Box<ServeConfig>),
    /// List every built-in rule.
    Rules,
    /// Work with `.github/prwarden.yml` files.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validate a configuration file; exits 1 when it has problems.
    Check {
        /// The file, e.g. `.github/prwarden.yml`.
        file: std::path::PathBuf,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match Cli::parse().command {
        Command::Serve(config) => prwarden::server::serve(*config).await,
        Command::Rules => {
            for rule in Analyzer::with_builtin_rules().rules() {
                let languages = if rule.languages.is_empty() {
                    "all files".to_owned()
                } else {
                    rule.languages
                        .iter()
                        .map(|l| l.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                println!(
                    "{:<36} {:<8} {:<18} {}",
                    rule.id,
                    rule.severity.as_str(),
                    rule.item.id(),
                    languages
                );
            }
            Ok(())
        }
        Command::Config {
            command: ConfigCommand::Check { file },
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let analyzer = Analyzer::with_builtin_rules();
            let known: Vec<&str> = analyzer.rules().map(|r| r.id).collect();
            let layer = prwarden_config::parse_layer(&text, &file.display().to_string(), &known);
            if layer.problems.is_empty() {
                let config = prwarden_config::RepoConfig::resolve(&[layer]);
                println!("{}: valid\n\n{}", file.display(), config.describe());
                Ok(())
            } else {
                for problem in &layer.problems {
                    eprintln!("{problem}");
                }
                std::process::exit(1);
            }
        }
    }
}

//! The `prwarden` command line.

use anyhow::Context;
use clap::{Parser, Subcommand};
use prwarden::config::ServeConfig;
use prwarden::local::{DiffSource, FailOn, Format};
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
    Rules {
        /// `text` (a table) or `json`.
        #[arg(long, value_enum, default_value = "text")]
        format: RulesFormat,
    },
    /// Review a local change with the App's analyzers. Exits 1 when a
    /// finding reaches --fail-on, 2 on usage or I/O errors.
    Review(ReviewArgs),
    /// Work with `.github/prwarden.yml` files.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RulesFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["diff", "base"])))]
struct ReviewArgs {
    /// A unified diff, as `git diff` prints it; `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    diff: Option<String>,
    /// Review the working tree against this revision (`git diff REV`).
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    /// The checkout the diff's paths are relative to [default: the git top
    /// level of the current directory, or the current directory].
    #[arg(long, value_name = "DIR")]
    root: Option<std::path::PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Lowest severity that makes the exit code 1 [default: the
    /// configuration's `fail_on`, else error].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
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
        Command::Rules { format } => {
            let analyzer = Analyzer::with_builtin_rules();
            if let RulesFormat::Json = format {
                let rules: Vec<serde_json::Value> = analyzer
                    .rules()
                    .map(|rule| {
                        serde_json::json!({
                            "id": rule.id,
                            "item": rule.item.id(),
                            "severity": rule.severity,
                            "languages": rule.languages.iter().map(|l| l.id()).collect::<Vec<_>>(),
                            "summary": rule.summary,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rules)?);
                return Ok(());
            }
            for rule in analyzer.rules() {
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
        Command::Review(args) => {
            let source = match (args.diff, args.base) {
                (Some(diff), _) if diff == "-" => DiffSource::Stdin,
                (Some(diff), _) => DiffSource::File(diff.into()),
                (None, Some(base)) => DiffSource::Base(base),
                // clap's `input` group requires one of them.
                (None, None) => unreachable!("--diff or --base is required"),
            };
            let options = prwarden::local::Options {
                source,
                root: args.root,
                format: args.format,
                fail_on: args.fail_on,
            };
            match prwarden::local::run(&options) {
                Ok(code) => std::process::exit(code),
                Err(err) => {
                    eprintln!("prwarden: {err:#}");
                    std::process::exit(2);
                }
            }
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

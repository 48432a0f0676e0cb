//! The checklist speed benchmark (issue #3): the whole built-in checklist over
//! a generated change of 2,000 files / 200,000 added lines in the six
//! languages, wall time and peak RSS, side by side with semgrep and ast-grep
//! running ten equivalent rules over the same files when they are installed.
//!
//! ```sh
//! cargo bench -p prwarden-analyze --bench checklist
//! ```
//!
//! Knobs: `PRWARDEN_BENCH_FILES` (default 2000), `PRWARDEN_BENCH_LINES`
//! (default 200000), `PRWARDEN_BENCH_RUNS` (default 3; the median is
//! reported), `PRWARDEN_BENCH_THREADS` (default: all cores).
//!
//! Each measurement runs in a fresh child process (this binary re-executed),
//! so peak RSS (`VmHWM`) is that of one review alone, reading the files from
//! disk like the other tools do.

mod templates;
#[path = "../support/tree.rs"]
mod tree;

use tree::WholeFiles;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use prwarden_analyze::Analyzer;

/// First argument of the re-executed binary that measures one review. An
/// argument, not an environment variable, so that it survives being wrapped
/// by `/usr/bin/time`.
const CHILD_ARG: &str = "--measure-review";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(CHILD_ARG) {
        let dir = args.get(2).expect("--measure-review DIR");
        child(Path::new(dir));
        return;
    }
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let files = env_usize("PRWARDEN_BENCH_FILES", 2_000);
    let lines = env_usize("PRWARDEN_BENCH_LINES", 200_000);
    let runs = env_usize("PRWARDEN_BENCH_RUNS", 3).max(1);

    // Outside the repository: semgrep skips what .gitignore lists (target/).
    let dir = std::env::temp_dir().join("prwarden-checklist-change");
    let (written, total_lines) = generate(&dir, files, lines);
    println!(
        "change: {written} files, {total_lines} added lines in {} (TS, TSX, JS, Python, Go, Rust, Java)",
        dir.display()
    );
    println!(
        "machine: {} cores available",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let mut rows = Vec::new();
    let exe = std::env::current_exe().expect("own path");
    let ours = measure(runs, || {
        let mut cmd = Command::new(&exe);
        cmd.arg(CHILD_ARG).arg(&dir);
        cmd
    });
    rows.push(("prwarden (whole checklist)", ours));

    let equivalent = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/checklist/equivalent");
    if installed("semgrep") {
        let config = equivalent.join("semgrep.yml");
        rows.push((
            "semgrep (10 rules)",
            measure(runs, || {
                let mut cmd = Command::new("semgrep");
                cmd.args([
                    "scan",
                    "--metrics=off",
                    "--disable-version-check",
                    "--quiet",
                ])
                .args(["--jobs", &threads().to_string()])
                .arg("--config")
                .arg(&config)
                .arg("--json")
                .arg(&dir);
                cmd
            }),
        ));
    } else {
        println!("semgrep: not installed (pip install semgrep) — skipped");
    }
    if installed("ast-grep") {
        let config = equivalent.join("sgconfig.yml");
        rows.push((
            "ast-grep (10 rules)",
            measure(runs, || {
                let mut cmd = Command::new("ast-grep");
                cmd.arg("scan")
                    .arg("--config")
                    .arg(&config)
                    .args(["--json=compact", "--threads", &threads().to_string()])
                    .arg(&dir);
                cmd
            }),
        ));
    } else {
        println!("ast-grep: not installed (pip install ast-grep-cli) — skipped");
    }

    let base = rows[0].1.wall;
    let mut table = String::new();
    let _ = writeln!(
        table,
        "\n| tool | wall (median of {runs}) | peak RSS | findings | time vs prwarden |"
    );
    let _ = writeln!(table, "|---|---|---|---|---|");
    for (name, m) in &rows {
        let _ = writeln!(
            table,
            "| {name} | {:.2} s | {} | {} | {:.1}× |",
            m.wall.as_secs_f64(),
            m.peak_rss_kib
                .map_or("?".to_string(), |k| format!("{} MiB", k / 1024)),
            m.findings.map_or("?".to_string(), |n| n.to_string()),
            m.wall.as_secs_f64() / base.as_secs_f64()
        );
    }
    print!("{table}");
    let ok_time = base < Duration::from_secs(2);
    let ok_rss = rows[0].1.peak_rss_kib.is_some_and(|k| k < 200 * 1024);
    println!(
        "\ntargets: whole checklist < 2 s: {}; peak RSS < 200 MB: {}",
        if ok_time { "met" } else { "MISSED" },
        if ok_rss { "met" } else { "MISSED" }
    );
}

fn threads() -> usize {
    env_usize(
        "PRWARDEN_BENCH_THREADS",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    )
}

fn installed(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

struct Measurement {
    wall: Duration,
    peak_rss_kib: Option<u64>,
    findings: Option<usize>,
}

/// Runs the command `runs` times; the median wall time, the largest peak
/// RSS of the process tree's main process, and the findings count it
/// reported (ours: a `findings=N` line; the others: JSON results counted).
fn measure(runs: usize, make: impl Fn() -> Command) -> Measurement {
    let mut walls = Vec::new();
    let mut peak = None;
    let mut findings = None;
    for _ in 0..runs {
        let mut cmd = make();
        let start = Instant::now();
        let output = cmd.stderr(Stdio::inherit()).output().expect("run tool");
        walls.push(start.elapsed());
        assert!(
            output.status.success() || output.status.code() == Some(1),
            "{:?} failed: {}",
            cmd.get_program(),
            output.status
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        findings = count_findings(&stdout);
        // `wait4`'s rusage is not exposed by std; GNU time is not always
        // installed either, so the child reports its own VmHWM and the other
        // tools are measured with /usr/bin/time when it exists.
        peak = peak.max(
            stdout
                .lines()
                .find_map(|l| l.strip_prefix("peak_rss_kib="))
                .and_then(|v| v.trim().parse().ok()),
        );
    }
    if peak.is_none() {
        peak = rss_with_time(make());
    }
    walls.sort();
    Measurement {
        wall: walls[walls.len() / 2],
        peak_rss_kib: peak,
        findings,
    }
}

fn count_findings(stdout: &str) -> Option<usize> {
    if let Some(n) = stdout
        .lines()
        .find_map(|l| l.strip_prefix("findings="))
        .and_then(|v| v.trim().parse().ok())
    {
        return Some(n);
    }
    // semgrep: {"results":[{"check_id":…},…]}; ast-grep: one array of
    // matches, each with a "ruleId".
    let semgrep = stdout.matches("\"check_id\"").count();
    let ast_grep = stdout.matches("\"ruleId\"").count();
    Some(semgrep.max(ast_grep))
}

/// Peak RSS of a command through GNU time's `%M`, when it is installed.
fn rss_with_time(cmd: Command) -> Option<u64> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return None;
    }
    let output = Command::new(time)
        .arg("-f")
        .arg("peak_rss_kib=%M")
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .stdout(Stdio::null())
        .output()
        .ok()?;
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kib="))
        .and_then(|v| v.trim().parse().ok())
}

/// Writes `files` files holding about `lines` lines in total, spread evenly
/// over the seven templates. Deterministic: the same knobs give the same
/// change.
fn generate(dir: &Path, files: usize, lines: usize) -> (usize, usize) {
    let _ = std::fs::remove_dir_all(dir);
    let per_file = lines.div_ceil(files.max(1));
    let mut total = 0;
    for i in 0..files {
        let template = &templates::TEMPLATES[i % templates::TEMPLATES.len()];
        // Whole blocks only (a block cut in half would not parse), as many as
        // bring the file closest to its share of the lines.
        let mut content = template.header.to_string();
        let mut n = 0;
        loop {
            let block = template.block.replace("{n}", &format!("{i}x{n}"));
            let now = content.lines().count();
            let then = now + block.lines().count();
            if now >= per_file || then.abs_diff(per_file) > now.abs_diff(per_file) {
                break;
            }
            content.push_str(&block);
            n += 1;
        }
        total += content.lines().count();
        let path = dir.join(format!("pkg{}/module_{i}.{}", i % 40, template.extension));
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("create dir");
        std::fs::write(&path, content).expect("write file");
    }
    (files, total)
}

/// One measured review: read every file, all lines added, whole checklist.
fn child(dir: &Path) {
    let tree = WholeFiles::read(dir, dir, |_, text| text);
    let files = tree.files();
    // `PRWARDEN_BENCH_PROFILE=1` times each rule alone (minus parsing), on
    // one thread, slowest first: where to look when the total is too slow.
    if std::env::var_os("PRWARDEN_BENCH_PROFILE").is_some() {
        let time = |analyzer: &Analyzer| {
            let start = Instant::now();
            analyzer.analyze_with_threads(&files, 1);
            start.elapsed()
        };
        let parse_only = time(&Analyzer::with_rules(Vec::new()));
        let mut rows: Vec<(Duration, &'static str)> = prwarden_analyze::rules::builtin()
            .into_iter()
            .map(|rule| {
                let id = rule.meta().id;
                (
                    time(&Analyzer::with_rules(vec![rule])).saturating_sub(parse_only),
                    id,
                )
            })
            .collect();
        rows.sort_by(|a, b| b.cmp(a));
        println!("parse alone: {:.0} ms", parse_only.as_secs_f64() * 1e3);
        for (took, id) in rows {
            println!("{:>8.0} ms  {id}", took.as_secs_f64() * 1e3);
        }
        return;
    }
    // `PRWARDEN_BENCH_NO_RULES=1` measures parsing and classification alone.
    let analyzer = if std::env::var_os("PRWARDEN_BENCH_NO_RULES").is_some() {
        Analyzer::with_rules(Vec::new())
    } else {
        Analyzer::with_builtin_rules()
    };
    let start = Instant::now();
    let analysis = analyzer.analyze_with_threads(&files, threads());
    eprintln!("review: {:.2} s", start.elapsed().as_secs_f64());
    let unparsed = analysis
        .files
        .iter()
        .filter(|f| f.skipped.is_some())
        .count();
    if let Some(bad) = analysis.files.iter().find(|f| f.skipped.is_some()) {
        panic!(
            "{} of the generated files were not analysed, e.g. {bad:?}",
            unparsed
        );
    }
    println!("findings={}", analysis.findings.len());
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(kib) = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    {
        println!("peak_rss_kib={kib}");
    }
}

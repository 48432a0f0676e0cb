//! Webhook acknowledgement benchmark and load generator.
//!
//! `cargo bench --bench webhook_load` measures how fast prwarden acknowledges
//! signed webhook deliveries with durable enqueue, on SQLite and PostgreSQL.
//!
//! Four roles of this one binary, each in its own process so that memory and
//! CPU are attributed to the right party (all share the machine's cores):
//!
//! - the orchestrator (`--bench`) creates a fresh database per phase, runs the
//!   phases and prints the table;
//! - the server runs one phase: the real prwarden router, intake, store and
//!   review workers in process (`AppState::new`, `server::router`,
//!   `server::spawn_workers`, as `prwarden serve` does, logging at `info` into
//!   a file), on 127.0.0.1;
//! - a fake GitHub (`crates/fake-github`), which records every request it
//!   gets and would otherwise count as the server's memory. It stands in
//!   for github.com, whose CPU is not on prwarden's machine in production,
//!   so it runs at nice 10 (`PRWARDEN_BENCH_FAKE_NICE`, 0 to compete with
//!   the server as an equal);
//! - the load generator: signed `pull_request.opened` deliveries (GitHub's
//!   example payload) over loopback keep-alive connections, with GitHub's
//!   10-second delivery timeout.
//!
//! Phases, for each store (SQLite in a temporary directory; PostgreSQL at
//! `PRWARDEN_BENCH_PG`, default `postgres://postgres@127.0.0.1:5432/postgres`,
//! in a freshly created database, when it is reachable and the store accepts
//! the URL):
//!
//! 1. steady: an open-loop generator at a fixed rate (2,000/s for 10 s after a
//!    500-delivery warm-up). Latency is measured from when each request was
//!    *due*, so a stalled server cannot hide behind a generator that waits for
//!    it (coordinated omission).
//! 2. burst: 10,000 deliveries as fast as 64 connections send them; each must
//!    be acknowledged with 202 `queued`, then every job must be processed
//!    (`Store::counts`). The server's resident memory is sampled throughout
//!    (VmRSS every 20 ms, and VmHWM).
//!
//! Every delivery has its own delivery id, PR number and head SHA, so no job
//! collapses into another, and every PR is registered in the fake (one small
//! TypeScript file with one finding), so every job is a full review: check
//! run, files, contents, one review with one inline comment, completed check
//! run. (An unregistered PR is not skipped: `GET /pulls/N` answers 404 and the
//! job is retried with backoff.) Twenty PRs share an installation: prwarden
//! paces content-creating requests per installation as GitHub asks (80 a
//! minute after a burst of 80, three per review), so one installation alone
//! would drain at about 0.4 reviews a second.
//!
//! Settings (environment): `PRWARDEN_BENCH_RATE` (2000), `PRWARDEN_BENCH_SECS`
//! (10), `PRWARDEN_BENCH_BURST` (10000), `PRWARDEN_BENCH_CONCURRENCY` (64),
//! `PRWARDEN_BENCH_DRAIN_SECS` (180), `PRWARDEN_BENCH_WORKERS` (prwarden's
//! default), `PRWARDEN_BENCH_LOG` (`info`; `off`), `PRWARDEN_BENCH_PG`,
//! `PRWARDEN_BENCH_ONLY` (`sqlite` or `postgres`), `PRWARDEN_BENCH_PHASES`
//! (`steady,burst`), `PRWARDEN_BENCH_KEEP` (keep the logs and SQLite files),
//! `PRWARDEN_BENCH_TRACE` (a directory: the load generator writes when each
//! measured request was due, sent and answered, one CSV per phase).
//!
//! Speed targets are checked here, by a benchmark, never by timed assertions
//! in tests. Without `--bench` (as `cargo test --all-targets` runs it) the
//! binary does nothing.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use prwarden::config::ServeConfig;
use prwarden::intake::signature;
use prwarden::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const SECRET: &str = "bench-webhook-secret";
const REPO: &str = "Hello-World";
const FIRST_PR: u64 = 1000;
const PRS_PER_INSTALLATION: u64 = 20;
const FIRST_INSTALLATION: u64 = 100_000;
/// Steady-phase deliveries sent before measuring.
const WARMUP: u64 = 500;
/// GitHub gives up on a delivery after 10 seconds.
const GITHUB_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const ROLE: &str = "PRWARDEN_BENCH_ROLE";

/// The one file of every benchmark PR: small, with one `any` finding.
const PR_FILE: &str = "export function parse(input: any): number {\n  return Number(input);\n}\n";

fn main() -> anyhow::Result<()> {
    match std::env::var(ROLE).as_deref() {
        Ok("server") => return server_main(),
        Ok("fake-github") => return fake_github_main(),
        Ok("loadgen") => return loadgen_main(),
        _ => {}
    }
    if !std::env::args().any(|a| a == "--bench") {
        println!("webhook_load: run it with `cargo bench --bench webhook_load`");
        return Ok(());
    }
    orchestrate()
}

// ------------------------------------------------------------------ settings

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not valid")),
        Err(_) => default,
    }
}

/// Read from the environment by every role (children inherit it).
#[derive(Clone, Debug)]
struct Settings {
    rate: u64,
    secs: u64,
    burst: u64,
    concurrency: u64,
    drain: Duration,
    workers: Option<usize>,
    log: String,
    phases: Vec<String>,
}

impl Settings {
    fn from_env() -> Settings {
        Settings {
            rate: env_or("PRWARDEN_BENCH_RATE", 2000),
            secs: env_or("PRWARDEN_BENCH_SECS", 10),
            burst: env_or("PRWARDEN_BENCH_BURST", 10_000),
            concurrency: env_or("PRWARDEN_BENCH_CONCURRENCY", 64),
            drain: Duration::from_secs(env_or("PRWARDEN_BENCH_DRAIN_SECS", 180)),
            workers: std::env::var("PRWARDEN_BENCH_WORKERS")
                .ok()
                .map(|v| v.parse().expect("PRWARDEN_BENCH_WORKERS")),
            log: std::env::var("PRWARDEN_BENCH_LOG").unwrap_or_else(|_| "info".to_owned()),
            phases: std::env::var("PRWARDEN_BENCH_PHASES")
                .unwrap_or_else(|_| "steady,burst".to_owned())
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        }
    }

    fn deliveries(&self, phase: &str) -> u64 {
        match phase {
            "steady" => WARMUP + self.rate * self.secs,
            _ => self.burst,
        }
    }
}

fn shared_dir() -> PathBuf {
    std::env::var_os("PRWARDEN_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

fn child(role: &str) -> anyhow::Result<Command> {
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.env(ROLE, role);
    Ok(cmd)
}

/// The `RESULT {json}` line a child printed.
fn child_result(output: &std::process::Output, what: &str) -> anyhow::Result<Value> {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .with_context(|| format!("{what} failed ({}): {stdout}", output.status))?;
    Ok(serde_json::from_str(line)?)
}

// ------------------------------------------------------------------ payloads

fn head_sha(pr: u64) -> String {
    hex::encode(&Sha256::digest(format!("prwarden-bench-pr-{pr}").as_bytes())[..20])
}

fn installation_of(pr: u64) -> u64 {
    FIRST_INSTALLATION + (pr - FIRST_PR) / PRS_PER_INSTALLATION
}

fn owner_of(installation: u64) -> String {
    format!("bench-org-{installation}")
}

const NUMBER_MARK: &str = "918273645";
const INSTALLATION_MARK: &str = "918273646";
const SHA_MARK: &str = "@@HEAD_SHA@@";
const OWNER_MARK: &str = "@@OWNER@@";

#[derive(Clone, Copy)]
enum Part {
    Literal(usize, usize),
    Number,
    Installation,
    Sha,
    Owner,
}

/// GitHub's `pull_request.opened` example, compact, with the PR number, head
/// SHA, installation and repository owner spliced in per delivery.
struct Template {
    text: String,
    parts: Vec<Part>,
}

impl Template {
    fn load() -> anyhow::Result<Template> {
        let path = shared_dir().join("reference/github/webhook-payloads/pull_request.opened.json");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {} (set PRWARDEN_SHARED_DIR)", path.display()))?;
        let mut payload: Value = serde_json::from_str(&text)?;
        let number: u64 = NUMBER_MARK.parse()?;
        payload["number"] = json!(number);
        payload["pull_request"]["number"] = json!(number);
        payload["pull_request"]["head"]["sha"] = json!(SHA_MARK);
        payload["installation"]["id"] = json!(INSTALLATION_MARK.parse::<u64>()?);
        payload["repository"]["owner"]["login"] = json!(OWNER_MARK);
        payload["repository"]["full_name"] = json!(format!("{OWNER_MARK}/{REPO}"));
        payload["repository"]["name"] = json!(REPO);
        let text = serde_json::to_string(&payload)?;
        let marks = [
            (NUMBER_MARK, Part::Number),
            (INSTALLATION_MARK, Part::Installation),
            (SHA_MARK, Part::Sha),
            (OWNER_MARK, Part::Owner),
        ];
        let mut parts = Vec::new();
        let mut at = 0;
        loop {
            let next = marks
                .iter()
                .filter_map(|(m, p)| text[at..].find(m).map(|i| (at + i, m.len(), *p)))
                .min_by_key(|(i, _, _)| *i);
            let Some((i, len, part)) = next else {
                parts.push(Part::Literal(at, text.len()));
                break;
            };
            parts.push(Part::Literal(at, i));
            parts.push(part);
            at = i + len;
        }
        Ok(Template { text, parts })
    }

    fn render(&self, pr: u64) -> Vec<u8> {
        let installation = installation_of(pr);
        let (number, sha) = (pr.to_string(), head_sha(pr));
        let (installation, owner) = (installation.to_string(), owner_of(installation));
        let mut out = Vec::with_capacity(self.text.len() + 64);
        for part in &self.parts {
            out.extend_from_slice(match *part {
                Part::Literal(from, to) => &self.text.as_bytes()[from..to],
                Part::Number => number.as_bytes(),
                Part::Installation => installation.as_bytes(),
                Part::Sha => sha.as_bytes(),
                Part::Owner => owner.as_bytes(),
            });
        }
        out
    }

    fn body_bytes(&self) -> usize {
        self.render(FIRST_PR).len()
    }
}

// ------------------------------------------------------------------ /proc

fn status_kib(pid: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn rss_mib() -> f64 {
    status_kib("self", "VmRSS:") as f64 / 1024.0
}

fn hwm_mib() -> f64 {
    status_kib("self", "VmHWM:") as f64 / 1024.0
}

/// Resets VmHWM to the current RSS, so that it is the peak of what follows.
fn reset_hwm() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// User + system CPU seconds of a process (USER_HZ is 100 on Linux).
fn cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15 of stat(5); `fields` starts at 3.
    let ticks = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<f64>().ok());
    (ticks(14).unwrap_or(0.0) + ticks(15).unwrap_or(0.0)) / 100.0
}

/// CPU seconds of every `postgres` process: the database server's share.
fn postgres_cpu_secs() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    dir.flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "postgres")
        })
        .map(|pid| cpu_secs(&pid))
        .sum()
}

/// Busy CPU seconds of the whole machine, from /proc/stat.
fn machine_busy_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let v: Vec<f64> = stat
        .lines()
        .find(|l| l.starts_with("cpu "))
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal: all but idle and iowait.
    let idle = v.get(3).copied().unwrap_or(0.0) + v.get(4).copied().unwrap_or(0.0);
    (v.iter().sum::<f64>() - idle) / 100.0
}

/// CPU seconds of each party over one stretch of the phase.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
struct CpuUse {
    wall: f64,
    server: f64,
    postgres: f64,
    fake: f64,
    loadgen: f64,
    /// Everything else on the machine (other people's builds, say).
    others: f64,
}

struct CpuMeter {
    start: Instant,
    server: f64,
    postgres: f64,
    fake: f64,
    machine: f64,
    fake_pid: String,
}

impl CpuMeter {
    fn start(fake_pid: &str) -> CpuMeter {
        CpuMeter {
            start: Instant::now(),
            server: cpu_secs("self"),
            postgres: postgres_cpu_secs(),
            fake: cpu_secs(fake_pid),
            machine: machine_busy_secs(),
            fake_pid: fake_pid.to_owned(),
        }
    }

    fn stop(&self, loadgen: f64) -> CpuUse {
        let server = cpu_secs("self") - self.server;
        let postgres = postgres_cpu_secs() - self.postgres;
        let fake = cpu_secs(&self.fake_pid) - self.fake;
        let machine = machine_busy_secs() - self.machine;
        CpuUse {
            wall: self.start.elapsed().as_secs_f64(),
            server,
            postgres,
            fake,
            loadgen,
            others: (machine - server - postgres - fake - loadgen).max(0.0),
        }
    }
}

/// Samples VmRSS, and the size of SQLite's WAL file if there is one, every
/// 20 ms; `peak` is the highest RSS seen since the last take.
struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    wal_peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RssSampler {
    fn start(wal: Option<PathBuf>) -> RssSampler {
        reset_hwm();
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let wal_peak = Arc::new(AtomicU64::new(0));
        let thread = {
            let (stop, peak, wal_peak) =
                (Arc::clone(&stop), Arc::clone(&peak), Arc::clone(&wal_peak));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(status_kib("self", "VmRSS:"), Ordering::Relaxed);
                    if let Some(size) = wal.as_ref().and_then(|w| std::fs::metadata(w).ok()) {
                        wal_peak.fetch_max(size.len(), Ordering::Relaxed);
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
        };
        RssSampler {
            stop,
            peak,
            wal_peak,
            thread: Some(thread),
        }
    }

    /// The largest WAL file seen so far, MiB (SQLite only).
    fn wal_peak_mib(&self) -> Option<f64> {
        let bytes = self.wal_peak.load(Ordering::Relaxed);
        (bytes > 0).then(|| bytes as f64 / (1024.0 * 1024.0))
    }

    /// The peak since the start or the previous take (VmHWM included).
    fn take_peak(&self) -> f64 {
        let sampled = self.peak.swap(0, Ordering::Relaxed) as f64 / 1024.0;
        let peak = sampled.max(hwm_mib()).max(rss_mib());
        reset_hwm();
        peak
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

// ------------------------------------------------------------------ fake GitHub

fn fake_github_main() -> anyhow::Result<()> {
    let count: u64 = env_or("PRWARDEN_BENCH_PRS", 0);
    let nice: i32 = env_or("PRWARDEN_BENCH_FAKE_NICE", 10);
    if nice != 0 {
        // SAFETY: setpriority only reads its integer arguments; threads
        // started after this inherit the calling thread's nice value.
        unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, nice) };
    }
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let fake = fake_github::FakeGitHub::start().await;
        // The fake keeps one primary rate-limit bucket (5,000 an hour) for
        // everyone; GitHub keeps one per installation.
        for resource in ["core", "graphql"] {
            fake.set_rate_limit_remaining(resource, u64::MAX / 2);
        }
        for pr in FIRST_PR..FIRST_PR + count {
            let installation = installation_of(pr);
            let owner = owner_of(installation);
            if pr == FIRST_PR || installation != installation_of(pr - 1) {
                fake.add_installation(installation, &owner);
                fake.add_repo(installation, &owner, REPO);
            }
            let files = vec![fake_github::FakeFile::added("src/parse.ts", PR_FILE)];
            fake.add_pull(
                &owner,
                REPO,
                fake_github::FakePr::new(pr, &head_sha(pr), files),
            );
        }
        println!("URL {}", fake.url());
        std::io::stdout().flush()?;
        // Serve until the parent closes stdin (or dies).
        tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            while std::io::stdin().read_line(&mut line).unwrap_or(0) > 0 {
                line.clear();
            }
        })
        .await?;
        anyhow::Ok(())
    })?;
    std::process::exit(0)
}

struct FakeGitHub {
    child: Child,
    url: String,
}

impl FakeGitHub {
    fn spawn(prs: u64) -> anyhow::Result<FakeGitHub> {
        let mut child = child("fake-github")?
            .env("PRWARDEN_BENCH_PRS", prs.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .context("starting the fake GitHub")?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
        let url = line
            .trim()
            .strip_prefix("URL ")
            .with_context(|| format!("the fake GitHub did not start: {line:?}"))?
            .to_owned();
        Ok(FakeGitHub { child, url })
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

// ------------------------------------------------------------------ load generator

#[derive(Default)]
struct Tally {
    /// Microseconds from when each request was due (open loop) or sent.
    from_due: Vec<u32>,
    from_send: Vec<u32>,
    outcomes: BTreeMap<String, u64>,
    last_done: Option<Instant>,
    /// `(due, sent, done)` of every measured request, when tracing.
    trace: Option<Vec<(Instant, Instant, Instant)>>,
}

impl Tally {
    fn record(&mut self, measured: bool, due: Instant, sent: Instant, outcome: String) {
        let done = Instant::now();
        self.last_done = Some(self.last_done.map_or(done, |d| d.max(done)));
        *self.outcomes.entry(outcome).or_default() += 1;
        if measured {
            let us = |d: Duration| d.as_micros().min(u32::MAX as u128) as u32;
            self.from_due.push(us(done - due));
            self.from_send.push(us(done - sent));
            if let Some(trace) = &mut self.trace {
                trace.push((due, sent, done));
            }
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, Default)]
struct Latency {
    p50: f64,
    p90: f64,
    p99: f64,
    p999: f64,
    max: f64,
}

impl Latency {
    /// Milliseconds, from microsecond samples.
    fn of(mut us: Vec<u32>) -> Latency {
        us.sort_unstable();
        let at = |p: f64| {
            if us.is_empty() {
                return 0.0;
            }
            let rank = ((p / 100.0) * us.len() as f64).ceil() as usize;
            us[rank.clamp(1, us.len()) - 1] as f64 / 1000.0
        };
        Latency {
            p50: at(50.0),
            p90: at(90.0),
            p99: at(99.0),
            p999: at(99.9),
            max: at(100.0),
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, Default)]
struct LoadResult {
    sent: u64,
    /// `202 queued`, `500 error`, `timeout`, … and how many.
    outcomes: BTreeMap<String, u64>,
    first_error: Option<String>,
    /// From the first request to the last answer.
    elapsed: f64,
    /// Answers per second over the measured part.
    throughput: f64,
    max_in_flight: u64,
    from_due: Latency,
    from_send: Latency,
    cpu: f64,
}

/// Writes one line per measured request, microseconds since the start:
/// when it was due, sent and answered — to tell a stall of the server (many
/// requests answered late together) from a slow load generator (sent late).
fn write_trace(
    path: &Path,
    start: Instant,
    trace: &[(Instant, Instant, Instant)],
) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "due_us,sent_us,done_us")?;
    let us = |t: &Instant| t.duration_since(start).as_micros();
    for (due, sent, done) in trace {
        writeln!(out, "{},{},{}", us(due), us(sent), us(done))?;
    }
    out.flush()?;
    Ok(())
}

/// One signed delivery; returns its outcome (`202 queued`, `timeout`, …).
async fn deliver(client: &reqwest::Client, url: &str, run: &str, pr: u64, body: Vec<u8>) -> String {
    let signature = signature::sign(SECRET, &body);
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "GitHub-Hookshot/bench")
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", format!("{run}-{pr:012}"))
        .header("x-hub-signature-256", signature)
        .body(body)
        .send()
        .await;
    let response = match sent {
        Ok(response) => response,
        Err(e) if e.is_timeout() => return "timeout".to_owned(),
        Err(e) => return format!("error: {e:#}"),
    };
    let status = response.status().as_u16();
    match response.text().await {
        Ok(text) => {
            let outcome = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["status"].as_str().map(str::to_owned))
                .unwrap_or_default();
            format!("{status} {outcome}")
        }
        Err(e) if e.is_timeout() => "timeout".to_owned(),
        Err(e) => format!("error: {e:#}"),
    }
}

fn loadgen_main() -> anyhow::Result<()> {
    let url = std::env::var("PRWARDEN_BENCH_URL")?;
    let phase = std::env::var("PRWARDEN_BENCH_PHASE")?;
    let settings = Settings::from_env();
    let count = settings.deliveries(&phase);
    let run = format!("{:08x}", rand::random::<u32>());
    let template = Arc::new(Template::load()?);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut result = rt.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(usize::MAX)
            .tcp_nodelay(true)
            .timeout(GITHUB_TIMEOUT)
            .build()?;
        let trace_dir = std::env::var_os("PRWARDEN_BENCH_TRACE").map(PathBuf::from);
        let tally = Arc::new(Mutex::new(Tally {
            trace: trace_dir.as_ref().map(|_| Vec::new()),
            ..Tally::default()
        }));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_in_flight = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        let start = Instant::now();
        let measured_from;
        if phase == "steady" {
            // Open loop: a pacing thread releases request i at start + i/rate
            // whether or not the earlier ones have been answered.
            let rate = settings.rate as f64;
            measured_from = start + Duration::from_secs_f64(WARMUP as f64 / rate);
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(u64, Instant)>();
            std::thread::spawn(move || {
                for i in 0..count {
                    let due = start + Duration::from_secs_f64(i as f64 / rate);
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    if tx.send((i, due)).is_err() {
                        return;
                    }
                }
            });
            while let Some((i, due)) = rx.recv().await {
                let (client, url, run) = (client.clone(), url.clone(), run.clone());
                let (template, tally) = (Arc::clone(&template), Arc::clone(&tally));
                let (in_flight, max_in_flight) =
                    (Arc::clone(&in_flight), Arc::clone(&max_in_flight));
                tasks.spawn(async move {
                    let pr = FIRST_PR + i;
                    let body = template.render(pr);
                    let n = in_flight.fetch_add(1, Ordering::Relaxed) + 1;
                    max_in_flight.fetch_max(n, Ordering::Relaxed);
                    let sent = Instant::now();
                    let outcome = deliver(&client, &url, &run, pr, body).await;
                    in_flight.fetch_sub(1, Ordering::Relaxed);
                    tally
                        .lock()
                        .unwrap()
                        .record(i >= WARMUP, due, sent, outcome);
                });
                while tasks.try_join_next().is_some() {}
            }
        } else {
            // Closed loop: `concurrency` connections, each sending as soon as
            // its previous delivery was answered.
            measured_from = start;
            let next = Arc::new(AtomicU64::new(0));
            for _ in 0..settings.concurrency {
                let (client, url, run) = (client.clone(), url.clone(), run.clone());
                let (template, tally, next) =
                    (Arc::clone(&template), Arc::clone(&tally), Arc::clone(&next));
                tasks.spawn(async move {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= count {
                            break;
                        }
                        let pr = FIRST_PR + i;
                        let body = template.render(pr);
                        let sent = Instant::now();
                        let outcome = deliver(&client, &url, &run, pr, body).await;
                        tally.lock().unwrap().record(true, sent, sent, outcome);
                    }
                });
            }
            max_in_flight.store(settings.concurrency as usize, Ordering::Relaxed);
        }
        while tasks.join_next().await.is_some() {}

        let t = std::mem::take(&mut *tally.lock().unwrap());
        let measured = t
            .last_done
            .map_or(0.0, |d| d.duration_since(measured_from).as_secs_f64());
        let first_error = t.outcomes.keys().find(|k| k.starts_with("error")).cloned();
        if let (Some(dir), Some(trace)) = (&trace_dir, &t.trace) {
            write_trace(&dir.join(format!("{phase}-{run}.csv")), start, trace)?;
        }
        anyhow::Ok(LoadResult {
            sent: count,
            outcomes: t.outcomes,
            first_error,
            elapsed: t
                .last_done
                .map_or(0.0, |d| d.duration_since(start).as_secs_f64()),
            throughput: t.from_due.len() as f64 / measured.max(1e-9),
            max_in_flight: max_in_flight.load(Ordering::Relaxed) as u64,
            from_due: Latency::of(t.from_due),
            from_send: Latency::of(t.from_send),
            cpu: 0.0,
        })
    })?;
    result.cpu = cpu_secs("self");
    println!("RESULT {}", serde_json::to_string(&result)?);
    Ok(())
}

// ------------------------------------------------------------------ server (one phase)

/// prwarden's defaults for everything but credentials, endpoints and store,
/// through the flags `prwarden serve` parses.
#[derive(Parser)]
struct ServeArgs {
    #[command(flatten)]
    serve: ServeConfig,
}

fn serve_config(
    api_url: &str,
    database_url: &str,
    dir: &Path,
    workers: Option<usize>,
) -> anyhow::Result<ServeConfig> {
    let key = fake_github::keys::test_app_private_key_pem();
    let mut args = vec![
        "prwarden-bench".to_owned(),
        format!("--github-app-id={}", fake_github::TEST_APP_ID),
        // `=`: the PEM starts with dashes.
        format!("--github-private-key={key}"),
        format!("--github-webhook-secret={SECRET}"),
        format!("--github-api-url={api_url}"),
        format!("--database-url={database_url}"),
        "--bind-address=127.0.0.1".to_owned(),
        "--port=0".to_owned(),
        format!("--key-file={}", dir.join("prwarden-app.pem").display()),
    ];
    if let Some(workers) = workers {
        args.push(format!("--workers={workers}"));
    }
    Ok(ServeArgs::try_parse_from(args)?.serve)
}

#[derive(Serialize, Deserialize, Clone, Debug, Default)]
struct PhaseReport {
    load: LoadResult,
    /// `202 queued` answers.
    accepted: u64,
    cpu_load: CpuUse,
    /// Resident memory of the server process, MiB.
    rss_idle: f64,
    rss_peak_load: f64,
    rss_peak_drain: f64,
    /// Reviews finished while the load ran.
    reviewed_during_load: i64,
    /// The largest SQLite WAL file seen during the phase, MiB.
    #[serde(default)]
    wal_peak: Option<f64>,
    drain: Option<Drain>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
struct Drain {
    finished: bool,
    secs: f64,
    done: i64,
    failed: i64,
    left: i64,
    cpu: CpuUse,
}

fn server_main() -> anyhow::Result<()> {
    let settings = Settings::from_env();
    let phase = std::env::var("PRWARDEN_BENCH_PHASE")?;
    let database_url = std::env::var("PRWARDEN_BENCH_DATABASE_URL")?;
    let dir = PathBuf::from(std::env::var("PRWARDEN_BENCH_DIR")?);
    let log_name = std::env::var("PRWARDEN_BENCH_LOG_NAME")?;
    if settings.log != "off" {
        // As `prwarden serve` logs on stdout, into a file.
        let file = std::fs::File::create(dir.join(log_name))?;
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(&settings.log))
            .with_ansi(false)
            .with_writer(Mutex::new(file))
            .init();
    }
    let fake = FakeGitHub::spawn(settings.deliveries(&phase))?;
    // `PRWARDEN_BENCH_WORKERS=0`: intake alone, nothing reviewed (a
    // diagnostic; prwarden itself always runs at least one worker).
    let reviewing = settings.workers != Some(0);
    let config = serve_config(&fake.url, &database_url, &dir, settings.workers)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (state, url, _workers) = rt.block_on(async {
        let state = AppState::new(config).await?;
        let workers = if reviewing {
            Some(prwarden::server::spawn_workers(&state)?)
        } else {
            None
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/api/github/webhooks", listener.local_addr()?);
        let app = prwarden::server::router(Arc::clone(&state));
        tokio::spawn(async move { axum::serve(listener, app).await });
        anyhow::Ok((state, url, workers))
    })?;
    let counts = || rt.block_on(state.store.counts());

    let mut report = PhaseReport {
        rss_idle: rss_mib(),
        ..PhaseReport::default()
    };
    let wal = database_url
        .strip_prefix("sqlite://")
        .map(|path| PathBuf::from(format!("{path}-wal")));
    let rss = RssSampler::start(wal);
    let meter = CpuMeter::start(&fake.pid());
    let output = child("loadgen")?
        .env("PRWARDEN_BENCH_URL", &url)
        .env("PRWARDEN_BENCH_PHASE", &phase)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .context("running the load generator")?;
    report.load = serde_json::from_value(child_result(&output, "the load generator")?)?;
    report.cpu_load = meter.stop(report.load.cpu);
    report.rss_peak_load = rss.take_peak();
    report.accepted = report.load.outcomes.get("202 queued").copied().unwrap_or(0);
    let mut now = counts()?;
    report.reviewed_during_load = now.done;

    if phase == "burst" && reviewing {
        let meter = CpuMeter::start(&fake.pid());
        let start = Instant::now();
        while now.queued + now.running > 0 && start.elapsed() < settings.drain {
            std::thread::sleep(Duration::from_millis(100));
            now = counts()?;
        }
        report.drain = Some(Drain {
            finished: now.queued + now.running == 0,
            secs: start.elapsed().as_secs_f64(),
            done: now.done,
            failed: now.failed,
            left: now.queued + now.running,
            cpu: meter.stop(0.0),
        });
        report.rss_peak_drain = rss.take_peak();
    }
    report.wal_peak = rss.wal_peak_mib();
    println!("RESULT {}", serde_json::to_string(&report)?);
    std::io::stdout().flush()?;
    drop(fake);
    // Do not wait for the runtime's tasks (workers poll forever).
    std::process::exit(0)
}

// ------------------------------------------------------------------ stores

fn pg_reachable(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("invalid URL: {e}"))?;
    let host = parsed.host_str().unwrap_or("localhost").to_owned();
    let port = parsed.port().unwrap_or(5432);
    let addr = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .next()
        .ok_or("no address")?;
    TcpStream::connect_timeout(&addr, Duration::from_secs(2))
        .map(|_| ())
        .map_err(|e| format!("{host}:{port}: {e}"))
}

fn psql(admin_url: &str, sql: &str) -> anyhow::Result<()> {
    let out = Command::new("psql")
        .args([admin_url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .context("running psql (it creates the benchmark's databases)")?;
    if !out.status.success() {
        bail!("psql: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// A freshly created PostgreSQL database, dropped afterwards.
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    fn create(admin_url: &str, tag: &str) -> anyhow::Result<PgDatabase> {
        let name = format!("prwarden_bench_{}_{tag}", std::process::id());
        psql(admin_url, &format!("CREATE DATABASE {name}"))?;
        let mut url = reqwest::Url::parse(admin_url)?;
        url.set_path(&format!("/{name}"));
        Ok(PgDatabase {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let drop_db = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = psql(&self.admin_url, &drop_db);
    }
}

/// Whether this build's store accepts the URL. `StoreError::UnsupportedUrl`
/// is recognised by its message, so that this file does not depend on the
/// error type's shape.
fn store_accepts(url: &str) -> anyhow::Result<bool> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match rt.block_on(prwarden::queue::Store::connect(url)) {
        Ok(_) => Ok(true),
        Err(e) if e.to_string().to_lowercase().contains("unsupported") => Ok(false),
        Err(e) => Err(anyhow::Error::new(e).context("connecting to PostgreSQL")),
    }
}

struct Backend {
    name: &'static str,
    phases: Vec<(String, PhaseReport)>,
    note: Option<String>,
}

fn run_phase(
    backend: &str,
    phase: &str,
    database_url: &str,
    dir: &Path,
) -> anyhow::Result<PhaseReport> {
    eprintln!("== {backend}: {phase} …");
    // The previous phase's writes (an SQLite phase leaves hundreds of MB
    // dirty) would otherwise be written back during this one, behind its
    // WAL flushes.
    let _ = Command::new("sync").status();
    let output = child("server")?
        .env("PRWARDEN_BENCH_PHASE", phase)
        .env("PRWARDEN_BENCH_DATABASE_URL", database_url)
        .env("PRWARDEN_BENCH_DIR", dir)
        .env(
            "PRWARDEN_BENCH_LOG_NAME",
            format!("{}-{phase}.log", backend.to_lowercase()),
        )
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .context("running the server")?;
    Ok(serde_json::from_value(child_result(
        &output,
        "the server",
    )?)?)
}

fn sqlite(settings: &Settings, dir: &Path) -> anyhow::Result<Backend> {
    let mut backend = Backend {
        name: "SQLite",
        phases: Vec::new(),
        note: None,
    };
    for phase in &settings.phases {
        let url = format!("sqlite://{}", dir.join(format!("{phase}.db")).display());
        let report = run_phase(backend.name, phase, &url, dir)?;
        backend.phases.push((phase.clone(), report));
    }
    Ok(backend)
}

fn postgres(settings: &Settings, dir: &Path) -> anyhow::Result<Backend> {
    let admin = std::env::var("PRWARDEN_BENCH_PG").unwrap_or_else(|_| DEFAULT_PG.to_owned());
    let mut backend = Backend {
        name: "PostgreSQL",
        phases: Vec::new(),
        note: None,
    };
    if let Err(e) = pg_reachable(&admin) {
        backend.note = Some(format!("not reachable at {admin} ({e}); skipped"));
        return Ok(backend);
    }
    let probe = PgDatabase::create(&admin, "probe")?;
    if !store_accepts(&probe.url)? {
        backend.note = Some("not supported by this build".to_owned());
        return Ok(backend);
    }
    drop(probe);
    for phase in &settings.phases {
        let db = PgDatabase::create(&admin, phase)?;
        let report = run_phase(backend.name, phase, &db.url, dir)?;
        backend.phases.push((phase.clone(), report));
    }
    Ok(backend)
}

// ------------------------------------------------------------------ report

fn ms(v: f64) -> String {
    match v {
        v if v >= 100.0 => format!("{v:.0}"),
        v if v >= 10.0 => format!("{v:.1}"),
        v => format!("{v:.2}"),
    }
}

fn latency(l: &Latency) -> String {
    format!(
        "{} / {} / {} / {} ms",
        ms(l.p50),
        ms(l.p99),
        ms(l.p999),
        ms(l.max)
    )
}

fn cpu(c: &CpuUse, postgres: bool) -> String {
    let db = if postgres {
        format!(" + {:.1} postgres", c.postgres)
    } else {
        String::new()
    };
    format!(
        "{:.1} server{db} + {:.1} fake + {:.1} loadgen in {:.1} s (others {:.1})",
        c.server, c.fake, c.loadgen, c.wall, c.others
    )
}

/// CPU milliseconds per delivery of the server (and of PostgreSQL).
fn cpu_per_delivery(r: &PhaseReport, postgres: bool) -> String {
    let per = |s: f64| s * 1000.0 / r.load.sent.max(1) as f64;
    let db = if postgres {
        format!(" + {:.2} postgres", per(r.cpu_load.postgres))
    } else {
        String::new()
    };
    format!("{:.2} server{db} ms", per(r.cpu_load.server))
}

type Row = (String, Box<dyn Fn(&Backend, &PhaseReport) -> String>);

fn print_table(settings: &Settings, backends: &[Backend], body_bytes: usize) {
    let measured: Vec<&Backend> = backends.iter().filter(|b| b.note.is_none()).collect();
    let steady: Vec<Row> = vec![
        (
            format!(
                "STEADY {}/s, open loop, {} s (+{WARMUP} warm-up)",
                settings.rate, settings.secs
            ),
            Box::new(|_, _| String::new()),
        ),
        (
            "  acknowledged 202 queued".into(),
            Box::new(|_, r| format!("{} / {}", r.accepted, r.load.sent)),
        ),
        (
            "  achieved throughput".into(),
            Box::new(|_, r| format!("{:.0} /s", r.load.throughput)),
        ),
        (
            "  ack latency p50 / p99 / p99.9 / max".into(),
            Box::new(|_, r| latency(&r.load.from_due)),
        ),
        (
            "  most requests in flight".into(),
            Box::new(|_, r| r.load.max_in_flight.to_string()),
        ),
        (
            "  reviews done meanwhile".into(),
            Box::new(|_, r| r.reviewed_during_load.to_string()),
        ),
        (
            "  server RSS idle → peak".into(),
            Box::new(|_, r| format!("{:.0} → {:.0} MiB", r.rss_idle, r.rss_peak_load)),
        ),
        (
            "  CPU s".into(),
            Box::new(|b, r| cpu(&r.cpu_load, b.name == "PostgreSQL")),
        ),
        (
            "  CPU per delivery".into(),
            Box::new(|b, r| cpu_per_delivery(r, b.name == "PostgreSQL")),
        ),
        (
            "  SQLite WAL file, largest".into(),
            Box::new(|_, r| r.wal_peak.map_or("—".into(), |mib| format!("{mib:.0} MiB"))),
        ),
    ];
    let burst: Vec<Row> = vec![
        (
            format!(
                "BURST {} deliveries, {} connections",
                settings.burst, settings.concurrency
            ),
            Box::new(|_, _| String::new()),
        ),
        (
            "  acknowledged 202 queued".into(),
            Box::new(|_, r| format!("{} / {}", r.accepted, r.load.sent)),
        ),
        (
            "  accepted in / throughput".into(),
            Box::new(|_, r| format!("{:.2} s / {:.0} /s", r.load.elapsed, r.load.throughput)),
        ),
        (
            "  ack latency p50 / p99 / p99.9 / max".into(),
            Box::new(|_, r| latency(&r.load.from_send)),
        ),
        (
            "  server RSS idle → peak in burst".into(),
            Box::new(|_, r| format!("{:.0} → {:.0} MiB", r.rss_idle, r.rss_peak_load)),
        ),
        (
            "  CPU s".into(),
            Box::new(|b, r| cpu(&r.cpu_load, b.name == "PostgreSQL")),
        ),
        (
            "  CPU per delivery".into(),
            Box::new(|b, r| cpu_per_delivery(r, b.name == "PostgreSQL")),
        ),
        (
            "  every job processed".into(),
            Box::new(|_, r| match &r.drain {
                Some(d) if d.finished => format!(
                    "yes: {} done, {} failed, {:.1} s after the burst",
                    d.done, d.failed, d.secs
                ),
                Some(d) => format!("NO: {} left after {:.0} s", d.left, d.secs),
                None => "—".into(),
            }),
        ),
        (
            "  reviews per second (whole phase)".into(),
            Box::new(|_, r| match &r.drain {
                Some(d) => format!("{:.0} /s", d.done as f64 / (r.load.elapsed + d.secs)),
                None => "—".into(),
            }),
        ),
        (
            "  server RSS peak while reviewing".into(),
            Box::new(|_, r| format!("{:.0} MiB", r.rss_peak_drain)),
        ),
        (
            "  CPU s while reviewing".into(),
            Box::new(|b, r| {
                r.drain
                    .as_ref()
                    .map_or("—".into(), |d| cpu(&d.cpu, b.name == "PostgreSQL"))
            }),
        ),
    ];
    let mut lines: Vec<(String, Vec<String>)> = vec![(
        String::new(),
        measured.iter().map(|b| b.name.to_owned()).collect(),
    )];
    for (phase, rows) in [("steady", steady), ("burst", burst)] {
        if !settings.phases.iter().any(|p| p == phase) {
            continue;
        }
        for (label, value) in rows {
            let values = measured
                .iter()
                .map(|b| {
                    b.phases
                        .iter()
                        .find(|(p, _)| p == phase)
                        .map_or("—".into(), |(_, r)| value(b, r))
                })
                .collect();
            lines.push((label, values));
        }
    }
    let label_width = lines
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = (0..measured.len())
        .map(|i| {
            lines
                .iter()
                .map(|(_, v)| v.get(i).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    println!();
    for (label, values) in &lines {
        let mut line = format!("{label:<label_width$}");
        for (value, width) in values.iter().zip(&widths) {
            line.push_str(&format!("  {value:<width$}"));
        }
        println!("{}", line.trim_end());
    }
    for b in backends {
        if let Some(note) = &b.note {
            println!("{}: {note}", b.name);
        }
        for (phase, r) in &b.phases {
            let others: Vec<String> = r
                .load
                .outcomes
                .iter()
                .filter(|(k, _)| k.as_str() != "202 queued")
                .map(|(k, n)| format!("{n} × {k}"))
                .collect();
            if !others.is_empty() {
                println!("{} {phase}: not accepted: {}", b.name, others.join(", "));
            }
        }
    }

    println!("\nTargets:");
    let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
    for b in &measured {
        for (phase, r) in &b.phases {
            match phase.as_str() {
                "steady" => {
                    let ok = r.load.from_due.p99 < 5.0
                        && r.load.throughput >= settings.rate as f64 * 0.98
                        && r.accepted == r.load.sent;
                    println!(
                        "  {} {:<10} p99 < 5 ms at {}/s (p99 {} ms at {:.0}/s)",
                        verdict(ok),
                        b.name,
                        settings.rate,
                        ms(r.load.from_due.p99),
                        r.load.throughput
                    );
                }
                "burst" => {
                    let drained = r.drain.as_ref().is_some_and(|d| {
                        d.finished && d.failed == 0 && d.done == settings.burst as i64
                    });
                    let payloads = (body_bytes as u64 * settings.burst) as f64 / 1048576.0;
                    let growth = r.rss_peak_load - r.rss_idle;
                    println!(
                        "  {} {:<10} {} burst fully accepted ({} of them)",
                        verdict(r.accepted == settings.burst),
                        b.name,
                        settings.burst,
                        r.accepted
                    );
                    if r.drain.is_some() {
                        println!(
                            "  {} {:<10} every job eventually processed",
                            verdict(drained),
                            b.name
                        );
                    } else {
                        println!("  ---- {:<10} jobs not processed: workers off", b.name);
                    }
                    println!(
                        "  {} {:<10} memory bounded under the burst: +{growth:.0} MiB at peak \
                         for {payloads:.0} MiB of payloads (limit: a quarter of them)",
                        verdict(growth < payloads / 4.0),
                        b.name
                    );
                }
                _ => {}
            }
        }
    }
}

fn orchestrate() -> anyhow::Result<()> {
    let settings = Settings::from_env();
    let only = std::env::var("PRWARDEN_BENCH_ONLY").ok();
    let tmp = tempfile::Builder::new()
        .prefix("prwarden-bench-")
        .tempdir()?;
    let body_bytes = Template::load()?.body_bytes();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "prwarden webhook acknowledgement: {cores} CPUs (load average {}), \
         pull_request.opened bodies of {body_bytes} bytes, review workers: {}, log: {}",
        loadavg
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
        settings
            .workers
            .map_or("default".to_owned(), |w| w.to_string()),
        settings.log
    );
    let mut backends = Vec::new();
    if only.as_deref().is_none_or(|o| o == "sqlite") {
        backends.push(sqlite(&settings, tmp.path())?);
    }
    if only.as_deref().is_none_or(|o| o == "postgres") {
        backends.push(postgres(&settings, tmp.path())?);
    }
    print_table(&settings, &backends, body_bytes);
    if std::env::var_os("PRWARDEN_BENCH_KEEP").is_some() {
        println!(
            "\nkept {} (server logs, SQLite files)",
            tmp.keep().display()
        );
    }
    Ok(())
}

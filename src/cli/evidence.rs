//! `kpulint evidence queries`: the `--cli-input-json` documents for
//! `aws cloudwatch get-metric-data` that export the evidence kpulint reads back with
//! `--evidence`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{read_inputs, run_with_jobs, write_stdout, EvalArgs};
use crate::needs::evidence::convention::{query_documents, MAX_DAYS, MAX_QUERIES_PER_CALL};
use crate::needs::evidence::time;
use crate::report::escape::{terminal, terminal_line};

pub const AFTER_HELP: &str = "\
Writes the input of `aws cloudwatch get-metric-data --cli-input-json file://FILE`
for every application whose name resolves: KPUs, containerCPUUtilization,
containerMemoryUtilization, containerDiskUtilization, lastCheckpointSize,
downtime, fullRestarts and numberOfFailedCheckpoints (Maximum, hourly) over the
last N days. A call takes at most 500 queries: more applications are split into
numbered files (FILE-1.json, FILE-2.json, ...), never one application across two.
Read the output back with `kpulint --evidence DIR`.

The window ends at --end, else at midnight UTC of KPULINT_TODAY when it is set
(reproducible runs), else at the start of the current hour.

Exit codes: 0 written; 2 a usage error, a file that could not be read or parsed,
or no application whose name resolves (nothing to query).

Example:
  kpulint evidence queries infra/ --output queries.json
  aws cloudwatch get-metric-data --cli-input-json file://queries.json > evidence/cloudwatch.json";

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Write the `aws cloudwatch get-metric-data` queries for every application
    #[command(after_help = AFTER_HELP)]
    Queries(QueriesArgs),
}

#[derive(Debug, Args)]
pub struct QueriesArgs {
    /// Files or directories holding the applications (default: .)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// The window: the last N days (1 to 455: CloudWatch keeps hourly data 455 days)
    #[arg(long, default_value_t = 14, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_DAYS)))]
    pub days: u32,
    /// The end of the window: YYYY-MM-DD (midnight UTC) or an ISO 8601 time
    /// [default: KPULINT_TODAY's midnight, else the start of this hour]
    #[arg(long, value_name = "TIME")]
    pub end: Option<String>,
    /// Write FILE (FILE-1.json, FILE-2.json, ... when more than 500 queries) instead of
    /// standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The end of the window.
fn end_time(end: Option<&str>) -> Result<time::EpochSeconds, String> {
    match end {
        Some(s) => crate::date::Date::parse(s)
            .map(time::midnight)
            .or_else(|| time::parse_iso(s))
            .ok_or_else(|| format!("--end {s}: not a date (YYYY-MM-DD) or an ISO 8601 time")),
        None if std::env::var_os("KPULINT_TODAY").is_some() => Ok(time::now()),
        None => Ok(time::now() / 3600 * 3600),
    }
}

/// `q.json` → `q-2.json`.
fn numbered(path: &Path, n: usize) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{n}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{n}"),
    };
    path.with_file_name(name)
}

pub fn evidence(command: EvidenceCommand, order: Vec<(bool, usize)>) -> Result<i32, String> {
    let EvidenceCommand::Queries(args) = command;
    let end = end_time(args.end.as_deref())?;
    let mut pre_errors = Vec::new();
    let (vars, parameters) = read_inputs(&args.eval, order, &mut pre_errors)?;
    let opts = args.eval.run_options(args.paths.clone(), vars, parameters);
    let outcome = run_with_jobs(&opts);
    let mut err = std::io::stderr().lock();
    let mut names: Vec<String> = Vec::new();
    for a in &outcome.analyses {
        match &a.app.name {
            crate::model::Setting::Known { value, .. } => {
                if !names.contains(value) {
                    names.push(value.clone());
                }
            }
            other => {
                let why = match other {
                    crate::model::Setting::Unknown { reason, .. } => reason.what.clone(),
                    crate::model::Setting::Invalid { message, .. } => message.clone(),
                    _ => "no name is written (CloudFormation then generates one)".into(),
                };
                let _ = writeln!(
                    err,
                    "note: {}: its name cannot be resolved ({}): not queried",
                    terminal(&a.app.instance),
                    terminal(&why)
                );
            }
        }
    }
    let input_errors = pre_errors.len() + outcome.errors.len();
    for e in pre_errors.iter().chain(&outcome.errors) {
        let l = e.span.location();
        let _ = writeln!(
            err,
            "error: {}:{}:{}: {}",
            terminal_line(e.span.path()),
            l.line,
            l.column,
            terminal(&e.message)
        );
    }
    if names.is_empty() {
        return Err("no application whose name resolves: nothing to query".into());
    }
    let docs = query_documents(&names, args.days, end);
    let queries = names.len() * crate::needs::evidence::Metric::ALL.len();
    let render = |doc: &serde_json::Value| {
        let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
        text.push('\n');
        text
    };
    match (&args.output, docs.as_slice()) {
        (None, [doc]) => write_stdout(render(doc).as_bytes())?,
        (None, _) => {
            return Err(format!(
                "{queries} queries need {} calls of at most {MAX_QUERIES_PER_CALL}: pass --output FILE to write FILE-1.json to FILE-{}.json",
                docs.len(),
                docs.len()
            ))
        }
        (Some(path), [doc]) => write_file(path, &render(doc))?,
        (Some(path), _) => {
            for (i, doc) in docs.iter().enumerate() {
                let file = numbered(path, i + 1);
                write_file(&file, &render(doc))?;
                let _ = writeln!(err, "wrote {}", crate::discover::display(&file));
            }
        }
    }
    Ok(if input_errors > 0 { 2 } else { 0 })
}

fn write_file(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_files_keep_the_extension() {
        assert_eq!(numbered(Path::new("out/q.json"), 2), PathBuf::from("out/q-2.json"));
        assert_eq!(numbered(Path::new("q"), 1), PathBuf::from("q-1"));
    }

    #[test]
    fn end_times() {
        assert_eq!(end_time(Some("2026-10-15")), Ok(1_792_022_400));
        assert_eq!(end_time(Some("2026-10-15T06:00:00Z")), Ok(1_792_022_400 + 6 * 3600));
        assert!(end_time(Some("soon")).is_err());
    }
}

//! The command line: argument definitions and the commands behind them.

mod evidence;
mod reports;

use std::collections::BTreeSet;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::baseline;
use crate::eval::module::{CliVar, VarInputs};
use crate::inputs::{read_tfvars, ForcedFormat, Parameters, ReadOptions};
use crate::model::{InputError, Notice};
use crate::report::{self, FailOn, Format, RenderOptions};
use crate::rules;
use crate::run::{run, Outcome, RunOptions};
use crate::source::SourceFile;

const AFTER_HELP: &str = "\
Exit codes:
  0  no finding at or above --fail-on (suppressed findings never count)
  1  a gate failed: a finding at or above --fail-on (not in --baseline), or no
     application found with --fail-on-empty; the output says which limit failed
  2  usage or configuration error, or a file could not be read or parsed
     (all other files are still linted and reported; an application such a file
     could change is not priced, recommended or fixed)

Environment:
  TF_VAR_name     value of Terraform variable `name` (as Terraform reads it)
  NO_COLOR        disables colour with --color auto
  KPULINT_TODAY   date (YYYY-MM-DD) used to expire suppressions and to age evidence (its
                  midnight UTC; also where `evidence queries` ends), for reproducible runs

Examples:
  kpulint                                   lint the current directory
  kpulint infra/ --var-file prod.tfvars     lint with variable values
  kpulint explain KPU004                    what a rule checks and why";

/// Lint AWS Managed Service for Apache Flink capacity (KPUs) in Terraform and CloudFormation
/// against the declared state size.
#[derive(Debug, Parser)]
#[command(name = "kpulint", version = env!("KPULINT_VERSION_LONG"), after_help = AFTER_HELP, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub check: CheckArgs,
}

// Parsed once per process: the size of the `Check` variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and directories (the default command)
    #[command(after_help = AFTER_HELP)]
    Check(Box<CheckArgs>),
    /// List every rule: id, name, default severity and summary
    Rules,
    /// Print a rule's documentation (what, why, formula, example, fix, sources)
    Explain {
        /// Rule id or name, e.g. KPU004 or overscale-margin
        rule: String,
    },
    /// Re-size the applications under hypothetical changes (state, need, configuration,
    /// region, target margin) and print today and the scenario side by side
    #[command(name = "what-if", after_help = reports::WHAT_IF_AFTER_HELP)]
    WhatIf(reports::WhatIfArgs),
    /// The fleet's monthly cost per application, today and right-sized, largest savings first
    #[command(after_help = reports::COST_AFTER_HELP)]
    Cost(reports::CostArgs),
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
    /// Evidence from the running applications: `evidence queries` writes the CloudWatch
    /// queries whose output `--evidence` reads
    #[command(subcommand)]
    Evidence(evidence::EvidenceCommand),
    /// What a change does to KPUs, cost and findings: `--base REF [PATH]...` or `OLD NEW`
    #[command(after_help = crate::diff::command::AFTER_HELP)]
    Diff(crate::diff::command::DiffArgs),
    /// Run the language server for editors (LSP 3.17 over standard input and output)
    ///
    /// Diagnostics on unsaved buffers, hover with KPUs and cost, quick fixes and
    /// `source.fixAll.kpulint`, cost lenses.
    #[cfg(feature = "lsp")]
    #[command(after_help = LSP_AFTER_HELP)]
    Lsp,
}

#[cfg(feature = "lsp")]
const LSP_AFTER_HELP: &str = "\
Started by the editor, not by hand: it speaks JSON-RPC on standard input and output.
Set-up for Neovim, Helix, Emacs (eglot) and VS Code: see the README (\"In the editor\").

Exit codes:
  0  the editor sent shutdown, then exit
  1  the editor exited without shutdown
  2  the connection failed (no initialize)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// How every command reads and evaluates its inputs (`check`, `diff`, `what-if`, `cost`).
#[derive(Debug, Args, Default, Clone)]
pub struct EvalArgs {
    /// Use this config file instead of discovering .kpulint.hcl
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Set a root module's Terraform variable in every scanned root that declares it
    /// (repeatable; later wins, as in Terraform)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read Terraform variables from a .tfvars or .tfvars.json file, for every root (repeatable)
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Set a CloudFormation parameter (repeatable)
    #[arg(long = "parameter", value_name = "NAME=VALUE")]
    pub parameters: Vec<String>,
    /// The .tf directory a plan was made from, to show where each plan value is written
    /// (default: the plan file's own directory when it holds .tf files)
    #[arg(long, value_name = "DIR")]
    pub source_dir: Option<PathBuf>,
    /// Read every input as this format instead of detecting it
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<ForcedFormat>,
    /// Threads for walking, reading and parsing, at most 256 [default: available cores]
    #[arg(long, short = 'j', value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<u16>,
    /// Largest file kpulint reads, e.g. 256MB, 1GB, 1GiB or a number of bytes; larger files are
    /// not read (each is an error or a notice naming it) [default: 256MB]
    #[arg(long, value_name = "SIZE", value_parser = parse_max_file_size)]
    pub max_file_size: Option<u64>,
    /// Read evidence: `aws cloudwatch get-metric-data` output for the queries `kpulint evidence
    /// queries` writes, and `aws kinesisanalyticsv2 describe-application` output (repeatable;
    /// a directory means every .json file below it)
    #[arg(long = "evidence", value_name = "FILE|DIR")]
    pub evidence: Vec<PathBuf>,
}

/// The most threads `--jobs` starts: more only add memory and contention (a repository is
/// read at disk speed long before).
pub const MAX_JOBS: u16 = 256;

fn parse_jobs(s: &str) -> Result<u16, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if (1..=u64::from(MAX_JOBS)).contains(&n) => Ok(n as u16),
        Ok(_) => Err(format!("--jobs takes 1 to {MAX_JOBS} threads")),
        Err(_) => Err(format!("--jobs takes a number of threads, 1 to {MAX_JOBS}")),
    }
}

/// `256MB`, `1GiB`, or a plain number of bytes.
fn parse_max_file_size(s: &str) -> Result<u64, String> {
    let digits = !s.trim().is_empty() && s.trim().bytes().all(|b| b.is_ascii_digit());
    let bytes = match s.trim().parse::<u64>() {
        Ok(n) => n as f64,
        // All digits but no u64: a number of bytes too large, not a unit missing.
        Err(_) if digits => f64::INFINITY,
        Err(_) => crate::units::parse_size(s).map_err(|e| e.to_string())?.0,
    };
    if bytes < 1.0 {
        return Err("--max-file-size takes a size of at least 1 byte, e.g. 256MB".into());
    }
    if bytes > 1e18 {
        return Err(format!("--max-file-size {s} is too large: at most 1000 PB, e.g. 256MB"));
    }
    Ok(bytes as u64)
}

impl EvalArgs {
    /// The pipeline's options for `paths`, with the variables and parameters read from these
    /// flags (`read_inputs`).
    pub(crate) fn run_options(&self, paths: Vec<PathBuf>, vars: VarInputs, parameters: Parameters) -> RunOptions {
        RunOptions {
            paths,
            config: self.config.clone(),
            vars,
            read: ReadOptions {
                forced: self.input_format,
                parameters,
                skip_unrelated: false,
            },
            today: None,
            baseline: None,
            source_dir: self.source_dir.clone(),
            jobs: self.jobs.map(usize::from),
            evidence: self.evidence.clone(),
            skip_caller_search: false,
            instance_roots_from: None,
        }
    }
}

#[derive(Debug, Args, Default)]
pub struct CheckArgs {
    /// Files or directories to lint (`-` reads standard input)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Skip named files that are neither Terraform, a plan nor a CloudFormation template, as
    /// when walking a directory (the pre-commit hook passes every changed JSON and YAML file)
    #[arg(long)]
    pub skip_unrelated: bool,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    pub format: Option<Format>,
    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1
    #[arg(long, value_enum, default_value = "warning")]
    pub fail_on: Option<FailOn>,
    /// Colour in human output
    #[arg(long, value_enum, default_value = "auto")]
    pub color: Option<Color>,
    /// Print findings only, no notices or summary
    #[arg(short, long)]
    pub quiet: bool,
    /// Also show suppressed findings in human output
    #[arg(long)]
    pub show_suppressed: bool,
    /// Accept the findings recorded in FILE (by fingerprint): only new findings count
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in FILE as the baseline (reports entries that no longer match)
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Apply the safe part of each application's recommendation where its values are defined, then report what remains
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,
    /// Print a unified diff of what --fix would change and write nothing (exit 1 if there is a diff)
    #[arg(long)]
    pub diff: bool,
    /// With --fix or --diff, apply whole recommendations, also their unsafe part (confirm their notes first)
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Exit 1 when no application is found (a CI job pointed at the wrong path); also
    /// `fail_on_empty = true` in .kpulint.hcl
    #[arg(long)]
    pub fail_on_empty: bool,
}

/// Runs on a thread pool of `--jobs` threads (rayon's default, the available cores, without it).
pub(crate) fn run_with_jobs(opts: &RunOptions) -> Outcome {
    let threads = opts.jobs.unwrap_or(0);
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(|| run(opts)),
        // No pool could be started (thread limits): run on the global one.
        Err(_) => run(opts),
    }
}

/// Parses arguments (keeping `--var` / `--var-file` order) and runs the command.
pub fn main_with_args(args: Vec<std::ffi::OsString>) -> i32 {
    let matches = match Cli::command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return 2;
        }
    };
    let eval = match &cli.command {
        None => Some(&cli.check.eval),
        Some(Command::Check(args)) => Some(&args.eval),
        Some(Command::Diff(args)) => Some(&args.eval),
        Some(Command::WhatIf(args)) => Some(&args.inputs.eval),
        Some(Command::Cost(args)) => Some(&args.inputs.eval),
        _ => None,
    };
    // The size cap holds for every file read from here on, var files and baselines included.
    if let Some(eval) = eval {
        crate::files::set_max_file_size(eval.max_file_size.unwrap_or(crate::files::DEFAULT_MAX_FILE_SIZE));
    }
    let result = match cli.command {
        None => match subcommand_typo(&cli.check.paths) {
            Some(message) => Err(message),
            None => {
                let order = arg_order(&matches);
                check(cli.check, order)
            }
        },
        Some(Command::Check(args)) => {
            let order = matches.subcommand_matches("check").map(arg_order).unwrap_or_default();
            check(*args, order)
        }
        Some(Command::Diff(args)) => {
            let order = matches.subcommand_matches("diff").map(arg_order).unwrap_or_default();
            crate::diff::command::diff(args, order)
        }
        Some(Command::WhatIf(args)) => {
            let order = matches.subcommand_matches("what-if").map(arg_order).unwrap_or_default();
            reports::what_if(args, order)
        }
        Some(Command::Cost(args)) => {
            let order = matches.subcommand_matches("cost").map(arg_order).unwrap_or_default();
            reports::cost(args, order)
        }
        Some(Command::Evidence(command)) => {
            let order = matches
                .subcommand_matches("evidence")
                .and_then(|m| m.subcommand_matches("queries"))
                .map(arg_order)
                .unwrap_or_default();
            evidence::evidence(command, order)
        }
        Some(Command::Rules) => print_rules(),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Completions { shell }) => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "kpulint", &mut buf);
            write_stdout(&buf).map(|_| 0)
        }
        #[cfg(feature = "lsp")]
        Some(Command::Lsp) => crate::lsp::serve().map(|clean| if clean { 0 } else { 1 }),
        Some(Command::Man) => {
            let mut buf = Vec::new();
            crate::man::render(&mut buf)
                .map_err(|e| e.to_string())
                .and_then(|_| write_stdout(&buf).map(|_| 0))
        }
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("kpulint: {msg}");
            2
        }
    }
}

/// `kpulint chek`: a first path that does not exist, looks like a word and is close to a
/// subcommand is that subcommand misspelt, not a file to lint.
fn subcommand_typo(paths: &[PathBuf]) -> Option<String> {
    let first = paths.first()?.to_str()?;
    let word = !first.is_empty() && first.chars().all(|c| c.is_ascii_alphabetic() || c == '-');
    if !word || std::path::Path::new(first).exists() {
        return None;
    }
    let command = Cli::command();
    let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
    let near = crate::similar::closest(first, names.iter().copied())?;
    (crate::similar::edit_distance(first, near) <= 2).then(|| {
        format!(
            "unrecognized subcommand '{first}' (and no file or directory of that name): did you mean `kpulint {near}`?"
        )
    })
}

/// `(is_var_file, index)` for each `--var` / `--var-file`, in command-line order.
fn arg_order(m: &clap::ArgMatches) -> Vec<(bool, usize)> {
    let mut order: Vec<(usize, bool, usize)> = Vec::new();
    if let Some(idx) = m.indices_of("vars") {
        order.extend(idx.enumerate().map(|(i, pos)| (pos, false, i)));
    }
    if let Some(idx) = m.indices_of("var_files") {
        order.extend(idx.enumerate().map(|(i, pos)| (pos, true, i)));
    }
    order.sort();
    order.into_iter().map(|(_, f, i)| (f, i)).collect()
}

/// Writes a report to `--output FILE` or stdout.
/// Writes a report to `--output` or standard output while it is rendered: a report can be as
/// large as its inputs, so it is never held whole in memory. A closed pipe
/// (`kpulint check | head -1`) is not an error.
fn write_report(output: Option<&PathBuf>, render: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), String> {
    match output {
        Some(path) => {
            let cannot_write = |e: io::Error| format!("cannot write {}: {e}", path.display());
            let mut out = io::BufWriter::new(std::fs::File::create(path).map_err(cannot_write)?);
            render(&mut out).and_then(|()| out.flush()).map_err(cannot_write)
        }
        None => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            match render(&mut out).and_then(|()| out.flush()) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(format!("cannot write output: {e}")),
            }
        }
    }
}

/// Writes to stdout; a closed pipe (`kpulint rules | head -1`) is not an error.
pub(crate) fn write_stdout(bytes: &[u8]) -> Result<(), String> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write output: {e}")),
    }
}

fn print_rules() -> Result<i32, String> {
    // Columns as wide as their longest cell, so every summary starts in the same column.
    let width = |header: &str, cell: fn(&rules::RuleMeta) -> &str| {
        rules::all()
            .map(|r| cell(r).chars().count())
            .chain([header.len()])
            .max()
            .unwrap_or(0)
    };
    let (id, name, severity) = (
        width("ID", |r| r.id),
        width("NAME", |r| r.name),
        width("SEVERITY", |r| r.severity.as_str()),
    );
    let mut s = format!("{:<id$}  {:<name$}  {:<severity$}  SUMMARY\n", "ID", "NAME", "SEVERITY");
    for r in rules::all() {
        s.push_str(&format!(
            "{:<id$}  {:<name$}  {:<severity$}  {}\n",
            r.id,
            r.name,
            r.severity.as_str(),
            r.summary()
        ));
    }
    write_stdout(s.as_bytes()).map(|_| 0)
}

fn explain(rule: &str) -> Result<i32, String> {
    match rules::by_id(rule) {
        Some(r) => write_stdout(r.doc.as_bytes()).map(|_| 0),
        None => Err(format!("unknown rule \"{rule}\"; run `kpulint rules` for the list")),
    }
}

pub(crate) fn split_assignment(s: &str, flag: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("{flag} expects NAME=VALUE, got \"{s}\"")),
    }
}

/// Variables (`--var`, `--var-file` in command-line order, then `TF_VAR_*`) and CloudFormation
/// parameters; a var file that cannot be read is an input error, not a usage error.
fn read_inputs(
    eval: &EvalArgs,
    order: Vec<(bool, usize)>,
    pre_errors: &mut Vec<InputError>,
) -> Result<(VarInputs, Parameters), String> {
    check_today_env()?;
    let vars = var_inputs(&eval.vars, &eval.var_files, &order, pre_errors)?;
    let mut parameters = Parameters::new();
    for raw in &eval.parameters {
        let (k, v) = split_assignment(raw, "--parameter")?;
        parameters.insert(k, v);
    }
    Ok((vars, parameters))
}

fn check(args: CheckArgs, order: Vec<(bool, usize)>) -> Result<i32, String> {
    let mut pre_errors: Vec<InputError> = Vec::new();
    let (vars, parameters) = read_inputs(&args.eval, order, &mut pre_errors)?;
    let baseline = match &args.baseline {
        Some(path) => match baseline::read(path) {
            Ok(b) => Some((crate::discover::display(path), baseline::Accepted::of(&b))),
            Err(e) => {
                pre_errors.push(e);
                None
            }
        },
        None => None,
    };
    let mut opts = args.eval.run_options(args.paths.clone(), vars, parameters);
    opts.read.skip_unrelated = args.skip_unrelated;
    opts.baseline = baseline;
    let mut outcome: Outcome = run_with_jobs(&opts);
    if args.diff {
        return diff(&outcome, &args.paths, args.unsafe_fixes, pre_errors.len());
    }
    if args.fix {
        let rerun = || {
            // The --var-file contents were read before the fix: read them again.
            let mut again = opts.clone();
            for v in &mut again.vars.cli {
                if let CliVar::File(t) = v {
                    if let Ok(fresh) = read_tfvars(std::path::Path::new(&t.file.path), true) {
                        *t = fresh;
                    }
                }
            }
            run_with_jobs(&again)
        };
        outcome = crate::fix::apply::fix(outcome, &args.paths, args.unsafe_fixes, rerun);
    }
    outcome.errors.splice(0..0, pre_errors);
    if let Some(path) = &args.write_baseline {
        let new = baseline::from_findings(&outcome.findings);
        if let Ok(old) = baseline::read(path) {
            for e in baseline::stale(&old, &outcome.findings) {
                outcome.notices.push(Notice {
                    span: None,
                    message: format!(
                        "baseline entry {} ({} in {}{}) no longer matches a finding; dropped",
                        e.fingerprint,
                        e.rule,
                        e.file,
                        e.application.as_deref().map(|a| format!(", {a}")).unwrap_or_default()
                    ),
                });
            }
        }
        match baseline::write(path, &new) {
            Ok(()) => {
                let n = new.findings.len();
                outcome.notices.push(Notice {
                    span: None,
                    message: format!(
                        "baseline written: {n} finding{} recorded in {}",
                        if n == 1 { "" } else { "s" },
                        crate::discover::display(path)
                    ),
                });
            }
            Err(e) => outcome.errors.push(e),
        }
        // The findings just recorded are accepted from now on.
        let accepted: BTreeSet<&str> = new.findings.iter().map(|e| e.fingerprint.as_str()).collect();
        let shown = crate::discover::display(path);
        for f in outcome
            .findings
            .iter_mut()
            .filter(|f| f.suppressed.is_none() && accepted.contains(f.fingerprint.as_str()))
        {
            f.suppressed = Some(crate::lint::Suppressed::baseline(&shown));
        }
    }

    let format = args.format.unwrap_or(Format::Human);
    let fail_on = args.fail_on.unwrap_or(FailOn::Warning);
    outcome.gates = check_gates(&outcome, &args, fail_on);
    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match args.color.unwrap_or(Color::Auto) {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => to_terminal && !no_color,
    };
    let render_opts = RenderOptions {
        color,
        quiet: args.quiet,
        show_suppressed: args.show_suppressed,
        fail_on,
    };
    write_report(args.output.as_ref(), |out| {
        report::render(format, &outcome, &render_opts, out)
    })?;
    Ok(report::exit_code(&outcome))
}

/// The limits that make `check` exit 1: `--fail-on` always, `--baseline` and `--fail-on-empty`
/// when given.
fn check_gates(outcome: &Outcome, args: &CheckArgs, fail_on: FailOn) -> Vec<crate::gate::Gate> {
    let mut gates = vec![crate::gate::fail_on(&outcome.findings, fail_on)];
    if let Some(path) = &args.baseline {
        gates.push(crate::gate::baseline(
            &outcome.findings,
            fail_on,
            &crate::discover::display(path),
        ));
    }
    if args.fail_on_empty || outcome.fail_on_empty {
        gates.push(crate::gate::fail_on_empty(outcome.analyses.len()));
    }
    gates
}

/// `--diff`: the diff on standard output, why anything is left out on standard error.
/// Exit 1 with a diff, 0 without, 2 when an input could not be read.
fn diff(outcome: &Outcome, paths: &[PathBuf], unsafe_fixes: bool, pre_errors: usize) -> Result<i32, String> {
    let (notices, text) = crate::fix::apply::diff(outcome, paths, unsafe_fixes);
    let mut err = io::stderr().lock();
    for n in &notices {
        let _ = writeln!(err, "note: {}", report::notice_text(n));
    }
    let input_errors = outcome.errors.len() + pre_errors;
    if input_errors > 0 {
        let _ = writeln!(
            err,
            "kpulint: {input_errors} input error{}: run without --diff to see {}",
            if input_errors == 1 { "" } else { "s" },
            if input_errors == 1 { "it" } else { "them" }
        );
    }
    write_stdout(text.as_bytes())?;
    Ok(if input_errors > 0 {
        2
    } else if text.is_empty() {
        0
    } else {
        1
    })
}

/// `--var`, `--var-file` (in command-line `order`) and `TF_VAR_*` values. Var files are read
/// relative to the current directory; a file that cannot be read becomes an error in `errors`.
pub(crate) fn var_inputs(
    var_args: &[String],
    var_files: &[PathBuf],
    order: &[(bool, usize)],
    errors: &mut Vec<InputError>,
) -> Result<VarInputs, String> {
    let mut vars = VarInputs::default();
    for &(is_file, i) in order {
        if is_file {
            let Some(path) = var_files.get(i) else { continue };
            match read_tfvars(path, true) {
                Ok(t) => vars.cli.push(CliVar::File(t)),
                Err(e) => {
                    // Kept in its place: every variable it could set is unknown.
                    vars.cli
                        .push(CliVar::File(crate::eval::module::TfVars::broken(e.span.clone())));
                    errors.push(e);
                }
            }
        } else {
            let Some(raw) = var_args.get(i) else { continue };
            let (name, value) = split_assignment(raw, "--var")?;
            let file = SourceFile::new(format!("--var {name}"), format!("{name}={value}"));
            let span = file.span(name.len() + 1..file.text.len());
            vars.cli.push(CliVar::Var { name, value, span });
        }
    }
    for (k, v) in std::env::vars() {
        if let Some(name) = k.strip_prefix("TF_VAR_") {
            vars.env.insert(name.to_string(), v);
        }
    }
    Ok(vars)
}

/// `KPULINT_TODAY`, when set, must be a date.
pub(crate) fn check_today_env() -> Result<(), String> {
    if let Ok(today) = std::env::var("KPULINT_TODAY") {
        if crate::date::Date::parse(&today).is_none() {
            return Err(format!("KPULINT_TODAY={today} is not a date: use YYYY-MM-DD"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}

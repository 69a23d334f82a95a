//! `kpulint what-if` and `kpulint cost`: the same inputs and evaluation as `check` (one
//! [`run`] of the pipeline), then a scenario or the fleet table instead of findings.

use std::path::PathBuf;

use clap::Args;

use super::{read_inputs, run_with_jobs, write_report, EvalArgs};
use crate::report::{self, CostFormat, WhatIfFormat};
use crate::run::Outcome;
use crate::whatif::{what_if as apply_scenario, Flag, FlagKind};

pub const WHAT_IF_AFTER_HELP: &str = "\
Every scenario flag is repeatable and takes VALUE (every application) or ADDR=VALUE, where ADDR
is an application address or a glob (`module.orders*`), in every root module, or ROOT:ADDRESS
for one root's instance (`envs/prod:module.kda_flink.*`); the last flag that matches wins.
--state-size replaces the declared state, then --state-scale multiplies it. --parallelism,
--parallelism-per-kpu and --autoscaling change the configuration (and make it CUSTOM).

Columns: today (as written), today right-sized (the recommendation), scenario (the configuration
as the scenario leaves it), scenario right-sized. Every Δ is against today:
  from the margin   = today right-sized − today
  from the scenario = scenario right-sized − today right-sized
  total             = scenario right-sized − today (the sum of the two)

Exit codes:
  0  the report was printed
  2  a bad flag value, an ADDR that matches no application (nothing printed), or a file that
     could not be read or parsed (the report covers every other file)

Example:
  kpulint what-if examples/whatif --state-size 56GB";

pub const COST_AFTER_HELP: &str = "\
Exit codes:
  0  the table was printed
  2  a file could not be read or parsed (the table covers every other file; with --format csv
     the errors go to standard error)";

/// The inputs `check` reads, and where the report goes.
#[derive(Debug, Args, Default)]
pub struct InputArgs {
    /// Files or directories to read (`-` reads standard input)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct WhatIfArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// State size instead of the declared one, e.g. 60GB
    #[arg(long, value_name = "[ADDR=]SIZE")]
    pub state_size: Vec<String>,
    /// Factor on the (declared or --state-size) state, e.g. 0.24 or 24% for −76%
    #[arg(long, value_name = "[ADDR=]FACTOR")]
    pub state_scale: Vec<String>,
    /// Required parallelism instead of the declared one
    #[arg(long, value_name = "[ADDR=]N")]
    pub required_parallelism: Vec<String>,
    /// Configured parallelism
    #[arg(long, value_name = "[ADDR=]N")]
    pub parallelism: Vec<String>,
    /// Configured parallelism per KPU (1 to 8)
    #[arg(long, value_name = "[ADDR=]N")]
    pub parallelism_per_kpu: Vec<String>,
    /// Autoscaling on or off
    #[arg(long, value_name = "[ADDR=]on|off")]
    pub autoscaling: Vec<String>,
    /// Region whose prices apply
    #[arg(long, value_name = "[ADDR=]REGION")]
    pub region: Vec<String>,
    /// Headroom the recommendation adds to the declared compute need, e.g. 10%
    #[arg(long, value_name = "[ADDR=]PERCENT")]
    pub target_margin: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    pub format: WhatIfFormat,
}

#[derive(Debug, Args)]
pub struct CostArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    pub format: CostFormat,
}

/// Runs the pipeline on the inputs, as `check` does.
fn evaluate(args: &InputArgs, order: Vec<(bool, usize)>) -> Result<Outcome, String> {
    let mut pre_errors = Vec::new();
    let (vars, parameters) = read_inputs(&args.eval, order, &mut pre_errors)?;
    let opts = args.eval.run_options(args.paths.clone(), vars, parameters);
    let mut outcome = run_with_jobs(&opts);
    outcome.errors.splice(0..0, pre_errors);
    Ok(outcome)
}

/// The scenario flags, each kind in command-line order.
fn flags(args: &WhatIfArgs) -> Result<Vec<Flag>, String> {
    let kinds: [(FlagKind, &Vec<String>); 8] = [
        (FlagKind::StateSize, &args.state_size),
        (FlagKind::StateScale, &args.state_scale),
        (FlagKind::RequiredParallelism, &args.required_parallelism),
        (FlagKind::Parallelism, &args.parallelism),
        (FlagKind::ParallelismPerKpu, &args.parallelism_per_kpu),
        (FlagKind::AutoScaling, &args.autoscaling),
        (FlagKind::Region, &args.region),
        (FlagKind::TargetMargin, &args.target_margin),
    ];
    let mut out = Vec::new();
    for (kind, given) in kinds {
        for g in given {
            out.push(Flag::parse(kind, g).map_err(|e| e.to_string())?);
        }
    }
    Ok(out)
}

fn exit_code(outcome: &Outcome) -> i32 {
    if outcome.errors.is_empty() {
        0
    } else {
        2
    }
}

pub fn what_if(args: WhatIfArgs, order: Vec<(bool, usize)>) -> Result<i32, String> {
    // Flag values are checked before any file is read.
    let flags = flags(&args)?;
    let outcome = evaluate(&args.inputs, order)?;
    let mut w = apply_scenario(&outcome.analyses, &flags);
    if !w.unmatched.is_empty() {
        return Err(w.unmatched.join("\nkpulint: "));
    }
    w.notices.splice(0..0, outcome.notices.iter().cloned());
    write_report(args.inputs.output.as_ref(), |out| {
        report::render_what_if(args.format, &w, &flags, &outcome.errors, out)
    })?;
    Ok(exit_code(&outcome))
}

pub fn cost(args: CostArgs, order: Vec<(bool, usize)>) -> Result<i32, String> {
    let outcome = evaluate(&args.inputs, order)?;
    write_report(args.inputs.output.as_ref(), |out| {
        report::render_cost(args.format, &outcome, out)
    })?;
    if args.format == CostFormat::Csv {
        // CSV has no place for them; they still say why the exit code is 2.
        for line in report::problems(&outcome.errors, &outcome.notices) {
            eprintln!("{line}");
        }
    }
    Ok(exit_code(&outcome))
}

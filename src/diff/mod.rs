//! Pull-request delta: what a change does to each application's KPUs and monthly cost, and
//! which findings it introduces or resolves. Pure functions of two run outcomes (the base and
//! the head of the change); [`command`] runs the pipeline twice and [`git`] materialises a
//! base tree. Rendering lives in `report/diff_*.rs`.

pub mod command;
pub mod git;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::analysis::{Analysis, NotSized};
use crate::lint::{fingerprint, Finding};
use crate::model::{InputError, InputFormat, Notice, Severity};
use crate::report::FailOn;
use crate::run::Outcome;
use crate::source::Span;

/// One side of the comparison.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub outcome: &'a Outcome,
    /// The path the side's files were found under, stripped before matching (`diff OLD NEW`),
    /// or `None` when both sides show the same paths (`diff --base`: the base tree is evaluated
    /// from the matching directory of its checkout, so its paths read as the working tree's).
    pub root: Option<&'a str>,
}

/// An application's identity across the two sides: the root module directory (Terraform) or
/// file (plan, CloudFormation) it belongs to, relative to the side's root, and its address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AppKey {
    pub unit: String,
    pub address: String,
}

/// The figures compared for one application on one side.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// `sized`, `not_applicable`, `unresolved` or `invalid` (as in `check --format json`).
    pub status: &'static str,
    pub parallelism: Option<u64>,
    pub parallelism_per_kpu: Option<u64>,
    pub auto_scaling: Option<bool>,
    pub kpus: Option<u64>,
    pub billed_kpus: Option<u64>,
    pub running_storage_gb: Option<u64>,
    /// Whole cents, so that sums and differences print exactly.
    pub monthly_cost_cents: Option<i64>,
    /// An input of the application could not be read on this side: its figures may not be
    /// what the files say, so nothing is compared (`not comparable (input error)`).
    pub tainted: bool,
}

/// The only place the diff reads an application's sizing and money: re-point it here when the
/// cost model changes.
pub fn figures(a: &Analysis) -> Figures {
    let status = match &a.sizing {
        Ok(_) => "sized",
        Err(NotSized::NotApplicable) => "not_applicable",
        Err(NotSized::Unresolved) => "unresolved",
        Err(NotSized::Invalid) => "invalid",
    };
    let sized = a.sizing.as_ref().ok();
    Figures {
        status,
        parallelism: sized.map(|s| s.effective.parallelism),
        parallelism_per_kpu: sized.map(|s| s.effective.parallelism_per_kpu),
        auto_scaling: sized.and_then(|s| s.auto_scaling),
        kpus: sized.map(|s| s.kpus),
        billed_kpus: sized.and_then(|s| s.billed_kpus),
        running_storage_gb: sized.map(|s| s.running_storage_gb),
        monthly_cost_cents: sized.and_then(|s| s.monthly_cost_usd).and_then(usd_to_cents),
        tainted: a.tainted(),
    }
}

/// Dollars to whole cents; `None` for a value that is not a finite amount.
pub fn usd_to_cents(usd: f64) -> Option<i64> {
    let cents = (usd * 100.0).round();
    (cents.is_finite() && cents.abs() < 9e15).then_some(cents as i64)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Added,
    Removed,
    Changed,
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
            Change::Unchanged => "unchanged",
        }
    }
}

/// Per-application or total differences; `None` when a side's figure is unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deltas {
    pub kpus: Option<i64>,
    pub billed_kpus: Option<i64>,
    pub running_storage_gb: Option<i64>,
    pub monthly_cost_cents: Option<i64>,
}

/// `after − before`, where an absent side (an added or removed application) counts as zero
/// and a present side without the figure makes the difference unknown.
fn delta(before: Option<&Figures>, after: Option<&Figures>, get: impl Fn(&Figures) -> Option<i64>) -> Option<i64> {
    let value = |f: Option<&Figures>| match f {
        None => Some(0),
        Some(f) => get(f),
    };
    Some(value(after)? - value(before)?)
}

fn cents_of(f: &Figures) -> Option<i64> {
    f.monthly_cost_cents
}

fn u64_i64(v: Option<u64>) -> Option<i64> {
    v.and_then(|v| i64::try_from(v).ok())
}

/// One application compared across the two sides.
#[derive(Debug, Clone)]
pub struct AppDelta<'a> {
    pub key: AppKey,
    pub change: Change,
    pub before: Option<Figures>,
    pub after: Option<Figures>,
    pub deltas: Deltas,
    /// Where the application is defined: in the head when it still exists, else in the base.
    pub span: &'a Span,
    /// `false` when an input of it could not be read on either side: no delta is given.
    pub comparable: bool,
    /// Those inputs, both sides together.
    pub tainted_by: Vec<&'a str>,
    /// `ROOT:ADDRESS` with the root relative to the compared root (the address alone for a root
    /// of `.`, a plan or a template), as `check` names instances.
    pub instance: String,
}

/// Sums over the applications whose every difference is known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub before_kpus: i64,
    pub after_kpus: i64,
    pub before_billed_kpus: i64,
    pub after_billed_kpus: i64,
    pub before_running_storage_gb: i64,
    pub after_running_storage_gb: i64,
    pub before_monthly_cost_cents: i64,
    pub after_monthly_cost_cents: i64,
    /// Applications left out of the sums because a figure is unknown on a side (a value
    /// KPU009 reports, an invalid setting, a SQL application, an unknown region's cost), or
    /// because it is not comparable.
    pub without_figures: usize,
    /// Of those, the applications not comparable because an input could not be read.
    pub not_comparable: usize,
    /// Applications in the KPU and storage sums whose monthly cost is unknown on a side (a
    /// region without prices): the cost sums leave them out, so the cost totals are unknown.
    pub without_cost: usize,
}

impl Totals {
    pub fn delta_billed_kpus(&self) -> i64 {
        self.after_billed_kpus - self.before_billed_kpus
    }
    pub fn delta_kpus(&self) -> i64 {
        self.after_kpus - self.before_kpus
    }
    pub fn delta_running_storage_gb(&self) -> i64 {
        self.after_running_storage_gb - self.before_running_storage_gb
    }
    pub fn delta_monthly_cost_cents(&self) -> i64 {
        self.after_monthly_cost_cents - self.before_monthly_cost_cents
    }
    /// Whether the cost sums cover every application in the KPU sums.
    pub fn cost_known(&self) -> bool {
        self.without_cost == 0
    }
}

/// A finding active in the base that the change resolves.
#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    pub finding: &'a Finding,
    /// The finding is still there in the head, but suppressed (by a suppression the change adds).
    pub now_suppressed: bool,
}

/// Active findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeverityCounts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl SeverityCounts {
    pub fn of<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Self {
        let mut c = SeverityCounts::default();
        for f in findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Note => c.notes += 1,
            }
        }
        c
    }

    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.notes
    }
}

/// What the two sides are called in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// `origin/main (3f2a9c1)` or the OLD path.
    pub base: String,
    /// `working tree` or the NEW path.
    pub head: String,
}

/// The comparison of two runs.
#[derive(Debug)]
pub struct Diff<'a> {
    pub labels: Labels,
    /// Every application of either side, sorted by unit and address.
    pub applications: Vec<AppDelta<'a>>,
    pub totals: Totals,
    /// Active in the head, not active in the base (by fingerprint).
    pub introduced: Vec<&'a Finding>,
    pub resolved: Vec<Resolved<'a>>,
    pub base_errors: &'a [InputError],
    pub head_errors: &'a [InputError],
    /// Head errors that the base does not have (same file and message): the change broke them.
    pub new_errors: Vec<&'a InputError>,
    /// The head's notices, then the diff's own (a path missing on one side, ...).
    pub notices: Vec<Notice>,
    pub base_files: usize,
    pub head_files: usize,
    /// A side that has input errors and no application: there is nothing to compare against.
    pub incomparable: bool,
    /// The limits that decide the exit code 1, with what the change measured against them
    /// (set by the command: [`gates`]).
    pub gates: Vec<crate::gate::Gate>,
}

impl Diff<'_> {
    /// Added, removed and changed applications (the rows of the table).
    pub fn changed(&self) -> impl Iterator<Item = &AppDelta<'_>> {
        self.applications.iter().filter(|a| a.change != Change::Unchanged)
    }

    pub fn count(&self, change: Change) -> usize {
        self.applications.iter().filter(|a| a.change == change).count()
    }
}

/// `path` relative to `root` (`""` when it is the root itself, as a plan file compared with
/// another plan file); unchanged without a root or outside it.
pub fn relative(path: &str, root: Option<&str>) -> String {
    let Some(root) = root else {
        return path.to_string();
    };
    match Path::new(path).strip_prefix(root) {
        Ok(rest) => rest.to_string_lossy().into_owned(),
        Err(_) => path.to_string(),
    }
}

/// The root module directory (Terraform) or the file (plans, templates) of an application.
fn unit(a: &Analysis, root: Option<&str>) -> String {
    let file = a
        .app
        .module_calls
        .first()
        .map(|c| c.span.path())
        .unwrap_or(a.app.span.path());
    let file = relative(file, root);
    match a.app.format {
        InputFormat::TerraformHcl | InputFormat::TerraformJson => match Path::new(&file).parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_string_lossy().into_owned(),
            _ => ".".to_string(),
        },
        _ => file,
    }
}

/// The key a finding is matched by. With the same paths on both sides it is the finding's own
/// fingerprint (the one baselines record); with two roots it is the same hash over the path and
/// the instance's root module, both relative to the side's root, and the finding's occurrence,
/// so `old/main.tf` matches `new/main.tf` and a shared module's finding seen from
/// `old/envs/prod` matches the one seen from `new/envs/prod`, not `new/envs/dev`.
fn finding_keys<'a>(findings: &'a [Finding], root: Option<&str>) -> Vec<(String, &'a Finding)> {
    let mut seen: BTreeMap<(&str, Option<&str>, String, String), usize> = BTreeMap::new();
    findings
        .iter()
        .map(|f| {
            let key = match root {
                None => f.fingerprint.clone(),
                Some(_) => {
                    let rel = relative(f.span.path(), root);
                    // Only a Terraform root directory tells instances apart (a plan's or a
                    // template's root is its own file, which differs between the sides).
                    let instance_root = match (&f.root, &f.instance) {
                        (Some(r), Some(i)) if f.application.as_ref() != Some(i) => relative(r, root),
                        _ => String::new(),
                    };
                    let n = seen
                        .entry((f.rule.id, f.application.as_deref(), rel.clone(), instance_root.clone()))
                        .or_default();
                    *n += 1;
                    fingerprint(&[
                        f.rule.id,
                        f.application.as_deref().unwrap_or(""),
                        &rel,
                        &instance_root,
                        &n.to_string(),
                    ])
                }
            };
            (key, f)
        })
        .collect()
}

/// Compares the base and the head of a change.
pub fn compare<'a>(base: Side<'a>, head: Side<'a>, labels: Labels, notices: Vec<Notice>) -> Diff<'a> {
    let mut apps: BTreeMap<AppKey, (Vec<&'a Analysis>, Vec<&'a Analysis>)> = BTreeMap::new();
    for a in &base.outcome.analyses {
        let key = AppKey {
            unit: unit(a, base.root),
            address: a.app.address.clone(),
        };
        apps.entry(key).or_default().0.push(a);
    }
    for a in &head.outcome.analyses {
        let key = AppKey {
            unit: unit(a, head.root),
            address: a.app.address.clone(),
        };
        apps.entry(key).or_default().1.push(a);
    }

    // Files that could not be read on a side, relative to its root: an application defined
    // there on the other side may be missing only because its file did not parse.
    let broken_files = |side: Side<'a>| -> BTreeMap<String, &'a str> {
        side.outcome
            .errors
            .iter()
            .map(|e| (relative(e.span.path(), side.root), e.span.path()))
            .collect()
    };
    let (base_broken, head_broken) = (broken_files(base), broken_files(head));
    // The files an application is read from that are broken on the other side: its defining
    // file and the files of the module calls that reach it.
    let broken_on = |a: &'a Analysis, root: Option<&str>, broken: &BTreeMap<String, &'a str>| -> Vec<&'a str> {
        std::iter::once(&a.app.span)
            .chain(a.app.module_calls.iter().map(|c| &c.span))
            .filter_map(|s| broken.get(&relative(s.path(), root)).copied())
            .collect()
    };

    let mut applications = Vec::new();
    let mut totals = Totals::default();
    for (key, (olds, news)) in apps {
        // One application per key is the rule; duplicates (the same file named twice) pair up
        // in order.
        for i in 0..olds.len().max(news.len()) {
            let old = olds.get(i).copied();
            let new = news.get(i).copied();
            let Some(span) = new.or(old).map(|a| &a.app.span) else {
                continue;
            };
            let before = old.map(figures);
            let after = new.map(figures);
            // An application on one side only whose file could not be read on the other is not
            // added or removed: it may be there, unread.
            let unread: Vec<&'a str> = match (old, new) {
                (Some(o), None) => broken_on(o, base.root, &head_broken),
                (None, Some(n)) => broken_on(n, head.root, &base_broken),
                _ => Vec::new(),
            };
            let comparable = unread.is_empty() && !before.iter().chain(&after).any(|f| f.tainted);
            let change = match (&before, &after) {
                _ if !unread.is_empty() => Change::Changed,
                (None, _) => Change::Added,
                (_, None) => Change::Removed,
                (Some(b), Some(a)) if b != a || !comparable => Change::Changed,
                _ => Change::Unchanged,
            };
            let (b, a) = (before.as_ref(), after.as_ref());
            // Figures read from a half-read side are never compared, not even the known ones.
            let deltas = if comparable {
                Deltas {
                    kpus: delta(b, a, |f| u64_i64(f.kpus)),
                    billed_kpus: delta(b, a, |f| u64_i64(f.billed_kpus)),
                    running_storage_gb: delta(b, a, |f| u64_i64(f.running_storage_gb)),
                    monthly_cost_cents: delta(b, a, cents_of),
                }
            } else {
                totals.not_comparable += 1;
                Deltas::default()
            };
            add_to_totals(&mut totals, b, a, &deltas);
            let mut tainted_by: Vec<&'a str> = old.iter().chain(&new).flat_map(|a| a.app.tainted_files()).collect();
            tainted_by.extend(unread);
            tainted_by.sort_unstable();
            tainted_by.dedup();
            let format = new
                .or(old)
                .map_or(crate::model::InputFormat::TerraformHcl, |a| a.app.format);
            applications.push(AppDelta {
                instance: crate::identity::instance(&key.unit, &key.address, format),
                key: key.clone(),
                change,
                before,
                after,
                deltas,
                span,
                comparable,
                tainted_by,
            });
        }
    }

    let active = |f: &&Finding| f.suppressed.is_none();
    let base_keys = finding_keys(&base.outcome.findings, base.root);
    let head_keys = finding_keys(&head.outcome.findings, head.root);
    let base_active: BTreeSet<&str> = base_keys
        .iter()
        .filter(|(_, f)| active(f))
        .map(|(k, _)| k.as_str())
        .collect();
    let head_active: BTreeSet<&str> = head_keys
        .iter()
        .filter(|(_, f)| active(f))
        .map(|(k, _)| k.as_str())
        .collect();
    let head_suppressed: BTreeSet<&str> = head_keys
        .iter()
        .filter(|(_, f)| !active(f))
        .map(|(k, _)| k.as_str())
        .collect();
    // A finding in a file that could not be read on the other side may be there, unread: it is
    // neither introduced nor resolved.
    let in_broken = |f: &Finding, root: Option<&str>, broken: &BTreeMap<String, &str>| {
        broken.contains_key(&relative(f.span.path(), root))
    };
    let introduced = head_keys
        .iter()
        .filter(|(k, f)| active(f) && !base_active.contains(k.as_str()) && !in_broken(f, head.root, &base_broken))
        .map(|(_, f)| *f)
        .collect();
    // A finding gone because its application could not be read on a side is not resolved.
    let mut comparable_by_address: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    for a in &applications {
        let entry = comparable_by_address.entry(a.key.address.as_str()).or_default();
        if a.comparable {
            entry.0 = true;
        } else {
            entry.1 = true;
        }
    }
    let not_comparable = |f: &Finding| {
        f.application
            .as_deref()
            .and_then(|a| comparable_by_address.get(a))
            .is_some_and(|&(comparable, not)| not && !comparable)
    };
    let resolved = base_keys
        .iter()
        .filter(|(k, f)| {
            active(f)
                && !head_active.contains(k.as_str())
                && !not_comparable(f)
                && !in_broken(f, base.root, &head_broken)
        })
        .map(|(k, f)| Resolved {
            finding: f,
            now_suppressed: head_suppressed.contains(k.as_str()),
        })
        .collect();

    let error_key = |e: &InputError, root| (relative(e.span.path(), root), e.message.clone());
    let base_error_keys: BTreeSet<(String, String)> =
        base.outcome.errors.iter().map(|e| error_key(e, base.root)).collect();
    let new_errors = head
        .outcome
        .errors
        .iter()
        .filter(|e| !base_error_keys.contains(&error_key(e, head.root)))
        .collect();
    let broken = |o: &Outcome| !o.errors.is_empty() && o.analyses.is_empty();

    let mut all_notices = head.outcome.notices.clone();
    all_notices.extend(notices);
    Diff {
        labels,
        applications,
        totals,
        introduced,
        resolved,
        base_errors: &base.outcome.errors,
        head_errors: &head.outcome.errors,
        new_errors,
        notices: all_notices,
        base_files: base.outcome.files,
        head_files: head.outcome.files,
        incomparable: broken(base.outcome) || broken(head.outcome),
        gates: Vec::new(),
    }
}

/// KPUs and storage are summed whenever they are known; the cost only when it is known too
/// (an unpriced application makes the cost totals unknown, never $0).
fn add_to_totals(t: &mut Totals, before: Option<&Figures>, after: Option<&Figures>, d: &Deltas) {
    if d.kpus.is_none() || d.billed_kpus.is_none() || d.running_storage_gb.is_none() {
        t.without_figures += 1;
        return;
    }
    let sum = |f: Option<&Figures>, get: fn(&Figures) -> Option<i64>| f.and_then(get).unwrap_or(0);
    t.before_kpus += sum(before, |f| u64_i64(f.kpus));
    t.after_kpus += sum(after, |f| u64_i64(f.kpus));
    t.before_billed_kpus += sum(before, |f| u64_i64(f.billed_kpus));
    t.after_billed_kpus += sum(after, |f| u64_i64(f.billed_kpus));
    t.before_running_storage_gb += sum(before, |f| u64_i64(f.running_storage_gb));
    t.after_running_storage_gb += sum(after, |f| u64_i64(f.running_storage_gb));
    if d.monthly_cost_cents.is_none() {
        t.without_cost += 1;
        return;
    }
    t.before_monthly_cost_cents += sum(before, cents_of);
    t.after_monthly_cost_cents += sum(after, cents_of);
}

/// `--fail-on-cost-increase`: dollars per month or a percentage of the base's monthly cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CostLimit {
    Cents(i64),
    Percent(f64),
}

impl CostLimit {
    /// `100`, `100.50`, `$100` (dollars per month) or `10%`.
    pub fn parse(s: &str) -> Result<CostLimit, String> {
        let t = s.trim();
        let bad = || format!("\"{s}\" is not an amount: use dollars per month (`100`) or a percentage (`10%`)");
        if let Some(p) = t.strip_suffix('%') {
            let v: f64 = p.trim().parse().map_err(|_| bad())?;
            return if v.is_finite() && v >= 0.0 {
                Ok(CostLimit::Percent(v))
            } else {
                Err(bad())
            };
        }
        let v: f64 = t.strip_prefix('$').unwrap_or(t).trim().parse().map_err(|_| bad())?;
        match usd_to_cents(v) {
            Some(c) if v >= 0.0 => Ok(CostLimit::Cents(c)),
            _ => Err(bad()),
        }
    }

    /// The limit as the user reads it: `$100.00` or `10%`.
    pub fn shown(self) -> String {
        match self {
            CostLimit::Cents(c) => crate::rules::usd_cents(c),
            CostLimit::Percent(p) => format!("{}%", crate::units::fmt_num(p)),
        }
    }

    /// The `--fail-on-cost-increase` gate over the totals: the increase in the limit's unit
    /// (percent of the base's cost, or dollars per month), said with the amounts.
    pub fn gate(self, t: &Totals) -> crate::gate::Gate {
        if !t.cost_known() {
            // A gate that cannot measure fails closed: a CI job is never green on an unknown cost.
            let n = t.without_cost;
            return crate::gate::Gate {
                name: "fail-on-cost-increase",
                limit: self.shown(),
                value: None,
                passed: false,
                message: format!(
                    "--fail-on-cost-increase {}: the monthly cost is unknown ({n} application{} without prices for {} region: add a `prices` block to .kpulint.hcl or set `defaults.fallback_prices`)",
                    self.shown(),
                    crate::rules::plural(n as u64),
                    if n == 1 { "its" } else { "their" }
                ),
            };
        }
        let (before, after) = (t.before_monthly_cost_cents, t.after_monthly_cost_cents);
        let increase = after - before;
        let cents = crate::rules::usd_cents;
        let change = if increase > 0 {
            format!("+{}", cents(increase))
        } else {
            cents(increase)
        };
        let amounts = format!("{change}/month, {} → {}", cents(before), cents(after));
        let moves = match increase {
            0 => "does not change",
            i if i > 0 => "rises",
            _ => "falls",
        };
        let (value, measured) = match self {
            CostLimit::Cents(_) => (
                Some(crate::units::json_number(increase as f64 / 100.0)),
                format!("the monthly cost {moves} ({amounts})"),
            ),
            CostLimit::Percent(_) if before > 0 && increase == 0 => (
                Some(crate::units::json_number(0.0)),
                format!("the monthly cost {moves} ({amounts})"),
            ),
            CostLimit::Percent(_) if before > 0 => {
                let pct = (increase as f64 * 10_000.0 / before as f64).round() / 100.0;
                (
                    Some(crate::units::json_number(pct)),
                    format!(
                        "the monthly cost {moves} by {}% ({amounts})",
                        crate::units::fmt_num(pct.abs())
                    ),
                )
            }
            // From nothing no increase is a percentage: any increase fails.
            CostLimit::Percent(_) => (None, format!("the monthly cost {moves} from $0.00 ({amounts})")),
        };
        let not_counted = if t.without_figures > 0 {
            format!(
                " ({} application{} without figures on a side not counted)",
                t.without_figures,
                crate::rules::plural(t.without_figures as u64)
            )
        } else {
            String::new()
        };
        crate::gate::Gate {
            name: "fail-on-cost-increase",
            limit: self.shown(),
            value,
            passed: !self.exceeded(before, after),
            message: format!("--fail-on-cost-increase {}: {measured}{not_counted}", self.shown()),
        }
    }

    /// Whether a change from `before` to `after` (cents per month) raises the cost by more.
    pub fn exceeded(self, before_cents: i64, after_cents: i64) -> bool {
        let increase = after_cents - before_cents;
        if increase <= 0 {
            return false;
        }
        match self {
            CostLimit::Cents(limit) => increase > limit,
            // From nothing, any increase is more than any percentage.
            CostLimit::Percent(pct) => before_cents <= 0 || increase as f64 * 100.0 > pct * before_cents as f64,
        }
    }
}

/// The gates of a change: `--fail-on` (findings the change introduces at or above the level,
/// and files it breaks when errors count) and, when given, `--fail-on-cost-increase` (the
/// increase of the monthly cost over the applications compared on both sides).
pub fn gates(diff: &Diff<'_>, fail_on: FailOn, cost_limit: Option<CostLimit>) -> Vec<crate::gate::Gate> {
    let findings = diff.introduced.iter().filter(|f| fail_on.fails(f.severity)).count();
    let errors = if fail_on.fails(Severity::Error) {
        diff.new_errors.len()
    } else {
        0
    };
    let level = crate::gate::level(fail_on);
    let mut what = vec![format!(
        "the change introduces {findings} finding{} at or above {level}",
        crate::rules::plural(findings as u64)
    )];
    if errors > 0 {
        what.push(format!("breaks {errors} file{}", crate::rules::plural(errors as u64)));
    }
    let mut gates = vec![crate::gate::Gate {
        name: "fail-on",
        limit: level.to_string(),
        value: Some((findings + errors).into()),
        passed: findings + errors == 0,
        message: format!("--fail-on {level}: {}", what.join(" and ")),
    }];
    if let Some(limit) = cost_limit {
        gates.push(limit.gate(&diff.totals));
    }
    gates
}

/// 2 when nothing could be compared; 1 when a gate failed (see [`gates`]); else 0.
pub fn exit_code(diff: &Diff<'_>) -> i32 {
    if diff.incomparable {
        return 2;
    }
    i32::from(crate::gate::failed(&diff.gates).next().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_limits_parse_and_compare() {
        assert_eq!(CostLimit::parse("100"), Ok(CostLimit::Cents(10_000)));
        assert_eq!(CostLimit::parse("$12.345"), Ok(CostLimit::Cents(1_235)));
        assert_eq!(CostLimit::parse("10%"), Ok(CostLimit::Percent(10.0)));
        assert!(CostLimit::parse("-5").is_err());
        assert!(CostLimit::parse("ten").is_err());
        assert!(CostLimit::parse("nan%").is_err());
        let hundred = CostLimit::Cents(10_000);
        assert!(!hundred.exceeded(50_000, 60_000));
        assert!(hundred.exceeded(50_000, 60_001));
        assert!(!hundred.exceeded(60_000, 0));
        let ten = CostLimit::Percent(10.0);
        assert!(!ten.exceeded(100_000, 110_000));
        assert!(ten.exceeded(100_000, 110_001));
        assert!(ten.exceeded(0, 1));
        assert_eq!(CostLimit::Percent(5.0).shown(), "5%");
        assert_eq!(CostLimit::Cents(10_000).shown(), "$100.00");
    }

    #[test]
    fn relative_paths_strip_the_root() {
        assert_eq!(relative("old/infra/main.tf", Some("old")), "infra/main.tf");
        assert_eq!(relative("plans/main.json", Some("plans/main.json")), "");
        assert_eq!(relative("other/main.tf", Some("old")), "other/main.tf");
        assert_eq!(relative("infra/main.tf", None), "infra/main.tf");
    }

    #[test]
    fn deltas_count_an_absent_side_as_zero_and_unknown_as_unknown() {
        let f = |kpus| Figures {
            status: "sized",
            parallelism: kpus,
            parallelism_per_kpu: Some(1),
            auto_scaling: Some(false),
            kpus,
            billed_kpus: kpus.map(|k| k + 1),
            running_storage_gb: kpus.map(|k| k * 50),
            monthly_cost_cents: None,
            tainted: false,
        };
        let get = |f: &Figures| u64_i64(f.kpus);
        assert_eq!(delta(None, Some(&f(Some(4))), get), Some(4));
        assert_eq!(delta(Some(&f(Some(4))), None, get), Some(-4));
        assert_eq!(delta(Some(&f(Some(4))), Some(&f(Some(6))), get), Some(2));
        assert_eq!(delta(Some(&f(None)), Some(&f(Some(6))), get), None);
    }
}

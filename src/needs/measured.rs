//! Needs measured from evidence, with their provenance (rules/KPU013.md states the formulas):
//!
//! - the window: every hour with `downtime > 0`, or with a restart (`fullRestarts` changed), is
//!   left out; what remains must span at least `evidence.min_days`;
//! - compute: `measured_kpus = ceil(KPUs_app × U / U_target)`, `KPUs_app` the most `KPUs`
//!   observed minus the orchestration KPU, `U` the 95th percentile of `containerCPUUtilization`
//!   (Maximum), `U_target` `evidence.target_cpu_utilization`;
//! - running parallelism: `CurrentParallelism` above `Parallelism` (autoscaling raised it) is a
//!   compute need of its own;
//! - storage: `containerDiskUtilization` Maximum × the 50 GB per KPU of `KPUs_app` is the disk
//!   in use, kept below [`DISK_HEALTHY_FRACTION`]; `lastCheckpointSize` is reported beside it as
//!   the checkpoint size, never taken as the state size.
//!
//! Evidence that is too old, too short or missing a metric is used for nothing but KPU015.

use std::collections::{BTreeMap, BTreeSet};

use super::evidence::time::{format_human, EpochSeconds};
use super::evidence::{ApplicationEvidence, Metric, Running, Series};
use crate::sizing::STORAGE_GB_PER_KPU;

/// Disk use above 80 % of a container's disk is outside the healthy range AWS's guide gives
/// (`containerDiskUtilization` < 80 %, aws/agent-toolkit-for-aws monitoring-and-metrics.md):
/// a measured disk need is sized to stay below it.
pub const DISK_HEALTHY_FRACTION: f64 = 0.8;

/// The `evidence` block of `.kpulint.hcl`.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceSettings {
    /// Evidence files and directories, relative to the config file.
    pub paths: Vec<std::path::PathBuf>,
    /// The shortest window (after excluded hours) evidence is used from, in days.
    pub min_days: f64,
    /// `U_target`, as a fraction: the Flink autoscaler's default target utilisation.
    pub target_cpu_utilization: f64,
    /// KPU013: how far a declaration may differ from the measurement, as a fraction.
    pub tolerance: f64,
    /// KPU015: the newest datapoint may be at most this old, in days.
    pub max_age_days: f64,
}

impl Default for EvidenceSettings {
    fn default() -> Self {
        EvidenceSettings {
            paths: Vec::new(),
            min_days: 7.0,
            target_cpu_utilization: 0.70,
            tolerance: 0.25,
            max_age_days: 30.0,
        }
    }
}

/// The compute need the CloudWatch evidence measures.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredCompute {
    /// `ceil(kpus_observed × cpu_p95 / target)`, at least 1.
    pub kpus: u64,
    pub kpus_observed: u64,
    pub cpu_p95_percent: f64,
    pub target: f64,
    /// What keeps it from counting as measured on a complete window (empty: complete).
    pub incomplete: Vec<String>,
}

impl MeasuredCompute {
    /// `ceil(6 KPUs × 46.5% CPU p95 ÷ 70% target)`
    pub fn expression(&self) -> String {
        format!(
            "ceil({} KPU{} × {}% CPU p95 ÷ {}% target)",
            self.kpus_observed,
            plural(self.kpus_observed),
            crate::units::fmt_num(self.cpu_p95_percent),
            crate::units::fmt_num(self.target * 100.0),
        )
    }

    /// `ceil(6 KPUs × 46.5% CPU p95 ÷ 70% target) = 4 KPUs`
    pub fn arithmetic(&self) -> String {
        format!("{} = {} KPU{}", self.expression(), self.kpus, plural(self.kpus))
    }
}

/// The storage need the CloudWatch evidence measures.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredStorage {
    /// `ceil(disk_used_gb / (50 GB × 80%))`, at least 1.
    pub kpus: u64,
    pub disk_used_gb: f64,
    pub disk_max_percent: f64,
    pub kpus_observed: u64,
    pub incomplete: Vec<String>,
}

impl MeasuredStorage {
    /// `26% of 10 KPUs × 50 GB = 130 GB of disk in use`
    pub fn usage(&self) -> String {
        format!(
            "{}% of {} KPU{} × {STORAGE_GB_PER_KPU} GB = {} GB of disk in use",
            crate::units::fmt_num(self.disk_max_percent),
            self.kpus_observed,
            plural(self.kpus_observed),
            crate::units::fmt_num(self.disk_used_gb),
        )
    }

    /// `26% of 10 KPUs × 50 GB = 130 GB of disk in use → 4 KPUs to keep it below 80%`
    pub fn arithmetic(&self) -> String {
        format!(
            "{} → {} KPU{} to keep it below {}%",
            self.usage(),
            self.kpus,
            plural(self.kpus),
            crate::units::fmt_num(DISK_HEALTHY_FRACTION * 100.0)
        )
    }
}

pub(crate) fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// What the evidence of one application measures.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Measurement {
    pub window_start: Option<EpochSeconds>,
    pub window_end: Option<EpochSeconds>,
    /// `window_end − window_start`, in days.
    pub days: Option<f64>,
    /// Hours of the window left out for downtime or a restart.
    pub excluded_hours: u64,
    pub cpu_p95_percent: Option<f64>,
    /// The most application KPUs observed (the `KPUs` metric minus the orchestration KPU).
    pub kpus_observed: Option<u64>,
    pub disk_max_percent: Option<f64>,
    pub disk_used_gb: Option<f64>,
    /// `lastCheckpointSize` Maximum: the checkpoint size (possibly incremental), not the state.
    pub checkpoint_size_max_gb: Option<f64>,
    pub current_parallelism: Option<u64>,
    /// The evidence files, as shown.
    pub files: Vec<String>,
    /// `describe-application`'s view of the running application, and the file it is from.
    pub running: Option<Running>,
    pub running_file: Option<String>,
    /// Why the CloudWatch evidence is used for nothing but KPU015 (empty: it is used).
    pub stale: Vec<String>,
    pub compute: Option<MeasuredCompute>,
    pub storage: Option<MeasuredStorage>,
    /// `CurrentParallelism`, when autoscaling raised it above the configured `Parallelism`.
    pub raised_parallelism: Option<u64>,
}

impl Measurement {
    /// `2026-10-01 00:00 UTC – 2026-10-15 00:00 UTC (14 days)`
    pub fn window(&self) -> Option<String> {
        let (start, end) = (self.window_start?, self.window_end?);
        Some(format!(
            "{} – {} ({} days)",
            format_human(start),
            format_human(end),
            crate::units::fmt_num(self.days.unwrap_or(0.0))
        ))
    }

    /// The evidence files, joined.
    pub fn file_list(&self) -> String {
        self.files.join(", ")
    }
}

/// The hour a timestamp falls in.
fn hour(t: EpochSeconds) -> i64 {
    t.div_euclid(3600)
}

/// Hours with `downtime > 0`, or a change of `fullRestarts` (a restart; a drop is a new job
/// submission, and the hour before it is left out too).
fn excluded(series: &BTreeMap<Metric, Series>) -> BTreeSet<i64> {
    let mut out = BTreeSet::new();
    if let Some(s) = series.get(&Metric::Downtime) {
        out.extend(s.points.iter().filter(|p| p.1 > 0.0).map(|p| hour(p.0)));
    }
    if let Some(s) = series.get(&Metric::FullRestarts) {
        for w in s.points.windows(2) {
            if let [(t0, v0), (t1, v1)] = w {
                if v1 != v0 {
                    out.insert(hour(*t1));
                }
                if v1 < v0 {
                    out.insert(hour(*t0));
                }
            }
        }
    }
    out
}

/// The 95th percentile by nearest rank: the smallest value at least 95 % of values are at or
/// below.
pub fn p95(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = (0.95 * values.len() as f64).ceil() as usize;
    values.get(rank.saturating_sub(1)).copied()
}

/// `ceil(x)` that does not turn 4.000000000001 (a float's rounding) into 5.
fn ceil(x: f64) -> u64 {
    (x - 1e-9).ceil().max(1.0) as u64
}

/// Measures the needs of an application from its evidence. `orchestration_kpus`: the KPUs the
/// `KPUs` metric counts beyond the application's own (1, or 2 for Studio notebooks); `now`:
/// the time evidence ages against.
pub fn measure(
    evidence: &ApplicationEvidence,
    settings: &EvidenceSettings,
    orchestration_kpus: u64,
    now: EpochSeconds,
) -> Measurement {
    let mut m = Measurement {
        files: evidence.files.clone(),
        running: evidence.running.clone(),
        running_file: evidence.running_file.clone(),
        ..Measurement::default()
    };
    if let Some(p) = evidence.running.as_ref().and_then(|r| r.parallelism.as_ref()) {
        m.current_parallelism = p.current_parallelism;
        m.raised_parallelism = p
            .current_parallelism
            .filter(|c| p.parallelism.is_some_and(|configured| *c > configured));
    }
    if !evidence.has_metrics() {
        return m;
    }
    let series = &evidence.series;
    let nonempty = |metric: Metric| series.get(&metric).filter(|s| !s.points.is_empty());
    m.window_start = series.values().filter_map(|s| s.points.first()).map(|p| p.0).min();
    m.window_end = series
        .values()
        .filter_map(|s| s.points.last().map(|p| p.0 + i64::from(s.period.max(1))))
        .max();
    let excluded = excluded(series);
    let (start, end) = (m.window_start, m.window_end);
    let in_window = |h: &&i64| start.is_some_and(|s| **h >= hour(s)) && end.is_some_and(|e| **h * 3600 < e);
    m.excluded_hours = excluded.iter().filter(in_window).count() as u64;
    if let (Some(start), Some(end)) = (m.window_start, m.window_end) {
        m.days = Some((end - start) as f64 / 86_400.0);
    }
    let included = |p: &&(EpochSeconds, f64)| !excluded.contains(&hour(p.0));
    let max_of = |metric: Metric| {
        nonempty(metric).and_then(|s| s.points.iter().filter(included).map(|p| p.1).max_by(f64::total_cmp))
    };
    m.kpus_observed =
        max_of(Metric::Kpus).map(|k| (k.round().max(0.0) as u64).saturating_sub(orchestration_kpus).max(1));
    m.cpu_p95_percent = nonempty(Metric::Cpu).and_then(|s| {
        let mut values: Vec<f64> = s.points.iter().filter(included).map(|p| p.1).collect();
        p95(&mut values)
    });
    m.disk_max_percent = max_of(Metric::Disk);
    m.disk_used_gb = m
        .disk_max_percent
        .zip(m.kpus_observed)
        .map(|(pct, k)| pct / 100.0 * (STORAGE_GB_PER_KPU * k) as f64);
    m.checkpoint_size_max_gb = max_of(Metric::CheckpointSize).map(|b| b / 1e9);

    let missing: Vec<&str> = Metric::ALL
        .into_iter()
        .filter(|metric| nonempty(*metric).is_none())
        .map(Metric::name)
        .collect();
    if !missing.is_empty() {
        m.stale.push(format!(
            "{} {} missing",
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" }
        ));
    }
    if let Some(newest) = series.values().filter_map(|s| s.points.last()).map(|p| p.0).max() {
        let age_days = (now - newest) as f64 / 86_400.0;
        if age_days > settings.max_age_days {
            m.stale.push(format!(
                "the newest datapoint ({}) is {} days old, more than evidence.max_age_days = {}",
                format_human(newest),
                crate::units::fmt_num(age_days.floor()),
                crate::units::fmt_num(settings.max_age_days)
            ));
        }
    }
    let days = m.days.unwrap_or(0.0);
    let usable = days - m.excluded_hours as f64 / 24.0;
    if usable < settings.min_days {
        let left_out = if m.excluded_hours > 0 {
            format!(
                " ({} without its {} excluded hour{})",
                crate::units::fmt_num(usable.max(0.0)),
                m.excluded_hours,
                plural(m.excluded_hours)
            )
        } else {
            String::new()
        };
        m.stale.push(format!(
            "the window spans {} days{left_out}, less than evidence.min_days = {}",
            crate::units::fmt_num(days),
            crate::units::fmt_num(settings.min_days)
        ));
    }
    if !m.stale.is_empty() {
        return m;
    }
    let incomplete = |metrics: &[Metric]| -> Vec<String> {
        metrics
            .iter()
            .filter_map(|metric| series.get(metric).map(|s| (metric, s)))
            .filter(|(_, s)| !s.complete)
            .map(|(metric, s)| format!("{}: {}", metric.name(), s.incomplete.join(", ")))
            .collect()
    };
    let window_metrics = [Metric::Kpus, Metric::Downtime, Metric::FullRestarts];
    if let (Some(k), Some(u)) = (m.kpus_observed, m.cpu_p95_percent) {
        let target = settings.target_cpu_utilization.max(0.01);
        m.compute = Some(MeasuredCompute {
            kpus: ceil(k as f64 * (u / 100.0) / target),
            kpus_observed: k,
            cpu_p95_percent: u,
            target,
            incomplete: incomplete(&[&window_metrics[..], &[Metric::Cpu]].concat()),
        });
    }
    if let (Some(used), Some(pct), Some(k)) = (m.disk_used_gb, m.disk_max_percent, m.kpus_observed) {
        m.storage = Some(MeasuredStorage {
            kpus: ceil(used / (STORAGE_GB_PER_KPU as f64 * DISK_HEALTHY_FRACTION)),
            disk_used_gb: used,
            disk_max_percent: pct,
            kpus_observed: k,
            incomplete: incomplete(&[&window_metrics[..], &[Metric::Disk]].concat()),
        });
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2025-10-09T09:00:00Z, on the hour.
    const T0: EpochSeconds = 1_760_000_400;

    fn hourly(values: impl IntoIterator<Item = f64>) -> Series {
        Series {
            period: 3600,
            points: values
                .into_iter()
                .enumerate()
                .map(|(i, v)| (T0 + i as i64 * 3600, v))
                .collect(),
            complete: true,
            incomplete: Vec::new(),
        }
    }

    fn evidence(hours: usize) -> ApplicationEvidence {
        let mut series = BTreeMap::new();
        for metric in Metric::ALL {
            let value = match metric {
                Metric::Kpus => 7.0,
                Metric::Cpu => 35.0,
                Metric::Disk => 26.0,
                Metric::CheckpointSize => 12e9,
                _ => 0.0,
            };
            series.insert(metric, hourly(std::iter::repeat_n(value, hours)));
        }
        ApplicationEvidence {
            name: "orders".into(),
            series,
            running: None,
            files: vec!["cw.json".into()],
            ..ApplicationEvidence::default()
        }
    }

    #[test]
    fn fourteen_days_measure_both_needs() {
        let e = evidence(14 * 24);
        let now = T0 + 15 * 86_400;
        let m = measure(&e, &EvidenceSettings::default(), 1, now);
        assert!(m.stale.is_empty(), "{:?}", m.stale);
        assert_eq!(m.days, Some(14.0));
        assert_eq!(m.kpus_observed, Some(6));
        let c = m.compute.clone().unwrap_or_else(|| panic!("no compute"));
        // 6 × 35% / 70% = 3
        assert_eq!(c.kpus, 3);
        assert_eq!(c.arithmetic(), "ceil(6 KPUs × 35% CPU p95 ÷ 70% target) = 3 KPUs");
        let s = m.storage.clone().unwrap_or_else(|| panic!("no storage"));
        // 26% of 300 GB = 78 GB → 78 / 40 → 2 KPUs
        assert!((s.disk_used_gb - 78.0).abs() < 1e-9);
        assert_eq!(s.kpus, 2);
        assert_eq!(m.checkpoint_size_max_gb, Some(12.0));
    }

    #[test]
    fn downtime_and_restarts_leave_hours_out() {
        let mut e = evidence(10 * 24);
        let spike = 100;
        if let Some(s) = e.series.get_mut(&Metric::Downtime) {
            s.points[spike].1 = 30_000.0;
        }
        if let Some(s) = e.series.get_mut(&Metric::Cpu) {
            s.points[spike].1 = 100.0;
            s.points[spike + 5].1 = 100.0;
        }
        if let Some(s) = e.series.get_mut(&Metric::FullRestarts) {
            for p in &mut s.points[spike + 5..] {
                p.1 = 1.0;
            }
        }
        let m = measure(&e, &EvidenceSettings::default(), 1, T0 + 11 * 86_400);
        assert_eq!(m.excluded_hours, 2);
        assert_eq!(m.cpu_p95_percent, Some(35.0));
    }

    #[test]
    fn short_old_or_missing_evidence_is_stale() {
        let settings = EvidenceSettings::default();
        let short = measure(&evidence(3 * 24), &settings, 1, T0 + 4 * 86_400);
        assert!(
            short.stale[0].contains("spans 3 days, less than evidence.min_days = 7"),
            "{:?}",
            short.stale
        );
        assert!(short.compute.is_none() && short.storage.is_none());
        let old = measure(&evidence(14 * 24), &settings, 1, T0 + 60 * 86_400);
        assert!(old.stale[0].contains("46 days old"), "{:?}", old.stale);
        let mut e = evidence(14 * 24);
        e.series.remove(&Metric::Disk);
        let missing = measure(&e, &settings, 1, T0 + 15 * 86_400);
        assert_eq!(missing.stale, ["containerDiskUtilization is missing"]);
    }

    #[test]
    fn nearest_rank_percentile() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(p95(&mut v), Some(95.0));
        assert_eq!(p95(&mut [3.0]), Some(3.0));
        assert_eq!(p95(&mut []), None);
    }
}

//! kpulint's own convention for `aws cloudwatch get-metric-data` queries: which metrics, at
//! which period, and the `Id` and `Label` of each query, so that every result of the export
//! maps back to its application, metric and statistic without guessing (the output echoes only
//! `Id` and `Label`, never the dimensions).
//!
//! - `Id`: `<metric code>_<stat>_<period>_<application>`, the application name with `_` written
//!   `_u`, `-` written `_h` and `.` written `_d` (an `Id` holds only letters, digits and `_`):
//!   `cpu_max_3600_orders_hjoin` is `containerCPUUtilization`, `Maximum`, 3600 s, of `orders-join`.
//!   A name too long for the 255 characters of an `Id` gets `<code>_<stat>_<period>__<index>`
//!   (no name escapes to that), and its `Label` alone names it.
//! - `Label`: `<application> <MetricName> <Stat> <period>`, e.g. `orders-join KPUs Maximum 3600`
//!   (application names hold no spaces).
//!
//! The `Label` is read first, then the `Id`.

use super::time::{format_iso, EpochSeconds};

pub const NAMESPACE: &str = "AWS/KinesisAnalytics";
pub const DIMENSION: &str = "Application";
/// `GetMetricData` takes at most 500 queries per call.
pub const MAX_QUERIES_PER_CALL: usize = 500;
/// CloudWatch keeps 1-hour data for 455 days: an older window has no data at any period.
pub const MAX_DAYS: u32 = 455;
/// An `Id` is at most 255 characters.
const MAX_ID_LEN: usize = 255;

/// The Application-level metrics kpulint reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    Kpus,
    Cpu,
    Memory,
    Disk,
    CheckpointSize,
    Downtime,
    FullRestarts,
    FailedCheckpoints,
}

impl Metric {
    pub const ALL: [Metric; 8] = [
        Metric::Kpus,
        Metric::Cpu,
        Metric::Memory,
        Metric::Disk,
        Metric::CheckpointSize,
        Metric::Downtime,
        Metric::FullRestarts,
        Metric::FailedCheckpoints,
    ];

    /// The CloudWatch metric name.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Kpus => "KPUs",
            Metric::Cpu => "containerCPUUtilization",
            Metric::Memory => "containerMemoryUtilization",
            Metric::Disk => "containerDiskUtilization",
            Metric::CheckpointSize => "lastCheckpointSize",
            Metric::Downtime => "downtime",
            Metric::FullRestarts => "fullRestarts",
            Metric::FailedCheckpoints => "numberOfFailedCheckpoints",
        }
    }

    /// The first part of its query `Id`.
    pub fn code(self) -> &'static str {
        match self {
            Metric::Kpus => "kpus",
            Metric::Cpu => "cpu",
            Metric::Memory => "mem",
            Metric::Disk => "disk",
            Metric::CheckpointSize => "ckpt",
            Metric::Downtime => "downtime",
            Metric::FullRestarts => "restarts",
            Metric::FailedCheckpoints => "failedckpt",
        }
    }

    fn by(f: impl Fn(Metric) -> bool) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| f(*m))
    }
}

/// The period of every query, one hour. It is valid at every age CloudWatch keeps data for
/// (1-minute data is kept 15 days, 5-minute 63, 1-hour 455), `KPUs` is sampled once per billing
/// hour anyway, and hours are what the window leaves out for downtime or a restart. The 95th
/// percentile of hourly maxima can only overstate the compute need, never understate it; and
/// the export stays small: 500 applications over 14 days are 1.3 million datapoints at one
/// hour, 3.2 million with CPU at 5 minutes and 11 million with CPU at 1 minute.
pub const PERIOD: u32 = 3600;

/// The statistic of every query.
pub const STAT: &str = "Maximum";
const STAT_CODE: &str = "max";

/// What a result is: the application, metric and period it was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRef {
    pub application: String,
    pub metric: Metric,
    pub period: u32,
}

/// `orders-join` → `orders_hjoin`.
fn escape(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => out.push(c),
            '_' => out.push_str("_u"),
            '-' => out.push_str("_h"),
            '.' => out.push_str("_d"),
            _ => return None,
        }
    }
    Some(out)
}

fn unescape(escaped: &str) -> Option<String> {
    let mut out = String::with_capacity(escaped.len());
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => out.push(c),
            '_' => out.push(match chars.next()? {
                'u' => '_',
                'h' => '-',
                'd' => '.',
                _ => return None,
            }),
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The query `Id` of `metric` of `application`; `index` numbers it when the name does not fit.
pub fn query_id(application: &str, metric: Metric, period: u32, index: usize) -> String {
    let head = format!("{}_{STAT_CODE}_{period}_", metric.code());
    match escape(application) {
        Some(e) if head.len() + e.len() <= MAX_ID_LEN => head + &e,
        _ => format!("{head}_{index}"),
    }
}

/// The query `Label` of `metric` of `application`.
pub fn label(application: &str, metric: Metric, period: u32) -> String {
    format!("{application} {} {STAT} {period}", metric.name())
}

/// Reads a `Label` written by [`label`].
pub fn parse_label(label: &str) -> Option<SeriesRef> {
    let mut words = label.split(' ');
    let (application, name, stat, period) = (words.next()?, words.next()?, words.next()?, words.next()?);
    if words.next().is_some() || application.is_empty() || stat != STAT {
        return None;
    }
    Some(SeriesRef {
        application: application.to_string(),
        metric: Metric::by(|m| m.name() == name)?,
        period: parse_period(period)?,
    })
}

/// Reads an `Id` written by [`query_id`] (not a numbered one: its `Label` names it).
pub fn parse_id(id: &str) -> Option<SeriesRef> {
    let mut parts = id.splitn(4, '_');
    let (code, stat, period, app) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if stat != STAT_CODE {
        return None;
    }
    Some(SeriesRef {
        metric: Metric::by(|m| m.code() == code)?,
        period: parse_period(period)?,
        application: unescape(app)?,
    })
}

fn parse_period(s: &str) -> Option<u32> {
    s.parse::<u32>()
        .ok()
        .filter(|p| *p >= 1 && p % 60 == 0 || [1, 5, 10, 30].contains(p))
}

/// A result's series from its `Label`, else its `Id`.
pub fn series_of(id: &str, label: Option<&str>) -> Option<SeriesRef> {
    label.and_then(parse_label).or_else(|| parse_id(id))
}

/// The `--cli-input-json` documents for `aws cloudwatch get-metric-data` asking for every
/// metric of every application over the `days` before `end`, each document at most
/// [`MAX_QUERIES_PER_CALL`] queries, an application's queries never split across two.
pub fn query_documents(applications: &[String], days: u32, end: EpochSeconds) -> Vec<serde_json::Value> {
    let per_app = Metric::ALL.len();
    let apps_per_call = (MAX_QUERIES_PER_CALL / per_app).max(1);
    let start = end - i64::from(days) * 86_400;
    applications
        .chunks(apps_per_call)
        .map(|apps| {
            let queries: Vec<serde_json::Value> = apps
                .iter()
                .enumerate()
                .flat_map(|(i, app)| Metric::ALL.map(|m| query(app, m, i)))
                .collect();
            serde_json::json!({
                "MetricDataQueries": queries,
                "StartTime": format_iso(start),
                "EndTime": format_iso(end),
                "ScanBy": "TimestampAscending",
            })
        })
        .collect()
}

fn query(application: &str, metric: Metric, index: usize) -> serde_json::Value {
    let period = PERIOD;
    serde_json::json!({
        "Id": query_id(application, metric, period, index),
        "MetricStat": {
            "Metric": {
                "Namespace": NAMESPACE,
                "MetricName": metric.name(),
                "Dimensions": [{ "Name": DIMENSION, "Value": application }],
            },
            "Period": period,
            "Stat": STAT,
        },
        "Label": label(application, metric, period),
        "ReturnData": true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_labels_map_back() {
        for app in ["orders", "orders-join.prod_v2", "A_h", "x__y", "9lives"] {
            for m in Metric::ALL {
                let id = query_id(app, m, 300, 0);
                assert!(id.starts_with(|c: char| c.is_ascii_lowercase()), "{id}");
                assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{id}");
                let want = SeriesRef {
                    application: app.into(),
                    metric: m,
                    period: 300,
                };
                assert_eq!(parse_id(&id), Some(want.clone()), "{id}");
                assert_eq!(parse_label(&label(app, m, 300)), Some(want.clone()));
                assert_eq!(series_of(&id, Some("KPUs")), Some(want));
            }
        }
        assert_eq!(
            query_id("orders-join", Metric::Cpu, 3600, 0),
            "cpu_max_3600_orders_hjoin"
        );
        let long = "-".repeat(128);
        let id = query_id(&long, Metric::Kpus, 3600, 7);
        assert_eq!(id, "kpus_max_3600__7");
        assert_eq!(parse_id(&id), None);
        assert_eq!(parse_id("m1"), None);
        assert_eq!(parse_id("cpu_avg_300_orders"), None);
        assert_eq!(parse_id("cpu_max_300_orders_x"), None);
        assert_eq!(parse_label("orders KPUs Average 3600"), None);
        assert_eq!(parse_label("orders KPUs Maximum"), None);
    }

    #[test]
    fn documents_split_by_whole_applications() {
        let apps: Vec<String> = (0..130).map(|i| format!("app-{i}")).collect();
        let docs = query_documents(&apps, 14, 1_760_486_400);
        assert_eq!(docs.len(), 3);
        let sizes: Vec<usize> = docs
            .iter()
            .map(|d| d["MetricDataQueries"].as_array().map_or(0, Vec::len))
            .collect();
        assert_eq!(sizes, [496, 496, 48]);
        assert_eq!(docs[0]["StartTime"], "2025-10-01T00:00:00Z");
        assert_eq!(docs[0]["EndTime"], "2025-10-15T00:00:00Z");
        assert_eq!(docs[0]["ScanBy"], "TimestampAscending");
    }
}

//! Evidence for the tests: CloudWatch's answer to a `kpulint evidence queries` document, as
//! `aws cloudwatch get-metric-data` prints it (the committed fixtures under
//! tests/fixtures/evidence/ are the exact CLI shapes; these are built per test).
#![allow(dead_code)]

use serde_json::{json, Value};

/// Seconds since the epoch of an ISO 8601 time as kpulint writes it (`2026-11-26T00:00:00Z`).
pub fn epoch(iso: &str) -> i64 {
    let (date, time) = iso.trim_end_matches('Z').split_once('T').expect("ISO time");
    let d: Vec<i64> = date.split('-').map(|p| p.parse().expect("date")).collect();
    let t: Vec<i64> = time.split(':').map(|p| p.parse().expect("time")).collect();
    let (y, m, day) = (d[0] - i64::from(d[1] <= 2), d[1], d[2]);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + day - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    days * 86_400 + t[0] * 3600 + t[1] * 60 + t[2]
}

/// `2026-11-26T00:00:00+00:00`, as CLI v2 prints a timestamp.
pub fn iso(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let s = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// What one query asks for.
pub struct Query<'a> {
    pub id: &'a str,
    pub label: &'a str,
    pub application: &'a str,
    pub metric: &'a str,
    pub period: i64,
}

/// Every query of a `--cli-input-json` document.
pub fn queries(doc: &Value) -> Vec<Query<'_>> {
    doc["MetricDataQueries"]
        .as_array()
        .expect("MetricDataQueries")
        .iter()
        .map(|q| Query {
            id: q["Id"].as_str().expect("Id"),
            label: q["Label"].as_str().expect("Label"),
            application: q["MetricStat"]["Metric"]["Dimensions"][0]["Value"]
                .as_str()
                .expect("Value"),
            metric: q["MetricStat"]["Metric"]["MetricName"].as_str().expect("MetricName"),
            period: q["MetricStat"]["Period"].as_i64().expect("Period"),
        })
        .collect()
}

/// CloudWatch's answer to `doc`: for every query one datapoint per period from StartTime to
/// EndTime, `value(application, metric, hour)` (`None`: no datapoint), ascending, CLI v2
/// timestamps.
pub fn answer(doc: &Value, value: impl Fn(&str, &str, usize) -> Option<f64>) -> Value {
    let start = epoch(doc["StartTime"].as_str().expect("StartTime"));
    let end = epoch(doc["EndTime"].as_str().expect("EndTime"));
    let results: Vec<Value> = queries(doc)
        .iter()
        .map(|q| {
            let (mut ts, mut vs) = (Vec::new(), Vec::new());
            let mut t = start;
            while t < end {
                if let Some(v) = value(q.application, q.metric, ((t - start) / 3600) as usize) {
                    ts.push(json!(iso(t)));
                    vs.push(json!(v));
                }
                t += q.period;
            }
            json!({"Id": q.id, "Label": q.label, "Timestamps": ts, "Values": vs, "StatusCode": "Complete"})
        })
        .collect();
    json!({"MetricDataResults": results, "Messages": []})
}

/// A steady application: `kpus` billed (orchestration included), CPU flat at `cpu` %, disk at
/// `disk` %, checkpoints of `checkpoint_gb`, no downtime or restart.
pub fn steady(kpus: f64, cpu: f64, disk: f64, checkpoint_gb: f64) -> impl Fn(&str, &str, usize) -> Option<f64> {
    move |_, metric, _| {
        Some(match metric {
            "KPUs" => kpus,
            "containerCPUUtilization" => cpu,
            "containerMemoryUtilization" => 40.0,
            "containerDiskUtilization" => disk,
            "lastCheckpointSize" => checkpoint_gb * 1e9,
            _ => 0.0,
        })
    }
}

/// A queries document of kpulint's convention for `apps`, written here (for tests that do not
/// run `kpulint evidence queries`): hourly over `days` days before `end`.
pub fn queries_doc(apps: &[&str], days: i64, end: i64) -> Value {
    const METRICS: [(&str, &str); 8] = [
        ("kpus", "KPUs"),
        ("cpu", "containerCPUUtilization"),
        ("mem", "containerMemoryUtilization"),
        ("disk", "containerDiskUtilization"),
        ("ckpt", "lastCheckpointSize"),
        ("downtime", "downtime"),
        ("restarts", "fullRestarts"),
        ("failedckpt", "numberOfFailedCheckpoints"),
    ];
    let mut qs = Vec::new();
    for app in apps {
        let escaped: String = app
            .chars()
            .map(|c| match c {
                '_' => "_u".to_string(),
                '-' => "_h".to_string(),
                '.' => "_d".to_string(),
                c => c.to_string(),
            })
            .collect();
        for (code, metric) in METRICS {
            qs.push(json!({
                "Id": format!("{code}_max_3600_{escaped}"),
                "MetricStat": {"Metric": {"Namespace": "AWS/KinesisAnalytics", "MetricName": metric,
                    "Dimensions": [{"Name": "Application", "Value": app}]}, "Period": 3600, "Stat": "Maximum"},
                "Label": format!("{app} {metric} Maximum 3600"),
                "ReturnData": true,
            }));
        }
    }
    json!({
        "MetricDataQueries": qs,
        "StartTime": iso(end - days * 86_400).replace("+00:00", "Z"),
        "EndTime": iso(end).replace("+00:00", "Z"),
        "ScanBy": "TimestampAscending",
    })
}

/// JSON as the AWS CLI prints it (indented).
pub fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("json");
    s.push('\n');
    s
}

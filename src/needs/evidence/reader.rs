//! Reads one evidence file as it streams past: `aws cloudwatch get-metric-data` output (one
//! page, or the pages the CLI's auto-pagination concatenated, or a JSON array of pages) and
//! `aws kinesisanalyticsv2 describe-application` output (one application, or a JSON array of
//! them). The file is never held in memory: each result's timestamps and values go straight
//! into its series, so memory grows with the datapoints kept, not with the bytes read.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::convention::{series_of, Metric};
use super::time::{self, EpochSeconds};

/// One datapoint: when, and the value.
pub type Point = (EpochSeconds, f64);

/// The results of one metric of one application in one file, pages merged.
#[derive(Debug, Clone, Default)]
pub struct FileSeries {
    pub period: u32,
    pub points: Vec<Point>,
    /// The `StatusCode` of each page's result, in file order.
    pub statuses: Vec<String>,
}

impl FileSeries {
    /// Adds a page's points, keeping them sorted with each timestamp once: memory grows with
    /// the distinct datapoints, not with the file (a page read twice adds nothing). `page` is
    /// sorted and emptied of repeated timestamps in place.
    fn add_page(&mut self, page: &mut Vec<Point>) {
        page.sort_by_key(|p| p.0);
        page.dedup_by_key(|p| p.0);
        let after_last = match (self.points.last(), page.first()) {
            (Some(last), Some(first)) => first.0 > last.0,
            _ => true,
        };
        if after_last {
            // Pages in order (ScanBy TimestampAscending, the CLI's auto-pagination).
            self.points.reserve_exact(page.len());
            self.points.extend_from_slice(page);
            return;
        }
        page.retain(|p| self.points.binary_search_by_key(&p.0, |q| q.0).is_err());
        if page.is_empty() {
            return;
        }
        let mut merged = Vec::with_capacity(self.points.len() + page.len());
        let (mut a, mut b) = (self.points.iter().peekable(), page.iter().peekable());
        while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
            if x.0 < y.0 {
                merged.push(**x);
                a.next();
            } else {
                merged.push(**y);
                b.next();
            }
        }
        merged.extend(a.copied());
        merged.extend(b.copied());
        self.points = merged;
    }
}

/// `ParallelismConfigurationDescription` of a running application.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunningParallelism {
    pub configuration_type: Option<String>,
    pub parallelism: Option<u64>,
    #[serde(rename = "ParallelismPerKPU")]
    pub parallelism_per_kpu: Option<u64>,
    pub current_parallelism: Option<u64>,
    pub auto_scaling_enabled: Option<bool>,
}

/// What kpulint reads of `describe-application`'s `ApplicationDetail`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Running {
    pub application_name: String,
    pub application_arn: Option<String>,
    pub status: Option<String>,
    pub runtime_environment: Option<String>,
    pub parallelism: Option<RunningParallelism>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApplicationDetail {
    application_name: Option<String>,
    #[serde(rename = "ApplicationARN")]
    application_arn: Option<String>,
    application_status: Option<String>,
    runtime_environment: Option<String>,
    application_configuration_description: Option<ConfigurationDescription>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ConfigurationDescription {
    flink_application_configuration_description: Option<FlinkDescription>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FlinkDescription {
    parallelism_configuration_description: Option<RunningParallelism>,
}

/// `{Code, Value}` of a `Messages` list.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Message {
    pub code: Option<String>,
    pub value: Option<String>,
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, &self.value) {
            (Some(c), Some(v)) => write!(f, "{c}: {v}"),
            (Some(s), None) | (None, Some(s)) => f.write_str(s),
            (None, None) => f.write_str("(empty message)"),
        }
    }
}

/// Everything one file holds.
#[derive(Debug, Default)]
pub struct FileEvidence {
    /// By application name, then metric.
    pub series: BTreeMap<String, BTreeMap<Metric, FileSeries>>,
    /// By application name.
    pub running: BTreeMap<String, Running>,
    /// Top-level `Messages` (about the whole call).
    pub messages: Vec<Message>,
    /// Per-result `Messages`, with the result's `Id`.
    pub result_messages: Vec<(String, Message)>,
    /// `Id`s of results that are not kpulint's convention (not mapped to any application).
    pub unmapped: Vec<String>,
    /// A `NextToken` is present: the export stopped before its last page.
    pub next_token: bool,
    /// The file holds `get-metric-data` output.
    pub metric_data: bool,
    /// The file holds `describe-application` output.
    pub describe: bool,
}

impl FileEvidence {
    /// Every application the file names, in order.
    pub fn applications(&self) -> impl Iterator<Item = &String> {
        let mut names: Vec<&String> = self.series.keys().chain(self.running.keys()).collect();
        names.sort();
        names.dedup();
        names.into_iter()
    }
}

/// Why a file could not be read as evidence.
#[derive(Debug)]
pub struct ReadError {
    pub message: String,
    /// 1-based line and column of a JSON error, when there is one.
    pub at: Option<(usize, usize)>,
    /// The applications the file named before the error (the error may hide their evidence).
    pub named: Vec<String>,
}

/// Reads `reader` (the whole file) as evidence.
pub fn read(reader: impl Read) -> Result<FileEvidence, ReadError> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut state = State::default();
    let parsed = Top {
        state: &mut state,
        depth: 0,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    let State { file, current, .. } = state;
    if let Err(e) = parsed {
        let mut named: Vec<String> = file.applications().cloned().collect();
        // The result being read when the error came names its application too.
        named.extend(current.filter(|c| !named.contains(c)));
        let at = (e.line() > 0).then(|| (e.line(), e.column()));
        let message = match e.classify() {
            serde_json::error::Category::Io => format!("cannot read: {e}"),
            serde_json::error::Category::Eof => "the JSON ends early (is the file truncated?)".to_string(),
            _ => strip_position(&e.to_string()),
        };
        return Err(ReadError { message, at, named });
    }
    if !file.metric_data && !file.describe {
        return Err(ReadError {
            message: "neither `aws cloudwatch get-metric-data` output (an object with `MetricDataResults`) nor `aws kinesisanalyticsv2 describe-application` output (an object with `ApplicationDetail`, or an array of them)".into(),
            at: None,
            named: Vec::new(),
        });
    }
    Ok(file)
}

/// serde_json appends ` at line L column C`; the location is reported on its own.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[derive(Default)]
struct State {
    file: FileEvidence,
    /// Reused for every result.
    timestamps: Vec<EpochSeconds>,
    values: Vec<f64>,
    page: Vec<Point>,
    /// The application of the result being read, once its `Id` or `Label` names one.
    current: Option<String>,
}

/// The keys an object has shown: a key written twice is an error (the AWS CLI never writes
/// one, and which of the two counts is not agreed among JSON readers).
#[derive(Default)]
struct Keys(Vec<String>);

impl Keys {
    fn check<E: de::Error>(&mut self, key: &str, what: &str) -> Result<(), E> {
        if self.0.iter().any(|k| k == key) {
            let shown: String = key.chars().take(40).collect();
            return Err(E::custom(format!(
                "\"{}\" appears twice in {what}",
                shown.escape_debug()
            )));
        }
        self.0.push(key.to_string());
        Ok(())
    }
}

/// The top-level value: a page or an `ApplicationDetail` object, or an array of them.
struct Top<'s> {
    state: &'s mut State,
    depth: u8,
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a get-metric-data or describe-application output object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.depth > 0 {
            return Err(de::Error::custom("expected an output object, found a nested array"));
        }
        while seq
            .next_element_seed(Top {
                state: &mut *self.state,
                depth: 1,
            })?
            .is_some()
        {}
        // `[]`: an array of no applications.
        self.state.file.describe = true;
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = Keys::default();
        while let Some(key) = map.next_key::<String>()? {
            seen.check::<A::Error>(&key, "the output object")?;
            match key.as_str() {
                "MetricDataResults" => {
                    self.state.file.metric_data = true;
                    map.next_value_seed(Results(&mut *self.state))?;
                }
                "Messages" => {
                    let messages: Option<Vec<Message>> = map.next_value()?;
                    self.state.file.messages.extend(messages.unwrap_or_default());
                }
                "NextToken" => {
                    let token: Option<String> = map.next_value()?;
                    self.state.file.next_token |= token.is_some_and(|t| !t.is_empty());
                }
                "ApplicationDetail" => {
                    let detail: ApplicationDetail = map.next_value()?;
                    let name = detail
                        .application_name
                        .filter(|n| !n.is_empty())
                        .ok_or_else(|| de::Error::custom("ApplicationDetail has no ApplicationName"))?;
                    self.state.file.describe = true;
                    let parallelism = detail
                        .application_configuration_description
                        .and_then(|c| c.flink_application_configuration_description)
                        .and_then(|f| f.parallelism_configuration_description);
                    self.state.file.running.insert(
                        name.clone(),
                        Running {
                            application_name: name,
                            application_arn: detail.application_arn,
                            status: detail.application_status,
                            runtime_environment: detail.runtime_environment,
                            parallelism,
                        },
                    );
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `MetricDataResults`: each result streamed into its series.
struct Results<'s>(&'s mut State);

impl<'de> DeserializeSeed<'de> for Results<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Results<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of MetricDataResult objects")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(OneResult(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

/// One `MetricDataResult`: `{Id, Label, Timestamps, Values, StatusCode, Messages}` in any order.
struct OneResult<'s>(&'s mut State);

impl<'de> DeserializeSeed<'de> for OneResult<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for OneResult<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a MetricDataResult object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.0;
        state.timestamps.clear();
        state.values.clear();
        state.current = None;
        let (mut id, mut label, mut status) = (None::<String>, None::<String>, None::<String>);
        let mut messages: Vec<Message> = Vec::new();
        let mut seen = Keys::default();
        while let Some(key) = map.next_key::<String>()? {
            seen.check::<A::Error>(&key, "a MetricDataResult")?;
            match key.as_str() {
                "Id" => {
                    let read: String = map.next_value()?;
                    state.current = series_of(&read, None).map(|s| s.application).or(state.current.take());
                    id = Some(read);
                }
                "Label" => {
                    label = map.next_value()?;
                    if let Some(s) = label.as_deref().and_then(|l| series_of("", Some(l))) {
                        state.current = Some(s.application);
                    }
                }
                "StatusCode" => status = map.next_value()?,
                "Timestamps" => map.next_value_seed(Timestamps(&mut state.timestamps))?,
                "Values" => map.next_value_seed(Values(&mut state.values))?,
                "Messages" => messages = map.next_value::<Option<Vec<Message>>>()?.unwrap_or_default(),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let id = id.ok_or_else(|| de::Error::custom("a MetricDataResult has no Id"))?;
        if state.timestamps.len() != state.values.len() {
            return Err(de::Error::custom(format!(
                "result {id} has {} Timestamps but {} Values (each timestamp needs its value)",
                state.timestamps.len(),
                state.values.len()
            )));
        }
        let file = &mut state.file;
        file.result_messages
            .extend(messages.into_iter().map(|m| (id.clone(), m)));
        let Some(series) = series_of(&id, label.as_deref()) else {
            file.unmapped.push(id);
            return Ok(());
        };
        let entry = file
            .series
            .entry(series.application)
            .or_default()
            .entry(series.metric)
            .or_default();
        entry.period = entry.period.max(series.period);
        state.page.clear();
        state
            .page
            .extend(state.timestamps.iter().copied().zip(state.values.iter().copied()));
        entry.add_page(&mut state.page);
        entry.statuses.push(status.unwrap_or_else(|| "(none)".into()));
        Ok(())
    }
}

/// `Timestamps`: ISO 8601 strings or epoch-second numbers, straight into the buffer.
struct Timestamps<'s>(&'s mut Vec<EpochSeconds>);

impl<'de> DeserializeSeed<'de> for Timestamps<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Timestamps<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of timestamps")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(t) = seq.next_element_seed(Timestamp)? {
            self.0.push(t);
        }
        Ok(())
    }
}

struct Timestamp;

impl<'de> DeserializeSeed<'de> for Timestamp {
    type Value = EpochSeconds;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<EpochSeconds, D::Error> {
        d.deserialize_any(self)
    }
}

impl Visitor<'_> for Timestamp {
    type Value = EpochSeconds;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an ISO 8601 timestamp or epoch seconds")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<EpochSeconds, E> {
        time::parse_iso(s).ok_or_else(|| {
            let shown: String = s.chars().take(40).collect();
            E::custom(format!(
                "timestamp \"{}\" is not ISO 8601 (2024-09-29T22:10:00+00:00) or epoch seconds",
                shown.escape_debug()
            ))
        })
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<EpochSeconds, E> {
        time::from_number(n).ok_or_else(|| E::custom(format!("timestamp {n} is not epoch seconds")))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<EpochSeconds, E> {
        self.visit_f64(n as f64)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<EpochSeconds, E> {
        self.visit_f64(n as f64)
    }
}

/// `Values`: numbers, straight into the buffer.
struct Values<'s>(&'s mut Vec<f64>);

impl<'de> DeserializeSeed<'de> for Values<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Values<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of numbers")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<f64>()? {
            self.0.push(v);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(json: &str) -> FileEvidence {
        match read(json.as_bytes()) {
            Ok(f) => f,
            Err(e) => panic!("{}", e.message),
        }
    }

    fn err(json: &str) -> ReadError {
        match read(json.as_bytes()) {
            Ok(_) => panic!("read {json}"),
            Err(e) => e,
        }
    }

    #[test]
    fn pages_merge_by_id_in_any_key_order() {
        let f = ok(r#"{"MetricDataResults": [
            {"Id": "kpus_max_3600_orders", "Label": "orders KPUs Maximum 3600",
             "Timestamps": ["2026-10-14T23:00:00+00:00", "2026-10-14T22:00:00+00:00"], "Values": [5.0, 5.0],
             "StatusCode": "PartialData"},
            {"StatusCode": "Complete", "Values": [4], "Timestamps": [1760472000.0], "Id": "kpus_max_3600_orders"},
            {"Id": "m1", "Timestamps": [], "Values": [], "StatusCode": "Complete"}
          ], "Messages": [{"Code": "MaxMetricsExceeded", "Value": "Maximum number of allowed metrics exceeded"}],
          "NextToken": "abc"}"#);
        let s = &f.series["orders"][&Metric::Kpus];
        assert_eq!(s.period, 3600);
        assert_eq!(s.points.len(), 3);
        assert_eq!(s.statuses, ["PartialData", "Complete"]);
        assert_eq!(f.unmapped, ["m1"]);
        assert!(f.next_token && f.metric_data && !f.describe);
        assert_eq!(
            f.messages[0].to_string(),
            "MaxMetricsExceeded: Maximum number of allowed metrics exceeded"
        );
    }

    #[test]
    fn describe_application_one_or_many() {
        let one = ok(
            r#"{"ApplicationDetail": {"ApplicationName": "orders", "ApplicationVersionId": 7,
            "CreateTimestamp": 1767607200.0,
            "ApplicationConfigurationDescription": {"FlinkApplicationConfigurationDescription": {
              "ParallelismConfigurationDescription": {"ConfigurationType": "CUSTOM", "Parallelism": 4,
                "ParallelismPerKPU": 1, "CurrentParallelism": 8, "AutoScalingEnabled": true}}}}}"#,
        );
        let p = one.running["orders"].parallelism.clone().unwrap_or_default();
        assert_eq!(
            (p.parallelism, p.current_parallelism, p.parallelism_per_kpu),
            (Some(4), Some(8), Some(1))
        );
        let many =
            ok(r#"[{"ApplicationDetail": {"ApplicationName": "a"}}, {"ApplicationDetail": {"ApplicationName": "b"}}]"#);
        assert_eq!(many.applications().collect::<Vec<_>>(), ["a", "b"]);
        assert!(ok("[]").running.is_empty());
    }

    #[test]
    fn other_shapes_and_broken_json_are_errors_with_a_place() {
        assert!(err(r#"{"format_version": "1.2"}"#).message.contains("neither"));
        assert!(err("[[]]").message.contains("nested array"));
        let e = err("{\n \"MetricDataResults\": [{\"Id\": \"kpus_max_3600_a\", \"Timestamps\": [\"yesterday\"], \"Values\": [1]}]}");
        assert!(e.message.contains("\"yesterday\" is not ISO 8601"), "{}", e.message);
        assert_eq!(e.at.map(|a| a.0), Some(2));
        let e = err(r#"{"MetricDataResults": [{"Id": "kpus_max_3600_a", "Timestamps": [1760472000], "Values": []}]}"#);
        assert!(e.message.contains("1 Timestamps but 0 Values"), "{}", e.message);
        let e = err(
            r#"{"MetricDataResults": [{"Id": "kpus_max_3600_a", "Timestamps": [1760472000], "Values": [1]}, {"Id": "#,
        );
        assert!(e.message.contains("ends early"), "{}", e.message);
        assert_eq!(e.named, ["a"]);
        assert!(err(r#"{"ApplicationDetail": {"ApplicationStatus": "RUNNING"}}"#)
            .message
            .contains("no ApplicationName"));
        assert!(err(r#"{"MetricDataResults": []} trailing"#).at.is_some());
        assert!(err("").message.contains("ends early"));
        let e = err(
            r#"{"MetricDataResults": [{"Id": "kpus_max_3600_a", "Timestamps": [1760472000], "Values": [1], "Values": [2]}]}"#,
        );
        assert!(
            e.message.contains("\"Values\" appears twice in a MetricDataResult"),
            "{}",
            e.message
        );
        assert!(err(r#"{"MetricDataResults": [], "MetricDataResults": []}"#)
            .message
            .contains("appears twice"));
        assert!(
            err(r#"{"ApplicationDetail": {"ApplicationName": "a", "ApplicationName": "b"}}"#)
                .message
                .contains("duplicate field")
        );
    }
}

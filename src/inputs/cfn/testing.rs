//! Helpers for this module's unit tests: templates parsed from text, and settings unpacked.

use super::{parse_json, parse_yaml, Parameters};
use crate::model::{Application, Inventory, Setting, Unresolved};
use crate::source::{SourceFile, Span};

pub(super) fn params(p: &[(&str, &str)]) -> Parameters {
    p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

pub(super) fn yaml_with(src: &str, p: &[(&str, &str)]) -> Inventory {
    parse_yaml(&SourceFile::new("t.yaml", src), &params(p))
}

pub(super) fn yaml(src: &str) -> Inventory {
    yaml_with(src, &[])
}

pub(super) fn json(src: &str) -> Inventory {
    parse_json(&SourceFile::new("t.json", src), &Parameters::new())
}

/// The only application, with no errors.
pub(super) fn app(inv: &Inventory) -> &Application {
    assert!(inv.errors.is_empty(), "unexpected errors: {:?}", inv.errors);
    assert_eq!(inv.applications.len(), 1, "{:?}", inv.applications);
    &inv.applications[0]
}

pub(super) fn at(span: &Span) -> (usize, usize) {
    span.file.line_col(span.start)
}

pub(super) fn known<T: Clone + std::fmt::Debug>(s: &Setting<T>) -> T {
    match s {
        Setting::Known { value, .. } => value.clone(),
        other => panic!("expected a known value, found {other:?}"),
    }
}

pub(super) fn unknown<T: std::fmt::Debug>(s: &Setting<T>) -> Unresolved {
    match s {
        Setting::Unknown { reason, .. } => reason.clone(),
        other => panic!("expected an unknown value, found {other:?}"),
    }
}

pub(super) fn invalid<T: std::fmt::Debug>(s: &Setting<T>) -> (Span, String) {
    match s {
        Setting::Invalid { span, message } => (span.clone(), message.clone()),
        other => panic!("expected an invalid value, found {other:?}"),
    }
}

/// A YAML template whose application has `parallelism` as its Parallelism, after `head`.
pub(super) fn with_parallelism(head: &str, parallelism: &str) -> String {
    format!(
        "{head}
Resources:
  App:
    Type: AWS::KinesisAnalyticsV2::Application
    Properties:
      RuntimeEnvironment: FLINK-1_20
      ApplicationConfiguration:
        FlinkApplicationConfiguration:
          ParallelismConfiguration:
            ConfigurationType: CUSTOM
            Parallelism: {parallelism}
  Bucket:
    Type: AWS::S3::Bucket
"
    )
}

pub(super) fn parallelism(head: &str, value: &str, p: &[(&str, &str)]) -> Setting<f64> {
    let inv = yaml_with(&with_parallelism(head, value), p);
    app(&inv).parallelism.parallelism.clone()
}

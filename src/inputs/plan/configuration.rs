//! One place in a planned resource seen three ways (planned value, `after_unknown` markers, the
//! configuration's `expressions`), which tells a block the configuration omits (service defaults)
//! from one written but computed (unknown until apply).

use jsonc_parser::ast::{Object, ObjectProp, Value};
use jsonc_parser::common::Ranged;

use super::resources::Plan;
use super::{describe, first_object, is_true};
use crate::model::{Setting, Unresolved};
use crate::source::Span;

/// Why a value is unknown in the plan. `configured` is false when the plan's `configuration`
/// section does not show the resource, so "omitted" cannot be told from "computed".
pub(super) fn after_apply(name: &str, configured: bool) -> Unresolved {
    Unresolved {
        what: format!("{name} is known only after apply"),
        hint: if configured {
            "Terraform computes it from a value it knows only after apply (such as another resource's attribute); set it from a constant or a variable so the plan shows it".into()
        } else {
            "the plan's configuration section does not show this resource, so an omitted block (service defaults) cannot be told from a computed one; lint the plan exactly as `terraform show -json` writes it".into()
        },
    }
}

/// One place in a resource seen three ways: the planned value, the `after_unknown` markers and
/// the configuration's `expressions`.
#[derive(Clone, Copy)]
pub(super) struct Cursor<'b, 'a> {
    pub(super) value: Option<&'b Object<'a>>,
    pub(super) unknown: Option<&'b Object<'a>>,
    pub(super) config: Option<&'b Object<'a>>,
    /// The configuration section shows this resource: a name missing from `config` was not
    /// written (directly; `dynamic` blocks are not shown, see [`map_to_source`](super::map_to_source)).
    pub(super) configured: bool,
}

/// A list-nested block with at most one item.
pub(super) enum Block<'b, 'a> {
    Present(Cursor<'b, 'a>, Span),
    Absent,
    Unknown(Span, Unresolved),
}

impl<'b, 'a> Cursor<'b, 'a> {
    pub(super) fn written(&self, name: &str) -> bool {
        // `name = null` is written as `{"constant_value": null}`: Terraform treats it as omitted.
        let null = |p: &ObjectProp| {
            p.value
                .as_object()
                .and_then(|o| o.get("constant_value"))
                .is_some_and(|c| matches!(c.value, Value::NullKeyword(_)))
        };
        !self.configured || self.config.and_then(|c| c.get(name)).is_some_and(|p| !null(p))
    }

    /// The `after_unknown` marker for `name` when it is `true`.
    pub(super) fn unknown_marker(&self, name: &str) -> Option<&'b ObjectProp<'a>> {
        self.unknown.and_then(|u| u.get(name)).filter(|p| is_true(&p.value))
    }

    pub(super) fn block(&self, plan: &Plan, name: &str) -> Block<'b, 'a> {
        if let Some(prop) = self.value.and_then(|v| v.get(name)) {
            if let Some(first) = first_object(&prop.value) {
                let unknown = self
                    .unknown
                    .and_then(|u| u.get(name))
                    .and_then(|p| first_object(&p.value));
                let config = self
                    .config
                    .and_then(|c| c.get(name))
                    .and_then(|p| first_object(&p.value));
                let cursor = Cursor {
                    value: Some(first),
                    unknown,
                    config,
                    configured: self.configured,
                };
                return Block::Present(cursor, plan.span(prop.range()));
            }
        }
        match self.unknown_marker(name) {
            Some(marker) if self.written(name) => {
                Block::Unknown(plan.span(marker.range()), after_apply(name, self.configured))
            }
            _ => Block::Absent,
        }
    }

    pub(super) fn setting<T>(
        &self,
        plan: &Plan,
        name: &str,
        convert: fn(&Value) -> Option<T>,
        expected: &str,
    ) -> Setting<T> {
        if let Some(prop) = self.value.and_then(|v| v.get(name)) {
            if !matches!(prop.value, Value::NullKeyword(_)) {
                let span = plan.span(prop.value.range());
                return match convert(&prop.value) {
                    Some(v) => Setting::known(v, span),
                    None => Setting::Invalid {
                        span,
                        message: format!("expected {expected}, found {}", describe(&prop.value)),
                    },
                };
            }
        }
        match self.unknown_marker(name) {
            Some(marker) if self.written(name) => Setting::Unknown {
                span: plan.span(marker.range()),
                reason: after_apply(name, self.configured),
            },
            _ => Setting::Absent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn after_unknown_becomes_unknown() {
        let values = r#"{"application_configuration":[{"flink_application_configuration":[{"parallelism_configuration":[{"auto_scaling_enabled":false,"configuration_type":"CUSTOM","parallelism_per_kpu":1}]}]}],"runtime_environment":"FLINK-1_20"}"#;
        let unknown = r#"{"application_configuration":[{"application_snapshot_configuration":true,"flink_application_configuration":[{"parallelism_configuration":[{"parallelism":true}]}]}],"arn":true}"#;
        let exprs = r#"{"application_configuration":[{"flink_application_configuration":[{"parallelism_configuration":[{"configuration_type":{"constant_value":"CUSTOM"},"parallelism":{"references":["aws_iam_role.flink.unique_id","aws_iam_role.flink"]},"parallelism_per_kpu":{"constant_value":1},"auto_scaling_enabled":{"constant_value":false}}]}]}]}"#;
        let inv = plan(&doc(
            &[("aws_kinesisanalyticsv2_application.late", values, unknown, Some(exprs))],
            r#"{"constant_value":"us-east-1"}"#,
        ));
        let app = &inv.applications[0];
        match &app.parallelism.parallelism {
            Setting::Unknown { span, reason } => {
                assert_eq!(reason.what, "parallelism is known only after apply");
                assert_eq!(span.text(), "\"parallelism\":true");
            }
            other => panic!("expected Unknown, got {other:?}"),
        }
        assert_eq!(app.parallelism.parallelism_per_kpu.value(), Some(&1.0));
        // The snapshot block is computed but not written: omitted, not unknown.
        assert!(matches!(app.snapshots_enabled, Setting::Absent));

        // A deposed object with the same address does not hide the current one's markers.
        let text = doc(
            &[("aws_kinesisanalyticsv2_application.late", values, unknown, Some(exprs))],
            r#"{"constant_value":"us-east-1"}"#,
        )
        .replacen(
            r#""resource_changes":[{"#,
            r#""resource_changes":[{"address":"aws_kinesisanalyticsv2_application.late","deposed":"00000001","change":{"actions":["delete"],"after":null,"after_unknown":{}}},{"#,
            1,
        );
        let inv = plan(&text);
        assert!(matches!(
            inv.applications[0].parallelism.parallelism,
            Setting::Unknown { .. }
        ));
    }

    #[test]
    fn omitted_block_means_service_defaults() {
        let inv = plan(INFRACOST_FLINK);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        let app = &inv.applications[0];
        assert!(app.parallelism.block.is_none());
        assert!(matches!(app.parallelism.configuration_type, Setting::Absent));
        assert!(matches!(app.parallelism.parallelism, Setting::Absent));
        assert!(app.tags.is_empty(), "tags null, tags_all unknown");
        assert_eq!(app.region.value().map(String::as_str), Some("eu-west-2"));
        assert_eq!(app.runtime_environment.value().map(String::as_str), Some("FLINK-1_8"));
    }

    #[test]
    fn written_but_computed_block_is_unknown() {
        // The same plan, but the configuration says application_configuration was written.
        let text = INFRACOST_FLINK.replace(
            r#""expressions":{"name":{"constant_value":"example-flink-application"}"#,
            r#""expressions":{"application_configuration":[{}],"name":{"constant_value":"example-flink-application"}"#,
        );
        let app = &plan(&text).applications[0];
        match &app.parallelism.configuration_type {
            Setting::Unknown { span, reason } => {
                assert_eq!(span.text(), "\"application_configuration\":true");
                assert_eq!(reason.what, "application_configuration is known only after apply");
            }
            other => panic!("expected Unknown, got {other:?}"),
        }
        assert!(app.parallelism.block.is_some());
        // Without a configuration section, omitted cannot be told from computed: not guessed.
        let start = text.find(r#","configuration":"#).unwrap();
        let end = text.find(r#","timestamp""#).unwrap();
        let bare = format!("{}{}", &text[..start], &text[end..]);
        let app = &plan(&bare).applications[0];
        assert!(matches!(app.parallelism.configuration_type, Setting::Unknown { .. }));
    }
}

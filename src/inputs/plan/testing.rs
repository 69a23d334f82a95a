//! Helpers for this module's unit tests: plans parsed from text, and plan documents built from
//! resources.

use super::parse;
use super::resources::Address;
use crate::model::{InputError, Inventory};
use crate::source::SourceFile;

pub(super) fn plan(text: &str) -> Inventory {
    parse(&SourceFile::new("plan.json", text.to_string()))
}

pub(super) fn only_error(inv: &Inventory) -> &InputError {
    assert_eq!(
        inv.errors.len(),
        1,
        "{:?}",
        inv.errors.iter().map(|e| &e.message).collect::<Vec<_>>()
    );
    &inv.errors[0]
}

/// A plan with one resource per `(address, values, after_unknown, expressions)`, where the
/// address decides the module nesting (`module.m["k"]` prefixes).
pub(super) fn doc(resources: &[(&str, &str, &str, Option<&str>)], provider_region: &str) -> String {
    let mut planned = Vec::new();
    let mut changes = Vec::new();
    let mut config = Vec::new();
    for (addr, values, unknown, expressions) in resources {
        let a = Address::parse(addr).unwrap();
        planned.push(format!(
            r#"{{"address":"{}","mode":"managed","type":"{}","name":"{}","values":{values}}}"#,
            addr.replace('"', "\\\""),
            a.rtype,
            a.name
        ));
        changes.push(format!(
            r#"{{"address":"{}","type":"{}","change":{{"actions":["create"],"after":{values},"after_unknown":{unknown}}}}}"#,
            addr.replace('"', "\\\""),
            a.rtype
        ));
        if let Some(e) = expressions {
            config.push(format!(
                r#"{{"address":"{}.{}","mode":"managed","type":"{}","name":"{}","provider_config_key":"aws","expressions":{e}}}"#,
                a.rtype, a.name, a.rtype, a.name
            ));
        }
    }
    format!(
        r#"{{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{{"root_module":{{"resources":[{}]}}}},"resource_changes":[{}],"configuration":{{"provider_config":{{"aws":{{"name":"aws","expressions":{{"region":{provider_region}}}}}}},"root_module":{{"resources":[{}]}}}}}}"#,
        planned.join(","),
        changes.join(","),
        config.join(",")
    )
}

pub(super) const CUSTOM_12: &str = r#"{"application_configuration":[{"application_snapshot_configuration":[{"snapshots_enabled":true}],"flink_application_configuration":[{"parallelism_configuration":[{"auto_scaling_enabled":false,"configuration_type":"CUSTOM","parallelism":12,"parallelism_per_kpu":1}]}]}],"name":"orders-join","runtime_environment":"FLINK-1_20","tags":{"team":"orders","kpulint:state_size":"240GB","kpulint:ignore":"KPU004 reason=cutover until=2027-01-31"},"tags_all":{"team":"x"}}"#;
pub(super) const CUSTOM_12_EXPR: &str = r#"{"application_configuration":[{"application_snapshot_configuration":[{"snapshots_enabled":{"constant_value":true}}],"flink_application_configuration":[{"parallelism_configuration":[{"auto_scaling_enabled":{"constant_value":false},"configuration_type":{"constant_value":"CUSTOM"},"parallelism":{"constant_value":12},"parallelism_per_kpu":{"constant_value":1}}]}]}],"name":{"constant_value":"orders-join"},"runtime_environment":{"constant_value":"FLINK-1_20"}}"#;

/// Trimmed from the infracost plan in the corpus: `application_configuration` omitted.
pub(super) const INFRACOST_FLINK: &str = r#"{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{"root_module":{"resources":[{"address":"aws_kinesisanalyticsv2_application.flink","mode":"managed","type":"aws_kinesisanalyticsv2_application","name":"flink","provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":{"cloudwatch_logging_options":[],"description":null,"force_stop":null,"name":"example-flink-application","runtime_environment":"FLINK-1_8","start_application":null,"tags":null,"timeouts":null},"sensitive_values":{"application_configuration":[],"cloudwatch_logging_options":[],"tags_all":{}}}]}},"resource_changes":[{"address":"aws_kinesisanalyticsv2_application.flink","mode":"managed","type":"aws_kinesisanalyticsv2_application","name":"flink","provider_name":"registry.terraform.io/hashicorp/aws","change":{"actions":["create"],"before":null,"after":{"cloudwatch_logging_options":[],"description":null,"force_stop":null,"name":"example-flink-application","runtime_environment":"FLINK-1_8","start_application":null,"tags":null,"timeouts":null},"after_unknown":{"application_configuration":true,"application_mode":true,"arn":true,"cloudwatch_logging_options":[],"create_timestamp":true,"id":true,"last_update_timestamp":true,"service_execution_role":true,"status":true,"tags_all":true,"version_id":true},"before_sensitive":false,"after_sensitive":{"application_configuration":[],"cloudwatch_logging_options":[],"tags_all":{}}}}],"configuration":{"provider_config":{"aws":{"name":"aws","full_name":"registry.terraform.io/hashicorp/aws","expressions":{"access_key":{"constant_value":"mock_access_key"},"region":{"constant_value":"eu-west-2"}}}},"root_module":{"resources":[{"address":"aws_kinesisanalyticsv2_application.flink","mode":"managed","type":"aws_kinesisanalyticsv2_application","name":"flink","provider_config_key":"aws","expressions":{"name":{"constant_value":"example-flink-application"},"runtime_environment":{"constant_value":"FLINK-1_8"},"service_execution_role":{"references":["aws_iam_role.example.arn","aws_iam_role.example"]}},"schema_version":0}]}},"timestamp":"2026-11-26T11:25:40Z","applyable":true,"complete":true,"errored":false}"#;

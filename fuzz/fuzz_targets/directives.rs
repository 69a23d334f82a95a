//! `kpulint:` and `kpulint-ignore:` directives and suppressions: each input line becomes a
//! comment above the application and inside it, the first line also a `kpulint:ignore` tag,
//! in HCL, `.tf.json` and CloudFormation YAML and JSON (`Metadata`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let comments: String = text.lines().map(|l| format!("# {l}\n")).collect();
    let first = text.lines().next().unwrap_or("");
    let hcl_string = serde_json::to_string(first).unwrap_or_default();
    let app = kpulint_fuzz::APP.replace(
        "resource \"aws_kinesisanalyticsv2_application\" \"fuzz\" {\n",
        &format!(
            "{comments}resource \"aws_kinesisanalyticsv2_application\" \"fuzz\" {{\n{comments}  tags = {{ \"kpulint:ignore\" = {hcl_string}, \"kpulint:state_size\" = {hcl_string} }}\n"
        ),
    );
    let json_string = hcl_string.clone();
    let tf_json = format!(
        r#"{{"resource": {{"aws_kinesisanalyticsv2_application": {{"j": {{"name": "j", "runtime_environment": "FLINK-1_20", "service_execution_role": "r", "tags": {{"kpulint:ignore": {json_string}}}, "application_configuration": [{{"flink_application_configuration": [{{"parallelism_configuration": [{{"configuration_type": "CUSTOM", "parallelism": 3, "parallelism_per_kpu": 1, "auto_scaling_enabled": false}}]}}]}}]}}}}}}}}"#
    );
    let yaml = format!(
        "Resources:\n  App:\n    Type: AWS::KinesisAnalyticsV2::Application\n{}    Metadata:\n      kpulint:\n        ignore: [{json_string}]\n        state_size: {json_string}\n    Properties:\n      RuntimeEnvironment: FLINK-1_20\n      ServiceExecutionRole: r\n      ApplicationConfiguration:\n        FlinkApplicationConfiguration:\n          ParallelismConfiguration:\n            ConfigurationType: CUSTOM\n            Parallelism: 3\n            ParallelismPerKPU: 1\n            AutoScalingEnabled: false\n",
        text.lines().map(|l| format!("    # {l}\n")).collect::<String>()
    );
    let cfn_json = format!(
        r#"{{"Resources": {{"App": {{"Type": "AWS::KinesisAnalyticsV2::Application", "Metadata": {{"kpulint": {{"ignore": [{json_string}]}}}}, "Properties": {{"RuntimeEnvironment": "FLINK-1_20", "ServiceExecutionRole": "r", "ApplicationConfiguration": {{"FlinkApplicationConfiguration": {{"ParallelismConfiguration": {{"ConfigurationType": "CUSTOM", "Parallelism": 3, "ParallelismPerKPU": 1, "AutoScalingEnabled": false}}}}}}}}}}}}}}"#
    );
    let dir = kpulint_fuzz::scratch();
    kpulint_fuzz::write(
        &dir,
        &[
            ("hcl/main.tf", app.as_bytes()),
            ("json/main.tf.json", tf_json.as_bytes()),
            ("cfn/template.yaml", yaml.as_bytes()),
            ("cfn/template.json", cfn_json.as_bytes()),
        ],
    );
    kpulint_fuzz::pipeline(&dir, Default::default());
});

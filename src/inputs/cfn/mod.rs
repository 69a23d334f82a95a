//! CloudFormation templates (JSON and YAML, CDK output included).
//!
//! Both syntaxes are first lowered into one small document tree (`Node`) whose every node
//! keeps its byte range in the file; YAML short-form tags (`!Ref X`, `!If [...]`) become the
//! long form (`{"Ref": "X"}`, `{"Fn::If": [...]}`) on the way. The template is then read from
//! that tree: one [`Application`](crate::model::Application) per `AWS::KinesisAnalyticsV2::Application` resource, with the
//! intrinsic functions in its properties evaluated by `intrinsics` (CloudFormation's "eval").

mod document;
mod intrinsics;
mod metadata;
mod resources;
#[cfg(test)]
mod testing;
mod yaml;

use std::sync::Arc;

use super::Parameters;
use crate::model::{InputError, InputFormat, Inventory};
use crate::source::SourceFile;
use document::{load_json, Entry, Kind, Node};
use resources::read_template;
use yaml::load_yaml_documents;

pub const FLINK_TYPE: &str = "AWS::KinesisAnalyticsV2::Application";

/// Is this text a CloudFormation template at all (with or without a Flink application)?
pub fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion") || text.contains("Resources")
}

/// Reads a JSON template (`*.template.json` from `cdk synth` included).
pub fn parse_json(file: &Arc<SourceFile>, params: &Parameters) -> Inventory {
    match load_json(file) {
        Ok(root) => read_template(file, &root, InputFormat::CloudformationJson, params),
        Err(e) => error_inventory(e),
    }
}

/// Reads a YAML template. A file that is strict JSON (a `.template` file written by a JSON
/// generator) is read as JSON.
pub fn parse_yaml(file: &Arc<SourceFile>, params: &Parameters) -> Inventory {
    if file.text.trim_start().starts_with('{') {
        if let Ok(root) = load_json(file) {
            return read_template(file, &root, InputFormat::CloudformationJson, params);
        }
    }
    // Every document is read: an application in the second one is linted too.
    match load_yaml_documents(file) {
        Ok(documents) => {
            let mut inv = Inventory::default();
            for root in &documents {
                inv.extend(read_template(file, root, InputFormat::CloudformationYaml, params));
            }
            inv
        }
        Err(e) => error_inventory(e),
    }
}

fn error_inventory(e: InputError) -> Inventory {
    let mut inv = Inventory::default();
    inv.errors.push(e);
    inv
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use crate::model::Setting;

    const PARAM: &str = "Parameters:\n  Par:\n    Type: Number\n    Default: 8\n  NoDefault:\n    Type: String\n";

    #[test]
    fn ref_to_parameter_uses_its_default() {
        let s = parallelism(PARAM, "!Ref Par", &[]);
        assert_eq!(known(&s), 8.0);
        let origin = s.origin().expect("origin");
        assert_eq!(origin.label, "parameter Par default");
        assert_eq!(origin.span.text(), "8");
        assert_eq!(at(&origin.span), (4, 14));
        assert_eq!(s.span().unwrap().text(), "!Ref Par");
    }

    #[test]
    fn parameter_value_overrides_the_default() {
        let s = parallelism(PARAM, "!Ref Par", &[("Par", "16")]);
        assert_eq!(known(&s), 16.0);
        let origin = s.origin().expect("origin");
        assert_eq!(origin.label, "value from --parameter Par");
        assert_eq!(origin.span.text(), "16");
        assert_eq!(origin.span.path(), "--parameter Par");
    }

    #[test]
    fn parameter_without_default_or_value_is_unknown() {
        let s = parallelism(PARAM, "!Ref NoDefault", &[]);
        let u = unknown(&s);
        assert_eq!(u.what, "parameter NoDefault has no Default and no value was given");
        assert_eq!(u.hint, "pass --parameter NoDefault=VALUE");
        assert_eq!(s.span().unwrap().text(), "!Ref NoDefault");
        assert_eq!(known(&parallelism(PARAM, "!Ref NoDefault", &[("NoDefault", "3")])), 3.0);
    }

    #[test]
    fn pseudo_parameters_and_resources_are_unknown_undeclared_refs_invalid() {
        let u = unknown(&parallelism("", "!Ref AWS::AccountId", &[]));
        assert!(u.what.contains("AWS::AccountId"), "{}", u.what);
        assert_eq!(u.hint, "pass --parameter AWS::AccountId=VALUE");
        assert!(unknown(&parallelism("", "!Ref Bucket", &[]))
            .what
            .contains("resource Bucket"));
        let (span, message) = invalid(&parallelism("", "!Ref Nope", &[]));
        assert!(message.contains("\"Nope\""), "{message}");
        assert_eq!(span.text(), "Nope");
        assert_eq!(
            known(&parallelism("", "!Ref AWS::Region", &[("AWS::Region", "7")])),
            7.0
        );
    }

    const CONDITIONS: &str = "Parameters:
  Env:
    Type: String
    Default: dev
  Region:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsBig: !Or [!Condition IsProd, !Equals [staging, !Ref Env]]
  NotBig: !Not [!Condition IsBig]
  Both: !And [!Condition NotBig, Fn::Equals: [!Ref Env, dev]]
  InEu: !Equals [!Ref Region, eu-west-1]
  Loop: !Not [!Condition Loop2]
  Loop2: !Not [!Condition Loop]";

    #[test]
    fn fn_if_follows_conditions() {
        assert_eq!(known(&parallelism(CONDITIONS, "!If [IsProd, 12, 2]", &[])), 2.0);
        assert_eq!(
            known(&parallelism(CONDITIONS, "!If [IsProd, 12, 2]", &[("Env", "prod")])),
            12.0
        );
        assert_eq!(
            known(&parallelism(CONDITIONS, "!If [IsBig, 12, 2]", &[("Env", "staging")])),
            12.0
        );
        assert_eq!(known(&parallelism(CONDITIONS, "!If [NotBig, 12, 2]", &[])), 12.0);
        assert_eq!(known(&parallelism(CONDITIONS, "!If [Both, 5, 2]", &[])), 5.0);
        // The long form, in YAML.
        assert_eq!(
            known(&parallelism(CONDITIONS, "{\"Fn::If\": [IsProd, 12, 3]}", &[])),
            3.0
        );
        let u = unknown(&parallelism(CONDITIONS, "!If [InEu, 12, 2]", &[]));
        assert!(u.what.contains("condition InEu"), "{}", u.what);
        assert_eq!(u.hint, "pass --parameter Region=VALUE");
        let (_, message) = invalid(&parallelism(CONDITIONS, "!If [Loop, 12, 2]", &[]));
        assert!(message.contains("refers to itself"), "{message}");
        let (_, message) = invalid(&parallelism(CONDITIONS, "!If [Missing, 12, 2]", &[]));
        assert!(message.contains("\"Missing\" is not declared"), "{message}");
    }

    #[test]
    fn fn_if_carries_the_origin_of_the_branch() {
        let s = parallelism(
            &format!("{PARAM}Conditions:\n  C: !Equals [a, a]"),
            "!If [C, !Ref Par, 1]",
            &[],
        );
        assert_eq!(known(&s), 8.0);
        assert_eq!(s.origin().unwrap().label, "parameter Par default");
    }

    const MAPPINGS: &str = "Parameters:
  Env:
    Type: String
    Default: prod
Mappings:
  Sizes:
    prod:
      Par: 12
    dev:
      Par: '2'";

    #[test]
    fn find_in_map() {
        let s = parallelism(MAPPINGS, "!FindInMap [Sizes, !Ref Env, Par]", &[]);
        assert_eq!(known(&s), 12.0);
        let origin = s.origin().unwrap();
        assert_eq!(origin.label, "Mappings Sizes.prod.Par");
        assert_eq!(origin.span.text(), "12");
        assert_eq!(
            known(&parallelism(
                MAPPINGS,
                "!FindInMap [Sizes, !Ref Env, Par]",
                &[("Env", "dev")]
            )),
            2.0
        );
        let long =
            "\n              Fn::FindInMap:\n                - Sizes\n                - dev\n                - Par";
        assert_eq!(known(&parallelism(MAPPINGS, long, &[])), 2.0);
        let (_, message) = invalid(&parallelism(MAPPINGS, "!FindInMap [Sizes, qa, Par]", &[]));
        assert!(message.contains("no key \"qa\""), "{message}");
        let with_default = "!FindInMap [Sizes, qa, Par, {DefaultValue: 6}]";
        assert_eq!(known(&parallelism(MAPPINGS, with_default, &[])), 6.0);
    }

    #[test]
    fn select_split_join_sub_base64() {
        assert_eq!(known(&parallelism("", "!Select [1, [4, 8, 16]]", &[])), 8.0);
        assert_eq!(
            known(&parallelism("", "!Select ['2', !Split [',', '3,5,7']]", &[])),
            7.0
        );
        assert_eq!(known(&parallelism("", "!Select [1, [!GetAtt X.Y, 4]]", &[])), 4.0);
        assert!(unknown(&parallelism("", "!Select [0, [!GetAtt X.Y, 4]]", &[]))
            .what
            .contains("Fn::GetAtt X.Y"));
        let (_, message) = invalid(&parallelism("", "!Select [3, [4, 8]]", &[]));
        assert!(message.contains("out of range"), "{message}");
        assert_eq!(known(&parallelism("", "!Join ['', ['1', '6']]", &[])), 16.0);
        assert_eq!(known(&parallelism(PARAM, "!Sub '${Par}0'", &[])), 80.0);
        assert_eq!(
            known(&parallelism("", "!Sub ['${A}${B}', {A: 2, B: !Select [0, [4]]}]", &[])),
            24.0
        );
        assert_eq!(known(&parallelism("", "!Sub '12'", &[])), 12.0);
        assert!(unknown(&parallelism("", "!Sub '${AWS::Region}'", &[]))
            .what
            .contains("AWS::Region"));
        assert!(unknown(&parallelism("", "!Sub '${Bucket.Arn}'", &[]))
            .what
            .contains("Bucket.Arn"));
        let inv = yaml(&with_parallelism("", "1").replace("FLINK-1_20", "!Base64 'FLINK'"));
        assert_eq!(known(&app(&inv).runtime_environment), "RkxJTks=");
    }

    #[test]
    fn getatt_importvalue_and_dynamic_references_are_unknown() {
        let u = unknown(&parallelism("", "!GetAtt Bucket.Arn", &[]));
        assert_eq!(u.what, "Fn::GetAtt Bucket.Arn is known only after deployment");
        assert!(!u.hint.is_empty());
        let u = unknown(&parallelism("", "{\"Fn::GetAtt\": [Bucket, Arn]}", &[]));
        assert!(u.what.contains("Bucket.Arn"), "{}", u.what);
        assert!(unknown(&parallelism("", "!ImportValue shared-parallelism", &[]))
            .what
            .contains("shared-parallelism"));
        assert!(unknown(&parallelism("", "'{{resolve:ssm:/flink/parallelism}}'", &[]))
            .what
            .contains("dynamic reference"));
        assert!(unknown(&parallelism("", "!Select [0, !GetAZs '']", &[]))
            .what
            .contains("GetAZs"));
        assert!(unknown(&parallelism("", "!Select [0, !Cidr [10.0.0.0/16, 2, 8]]", &[]))
            .what
            .contains("Fn::Cidr"));
    }

    #[test]
    fn no_value_and_null_are_absent() {
        let head = "Conditions:\n  C: !Equals [a, b]";
        assert!(matches!(
            parallelism(head, "!If [C, 4, !Ref AWS::NoValue]", &[]),
            Setting::Absent
        ));
        assert!(matches!(parallelism("", "null", &[]), Setting::Absent));
    }

    #[test]
    fn numbers_may_be_strings_but_not_words() {
        assert_eq!(known(&parallelism("", "'4'", &[])), 4.0);
        let (span, message) = invalid(&parallelism("", "lots", &[]));
        assert_eq!(span.text(), "lots");
        assert_eq!(at(&span), (11, 26));
        assert_eq!(message, "expected a number, found the string \"lots\"");
        let (_, message) = invalid(&parallelism(
            "Parameters:\n  P:\n    Type: String\n    Default: many",
            "!Ref P",
            &[],
        ));
        assert!(message.ends_with("(parameter P default)"), "{message}");
        let inv = json(
            r#"{"Resources": {"A": {"Type": "AWS::KinesisAnalyticsV2::Application", "Properties": {
            "ApplicationConfiguration": {"FlinkApplicationConfiguration": {"ParallelismConfiguration": {
            "Parallelism": "lots", "AutoScalingEnabled": "yes", "ParallelismPerKPU": [1]}}}}}}}"#,
        );
        let pc = &app(&inv).parallelism;
        assert_eq!(invalid(&pc.parallelism).0.text(), "\"lots\"");
        assert!(invalid(&pc.auto_scaling_enabled).1.contains("expected a boolean"));
        assert!(invalid(&pc.parallelism_per_kpu).1.contains("found a list"));
    }
    #[test]
    fn duplicate_keys_are_errors() {
        let inv = json("{\"Resources\": {\"A\": {}, \"B\": {}, \"A\": {}}}");
        assert_eq!(inv.errors.len(), 1);
        assert!(inv.errors[0]
            .message
            .contains("duplicate key \"A\" (first at line 1, column 16)"));
        assert_eq!(at(&inv.errors[0].span), (1, 34));
        let inv = yaml("Resources:\n  A: {}\n  B: {}\n  A: {}\n");
        assert_eq!(inv.errors.len(), 1);
        assert!(inv.errors[0]
            .message
            .contains("duplicate key \"A\" (first at line 2, column 3)"));
        assert_eq!(at(&inv.errors[0].span), (4, 3));
    }

    /// Runs `f` on a thread with the 2 MiB stack of a rayon worker.
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let results = on_small_stack(|| {
            let mut out = Vec::new();
            for depth in [200, 10_000] {
                let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
                out.push(json(&format!("{{\"Resources\": {nested}}}")));
                out.push(yaml(&format!("Resources: {nested}\n")));
                out.push(yaml(&format!("Resources:\n  A:\n    {}x\n", "- ".repeat(depth))));
                let mut block = String::from("Resources:\n");
                for i in 0..depth.min(3000) {
                    block.push_str(&" ".repeat(i + 1));
                    block.push_str("k:\n");
                }
                out.push(yaml(&block));
            }
            let mut conditions = String::from("Conditions:\n");
            for i in 0..100 {
                conditions.push_str(&format!("  C{i}: !Not [!Condition C{}]\n", i + 1));
            }
            conditions.push_str("  C100: !Equals [a, a]\n");
            out.push(yaml(&with_parallelism(&conditions, "!If [C0, 1, 2]")));
            out
        });
        for inv in &results[..8] {
            assert!(inv.applications.is_empty());
            assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
            let m = &inv.errors[0].message;
            assert!(
                m.contains("nests deeper") || m.contains("recursion limit") || m.contains("nesting depth"),
                "{m}"
            );
        }
        let (_, message) = invalid(&results[8].applications[0].parallelism.parallelism);
        assert!(message.contains("nest deeper than 64"), "{message}");
    }

    #[test]
    fn truncated_and_mutated_templates_never_panic() {
        let sources = [
            include_str!("../../../tests/fixtures/cfn/orders-enrichment.yaml"),
            include_str!("../../../tests/fixtures/cfn/orders-enrichment.template.json"),
            include_str!("../../../tests/fixtures/cfn/clickstream-params.yaml"),
        ];
        let p = params(&[("Environment", "dev")]);
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let bytes = b"{}[]:,\"'!&*-#\n |>%@`\\\t\x00\xc3aZ9.";
        for src in sources {
            let cuts = (0..=src.len()).step_by(5).filter(|i| src.is_char_boundary(*i));
            let variants = cuts.map(|i| src[..i].to_string()).chain((0..600).map(|_| {
                let mut b = src.as_bytes().to_vec();
                let at = next() as usize % b.len();
                b[at] = bytes[next() as usize % bytes.len()];
                String::from_utf8_lossy(&b).into_owned()
            }));
            for text in variants {
                let f = SourceFile::new("m", text);
                let _ = parse_yaml(&f, &p);
                let _ = parse_json(&f, &p);
            }
        }
    }
}

//! Reads the template's `AWS::KinesisAnalyticsV2::Application` resources (those their
//! `Condition` creates) into [`Application`]s: settings, nested blocks and tags, with intrinsic
//! functions evaluated.

use std::sync::Arc;

use super::document::{Entry, Kind, Node};
use super::intrinsics::{self, Resolved, Template, Tri};
use super::metadata::read_metadata;
use super::{Parameters, FLINK_TYPE};
use crate::inputs::directives::scan_directives;
use crate::model::{
    Application, InputError, InputFormat, Inventory, Notice, ParallelismConfig, Setting, Tag as AppTag,
};
use crate::source::{SourceFile, Span};

pub(super) fn read_template(
    file: &Arc<SourceFile>,
    root: &Node,
    format: InputFormat,
    params: &Parameters,
) -> Inventory {
    let mut inv = Inventory::default();
    if root.entries().is_none() {
        inv.errors.push(InputError::new(
            file.span(root.span.start..root.span.start),
            format!(
                "not a CloudFormation template: the top level is {}, not a mapping",
                root.type_name()
            ),
        ));
        return inv;
    }
    if let Some(entries) = root.get("Parameters").and_then(|p| p.value.entries()) {
        inv.declared_parameters.extend(entries.iter().map(|e| e.key.clone()));
    }
    let Some(resources) = root.get("Resources") else {
        return inv;
    };
    let Some(entries) = resources.value.entries() else {
        inv.errors.push(InputError::new(
            file.span(resources.key_span.clone()),
            format!("Resources must be a mapping, found {}", resources.value.type_name()),
        ));
        return inv;
    };
    let cx = Template::new(file, root, params);
    for res in entries {
        if res.key.starts_with("Fn::ForEach") {
            if file
                .text
                .get(res.value.span.clone())
                .is_some_and(|t| t.contains(FLINK_TYPE))
            {
                inv.notices.push(Notice {
                    span: Some(file.span(res.key_span.clone())),
                    message: format!(
                        "{} (AWS::LanguageExtensions) is not expanded: the Managed Flink applications it creates are not linted",
                        res.key
                    ),
                });
            }
            continue;
        }
        if res.value.get("Type").and_then(|t| t.value.str()) != Some(FLINK_TYPE) {
            continue;
        }
        if let Some(cond) = res.value.get("Condition") {
            let Some(name) = cond.value.str() else {
                inv.errors.push(InputError::new(
                    file.span(cond.value.span.clone()),
                    "the Condition of a resource must be the name of a condition",
                ));
                continue;
            };
            match cx.condition_named(name, &cond.value, 0) {
                Ok(Tri::Known(true)) => {}
                Ok(Tri::Known(false)) => continue,
                Ok(Tri::Unknown(u)) => inv.notices.push(Notice {
                    span: Some(file.span(cond.value.span.clone())),
                    message: format!(
                        "whether {} is created depends on condition {name}, which cannot be evaluated ({}); linted as created",
                        res.key, u.what
                    ),
                }),
                Err(e) => {
                    inv.errors.push(InputError::new(e.span, e.message));
                    continue;
                }
            }
        }
        let app = read_application(&cx, res, format, &mut inv);
        inv.applications.push(app);
    }
    if format == InputFormat::CloudformationYaml {
        inv.strays = yaml_strays(file, entries);
    }
    inv.strays.extend(other_resource_strays(file, entries));
    inv
}

/// `Metadata.kpulint` and `kpulint:` tags on resources that are not Flink applications: they
/// declare nothing (KPU903).
fn other_resource_strays(file: &Arc<SourceFile>, entries: &[Entry]) -> Vec<crate::model::StrayDirective> {
    use crate::model::{Directive, DirectiveKind, DirectiveTarget, StrayDirective};
    let mut out = Vec::new();
    let flink: Vec<&str> = entries
        .iter()
        .filter(|e| e.value.get("Type").and_then(|t| t.value.str()) == Some(FLINK_TYPE))
        .map(|e| e.key.as_str())
        .collect();
    let nearest = (flink.len() == 1).then(|| flink[0].to_string());
    for res in entries {
        let rtype = res.value.get("Type").and_then(|t| t.value.str()).unwrap_or("");
        if rtype == FLINK_TYPE || res.key.starts_with("Fn::ForEach") {
            continue;
        }
        let why = format!(
            "it belongs to {res} ({rtype}), which is not a Managed Flink application",
            res = res.key
        );
        let mut push = |span: std::ops::Range<usize>, body: String, kind: DirectiveKind| {
            out.push(StrayDirective {
                directive: Directive {
                    kind,
                    body,
                    span: file.span(span),
                    target: DirectiveTarget::Resource,
                },
                why: why.clone(),
                nearest: nearest.clone(),
            })
        };
        if let Some(meta) = res.value.get("Metadata").and_then(|m| m.value.get("kpulint")) {
            push(meta.key_span.clone(), "Metadata kpulint".into(), DirectiveKind::Declare);
        }
        let tags = res
            .value
            .get("Properties")
            .and_then(|p| p.value.get("Tags"))
            .map(|t| &t.value.kind);
        if let Some(Kind::Seq(tags)) = tags {
            for tag in tags {
                let Some(key) = tag.get("Key").and_then(|k| k.value.str()) else {
                    continue;
                };
                if key.starts_with("kpulint:") {
                    let kind = if key == crate::analysis::TAG_IGNORE {
                        DirectiveKind::Ignore
                    } else {
                        DirectiveKind::Declare
                    };
                    push(tag.span.clone(), format!("tag {key}"), kind);
                }
            }
        }
    }
    out
}

/// `# kpulint:` comments of a YAML template that attach to no Flink application (above a
/// bucket, cut off by a blank line): KPU903, as in Terraform.
fn yaml_strays(file: &Arc<SourceFile>, entries: &[Entry]) -> Vec<crate::model::StrayDirective> {
    use crate::inputs::attach::{strays, AttachTarget};
    use crate::inputs::directives::{CommentMap, CommentSyntax};
    let comments = CommentMap::new(file, CommentSyntax::Yaml);
    let blocks: Vec<AttachTarget> = entries
        .iter()
        .map(|res| {
            let span = file.span(res.key_span.start..res.value.span.end.max(res.key_span.end));
            let flink = res.value.get("Type").and_then(|t| t.value.str()) == Some(FLINK_TYPE);
            let lines = if flink {
                comments.block_directives(&span).1
            } else {
                Vec::new()
            };
            AttachTarget {
                address: res.key.clone(),
                span,
                flink,
                lines,
            }
        })
        .collect();
    strays(&comments, &blocks)
}

/// A sub-block of the application's properties, as read.
pub(super) enum Block<'a> {
    Absent,
    Map(&'a Node),
    /// The block is written but what it holds cannot be known.
    Unknown(Span, crate::model::Unresolved),
    Invalid(Span, String),
}

/// Looks up `key` in a block and resolves `Fn::If`/`Fn::FindInMap`/`AWS::NoValue` to the
/// mapping actually used.
pub(super) fn block<'a>(cx: &Template<'a>, parent: &'a Node, key: &str) -> (Option<&'a Entry>, Block<'a>) {
    let Some(entry) = parent.get(key) else {
        return (None, Block::Absent);
    };
    let span = cx.span(&entry.value);
    let b = match cx.resolve(&entry.value, 0) {
        Ok(Resolved::Absent) => Block::Absent,
        Ok(Resolved::Node(n)) if n.entries().is_some() => Block::Map(n),
        Ok(Resolved::Node(n)) if matches!(n.kind, Kind::Null) => Block::Absent,
        Ok(Resolved::Node(n)) => Block::Invalid(span, format!("{key} must be a mapping, found {}", n.type_name())),
        Ok(Resolved::Unknown(u)) => Block::Unknown(span, u),
        Ok(Resolved::Value) => Block::Invalid(span, format!("{key} must be a mapping")),
        Err(e) => Block::Invalid(e.span, e.message),
    };
    (Some(entry), b)
}

pub(super) fn read_application(
    cx: &Template<'_>,
    res: &Entry,
    format: InputFormat,
    inv: &mut Inventory,
) -> Application {
    let file = cx.file;
    let mut app = Application::new(res.key.clone(), format, file.span(res.key_span.clone()));
    let resource_span = file.span(res.key_span.start..res.value.span.end.max(res.key_span.end));
    if format == InputFormat::CloudformationYaml {
        app.directives = scan_directives(file, &resource_span);
    }
    if let Some(meta) = res.value.get("Metadata") {
        read_metadata(file, &meta.value, &mut app, inv);
    }
    if let Some(region) = cx.cli_value("AWS::Region") {
        app.region = Setting::known(region.0, region.1);
    }

    let props = match block(cx, &res.value, "Properties") {
        (_, Block::Map(p)) => p,
        (_, Block::Absent) => return app,
        (_, Block::Unknown(span, reason)) => {
            app.parallelism.block = Some(span.clone());
            app.parallelism.configuration_type = Setting::Unknown { span, reason };
            return app;
        }
        (_, Block::Invalid(span, message)) => {
            inv.errors
                .push(InputError::new(span, format!("{}: {message}", res.key)));
            return app;
        }
    };
    app.runtime_environment = cx.setting(props.get("RuntimeEnvironment"), intrinsics::to_string);
    app.tags = read_tags(cx, props, &res.key, inv);

    let Some(ac) = enter(block(cx, props, "ApplicationConfiguration").1, &mut app) else {
        return app;
    };
    app.snapshots_enabled = match block(cx, ac, "ApplicationSnapshotConfiguration") {
        (_, Block::Map(snap)) => cx.setting(snap.get("SnapshotsEnabled"), intrinsics::to_bool),
        (_, Block::Absent) => Setting::Absent,
        (_, Block::Unknown(span, reason)) => Setting::Unknown { span, reason },
        (_, Block::Invalid(span, message)) => Setting::Invalid { span, message },
    };
    let Some(fac) = enter(block(cx, ac, "FlinkApplicationConfiguration").1, &mut app) else {
        return app;
    };
    match block(cx, fac, "ParallelismConfiguration") {
        (Some(entry), Block::Map(pc)) => {
            app.parallelism = ParallelismConfig {
                block: Some(file.span(entry.key_span.start..entry.value.span.end.max(entry.key_span.end))),
                configuration_type: cx.setting(pc.get("ConfigurationType"), intrinsics::to_string),
                parallelism: cx.setting(pc.get("Parallelism"), intrinsics::to_number),
                parallelism_per_kpu: cx.setting(pc.get("ParallelismPerKPU"), intrinsics::to_number),
                auto_scaling_enabled: cx.setting(pc.get("AutoScalingEnabled"), intrinsics::to_bool),
            };
        }
        (_, other) => {
            enter(other, &mut app);
        }
    }
    app
}

/// The mapping of a block on the way to `ParallelismConfiguration`. A block that cannot be
/// resolved makes the parallelism configuration unknown (or invalid) instead of absent.
pub(super) fn enter<'a>(b: Block<'a>, app: &mut Application) -> Option<&'a Node> {
    match b {
        Block::Map(m) => Some(m),
        Block::Absent => None,
        Block::Unknown(span, reason) => {
            app.parallelism.block = Some(span.clone());
            app.parallelism.configuration_type = Setting::Unknown { span, reason };
            None
        }
        Block::Invalid(span, message) => {
            app.parallelism.block = Some(span.clone());
            app.parallelism.configuration_type = Setting::Invalid { span, message };
            None
        }
    }
}

/// `Tags: [{Key: k, Value: v}, ...]`.
pub(super) fn read_tags(cx: &Template<'_>, props: &Node, address: &str, inv: &mut Inventory) -> Vec<AppTag> {
    let bad = |span: Span| {
        InputError::new(
            span,
            format!("Tags of {address} must be a list of {{Key, Value}} mappings"),
        )
    };
    let (entry, list) = match block_any(cx, props.get("Tags")) {
        Some(x) => x,
        None => return Vec::new(),
    };
    let Kind::Seq(items) = &list.kind else {
        inv.errors.push(bad(cx.span(&entry.value)));
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let item = match cx.resolve(item, 0) {
            Ok(Resolved::Node(n)) => n,
            Ok(Resolved::Absent) => continue,
            Ok(Resolved::Unknown(_)) => continue,
            Ok(Resolved::Value) => {
                inv.errors.push(bad(cx.span(item)));
                continue;
            }
            Err(e) => {
                inv.errors.push(InputError::new(e.span, e.message));
                continue;
            }
        };
        let (Some(key), value) = (item.get("Key"), item.get("Value")) else {
            inv.errors.push(bad(cx.span(item)));
            continue;
        };
        let key = match cx.setting(Some(key), intrinsics::to_string) {
            Setting::Known { value, .. } => value,
            Setting::Invalid { span, message } => {
                inv.errors.push(InputError::new(span, format!("tag key: {message}")));
                continue;
            }
            // A tag whose key is unknown cannot be a kpulint tag.
            _ => continue,
        };
        let value = match value {
            Some(_) => cx.setting(value, intrinsics::to_string),
            None => Setting::known(String::new(), cx.span(item)),
        };
        out.push(AppTag { key, value });
    }
    out
}

/// A list-valued property, with `Fn::If` and friends resolved to the list written.
pub(super) fn block_any<'a>(cx: &Template<'a>, entry: Option<&'a Entry>) -> Option<(&'a Entry, &'a Node)> {
    let entry = entry?;
    match cx.resolve(&entry.value, 0) {
        Ok(Resolved::Node(n)) if !matches!(n.kind, Kind::Null) => Some((entry, n)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn reads_every_setting() {
        let src = "Resources:
  App:
    Type: AWS::KinesisAnalyticsV2::Application
    Properties:
      RuntimeEnvironment: FLINK-1_20
      ApplicationConfiguration:
        ApplicationSnapshotConfiguration:
          SnapshotsEnabled: 'true'
        FlinkApplicationConfiguration:
          ParallelismConfiguration:
            ConfigurationType: CUSTOM
            Parallelism: 6
            ParallelismPerKPU: 2
            AutoScalingEnabled: false
";
        let inv = yaml(src);
        let a = app(&inv);
        assert_eq!(a.format, InputFormat::CloudformationYaml);
        assert_eq!(known(&a.runtime_environment), "FLINK-1_20");
        assert!(known(&a.snapshots_enabled));
        let pc = &a.parallelism;
        assert_eq!(known(&pc.configuration_type), "CUSTOM");
        assert_eq!(known(&pc.parallelism), 6.0);
        assert_eq!(known(&pc.parallelism_per_kpu), 2.0);
        assert!(!known(&pc.auto_scaling_enabled));
        assert_eq!(at(pc.auto_scaling_enabled.span().unwrap()), (14, 33));
        let block = pc.block.as_ref().unwrap();
        assert_eq!(at(block), (10, 11));
        assert!(
            block.text().ends_with("AutoScalingEnabled: false"),
            "{:?}",
            block.text()
        );
        assert!(matches!(a.region, Setting::Absent));
    }

    #[test]
    fn parallelism_block_absent_and_unknown() {
        let inv = yaml("Resources:\n  App:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties:\n      RuntimeEnvironment: FLINK-1_20\n");
        let a = app(&inv);
        assert!(a.parallelism.block.is_none());
        assert!(matches!(a.parallelism.parallelism, Setting::Absent));
        let src = "Parameters:\n  P:\n    Type: String\nConditions:\n  C: !Equals [!Ref P, x]\nResources:\n  App:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties:\n      ApplicationConfiguration:\n        FlinkApplicationConfiguration:\n          ParallelismConfiguration: !If [C, {ConfigurationType: CUSTOM, Parallelism: 3}, !Ref AWS::NoValue]\n";
        let a = &yaml(src).applications[0];
        assert!(unknown(&a.parallelism.configuration_type).what.contains("condition C"));
        let a = &yaml_with(src, &[("P", "x")]).applications[0];
        assert_eq!(known(&a.parallelism.parallelism), 3.0);
        let a = &yaml_with(src, &[("P", "y")]).applications[0];
        assert!(a.parallelism.block.is_none());
    }

    #[test]
    fn tags_list() {
        let src =
            "Parameters:\n  Size:\n    Type: String\n    Default: 800GiB\nConditions:\n  No: !Equals [a, b]\nResources:
  App:
    Type: AWS::KinesisAnalyticsV2::Application
    Properties:
      Tags:
        - Key: team
          Value: payments
        - Key: kpulint:state_size
          Value: !Ref Size
        - Key: kpulint:required_parallelism
          Value: 12
        - !If [No, {Key: dropped, Value: x}, !Ref AWS::NoValue]
        - Key: computed
          Value: !GetAtt X.Y
";
        let inv = yaml(src);
        let a = app(&inv);
        let keys: Vec<&str> = a.tags.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(
            keys,
            ["team", "kpulint:state_size", "kpulint:required_parallelism", "computed"]
        );
        let size = &a.tag("kpulint:state_size").unwrap().value;
        assert_eq!(known(size), "800GiB");
        assert_eq!(size.origin().unwrap().label, "parameter Size default");
        assert_eq!(known(&a.tag("kpulint:required_parallelism").unwrap().value), "12");
        assert!(matches!(a.tag("computed").unwrap().value, Setting::Unknown { .. }));
        let bad = yaml("Resources:\n  App:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties:\n      Tags: {team: x}\n");
        assert_eq!(bad.errors.len(), 1);
        assert!(bad.errors[0].message.contains("must be a list"));
    }

    #[test]
    fn templates_without_flink_are_empty() {
        let inv = yaml("AWSTemplateFormatVersion: 2010-09-09\nResources:\n  B:\n    Type: AWS::S3::Bucket\n");
        assert!(inv.applications.is_empty() && inv.errors.is_empty());
        let inv = json("{\"AWSTemplateFormatVersion\": \"2010-09-09\"}");
        assert!(inv.applications.is_empty() && inv.errors.is_empty());
        let inv = yaml("- a\n- b\n");
        assert_eq!(inv.errors.len(), 1);
        assert!(inv.errors[0].message.contains("top level is a list"));
    }

    #[test]
    fn every_document_resource_conditions_and_json_templates() {
        // Every document of a multi-document file is read, its errors too.
        let two_docs = format!("{}---\nResources: 3\n", with_parallelism("", "5"));
        let inv = yaml(&two_docs);
        assert_eq!(inv.applications.len(), 1);
        assert_eq!(known(&inv.applications[0].parallelism.parallelism), 5.0);
        assert_eq!(inv.errors.len(), 1);
        assert!(inv.errors[0].message.contains("Resources must be a mapping"));
        let second = format!("Resources: {{}}\n---\n---\n{}", with_parallelism("", "7"));
        assert_eq!(known(&app(&yaml(&second)).parallelism.parallelism), 7.0);

        let src = "Parameters:\n  Deploy:\n    Type: String\n    Default: 'no'\n  Unset:\n    Type: String\nConditions:\n  Create: !Equals [!Ref Deploy, 'yes']\n  Maybe: !Equals [!Ref Unset, 'yes']\nResources:\n  A:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Condition: Create\n  B:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Condition: Maybe\n";
        let inv = yaml(src);
        assert_eq!(inv.applications.len(), 1);
        assert_eq!(inv.applications[0].address, "B");
        assert_eq!(inv.notices.len(), 1);
        assert!(inv.notices[0].message.contains("condition Maybe"));
        assert_eq!(
            yaml_with(src, &[("Deploy", "yes"), ("Unset", "no")]).applications.len(),
            1
        );

        // A `.template` file in JSON syntax.
        let inv = yaml("{\"Resources\": {\"A\": {\"Type\": \"AWS::KinesisAnalyticsV2::Application\"}}}");
        assert_eq!(app(&inv).format, InputFormat::CloudformationJson);
    }

    #[test]
    fn region_only_from_an_explicit_parameter() {
        let src = with_parallelism("", "1");
        assert!(matches!(app(&yaml(&src)).region, Setting::Absent));
        assert_eq!(
            known(&app(&yaml_with(&src, &[("AWS::Region", "eu-west-1")])).region),
            "eu-west-1"
        );
    }
}

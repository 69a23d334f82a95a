//! Maps plan applications back to the `.tf` files they were planned from (`--source-dir`, or the
//! plan's own directory): origins of settings, module call headers, and `dynamic` blocks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::resources::Address;
use crate::discover::{clean, display, FileKind};
use crate::eval::module::{module_source, normalize, ModuleSource};
use crate::inputs::terraform::{Attr, BlockNode, BodyNode, Resource, TfFile};
use crate::model::expr::ExprKind;
use crate::model::{Application, InputError, InputFormat, Inventory, Notice, Origin, OriginKind, Setting, Unresolved};
use crate::source::{SourceFile, Span};

/// Points plan applications at the `.tf` source they were planned from.
///
/// `source_dir` is the root module directory (`--source-dir`); without it, a plan file's own
/// directory is used when it holds `.tf` files (never for standard input). Each application's
/// resource block is found by its address without instance keys, following local module calls
/// (and modules `terraform init` downloaded, through `.terraform/modules/modules.json`). Then:
/// - every known parallelism setting gets an [`Origin`] at its `.tf` attribute value,
/// - module calls point at their `module "x"` headers,
/// - an unknown setting's hint says where and how it is written,
/// - a block written with `dynamic` (which the plan's configuration section does not show) and
///   not shown by the plan either is unknown, not the service defaults.
///
/// A resource that cannot be found is a notice.
pub fn map_to_source(inv: &mut Inventory, source_dir: Option<&Path>) {
    if let Some(dir) = source_dir {
        if !dir.is_dir() {
            let f = SourceFile::new(display(dir), "");
            inv.errors.push(InputError::new(
                f.whole(),
                format!("--source-dir {}: not a directory", display(dir)),
            ));
            return;
        }
    }
    let mut sources = Sources::default();
    let mut reported: BTreeSet<(String, String)> = BTreeSet::new();
    let mut notices = Vec::new();
    for app in inv
        .applications
        .iter_mut()
        .filter(|a| a.format == InputFormat::TerraformPlan)
    {
        let root = match source_dir {
            Some(d) => normalize(d),
            None => {
                let path = app.span.path();
                if path == "<stdin>" {
                    continue;
                }
                let parent = match Path::new(path).parent() {
                    Some(p) if !p.as_os_str().is_empty() => normalize(p),
                    _ => PathBuf::from("."),
                };
                if !sources.has_tf_files(&parent) {
                    continue;
                }
                parent
            }
        };
        let mapped = map_application(app, &root, &mut sources, &mut notices);
        app.located_at_source = source_dir.is_some() && app.source.is_some();
        if let Err(message) = mapped {
            // One notice per resource block, not per instance.
            let key = Address::parse(&app.address)
                .map(|a| format!("{:?}.{}.{}", a.modules, a.rtype, a.name))
                .unwrap_or_else(|| app.address.clone());
            if reported.insert((app.span.path().to_string(), key)) {
                notices.push(Notice {
                    span: Some(app.span.clone()),
                    message,
                });
            }
        }
    }
    inv.notices.extend(notices);
}

/// `.tf` files read for mapping, by normalised directory.
#[derive(Default)]
pub(super) struct Sources {
    dirs: BTreeMap<PathBuf, Rc<Vec<TfFile>>>,
    has_tf: BTreeMap<PathBuf, bool>,
    installed: BTreeMap<PathBuf, BTreeMap<String, PathBuf>>,
}

impl Sources {
    fn tf_paths(dir: &Path) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        // Anything but a folder: a FIFO or a link out of the repository is refused when read.
        let mut out: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
            .map(|e| e.path())
            .filter(|p| matches!(FileKind::of(p), Some(FileKind::Tf | FileKind::TfJson)))
            .map(|p| clean(&p))
            .collect();
        // Override files (`override.tf`, `*_override.tf`) only amend blocks: look in them last.
        out.sort_by_key(|p| {
            let stem = p
                .file_name()
                .and_then(|n| n.to_str())
                .map(|n| n.trim_end_matches(".json").trim_end_matches(".tf").to_string())
                .unwrap_or_default();
            (stem == "override" || stem.ends_with("_override"), p.clone())
        });
        out
    }

    fn has_tf_files(&mut self, dir: &Path) -> bool {
        *self
            .has_tf
            .entry(dir.to_path_buf())
            .or_insert_with(|| !Self::tf_paths(dir).is_empty())
    }

    fn module(&mut self, dir: &Path, notices: &mut Vec<Notice>) -> Rc<Vec<TfFile>> {
        if let Some(m) = self.dirs.get(dir) {
            return Rc::clone(m);
        }
        let mut files = Vec::new();
        for path in Self::tf_paths(dir) {
            let parsed = crate::inputs::read_source(&path).and_then(|f| match FileKind::of(&path) {
                Some(FileKind::TfJson) => crate::inputs::tf_json::parse_tf_json(&f),
                _ => crate::inputs::hcl::parse_tf(&f),
            });
            match parsed {
                Ok(tf) => files.push(tf),
                Err(e) => notices.push(Notice {
                    span: Some(e.span),
                    message: format!("{} (plan values are not mapped to this file)", e.message),
                }),
            }
        }
        let files = Rc::new(files);
        self.dirs.insert(dir.to_path_buf(), Rc::clone(&files));
        files
    }

    /// Where `terraform init` downloaded the module with this key (`a.b`), for a root.
    fn installed(&mut self, root: &Path, key: &str, notices: &mut Vec<Notice>) -> Option<PathBuf> {
        self.installed
            .entry(root.to_path_buf())
            .or_insert_with(|| {
                crate::inputs::installed_modules(root).unwrap_or_else(|notice| {
                    notices.push(notice);
                    BTreeMap::new()
                })
            })
            .get(key)
            .cloned()
    }
}

/// Finds one application's resource block and records where its values are written.
pub(super) fn map_application(
    app: &mut Application,
    root: &Path,
    sources: &mut Sources,
    notices: &mut Vec<Notice>,
) -> Result<(), String> {
    let Some(addr) = Address::parse(&app.address) else {
        return Err(format!(
            "{}: not a resource address kpulint can map to source",
            app.address
        ));
    };
    let mut dir = root.to_path_buf();
    let mut key = String::new();
    // Declarations and suppressions written above the module calls, outermost first.
    let mut call_directives = Vec::new();
    for (i, name) in addr.modules.iter().enumerate() {
        let files = sources.module(&dir, notices);
        let Some(call) = files.iter().flat_map(|f| f.modules.iter()).find(|c| c.name == *name) else {
            return Err(format!(
                "{}: no module \"{name}\" in the .tf files of {}, so plan values are shown without their source",
                app.address,
                display(&dir)
            ));
        };
        if let Some(mc) = app.module_calls.get_mut(i) {
            mc.span = call.header.clone();
        }
        call_directives.push(call.directives.clone());
        key = if key.is_empty() {
            name.clone()
        } else {
            format!("{key}.{name}")
        };
        dir = match module_source(call, &dir) {
            ModuleSource::Local(p) => p,
            ModuleSource::Remote(src) => match sources.installed(root, &key, notices) {
                Some(p) => p,
                None => {
                    return Err(format!(
                        "{}: module.{name} (source \"{src}\") was not followed: run `terraform init` in {} so .terraform/modules/modules.json records where it was downloaded",
                        app.address,
                        display(root)
                    ))
                }
            },
            ModuleSource::Missing => {
                return Err(format!(
                    "{}: module \"{name}\" has no source kpulint can follow",
                    app.address
                ))
            }
        };
    }
    let files = sources.module(&dir, notices);
    let Some(res) = files
        .iter()
        .flat_map(|f| f.resources.iter())
        .find(|r| r.rtype == addr.rtype && r.name == addr.name)
    else {
        return Err(format!(
            "{}: no resource \"{}\" \"{}\" in the .tf files of {}, so plan values are shown without their source",
            app.address,
            addr.rtype,
            addr.name,
            display(&dir)
        ));
    };
    apply_source(app, res);
    // The plan keeps no comments: the `.tf` source's declarations and suppressions apply, the
    // resource's own first (the most specific wins), then the calls', innermost first.
    app.directives.extend(res.directives.iter().cloned());
    app.directives.extend(call_directives.into_iter().rev().flatten());
    app.source = Some(res.header.clone());
    Ok(())
}

/// A nested block written directly or as `dynamic "ident" { content { ... } }`.
pub(super) struct TfBlock<'r> {
    body: &'r BodyNode,
    span: &'r Span,
    dynamic: bool,
}

pub(super) fn tf_block<'r>(body: &'r BodyNode, ident: &'r str) -> Option<TfBlock<'r>> {
    if let Some(b) = body.blocks(ident).next() {
        return Some(TfBlock {
            body: &b.body,
            span: &b.span,
            dynamic: false,
        });
    }
    let d: &BlockNode = body
        .blocks("dynamic")
        .find(|b| b.labels.first().map(String::as_str) == Some(ident))?;
    let content = d.body.blocks("content").next()?;
    Some(TfBlock {
        body: &content.body,
        span: &d.span,
        dynamic: true,
    })
}

pub(super) fn file_name(span: &Span) -> String {
    Path::new(span.path())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| span.path().to_string())
}

/// `length(aws_iam_role.flink.unique_id)` at main.tf:28:32
pub(super) fn written_as(span: &Span) -> String {
    let text: String = span.text().split_whitespace().collect::<Vec<_>>().join(" ");
    let text = if text.chars().count() > 80 {
        format!("{}…", text.chars().take(79).collect::<String>())
    } else {
        text
    };
    let l = span.location();
    format!("`{text}` at {}:{}:{}", span.path(), l.line, l.column)
}

pub(super) fn apply_source(app: &mut Application, res: &Resource) {
    let ac = tf_block(&res.body, "application_configuration");
    let fc = ac
        .as_ref()
        .and_then(|b| tf_block(b.body, "flink_application_configuration"));
    let pc = fc.as_ref().and_then(|b| tf_block(b.body, "parallelism_configuration"));
    let dynamic = [&ac, &fc, &pc].iter().any(|b| b.as_ref().is_some_and(|b| b.dynamic));

    let p = &mut app.parallelism;
    if p.block.is_none() && !p.configuration_type.is_written() && dynamic && pc.is_some() {
        // Written through `dynamic`, which the configuration section does not show, and not in
        // the planned values: its for_each is known only after apply (or empty).
        if let Some(b) = [&pc, &fc, &ac].into_iter().flatten().find(|b| b.dynamic) {
            let l = b.span.location();
            p.configuration_type = Setting::Unknown {
                span: app.span.clone(),
                reason: Unresolved {
                    what: "parallelism_configuration is known only after apply".into(),
                    hint: format!(
                        "it is written in a dynamic block at {}:{}:{} whose for_each the plan does not resolve (if it is empty, the service defaults apply); write the block directly",
                        b.span.path(),
                        l.line,
                        l.column
                    ),
                },
            };
        }
        return;
    }
    let Some(pc) = pc else { return };
    let block_span = p.block.clone();
    let attr = |name: &str| -> Option<&Attr> { pc.body.attr(name) };
    map_setting(
        &mut p.configuration_type,
        attr("configuration_type"),
        "configuration_type",
        dynamic,
        &block_span,
    );
    map_setting(
        &mut p.parallelism,
        attr("parallelism"),
        "parallelism",
        dynamic,
        &block_span,
    );
    map_setting(
        &mut p.parallelism_per_kpu,
        attr("parallelism_per_kpu"),
        "parallelism_per_kpu",
        dynamic,
        &block_span,
    );
    map_setting(
        &mut p.auto_scaling_enabled,
        attr("auto_scaling_enabled"),
        "auto_scaling_enabled",
        dynamic,
        &block_span,
    );
}

pub(super) fn map_setting<T>(
    setting: &mut Setting<T>,
    attr: Option<&Attr>,
    name: &str,
    dynamic: bool,
    block: &Option<Span>,
) {
    let Some(attr) = attr else { return };
    match setting {
        Setting::Known { origin, .. } => {
            *origin = Some(Origin {
                span: attr.expr.span.clone(),
                label: format!("written at {}", file_name(&attr.expr.span)),
                kind: OriginKind::PlanSource,
            });
        }
        Setting::Unknown { reason, .. } => {
            reason.hint = format!("it is written as {}; {}", written_as(&attr.expr.span), reason.hint);
        }
        // In a dynamic block the configuration section shows nothing, so an unknown value
        // looked omitted: written but not planned means known only after apply.
        Setting::Absent if dynamic && !matches!(attr.expr.kind, ExprKind::Null) => {
            if let Some(span) = block {
                *setting = Setting::Unknown {
                    span: span.clone(),
                    reason: Unresolved {
                        what: format!("{name} is known only after apply"),
                        hint: format!(
                            "it is written as {} in a dynamic block; set it from a constant or a variable so the plan shows it",
                            written_as(&attr.expr.span)
                        ),
                    },
                };
            }
        }
        Setting::Absent | Setting::Invalid { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn dynamic_blocks_are_mapped_as_unknown_not_defaults() {
        // The plan shows neither the block (for_each unknown) nor, in its configuration, the
        // dynamic block; the .tf source does.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.tf"),
            r#"resource "aws_kinesisanalyticsv2_application" "flink" {
  dynamic "application_configuration" {
    for_each = aws_iam_role.r.id == "" ? [] : [1]
    content {
      flink_application_configuration {
        parallelism_configuration {
          configuration_type = "CUSTOM"
          parallelism        = 4
        }
      }
    }
  }
}
"#,
        )
        .unwrap();
        let mut inv = plan(INFRACOST_FLINK);
        assert!(matches!(
            inv.applications[0].parallelism.configuration_type,
            Setting::Absent
        ));
        map_to_source(&mut inv, Some(dir.path()));
        assert!(inv.notices.is_empty(), "{:?}", inv.notices);
        match &inv.applications[0].parallelism.configuration_type {
            Setting::Unknown { reason, .. } => {
                assert!(reason.hint.contains("dynamic block at "), "{}", reason.hint);
                assert!(reason.hint.contains("main.tf:2:3"), "{}", reason.hint);
            }
            other => panic!("expected Unknown, got {other:?}"),
        }
    }

    #[test]
    fn source_mapping_follows_downloaded_modules() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("main.tf"),
            "module \"kda\" {\n  source  = \"acme/flink/aws\"\n  version = \"1.0.0\"\n}\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join(".terraform/modules/kda")).unwrap();
        std::fs::write(
            root.join(".terraform/modules/modules.json"),
            r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"kda","Source":"registry.terraform.io/acme/flink/aws","Version":"1.0.0","Dir":".terraform/modules/kda"}]}"#,
        )
        .unwrap();
        std::fs::write(
            root.join(".terraform/modules/kda/main.tf"),
            "resource \"aws_kinesisanalyticsv2_application\" \"this\" {\n  application_configuration {\n    flink_application_configuration {\n      parallelism_configuration {\n        configuration_type = \"DEFAULT\"\n      }\n    }\n  }\n}\n",
        )
        .unwrap();
        let text = r#"{"format_version":"1.2","planned_values":{"root_module":{"child_modules":[{"address":"module.kda","resources":[{"address":"module.kda.aws_kinesisanalyticsv2_application.this","mode":"managed","type":"aws_kinesisanalyticsv2_application","name":"this","values":{"application_configuration":[{"flink_application_configuration":[{"parallelism_configuration":[{"configuration_type":"DEFAULT"}]}]}]}}]}]}}}"#;
        let mut inv = plan(text);
        map_to_source(&mut inv, Some(root));
        assert!(inv.notices.is_empty(), "{:?}", inv.notices);
        let app = &inv.applications[0];
        let origin = app.parallelism.configuration_type.origin().expect("origin");
        assert!(
            origin.span.path().ends_with(".terraform/modules/kda/main.tf"),
            "{}",
            origin.span.path()
        );
        assert_eq!(origin.span.location().line, 5);
        assert_eq!(app.module_calls[0].span.text(), "module \"kda\"");
    }

    #[test]
    fn dynamic_block_without_parallelism_configuration_keeps_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.tf"),
            r#"resource "aws_kinesisanalyticsv2_application" "flink" {
  dynamic "application_configuration" {
    for_each = var.code == null ? [] : [1]
    content {
      application_code_configuration {
        code_content_type = "ZIPFILE"
      }
    }
  }
}
"#,
        )
        .unwrap();
        let mut inv = plan(INFRACOST_FLINK);
        map_to_source(&mut inv, Some(dir.path()));
        assert!(matches!(
            inv.applications[0].parallelism.configuration_type,
            Setting::Absent
        ));
    }

    #[test]
    fn source_mapping_sets_origins_and_reports_missing_resources() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.tf"),
            r#"resource "aws_kinesisanalyticsv2_application" "orders_join" {
  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        parallelism          = 12
        parallelism_per_kpu  = 1
        auto_scaling_enabled = false
      }
    }
  }
}
"#,
        )
        .unwrap();
        let text = doc(
            &[
                (
                    "aws_kinesisanalyticsv2_application.orders_join",
                    CUSTOM_12,
                    "{}",
                    Some(CUSTOM_12_EXPR),
                ),
                (
                    "aws_kinesisanalyticsv2_application.elsewhere[0]",
                    CUSTOM_12,
                    "{}",
                    Some(CUSTOM_12_EXPR),
                ),
                (
                    "aws_kinesisanalyticsv2_application.elsewhere[1]",
                    CUSTOM_12,
                    "{}",
                    Some(CUSTOM_12_EXPR),
                ),
            ],
            r#"{"constant_value":"us-east-1"}"#,
        );
        let mut inv = plan(&text);
        map_to_source(&mut inv, Some(dir.path()));
        let pc = &inv.applications[0].parallelism;
        let origin = pc.parallelism.origin().expect("origin");
        assert_eq!(origin.label, "written at main.tf");
        assert_eq!(origin.span.text(), "12");
        assert_eq!(origin.span.location().line, 6);
        assert_eq!(pc.configuration_type.origin().unwrap().span.text(), "\"CUSTOM\"");
        assert_eq!(pc.auto_scaling_enabled.origin().unwrap().span.location().line, 8);
        // One notice for the resource block, not one per instance.
        assert_eq!(inv.notices.len(), 1, "{:?}", inv.notices);
        assert!(inv.notices[0]
            .message
            .contains("no resource \"aws_kinesisanalyticsv2_application\" \"elsewhere\""));

        let mut inv = plan(&text);
        map_to_source(&mut inv, Some(&dir.path().join("nope")));
        assert!(only_error(&inv).message.contains("not a directory"));
    }
}

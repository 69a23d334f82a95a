//! `kpulint check --fix` / `--diff`: applies each application's recommendation where each value
//! is defined — the literal in the resource, a variable's `default`, the winning tfvars entry, the
//! module call's argument, a `locals` literal, a CloudFormation parameter default or literal.
//!
//! Planning ([`plan`]) is pure: it turns analyses into byte edits and notices. [`splice`] applies
//! edits to bytes and writes files atomically; [`diff`] renders what would change; [`apply`]
//! wires them into a run (fix, re-lint, count what was fixed).
//!
//! A value is edited only where the evaluator traced it to a literal of exactly the value it
//! evaluated to. Expressions, values from the environment or the command line, files outside
//! the linted paths, plans, and places shared by applications that need different values are
//! reported as notices, never guessed at.

pub mod apply;
pub mod diff;
mod insert;
pub mod literal;
mod shared;
pub mod splice;
pub mod transaction;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use crate::analysis::Analysis;
use crate::model::{InputFormat, Notice, OriginKind, Reader, Setting, SettingReaders};
use crate::recommend::{Pins, Recommendation};
use crate::source::{SourceFile, Span};
use literal::Value;

#[derive(Debug, Clone, Default)]
pub struct FixOptions {
    /// Also apply the unsafe part of recommendations (`safe: false`).
    pub unsafe_fixes: bool,
    /// The rules whose findings on an application are suppressed (inline, config or baseline),
    /// by instance: the values those findings' own fixes would change are kept as written.
    pub accepted: BTreeMap<String, BTreeSet<String>>,
}

/// One change to one file: `range` of its text (without a byte-order mark) becomes `text`.
#[derive(Debug, Clone)]
pub struct Edit {
    pub file: Arc<SourceFile>,
    pub range: Range<usize>,
    pub text: String,
    /// What changes, for the summary: `flink_parallelism 12 → 10`, `+ auto_scaling_enabled = false`.
    pub description: String,
    /// The applications the edit is for.
    pub applications: Vec<String>,
}

/// What `--fix` would do.
#[derive(Debug, Default)]
pub struct Plan {
    /// Sorted by file, then position; never overlapping.
    pub edits: Vec<Edit>,
    pub notices: Vec<Notice>,
}

/// The four settings the recommendation sets, in the order inserted lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    ConfigurationType,
    Parallelism,
    ParallelismPerKpu,
    AutoScaling,
}

impl Field {
    fn name(self, format: InputFormat) -> &'static str {
        let cfn = matches!(
            format,
            InputFormat::CloudformationJson | InputFormat::CloudformationYaml
        );
        match (self, cfn) {
            (Field::ConfigurationType, false) => "configuration_type",
            (Field::Parallelism, false) => "parallelism",
            (Field::ParallelismPerKpu, false) => "parallelism_per_kpu",
            (Field::AutoScaling, false) => "auto_scaling_enabled",
            (Field::ConfigurationType, true) => "ConfigurationType",
            (Field::Parallelism, true) => "Parallelism",
            (Field::ParallelismPerKpu, true) => "ParallelismPerKPU",
            (Field::AutoScaling, true) => "AutoScalingEnabled",
        }
    }
}

/// A setting as written, reduced to what fixing needs.
enum Written {
    Absent,
    /// Evaluated to `value`; defined at `at` (the origin, or the attribute itself).
    Known {
        value: Value,
        at: Span,
        origin: Option<(OriginKind, String)>,
    },
    /// Not evaluated (unknown or invalid): nothing to edit.
    Unevaluated(Span),
}

fn written<T>(s: &Setting<T>, value: impl Fn(&T) -> Option<Value>) -> Written {
    match s {
        Setting::Absent => Written::Absent,
        Setting::Known { value: v, span, origin } => match value(v) {
            Some(value) => Written::Known {
                value,
                at: literal_part(origin.as_ref().map_or(span, |o| &o.span)),
                origin: origin.as_ref().map(|o| (o.kind, o.label.clone())),
            },
            None => Written::Unevaluated(span.clone()),
        },
        Setting::Unknown { span, .. } | Setting::Invalid { span, .. } => Written::Unevaluated(span.clone()),
    }
}

/// The literal at the start of `span` without what a parser may have taken along after it
/// (trailing blanks, a YAML comment): `"12"   # sized for...` → `"12"`.
fn literal_part(span: &Span) -> Span {
    let text = span.text();
    let end = match text.chars().next() {
        Some(q @ ('"' | '\'')) => text[1..].find(q).map(|i| i + 2),
        _ => text.find(char::is_whitespace),
    };
    match end {
        Some(end) if matches!(text[end..].trim_start().chars().next(), None | Some('#')) => {
            span.file.span(span.start..span.start + end)
        }
        _ => span.clone(),
    }
}

fn configuration_type(s: &str) -> Option<Value> {
    match s {
        "CUSTOM" => Some(Value::Str("CUSTOM")),
        "DEFAULT" => Some(Value::Str("DEFAULT")),
        _ => None,
    }
}

fn whole(n: &f64) -> Option<Value> {
    (n.fract() == 0.0 && *n >= 0.0 && *n <= u64::MAX as f64).then_some(Value::Number(*n as u64))
}

/// One application's wish for one place in one file.
#[derive(Debug, Clone)]
struct Proposal {
    app: usize,
    field: Field,
    file: Arc<SourceFile>,
    range: Range<usize>,
    /// Inserted lines at the same point are told apart by the attribute they add.
    insert: Option<Field>,
    text: String,
    /// Whether this changes the file (otherwise the application needs the value kept).
    change: bool,
    /// The name written at the place (`flink_parallelism`), for notices.
    place_name: String,
    description: String,
    /// What the application needs at the place, for notices: `needs 10`, `keeps 12 (…)`.
    need: String,
}

impl Proposal {
    fn key(&self) -> (String, usize, usize, Option<Field>) {
        (self.file.path.clone(), self.range.start, self.range.end, self.insert)
    }
}

fn at(span: &Span) -> String {
    let l = span.location();
    format!("{}:{}:{}", span.path(), l.line, l.column)
}

/// The name written before a value (`flink_parallelism = 12`, `"Default": 12`, `Default: 12`),
/// or the origin's label when the name alone says little (`default`).
fn name_before(span: &Span, label: Option<&str>) -> String {
    let line = span.file.line_before(span.start);
    let key = line
        .trim_end()
        .trim_end_matches(['=', ':'])
        .trim_end()
        .trim_end_matches(['"', '\''])
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .next()
        .unwrap_or("");
    match label {
        Some(l) if key.is_empty() || key.eq_ignore_ascii_case("default") => l.to_string(),
        _ if key.is_empty() => "value".to_string(),
        _ => key.to_string(),
    }
}

/// Plans every fix. `editable` says why a file may not be written (outside the linted paths,
/// standard input), or `Ok` when it may.
pub fn plan(analyses: &[Analysis], opts: &FixOptions, editable: &dyn Fn(&SourceFile) -> Result<(), String>) -> Plan {
    let mut out = Plan::default();
    let mut proposals: Vec<Proposal> = Vec::new();
    // Applications any of whose changes cannot be made: none of their changes are made.
    let mut refused: BTreeSet<usize> = BTreeSet::new();
    // Every file a tainted application touches stays as it is, whoever else it feeds.
    let protected = tainted_files(analyses);

    for (i, a) in analyses.iter().enumerate() {
        if let Some(broken) = a.app.tainted_by.first() {
            let l = broken.location();
            out.notices.push(Notice {
                span: Some(a.app.span.clone()),
                message: format!(
                    "{}: not fixed, nor any file it reads: {} has an input error ({}:{}), so its values may not be what was read; fix it first",
                    a.app.instance,
                    broken.path(),
                    l.line,
                    l.column
                ),
            });
            continue;
        }
        let (Some(unpinned), Ok(sizing)) = (&a.recommendation, &a.sizing) else {
            continue;
        };
        let app = &a.app;
        if app.format == InputFormat::TerraformPlan {
            if unpinned.changes(sizing) {
                out.notices.push(Notice {
                    span: Some(app.span.clone()),
                    message: format!(
                        "{} is read from a plan, which --fix never edits: fix the .tf and re-plan",
                        app.instance
                    ),
                });
            }
            continue;
        }
        // A suppressed finding keeps what its own fix would change; the rest still applies.
        let suppressed: Vec<&str> = opts
            .accepted
            .get(&app.instance)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .filter(|id| crate::rules::settings_fixed_by(id).any())
            .collect();
        let pins = suppressed
            .iter()
            .fold(Pins::default(), |p, id| p.union(crate::rules::settings_fixed_by(id)));
        let pinned;
        let rec = if pins.any() {
            pinned = crate::recommend::recommend_with(
                sizing,
                a.kind,
                &a.declarations(),
                a.thresholds(),
                a.prices.as_ref(),
                pins,
            );
            &pinned
        } else {
            unpinned
        };
        let applied = rec.applied(opts.unsafe_fixes);
        let wants_change = applied.changes(sizing);
        let kept = kept_settings(sizing, unpinned.applied(opts.unsafe_fixes), applied);
        if !kept.is_empty() {
            out.notices.push(Notice {
                span: Some(app.span.clone()),
                message: format!(
                    "{}: {} {} suppressed, so its {} {} kept as written (remove the suppression to fix {})",
                    app.instance,
                    suppressed.join(", "),
                    if suppressed.len() == 1 { "is" } else { "are" },
                    kept.join(" and "),
                    if kept.len() == 1 { "is" } else { "are" },
                    if kept.len() == 1 { "it" } else { "them" },
                ),
            });
        }
        if rec.changes(sizing) && !rec.safe && !opts.unsafe_fixes {
            out.notices.push(Notice {
                span: Some(app.span.clone()),
                message: if wants_change {
                    format!(
                        "{}: only the safe part of its fix is applied; the rest is skipped (confirm first: {}); apply it with --unsafe-fixes",
                        app.instance,
                        rec.confirm.join("; ")
                    )
                } else {
                    format!(
                        "{}: unsafe fix skipped (confirm first: {}); apply it with --unsafe-fixes",
                        app.instance,
                        rec.confirm.join("; ")
                    )
                },
            });
        }
        let pc = &app.parallelism;
        let fields = [
            (
                Field::ConfigurationType,
                written(&pc.configuration_type, |s| configuration_type(s)),
                Value::Str(if applied.custom { "CUSTOM" } else { "DEFAULT" }),
                Value::Str(if rec.custom { "CUSTOM" } else { "DEFAULT" }),
            ),
            (
                Field::Parallelism,
                written(&pc.parallelism, whole),
                Value::Number(applied.parallelism),
                Value::Number(rec.parallelism),
            ),
            (
                Field::ParallelismPerKpu,
                written(&pc.parallelism_per_kpu, whole),
                Value::Number(applied.parallelism_per_kpu),
                Value::Number(rec.parallelism_per_kpu),
            ),
            (
                Field::AutoScaling,
                written(&pc.auto_scaling_enabled, |b| Some(Value::Bool(*b))),
                Value::Bool(applied.auto_scaling),
                Value::Bool(rec.auto_scaling),
            ),
        ];
        if pc.block.is_none() && wants_change {
            // Nothing to insert into: the whole block is the user's to write.
            let cfn = matches!(
                app.format,
                InputFormat::CloudformationJson | InputFormat::CloudformationYaml
            );
            let (block, sep) = if cfn {
                ("ParallelismConfiguration", ": ")
            } else {
                ("parallelism_configuration", " = ")
            };
            let values: Vec<String> = fields
                .iter()
                .map(|(f, _, v, _)| format!("{}{sep}{}", f.name(app.format), v.hcl()))
                .collect();
            refused.insert(i);
            out.notices.push(Notice {
                span: Some(app.span.clone()),
                message: format!(
                    "{}: there is no {block} block to fix; add one by hand with {}",
                    app.instance,
                    values.join(", ")
                ),
            });
            continue;
        }
        // Under DEFAULT the numbers are ignored: only what CUSTOM needs is changed.
        let needed = |f: Field| wants_change && (applied.custom || f == Field::ConfigurationType);
        for (field, written, wanted, recommended) in fields {
            // Why an application that does not change this setting keeps it (for notices).
            let hold = if kept.contains(&field.name(InputFormat::TerraformHcl)) {
                Some("a suppressed finding keeps it".to_string())
            } else if wanted != recommended {
                Some(format!("its recommended {} is not a safe fix", recommended.shown()))
            } else {
                None
            };
            let wish = Wish {
                app: i,
                instance: &app.instance,
                format: app.format,
                field,
                wanted: if needed(field) { Some(wanted) } else { None },
                hold,
                readers: readers_of(&app.readers, field),
            };
            let proposed = match written {
                Written::Known { value, at, origin } => wish.replace(value, &at, origin.as_ref(), editable),
                Written::Absent => match &pc.block {
                    Some(block) => wish.insert(block, editable),
                    None => Ok(None),
                },
                Written::Unevaluated(span) => wish.unevaluated(span),
            };
            match proposed {
                Ok(Some(p)) => proposals.push(p),
                Ok(None) => {}
                Err(notice) => {
                    refused.insert(i);
                    out.notices.push(notice);
                }
            }
        }
    }

    for p in proposals.iter().filter(|p| p.change) {
        if let Some(other) = protected.get(p.file.path.as_str()) {
            if refused.insert(p.app) {
                out.notices.push(Notice {
                    span: Some(p.file.span(p.range.clone())),
                    message: format!(
                        "{}: not fixed: {} also holds values of {other}, which is not fixed (an input it reads has an error)",
                        analyses[p.app].app.instance,
                        p.file.path
                    ),
                });
            }
        }
    }
    let applied = shared::resolve(analyses, proposals, refused, &mut out);
    // An unsafe fix is applied only with --unsafe-fixes: each says what to confirm.
    for (i, changes) in applied.into_iter().filter(|_| opts.unsafe_fixes) {
        let a = &analyses[i];
        if let Some(rec) = a.recommendation.as_ref().filter(|r| !r.safe) {
            out.notices.push(Notice {
                span: Some(a.app.span.clone()),
                message: format!(
                    "{}: unsafe fix ({}): confirm first: {}",
                    a.app.instance,
                    changes.join(", "),
                    rec.confirm.join("; ")
                ),
            });
        }
    }
    out
}

/// The files tainted applications touch (their resource, settings, the origins of those and
/// their module calls), each with the first such application's instance.
fn tainted_files(analyses: &[Analysis]) -> BTreeMap<&str, &str> {
    let mut files: BTreeMap<&str, &str> = BTreeMap::new();
    for a in analyses.iter().filter(|a| a.tainted()) {
        let app = &a.app;
        let pc = &app.parallelism;
        let spans = [
            pc.configuration_type.span(),
            pc.parallelism.span(),
            pc.parallelism_per_kpu.span(),
            pc.auto_scaling_enabled.span(),
        ];
        let origins = [
            pc.configuration_type.origin(),
            pc.parallelism.origin(),
            pc.parallelism_per_kpu.origin(),
            pc.auto_scaling_enabled.origin(),
        ];
        let touched = std::iter::once(&app.span)
            .chain(app.source.as_ref())
            .chain(pc.block.as_ref())
            .chain(spans.into_iter().flatten())
            .chain(origins.into_iter().flatten().map(|o| &o.span))
            .chain(app.module_calls.iter().map(|c| &c.span));
        for span in touched {
            files.entry(span.path()).or_insert(&app.instance);
        }
    }
    files
}

/// The settings `unpinned` would change and `pinned` keeps as written, by name.
fn kept_settings(s: &crate::analysis::Sizing, unpinned: &Recommendation, pinned: &Recommendation) -> Vec<&'static str> {
    let e = s.effective;
    let kept = |now: u64, unpinned: u64, pinned: u64| unpinned != now && pinned == now;
    [
        (
            "configuration_type",
            kept(s.custom.into(), unpinned.custom.into(), pinned.custom.into()),
        ),
        (
            "parallelism",
            kept(e.parallelism, unpinned.parallelism, pinned.parallelism),
        ),
        (
            "parallelism_per_kpu",
            kept(
                e.parallelism_per_kpu,
                unpinned.parallelism_per_kpu,
                pinned.parallelism_per_kpu,
            ),
        ),
        (
            "auto_scaling_enabled",
            kept(
                e.auto_scaling.into(),
                unpinned.auto_scaling.into(),
                pinned.auto_scaling.into(),
            ),
        ),
    ]
    .into_iter()
    .filter_map(|(name, k)| k.then_some(name))
    .collect()
}

/// What one application wants for one setting (`wanted: None`: keep it as it is).
struct Wish<'a> {
    app: usize,
    instance: &'a str,
    format: InputFormat,
    field: Field,
    wanted: Option<Value>,
    /// Why it keeps the setting when its recommendation would change it.
    hold: Option<String>,
    /// What else reads the value where it is defined (another resource, an output, ...).
    readers: &'a [Reader],
}

impl Wish<'_> {
    fn name(&self) -> &'static str {
        self.field.name(self.format)
    }

    /// A written value: replaced at the literal it is defined by, or kept there (so a change
    /// another application wants at the same place is seen to conflict).
    fn replace(
        &self,
        value: Value,
        place: &Span,
        origin: Option<&(OriginKind, String)>,
        editable: &dyn Fn(&SourceFile) -> Result<(), String>,
    ) -> Result<Option<Proposal>, Notice> {
        let target = self.wanted.clone().unwrap_or_else(|| value.clone());
        let change = target != value;
        let refuse = |span: Option<Span>, why: String| Notice {
            span,
            message: format!(
                "{}: {} {} → {} is not applied: {why}",
                self.instance,
                self.name(),
                value.shown(),
                target.shown()
            ),
        };
        if let Some((OriginKind::Environment | OriginKind::CommandLine, label)) = origin {
            return if change {
                Err(refuse(None, format!("it is the {label}; change it there")))
            } else {
                Ok(None)
            };
        }
        let Some(text) = literal::replace(place.text(), &value, &target) else {
            return if change {
                Err(refuse(
                    Some(place.clone()),
                    format!(
                        "it is set by the expression `{}` at {}; change it by hand",
                        place.text().lines().next().unwrap_or(""),
                        at(place)
                    ),
                ))
            } else {
                Ok(None)
            };
        };
        if change {
            if let Err(why) = editable(&place.file) {
                return Err(refuse(Some(place.clone()), format!("{} {why}", place.path())));
            }
            if !self.readers.is_empty() {
                let readers: Vec<String> = self.readers.iter().map(|r| format!("{} ({})", r.what, r.at)).collect();
                return Err(refuse(
                    Some(place.clone()),
                    format!(
                        "{} at {} is also read by {}; edit {} by hand if the new value suits every reader",
                        origin.map_or("the value", |(_, l)| l.as_str()),
                        at(place),
                        readers.join(", "),
                        "it"
                    ),
                ));
            }
        }
        let need = match (&self.wanted, &self.hold) {
            (_, Some(hold)) if !change => format!("keeps {} ({hold})", value.shown()),
            _ => format!("needs {}", target.shown()),
        };
        let place_name = name_before(place, origin.map(|(_, l)| l.as_str()));
        Ok(Some(Proposal {
            app: self.app,
            field: self.field,
            file: Arc::clone(&place.file),
            range: place.range(),
            insert: None,
            text,
            change,
            description: format!("{place_name} {} → {}", value.shown(), target.shown()),
            place_name,
            need,
        }))
    }

    /// A setting not written: a line inserted into the block, when wanted.
    fn insert(
        &self,
        block: &Span,
        editable: &dyn Fn(&SourceFile) -> Result<(), String>,
    ) -> Result<Option<Proposal>, Notice> {
        let Some(wanted) = &self.wanted else {
            return Ok(None);
        };
        // An absent autoscaling flag is on already.
        if self.field == Field::AutoScaling && *wanted == Value::Bool(true) {
            return Ok(None);
        }
        let assignment = format!(
            "{}{}{}",
            self.name(),
            if self.format == InputFormat::TerraformHcl {
                " = "
            } else {
                ": "
            },
            wanted.hcl()
        );
        match insertion(self.format, block, self.name(), wanted, editable) {
            Ok((file, pos, line)) => Ok(Some(Proposal {
                app: self.app,
                field: self.field,
                file,
                range: pos..pos,
                insert: Some(self.field),
                text: line,
                change: true,
                place_name: self.name().to_string(),
                description: format!("+ {assignment}"),
                need: format!("needs {}", wanted.shown()),
            })),
            Err(why) => Err(Notice {
                span: Some(block.clone()),
                message: format!(
                    "{}: `{assignment}` is not inserted: {why}; add it by hand",
                    self.instance
                ),
            }),
        }
    }

    /// A setting that could not be evaluated cannot be changed.
    fn unevaluated(&self, span: Span) -> Result<Option<Proposal>, Notice> {
        match &self.wanted {
            Some(wanted) => Err(Notice {
                span: Some(span),
                message: format!(
                    "{}: {} cannot be evaluated, so it is not set to {}",
                    self.instance,
                    self.name(),
                    wanted.shown()
                ),
            }),
            None => Ok(None),
        }
    }
}

type Inserted = (Arc<SourceFile>, usize, String);

fn insertion(
    format: InputFormat,
    block: &Span,
    name: &str,
    value: &Value,
    editable: &dyn Fn(&SourceFile) -> Result<(), String>,
) -> Result<Inserted, String> {
    editable(&block.file).map_err(|why| format!("{} {why}", block.path()))?;
    let add = match format {
        InputFormat::TerraformHcl => insert::hcl_attribute,
        InputFormat::TerraformJson | InputFormat::CloudformationJson => insert::json_member,
        InputFormat::CloudformationYaml => insert::yaml_key,
        InputFormat::TerraformPlan => return Err("a plan is never edited".into()),
    };
    let (pos, line) = add(block, name, &value.hcl())?;
    Ok((Arc::clone(&block.file), pos, line))
}

/// What else reads the value `field` is defined by.
fn readers_of(readers: &SettingReaders, field: Field) -> &[Reader] {
    match field {
        Field::ConfigurationType => &readers.configuration_type,
        Field::Parallelism => &readers.parallelism,
        Field::ParallelismPerKpu => &readers.parallelism_per_kpu,
        Field::AutoScaling => &readers.auto_scaling_enabled,
    }
}

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
pub mod splice;
pub mod transaction;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use crate::analysis::Analysis;
use crate::model::{InputFormat, Notice, OriginKind, Setting};
use crate::source::{SourceFile, Span};
use literal::Value;

#[derive(Debug, Clone, Default)]
pub struct FixOptions {
    /// Also apply recommendations marked `safe: false`.
    pub unsafe_fixes: bool,
    /// Applications with a suppressed finding (inline, config or baseline): their values were
    /// accepted as they are, so they are kept.
    pub accepted: BTreeSet<String>,
}

/// One change to one file: `range` of its text (without a byte-order mark) becomes `text`.
#[derive(Debug, Clone)]
pub struct Edit {
    pub file: Arc<SourceFile>,
    pub range: Range<usize>,
    pub text: String,
    /// What changes, for the summary: `flink_parallelism 12 → 10`, `+ auto_scaling_enabled = false`.
    pub description: String,
    /// The applications (indices of the planned analyses) whose recommendation needs this
    /// edit: every file of one application's fix is written in one transaction.
    pub apps: BTreeSet<usize>,
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

    for (i, a) in analyses.iter().enumerate() {
        let (Some(rec), Ok(sizing)) = (&a.recommendation, &a.sizing) else {
            continue;
        };
        let app = &a.app;
        if app.format == InputFormat::TerraformPlan {
            if rec.changes(sizing) {
                out.notices.push(Notice {
                    span: Some(app.span.clone()),
                    message: format!(
                        "{} is read from a plan, which --fix never edits: fix the .tf and re-plan",
                        app.address
                    ),
                });
            }
            continue;
        }
        let accepted = opts.accepted.contains(&app.address);
        let wants_change = rec.changes(sizing) && (rec.safe || opts.unsafe_fixes) && !accepted;
        if rec.changes(sizing) && accepted {
            out.notices.push(Notice {
                span: Some(app.span.clone()),
                message: format!(
                    "{}: a finding on it is suppressed, so its values are kept as written (remove the suppression to fix it)",
                    app.address
                ),
            });
        } else if rec.changes(sizing) && !wants_change {
            out.notices.push(Notice {
                span: Some(app.span.clone()),
                message: format!(
                    "{}: unsafe fix skipped (confirm first: {}); apply it with --unsafe-fixes",
                    app.address,
                    rec.confirm.join("; ")
                ),
            });
        }
        let pc = &app.parallelism;
        let fields = [
            (
                Field::ConfigurationType,
                written(&pc.configuration_type, |s| configuration_type(s)),
                Value::Str(if rec.custom { "CUSTOM" } else { "DEFAULT" }),
            ),
            (
                Field::Parallelism,
                written(&pc.parallelism, whole),
                Value::Number(rec.parallelism),
            ),
            (
                Field::ParallelismPerKpu,
                written(&pc.parallelism_per_kpu, whole),
                Value::Number(rec.parallelism_per_kpu),
            ),
            (
                Field::AutoScaling,
                written(&pc.auto_scaling_enabled, |b| Some(Value::Bool(*b))),
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
                .map(|(f, _, v)| format!("{}{sep}{}", f.name(app.format), v.hcl()))
                .collect();
            refused.insert(i);
            out.notices.push(Notice {
                span: Some(app.span.clone()),
                message: format!(
                    "{}: there is no {block} block to fix; add one by hand with {}",
                    app.address,
                    values.join(", ")
                ),
            });
            continue;
        }
        // Under DEFAULT the numbers are ignored: only what CUSTOM needs is changed.
        let needed = |f: Field| wants_change && (rec.custom || f == Field::ConfigurationType);
        for (field, written, wanted) in fields {
            let wish = Wish {
                app: i,
                address: &app.address,
                format: app.format,
                field,
                wanted: if needed(field) { Some(wanted) } else { None },
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

    resolve_shared(analyses, proposals, refused, &mut out);
    out
}

/// What one application wants for one setting (`wanted: None`: keep it as it is).
struct Wish<'a> {
    app: usize,
    address: &'a str,
    format: InputFormat,
    field: Field,
    wanted: Option<Value>,
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
                self.address,
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
        }
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
            })),
            Err(why) => Err(Notice {
                span: Some(block.clone()),
                message: format!(
                    "{}: `{assignment}` is not inserted: {why}; add it by hand",
                    self.address
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
                    self.address,
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

/// One edit per place. A place that applications want at different values is not edited, and
/// then none of those applications' changes are made (a half-applied recommendation could be
/// worse than none): their wishes become "keep", which can refuse others in turn.
fn resolve_shared(analyses: &[Analysis], mut proposals: Vec<Proposal>, mut refused: BTreeSet<usize>, out: &mut Plan) {
    let mut reported: BTreeSet<(String, usize, usize, Option<Field>)> = BTreeSet::new();
    loop {
        for p in proposals.iter_mut().filter(|p| refused.contains(&p.app) && p.change) {
            // A refused application keeps its current value; an insertion just does not happen.
            if p.insert.is_some() {
                p.text.clear();
            } else {
                p.text = p.file.get(p.range.clone()).unwrap_or_default().to_string();
            }
            p.change = false;
        }
        proposals.retain(|p| p.change || p.insert.is_none());
        let mut groups: BTreeMap<(String, usize, usize, Option<Field>), Vec<&Proposal>> = BTreeMap::new();
        for p in &proposals {
            groups.entry(p.key()).or_default().push(p);
        }
        let mut newly = BTreeSet::new();
        for (key, group) in &groups {
            let texts: BTreeSet<&str> = group.iter().map(|p| p.text.as_str()).collect();
            if texts.len() < 2 {
                continue;
            }
            newly.extend(group.iter().filter(|p| p.change).map(|p| p.app));
            if reported.insert(key.clone()) {
                let first = group[0];
                let wants: Vec<String> = group
                    .iter()
                    .map(|p| format!("{} needs {}", analyses[p.app].app.address, p.text.trim()))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                out.notices.push(Notice {
                    span: Some(first.file.span(first.range.clone())),
                    message: format!(
                        "{} = {} feeds applications whose recommendations differ ({}): not edited",
                        first.place_name,
                        first.file.get(first.range.clone()).unwrap_or_default().trim(),
                        wants.join(", ")
                    ),
                });
            }
        }
        newly.retain(|a| !refused.contains(a));
        if newly.is_empty() {
            break;
        }
        for a in &newly {
            out.notices.push(Notice {
                span: Some(analyses[*a].app.span.clone()),
                message: format!(
                    "{}: none of its fixes are applied, as one of its values is shared with an application that needs another",
                    analyses[*a].app.address
                ),
            });
        }
        refused.extend(newly);
    }
    let mut seen: BTreeMap<(String, usize, usize, Option<Field>), usize> = BTreeMap::new();
    let mut edits: Vec<(Field, Edit)> = Vec::new();
    for p in proposals.into_iter().filter(|p| p.change) {
        match seen.get(&p.key()) {
            Some(&i) => {
                edits[i].1.apps.insert(p.app);
            }
            None => {
                seen.insert(p.key(), edits.len());
                edits.push((
                    p.field,
                    Edit {
                        file: p.file,
                        range: p.range,
                        text: p.text,
                        description: p.description,
                        apps: BTreeSet::from([p.app]),
                    },
                ));
            }
        }
    }
    edits.sort_by(|(fa, a), (fb, b)| {
        (a.file.path.as_str(), a.range.start, a.range.end, fa).cmp(&(
            b.file.path.as_str(),
            b.range.start,
            b.range.end,
            fb,
        ))
    });
    out.edits = edits.into_iter().map(|(_, e)| e).collect();
}

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
    let text = &span.file.text[..span.start];
    let line = text.rsplit('\n').next().unwrap_or("");
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
        // Under DEFAULT the numbers are ignored: only what CUSTOM needs is changed.
        let needed = |f: Field| rec.custom || f == Field::ConfigurationType;
        for (field, w, wanted) in fields {
            let name = field.name(app.format);
            match w {
                Written::Known {
                    value,
                    at: place,
                    origin,
                } => {
                    let target_value = if wants_change && needed(field) {
                        wanted.clone()
                    } else {
                        value.clone()
                    };
                    let outside = matches!(origin, Some((OriginKind::Environment | OriginKind::CommandLine, _)));
                    if outside && target_value != value {
                        refused.insert(i);
                        out.notices.push(Notice {
                            span: None,
                            message: not_literal(&app.address, name, &value, &target_value, &place, origin.as_ref()),
                        });
                        continue;
                    }
                    let Some(text) = literal::replace(place.text(), &value, &target_value) else {
                        if target_value != value {
                            refused.insert(i);
                            out.notices.push(Notice {
                                span: Some(place.clone()),
                                message: not_literal(
                                    &app.address,
                                    name,
                                    &value,
                                    &target_value,
                                    &place,
                                    origin.as_ref(),
                                ),
                            });
                        }
                        continue;
                    };
                    let change = target_value != value;
                    if change {
                        if let Err(why) = editable(&place.file) {
                            refused.insert(i);
                            out.notices.push(Notice {
                                span: Some(place.clone()),
                                message: format!(
                                    "{}: {name} {} → {} is not applied: {} {why}",
                                    app.address,
                                    value.shown(),
                                    target_value.shown(),
                                    place.path()
                                ),
                            });
                            continue;
                        }
                    }
                    let label = origin.as_ref().map(|(_, l)| l.as_str());
                    let place_name = name_before(&place, label);
                    proposals.push(Proposal {
                        app: i,
                        field,
                        file: Arc::clone(&place.file),
                        range: place.range(),
                        insert: None,
                        text,
                        change,
                        description: format!("{place_name} {} → {}", value.shown(), target_value.shown()),
                        place_name,
                    });
                }
                Written::Absent if wants_change && needed(field) => {
                    // An absent autoscaling flag is on; an absent type (no block) is DEFAULT.
                    if field == Field::AutoScaling && wanted == Value::Bool(true) {
                        continue;
                    }
                    match insertion(app.format, pc.block.as_ref(), name, &wanted, editable) {
                        Ok((file, pos, line)) => proposals.push(Proposal {
                            app: i,
                            field,
                            file,
                            range: pos..pos,
                            insert: Some(field),
                            text: line,
                            change: true,
                            place_name: name.to_string(),
                            description: format!(
                                "+ {name}{}{}",
                                if app.format == InputFormat::TerraformHcl {
                                    " = "
                                } else {
                                    ": "
                                },
                                wanted.hcl()
                            ),
                        }),
                        Err(why) => {
                            refused.insert(i);
                            out.notices.push(Notice {
                                span: Some(pc.block.clone().unwrap_or_else(|| app.span.clone())),
                                message: format!(
                                    "{}: {name} = {} is not inserted: {why}; add it by hand",
                                    app.address,
                                    wanted.shown()
                                ),
                            });
                        }
                    }
                }
                Written::Absent => {}
                Written::Unevaluated(span) if wants_change && needed(field) => {
                    refused.insert(i);
                    out.notices.push(Notice {
                        span: Some(span),
                        message: format!(
                            "{}: {name} cannot be evaluated, so it is not set to {}",
                            app.address,
                            wanted.shown()
                        ),
                    });
                }
                Written::Unevaluated(_) => {}
            }
        }
    }

    resolve_shared(analyses, proposals, refused, &mut out);
    out
}

fn not_literal(
    address: &str,
    name: &str,
    value: &Value,
    wanted: &Value,
    place: &Span,
    origin: Option<&(OriginKind, String)>,
) -> String {
    let head = format!(
        "{address}: {name} {} → {} is not applied:",
        value.shown(),
        wanted.shown()
    );
    match origin.map(|(k, l)| (*k, l.as_str())) {
        Some((OriginKind::Environment | OriginKind::CommandLine, label)) => {
            format!("{head} it is the {label}; change it there")
        }
        _ => format!(
            "{head} it is set by the expression `{}` at {}; change it by hand",
            place.text().lines().next().unwrap_or(""),
            at(place)
        ),
    }
}

type Inserted = (Arc<SourceFile>, usize, String);

fn insertion(
    format: InputFormat,
    block: Option<&Span>,
    name: &str,
    value: &Value,
    editable: &dyn Fn(&SourceFile) -> Result<(), String>,
) -> Result<Inserted, String> {
    let Some(block) = block else {
        return Err("there is no parallelism configuration block".into());
    };
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
                p.text = p.file.text[p.range.clone()].to_string();
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
                        first.file.text[first.range.clone()].trim(),
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
    let mut seen = BTreeSet::new();
    let mut edits: Vec<(Field, Edit)> = Vec::new();
    for p in proposals.into_iter().filter(|p| p.change) {
        if seen.insert(p.key()) {
            edits.push((
                p.field,
                Edit {
                    file: p.file,
                    range: p.range,
                    text: p.text,
                    description: p.description,
                },
            ));
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

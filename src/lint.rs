//! Runs the rules over every analysed application, applies per-rule configuration, inline and
//! config suppressions and the baseline, and returns the findings in a deterministic order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use crate::analysis::Analysis;
use crate::config::Config;
use crate::date::Date;
use crate::model::{Directive, DirectiveKind, DirectiveTarget, OriginKind, Setting, Severity, StrayDirective};
use crate::rules::suppression::{self, InlineSuppression, KPU900, KPU901, KPU902, KPU903};
use crate::rules::{self, RuleMeta, CHECKS};
use crate::source::Span;

/// A secondary location shown with a finding (a module call, where a value was written).
#[derive(Debug, Clone)]
pub struct Related {
    pub span: Span,
    pub message: String,
    /// Where the value of this setting (`parallelism`, ...) was written, when that is another
    /// place than the attribute: a tfvars entry, a module argument, a variable default, a local.
    /// The single-location formats annotate it too, so a change there is shown where it is.
    pub value_of: Option<&'static str>,
}

/// Where a suppression was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressedBy {
    /// A comment, CloudFormation `Metadata` or a `kpulint:ignore` tag.
    Inline,
    /// An `ignore` block of `.kpulint.hcl`.
    Config,
    /// A `--baseline` / `--write-baseline` file.
    Baseline,
}

/// How a finding was accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppressed {
    pub by: SuppressedBy,
    pub reason: String,
    pub until: Option<Date>,
}

impl Suppressed {
    /// Accepted by the baseline file at `path`.
    pub fn baseline(path: &str) -> Self {
        Suppressed {
            by: SuppressedBy::Baseline,
            reason: format!("accepted in baseline {path}"),
            until: None,
        }
    }

    /// SARIF's suppression kind: `inSource` or `external`.
    pub fn kind(&self) -> &'static str {
        match self.by {
            SuppressedBy::Inline => "inSource",
            SuppressedBy::Config | SuppressedBy::Baseline => "external",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub span: Span,
    pub label: String,
    pub message: String,
    pub help: String,
    /// The application's address (`None` for findings about suppressions in the config).
    pub application: Option<String>,
    /// The application's root ([`crate::model::Application::root`]) and identity
    /// ([`crate::model::Application::instance`]), as the application has them.
    pub root: Option<String>,
    pub instance: Option<String>,
    pub related: Vec<Related>,
    pub suppressed: Option<Suppressed>,
    /// Stable across unrelated edits: rule, application instance (root and address), file and
    /// occurrence, no line numbers.
    pub fingerprint: String,
    /// The fingerprint as baselines written before instances had roots recorded it (the
    /// address without the root): entries without a root are matched against it.
    pub legacy_fingerprint: String,
}

/// Options that change which findings count.
#[derive(Debug, Clone)]
pub struct LintOptions {
    pub today: Date,
    /// What `--baseline` accepts, with the baseline's path for the reason.
    pub baseline: Option<(String, crate::baseline::Accepted)>,
}

/// FNV-1a, 64 bit: a stable hash without a dependency.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn rule_enabled(config: &Config, rule: &RuleMeta) -> Option<Severity> {
    match config.rules.get(rule.id) {
        Some(s) if !s.enabled => None,
        Some(s) => Some(s.severity.unwrap_or(rule.severity)),
        None => Some(rule.severity),
    }
}

/// A severity set in the config wins over one a rule gives a particular finding.
fn configured_severity(config: &Config, rule: &RuleMeta) -> Option<Severity> {
    config.rules.get(rule.id).and_then(|s| s.severity)
}

/// Secondary locations for a finding at `span`: where its value was written, and the module
/// calls the application was reached through.
fn related(a: &Analysis, span: &Span) -> Vec<Related> {
    let pc = &a.app.parallelism;
    let settings = [
        ("parallelism", pc.parallelism.span(), pc.parallelism.origin()),
        (
            "parallelism_per_kpu",
            pc.parallelism_per_kpu.span(),
            pc.parallelism_per_kpu.origin(),
        ),
        (
            "auto_scaling_enabled",
            pc.auto_scaling_enabled.span(),
            pc.auto_scaling_enabled.origin(),
        ),
        (
            "configuration_type",
            pc.configuration_type.span(),
            pc.configuration_type.origin(),
        ),
    ];
    let mut out = Vec::new();
    for (name, s, o) in settings {
        if let (Some(s), Some(o)) = (s, o) {
            if s == span && o.span != *span {
                // A value written in a file of the repository (not `--var`, the environment, or
                // the .tf a plan was made from, which takes the finding's place instead).
                let written = matches!(
                    o.kind,
                    OriginKind::VarFile
                        | OriginKind::ModuleArgument
                        | OriginKind::VariableDefault
                        | OriginKind::Local
                        | OriginKind::ParameterDefault
                        | OriginKind::Mapping
                );
                out.push(Related {
                    span: o.span.clone(),
                    message: o.label.clone(),
                    value_of: written.then_some(name),
                });
            }
        }
    }
    for call in &a.app.module_calls {
        out.push(Related {
            span: call.span.clone(),
            message: format!("reached through {}", call.address),
            value_of: None,
        });
    }
    out
}

/// Lints the analyses; `strays` are the directives that attached to no application, each with
/// the config that applies to its file.
pub fn lint(analyses: &[Analysis], strays: &[(StrayDirective, Arc<Config>)], opts: &LintOptions) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(strays.iter().filter_map(|(s, config)| stray_finding(s, config)));
    findings.extend(unmatched_application_blocks(analyses));
    // Config ignore blocks, keyed by (config file, block index): (linted a file in its paths,
    // hid a finding). A block whose paths were not linted this run is not "unused".
    let mut scopes: BTreeMap<(String, usize), (bool, bool)> = BTreeMap::new();
    let mut configs: BTreeMap<String, &Config> = BTreeMap::new();
    let mut uses = SuppressionUses::new();
    for a in analyses {
        let config: &Config = &a.config;
        let config_key = config.file.as_ref().map(|f| f.path.clone()).unwrap_or_default();
        configs.insert(config_key.clone(), config);
        let mut app_findings = rule_findings(a, config);
        let meta_findings = apply_inline_suppressions(a, config, &mut app_findings, &mut uses, opts.today);
        apply_config_ignores(a, config, &config_key, &mut app_findings, &mut scopes, opts.today);
        findings.extend(app_findings);
        findings.extend(meta_findings);
    }
    findings.extend(stale_config_ignores(&scopes, &configs, opts.today));
    findings.extend(unused_inline_suppressions(uses));

    if let Some((path, accepted)) = &opts.baseline {
        for f in findings
            .iter_mut()
            .filter(|f| f.suppressed.is_none() && accepted.accepts(f))
        {
            f.suppressed = Some(Suppressed::baseline(path));
        }
    }

    findings.sort_by(|a, b| {
        (a.span.path(), a.span.start, a.rule.id, &a.message).cmp(&(b.span.path(), b.span.start, b.rule.id, &b.message))
    });
    // A directive above a module call reaches every instance: report a problem with it once.
    findings.dedup_by(|a, b| a.rule.id == b.rule.id && a.span == b.span && a.message == b.message);
    findings
}

/// A `kpulint:ignore` tag (Terraform JSON, plans, any resource with tags) is a suppression of
/// the whole resource.
fn ignore_tag(a: &Analysis) -> Option<Directive> {
    let tag = a.app.tag(crate::analysis::TAG_IGNORE)?;
    let Setting::Known { value, span, .. } = &tag.value else {
        return None;
    };
    // Point inside the quotes when the value is a quoted string literal.
    let quoted = span.text().len() == value.len() + 2 && span.text().starts_with('"');
    let span = if quoted {
        span.file.span(span.start + 1..span.end - 1)
    } else {
        span.clone()
    };
    Some(Directive {
        kind: DirectiveKind::Ignore,
        body: value.clone(),
        span,
        target: DirectiveTarget::Resource,
    })
}

/// A plan finding is located at the `.tf` source the plan was made from when that is known
/// (`--source-dir`, or the `.tf` application merged into the plan's): plans are rarely
/// committed, so an annotation on plan.json lands on nothing. The plan offset stays related.
/// A plan read from standard input has no file to annotate at all.
fn locate_at_source(a: &Analysis, span: &mut Span, related: &mut Vec<Related>) {
    let stdin = span.path() == "<stdin>";
    if !(a.app.located_at_source || stdin) {
        return;
    }
    let in_plan = if stdin {
        "value in the plan read from stdin"
    } else {
        "value in the plan"
    };
    if let Some(i) = related.iter().position(|r| r.message.starts_with("written at")) {
        let tf = related.remove(i);
        let plan = std::mem::replace(span, tf.span);
        related.insert(
            0,
            Related {
                span: plan,
                message: in_plan.into(),
                value_of: None,
            },
        );
    } else if let Some(header) = a.app.source.as_ref().filter(|_| span.same_file(&a.app.span)) {
        // Not written in the .tf (or not an attribute): the resource it belongs to.
        let message = if *span == a.app.span {
            "resource in the plan"
        } else {
            in_plan
        };
        let plan = std::mem::replace(span, header.clone());
        related.insert(
            0,
            Related {
                span: plan,
                message: message.into(),
                value_of: None,
            },
        );
    }
}

/// Rules that read the declared needs: none runs while a declaration is rejected (the need is
/// invalid, not undeclared).
const NEED_RULES: [&str; 8] = [
    "KPU003", "KPU004", "KPU005", "KPU007", "KPU008", "KPU010", "KPU011", "KPU012",
];

/// Rules that read nothing a config file sets (thresholds, declarations, prices): the only
/// ones that run while the application's config file is broken.
const CONFIG_FREE_RULES: [&str; 4] = ["KPU001", "KPU002", "KPU006", "KPU009"];

/// Whether `rule` may report on `a`: nothing is reported from a need or setting that a broken
/// input may have set otherwise.
fn rule_applies(a: &Analysis, rule: &RuleMeta) -> bool {
    !(a.needs_invalid() && NEED_RULES.contains(&rule.id) || a.config_broken() && !CONFIG_FREE_RULES.contains(&rule.id))
}

/// The findings of every enabled rule for one application.
fn rule_findings(a: &Analysis, config: &Config) -> Vec<Finding> {
    let mut app_findings: Vec<Finding> = Vec::new();
    let mut occurrences: BTreeMap<&str, usize> = BTreeMap::new();
    for (meta, check) in CHECKS {
        let Some(severity) = rule_enabled(config, meta).filter(|_| rule_applies(a, meta)) else {
            continue;
        };
        for hit in check(a) {
            let n = occurrences.entry(meta.id).or_default();
            *n += 1;
            // The root module's call site tells apart two roots calling one shared module; the
            // instance names the root (the legacy fingerprint, without it, is what baselines
            // written before held).
            let call_site = a.app.module_calls.first().map(|c| c.span.path()).unwrap_or("");
            let occurrence = n.to_string();
            let fp = fingerprint(&[meta.id, &a.app.instance, hit.span.path(), call_site, &occurrence]);
            let legacy_fp = fingerprint(&[meta.id, &a.app.address, hit.span.path(), call_site, &occurrence]);
            // Instances of a module call or of count/for_each share their source lines:
            // every format names which instance a finding is about.
            let shared = a.app.address.contains('[') || a.app.address.starts_with("module.");
            let message = if shared && !hit.message.contains(&a.app.instance) {
                format!("{}: {}", a.app.instance, hit.message)
            } else {
                hit.message
            };
            let mut related = related(a, &hit.span);
            let mut span = hit.span;
            locate_at_source(a, &mut span, &mut related);
            let severity = configured_severity(config, meta).or(hit.severity).unwrap_or(severity);
            app_findings.push(Finding {
                rule: meta,
                severity,
                related,
                span,
                label: hit.label,
                message,
                help: hit.help,
                application: Some(a.app.address.clone()),
                root: Some(a.app.root.clone()),
                instance: Some(a.app.instance.clone()),
                suppressed: None,
                fingerprint: fp,
                legacy_fingerprint: legacy_fp,
            });
        }
    }
    app_findings
}

/// Applies the application's inline suppressions (comments, Metadata, `kpulint:ignore` tags)
/// and returns the findings about the suppressions themselves (KPU900–KPU902).
/// What each inline suppression (by its position) hid across every application it applies to:
/// one in a module that several roots or instances share is unused only when it hides nothing
/// in any of them. The KPU901 finding for the first application, to report when so.
type SuppressionUses = BTreeMap<(String, usize), (Vec<String>, BTreeSet<&'static str>, Option<Finding>)>;

/// KPU901 for the inline suppressions that listed a rule no application they apply to had.
fn unused_inline_suppressions(uses: SuppressionUses) -> Vec<Finding> {
    uses.into_values()
        .filter_map(|(rules, used, report)| {
            let unused: Vec<&str> = rules.iter().map(String::as_str).filter(|r| !used.contains(r)).collect();
            let mut f = report.filter(|_| !unused.is_empty())?;
            f.message = format!("suppression of {} matches no finding", unused.join(", "));
            Some(f)
        })
        .collect()
}

fn apply_inline_suppressions(
    a: &Analysis,
    config: &Config,
    app_findings: &mut [Finding],
    uses: &mut SuppressionUses,
    today: Date,
) -> Vec<Finding> {
    let resolve = |name: &str| rules::by_id(name).map(|r| r.id);
    // Inline suppressions of this application.
    let inline: Vec<InlineSuppression> = a
        .app
        .directives
        .iter()
        .filter(|d| d.kind == DirectiveKind::Ignore)
        .cloned()
        .chain(ignore_tag(a))
        .map(|d| suppression::parse(&d, &resolve))
        .collect();
    let mut meta_findings = Vec::new();
    if let Some(sev) = rule_enabled(config, &KPU900) {
        for d in a.app.directives.iter().filter(|d| d.kind == DirectiveKind::Lookalike) {
            let (message, help) = lookalike_text(d);
            meta_findings.push(meta_finding(&KPU900, sev, &d.span, a, message, help));
        }
    }
    for s in &inline {
        let matches = |f: &Finding| {
            s.rules.iter().any(|r| r == f.rule.id)
                && match s.target {
                    DirectiveTarget::Resource => true,
                    DirectiveTarget::Line(line) => f.span.same_file(&s.span) && f.span.location().line == line,
                }
        };
        if !s.problems.is_empty() {
            if let Some(sev) = rule_enabled(config, &KPU900) {
                meta_findings.push(meta_finding(
                    &KPU900,
                    sev,
                    &s.span,
                    a,
                    format!("suppression is not valid and hides nothing: {}", s.problems.join("; ")),
                    "write `kpulint-ignore: KPU004 reason=\"why\" until=YYYY-MM-DD`".into(),
                ));
            }
            continue;
        }
        let expired = s.until.is_some_and(|u| u < today);
        let mut used: BTreeSet<&str> = BTreeSet::new();
        for f in app_findings.iter_mut().filter(|f| matches(f)) {
            used.insert(f.rule.id);
            if !expired && f.suppressed.is_none() {
                f.suppressed = Some(Suppressed {
                    by: SuppressedBy::Inline,
                    reason: s.reason.clone().unwrap_or_default(),
                    until: s.until,
                });
            }
        }
        if expired {
            if let Some(sev) = rule_enabled(config, &KPU902) {
                let until = s.until.map(|d| d.to_string()).unwrap_or_default();
                meta_findings.push(meta_finding(
                    &KPU902,
                    sev,
                    &s.span,
                    a,
                    format!(
                        "suppression of {} expired on {until}; the finding is active again",
                        s.rules.join(", ")
                    ),
                    "fix the finding, or renew the suppression with a new until= date and reason".into(),
                ));
            }
        } else {
            // Each listed rule must earn its place in one of the applications the suppression
            // applies to: the ones that hide nothing in any are reported at the end.
            let entry = uses
                .entry((s.span.path().to_string(), s.span.start))
                .or_insert_with(|| (s.rules.clone(), BTreeSet::new(), None));
            entry.1.extend(used);
            if entry.2.is_none() {
                entry.2 = rule_enabled(config, &KPU901).map(|sev| {
                    meta_finding(
                        &KPU901,
                        sev,
                        &s.span,
                        a,
                        String::new(),
                        "remove the unused suppression".into(),
                    )
                });
            }
        }
    }
    meta_findings
}

/// Applies the config's path-scoped `ignore` blocks, recording which were in scope and used.
fn apply_config_ignores(
    a: &Analysis,
    config: &Config,
    config_key: &str,
    app_findings: &mut [Finding],
    scopes: &mut BTreeMap<(String, usize), (bool, bool)>,
    today: Date,
) {
    // Config `ignore` blocks scoped by path (the finding's file, or the directory of the root
    // module that reaches the application) and application.
    let base = config.base_dir();
    let root_dir = (!a.app.root_dir.is_empty()).then(|| relative_to(&a.app.root_dir, base.as_deref()));
    let in_root = |scope: &crate::config::IgnoreScope| {
        root_dir.as_deref().is_some_and(|dir| {
            let inside = format!("{}/", dir.trim_end_matches('/'));
            scope.paths.iter().any(|g| g.is_match(dir) || g.is_match(&inside))
        })
    };
    for (i, scope) in config.ignores.iter().enumerate() {
        let (in_scope, used) = scopes.entry((config_key.to_string(), i)).or_insert((false, false));
        let expired = scope.until.is_some_and(|u| u < today);
        let app_file = relative_to(a.app.span.path(), base.as_deref());
        let root_ok = in_root(scope);
        let app_ok = scope.applications.is_empty() || scope.applications.iter().any(|s| s.selects(&a.app));
        *in_scope |= app_ok && (scope.paths.is_empty() || root_ok || scope.paths.iter().any(|g| g.is_match(&app_file)));
        for f in app_findings.iter_mut() {
            let rel = relative_to(f.span.path(), base.as_deref());
            let path_ok = scope.paths.is_empty() || root_ok || scope.paths.iter().any(|g| g.is_match(&rel));
            let rule_ok = scope.rules.is_empty() || scope.rules.iter().any(|r| r == f.rule.id);
            if app_ok && path_ok && rule_ok {
                *used = true;
                if !expired && f.suppressed.is_none() {
                    f.suppressed = Some(Suppressed {
                        by: SuppressedBy::Config,
                        reason: scope.reason.clone().unwrap_or_default(),
                        until: scope.until,
                    });
                }
            }
        }
    }
}

/// KPU901/KPU902 for config `ignore` blocks that hid nothing in scope, or have expired.
fn stale_config_ignores(
    scopes: &BTreeMap<(String, usize), (bool, bool)>,
    configs: &BTreeMap<String, &Config>,
    today: Date,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Unused or expired config ignore blocks.
    for ((config_key, i), (in_scope, used)) in scopes {
        let Some(config) = configs.get(config_key) else {
            continue;
        };
        let Some(scope) = config.ignores.get(*i) else { continue };
        let expired = scope.until.is_some_and(|u| u < today);
        let span = scope.span.first_line();
        if expired {
            if let Some(sev) = rule_enabled(config, &KPU902) {
                findings.push(config_finding(
                    &KPU902,
                    sev,
                    span,
                    format!(
                        "ignore block expired on {}; its findings are active again",
                        scope.until.map(|d| d.to_string()).unwrap_or_default()
                    ),
                    "fix the findings, or renew the block with a new until date and reason",
                ));
            }
        } else if (*in_scope || config.whole_tree_scanned) && !used {
            if let Some(sev) = rule_enabled(config, &KPU901) {
                findings.push(config_finding(
                    &KPU901,
                    sev,
                    span,
                    "ignore block matches no finding".into(),
                    "remove the unused ignore block",
                ));
            }
        }
    }
    findings
}

fn relative_to(path: &str, base: Option<&Path>) -> String {
    let p = Path::new(path);
    let rel = match base {
        Some(b) if !b.as_os_str().is_empty() => p.strip_prefix(b).unwrap_or(p),
        _ => p,
    };
    rel.to_string_lossy().replace('\\', "/")
}

fn meta_finding(
    rule: &'static RuleMeta,
    severity: Severity,
    span: &Span,
    a: &Analysis,
    message: String,
    help: String,
) -> Finding {
    Finding {
        rule,
        severity,
        span: span.clone(),
        label: "this suppression".into(),
        message,
        help,
        application: Some(a.app.address.clone()),
        root: Some(a.app.root.clone()),
        instance: Some(a.app.instance.clone()),
        related: Vec::new(),
        suppressed: None,
        fingerprint: fingerprint(&[rule.id, &a.app.instance, span.path(), span.text()]),
        legacy_fingerprint: fingerprint(&[rule.id, &a.app.address, span.path(), span.text()]),
    }
}

/// A comment that starts like a directive but is not one: what it is and what was expected.
fn lookalike_text(d: &Directive) -> (String, String) {
    (
        format!(
            "`{}` looks like a kpulint directive but is not one, so it does nothing",
            d.body
        ),
        format!("write {}", crate::inputs::directives::expected_form(&d.body)),
    )
}

/// KPU903 for a directive that attaches to no application (KPU900 for a lookalike).
fn stray_finding(s: &StrayDirective, config: &Config) -> Option<Finding> {
    let d = &s.directive;
    let (rule, message, help) = match d.kind {
        DirectiveKind::Lookalike => {
            let (message, help) = lookalike_text(d);
            (&KPU900, message, help)
        }
        kind => {
            let what = if kind == DirectiveKind::Ignore {
                "suppression"
            } else {
                "declaration"
            };
            let in_var_file = d.span.path().ends_with(".tfvars");
            let help = match &s.nearest {
                _ if in_var_file => "in a .tfvars file a directive attaches to the comment block directly above an assignment (no blank line below it) or to the end of its line, and applies to the applications that assignment's value reaches".into(),
                Some(n) => format!(
                    "a directive attaches to the comment block directly above a resource or module block (no blank line below it): move it above {n}"
                ),
                None => "put it directly above the aws_kinesisanalyticsv2_application resource it describes".into(),
            };
            (
                &KPU903,
                format!("{what} `{}` attaches to no application: {}", d.body, s.why),
                help,
            )
        }
    };
    let severity = rule_enabled(config, rule)?;
    let fp = fingerprint(&[rule.id, d.span.path(), d.span.text()]);
    Some(Finding {
        rule,
        severity,
        legacy_fingerprint: fp.clone(),
        fingerprint: fp,
        root: None,
        instance: None,
        span: d.span.clone(),
        label: "attaches to nothing".into(),
        message,
        help,
        application: None,
        related: Vec::new(),
        suppressed: None,
    })
}

/// KPU903 for `.kpulint.hcl` `application` blocks that matched no linted application. Only
/// when the run scanned the config's whole tree: a pre-commit run on a few files does not see
/// the applications the other blocks are for.
fn unmatched_application_blocks(analyses: &[Analysis]) -> Vec<Finding> {
    let mut by_config: BTreeMap<String, (&Config, Vec<&crate::model::Application>)> = BTreeMap::new();
    for a in analyses {
        let Some(file) = &a.config.file else { continue };
        by_config
            .entry(file.path.clone())
            .or_insert_with(|| (&a.config, Vec::new()))
            .1
            .push(&a.app);
    }
    let mut out = Vec::new();
    for (config, apps) in by_config.values() {
        let Some(severity) = config
            .whole_tree_scanned
            .then(|| rule_enabled(config, &KPU903))
            .flatten()
        else {
            continue;
        };
        for block in &config.applications {
            if apps.iter().any(|a| block.matches(&a.root, &a.address)) {
                continue;
            }
            // A `ROOT:` pattern is compared with instances, a bare one with addresses.
            let names = apps.iter().map(|a| {
                if block.pattern.contains(':') && a.instance == a.address {
                    format!("{}:{}", a.root, a.address)
                } else if block.pattern.contains(':') {
                    a.instance.clone()
                } else {
                    a.address.clone()
                }
            });
            let names: Vec<String> = names.collect();
            let help = match crate::similar::closest(&block.pattern, names.iter().map(String::as_str)) {
                Some(near) => format!("did you mean `application \"{near}\"`?"),
                None => "remove the block, or fix its pattern".into(),
            };
            let span = block.span.first_line();
            let fp = fingerprint(&[KPU903.id, span.path(), &block.pattern]);
            out.push(Finding {
                rule: &KPU903,
                severity,
                legacy_fingerprint: fp.clone(),
                fingerprint: fp,
                root: None,
                instance: None,
                span,
                label: "matches no application".into(),
                message: format!(
                    "application \"{}\" matches no application, so its declarations are not used",
                    block.pattern
                ),
                help,
                application: None,
                related: Vec::new(),
                suppressed: None,
            });
        }
    }
    out
}

fn config_finding(rule: &'static RuleMeta, severity: Severity, span: Span, message: String, help: &str) -> Finding {
    let fp = fingerprint(&[rule.id, span.path(), span.text()]);
    Finding {
        rule,
        severity,
        legacy_fingerprint: fp.clone(),
        fingerprint: fp,
        root: None,
        instance: None,
        span,
        label: "this ignore block".into(),
        message,
        help: help.into(),
        application: None,
        related: Vec::new(),
        suppressed: None,
    }
}

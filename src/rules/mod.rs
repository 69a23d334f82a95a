//! The rules: one file per rule, each a small pure function of an [`Analysis`].

use crate::analysis::Analysis;
use crate::model::{InputFormat, Origin, OriginKind, Severity};
use crate::source::Span;

pub mod kpu001_invalid_parallelism;
pub mod kpu002_custom_values_ignored;
pub mod kpu003_state_exceeds_storage;
pub mod kpu004_overscale_margin;
pub mod kpu005_bundle_waste;
pub mod kpu006_partial_kpu;
pub mod kpu007_kpu_quota;
pub mod kpu008_undeclared_state;
pub mod kpu009_unresolved_value;
pub mod kpu010_slow_rescale;
pub mod kpu011_underprovisioned;
pub mod kpu012_max_parallelism_ceiling;
pub mod kpu013_declaration_disagrees_with_measurement;
pub mod kpu014_running_config_drift;
pub mod kpu015_stale_evidence;
pub mod kpu016_needs_above_max_parallelism;
pub mod suppression;

/// A rule's identity; its documentation page lives in `rules/<ID>.md`.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// The Markdown page from `rules/`, embedded in the binary.
    pub doc: &'static str,
}

impl RuleMeta {
    /// The one-line summary from the page's `- **Summary:**` line.
    pub fn summary(&self) -> &'static str {
        self.doc
            .lines()
            .find_map(|l| l.strip_prefix("- **Summary:** "))
            .unwrap_or("")
    }

    /// Where the rule's page is published (used as SARIF `helpUri`).
    pub fn url(&self) -> String {
        format!("{}/blob/main/rules/{}.md", env!("CARGO_PKG_REPOSITORY"), self.id)
    }
}

/// What a rule reports, before severity overrides and suppressions are applied.
#[derive(Debug, Clone)]
pub struct Hit {
    pub span: Span,
    /// Short label shown under the source snippet.
    pub label: String,
    pub message: String,
    pub help: String,
    /// A severity other than the rule's default for this finding (a config override still wins).
    pub severity: Option<Severity>,
}

pub type Check = fn(&Analysis) -> Vec<Hit>;

/// Every sizing rule with its check, in id order.
pub const CHECKS: &[(&RuleMeta, Check)] = &[
    (&kpu001_invalid_parallelism::META, kpu001_invalid_parallelism::check),
    (&kpu002_custom_values_ignored::META, kpu002_custom_values_ignored::check),
    (&kpu003_state_exceeds_storage::META, kpu003_state_exceeds_storage::check),
    (&kpu004_overscale_margin::META, kpu004_overscale_margin::check),
    (&kpu005_bundle_waste::META, kpu005_bundle_waste::check),
    (&kpu006_partial_kpu::META, kpu006_partial_kpu::check),
    (&kpu007_kpu_quota::META, kpu007_kpu_quota::check),
    (&kpu008_undeclared_state::META, kpu008_undeclared_state::check),
    (&kpu009_unresolved_value::META, kpu009_unresolved_value::check),
    (&kpu010_slow_rescale::META, kpu010_slow_rescale::check),
    (&kpu011_underprovisioned::META, kpu011_underprovisioned::check),
    (
        &kpu012_max_parallelism_ceiling::META,
        kpu012_max_parallelism_ceiling::check,
    ),
    (
        &kpu013_declaration_disagrees_with_measurement::META,
        kpu013_declaration_disagrees_with_measurement::check,
    ),
    (&kpu014_running_config_drift::META, kpu014_running_config_drift::check),
    (&kpu015_stale_evidence::META, kpu015_stale_evidence::check),
    (
        &kpu016_needs_above_max_parallelism::META,
        kpu016_needs_above_max_parallelism::check,
    ),
];

/// Every rule, including the suppression rules, in id order.
pub fn all() -> impl Iterator<Item = &'static RuleMeta> {
    CHECKS.iter().map(|(m, _)| *m).chain(suppression::RULES.iter().copied())
}

pub fn by_id(id: &str) -> Option<&'static RuleMeta> {
    all().find(|r| r.id.eq_ignore_ascii_case(id) || r.name.eq_ignore_ascii_case(id))
}

pub fn ids() -> Vec<&'static str> {
    all().map(|r| r.id).collect()
}

/// The span a finding about this application should point at: the first written setting among
/// `spans`, else the `parallelism_configuration` block, else the resource header.
pub fn anchor(a: &Analysis, spans: &[Option<&Span>]) -> Span {
    spans
        .iter()
        .flatten()
        .next()
        .map(|s| (*s).clone())
        .or_else(|| a.app.parallelism.block.as_ref().map(Span::first_line))
        .unwrap_or_else(|| a.app.span.clone())
}

/// Where a finding about the application's parallelism points.
pub fn parallelism_anchor(a: &Analysis) -> Span {
    let pc = &a.app.parallelism;
    if a.sizing.as_ref().is_ok_and(|s| s.custom) {
        anchor(a, &[pc.parallelism.span(), pc.configuration_type.span()])
    } else {
        anchor(a, &[pc.configuration_type.span()])
    }
}

/// The recommendation as an instruction: every value it changes, the KPUs it buys, what
/// `--fix` applies of it when it is not a safe fix and what to confirm first, and the declared
/// needs no configuration meets (KPU016). `None` when it changes nothing and nothing conflicts.
pub fn recommendation_help(a: &Analysis) -> Option<String> {
    if let Some(why) = withheld(a) {
        return Some(why);
    }
    let (Ok(s), Some(r)) = (&a.sizing, &a.recommendation) else {
        return None;
    };
    let conflict = r.conflict.as_ref().map(|c| {
        format!(
            "{}: raise the job's max parallelism to at least {} or correct the declaration (KPU016)",
            c.describe(),
            c.needed_parallelism()
        )
    });
    if !r.changes(s) {
        return conflict;
    }
    let mut help = format!(
        "set {} ({} KPU{})",
        settings(a, s, r).join(", "),
        r.kpus,
        plural(r.kpus)
    );
    if !r.safe {
        let whole = settings(a, s, r);
        match r.safe_part.as_deref().filter(|p| p.changes(s)) {
            Some(part) => {
                let safe = settings(a, s, part);
                let rest: Vec<&String> = whole.iter().filter(|w| !safe.contains(w)).collect();
                if safe.iter().all(|p| whole.contains(p)) && !rest.is_empty() {
                    help.push_str(&format!(
                        "; --fix applies all but {}, which is not a safe fix: confirm first: {}",
                        rest.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
                        r.confirm.join("; ")
                    ));
                } else {
                    help.push_str(&format!(
                        "; not a safe fix: --fix applies only {} ({} KPU{}); confirm the rest first: {}",
                        safe.join(", "),
                        part.kpus,
                        plural(part.kpus),
                        r.confirm.join("; ")
                    ));
                }
            }
            None => help.push_str(&format!("; not a safe fix, confirm first: {}", r.confirm.join("; "))),
        }
    }
    if let Some(c) = conflict {
        help.push_str(&format!("; {c}"));
    }
    Some(help)
}

/// The settings `r` changes, as `name = value` (a switch to CUSTOM writes every value, and the
/// autoscaling flag whenever the one written differs: CUSTOM would make it apply).
fn settings(a: &Analysis, s: &crate::analysis::Sizing, r: &crate::recommend::Recommendation) -> Vec<String> {
    let written_autoscaling = a.app.parallelism.auto_scaling_enabled.value().copied();
    let pc = &a.app.parallelism;
    // Terraform `name = value`; CloudFormation `Name to value`, or the parameter's Default
    // when the property is a `Ref` to one (where `--fix` edits it).
    let assign = |tf: &'static str, origin: Option<&Origin>, hcl: String, plain: String| {
        let property = setting_name(a, tf);
        if property == tf {
            return format!("{tf} = {hcl}");
        }
        let parameter = origin
            .filter(|o| o.kind == OriginKind::ParameterDefault)
            .and_then(|o| o.label.strip_prefix("parameter ")?.strip_suffix(" default"));
        match parameter {
            Some(p) => format!("the `{p}` parameter's Default to {plain}"),
            None => format!("{property} to {plain}"),
        }
    };
    let mut set = Vec::new();
    if r.custom && !s.custom {
        set.push(assign(
            "configuration_type",
            pc.configuration_type.origin(),
            "\"CUSTOM\"".into(),
            "CUSTOM".into(),
        ));
    }
    if r.parallelism != s.effective.parallelism || r.custom != s.custom {
        let v = r.parallelism.to_string();
        set.push(assign("parallelism", pc.parallelism.origin(), v.clone(), v));
    }
    if r.parallelism_per_kpu != s.effective.parallelism_per_kpu || r.custom != s.custom {
        let v = r.parallelism_per_kpu.to_string();
        set.push(assign(
            "parallelism_per_kpu",
            pc.parallelism_per_kpu.origin(),
            v.clone(),
            v,
        ));
    }
    let switched = r.custom && !s.custom && written_autoscaling.is_some_and(|w| w != r.auto_scaling);
    if r.auto_scaling != s.effective.auto_scaling || switched {
        let v = r.auto_scaling.to_string();
        set.push(assign(
            "auto_scaling_enabled",
            pc.auto_scaling_enabled.origin(),
            v.clone(),
            v,
        ));
    }
    set
}

/// The settings a rule's own fix changes: what a suppressed finding of it keeps as written when
/// `--fix` applies the rest of the recommendation. Rules whose fix is not a configuration change
/// (a declaration, less state, a job's max parallelism) keep nothing.
pub fn settings_fixed_by(id: &str) -> crate::recommend::Pins {
    use crate::recommend::Pins;
    match id {
        "KPU002" => Pins {
            configuration_type: true,
            ..Pins::default()
        },
        "KPU003" | "KPU004" | "KPU006" | "KPU007" | "KPU011" => Pins {
            sizing: true,
            ..Pins::default()
        },
        "KPU010" => Pins {
            auto_scaling: true,
            ..Pins::default()
        },
        "KPU012" => Pins {
            sizing: true,
            auto_scaling: true,
            ..Pins::default()
        },
        _ => Pins::default(),
    }
}

/// Why no recommendation is made for a sized application: a rejected declaration (its need is
/// invalid) or an input that could not be read, each pointed at.
pub fn withheld(a: &Analysis) -> Option<String> {
    let at = |s: &Span| {
        let l = s.location();
        format!("{}:{}:{}", s.path(), l.line, l.column)
    };
    if let Some(d) = a.invalid_declarations.first() {
        return Some(format!(
            "no recommendation while the {} declaration at {} is invalid: fix it first (see the error there)",
            d.key,
            at(&d.span)
        ));
    }
    let t = a.app.tainted_by.first()?;
    Some(format!(
        "no recommendation while {} has an input error: fix it at {} first",
        t.path(),
        at(t)
    ))
}

/// Why an application's costs are unknown: the input that failed, or its unpriced region.
pub fn no_cost_why(a: &Analysis) -> String {
    if let Some(t) = a.app.tainted_by.first() {
        format!("{} has an input error", t.path())
    } else if let Some(r) = &a.unpriced_region {
        format!("no prices for region {r}")
    } else {
        "no prices".into()
    }
}

/// `40 seconds`, `1 minute`, `12.5 minutes`: under a minute in whole seconds (a fraction of
/// a minute reads badly).
pub fn minutes(m: f64) -> String {
    if (0.0..1.0).contains(&m) {
        let seconds = (m * 60.0).round() as u64;
        let unit = if seconds == 1 { "second" } else { "seconds" };
        return format!("{seconds} {unit}");
    }
    let shown = crate::units::fmt_num(m);
    let unit = if shown == "1" { "minute" } else { "minutes" };
    format!("{shown} {unit}")
}

/// The name of a parallelism setting as the application's format writes it: Terraform's
/// (`parallelism_per_kpu`), or CloudFormation's property (`ParallelismPerKPU`).
pub fn setting_name(a: &Analysis, terraform: &'static str) -> &'static str {
    let cfn = matches!(
        a.app.format,
        InputFormat::CloudformationJson | InputFormat::CloudformationYaml
    );
    match (cfn, terraform) {
        (true, "configuration_type") => "ConfigurationType",
        (true, "parallelism") => "Parallelism",
        (true, "parallelism_per_kpu") => "ParallelismPerKPU",
        (true, "auto_scaling_enabled") => "AutoScalingEnabled",
        _ => terraform,
    }
}

/// "s" when `n` is not 1.
pub fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `$1,103.90`, `−$0.50`: a negative amount takes a real minus sign (U+2212), in every
/// command's output (`check`, `cost`, `what-if`, `diff`).
pub fn usd(v: f64) -> String {
    usd_cents((v * 100.0).round() as i64)
}

/// `$1,103.90` from a whole number of cents.
pub fn usd_cents(cents: i64) -> String {
    let sign = if cents < 0 { "−" } else { "" };
    let abs = cents.unsigned_abs();
    let digits = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}${grouped}.{:02}", abs % 100)
}

/// `20%` / `12.5%`
pub fn pct(fraction: f64) -> String {
    format!("{}%", crate::units::fmt_num(fraction * 100.0))
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_under_a_minute_are_in_seconds() {
        assert_eq!(super::minutes(0.0), "0 seconds");
        assert_eq!(super::minutes(1.0 / 60.0), "1 second");
        assert_eq!(super::minutes(2.0 / 3.0), "40 seconds");
        assert_eq!(super::minutes(1.0), "1 minute");
        assert_eq!(super::minutes(12.5), "12.5 minutes");
    }

    use super::*;

    #[test]
    fn every_rule_has_a_page_with_its_id_name_and_severity() {
        for r in all() {
            let first = r.doc.lines().next().unwrap_or("");
            assert_eq!(first, format!("# {} {}", r.id, r.name), "page title of {}", r.id);
            assert!(
                r.doc
                    .contains(&format!("- **Default severity:** {}", r.severity.as_str())),
                "{}",
                r.id
            );
            assert!(!r.summary().is_empty(), "{} has no summary", r.id);
        }
    }

    #[test]
    fn money() {
        assert_eq!(usd(1103.9), "$1,103.90");
        assert_eq!(usd(85.3), "$85.30");
        assert_eq!(usd(1234567.891), "$1,234,567.89");
        assert_eq!(usd(-0.5), "−$0.50");
        assert_eq!(usd(-170.6), "−$170.60");
        assert_eq!(pct(0.2), "20%");
        assert_eq!(pct(2.0 / 3.0), "66.67%");
    }
}

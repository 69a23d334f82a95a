//! KPU012: the parallelism autoscaling would scale to (or the configured one) exceeds the job's
//! max parallelism, so keyed state cannot be rescaled to it.

use super::{anchor, parallelism_anchor, recommendation_help, Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::Severity;
use crate::sizing::{derived_max_parallelism, first_scale_up_parallelism};

pub const META: RuleMeta = RuleMeta {
    id: "KPU012",
    name: "max-parallelism-ceiling",
    severity: Severity::Warning,
    doc: include_str!("../../rules/KPU012.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let Ok(s) = &a.sizing else { return Vec::new() };
    let p = s.effective.parallelism;
    let (max, source) = match &a.max_parallelism {
        Some(m) => (m.value, "the declared max_parallelism".to_string()),
        None => (
            derived_max_parallelism(p),
            format!("Flink's default max parallelism for parallelism {p}"),
        ),
    };
    let help = recommendation_help(a).unwrap_or_default();
    if p > max {
        return vec![Hit {
            span: parallelism_anchor(a),
            label: format!("above max parallelism {max}"),
            message: format!("parallelism {p} is above {source} {max}: keyed state cannot be restored at it"),
            help,
            severity: None,
        }];
    }
    if s.auto_scaling != Some(true) {
        return Vec::new();
    }
    let first_up = first_scale_up_parallelism(p, s.autoscale_ceiling_parallelism);
    if first_up <= max {
        return Vec::new();
    }
    let pc = &a.app.parallelism;
    let span = if s.custom {
        anchor(
            a,
            &[
                pc.auto_scaling_enabled.span(),
                pc.parallelism.span(),
                pc.configuration_type.span(),
            ],
        )
    } else {
        anchor(a, &[pc.configuration_type.span()])
    };
    vec![Hit {
        span,
        label: format!("first scale-up to {first_up} > {max}"),
        message: format!(
            "autoscaling is on and its first scale-up doubles parallelism {p} to {first_up}, above {source} {max}: keyed state cannot be rescaled to it"
        ),
        help: if help.is_empty() {
            format!("set the job's max parallelism to at least {first_up} (it is fixed by the first savepoint), or turn autoscaling off")
        } else {
            format!("{help}; or set the job's max parallelism to at least {first_up} before its first savepoint")
        },
        severity: None,
    }]
}

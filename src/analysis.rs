//! Joins an application with what was declared about it (state size, required parallelism),
//! the thresholds and prices that apply to it, and its KPU sizing. Rules read only this.

use std::sync::Arc;

use crate::config::{Config, DeclSource, Declared, Prices, Thresholds};
use crate::model::{Application, Directive, DirectiveKind, InputError, Setting};
use crate::sizing::{self, AppKind, Effective};
use crate::source::Span;
use crate::units::{parse_size, Bytes};

pub const TAG_STATE_SIZE: &str = "kpulint:state_size";
pub const TAG_REQUIRED_PARALLELISM: &str = "kpulint:required_parallelism";
/// A suppression as a tag (Terraform JSON, plans): `KPU004 reason="..." until=YYYY-MM-DD`.
pub const TAG_IGNORE: &str = "kpulint:ignore";

/// Parallelism above this is not a plausible configuration (the service caps it at
/// `parallelism_per_kpu × KPU quota`); it is reported as invalid rather than sized.
pub const MAX_PLAUSIBLE_PARALLELISM: f64 = 100_000.0;

/// Why an application has no KPU figures.
#[derive(Debug, Clone, PartialEq)]
pub enum NotSized {
    /// `SQL-1_0`: no Flink parallelism.
    NotApplicable,
    /// A value KPU009 reports.
    Unresolved,
    /// A value KPU001 (or an input error) reports.
    Invalid,
}

/// The KPU figures of a sized application.
#[derive(Debug, Clone, PartialEq)]
pub struct Sizing {
    pub effective: Effective,
    /// `configuration_type = "CUSTOM"` (otherwise the service defaults apply).
    pub custom: bool,
    /// `None` when `auto_scaling_enabled` could not be evaluated.
    pub auto_scaling: Option<bool>,
    pub kpus: u64,
    /// `None` when the runtime (and so the orchestration overhead) is unknown.
    pub billed_kpus: Option<u64>,
    pub running_storage_gb: u64,
    pub monthly_cost_usd: Option<f64>,
    pub autoscale_ceiling_parallelism: u64,
    /// KPUs the declared state needs on disk.
    pub storage_kpus: Option<u64>,
    /// KPUs the declared required parallelism needs.
    pub compute_kpus: Option<u64>,
}

impl Sizing {
    /// `max(storage_kpus, compute_kpus)` over what is declared.
    pub fn needed_kpus(&self) -> Option<u64> {
        match (self.storage_kpus, self.compute_kpus) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).max(b.unwrap_or(0))),
        }
    }
}

/// Everything the rules need about one application.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub app: Application,
    pub kind: Option<AppKind>,
    pub state_size: Option<Declared<Bytes>>,
    pub required_parallelism: Option<Declared<u64>>,
    /// The configuration that applies to this application.
    pub config: Arc<Config>,
    pub region: String,
    pub prices: Prices,
    /// The region has no built-in or configured prices; us-east-1 prices are used.
    pub prices_fallback: bool,
    pub sizing: Result<Sizing, NotSized>,
}

impl Analysis {
    pub fn thresholds(&self) -> &Thresholds {
        &self.config.defaults
    }
}

/// Builds the analysis of one application. Invalid declarations become errors.
pub fn analyze(app: Application, config: Arc<Config>, errors: &mut Vec<InputError>) -> Analysis {
    errors.extend(
        invalid_settings(&app)
            .into_iter()
            .map(|(span, message)| InputError::new(span, message)),
    );
    let (state_size, required_parallelism) = declarations(&app, &config, errors);
    let kind = match &app.runtime_environment {
        Setting::Known { value, .. } => Some(sizing::app_kind(value)),
        // Terraform requires the runtime; without it, assume nothing about the overhead.
        _ => None,
    };
    let thresholds = &config.defaults;
    let region = match app.region.value() {
        Some(r) => r.clone(),
        None => thresholds.region.clone(),
    };
    let (prices, prices_fallback) = match config
        .prices
        .get(&region)
        .cloned()
        .or_else(|| sizing::builtin_prices(&region))
    {
        Some(p) => (p, false),
        None => (sizing::US_EAST_1, true),
    };
    let sizing = if kind == Some(AppKind::Sql) {
        Err(NotSized::NotApplicable)
    } else {
        size(
            &app,
            kind,
            thresholds,
            &prices,
            state_size.as_ref(),
            required_parallelism.as_ref(),
        )
        .map(|mut s| {
            // Prices depend on the region: an unresolved region (KPU009) means no cost, not a guess.
            if matches!(app.region, Setting::Unknown { .. }) {
                s.monthly_cost_usd = None;
            }
            s
        })
    };
    Analysis {
        app,
        kind,
        state_size,
        required_parallelism,
        config,
        region,
        prices,
        prices_fallback,
        sizing,
    }
}

/// A whole number in `1..=max`, or `None`.
pub fn whole(v: f64, max: f64) -> Option<u64> {
    (v.fract() == 0.0 && v >= 1.0 && v <= max).then_some(v as u64)
}

fn size(
    app: &Application,
    kind: Option<AppKind>,
    t: &Thresholds,
    prices: &Prices,
    state: Option<&Declared<Bytes>>,
    required: Option<&Declared<u64>>,
) -> Result<Sizing, NotSized> {
    let pc = &app.parallelism;
    let custom = match &pc.configuration_type {
        // Terraform and CloudFormation require the type inside the block (an input error).
        Setting::Absent if pc.block.is_some() => return Err(NotSized::Invalid),
        Setting::Absent => false,
        Setting::Known { value, .. } if value == "DEFAULT" => false,
        Setting::Known { value, .. } if value == "CUSTOM" => true,
        Setting::Known { .. } | Setting::Invalid { .. } => return Err(NotSized::Invalid),
        Setting::Unknown { .. } => return Err(NotSized::Unresolved),
    };
    let (effective, auto_scaling) = if custom {
        let parallelism = number(&pc.parallelism, MAX_PLAUSIBLE_PARALLELISM)?;
        let per_kpu = number(&pc.parallelism_per_kpu, sizing::MAX_PARALLELISM_PER_KPU as f64)?;
        let auto_scaling = match &pc.auto_scaling_enabled {
            Setting::Absent => Some(true),
            Setting::Known { value, .. } => Some(*value),
            Setting::Unknown { .. } => None,
            Setting::Invalid { .. } => return Err(NotSized::Invalid),
        };
        (
            Effective {
                parallelism,
                parallelism_per_kpu: per_kpu,
                auto_scaling: auto_scaling.unwrap_or(true),
            },
            auto_scaling,
        )
    } else {
        (sizing::SERVICE_DEFAULT, Some(true))
    };
    let kpus = sizing::kpus(effective.parallelism, effective.parallelism_per_kpu);
    let billed = kind.map(|k| sizing::billed_kpus(kpus, k));
    let storage_gb = sizing::running_storage_gb(kpus);
    Ok(Sizing {
        effective,
        custom,
        auto_scaling,
        kpus,
        billed_kpus: billed,
        running_storage_gb: storage_gb,
        monthly_cost_usd: billed.map(|b| sizing::monthly_cost_usd(b, storage_gb, prices)),
        autoscale_ceiling_parallelism: sizing::autoscale_ceiling_parallelism(
            effective.parallelism_per_kpu,
            t.kpu_quota,
        ),
        storage_kpus: state.map(|s| sizing::storage_kpus(s.value.gb(), t.storage_factor)),
        compute_kpus: required.map(|r| sizing::compute_kpus(r.value, effective.parallelism_per_kpu)),
    })
}

/// A parallelism-like number: absent means the API default 1.
fn number(s: &Setting<f64>, max: f64) -> Result<u64, NotSized> {
    match s {
        Setting::Absent => Ok(1),
        Setting::Known { value, .. } => whole(*value, max).ok_or(NotSized::Invalid),
        Setting::Unknown { .. } => Err(NotSized::Unresolved),
        Setting::Invalid { .. } => Err(NotSized::Invalid),
    }
}

/// Declared state size and required parallelism, most specific first:
/// annotation comment, then tag, then config file.
fn declarations(
    app: &Application,
    config: &Config,
    errors: &mut Vec<InputError>,
) -> (Option<Declared<Bytes>>, Option<Declared<u64>>) {
    let mut state = None;
    let mut required = None;
    for d in app.directives.iter().filter(|d| d.kind == DirectiveKind::Declare) {
        for (key, value, span, key_span) in directive_pairs(d, errors) {
            match key.as_str() {
                "state_size" => match parse_size(&value) {
                    Ok(b) => state = state.or(Some(Declared { value: b, span, source: DeclSource::Annotation })),
                    Err(e) => errors.push(InputError::new(span, format!("invalid state_size in kpulint annotation: {e}"))),
                },
                "required_parallelism" => match parse_required(&value) {
                    Some(n) => required = required.or(Some(Declared { value: n, span, source: DeclSource::Annotation })),
                    None => errors.push(InputError::new(span, format!("invalid required_parallelism \"{value}\" in kpulint annotation: use a whole number from 1 to 1000000"))),
                },
                other => errors.push(
                    InputError::new(key_span, format!("unknown key \"{other}\" in kpulint annotation"))
                        .with_help("known keys: state_size, required_parallelism"),
                ),
            }
        }
    }
    for tag in app.tags.iter().filter(|t| t.key.starts_with("kpulint:")) {
        if ![TAG_STATE_SIZE, TAG_REQUIRED_PARALLELISM, TAG_IGNORE].contains(&tag.key.as_str()) {
            if let Some(span) = tag.value.span() {
                errors.push(
                    InputError::new(span.clone(), format!("unknown kpulint tag \"{}\"", tag.key)).with_help(format!(
                        "known tags: {TAG_STATE_SIZE}, {TAG_REQUIRED_PARALLELISM}, {TAG_IGNORE}"
                    )),
                );
            }
        }
    }
    if state.is_none() {
        if let Some(tag) = app.tag(TAG_STATE_SIZE) {
            if let Setting::Known { value, span, .. } = &tag.value {
                match parse_size(value) {
                    Ok(b) => {
                        state = Some(Declared {
                            value: b,
                            span: span.clone(),
                            source: DeclSource::Tag,
                        })
                    }
                    Err(e) => errors.push(InputError::new(
                        span.clone(),
                        format!("invalid {TAG_STATE_SIZE} tag: {e}"),
                    )),
                }
            }
        }
    }
    if required.is_none() {
        if let Some(tag) = app.tag(TAG_REQUIRED_PARALLELISM) {
            if let Setting::Known { value, span, .. } = &tag.value {
                match parse_required(value) {
                    Some(n) => {
                        required = Some(Declared {
                            value: n,
                            span: span.clone(),
                            source: DeclSource::Tag,
                        })
                    }
                    None => errors.push(InputError::new(
                        span.clone(),
                        format!(
                            "invalid {TAG_REQUIRED_PARALLELISM} tag \"{value}\": use a whole number from 1 to 1000000"
                        ),
                    )),
                }
            }
        }
    }
    for decl in config.applications_for(&app.address) {
        state = state.or_else(|| decl.state_size.clone());
        required = required.or_else(|| decl.required_parallelism.clone());
    }
    (state, required)
}

fn parse_required(s: &str) -> Option<u64> {
    s.trim().parse::<f64>().ok().and_then(|n| whole(n, 1_000_000.0))
}

/// Splits `key=value key2="quoted value"` into pairs with the span of each value.
pub fn directive_pairs(d: &Directive, errors: &mut Vec<InputError>) -> Vec<(String, String, Span, Span)> {
    let mut out = Vec::new();
    let body = d.body.as_str();
    let base = d.span.start;
    let mut i = 0;
    let bytes = body.as_bytes();
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let key_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'=' {
            i += 1;
        }
        let key = &body[key_start..i];
        if i >= bytes.len() || bytes[i] != b'=' {
            errors.push(InputError::new(
                d.span.file.span(base + key_start..base + i),
                format!("expected key=value in kpulint annotation, found \"{key}\""),
            ));
            continue;
        }
        i += 1;
        let (value, vstart, vend) = if i < bytes.len() && bytes[i] == b'"' {
            let start = i + 1;
            let end = body[start..].find('"').map(|e| start + e).unwrap_or(body.len());
            i = (end + 1).min(body.len());
            (&body[start..end], start, end)
        } else {
            let start = i;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            (&body[start..i], start, i)
        };
        out.push((
            key.to_string(),
            value.to_string(),
            d.span.file.span(base + vstart..base + vend),
            d.span.file.span(base + key_start..base + key_start + key.len()),
        ));
    }
    out
}

/// Settings that were written with a value of the wrong type: errors, not findings.
fn invalid_settings(app: &Application) -> Vec<(Span, String)> {
    let pc = &app.parallelism;
    let mut out = Vec::new();
    let mut add = |name: &str, s: Option<(&Span, &String)>| {
        if let Some((span, msg)) = s {
            out.push((span.clone(), format!("{name} of {}: {msg}", app.address)));
        }
    };
    fn inv<T>(s: &Setting<T>) -> Option<(&Span, &String)> {
        match s {
            Setting::Invalid { span, message } => Some((span, message)),
            _ => None,
        }
    }
    add("configuration_type", inv(&pc.configuration_type));
    add("parallelism", inv(&pc.parallelism));
    add("parallelism_per_kpu", inv(&pc.parallelism_per_kpu));
    add("auto_scaling_enabled", inv(&pc.auto_scaling_enabled));
    add("runtime_environment", inv(&app.runtime_environment));
    add("snapshots_enabled", inv(&app.snapshots_enabled));
    // A provider region is shared by every application: report it once, without an address.
    if let Some((span, msg)) = inv(&app.region) {
        out.push((span.clone(), msg.clone()));
    }
    if pc.block.is_some() && matches!(pc.configuration_type, Setting::Absent) {
        if let Some(block) = &pc.block {
            out.push((
                block.first_line(),
                format!(
                    "parallelism_configuration of {} has no configuration_type: Terraform and CloudFormation require \"CUSTOM\" or \"DEFAULT\"",
                    app.address
                ),
            ));
        }
    }
    if let Setting::Known { value, span, .. } = &pc.configuration_type {
        if value != "CUSTOM" && value != "DEFAULT" {
            out.push((
                span.clone(),
                format!(
                    "configuration_type of {} is \"{value}\": it must be \"CUSTOM\" or \"DEFAULT\"",
                    app.address
                ),
            ));
        }
    }
    for t in &app.tags {
        if let Setting::Invalid { span, message } = &t.value {
            out.push((span.clone(), format!("tag {}: {message}", t.key)));
        }
    }
    out
}

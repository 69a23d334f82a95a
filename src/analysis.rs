//! Joins an application with what was declared about it (state size, required parallelism),
//! the thresholds and prices that apply to it, and its KPU sizing. Rules read only this.

use std::sync::Arc;

use crate::config::{Config, DeclSource, Declared, Prices, Thresholds};
use crate::model::{Application, Directive, DirectiveKind, InputError, Setting};
use crate::recommend::{recommend, Recommendation};
use crate::sizing::{self, AppKind, Effective};
use crate::source::Span;
use crate::units::{parse_size, Bytes};

pub const TAG_STATE_SIZE: &str = "kpulint:state_size";
pub const TAG_REQUIRED_PARALLELISM: &str = "kpulint:required_parallelism";
pub const TAG_REQUIRED_KPUS: &str = "kpulint:required_kpus";
pub const TAG_MAX_PARALLELISM: &str = "kpulint:max_parallelism";
/// A suppression as a tag (Terraform JSON, plans): `KPU004 reason="..." until=YYYY-MM-DD`.
pub const TAG_IGNORE: &str = "kpulint:ignore";
/// Every tag kpulint reads.
pub const KPULINT_TAGS: &[&str] = &[
    TAG_STATE_SIZE,
    TAG_REQUIRED_PARALLELISM,
    TAG_REQUIRED_KPUS,
    TAG_MAX_PARALLELISM,
    TAG_IGNORE,
];

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
    /// The monthly cost by what it pays for (`None` with `billed_kpus`).
    pub cost: Option<sizing::MonthlyCost>,
    pub autoscale_ceiling_parallelism: u64,
    /// KPUs the declared state needs on disk.
    pub storage_kpus: Option<u64>,
    /// KPUs the declared compute need (required parallelism at this `parallelism_per_kpu`,
    /// or `required_kpus`, whichever is larger) needs.
    pub compute_kpus: Option<u64>,
}

/// Which declared need decides the KPU count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Binding {
    Storage,
    Compute,
}

impl Binding {
    pub fn as_str(self) -> &'static str {
        match self {
            Binding::Storage => "storage",
            Binding::Compute => "compute",
        }
    }
}

impl Sizing {
    /// `max(storage_kpus, compute_kpus)` over what is declared.
    pub fn needed_kpus(&self) -> Option<u64> {
        match (self.storage_kpus, self.compute_kpus) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).max(b.unwrap_or(0))),
        }
    }

    /// The declared need with the most KPUs; on a tie compute binds (less state would not
    /// save a KPU). With one need declared, that one.
    pub fn binding(&self) -> Option<Binding> {
        binding(self.storage_kpus, self.compute_kpus)
    }
}

/// Which of two needs (in KPUs) binds: the larger; on a tie compute (less state would not save
/// a KPU); with one declared, that one.
pub fn binding(storage_kpus: Option<u64>, compute_kpus: Option<u64>) -> Option<Binding> {
    match (storage_kpus, compute_kpus) {
        (None, None) => None,
        (Some(_), None) => Some(Binding::Storage),
        (None, Some(_)) => Some(Binding::Compute),
        (Some(s), Some(c)) if s > c => Some(Binding::Storage),
        (Some(_), Some(_)) => Some(Binding::Compute),
    }
}

/// What was declared about an application, each with where it was declared.
#[derive(Debug, Clone, Default)]
pub struct Declarations {
    pub state_size: Option<Declared<Bytes>>,
    pub required_parallelism: Option<Declared<u64>>,
    /// vCPU need measured directly, in KPUs.
    pub required_kpus: Option<Declared<u64>>,
    /// The job's Flink max parallelism.
    pub max_parallelism: Option<Declared<u64>>,
    /// A state size was declared but its value was rejected (an input error says why), so
    /// "no declared state size" would be a second report of the same mistake.
    pub state_size_rejected: bool,
    /// Declarations written but rejected, each at its error: the needs they meant are invalid,
    /// not undeclared, so no sizing finding and no recommendation is made from them.
    pub invalid: Vec<InvalidDeclaration>,
}

/// A declaration (annotation or tag) that was written but rejected.
#[derive(Debug, Clone)]
pub struct InvalidDeclaration {
    /// The key as written (`state_size`, or an unknown key).
    pub key: String,
    /// Where its input error is.
    pub span: Span,
}

impl Declarations {
    /// A compute need (required parallelism or KPUs) is declared.
    pub fn compute_declared(&self) -> bool {
        self.required_parallelism.is_some() || self.required_kpus.is_some()
    }
}

/// Everything the rules need about one application.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub app: Application,
    pub kind: Option<AppKind>,
    pub state_size: Option<Declared<Bytes>>,
    pub required_parallelism: Option<Declared<u64>>,
    pub required_kpus: Option<Declared<u64>>,
    pub max_parallelism: Option<Declared<u64>>,
    /// A declared state size was rejected as invalid (already an input error).
    pub state_size_rejected: bool,
    /// Declarations that were written but rejected (input errors): their needs are invalid.
    pub invalid_declarations: Vec<InvalidDeclaration>,
    /// The configuration that applies to this application.
    pub config: Arc<Config>,
    /// The region the application runs in; `None` when it could not be evaluated.
    pub region: Option<String>,
    /// The region whose prices the costs use (`None`: no prices apply, so no costs).
    pub price_region: Option<String>,
    /// `None` when the region has no built-in or configured prices and no fallback is
    /// configured, or when the application is tainted: every cost is then unknown.
    pub prices: Option<Prices>,
    /// The region has no built-in or configured prices; `defaults.fallback_prices` are used.
    pub prices_fallback: bool,
    /// The region (resolved, or `defaults.region`) has no built-in or configured prices.
    pub unpriced_region: Option<String>,
    pub sizing: Result<Sizing, NotSized>,
    /// The one configuration every rule's advice is taken from (`None` when not sized).
    pub recommendation: Option<Recommendation>,
}

impl Analysis {
    pub fn thresholds(&self) -> &Thresholds {
        &self.config.defaults
    }

    pub fn declarations(&self) -> Declarations {
        Declarations {
            state_size: self.state_size.clone(),
            required_parallelism: self.required_parallelism.clone(),
            required_kpus: self.required_kpus.clone(),
            max_parallelism: self.max_parallelism.clone(),
            state_size_rejected: self.state_size_rejected,
            invalid: self.invalid_declarations.clone(),
        }
    }

    /// A compute need (required parallelism or KPUs) is declared.
    pub fn compute_declared(&self) -> bool {
        self.required_parallelism.is_some() || self.required_kpus.is_some()
    }

    /// Some input that could set one of its values failed: no cost, no recommendation, no fix.
    pub fn tainted(&self) -> bool {
        self.app.tainted()
    }

    /// A declaration written for it was rejected: the needs are not known.
    pub fn needs_invalid(&self) -> bool {
        !self.invalid_declarations.is_empty()
    }

    /// Its config file could not be read or holds an error: thresholds, declarations, rule
    /// settings and prices may all differ from the defaults used.
    pub fn config_broken(&self) -> bool {
        self.config.broken.is_some()
    }
}

/// Configured or built-in prices of `region`.
fn region_prices(config: &Config, region: &str) -> Option<Prices> {
    config
        .prices
        .get(region)
        .cloned()
        .or_else(|| sizing::builtin_prices(region))
}

/// Builds the analysis of one application. Invalid declarations become errors, and taint it:
/// so does a config file that holds an error.
pub fn analyze(mut app: Application, config: Arc<Config>, errors: &mut Vec<InputError>) -> Analysis {
    errors.extend(
        invalid_settings(&app)
            .into_iter()
            .map(|(span, message)| InputError::new(span, message)),
    );
    let mut decl_errors = Vec::new();
    let decl = declarations(&app, &config, &mut decl_errors);
    for e in &decl_errors {
        app.taint(&e.span);
    }
    errors.extend(decl_errors);
    if let Some(broken) = &config.broken {
        app.taint(broken);
    }
    analyze_declared(app, config, decl)
}

/// Sizes and recommends `app` under the given declarations: those [`analyze`] read, or those a
/// `kpulint what-if` scenario replaced. Reports nothing (the declarations are already checked).
pub fn analyze_declared(app: Application, config: Arc<Config>, decl: Declarations) -> Analysis {
    let kind = match &app.runtime_environment {
        Setting::Known { value, .. } => Some(sizing::app_kind(value)),
        // Terraform requires the runtime; without it, assume nothing about the overhead.
        _ => None,
    };
    let thresholds = &config.defaults;
    // An unresolved region is not guessed: it stays `None`, and the costs use the prices of
    // the configured default region (a notice says so).
    let region = match &app.region {
        Setting::Known { value, .. } => Some(value.clone()),
        Setting::Unknown { .. } | Setting::Invalid { .. } => None,
        Setting::Absent => Some(thresholds.region.clone()),
    };
    let wanted = region.clone().unwrap_or_else(|| thresholds.region.clone());
    // A region without prices is not priced at another region's, unless the config says to.
    let (priced, prices_fallback, unpriced_region) = match region_prices(&config, &wanted) {
        Some(p) => (Some((wanted, p)), false, None),
        None => {
            let fallback = thresholds
                .fallback_prices
                .as_ref()
                .and_then(|r| region_prices(&config, r).map(|p| (r.clone(), p)));
            (fallback.clone(), fallback.is_some(), Some(wanted))
        }
    };
    // What a tainted application costs, or would cost right-sized, is not known.
    let (price_region, prices) = match priced.filter(|_| !app.tainted()) {
        Some((r, p)) => (Some(r), Some(p)),
        None => (None, None),
    };
    let sizing = if kind == Some(AppKind::Sql) {
        Err(NotSized::NotApplicable)
    } else {
        size(&app, kind, thresholds, prices.as_ref(), &decl)
    };
    // No recommendation from a half-read application, or from a need whose declaration was
    // rejected.
    let recommendation = sizing
        .as_ref()
        .ok()
        .filter(|_| !app.tainted() && decl.invalid.is_empty())
        .map(|s| recommend(s, kind, &decl, thresholds, prices.as_ref()));
    Analysis {
        app,
        kind,
        state_size: decl.state_size,
        required_parallelism: decl.required_parallelism,
        required_kpus: decl.required_kpus,
        max_parallelism: decl.max_parallelism,
        state_size_rejected: decl.state_size_rejected,
        invalid_declarations: decl.invalid,
        config,
        region,
        price_region,
        prices,
        prices_fallback,
        unpriced_region,
        sizing,
        recommendation,
    }
}

/// What the costs of a sized application are priced at, when that is not simply its region's
/// prices: an unresolved region (`defaults.region`'s prices), or a region without prices
/// (unknown costs, or `defaults.fallback_prices`), said once per region. A tainted application
/// has no costs at all, which its own notice says.
pub fn price_notices(a: &Analysis, said: &mut std::collections::BTreeSet<String>) -> Vec<crate::model::Notice> {
    let mut out = Vec::new();
    if a.sizing.is_err() || a.tainted() {
        return out;
    }
    if let crate::model::Setting::Unknown { span, reason } = &a.app.region {
        out.push(crate::model::Notice {
            span: Some(span.clone()),
            message: match &a.price_region {
                Some(r) => format!(
                    "region of {} cannot be evaluated ({}): its costs use {r} prices (defaults.region)",
                    a.app.instance, reason.what
                ),
                None => format!(
                    "region of {} cannot be evaluated ({}): its costs are unknown",
                    a.app.instance, reason.what
                ),
            },
        });
    }
    if let Some(region) = a.unpriced_region.clone().filter(|r| said.insert(r.clone())) {
        let block = format!("`prices \"{region}\" {{ kpu_hour_usd = ..., running_storage_gb_month_usd = ... }}` block");
        out.push(crate::model::Notice {
            span: None,
            message: match (&a.price_region, a.prices_fallback) {
                (Some(used), true) => format!(
                    "no prices for region {region}: costs use {used} prices (defaults.fallback_prices); add a {block} to .kpulint.hcl"
                ),
                _ => format!(
                    "no prices for region {region}: its costs are unknown (null); add a {block} to .kpulint.hcl, or set defaults.fallback_prices = \"us-east-1\" to price it at us-east-1's"
                ),
            },
        });
    }
    out
}

/// A whole number in `1..=max`, or `None`.
pub fn whole(v: f64, max: f64) -> Option<u64> {
    (v.fract() == 0.0 && v >= 1.0 && v <= max).then_some(v as u64)
}

fn size(
    app: &Application,
    kind: Option<AppKind>,
    t: &Thresholds,
    prices: Option<&Prices>,
    decl: &Declarations,
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
    let cost = billed
        .zip(prices)
        .map(|(b, p)| sizing::monthly_cost(kpus, b, p, t.hours_per_month));
    Ok(Sizing {
        effective,
        custom,
        auto_scaling,
        kpus,
        billed_kpus: billed,
        running_storage_gb: storage_gb,
        monthly_cost_usd: cost.map(|c| c.total_usd),
        cost,
        autoscale_ceiling_parallelism: sizing::autoscale_ceiling_parallelism(
            effective.parallelism_per_kpu,
            t.kpu_quota,
        ),
        storage_kpus: decl
            .state_size
            .as_ref()
            .map(|s| sizing::storage_kpus(s.value.gb(), t.storage_factor)),
        compute_kpus: compute_kpus(decl, effective.parallelism_per_kpu, 0.0),
    })
}

/// KPUs the declared compute need takes at `parallelism_per_kpu`, with `margin` on top.
pub fn compute_kpus(decl: &Declarations, parallelism_per_kpu: u64, margin: f64) -> Option<u64> {
    sizing::compute_kpus(
        decl.required_parallelism.as_ref().map(|r| r.value),
        decl.required_kpus.as_ref().map(|r| r.value),
        parallelism_per_kpu,
        margin,
    )
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

/// A declared key: where it is written and how its value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    StateSize,
    RequiredParallelism,
    RequiredKpus,
    MaxParallelism,
}

impl Key {
    fn parse(name: &str) -> Option<Key> {
        Some(match name {
            "state_size" => Key::StateSize,
            "required_parallelism" => Key::RequiredParallelism,
            "required_kpus" => Key::RequiredKpus,
            "max_parallelism" => Key::MaxParallelism,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Key::StateSize => "state_size",
            Key::RequiredParallelism => "required_parallelism",
            Key::RequiredKpus => "required_kpus",
            Key::MaxParallelism => "max_parallelism",
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Key::StateSize => TAG_STATE_SIZE,
            Key::RequiredParallelism => TAG_REQUIRED_PARALLELISM,
            Key::RequiredKpus => TAG_REQUIRED_KPUS,
            Key::MaxParallelism => TAG_MAX_PARALLELISM,
        }
    }

    const ALL: [Key; 4] = [
        Key::StateSize,
        Key::RequiredParallelism,
        Key::RequiredKpus,
        Key::MaxParallelism,
    ];
}

impl Declarations {
    /// Records a declaration that was written but rejected.
    fn reject(&mut self, key: &str, span: &Span) {
        self.invalid.push(InvalidDeclaration {
            key: key.to_string(),
            span: span.clone(),
        });
    }

    fn is_set(&self, key: Key) -> bool {
        match key {
            Key::StateSize => self.state_size.is_some(),
            Key::RequiredParallelism => self.required_parallelism.is_some(),
            Key::RequiredKpus => self.required_kpus.is_some(),
            Key::MaxParallelism => self.max_parallelism.is_some(),
        }
    }

    /// Sets `key` from its written text unless a more specific declaration already did.
    /// `Err` says what is wrong with the value.
    fn set(&mut self, key: Key, text: &str, span: Span, source: DeclSource) -> Result<(), String> {
        if key == Key::StateSize {
            let value = parse_size(text).map_err(|e| e.to_string())?;
            self.state_size.get_or_insert(Declared { value, span, source });
            return Ok(());
        }
        let value = parse_count(text).ok_or_else(|| {
            format!(
                "\"{text}\" is not a whole number from 1 to {}",
                crate::config::MAX_DECLARED_COUNT
            )
        })?;
        let slot = match key {
            Key::RequiredParallelism => &mut self.required_parallelism,
            Key::RequiredKpus => &mut self.required_kpus,
            _ => &mut self.max_parallelism,
        };
        slot.get_or_insert(Declared { value, span, source });
        Ok(())
    }
}

/// What was declared about the application, most specific first: annotation comment, then
/// tag, then config file.
fn declarations(app: &Application, config: &Config, errors: &mut Vec<InputError>) -> Declarations {
    let mut decl = Declarations::default();
    let known_keys = crate::config::DECLARATION_KEYS.join(", ");
    for d in app.directives.iter().filter(|d| d.kind == DirectiveKind::Declare) {
        let before = errors.len();
        let pairs = directive_pairs(d, errors);
        // A word that is not `key=value` meant some need: which one is not known.
        for e in &errors[before..] {
            decl.reject(e.span.text(), &e.span);
        }
        for (key, value, span, key_span) in pairs {
            match Key::parse(&key) {
                Some(k) => {
                    if let Err(e) = decl.set(k, &value, span.clone(), DeclSource::Annotation) {
                        decl.state_size_rejected |= k == Key::StateSize;
                        decl.reject(k.name(), &span);
                        errors.push(
                            InputError::new(span, format!("invalid {} in kpulint annotation: {e}", k.name()))
                                .with_help(invalid_help(k)),
                        );
                    }
                }
                None => {
                    decl.reject(&key, &key_span);
                    errors.push(
                        InputError::new(key_span, format!("unknown key \"{key}\" in kpulint annotation"))
                            .with_help(format!(
                                "known keys: {known_keys}; until it is fixed, no sizing finding or recommendation is made for this application"
                            )),
                    );
                }
            }
        }
    }
    for tag in app.tags.iter().filter(|t| t.key.starts_with("kpulint:")) {
        if !KPULINT_TAGS.contains(&tag.key.as_str()) {
            if let Some(span) = tag.value.span() {
                decl.reject(&tag.key, span);
                errors.push(
                    InputError::new(span.clone(), format!("unknown kpulint tag \"{}\"", tag.key))
                        .with_help(format!("known tags: {}", KPULINT_TAGS.join(", "))),
                );
            }
        }
    }
    for key in Key::ALL {
        if decl.is_set(key) {
            continue;
        }
        let Some(tag) = app.tag(key.tag()) else { continue };
        if let Setting::Known { value, span, .. } = &tag.value {
            if let Err(e) = decl.set(key, value, span.clone(), DeclSource::Tag) {
                decl.state_size_rejected |= key == Key::StateSize;
                decl.reject(key.name(), span);
                errors.push(
                    InputError::new(span.clone(), format!("invalid {} tag: {e}", key.tag()))
                        .with_help(invalid_help(key)),
                );
            }
        }
    }
    for d in config.applications_for(&app.root, &app.address) {
        decl.state_size_rejected |= d.state_size_rejected && decl.state_size.is_none();
        fill(&mut decl.state_size, &d.state_size);
        fill(&mut decl.required_parallelism, &d.required_parallelism);
        fill(&mut decl.required_kpus, &d.required_kpus);
        fill(&mut decl.max_parallelism, &d.max_parallelism);
    }
    decl
}

/// The help of a rejected declaration: the form expected, and what it holds back meanwhile.
fn invalid_help(key: Key) -> String {
    let form = match key {
        Key::StateSize => "a size such as 240GB or 1.5TiB (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)".to_string(),
        _ => format!("a whole number from 1 to {}", crate::config::MAX_DECLARED_COUNT),
    };
    format!(
        "write {} as {form}; until it is fixed, no sizing finding or recommendation is made from it",
        key.name()
    )
}

fn fill<T: Clone>(slot: &mut Option<Declared<T>>, from: &Option<Declared<T>>) {
    if slot.is_none() {
        slot.clone_from(from);
    }
}

fn parse_count(s: &str) -> Option<u64> {
    s.trim()
        .parse::<f64>()
        .ok()
        .and_then(|n| whole(n, crate::config::MAX_DECLARED_COUNT as f64))
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
            out.push((span.clone(), format!("{name} of {}: {msg}", app.instance)));
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
                    app.instance
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
                    app.instance
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

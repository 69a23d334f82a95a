//! `.kpulint.hcl`: thresholds, declared state size and need per application, rule overrides,
//! prices and path-scoped ignores. Every value is checked; a bad one is an error at its exact
//! location, never ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobMatcher};

use crate::date::Date;
use crate::eval::value::Value;
use crate::identity::Selector;
use crate::inputs::hcl::{parse_body, Lower};
use crate::inputs::terraform::{Attr, BodyNode};
use crate::model::{InputError, Severity};
use crate::source::{SourceFile, Span};
use crate::units::{parse_percentage, parse_size};

pub const CONFIG_FILE: &str = ".kpulint.hcl";

// Declarations live in `needs`; these names stay reachable here.
pub use crate::needs::declared::{DeclSource, Declared};
use crate::needs::grammar::Key;
pub use crate::needs::grammar::{DECLARATION_KEYS, MAX_DECLARED_COUNT};
use crate::needs::{Declarations, EvidenceSettings};

/// A glob over application addresses: `*` and `?` are wildcards, and `[` `]` match themselves,
/// as in `module.orders["prod"].*` (addresses hold brackets; character classes would make them
/// match something else).
pub fn address_glob(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    let mut escaped = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        match c {
            '[' => escaped.push_str("[[]"),
            ']' => escaped.push_str("[]]"),
            c => escaped.push(c),
        }
    }
    Glob::new(&escaped).map(|g| g.compile_matcher())
}

/// Thresholds and assumptions (the `defaults` block).
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// KPU004: allowed `kpus / needed_kpus − 1`.
    pub overscale_margin: f64,
    /// KPU005: allowed share of vCPU/memory bought only for disk.
    pub bundle_waste: f64,
    /// Disk needed per byte of declared state (fact sheet §9).
    pub storage_factor: f64,
    pub kpu_quota: u64,
    pub region: String,
    /// KPU010: snapshot + restore throughput during a scale event.
    pub rescale_gb_per_minute: f64,
    /// KPU010: longest acceptable scale event.
    pub slow_rescale_minutes: f64,
    /// Headroom the recommendation adds on top of the declared compute need.
    pub target_margin: f64,
    /// Hours in a billing month for monthly figures.
    pub hours_per_month: f64,
    /// The region whose prices stand in for a region without built-in or configured prices
    /// (`None`: such a region's costs are unknown).
    pub fallback_prices: Option<String>,
    /// A run that finds no application exits 1 (`--fail-on-empty`).
    pub fail_on_empty: bool,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            overscale_margin: 0.10,
            bundle_waste: 0.50,
            storage_factor: 2.0,
            kpu_quota: 64,
            region: "us-east-1".into(),
            // Zalando: a scale event at 240 GB took 11–12, up to 20 minutes [Z2]; the conservative
            // end (240 GB in 20 minutes) is the default.
            rescale_gb_per_minute: 12.0,
            slow_rescale_minutes: 10.0,
            target_margin: 0.0,
            hours_per_month: crate::sizing::HOURS_PER_MONTH,
            fallback_prices: None,
            fail_on_empty: false,
        }
    }
}

/// An `application "pattern" { ... }` block.
#[derive(Debug, Clone)]
pub struct AppDecl {
    pub pattern: String,
    /// `ADDRESS` (every root's instance) or `ROOT:ADDRESS` (one root's), globs in both parts.
    selector: Selector,
    /// The `application "pattern"` block header (KPU903 points here when it matches nothing).
    pub span: Span,
    /// What it declares (`state_size_rejected` when its `state_size` was written but
    /// rejected: a config error says why).
    pub declared: Declarations,
}

impl AppDecl {
    /// Whether the block applies to the instance of `address` reached from `root`.
    pub fn matches(&self, root: &str, address: &str) -> bool {
        self.selector.matches(root, address)
    }
}

#[derive(Debug, Clone)]
pub struct RuleSetting {
    pub enabled: bool,
    pub severity: Option<Severity>,
}

/// A `prices "region" { ... }` block or a built-in price list.
#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    pub kpu_hour_usd: f64,
    pub running_storage_gb_month_usd: f64,
}

/// `ignore { paths = [...], applications = [...], rules = [...], reason = "...", until = "YYYY-MM-DD" }`
#[derive(Debug, Clone)]
pub struct IgnoreScope {
    /// Globs over the finding's file and its application's root module directory, relative to
    /// the config's directory.
    pub paths: Vec<GlobMatcher>,
    /// `ADDRESS` or `ROOT:ADDRESS` patterns: the finding's application must match one.
    pub applications: Vec<Selector>,
    pub rules: Vec<String>,
    pub reason: Option<String>,
    pub until: Option<Date>,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file this came from (`None`: built-in defaults).
    pub file: Option<Arc<SourceFile>>,
    pub defaults: Thresholds,
    pub applications: Vec<AppDecl>,
    pub rules: BTreeMap<String, RuleSetting>,
    pub prices: BTreeMap<String, Prices>,
    pub ignores: Vec<IgnoreScope>,
    /// The `evidence` block: where evidence files are and how they are read.
    pub evidence: EvidenceSettings,
    /// The run scanned the config's whole directory tree, so an ignore block that matched
    /// nothing is stale (KPU901) even when no file lies in its paths any more.
    pub whole_tree_scanned: bool,
    /// The file could not be read, or holds an error (the first one): any value in it may be
    /// missing, so every application it applies to is tainted.
    pub broken: Option<Span>,
}

impl Config {
    /// The directory the config applies from (ignore paths are relative to it).
    pub fn base_dir(&self) -> Option<PathBuf> {
        self.file
            .as_ref()
            .map(|f| Path::new(&f.path).parent().map(Path::to_path_buf).unwrap_or_default())
    }

    /// The application blocks matching the instance of `address` reached from `root`, most
    /// specific first: the exact `ROOT:ADDRESS`, the exact address, then globs from the last
    /// written to the first. Each declared value comes from the first block that has it, so a
    /// broad `"*"` block fills in only what narrower blocks leave out.
    pub fn applications_for<'a>(&'a self, root: &'a str, address: &'a str) -> impl Iterator<Item = &'a AppDecl> + 'a {
        let exact = move |a: &&AppDecl| a.selector.is_exact(root, address);
        let rooted = self
            .applications
            .iter()
            .filter(move |a| exact(a) && a.selector.has_root());
        let plain = self
            .applications
            .iter()
            .filter(move |a| exact(a) && !a.selector.has_root());
        let globs = self
            .applications
            .iter()
            .rev()
            .filter(move |a| !exact(a) && a.matches(root, address));
        rooted.chain(plain).chain(globs)
    }
}

const DEFAULT_KEYS: &[&str] = &[
    "overscale_margin",
    "bundle_waste",
    "storage_factor",
    "kpu_quota",
    "region",
    "rescale_gb_per_minute",
    "slow_rescale_minutes",
    "target_margin",
    "hours_per_month",
    "fallback_prices",
    "fail_on_empty",
];

/// Parses a config file. Errors are collected; the config still holds every valid value.
/// `resolve_rule` maps a rule id or name (`KPU004`, `overscale-margin`) to its id.
pub fn parse_config(
    file: &Arc<SourceFile>,
    resolve_rule: &dyn Fn(&str) -> Option<&'static str>,
) -> (Config, Vec<InputError>) {
    let mut cfg = Config {
        file: Some(Arc::clone(file)),
        ..Config::default()
    };
    let mut errors = Vec::new();
    let parsed = match parse_body(file) {
        Ok(p) => p,
        Err(e) => return (cfg, vec![e]),
    };
    let lower = Lower::recovered(file, &parsed.recovery);
    let body = lower.body(&parsed.body);
    let mut p = P { errors: &mut errors };
    for attr in &body.attrs {
        if attr.name == "fail_on_empty" {
            if let Some(b) = p.boolean(attr) {
                cfg.defaults.fail_on_empty = b;
            }
            continue;
        }
        p.err(
            &attr.name_span,
            format!(
                "unknown top-level setting \"{}\": settings go in a `defaults` block",
                attr.name
            ),
            None,
        );
    }
    for block in &body.blocks {
        let labels = &block.labels;
        match (block.ident.as_str(), labels.len()) {
            ("defaults", 0) => p.defaults(&block.body, &mut cfg.defaults),
            ("application", 1) => {
                if let Some(decl) = p.application(&labels[0], &block.span, &block.body) {
                    cfg.applications.push(decl);
                }
            }
            ("rule", 1) => {
                let Some(id) = resolve_rule(&labels[0]) else {
                    // Point at the label itself: `rule "KPU099" {`.
                    let head = rules_label_span(&block.span, &labels[0]);
                    p.err(&head, format!("unknown rule \"{}\"", labels[0]), Some("run `kpulint rules` for the list of rule ids".into()));
                    continue;
                };
                let setting = p.rule(&block.body);
                cfg.rules.insert(id.to_string(), setting);
            }
            ("prices", 1) => {
                if let Some(prices) = p.prices(&block.span, &block.body) {
                    cfg.prices.insert(labels[0].clone(), prices);
                }
            }
            ("ignore", 0) => {
                if let Some(scope) = p.ignore(&block.span, &block.body, resolve_rule) {
                    cfg.ignores.push(scope);
                }
            }
            ("evidence", 0) => {
                let base = Path::new(&file.path).parent().map(Path::to_path_buf).unwrap_or_default();
                p.evidence(&block.body, &base, &mut cfg.evidence);
            }
            (ident, _) => p.err(
                &block.span,
                format!("unknown block `{ident}` (or wrong number of labels)"),
                Some("expected `defaults {}`, `application \"ADDRESS\" {}`, `rule \"KPU00N\" {}`, `prices \"REGION\" {}`, `ignore {}` or `evidence {}`".into()),
            ),
        }
    }
    // The fallback must itself be priced, or it would only move the guess.
    if let Some(region) = &cfg.defaults.fallback_prices {
        if !cfg.prices.contains_key(region) && crate::sizing::builtin_prices(region).is_none() {
            let span = body
                .blocks
                .iter()
                .filter(|b| b.ident == "defaults")
                .find_map(|b| b.body.attr("fallback_prices"))
                .map_or_else(|| file.whole(), |a| a.expr.span.clone());
            errors.push(
                InputError::new(
                    span,
                    format!("{CONFIG_FILE}: fallback_prices = \"{region}\" has no prices either"),
                )
                .with_help(format!(
                    "use a region with built-in prices (us-east-1, eu-west-2) or add a `prices \"{region}\"` block"
                )),
            );
            cfg.defaults.fallback_prices = None;
        }
    }
    (cfg, errors)
}

/// The span of a block label (`"KPU099"` in `rule "KPU099" {`), found in the block's first line.
fn rules_label_span(block: &Span, label: &str) -> Span {
    let quoted = format!("\"{label}\"");
    let head = block.text().lines().next().unwrap_or("");
    match head.find(&quoted) {
        Some(i) => block.file.span(block.start + i..block.start + i + quoted.len()),
        None => block.first_line(),
    }
}

struct P<'e> {
    errors: &'e mut Vec<InputError>,
}

impl P<'_> {
    fn err(&mut self, span: &Span, msg: String, help: Option<String>) {
        let mut e = InputError::new(span.clone(), format!("{}: {msg}", CONFIG_FILE));
        e.help = help;
        self.errors.push(e);
    }

    fn value(&mut self, attr: &Attr) -> Option<Value> {
        let vars = BTreeMap::new();
        let cx = crate::eval::expr::Context::new(&vars, &NoLocals);
        match cx.eval(&attr.expr) {
            Ok(Value::Unknown(_)) => {
                self.err(&attr.expr.span, format!("{} must be a literal value", attr.name), None);
                None
            }
            Ok(v) => Some(v),
            Err(e) => {
                self.err(&e.span, e.message, None);
                None
            }
        }
    }

    fn number(&mut self, attr: &Attr, min: f64, max: f64) -> Option<f64> {
        let v = self.value(attr)?;
        match v {
            Value::Number(n) if (min..=max).contains(&n) => Some(n),
            Value::Number(n) => {
                self.err(
                    &attr.expr.span,
                    format!("{} = {n} is out of range ({min} to {max})", attr.name),
                    None,
                );
                None
            }
            other => {
                self.err(
                    &attr.expr.span,
                    format!("{} must be a number, found {}", attr.name, other.type_name()),
                    None,
                );
                None
            }
        }
    }

    fn string(&mut self, attr: &Attr) -> Option<String> {
        match self.value(attr)? {
            Value::String(s) => Some(s),
            other => {
                self.err(
                    &attr.expr.span,
                    format!("{} must be a string, found {}", attr.name, other.type_name()),
                    None,
                );
                None
            }
        }
    }

    fn boolean(&mut self, attr: &Attr) -> Option<bool> {
        match self.value(attr)? {
            Value::Bool(b) => Some(b),
            other => {
                self.err(
                    &attr.expr.span,
                    format!("{} must be true or false, found {}", attr.name, other.type_name()),
                    None,
                );
                None
            }
        }
    }

    fn percentage(&mut self, attr: &Attr) -> Option<f64> {
        let s = self.string(attr)?;
        match parse_percentage(&s) {
            Ok(p) => Some(p),
            Err(e) => {
                self.err(&attr.expr.span, e.to_string(), None);
                None
            }
        }
    }

    fn no_blocks(&mut self, body: &BodyNode) {
        for b in &body.blocks {
            self.err(&b.span, format!("unexpected block `{}` here", b.ident), None);
        }
    }

    fn defaults(&mut self, body: &BodyNode, t: &mut Thresholds) {
        self.no_blocks(body);
        for attr in &body.attrs {
            match attr.name.as_str() {
                "overscale_margin" => {
                    if let Some(v) = self.percentage(attr) {
                        t.overscale_margin = v
                    }
                }
                "bundle_waste" => {
                    if let Some(v) = self.percentage(attr) {
                        t.bundle_waste = v.min(1.0)
                    }
                }
                "storage_factor" => {
                    if let Some(v) = self.number(attr, 0.1, 100.0) {
                        t.storage_factor = v
                    }
                }
                "kpu_quota" => {
                    if let Some(v) = self.number(attr, 1.0, 1_000_000.0) {
                        if v.fract() != 0.0 {
                            self.err(&attr.expr.span, "kpu_quota must be a whole number".into(), None);
                        } else {
                            t.kpu_quota = v as u64;
                        }
                    }
                }
                "region" => {
                    if let Some(v) = self.string(attr) {
                        t.region = v
                    }
                }
                "rescale_gb_per_minute" => {
                    if let Some(v) = self.number(attr, 0.001, 1e6) {
                        t.rescale_gb_per_minute = v
                    }
                }
                "slow_rescale_minutes" => {
                    if let Some(v) = self.number(attr, 0.0, 1e6) {
                        t.slow_rescale_minutes = v
                    }
                }
                "target_margin" => {
                    if let Some(v) = self.percentage(attr) {
                        t.target_margin = v
                    }
                }
                "hours_per_month" => {
                    if let Some(v) = self.number(attr, 1.0, 744.0) {
                        t.hours_per_month = v
                    }
                }
                "fallback_prices" => {
                    if let Some(v) = self.string(attr) {
                        t.fallback_prices = Some(v)
                    }
                }
                "fail_on_empty" => {
                    if let Some(b) = self.boolean(attr) {
                        t.fail_on_empty = b
                    }
                }
                other => self.err(
                    &attr.name_span,
                    format!("unknown setting \"{other}\" in defaults"),
                    Some(format!("known settings: {}", DEFAULT_KEYS.join(", "))),
                ),
            }
        }
    }

    fn application(&mut self, pattern: &str, span: &Span, body: &BodyNode) -> Option<AppDecl> {
        self.no_blocks(body);
        let selector = match Selector::parse(pattern) {
            Ok(m) => m,
            Err(e) => {
                self.err(span, format!("invalid application pattern \"{pattern}\": {e}"), None);
                return None;
            }
        };
        let mut decl = AppDecl {
            pattern: pattern.to_string(),
            selector,
            span: span.clone(),
            declared: Declarations::default(),
        };
        for attr in &body.attrs {
            match attr.name.as_str() {
                "state_size" => {
                    if let Some(s) = self.string(attr) {
                        match parse_size(&s) {
                            Ok(b) => {
                                decl.declared.state_size = Some(Declared {
                                    value: b,
                                    span: attr.expr.span.clone(),
                                    source: DeclSource::Config,
                                })
                            }
                            Err(e) => {
                                decl.declared.state_size_rejected = true;
                                self.err(&attr.expr.span, e.to_string(), None)
                            }
                        }
                    }
                }
                "required_parallelism" | "required_kpus" | "max_parallelism" => {
                    let v = self.value(attr);
                    let key = Key::parse(&attr.name).unwrap_or(Key::MaxParallelism);
                    match v.as_ref().and_then(Value::to_number) {
                        Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= MAX_DECLARED_COUNT as f64 => decl
                            .declared
                            .set_count(key, n as u64, attr.expr.span.clone(), DeclSource::Config),
                        _ if v.is_none() => {}
                        _ => self.err(
                            &attr.expr.span,
                            format!("{} must be a whole number from 1 to {MAX_DECLARED_COUNT}", attr.name),
                            None,
                        ),
                    }
                }
                other => self.err(
                    &attr.name_span,
                    format!("unknown setting \"{other}\" in application block"),
                    Some(format!("known settings: {}", DECLARATION_KEYS.join(", "))),
                ),
            }
        }
        Some(decl)
    }

    /// `"70%"`, as every percentage setting is written: a bare number is refused (is `1` one
    /// percent or a hundred?).
    fn fraction(&mut self, attr: &Attr, max: f64) -> Option<f64> {
        let v = match self.value(attr)? {
            Value::String(s) => match parse_percentage(&s) {
                Ok(p) => p,
                Err(e) => {
                    self.err(&attr.expr.span, e.to_string(), None);
                    return None;
                }
            },
            Value::Number(n) => {
                let n = crate::units::fmt_num(n);
                self.err(
                    &attr.expr.span,
                    format!(
                        "{} must be a percentage written as a string, such as \"{n}%\" (a bare number is ambiguous: 1 could be 1% or 100%)",
                        attr.name
                    ),
                    None,
                );
                return None;
            }
            other => {
                self.err(
                    &attr.expr.span,
                    format!(
                        "{} must be a percentage such as \"70%\", found {}",
                        attr.name,
                        other.type_name()
                    ),
                    None,
                );
                return None;
            }
        };
        if v > 0.0 && v <= max {
            Some(v)
        } else {
            self.err(
                &attr.expr.span,
                format!("{} must be above 0% and at most {}%", attr.name, max * 100.0),
                None,
            );
            None
        }
    }

    /// `evidence { paths = [...], min_days = 7, target_cpu_utilization = "70%", tolerance = "25%", max_age_days = 30 }`
    fn evidence(&mut self, body: &BodyNode, base: &Path, e: &mut EvidenceSettings) {
        self.no_blocks(body);
        for attr in &body.attrs {
            match attr.name.as_str() {
                "paths" => match self.value(attr) {
                    Some(Value::List(items)) => {
                        for item in items.iter() {
                            match item {
                                Value::String(s) if !s.is_empty() => e.paths.push(base.join(s)),
                                _ => self.err(&attr.expr.span, "paths must be a list of paths (strings)".into(), None),
                            }
                        }
                    }
                    Some(_) => self.err(&attr.expr.span, "paths must be a list of paths (strings)".into(), None),
                    None => {}
                },
                "min_days" => {
                    if let Some(v) = self.number(attr, 0.0, 455.0) {
                        e.min_days = v
                    }
                }
                "max_age_days" => {
                    if let Some(v) = self.number(attr, 0.0, 455.0) {
                        e.max_age_days = v
                    }
                }
                "target_cpu_utilization" => {
                    if let Some(v) = self.fraction(attr, 1.0) {
                        e.target_cpu_utilization = v
                    }
                }
                "tolerance" => {
                    if let Some(v) = self.fraction(attr, 10.0) {
                        e.tolerance = v
                    }
                }
                other => self.err(
                    &attr.name_span,
                    format!("unknown setting \"{other}\" in evidence block"),
                    Some("known settings: paths, min_days, target_cpu_utilization, tolerance, max_age_days".into()),
                ),
            }
        }
    }

    fn rule(&mut self, body: &BodyNode) -> RuleSetting {
        self.no_blocks(body);
        let mut setting = RuleSetting {
            enabled: true,
            severity: None,
        };
        for attr in &body.attrs {
            match attr.name.as_str() {
                "enabled" => match self.value(attr) {
                    Some(Value::Bool(b)) => setting.enabled = b,
                    Some(other) => self.err(
                        &attr.expr.span,
                        format!("enabled must be true or false, found {}", other.type_name()),
                        None,
                    ),
                    None => {}
                },
                "severity" => {
                    if let Some(s) = self.string(attr) {
                        match Severity::parse(&s) {
                            Some(sev) => setting.severity = Some(sev),
                            None => self.err(
                                &attr.expr.span,
                                format!("unknown severity \"{s}\": use \"error\", \"warning\" or \"note\""),
                                None,
                            ),
                        }
                    }
                }
                other => self.err(
                    &attr.name_span,
                    format!("unknown setting \"{other}\" in rule block"),
                    Some("known settings: enabled, severity".into()),
                ),
            }
        }
        setting
    }

    fn prices(&mut self, span: &Span, body: &BodyNode) -> Option<Prices> {
        self.no_blocks(body);
        let (mut kpu, mut storage) = (None, None);
        for attr in &body.attrs {
            match attr.name.as_str() {
                "kpu_hour_usd" => kpu = self.number(attr, 0.0, 1000.0),
                "running_storage_gb_month_usd" => storage = self.number(attr, 0.0, 1000.0),
                other => self.err(
                    &attr.name_span,
                    format!("unknown setting \"{other}\" in prices block"),
                    Some("known settings: kpu_hour_usd, running_storage_gb_month_usd".into()),
                ),
            }
        }
        match (kpu, storage) {
            (Some(k), Some(s)) => Some(Prices {
                kpu_hour_usd: k,
                running_storage_gb_month_usd: s,
            }),
            _ => {
                self.err(
                    span,
                    "a prices block needs both kpu_hour_usd and running_storage_gb_month_usd".into(),
                    None,
                );
                None
            }
        }
    }

    fn ignore(
        &mut self,
        span: &Span,
        body: &BodyNode,
        resolve_rule: &dyn Fn(&str) -> Option<&'static str>,
    ) -> Option<IgnoreScope> {
        self.no_blocks(body);
        let mut scope = IgnoreScope {
            paths: Vec::new(),
            applications: Vec::new(),
            rules: Vec::new(),
            reason: None,
            until: None,
            span: span.clone(),
        };
        let mut ok = true;
        for attr in &body.attrs {
            match attr.name.as_str() {
                "paths" | "applications" | "rules" => {
                    let Some(Value::List(items)) = self.value(attr) else {
                        self.err(
                            &attr.expr.span,
                            format!("{} must be a list of strings", attr.name),
                            None,
                        );
                        ok = false;
                        continue;
                    };
                    for item in items.iter() {
                        let Value::String(s) = item else {
                            self.err(
                                &attr.expr.span,
                                format!("{} must be a list of strings", attr.name),
                                None,
                            );
                            ok = false;
                            continue;
                        };
                        if attr.name == "applications" {
                            match Selector::parse(s) {
                                Ok(sel) => scope.applications.push(sel),
                                Err(e) => {
                                    self.err(
                                        &attr.expr.span,
                                        format!("invalid application pattern \"{s}\": {e}"),
                                        None,
                                    );
                                    ok = false;
                                }
                            }
                        } else if attr.name == "paths" {
                            match Glob::new(s) {
                                Ok(g) => scope.paths.push(g.compile_matcher()),
                                Err(e) => {
                                    self.err(&attr.expr.span, format!("invalid path glob \"{s}\": {e}"), None);
                                    ok = false;
                                }
                            }
                        } else if let Some(id) = resolve_rule(s) {
                            scope.rules.push(id.to_string());
                        } else {
                            self.err(&attr.expr.span, format!("unknown rule \"{s}\""), None);
                            ok = false;
                        }
                    }
                }
                "reason" => scope.reason = self.string(attr).filter(|r| !r.trim().is_empty()),
                "until" => {
                    if let Some(s) = self.string(attr) {
                        match Date::parse(&s) {
                            Some(d) => scope.until = Some(d),
                            None => {
                                self.err(
                                    &attr.expr.span,
                                    format!("until = \"{s}\" is not a date: use YYYY-MM-DD"),
                                    None,
                                );
                                ok = false;
                            }
                        }
                    }
                }
                other => self.err(
                    &attr.name_span,
                    format!("unknown setting \"{other}\" in ignore block"),
                    Some("known settings: paths, applications, rules, reason, until".into()),
                ),
            }
        }
        if scope.reason.is_none() {
            self.err(
                span,
                "an ignore block needs a non-empty reason".into(),
                Some("say why the finding is accepted: reason = \"...\"".into()),
            );
            ok = false;
        }
        ok.then_some(scope)
    }
}

struct NoLocals;
impl crate::eval::expr::LocalsSource for NoLocals {
    fn local(&self, name: &str, span: &Span) -> crate::eval::expr::EvalResult {
        Err(crate::eval::expr::EvalError::new(
            format!("local.{name} cannot be used in {CONFIG_FILE}"),
            span,
        ))
    }
}

/// Finds the config for a scanned path: the nearest `.kpulint.hcl` walking up from `start`,
/// stopping at the repository root (a directory holding `.git`).
pub fn discover(start: &Path) -> Option<PathBuf> {
    let mut dir = if start.is_dir() {
        start.to_path_buf()
    } else {
        start.parent()?.to_path_buf()
    };
    if dir.as_os_str().is_empty() {
        dir = PathBuf::from(".");
    }
    let mut dir = dir.canonicalize().ok()?;
    loop {
        let candidate = dir.join(CONFIG_FILE);
        // Whatever it is (a FIFO, a link to a device): reading it says why it cannot be read,
        // rather than the config being skipped in silence.
        if std::fs::symlink_metadata(&candidate).is_ok_and(|m| !m.is_dir()) {
            return Some(candidate);
        }
        if dir.join(".git").exists() || !dir.pop() {
            return None;
        }
    }
}

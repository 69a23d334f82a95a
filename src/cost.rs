//! `kpulint cost`: the fleet as one row per application (KPUs, binding need, monthly cost today
//! and right-sized, savings), largest savings first, with a total. Pure: analyses in, rows out.

use crate::analysis::{Analysis, Binding, NotSized};

/// One application's row.
#[derive(Debug, Clone, PartialEq)]
pub struct CostRow<'a> {
    pub address: &'a str,
    /// The application's root and identity ([`crate::model::Application::instance`]).
    pub root: &'a str,
    pub instance: &'a str,
    pub file: &'a str,
    pub line: usize,
    /// `sized`, `not_applicable`, `unresolved` or `invalid` (as in `check --format json`).
    pub status: &'static str,
    pub kpus: Option<u64>,
    pub billed_kpus: Option<u64>,
    pub binding: Option<Binding>,
    pub monthly_cost_usd: Option<f64>,
    pub recommended_kpus: Option<u64>,
    pub recommended_monthly_cost_usd: Option<f64>,
    /// Today − recommended (negative: the declared needs cost more than today).
    pub savings_usd: Option<f64>,
    /// The recommendation's `safe` (`None` without one): `false` when it lowers a dimension
    /// whose need was not declared, and [`CostRow::confirm`] says what to check first.
    pub safe: Option<bool>,
    pub confirm: &'a [String],
    /// The inputs that could not be read (a tainted application has no figures).
    pub tainted_by: Vec<&'a str>,
}

impl CostRow<'_> {
    /// A saving that needs confirming first.
    pub fn unconfirmed(&self) -> bool {
        self.safe == Some(false)
    }
}

/// The sums over the applications whose costs today and recommended are both known.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CostTotal {
    pub applications: usize,
    pub kpus: u64,
    pub billed_kpus: u64,
    pub monthly_cost_usd: f64,
    pub recommended_monthly_cost_usd: f64,
    /// What the safe recommendations save.
    pub savings_usd: f64,
    /// What the unsafe ones would save once confirmed.
    pub unconfirmed_savings_usd: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CostTable<'a> {
    pub rows: Vec<CostRow<'a>>,
    pub total: CostTotal,
    /// The rows come from more than one root: the tables show a `root` column.
    pub several_roots: bool,
}

pub fn status(a: &Analysis) -> &'static str {
    match &a.sizing {
        Ok(_) => "sized",
        Err(NotSized::NotApplicable) => "not_applicable",
        Err(NotSized::Unresolved) => "unresolved",
        Err(NotSized::Invalid) => "invalid",
    }
}

fn row(a: &Analysis) -> CostRow<'_> {
    let s = a.sizing.as_ref().ok();
    let r = a.recommendation.as_ref();
    CostRow {
        address: &a.app.address,
        root: &a.app.root,
        instance: &a.app.instance,
        file: a.app.span.path(),
        line: a.app.span.location().line,
        status: status(a),
        kpus: s.map(|s| s.kpus),
        billed_kpus: s.and_then(|s| s.billed_kpus),
        binding: s.and_then(|s| s.binding()),
        monthly_cost_usd: s.and_then(|s| s.monthly_cost_usd),
        recommended_kpus: r.map(|r| r.kpus),
        recommended_monthly_cost_usd: r.and_then(|r| r.monthly_cost_usd),
        savings_usd: r.and_then(|r| r.savings_usd),
        safe: r.map(|r| r.safe),
        confirm: r.map_or(&[], |r| r.confirm.as_slice()),
        tainted_by: a.app.tainted_files(),
    }
}

/// The rows sorted by savings, largest first, confirmed savings before unconfirmed ones (then
/// by file, line and address); rows without a known saving come last.
pub fn cost_table(analyses: &[Analysis]) -> CostTable<'_> {
    let mut rows: Vec<CostRow<'_>> = analyses.iter().map(row).collect();
    rows.sort_by(|a, b| {
        let by_savings = match (a.savings_usd, b.savings_usd) {
            (Some(x), Some(y)) => a.unconfirmed().cmp(&b.unconfirmed()).then(y.total_cmp(&x)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_savings.then_with(|| (a.file, a.line, a.address, a.root).cmp(&(b.file, b.line, b.address, b.root)))
    });
    let several_roots = rows
        .first()
        .is_some_and(|first| rows.iter().any(|r| r.root != first.root));
    let fleet = crate::report::fleet_cost(analyses);
    let counted = rows
        .iter()
        .filter(|r| r.monthly_cost_usd.is_some() && r.recommended_monthly_cost_usd.is_some());
    let (kpus, billed_kpus) = counted.fold((0u64, 0u64), |(k, b), r| {
        (
            k.saturating_add(r.kpus.unwrap_or(0)),
            b.saturating_add(r.billed_kpus.unwrap_or(0)),
        )
    });
    CostTable {
        total: CostTotal {
            applications: fleet.applications,
            kpus,
            billed_kpus,
            monthly_cost_usd: fleet.monthly_cost_usd,
            recommended_monthly_cost_usd: fleet.recommended_monthly_cost_usd,
            savings_usd: fleet.savings_usd,
            unconfirmed_savings_usd: fleet.unconfirmed_savings_usd,
        },
        rows,
        several_roots,
    }
}

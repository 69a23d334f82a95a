//! The fleet cost table as text cells, shared by the human and Markdown renderers.

use super::table::Table;
use crate::cost::CostTable;
use crate::rules::usd;

pub const HEADER: [&str; 8] = [
    "application",
    "file:line",
    "KPUs",
    "billed KPUs",
    "binds",
    "$/month today",
    "$/month recommended",
    "savings/month",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

fn money(v: Option<f64>) -> String {
    v.map(usd).unwrap_or_else(|| "—".into())
}

/// A saving; a negative one (the needs cost more than today) with a real minus sign.
fn savings(v: Option<f64>) -> String {
    v.map(|v| usd(v).replacen('-', "−", 1)).unwrap_or_else(|| "—".into())
}

/// One row per application (unsized ones say why in the binding column), then the total.
pub fn table(t: &CostTable<'_>) -> Table {
    let mut table = Table::new(&HEADER, &[false, false, true, true, false, true, true, true]);
    for r in &t.rows {
        let binds = match (r.status, r.binding) {
            ("sized", b) => opt(b.map(|b| b.as_str())),
            (status, _) => format!("({})", status.replace('_', " ")),
        };
        table.push(vec![
            r.address.to_string(),
            format!("{}:{}", r.file, r.line),
            opt(r.kpus),
            opt(r.billed_kpus),
            binds,
            money(r.monthly_cost_usd),
            money(r.recommended_monthly_cost_usd),
            savings(r.savings_usd),
        ]);
    }
    let n = t.total.applications;
    table.push(vec![
        format!("total ({n} application{})", crate::rules::plural(n as u64)),
        String::new(),
        t.total.kpus.to_string(),
        t.total.billed_kpus.to_string(),
        String::new(),
        usd(t.total.monthly_cost_usd),
        usd(t.total.recommended_monthly_cost_usd),
        savings(Some(t.total.savings_usd)),
    ]);
    table
}

//! The fleet cost table as text cells, shared by the human and Markdown renderers.

use super::table::Table;
use crate::cost::{CostRow, CostTable};
use crate::rules::usd;

pub const HEADER: [&str; 9] = [
    "application",
    "file:line",
    "KPUs",
    "billed KPUs",
    "binds",
    "$/month today",
    "$/month recommended",
    "savings/month",
    "safe",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

fn money(v: Option<f64>) -> String {
    v.map(usd).unwrap_or_else(|| "—".into())
}

/// `¹`, `²`, … `¹⁰`: the mark of a footnote.
pub fn superscript(n: usize) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    n.to_string()
        .chars()
        .filter_map(|c| c.to_digit(10).and_then(|d| DIGITS.get(d as usize)))
        .collect()
}

/// The rows' `safe` marks and, for each unsafe one, a footnote saying what to confirm first.
pub struct Marked {
    pub table: Table,
    /// Rows before the total rows.
    pub rows: usize,
    pub footnotes: Vec<String>,
}

fn safe_cell(r: &CostRow<'_>, footnotes: &mut Vec<String>) -> String {
    match r.safe {
        Some(true) => "yes".into(),
        Some(false) => {
            footnotes.push(format!(
                "{} {}: not a safe fix, confirm first: {}",
                superscript(footnotes.len() + 1),
                r.instance,
                r.confirm.join("; ")
            ));
            format!("no{}", superscript(footnotes.len()))
        }
        None => "—".into(),
    }
}

/// One row per application (unsized ones say why in the binding column), then the total of
/// the confirmed savings and the total of the unconfirmed ones.
pub fn table(t: &CostTable<'_>) -> Marked {
    let right = [false, false, true, true, false, true, true, true, false];
    let mut table = if t.several_roots {
        // The same address in several roots: a `root` column after the application tells the
        // instances apart.
        let mut header = HEADER.to_vec();
        header.insert(1, "root");
        let mut right = right.to_vec();
        right.insert(1, false);
        Table::new(&header, &right)
    } else {
        Table::new(&HEADER, &right)
    };
    let with_root = |mut cells: Vec<String>, root: &str| {
        if t.several_roots {
            cells.insert(1, root.to_string());
        }
        cells
    };
    let mut footnotes = Vec::new();
    for r in &t.rows {
        let binds = match (r.status, r.binding) {
            _ if !r.tainted_by.is_empty() => "(input error)".to_string(),
            ("sized", b) => opt(b.map(|b| b.as_str())),
            (status, _) => format!("({})", status.replace('_', " ")),
        };
        let safe = safe_cell(r, &mut footnotes);
        table.push(with_root(
            vec![
                r.address.to_string(),
                format!("{}:{}", r.file, r.line),
                opt(r.kpus),
                opt(r.billed_kpus),
                binds,
                money(r.monthly_cost_usd),
                money(r.recommended_monthly_cost_usd),
                money(r.savings_usd),
                safe,
            ],
            r.root,
        ));
    }
    let n = t.total.applications;
    table.push(with_root(
        vec![
            format!("total ({n} application{})", crate::rules::plural(n as u64)),
            String::new(),
            t.total.kpus.to_string(),
            t.total.billed_kpus.to_string(),
            String::new(),
            usd(t.total.monthly_cost_usd),
            usd(t.total.recommended_monthly_cost_usd),
            usd(t.total.savings_usd),
            "yes".into(),
        ],
        "",
    ));
    // Only the rows whose saving is known are in the sum (a row without prices is not).
    let unsafe_rows = t
        .rows
        .iter()
        .filter(|r| r.unconfirmed() && r.savings_usd.is_some())
        .count() as u64;
    table.push(with_root(
        vec![
            format!(
                "unconfirmed savings ({unsafe_rows} application{}, not in the total)",
                crate::rules::plural(unsafe_rows)
            ),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            usd(t.total.unconfirmed_savings_usd),
            "no".into(),
        ],
        "",
    ));
    Marked {
        table,
        rows: t.rows.len(),
        footnotes,
    }
}

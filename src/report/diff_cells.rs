//! What the `kpulint diff` formats share: the summary sentence, money, and the table's cells
//! (`before → after` when a value changes, `–` for a side without the application, `?` for a
//! value that could not be evaluated).

use crate::diff::{AppDelta, Change, Diff, Figures, SeverityCounts};
use crate::lint::Finding;

/// `$1,103.90`, `−$170.60`: as `check` and `cost` print money.
pub fn usd(cents: i64) -> String {
    crate::rules::usd_cents(cents)
}

/// `+$341.20`, `−$170.60`, `$0.00`.
pub fn signed_usd(cents: i64) -> String {
    if cents > 0 {
        format!("+{}", usd(cents))
    } else {
        usd(cents)
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `1 warning`, `2 errors and 1 note`; `None` when there are none.
fn severities(c: SeverityCounts) -> Option<String> {
    let parts: Vec<String> = [(c.errors, "error"), (c.warnings, "warning"), (c.notes, "note")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| format!("{n} {word}{}", plural(n as u64)))
        .collect();
    (!parts.is_empty()).then(|| join_and(&parts))
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The first line of every format: "This change adds 4 KPUs (+$341.20/month) and introduces
/// 1 warning." KPUs are billed KPUs (allocated plus orchestration): what the dollars pay for.
pub fn summary(d: &Diff<'_>) -> String {
    let t = &d.totals;
    let kpus = t.delta_billed_kpus();
    let cost = if t.cost_known() {
        format!("{}/month", signed_usd(t.delta_monthly_cost_cents()))
    } else {
        let n = t.without_cost as u64;
        format!(
            "monthly cost unknown: {n} application{} without prices for {} region",
            plural(n),
            if n == 1 { "its" } else { "their" }
        )
    };
    let mut clauses = vec![match kpus {
        0 if t.cost_known() && t.delta_monthly_cost_cents() == 0 => {
            "does not change the KPU count or the monthly cost".to_string()
        }
        0 => format!("does not change the KPU count ({cost})"),
        n if n > 0 => format!("adds {n} KPU{} ({cost})", plural(n.unsigned_abs())),
        n => format!("removes {} KPU{} ({cost})", n.unsigned_abs(), plural(n.unsigned_abs())),
    }];
    match severities(SeverityCounts::of(d.introduced.iter().copied())) {
        Some(s) => clauses.push(format!("introduces {s}")),
        None => clauses.push("introduces no findings".to_string()),
    }
    if let Some(s) = severities(SeverityCounts::of(d.resolved.iter().map(|r| r.finding))) {
        clauses.push(format!("resolves {s}"));
    }
    if !d.new_errors.is_empty() {
        let n = d.new_errors.len() as u64;
        clauses.push(format!("breaks {n} file{} (input error{} below)", plural(n), plural(n)));
    }
    let mut s = format!("This change {}.", join_and(&clauses));
    let is_are = |n: u64| if n == 1 { "is" } else { "are" };
    let without = (t.without_figures - t.not_comparable) as u64;
    if without > 0 {
        s.push_str(&format!(
            " {without} application{} without KPU figures on a side {} not in the totals.",
            plural(without),
            is_are(without)
        ));
    }
    let n = t.not_comparable as u64;
    if n > 0 {
        s.push_str(&format!(
            " {n} application{} not comparable (input error: an input could not be read) {} not in the totals.",
            plural(n),
            is_are(n)
        ));
    }
    s
}

/// The Δ cell of an application that cannot be compared.
pub const NOT_COMPARABLE: &str = "not comparable (input error)";

/// The table's column headers after "Application" and "Change".
pub const COLUMNS: [&str; 8] = [
    "Parallelism",
    "Per KPU",
    "Autoscaling",
    "KPUs",
    "Billed KPUs",
    "Storage GB",
    "$/month",
    "Δ $/month",
];

/// One row of the table.
pub struct Row {
    /// The address, with the root module directory or file when it is not the current one.
    pub application: String,
    /// `file:line` of the application (in the head, or in the base when removed).
    pub location: String,
    pub change: &'static str,
    pub cells: [String; 8],
}

fn side<T: ToString>(f: Option<&Figures>, get: impl Fn(&Figures) -> Option<T>) -> String {
    match f {
        None => "–".to_string(),
        Some(f) => get(f).map(|v| v.to_string()).unwrap_or_else(|| "?".to_string()),
    }
}

fn pair<T: ToString>(a: &AppDelta<'_>, get: impl Fn(&Figures) -> Option<T>) -> String {
    let before = side(a.before.as_ref(), &get);
    let after = side(a.after.as_ref(), &get);
    if a.before.is_some() && a.after.is_some() && before == after {
        after
    } else {
        format!("{before} → {after}")
    }
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

pub fn row(a: &AppDelta<'_>) -> Row {
    let application = match a.key.unit.as_str() {
        "" | "." => a.key.address.clone(),
        unit => format!("{} ({unit})", a.key.address),
    };
    let line = a.span.location().line;
    Row {
        application,
        location: format!("{}:{line}", a.span.path()),
        change: a.change.as_str(),
        cells: [
            pair(a, |f| f.parallelism),
            pair(a, |f| f.parallelism_per_kpu),
            pair(a, |f| f.auto_scaling.map(on_off)),
            pair(a, |f| f.kpus),
            pair(a, |f| f.billed_kpus),
            pair(a, |f| f.running_storage_gb),
            pair(a, |f| f.monthly_cost_cents.map(usd)),
            match a.deltas.monthly_cost_cents {
                _ if !a.comparable => NOT_COMPARABLE.to_string(),
                Some(c) => signed_usd(c),
                None => "?".to_string(),
            },
        ],
    }
}

/// The total row's cells (same columns as [`row`]).
pub fn total_cells(d: &Diff<'_>) -> [String; 8] {
    let t = &d.totals;
    let arrow = |b: String, a: String| if a == b { a } else { format!("{b} → {a}") };
    [
        String::new(),
        String::new(),
        String::new(),
        arrow(t.before_kpus.to_string(), t.after_kpus.to_string()),
        arrow(t.before_billed_kpus.to_string(), t.after_billed_kpus.to_string()),
        arrow(
            t.before_running_storage_gb.to_string(),
            t.after_running_storage_gb.to_string(),
        ),
        // Unknown when an application in the KPU sums has no price: `?`, as its row shows.
        match t.cost_known() {
            true => arrow(usd(t.before_monthly_cost_cents), usd(t.after_monthly_cost_cents)),
            false => "?".to_string(),
        },
        match t.cost_known() {
            true => signed_usd(t.delta_monthly_cost_cents()),
            false => "?".to_string(),
        },
    ]
}

/// `3 added, 1 removed, 2 changed, 4 unchanged`.
pub fn counts_line(d: &Diff<'_>) -> String {
    [Change::Added, Change::Removed, Change::Changed, Change::Unchanged]
        .into_iter()
        .map(|c| format!("{} {}", d.count(c), c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `infra/main.tf:9:23`
pub fn at(f: &Finding) -> String {
    let l = f.span.location();
    format!("{}:{}:{}", f.span.path(), l.line, l.column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_prints_exact_cents_and_sign() {
        assert_eq!(usd(110_390), "$1,103.90");
        assert_eq!(usd(123_456_789), "$1,234,567.89");
        assert_eq!(usd(-17_060), "−$170.60");
        assert_eq!(usd(5), "$0.05");
        assert_eq!(signed_usd(34_120), "+$341.20");
        assert_eq!(signed_usd(0), "$0.00");
    }

    #[test]
    fn lists_join_with_and() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(join_and(&s(&["a"])), "a");
        assert_eq!(join_and(&s(&["a", "b"])), "a and b");
        assert_eq!(join_and(&s(&["a", "b", "c"])), "a, b and c");
        let c = SeverityCounts {
            errors: 1,
            warnings: 2,
            notes: 0,
        };
        assert_eq!(severities(c).as_deref(), Some("1 error and 2 warnings"));
        assert_eq!(severities(SeverityCounts::default()), None);
    }
}

//! `kpulint diff --format human` (default): the summary sentence, an aligned table of added,
//! removed and changed applications with a total row, then the findings introduced and
//! resolved, input errors of each side, and notices.

use std::io::{self, Write};

use super::diff_cells::{at, counts_line, row, summary, total_cells, COLUMNS};
use crate::diff::Diff;
use crate::lint::Finding;
use crate::model::InputError;

/// Left-aligned columns separated by two spaces; widths count characters.
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::from("  ");
        for (cell, width) in r.iter().zip(&widths) {
            line.push_str(cell);
            line.push_str(&" ".repeat(width - cell.chars().count() + 2));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn finding_line(f: &Finding) -> String {
    format!("  {}[{}] {}: {}\n", f.severity.as_str(), f.rule.id, at(f), f.message)
}

fn error_line(e: &InputError) -> String {
    let l = e.span.location();
    format!("  error: {}:{}:{}: {}\n", e.span.path(), l.line, l.column, e.message)
}

pub fn render(d: &Diff<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut s = String::new();
    s.push_str(&format!("kpulint diff: {} → {}\n", d.labels.base, d.labels.head));
    s.push_str(&summary(d));
    s.push('\n');
    for g in crate::gate::failed(&d.gates) {
        s.push_str(&g.failure_line());
        s.push('\n');
    }
    s.push_str(&format!("Applications: {}.\n", counts_line(d)));

    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = vec!["CHANGE".to_string(), "APPLICATION".to_string()];
    header.extend(COLUMNS.iter().map(|c| c.to_uppercase()));
    header.push("WHERE".to_string());
    rows.push(header);
    for a in d.changed() {
        let r = row(a);
        let mut cells = vec![r.change.to_string(), r.application];
        cells.extend(r.cells);
        cells.push(r.location);
        rows.push(cells);
    }
    if rows.len() > 1 {
        let mut total = vec!["total".to_string(), String::new()];
        total.extend(total_cells(d));
        rows.push(total);
        s.push('\n');
        s.push_str(&table(&rows));
    }

    let mut list = |title: String, lines: Vec<String>| {
        if !lines.is_empty() {
            s.push('\n');
            s.push_str(&title);
            s.push('\n');
            lines.iter().for_each(|l| s.push_str(l));
        }
    };
    list(
        format!("Findings introduced ({}):", d.introduced.len()),
        d.introduced.iter().map(|f| finding_line(f)).collect(),
    );
    list(
        format!("Findings resolved ({}):", d.resolved.len()),
        d.resolved
            .iter()
            .map(|r| {
                let line = finding_line(r.finding);
                if r.now_suppressed {
                    format!("{} (now suppressed)\n", line.trim_end())
                } else {
                    line
                }
            })
            .collect(),
    );
    list(
        format!("Input errors in {}:", d.labels.head),
        d.head_errors.iter().map(error_line).collect(),
    );
    list(
        format!("Input errors in the base, {}:", d.labels.base),
        d.base_errors.iter().map(error_line).collect(),
    );
    list(
        "Notices:".to_string(),
        d.notices.iter().map(|n| format!("  note: {}\n", n.message)).collect(),
    );
    out.write_all(s.as_bytes())
}

//! Plain tables shared by the `what-if` and `cost` renderers: aligned text for terminals and
//! GitHub-flavoured Markdown, plus errors and notices as one line each.

use super::escape::{terminal, terminal_line};
use crate::model::{InputError, Notice};

/// A table: a header row and rows of cells; numeric columns are right-aligned.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub right: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str], right: &[bool]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            right: right.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    fn widths(&self) -> Vec<usize> {
        let mut w: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                if let Some(slot) = w.get_mut(i) {
                    *slot = (*slot).max(cell.chars().count());
                }
            }
        }
        w
    }

    fn line(&self, cells: &[String], widths: &[usize], indent: &str) -> String {
        let mut s = String::from(indent);
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            let pad = " ".repeat(width.saturating_sub(cell.chars().count()));
            if self.right.get(i).copied().unwrap_or(false) {
                s.push_str(&pad);
                s.push_str(cell);
            } else {
                s.push_str(cell);
                s.push_str(&pad);
            }
        }
        s.trim_end().to_string()
    }

    /// Columns separated by two spaces, each line starting with `indent`; `rule_before` rows get
    /// a line of `─` above them (a total row).
    pub fn text(&self, indent: &str, rule_before: Option<usize>) -> String {
        let widths = self.widths();
        let mut out = String::new();
        out.push_str(&self.line(&self.header, &widths, indent));
        out.push('\n');
        for (i, row) in self.rows.iter().enumerate() {
            if rule_before == Some(i) {
                let total: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
                out.push_str(indent);
                out.push_str(&"─".repeat(total));
                out.push('\n');
            }
            out.push_str(&self.line(row, &widths, indent));
            out.push('\n');
        }
        out
    }

    /// A GitHub-flavoured Markdown table; the non-empty cells of rows from `bold_from` on (a
    /// total row) are bold.
    pub fn markdown(&self, bold_from: Option<usize>) -> String {
        let row = |cells: &[String], bold: bool| {
            let cells: Vec<String> = cells
                .iter()
                .map(|c| match markdown_cell(c) {
                    c if bold && !c.is_empty() => format!("**{c}**"),
                    c => c,
                })
                .collect();
            format!("| {} |\n", cells.join(" | "))
        };
        let mut out = row(&self.header, false);
        let align: Vec<String> = (0..self.header.len())
            .map(|i| {
                if self.right.get(i).copied().unwrap_or(false) {
                    "---:".to_string()
                } else {
                    "---".to_string()
                }
            })
            .collect();
        out.push_str(&format!("| {} |\n", align.join(" | ")));
        for (i, r) in self.rows.iter().enumerate() {
            out.push_str(&row(r, bold_from.is_some_and(|b| i >= b)));
        }
        out
    }
}

/// A cell's text with every character Markdown gives a meaning escaped (`$` too: GitHub reads
/// `$…$` as inline math), and nothing GitHub would link: see [`super::escape::markdown_text`].
pub fn markdown_cell(s: &str) -> String {
    super::escape::markdown_text(s)
}

/// `error: file:line:col: message` / `note: file:line:col: message`, one line each, with
/// unsafe characters shown escaped (Markdown escapes the lines again).
pub fn problems(errors: &[InputError], notices: &[Notice]) -> Vec<String> {
    let mut out = Vec::new();
    for e in errors {
        let l = e.span.location();
        out.push(format!(
            "error: {}:{}:{}: {}",
            terminal_line(e.span.path()),
            l.line,
            l.column,
            terminal(&e.message)
        ));
    }
    for n in notices {
        out.push(format!("note: {}", super::notice_text(n)));
    }
    out
}

/// [`problems`] as a Markdown list after a blank line (nothing when there are none).
pub fn problems_markdown(errors: &[InputError], notices: &[Notice]) -> String {
    let lines = problems(errors, notices);
    if lines.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n");
    for line in lines {
        out.push_str(&format!("- {}\n", markdown_cell(&line)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_alignment_counts_characters() {
        let mut t = Table::new(&["name", "Δ"], &[false, true]);
        t.push(vec!["a".into(), "−$1.00".into()]);
        t.push(vec!["total".into(), "$10.00".into()]);
        assert_eq!(
            t.text("", Some(1)),
            "name        Δ\na      −$1.00\n─────────────\ntotal  $10.00\n"
        );
    }

    #[test]
    fn markdown_escapes_cells() {
        let mut t = Table::new(&["a", "n"], &[false, true]);
        t.push(vec!["x|y_[0]".into(), "1".into()]);
        t.push(vec!["total".into(), String::new()]);
        assert_eq!(
            t.markdown(Some(1)),
            "| a | n |\n| --- | ---: |\n| x\\|y\\_\\[0\\] | 1 |\n| **total** |  |\n"
        );
    }
}

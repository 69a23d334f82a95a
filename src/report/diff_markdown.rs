//! `kpulint diff --format markdown`: a pull-request comment. The summary sentence comes first,
//! then the table of added, removed and changed applications with a total row, then the
//! findings the change introduces (with file:line) and resolves. Long lists are cut with a
//! count so the comment stays under GitHub's 65,536-character limit; the marker on the first
//! line lets CI find and update its own comment.

use std::io::{self, Write};

use super::diff_cells::{at, counts_line, row, summary, total_cells, COLUMNS};
use crate::diff::Diff;
use crate::lint::Finding;
use crate::model::{InputError, Severity};

/// Finds kpulint's comment among a pull request's comments.
pub const MARKER: &str = "<!-- kpulint-diff -->";
/// GitHub's limit on a comment body, in characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;
/// Room kept for the lines that are always written (the total row, the counts of what was
/// left out, the footer), so the whole comment stays under the limit.
const RESERVE: usize = 4_000;

/// The comment under construction. Lengths are counted in bytes, which is never less than
/// the characters GitHub counts.
struct Comment {
    text: String,
    /// For the lines that may be cut: the comment's limit less [`RESERVE`].
    limit: usize,
}

impl Comment {
    /// Appends `line` (and a newline) unless it would pass the limit.
    fn try_line(&mut self, line: &str) -> bool {
        if self.text.len() + line.len() + 1 > self.limit {
            return false;
        }
        self.line(line);
        true
    }

    fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }
}

/// Text from the repository in a list item, heading or table cell: nothing live (no link,
/// image, mention, HTML or formatting; see [`super::escape::markdown_text`]).
fn escape(s: &str) -> String {
    super::escape::markdown_text(s)
}

/// An address, path or label, as written, in a code span (outside a table).
fn code(s: &str) -> String {
    super::escape::markdown_code(s, false)
}

/// [`code`] in a table cell.
fn cell_code(s: &str) -> String {
    super::escape::markdown_code(s, true)
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "🛑",
        Severity::Warning => "⚠️",
        Severity::Note => "ℹ️",
    }
}

fn finding_line(f: &Finding) -> String {
    format!(
        "- {} **{}** [{}]({}) {}: {}",
        icon(f.severity),
        f.severity.as_str(),
        f.rule.id,
        f.rule.url(),
        code(&at(f)),
        escape(&f.message)
    )
}

fn error_line(e: &InputError) -> String {
    let l = e.span.location();
    format!(
        "- {}: {}",
        code(&format!("{}:{}:{}", e.span.path(), l.line, l.column)),
        escape(&e.message)
    )
}

/// Writes `lines` under `heading`, cutting with a count when the comment would pass its limit.
fn section(c: &mut Comment, heading: &str, lines: Vec<String>, what: &str) {
    if lines.is_empty() {
        return;
    }
    let fits = c.try_line("") && c.try_line(heading) && c.try_line("");
    let mut written = 0;
    if fits {
        for l in &lines {
            if !c.try_line(l) {
                break;
            }
            written += 1;
        }
    }
    if written < lines.len() {
        if !fits {
            c.line("");
            c.line(heading);
            c.line("");
        }
        c.line(&format!(
            "- … and {} more {what} not shown (run `kpulint diff` locally for all)",
            lines.len() - written
        ));
    }
}

pub fn render_with_limit(d: &Diff<'_>, limit: usize) -> String {
    let mut c = Comment {
        text: String::new(),
        limit: limit.saturating_sub(RESERVE),
    };
    // The marker is invisible: a failed gate, then the summary, is the first a reviewer sees.
    c.line(MARKER);
    // kpulint's own sentences (limits from the command line, counts and dollars): written as
    // they are, like the table's figures.
    for g in crate::gate::failed(&d.gates) {
        c.line(&format!("❌ **{}**", g.failure_line()));
        c.line("");
    }
    c.line(&format!("**{}**", summary(d)));
    c.line("");
    c.line(&format!(
        "{} → {}: {} application{}: {}.",
        code(&d.labels.base),
        code(&d.labels.head),
        d.applications.len(),
        crate::rules::plural(d.applications.len() as u64),
        counts_line(d)
    ));

    let rows: Vec<String> = d
        .changed()
        .map(|a| {
            let r = row(a);
            format!(
                "| {}<br>{} | {} | {} |",
                cell_code(&r.application),
                cell_code(&r.location),
                r.change,
                // kpulint's own figures: nothing to escape.
                r.cells.join(" | ")
            )
        })
        .collect();
    if !rows.is_empty() {
        c.line("");
        c.line(&format!("| Application | Change | {} |", COLUMNS.join(" | ")));
        c.line(&format!("|---|---|{}", "---:|".repeat(COLUMNS.len())));
        let mut written = 0;
        for r in &rows {
            if !c.try_line(r) {
                break;
            }
            written += 1;
        }
        if written < rows.len() {
            let more = rows.len() - written;
            c.line(&format!(
                "| … {more} more applications not shown | | {} |",
                vec![""; COLUMNS.len()].join(" | ")
            ));
        }
        let totals: Vec<String> = total_cells(d)
            .iter()
            .map(|s| {
                if s.is_empty() {
                    String::new()
                } else {
                    format!("**{s}**")
                }
            })
            .collect();
        c.line(&format!("| **Total** | | {} |", totals.join(" | ")));
    }

    section(
        &mut c,
        &format!("#### Findings introduced ({})", d.introduced.len()),
        d.introduced.iter().map(|f| finding_line(f)).collect(),
        "introduced findings",
    );
    section(
        &mut c,
        &format!("#### Findings resolved ({})", d.resolved.len()),
        d.resolved
            .iter()
            .map(|r| {
                let mut l = finding_line(r.finding);
                if r.now_suppressed {
                    l.push_str(" *(now suppressed)*");
                }
                l
            })
            .collect(),
        "resolved findings",
    );
    section(
        &mut c,
        &format!("#### Input errors in {}", code(&d.labels.head)),
        d.head_errors.iter().map(error_line).collect(),
        "input errors",
    );
    section(
        &mut c,
        &format!("#### Input errors in the base, {}", code(&d.labels.base)),
        d.base_errors.iter().map(error_line).collect(),
        "input errors",
    );
    if !d.notices.is_empty() {
        // Folded: notices explain, they do not ask for action.
        section(
            &mut c,
            &format!("<details><summary>Notices ({})</summary>", d.notices.len()),
            d.notices.iter().map(|n| format!("- {}", escape(&n.message))).collect(),
            "notices",
        );
        c.line("");
        c.line("</details>");
    }
    c.line("");
    c.line("<sub>kpulint diff: Managed Flink capacity. KPUs in the summary are billed KPUs (allocated + orchestration); costs at the configured prices (list prices by default) and hours per month (730 by default).</sub>");
    c.text
}

pub fn render(d: &Diff<'_>, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render_with_limit(d, GITHUB_COMMENT_LIMIT).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{compare, Labels, Side};
    use crate::run::Outcome;
    use crate::source::SourceFile;

    /// `n` active KPU008 notes in one file, one per application, as a run would report them.
    fn outcome_with_findings(n: usize) -> Outcome {
        let text = "x\n".repeat(n);
        let file = SourceFile::new("infra/main.tf", text);
        let rule = crate::rules::by_id("KPU008").expect("KPU008 exists");
        let findings = (0..n)
            .map(|i| Finding {
                rule,
                severity: Severity::Note,
                span: file.span(2 * i..2 * i + 1),
                label: String::new(),
                message: format!("application {i} has no declared state size, {}", "so on ".repeat(20)),
                help: String::new(),
                application: Some(format!("aws_kinesisanalyticsv2_application.app{i}")),
                root: Some(".".into()),
                instance: Some(format!("aws_kinesisanalyticsv2_application.app{i}")),
                related: Vec::new(),
                suppressed: None,
                fingerprint: format!("{i:016x}"),
                legacy_fingerprint: format!("{i:016x}"),
            })
            .collect();
        Outcome {
            findings,
            ..Outcome::default()
        }
    }

    fn introduced_by<'a>(base: &'a Outcome, head: &'a Outcome) -> Diff<'a> {
        let side = |outcome| Side { outcome, root: None };
        let labels = Labels {
            base: "main".into(),
            head: "working tree".into(),
        };
        compare(side(base), side(head), labels, Vec::new())
    }

    #[test]
    fn long_finding_lists_are_cut_with_a_count() {
        let base = Outcome::default();
        let head = outcome_with_findings(400);
        let d = introduced_by(&base, &head);
        assert_eq!(d.introduced.len(), 400);
        let limit = 20_000;
        let text = render_with_limit(&d, limit);
        assert!(text.len() <= limit, "{} bytes", text.len());
        let shown = text.lines().filter(|l| l.starts_with("- ℹ️ **note**")).count();
        assert!(shown > 10 && shown < 400, "{shown} shown");
        let cut = format!("- … and {} more introduced findings not shown", 400 - shown);
        assert!(text.contains(&cut), "{text}");
        assert!(text.starts_with(MARKER));
        assert!(text.contains("introduces 400 notes"));
        // Under GitHub's limit the same 400 lines (about 112 KB) are cut too, 100 are not.
        let all = render_with_limit(&d, GITHUB_COMMENT_LIMIT);
        assert!(all.chars().count() < GITHUB_COMMENT_LIMIT);
        assert!(all.contains("more introduced findings not shown"));
        let fewer = outcome_with_findings(100);
        let d = introduced_by(&base, &fewer);
        let all = render_with_limit(&d, GITHUB_COMMENT_LIMIT);
        assert_eq!(all.lines().filter(|l| l.starts_with("- ℹ️ **note**")).count(), 100);
        assert!(!all.contains("not shown"));
    }
}

//! `kpulint what-if --format markdown`: the human report as GitHub-flavoured Markdown, for a
//! pull-request comment.

use std::io::{self, Write};

use super::table::{markdown_cell, problems_markdown};
use super::whatif_table::{confirm_notes, figures, located, split, summary, COLUMNS};
use crate::model::InputError;
use crate::whatif::WhatIf;

pub fn render(w: &WhatIf<'_>, errors: &[InputError], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## kpulint what-if")?;
    for a in &w.applications {
        writeln!(out)?;
        writeln!(
            out,
            "### {} ({})",
            super::escape::markdown_code(&a.today.app.instance, false),
            markdown_cell(&located(a))
        )?;
        writeln!(out)?;
        writeln!(out, "**{}**", markdown_cell(&a.headline))?;
        if !a.changes.is_empty() {
            writeln!(out)?;
            writeln!(out, "Scenario: {}", markdown_cell(&a.changes.join(", ")))?;
        }
        if a.today_configured.is_some() || a.scenario_configured.is_some() {
            writeln!(out)?;
            let mut header = vec![""];
            header.extend(COLUMNS);
            write!(out, "{}", figures(a, &header).markdown(None))?;
        }
        if let Some(d) = &a.delta {
            writeln!(out)?;
            write!(out, "{}", split(a, d).markdown(None))?;
            let notes = confirm_notes(a);
            if !notes.is_empty() {
                writeln!(out)?;
                for note in notes {
                    writeln!(out, "{}<br>", markdown_cell(&note))?;
                }
            }
        }
    }
    write!(out, "{}", problems_markdown(errors, &w.notices))?;
    writeln!(out)?;
    let (head, rest) = summary(w);
    writeln!(out, "**{head}** {}", markdown_cell(&rest))
}

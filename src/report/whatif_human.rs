//! `kpulint what-if --format human`: per application a headline, the four configurations side
//! by side and the Δ split; then notices, errors and the fleet total.

use std::io::{self, Write};

use super::table::problems;
use super::whatif_table::{confirm_notes, figures, located, split, summary, COLUMNS};
use crate::model::InputError;
use crate::whatif::WhatIf;

pub fn render(w: &WhatIf<'_>, errors: &[InputError], out: &mut dyn Write) -> io::Result<()> {
    for a in &w.applications {
        writeln!(out, "{} ({})", a.today.app.instance, located(a))?;
        writeln!(out, "  {}", a.headline)?;
        if !a.changes.is_empty() {
            writeln!(out, "  scenario: {}", a.changes.join(", "))?;
        }
        if a.today_configured.is_some() || a.scenario_configured.is_some() {
            writeln!(out)?;
            let mut header = vec![""];
            header.extend(COLUMNS);
            write!(out, "{}", figures(a, &header).text("  ", None))?;
        }
        if let Some(d) = &a.delta {
            writeln!(out)?;
            write!(out, "{}", split(a, d).text("  ", None))?;
            for note in confirm_notes(a) {
                writeln!(out, "  {note}")?;
            }
        }
        writeln!(out)?;
    }
    for line in problems(errors, &w.notices) {
        writeln!(out, "{line}")?;
    }
    let (head, rest) = summary(w);
    writeln!(out, "{head} {rest}")
}

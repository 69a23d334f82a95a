//! `kpulint cost --format human`: the fleet as an aligned table, largest savings first, with a
//! total row for the confirmed savings and one for the unconfirmed; then a footnote per unsafe
//! recommendation saying what to confirm, notices and errors.

use std::io::{self, Write};

use super::cost_table::table;
use super::table::problems;
use crate::cost::CostTable;
use crate::model::{InputError, Notice};

pub fn render(t: &CostTable<'_>, errors: &[InputError], notices: &[Notice], out: &mut dyn Write) -> io::Result<()> {
    let marked = table(t);
    write!(out, "{}", marked.table.text("", Some(marked.rows)))?;
    for f in &marked.footnotes {
        writeln!(out, "{f}")?;
    }
    for line in problems(errors, notices) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

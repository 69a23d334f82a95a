//! `kpulint cost --format human`: the fleet as an aligned table, largest savings first, with a
//! total row; then notices and errors.

use std::io::{self, Write};

use super::cost_table::table;
use super::table::problems;
use crate::cost::CostTable;
use crate::model::{InputError, Notice};

pub fn render(t: &CostTable<'_>, errors: &[InputError], notices: &[Notice], out: &mut dyn Write) -> io::Result<()> {
    write!(out, "{}", table(t).text("", Some(t.rows.len())))?;
    for line in problems(errors, notices) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

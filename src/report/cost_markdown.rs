//! `kpulint cost --format markdown`: the fleet table as GitHub-flavoured Markdown (the total
//! rows last, in bold), then a footnote per unsafe recommendation saying what to confirm.

use std::io::{self, Write};

use super::cost_table::table;
use super::table::{markdown_cell, problems_markdown};
use crate::cost::CostTable;
use crate::model::{InputError, Notice};

pub fn render(t: &CostTable<'_>, errors: &[InputError], notices: &[Notice], out: &mut dyn Write) -> io::Result<()> {
    let marked = table(t);
    write!(out, "{}", marked.table.markdown(Some(marked.rows)))?;
    if !marked.footnotes.is_empty() {
        writeln!(out)?;
        for f in &marked.footnotes {
            writeln!(out, "{}<br>", markdown_cell(f))?;
        }
    }
    write!(out, "{}", problems_markdown(errors, notices))
}

//! `kpulint cost --format markdown`: the fleet table as GitHub-flavoured Markdown (the total is
//! the last row, in bold).

use std::io::{self, Write};

use super::cost_table::table;
use super::table::problems_markdown;
use crate::cost::CostTable;
use crate::model::{InputError, Notice};

pub fn render(t: &CostTable<'_>, errors: &[InputError], notices: &[Notice], out: &mut dyn Write) -> io::Result<()> {
    write!(out, "{}", table(t).markdown(Some(t.rows.len())))?;
    write!(out, "{}", problems_markdown(errors, notices))
}

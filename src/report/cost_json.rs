//! `kpulint cost --format json`: the fleet table as numbers, rows sorted as in the table.

use std::io::{self, Write};

use serde::Serialize;

use super::json::{error, notice, num, ErrorOut, NoticeOut, Tool, VERSION};
use crate::cost::{CostRow, CostTable};
use crate::model::{InputError, Notice};

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    tool: Tool,
    applications: Vec<RowOut<'a>>,
    total: TotalOut,
    errors: Vec<ErrorOut<'a>>,
    notices: Vec<NoticeOut<'a>>,
}

#[derive(Serialize)]
struct RowOut<'a> {
    address: &'a str,
    /// The root module directory (or the plan or template) and `root:address`.
    root: &'a str,
    instance: &'a str,
    file: &'a str,
    line: usize,
    status: &'static str,
    kpus: Option<u64>,
    billed_kpus: Option<u64>,
    binding: Option<&'static str>,
    monthly_cost_usd: Option<serde_json::Value>,
    recommended_kpus: Option<u64>,
    recommended_monthly_cost_usd: Option<serde_json::Value>,
    savings_usd: Option<serde_json::Value>,
    /// The recommendation's `safe` (`null` without one).
    safe: Option<bool>,
    /// What to confirm before the saving is real (empty when safe).
    confirm: &'a [String],
    tainted_by: &'a [&'a str],
}

#[derive(Serialize)]
struct TotalOut {
    /// Applications whose costs today and recommended are both known (the sums are over them).
    applications: usize,
    kpus: u64,
    billed_kpus: u64,
    monthly_cost_usd: serde_json::Value,
    recommended_monthly_cost_usd: serde_json::Value,
    /// Only the savings of safe recommendations.
    savings_usd: serde_json::Value,
    /// The savings of unsafe ones, once what they name is confirmed.
    unconfirmed_savings_usd: serde_json::Value,
}

fn row<'a>(r: &'a CostRow<'a>) -> RowOut<'a> {
    RowOut {
        address: r.address,
        root: r.root,
        instance: r.instance,
        file: r.file,
        line: r.line,
        status: r.status,
        kpus: r.kpus,
        billed_kpus: r.billed_kpus,
        binding: r.binding.map(|b| b.as_str()),
        monthly_cost_usd: r.monthly_cost_usd.map(num),
        recommended_kpus: r.recommended_kpus,
        recommended_monthly_cost_usd: r.recommended_monthly_cost_usd.map(num),
        savings_usd: r.savings_usd.map(num),
        safe: r.safe,
        confirm: r.confirm,
        tainted_by: &r.tainted_by,
    }
}

pub fn render(t: &CostTable<'_>, errors: &[InputError], notices: &[Notice], out: &mut dyn Write) -> io::Result<()> {
    let doc = Doc {
        version: VERSION,
        tool: Tool::KPULINT,
        applications: t.rows.iter().map(row).collect(),
        total: TotalOut {
            applications: t.total.applications,
            kpus: t.total.kpus,
            billed_kpus: t.total.billed_kpus,
            monthly_cost_usd: num(t.total.monthly_cost_usd),
            recommended_monthly_cost_usd: num(t.total.recommended_monthly_cost_usd),
            savings_usd: num(t.total.savings_usd),
            unconfirmed_savings_usd: num(t.total.unconfirmed_savings_usd),
        },
        errors: errors.iter().map(error).collect(),
        notices: notices.iter().map(notice).collect(),
    };
    // `From` keeps an I/O error's kind: a closed pipe stays a closed pipe, which is not an error.
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}

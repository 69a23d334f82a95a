//! `kpulint cost --format csv`: one record per application, then a `total` record, as RFC 4180
//! says: CRLF line breaks, a header record, and fields holding a comma, a double quote or a line
//! break enclosed in double quotes with inner quotes doubled. Numbers are plain (`2468.7`, no
//! currency sign or grouping) so spreadsheets read them as numbers; an unknown value is empty.
//! A row's `savings_usd` is its saving; `safe` says whether it is confirmed, and an unconfirmed
//! one is repeated in `unconfirmed_savings_usd` with what to `confirm`. The total record's
//! `savings_usd` counts only the confirmed savings, its `unconfirmed_savings_usd` the others.

use std::io::{self, Write};

use crate::cost::CostTable;

const HEADER: [&str; 14] = [
    "application",
    "file",
    "line",
    "status",
    "kpus",
    "billed_kpus",
    "binding",
    "monthly_cost_usd",
    "recommended_kpus",
    "recommended_monthly_cost_usd",
    "savings_usd",
    "safe",
    "unconfirmed_savings_usd",
    "confirm",
];

/// One field, quoted when RFC 4180 requires it.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A name from the repository (an address, a file, a root): one that a spreadsheet would read
/// as a formula (`=`, `+`, `-`, `@`, a tab or a carriage return first) gets a leading `'`, the
/// usual defence against CSV formula injection; a hostile file name stays text.
fn text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn record(fields: &[String]) -> String {
    let fields: Vec<String> = fields.iter().map(|f| field(f)).collect();
    format!("{}\r\n", fields.join(","))
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Dollars with two decimals (`2468.70`), as an amount of money is written.
fn money(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_default()
}

pub fn render(t: &CostTable<'_>, out: &mut dyn Write) -> io::Result<()> {
    // With more than one root, a `root` field after the application tells the instances apart.
    let with_root = |fields: Vec<String>, root: &str| -> String {
        let mut fields = fields;
        if t.several_roots {
            fields.insert(1, text(root));
        }
        record(&fields)
    };
    let mut s = with_root(HEADER.map(String::from).to_vec(), "root");
    for r in &t.rows {
        s.push_str(&with_root(
            vec![
                text(r.address),
                text(r.file),
                r.line.to_string(),
                r.status.to_string(),
                opt(r.kpus),
                opt(r.billed_kpus),
                opt(r.binding.map(|b| b.as_str())),
                money(r.monthly_cost_usd),
                opt(r.recommended_kpus),
                money(r.recommended_monthly_cost_usd),
                money(r.savings_usd),
                opt(r.safe),
                money(r.savings_usd.filter(|_| r.unconfirmed())),
                r.confirm.join("; "),
            ],
            r.root,
        ));
    }
    s.push_str(&with_root(
        vec![
            "total".into(),
            String::new(),
            String::new(),
            String::new(),
            t.total.kpus.to_string(),
            t.total.billed_kpus.to_string(),
            String::new(),
            money(Some(t.total.monthly_cost_usd)),
            String::new(),
            money(Some(t.total.recommended_monthly_cost_usd)),
            money(Some(t.total.savings_usd)),
            String::new(),
            money(Some(t.total.unconfirmed_savings_usd)),
            String::new(),
        ],
        "",
    ));
    out.write_all(s.as_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_a_spreadsheet_would_run_stay_text() {
        assert_eq!(super::text("=HYPERLINK(\"x\").tf"), "'=HYPERLINK(\"x\").tf");
        assert_eq!(super::text("-1+1.tf"), "'-1+1.tf");
        assert_eq!(super::text("envs/prod/main.tf"), "envs/prod/main.tf");
    }

    use super::*;

    #[test]
    fn rfc4180_quoting() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(
            field("module.x[\"prod\"].aws_kinesisanalyticsv2_application.this"),
            "\"module.x[\"\"prod\"\"].aws_kinesisanalyticsv2_application.this\""
        );
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field(""), "");
    }
}

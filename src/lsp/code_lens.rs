//! Code lens on each application, at its header: `N KPUs · $X/month · save $Y` (or
//! `right-sized`), as infracost's lenses show cost.

use std::path::Path;

use lsp_types::{CodeLens, Command};

use super::analysis::{absolute, UnitRun};
use super::positions::{span_range, Encoding};
use crate::analysis::{Analysis, NotSized};
use crate::rules::{plural, usd};

/// The lens title of one application.
pub fn title(a: &Analysis) -> String {
    let s = match &a.sizing {
        Ok(s) => s,
        Err(NotSized::NotApplicable) => return "SQL-1_0: no Flink parallelism, not sized".into(),
        Err(NotSized::Unresolved) => return "not sized: a value cannot be evaluated (KPU009)".into(),
        Err(NotSized::Invalid) => return "not sized: an invalid value (KPU001)".into(),
    };
    let kpus = format!("{} KPU{}", s.kpus, plural(s.kpus));
    let Some(cost) = s.monthly_cost_usd else {
        return format!("{kpus} · cost unknown: {}", super::hover::why_unpriced(a));
    };
    let advice = match &a.recommendation {
        Some(r) if r.changes(s) => match r.savings_usd {
            Some(saved) if saved < 0.0 => format!("needs {} more", usd(-saved)),
            Some(saved) => format!("save {}", usd(saved)),
            None => "see the recommendation".into(),
        },
        _ => "right-sized".into(),
    };
    format!("{kpus} · {}/month · {advice}", usd(cost))
}

/// The lenses of `path`: one per application located in it. An application created several
/// times (module instances, `count`, `for_each`) gets one per instance, naming it.
pub fn lenses(runs: &[(&Path, &UnitRun)], path: &Path, enc: Encoding) -> Vec<CodeLens> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (folder, run) in runs {
        for a in &run.outcome.analyses {
            let located = a.app.located();
            if absolute(folder, located.path()) != path || !seen.insert(a.app.instance.clone()) {
                continue;
            }
            let plain = a.app.module_calls.is_empty() && !a.app.address.ends_with(']');
            let mut text = title(a);
            if !plain {
                text.push_str(&format!(" · {}", a.app.instance));
            }
            let mut range = span_range(&located.first_line(), enc);
            range.end = range.start;
            out.push(CodeLens {
                range,
                // A command without an id: clients show the title as text.
                command: Some(Command {
                    title: text,
                    command: String::new(),
                    arguments: None,
                }),
                data: None,
            });
        }
    }
    out
}

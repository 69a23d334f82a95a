//! A plan and the `.tf` it was planned from, both scanned (a directory holding the `.tf` files
//! and a `plan.json` made from them): one application each, not two.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A plan and the `.tf` it was planned from, both scanned: each application is reported once,
/// with the plan's resolved values, located at the `.tf` source.
pub fn merge_with_source(apps: &mut Vec<crate::model::Application>) {
    let key = |span: &crate::source::Span| {
        let path = Path::new(span.path());
        (path.canonicalize().unwrap_or_else(|_| path.to_path_buf()), span.start)
    };
    let planned: BTreeSet<(String, (PathBuf, usize))> = apps
        .iter()
        .filter_map(|a| a.source.as_ref().map(|s| (a.address.clone(), key(s))))
        .collect();
    if planned.is_empty() {
        return;
    }
    let mut merged = BTreeSet::new();
    apps.retain(|a| {
        if a.format == crate::model::InputFormat::TerraformPlan {
            return true;
        }
        let k = (a.address.clone(), key(&a.span));
        if planned.contains(&k) {
            merged.insert(k);
            false
        } else {
            true
        }
    });
    for a in apps.iter_mut() {
        if let Some(s) = &a.source {
            a.merged_with_source = merged.contains(&(a.address.clone(), key(s)));
            a.located_at_source |= a.merged_with_source;
        }
    }
}

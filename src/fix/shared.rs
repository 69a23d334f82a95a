//! Places several applications' fixes meet: one edit per place, made only when every
//! application the place feeds wants the same value there.

use std::collections::{BTreeMap, BTreeSet};

use super::{Edit, Field, Plan, Proposal};
use crate::analysis::Analysis;
use crate::model::Notice;

type Place = (String, usize, usize, Option<Field>);

/// One edit per place. A place that applications want at different values is not edited, and
/// then none of those applications' changes are made (a half-applied recommendation could be
/// worse than none): their wishes become "keep", which can refuse others in turn. The notice
/// names what each application needs there (its recommendation's value), or that it keeps the
/// value and why. Returns the changes made for each application (by index).
pub(super) fn resolve(
    analyses: &[Analysis],
    mut proposals: Vec<Proposal>,
    mut refused: BTreeSet<usize>,
    out: &mut Plan,
) -> BTreeMap<usize, Vec<String>> {
    let mut reported: BTreeSet<Place> = BTreeSet::new();
    loop {
        for p in proposals.iter_mut().filter(|p| refused.contains(&p.app)) {
            if p.change {
                // A refused application keeps its current value; an insertion just does not happen.
                if p.insert.is_some() {
                    p.text.clear();
                } else {
                    p.text = p.file.get(p.range.clone()).unwrap_or_default().to_string();
                }
                p.change = false;
                p.need = format!("keeps {} (none of its fixes are applied)", current(p));
            }
        }
        proposals.retain(|p| p.change || p.insert.is_none());
        let mut groups: BTreeMap<Place, Vec<&Proposal>> = BTreeMap::new();
        for p in &proposals {
            groups.entry(p.key()).or_default().push(p);
        }
        let mut newly = BTreeSet::new();
        for (key, group) in &groups {
            let texts: BTreeSet<&str> = group.iter().map(|p| p.text.as_str()).collect();
            if texts.len() < 2 {
                continue;
            }
            newly.extend(group.iter().filter(|p| p.change).map(|p| p.app));
            if reported.insert(key.clone()) {
                let first = group[0];
                let wants: Vec<String> = group
                    .iter()
                    .map(|p| format!("{} {}", analyses[p.app].app.instance, p.need))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                out.notices.push(Notice {
                    span: Some(first.file.span(first.range.clone())),
                    message: format!(
                        "{} = {} feeds applications whose recommendations differ ({}): not edited",
                        first.place_name,
                        current(first),
                        wants.join(", ")
                    ),
                });
            }
        }
        newly.retain(|a| !refused.contains(a));
        if newly.is_empty() {
            break;
        }
        for a in &newly {
            out.notices.push(Notice {
                span: Some(analyses[*a].app.span.clone()),
                message: format!(
                    "{}: none of its fixes are applied, as one of its values is shared with an application that needs another",
                    analyses[*a].app.instance
                ),
            });
        }
        refused.extend(newly);
    }
    let mut edits: BTreeMap<Place, (Field, Edit)> = BTreeMap::new();
    let mut applied: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for p in proposals.into_iter().filter(|p| p.change) {
        applied.entry(p.app).or_default().push(p.description.clone());
        let address = analyses[p.app].app.instance.clone();
        let (_, edit) = edits.entry(p.key()).or_insert_with(|| {
            (
                p.field,
                Edit {
                    file: p.file,
                    range: p.range,
                    text: p.text,
                    description: p.description,
                    applications: Vec::new(),
                },
            )
        });
        edit.applications.push(address);
    }
    let mut edits: Vec<(Field, Edit)> = edits.into_values().collect();
    edits.sort_by(|(fa, a), (fb, b)| {
        (a.file.path.as_str(), a.range.start, a.range.end, fa).cmp(&(
            b.file.path.as_str(),
            b.range.start,
            b.range.end,
            fb,
        ))
    });
    out.edits = edits.into_iter().map(|(_, e)| e).collect();
    applied
}

/// The value written at a proposal's place, as it reads.
fn current(p: &Proposal) -> String {
    p.file
        .get(p.range.clone())
        .unwrap_or_default()
        .trim()
        .trim_matches(['"', '\''])
        .to_string()
}

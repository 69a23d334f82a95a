//! Suppressions: `# kpulint-ignore: KPU004 reason="..." until=YYYY-MM-DD` comments (or their
//! CloudFormation `Metadata` / Terraform tag equivalents) and config `ignore` blocks.
//! A suppression needs a reason; after `until` it stops working; unused ones are reported.
//! KPU903 reports declarations (comments, tags, config `application` blocks) that reach no
//! application.

use super::RuleMeta;
use crate::date::Date;
use crate::model::{Directive, DirectiveTarget, Severity};
use crate::source::Span;

pub const KPU900: RuleMeta = RuleMeta {
    id: "KPU900",
    name: "bad-suppression",
    severity: Severity::Warning,
    doc: include_str!("../../rules/KPU900.md"),
};
pub const KPU901: RuleMeta = RuleMeta {
    id: "KPU901",
    name: "unused-suppression",
    severity: Severity::Note,
    doc: include_str!("../../rules/KPU901.md"),
};
pub const KPU902: RuleMeta = RuleMeta {
    id: "KPU902",
    name: "expired-suppression",
    severity: Severity::Note,
    doc: include_str!("../../rules/KPU902.md"),
};

pub const KPU903: RuleMeta = RuleMeta {
    id: "KPU903",
    name: "unattached-declaration",
    severity: Severity::Warning,
    doc: include_str!("../../rules/KPU903.md"),
};

pub const RULES: &[&RuleMeta] = &[&KPU900, &KPU901, &KPU902, &KPU903];

/// A parsed inline suppression.
#[derive(Debug, Clone)]
pub struct InlineSuppression {
    pub rules: Vec<String>,
    pub reason: Option<String>,
    pub until: Option<Date>,
    pub target: DirectiveTarget,
    pub span: Span,
    /// Why it is malformed (KPU900); a malformed suppression hides nothing.
    pub problems: Vec<String>,
}

/// Parses the body of a `kpulint-ignore:` directive: rule ids (comma or space separated),
/// then `reason="..."` and `until=YYYY-MM-DD`.
/// `resolve_rule` maps a rule id or name to its id.
pub fn parse(d: &Directive, resolve_rule: &dyn Fn(&str) -> Option<&'static str>) -> InlineSuppression {
    let mut s = InlineSuppression {
        rules: Vec::new(),
        reason: None,
        until: None,
        target: d.target.clone(),
        span: d.span.clone(),
        problems: Vec::new(),
    };
    let body = d.body.trim();
    let (ids, rest) = match body.find('=') {
        // Rule ids end where the first key=value begins.
        Some(eq) => {
            // After the separator character, whatever its width (NBSP and U+3000 are
            // whitespace too, and several bytes long).
            let key_start = body[..eq]
                .char_indices()
                .rfind(|&(_, c)| c.is_whitespace() || c == ',')
                .map(|(i, c)| i + c.len_utf8())
                .unwrap_or(0);
            (&body[..key_start], &body[key_start..])
        }
        None => (body, ""),
    };
    for id in ids
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        if let Some(known) = resolve_rule(id) {
            s.rules.push(known.to_string());
        } else {
            s.problems.push(format!("unknown rule \"{id}\""));
        }
    }
    if s.rules.is_empty() && s.problems.is_empty() {
        s.problems
            .push("no rule id: write e.g. `kpulint-ignore: KPU004 reason=\"...\"`".into());
    }
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else {
            s.problems.push(format!("expected key=value, found \"{rest}\""));
            break;
        };
        let key = rest[..eq].trim();
        let after = &rest[eq + 1..];
        let (value, next) = if let Some(q) = after.strip_prefix('"') {
            match q.find('"') {
                Some(end) => (&q[..end], &q[end + 1..]),
                None => {
                    s.problems.push(format!("unterminated quote in {key}="));
                    (q, "")
                }
            }
        } else {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        match key {
            "reason" => {
                if value.trim().is_empty() {
                    s.problems.push("empty reason".into());
                } else {
                    s.reason = Some(value.trim().to_string());
                }
            }
            "until" => match Date::parse(value) {
                Some(date) => s.until = Some(date),
                None => s.problems.push(format!("until={value} is not a date: use YYYY-MM-DD")),
            },
            other => s
                .problems
                .push(format!("unknown key \"{other}\" (expected reason= and until=)")),
        }
        rest = next.trim_start_matches([',', ' ', '\t']).trim();
    }
    if s.reason.is_none() && !s.problems.iter().any(|p| p.contains("reason")) {
        s.problems
            .push("missing reason=\"...\": say why the finding is accepted".into());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DirectiveKind;
    use crate::source::SourceFile;

    fn parse_body(body: &str) -> InlineSuppression {
        let file = SourceFile::new("t.tf", body);
        let d = Directive {
            kind: DirectiveKind::Ignore,
            body: body.to_string(),
            span: file.span(0..body.len()),
            target: DirectiveTarget::Resource,
        };
        parse(&d, &|id| (id == "KPU004").then_some("KPU004"))
    }

    #[test]
    fn multi_byte_whitespace_separates_ids_from_keys() {
        // NBSP pasted from a wiki, and the ideographic space: whitespace, several bytes long.
        for sep in ['\u{a0}', '\u{3000}', ' '] {
            let s = parse_body(&format!("KPU004{sep}reason=\"accepted\""));
            assert_eq!(s.rules, ["KPU004"], "{sep:?}");
            assert_eq!(s.reason.as_deref(), Some("accepted"), "{sep:?}");
            assert!(s.problems.is_empty(), "{sep:?}: {:?}", s.problems);
        }
        let s = parse_body("KPU004\u{a0}reason=\"x\"\u{3000}until=2027-01-01");
        assert!(s.until.is_some(), "{:?}", s.problems);
        let s = parse_body("é=\u{3000}");
        assert!(!s.problems.is_empty());
    }

    #[test]
    fn cloudformation_metadata_ignore_bodies_parse() {
        // The bodies `inputs/cfn/metadata.rs` writes for `Metadata.kpulint.ignore` entries.
        let by_id = |n: &str| crate::rules::by_id(n).map(|r| r.id);
        let file = SourceFile::new("t.json", "x");
        let directive = |body: &str| Directive {
            kind: DirectiveKind::Ignore,
            body: body.to_string(),
            span: file.span(0..1),
            target: DirectiveTarget::Resource,
        };
        let s = parse(
            &directive("KPU004 reason=\"peak season 'buffer'\" until=2027-01-31"),
            &by_id,
        );
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.rules, ["KPU004"]);
        assert_eq!(s.reason.as_deref(), Some("peak season 'buffer'"));
        assert_eq!(s.until.map(|u| u.to_string()).as_deref(), Some("2027-01-31"));
        let s = parse(&directive("KPU005,KPU006 reason=\"accepted\""), &by_id);
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.rules, ["KPU005", "KPU006"]);
    }
}

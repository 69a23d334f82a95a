//! Resource `Metadata: {kpulint: ...}`: declarations and suppressions written as template data,
//! the structured equivalent of `# kpulint:` comments.

use std::sync::Arc;

use super::document::{Kind, Node};
use crate::model::{Application, Directive, DirectiveKind, DirectiveTarget, InputError, Inventory};
use crate::needs::grammar::{is_declaration_key, DECLARATION_KEYS};
use crate::source::SourceFile;

/// Resource `Metadata: {kpulint: {ignore: [...], state_size: ..., required_parallelism: ...}}`,
/// the structured equivalent of `# kpulint:` comments (JSON has no comments).
pub(super) fn read_metadata(file: &Arc<SourceFile>, meta: &Node, app: &mut Application, inv: &mut Inventory) {
    let Some(k) = meta.get("kpulint") else { return };
    let Some(entries) = k.value.entries() else {
        inv.errors.push(InputError::new(
            file.span(k.value.span.clone()),
            format!("Metadata kpulint must be a mapping, found {}", k.value.type_name()),
        ));
        return;
    };
    for e in entries {
        match e.key.as_str() {
            "ignore" => {
                let items: Vec<&Node> = match &e.value.kind {
                    Kind::Seq(items) => items.iter().collect(),
                    _ => vec![&e.value],
                };
                for item in items {
                    match ignore_body(file, item) {
                        Ok(body) => app.directives.push(Directive {
                            kind: DirectiveKind::Ignore,
                            body,
                            span: file.span(item.span.clone()),
                            target: DirectiveTarget::Resource,
                        }),
                        Err(message) => {
                            inv.errors
                                .push(InputError::new(file.span(item.span.clone()), message).with_help(
                                    "write {\"rule\": \"KPU004\", \"reason\": \"...\", \"until\": \"YYYY-MM-DD\"}",
                                ))
                        }
                    }
                }
            }
            key if is_declaration_key(key) => match declare(file, &e.key, &e.value) {
                Some(d) => app.directives.push(d),
                None => inv.errors.push(InputError::new(
                    file.span(e.value.span.clone()),
                    format!(
                        "Metadata kpulint {} must be a string or a number, found {}",
                        e.key,
                        e.value.type_name()
                    ),
                )),
            },
            other => inv.errors.push(
                InputError::new(
                    file.span(e.key_span.clone()),
                    format!("unknown key \"{other}\" in Metadata kpulint"),
                )
                .with_help(format!("known keys: ignore, {}", DECLARATION_KEYS.join(", "))),
            ),
        }
    }
}

/// The text of a scalar as written (numbers keep their spelling).
pub(super) fn scalar_text(file: &SourceFile, n: &Node) -> Option<String> {
    match &n.kind {
        Kind::Str(s) => Some(s.clone()),
        Kind::Num(_) => Some(file.text.get(n.span.clone())?.trim().to_string()),
        Kind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// One `ignore` entry as the body of a `kpulint-ignore:` comment: `KPU004 reason="..." until=...`.
/// Missing or malformed parts are left for the suppression parser to report (KPU900).
pub(super) fn ignore_body(file: &SourceFile, item: &Node) -> Result<String, String> {
    if let Kind::Str(s) = &item.kind {
        return Ok(s.clone());
    }
    let Some(entries) = item.entries() else {
        return Err(format!(
            "a Metadata kpulint ignore entry must be a mapping, found {}",
            item.type_name()
        ));
    };
    let mut rules = Vec::new();
    let mut rest = Vec::new();
    for e in entries {
        match e.key.as_str() {
            "rule" | "rules" => match &e.value.kind {
                Kind::Seq(items) => rules.extend(items.iter().filter_map(|i| scalar_text(file, i))),
                _ => rules.extend(scalar_text(file, &e.value)),
            },
            key => {
                let value = scalar_text(file, &e.value).unwrap_or_default().replace('"', "'");
                if key == "reason" || value.is_empty() || value.contains(char::is_whitespace) {
                    rest.push(format!("{key}=\"{value}\""));
                } else {
                    rest.push(format!("{key}={value}"));
                }
            }
        }
    }
    let mut body = rules.join(",");
    for r in rest {
        if !body.is_empty() {
            body.push(' ');
        }
        body.push_str(&r);
    }
    Ok(body)
}

/// `state_size: 240GB` as the directive `state_size=240GB`. The directive's span is placed so
/// that the value's position inside the body (which `directive_pairs` adds to the span start)
/// lands on the value as written in the file.
pub(super) fn declare(file: &Arc<SourceFile>, key: &str, value: &Node) -> Option<Directive> {
    let raw = scalar_text(file, value)?;
    let written = file.text.get(value.span.clone()).unwrap_or("");
    let content_start = value.span.start + usize::from(written.starts_with(['"', '\'']));
    let quote = raw.is_empty() || raw.contains(char::is_whitespace);
    let prefix = if quote { format!("{key}=\"") } else { format!("{key}=") };
    let body = if quote {
        format!("{prefix}{raw}\"")
    } else {
        format!("{prefix}{raw}")
    };
    let start = content_start.saturating_sub(prefix.len());
    Some(Directive {
        kind: DirectiveKind::Declare,
        span: file.span(start..start + body.len()),
        body,
        target: DirectiveTarget::Resource,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::source::Span;

    #[test]
    fn metadata_becomes_directives() {
        let src = r#"{"Resources": {"App": {
  "Type": "AWS::KinesisAnalyticsV2::Application",
  "Metadata": {
    "aws:cdk:path": "Stack/App/Resource",
    "kpulint": {
      "ignore": [
        {"rule": "KPU004", "reason": "peak season \"buffer\"", "until": "2027-01-31"},
        {"rules": ["KPU005", "KPU006"], "reason": "accepted"}
      ],
      "state_size": "240GB",
      "required_parallelism": 12
    }
  }
}}}"#;
        let inv = json(src);
        let a = app(&inv);
        assert_eq!(a.directives.len(), 4);
        let d = &a.directives[0];
        assert_eq!(d.kind, DirectiveKind::Ignore);
        assert_eq!(d.target, DirectiveTarget::Resource);
        assert_eq!(d.body, "KPU004 reason=\"peak season 'buffer'\" until=2027-01-31");
        assert!(d.span.text().starts_with("{\"rule\": \"KPU004\""));
        assert_eq!(at(&d.span), (7, 9));
        // `rules::suppression` reads these bodies (tested there).
        assert_eq!(a.directives[1].body, "KPU005,KPU006 reason=\"accepted\"");

        let mut errors = Vec::new();
        let pairs: Vec<(String, String, Span, Span)> = a.directives[2..]
            .iter()
            .inspect(|d| assert_eq!(d.kind, DirectiveKind::Declare))
            .flat_map(|d| crate::needs::grammar::directive_pairs(d, &mut errors))
            .collect();
        assert!(errors.is_empty());
        assert_eq!(pairs[0].0, "state_size");
        assert_eq!(pairs[0].1, "240GB");
        assert_eq!(pairs[0].2.text(), "240GB");
        assert_eq!(at(&pairs[0].2), (10, 22));
        assert_eq!(pairs[1].0, "required_parallelism");
        assert_eq!(pairs[1].1, "12");
        assert_eq!(pairs[1].2.text(), "12");

        let bad = json(
            r#"{"Resources": {"App": {"Type": "AWS::KinesisAnalyticsV2::Application",
            "Metadata": {"kpulint": {"stat_size": "1GB", "ignore": [7]}}}}}"#,
        );
        assert_eq!(bad.applications.len(), 1);
        assert_eq!(bad.errors.len(), 2, "{:?}", bad.errors);
        assert!(bad.errors[0].message.contains("unknown key \"stat_size\""));
        assert!(bad.errors[1].message.contains("must be a mapping"));
    }

    #[test]
    fn yaml_metadata_and_comments_become_directives() {
        let src = "Resources:
  Other:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: x

  # unrelated

  # kpulint: state_size=240GB required_parallelism=4
  # kpulint-ignore: KPU006 reason=\"rounded up on purpose\" until=2027-01-31
  App:
    Type: AWS::KinesisAnalyticsV2::Application
    Metadata:
      kpulint:
        ignore:
          - rule: KPU010
            reason: restarts are rare
    Properties:
      ApplicationConfiguration:
        FlinkApplicationConfiguration:
          ParallelismConfiguration:
            # kpulint-ignore: KPU004 reason=\"headroom\"
            Parallelism: 12
    # trailing comment, no code after it

  # kpulint: state_size=1GB
  Next:
    Type: AWS::KinesisAnalyticsV2::Application
";
        let inv = yaml(src);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        let a = &inv.applications[0];
        let d: Vec<(DirectiveKind, &str, DirectiveTarget)> = a
            .directives
            .iter()
            .map(|d| (d.kind, d.body.as_str(), d.target.clone()))
            .collect();
        assert_eq!(
            d,
            [
                (
                    DirectiveKind::Declare,
                    "state_size=240GB required_parallelism=4",
                    DirectiveTarget::Resource
                ),
                (
                    DirectiveKind::Ignore,
                    "KPU006 reason=\"rounded up on purpose\" until=2027-01-31",
                    DirectiveTarget::Resource
                ),
                (
                    DirectiveKind::Ignore,
                    "KPU004 reason=\"headroom\"",
                    DirectiveTarget::Line(23)
                ),
                (
                    DirectiveKind::Ignore,
                    "KPU010 reason=\"restarts are rare\"",
                    DirectiveTarget::Resource
                ),
            ]
        );
        assert_eq!(at(&a.directives[0].span), (9, 14));
        assert_eq!(a.directives[0].span.text(), "state_size=240GB required_parallelism=4");
        assert_eq!(at(a.parallelism.parallelism.span().unwrap()), (23, 26));
        let next = &inv.applications[1];
        assert_eq!(next.directives.len(), 1);
        assert_eq!(next.directives[0].body, "state_size=1GB");
    }
}

//! The instances `count` and `for_each` produce, and their address keys quoted as Terraform
//! quotes them (`["a\\"b"]`).

use std::sync::Arc;

use super::super::expr::Context;
use super::super::value::Value;
use crate::inputs::terraform::BodyNode;
use crate::model::{InputError, Inventory, Notice, Unresolved};
use crate::source::Span;

/// The instances a `count` or `for_each` produces.
pub(super) enum Repetition {
    Single,
    /// `count` and the span of its expression.
    Count(usize, Span),
    /// `for_each` items and the span of its expression.
    Each(Vec<(String, Value)>, Span),
    Unknown(Span, Unresolved),
    /// The expression is invalid (an input error says why): no instances, no notice.
    Invalid,
}

pub(super) fn repetition(cx: &Context, body: &BodyNode, inv: &mut Inventory) -> Repetition {
    if let Some(count) = body.attr("count") {
        return match cx.eval(&count.expr) {
            Ok(Value::Unknown(u)) => Repetition::Unknown(count.expr.span.clone(), (*u).clone()),
            Ok(v) => match v.to_number() {
                Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 10_000.0 => {
                    Repetition::Count(n as usize, count.expr.span.clone())
                }
                _ => {
                    inv.errors.push(InputError::new(
                        count.expr.span.clone(),
                        format!(
                            "count must be a whole number between 0 and 10000, found {}",
                            v.summary(80)
                        ),
                    ));
                    Repetition::Invalid
                }
            },
            Err(e) => {
                inv.errors.push(InputError::new(e.span.clone(), e.message.clone()));
                Repetition::Unknown(
                    e.span,
                    Unresolved {
                        what: e.message,
                        hint: "fix the count expression".into(),
                    },
                )
            }
        };
    }
    if let Some(each) = body.attr("for_each") {
        return match cx.eval(&each.expr) {
            Ok(Value::Unknown(u)) => Repetition::Unknown(each.expr.span.clone(), (*u).clone()),
            Ok(Value::Object(map)) => {
                Repetition::Each(Arc::unwrap_or_clone(map).into_iter().collect(), each.expr.span.clone())
            }
            Ok(Value::List(items)) => {
                let mut out = Vec::new();
                for item in Arc::unwrap_or_clone(items) {
                    match item {
                        Value::String(s) => out.push((s.clone(), Value::String(s))),
                        Value::Unknown(u) => return Repetition::Unknown(each.expr.span.clone(), (*u).clone()),
                        other => {
                            inv.errors.push(InputError::new(
                                each.expr.span.clone(),
                                format!("for_each over a set needs strings, found {}", other.type_name()),
                            ));
                            return Repetition::Invalid;
                        }
                    }
                }
                out.sort_by(|a, b| a.0.cmp(&b.0));
                out.dedup_by(|a, b| a.0 == b.0);
                Repetition::Each(out, each.expr.span.clone())
            }
            Ok(other) => {
                inv.errors.push(InputError::new(
                    each.expr.span.clone(),
                    format!("for_each needs a map or a set of strings, found {}", other.type_name()),
                ));
                Repetition::Invalid
            }
            Err(e) => {
                inv.errors.push(InputError::new(e.span.clone(), e.message.clone()));
                Repetition::Unknown(
                    e.span,
                    Unresolved {
                        what: e.message,
                        hint: "fix the for_each expression".into(),
                    },
                )
            }
        };
    }
    Repetition::Single
}

/// `(instance key suffix, each, count.index)` for every instance.
/// One instance: its address suffix (`[0]`, `["prod"]`), `each.key`/`each.value`, `count.index`.
pub(super) type InstanceKey = (String, Option<(Value, Value)>, Option<f64>);

pub(super) fn instances(rep: Repetition, inv: &mut Inventory, what: &str) -> Vec<InstanceKey> {
    match rep {
        Repetition::Single => vec![(String::new(), None, None)],
        Repetition::Invalid => Vec::new(),
        // Zero instances is legitimate Terraform, but the application then silently vanishes
        // from the report: say so, naming the expression.
        Repetition::Count(0, span) => {
            zero_instances(inv, what, "count", span);
            Vec::new()
        }
        Repetition::Each(items, span) if items.is_empty() => {
            zero_instances(inv, what, "for_each", span);
            Vec::new()
        }
        Repetition::Count(n, _) => (0..n).map(|i| (format!("[{i}]"), None, Some(i as f64))).collect(),
        Repetition::Each(items, _) => items
            .into_iter()
            .map(|(k, v)| (format!("[{}]", hcl_quote(&k)), Some((Value::String(k), v)), None))
            .collect(),
        Repetition::Unknown(span, reason) => {
            inv.notices.push(Notice {
                span: Some(span),
                message: format!(
                    "the number of instances of {what} is unknown ({}); linted as one instance",
                    reason.what
                ),
            });
            let unknown = Value::Unknown(Arc::new(reason));
            vec![(String::new(), Some((unknown.clone(), unknown)), None)]
        }
    }
}

fn zero_instances(inv: &mut Inventory, what: &str, meta: &str, span: Span) {
    let shown = if meta == "count" { "0" } else { "no items" };
    let text = span.text();
    let first_line = text.lines().next().unwrap_or("");
    let expr: String = if first_line.chars().count() > 60 || first_line.len() < text.len() {
        first_line.chars().take(60).chain(std::iter::once('…')).collect()
    } else {
        first_line.to_string()
    };
    inv.notices.push(Notice {
        message: format!("{what} has no instances: {meta} = {expr} evaluates to {shown}, so nothing of it is linted"),
        span: Some(span),
    });
}

/// A string quoted the way Terraform writes instance keys in addresses (`["a\"b"]`): HCL's
/// quoted-string syntax, so `"` and `\` are escaped, as are newlines, tabs and other
/// non-printable characters, and `${` / `%{` are doubled to `$${` / `%%{`.
pub fn hcl_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' => {
                out.push(c);
                if chars.peek() == Some(&'{') {
                    out.push(c);
                }
            }
            c if !is_printable(c) => {
                let n = c as u32;
                if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint`, closely: not a control or format character, a private-use one, or
/// a space other than U+0020.
pub(super) fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    let n = c as u32;
    let format_char = matches!(
        n,
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    );
    let private_use = matches!(n, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    !(c.is_control() || c.is_whitespace() || format_char || private_use)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{addresses, messages, run, set, APP};
    use super::*;

    #[test]
    fn instance_keys_are_quoted_as_terraform_quotes_them() {
        let cases = [
            ("prod", r#""prod""#),
            ("", r#""""#),
            (r#"a"b"#, r#""a\"b""#),
            (r"back\slash", r#""back\\slash""#),
            ("line\nbreak\ttab\r", r#""line\nbreak\ttab\r""#),
            ("x${y}", r#""x$${y}""#),
            ("x%{y}", r#""x%%{y}""#),
            ("$x % y {}", r#""$x % y {}""#),
            ("é🚀 ok", "\"é🚀 ok\""),
            ("bell\u{7}", r#""bell\u0007""#),
            ("zero\u{200b}width", r#""zero\u200bwidth""#),
            ("nbsp\u{a0}", r#""nbsp\u00a0""#),
            ("private\u{F0000}", r#""private\U000f0000""#),
        ];
        for (key, want) in cases {
            assert_eq!(hcl_quote(key), want, "{key:?}");
        }
    }
    #[test]
    fn count_zero_and_empty_for_each_produce_nothing() {
        let res = |meta: &str| APP.replace("{\n", &format!("{{\n  {meta}\n"));
        let m = |name: &str, meta: &str| format!("module \"{name}\" {{\n  source = \"./m\"\n  {meta}\n}}\n");
        let text = [
            res("count = 0").replace("\"app\"", "\"c0\""),
            res("for_each = {}").replace("\"app\"", "\"e0\""),
            res("for_each = []").replace("\"app\"", "\"e1\""),
            res("for_each = toset([])").replace("\"app\"", "\"e2\""),
            res("for_each = { for k in [] : k => k }").replace("\"app\"", "\"e3\""),
            m("mc", "count = 0"),
            m("me", "for_each = {}"),
            m("ms", "for_each = toset([])"),
            // Controls: one instance each.
            res("count = 1").replace("\"app\"", "\"one\""),
            m("m1", "for_each = { k = 1 }"),
        ]
        .concat();
        let s = set(&[(".", &text), ("m", APP)]);
        let inv = run(&s, &["."]);
        assert_eq!(
            addresses(&inv),
            [
                "aws_kinesisanalyticsv2_application.one[0]",
                "module.m1[\"k\"].aws_kinesisanalyticsv2_application.app"
            ]
        );
        assert!(inv.errors.is_empty(), "{:?}", messages(&inv));
        // Each zero-instance resource or call is a notice naming its expression.
        let notices: Vec<&str> = inv.notices.iter().map(|n| n.message.as_str()).collect();
        assert_eq!(notices.len(), 8, "{notices:?}");
        assert!(notices.contains(&"module.mc has no instances: count = 0 evaluates to 0, so nothing of it is linted"));
        assert!(notices.contains(
            &"aws_kinesisanalyticsv2_application.e3 has no instances: for_each = { for k in [] : k => k } evaluates to no items, so nothing of it is linted"
        ));
    }

    #[test]
    fn for_each_keys_with_special_characters_have_terraform_addresses() {
        let text = APP.replace(
            "{\n",
            "{\n  for_each = toset([\"a\\\"b\", \"back\\\\slash\", \"x$${y}\", \"tab\\t\"])\n",
        );
        let s = set(&[(".", &text)]);
        let inv = run(&s, &["."]);
        assert!(inv.errors.is_empty(), "{:?}", messages(&inv));
        assert_eq!(
            addresses(&inv),
            [
                r#"aws_kinesisanalyticsv2_application.app["a\"b"]"#,
                r#"aws_kinesisanalyticsv2_application.app["back\\slash"]"#,
                r#"aws_kinesisanalyticsv2_application.app["tab\t"]"#,
                r#"aws_kinesisanalyticsv2_application.app["x$${y}"]"#,
            ]
        );
    }
}

//! The grammar of declarations: the keys a `# kpulint:` comment, a `kpulint:` tag, a
//! CloudFormation `Metadata.kpulint` entry or a `.kpulint.hcl` `application` block may declare,
//! and how a directive's `key=value` body splits. `inputs/` attaches directives with it;
//! [`super::declared`] reads them.

use crate::model::{Directive, InputError};
use crate::source::Span;

pub const TAG_STATE_SIZE: &str = "kpulint:state_size";
pub const TAG_REQUIRED_PARALLELISM: &str = "kpulint:required_parallelism";
pub const TAG_REQUIRED_KPUS: &str = "kpulint:required_kpus";
pub const TAG_MAX_PARALLELISM: &str = "kpulint:max_parallelism";
/// A suppression as a tag (Terraform JSON, plans): `KPU004 reason="..." until=YYYY-MM-DD`.
pub const TAG_IGNORE: &str = "kpulint:ignore";
/// Every tag kpulint reads.
pub const KPULINT_TAGS: &[&str] = &[
    TAG_STATE_SIZE,
    TAG_REQUIRED_PARALLELISM,
    TAG_REQUIRED_KPUS,
    TAG_MAX_PARALLELISM,
    TAG_IGNORE,
];

/// Keys of an `application` block (and of `# kpulint:` annotations and `kpulint:` tags).
pub const DECLARATION_KEYS: &[&str] = &["state_size", "required_parallelism", "required_kpus", "max_parallelism"];

/// The largest whole number a count-like declaration accepts.
pub const MAX_DECLARED_COUNT: u64 = 1_000_000;

/// `state_size`, `required_parallelism`, ...: a key that declares a need.
pub fn is_declaration_key(key: &str) -> bool {
    DECLARATION_KEYS.contains(&key)
}

/// A declared key: where it is written and how its value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    StateSize,
    RequiredParallelism,
    RequiredKpus,
    MaxParallelism,
}

impl Key {
    pub fn parse(name: &str) -> Option<Key> {
        Some(match name {
            "state_size" => Key::StateSize,
            "required_parallelism" => Key::RequiredParallelism,
            "required_kpus" => Key::RequiredKpus,
            "max_parallelism" => Key::MaxParallelism,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Key::StateSize => "state_size",
            Key::RequiredParallelism => "required_parallelism",
            Key::RequiredKpus => "required_kpus",
            Key::MaxParallelism => "max_parallelism",
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Key::StateSize => TAG_STATE_SIZE,
            Key::RequiredParallelism => TAG_REQUIRED_PARALLELISM,
            Key::RequiredKpus => TAG_REQUIRED_KPUS,
            Key::MaxParallelism => TAG_MAX_PARALLELISM,
        }
    }

    pub const ALL: [Key; 4] = [
        Key::StateSize,
        Key::RequiredParallelism,
        Key::RequiredKpus,
        Key::MaxParallelism,
    ];
}

/// A whole number in `1..=max`, or `None`.
pub fn whole(v: f64, max: f64) -> Option<u64> {
    (v.fract() == 0.0 && v >= 1.0 && v <= max).then_some(v as u64)
}

/// A count as declared (`12`, `12.0`): a whole number from 1 to [`MAX_DECLARED_COUNT`].
pub fn parse_count(s: &str) -> Option<u64> {
    s.trim()
        .parse::<f64>()
        .ok()
        .and_then(|n| whole(n, MAX_DECLARED_COUNT as f64))
}

/// Splits `key=value key2="quoted value"` into pairs with the span of each value.
pub fn directive_pairs(d: &Directive, errors: &mut Vec<InputError>) -> Vec<(String, String, Span, Span)> {
    let mut out = Vec::new();
    let body = d.body.as_str();
    let base = d.span.start;
    let mut i = 0;
    let bytes = body.as_bytes();
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let key_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'=' {
            i += 1;
        }
        let key = &body[key_start..i];
        if i >= bytes.len() || bytes[i] != b'=' {
            errors.push(InputError::new(
                d.span.file.span(base + key_start..base + i),
                format!("expected key=value in kpulint annotation, found \"{key}\""),
            ));
            continue;
        }
        i += 1;
        let (value, vstart, vend) = if i < bytes.len() && bytes[i] == b'"' {
            let start = i + 1;
            let end = body[start..].find('"').map(|e| start + e).unwrap_or(body.len());
            i = (end + 1).min(body.len());
            (&body[start..end], start, end)
        } else {
            let start = i;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            (&body[start..i], start, i)
        };
        out.push((
            key.to_string(),
            value.to_string(),
            d.span.file.span(base + vstart..base + vend),
            d.span.file.span(base + key_start..base + key_start + key.len()),
        ));
    }
    out
}

//! Who reads what in a Terraform file: every attribute that refers to a variable, a local or an
//! entry of `each.value`, named as Terraform addresses it (`aws_kinesis_stream.input.shard_count`,
//! `output.parallelism`, `local.shards`, `module.orders.parallelism`). Recorded while parsing,
//! for every top-level block — also those the model drops — so that `--fix` can tell whether
//! the value it would edit is read by anything other than a Flink application's parallelism
//! settings.

use std::sync::Arc;

use crate::source::SourceFile;

/// The four settings of a Flink application's `parallelism_configuration`.
const PARALLELISM_SETTINGS: &[&str] = &[
    "configuration_type",
    "parallelism",
    "parallelism_per_kpu",
    "auto_scaling_enabled",
];

/// One attribute that refers to a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `var.parallelism`, `local.shards`, `each.value.parallelism`, or `each.value` (the whole
    /// entry).
    pub name: String,
    /// The attribute, as Terraform addresses it: `aws_kinesis_stream.input.shard_count`.
    pub reader: String,
    /// `main.tf:20:17`
    pub at: String,
    /// The attribute is one of a Flink application's parallelism settings.
    pub parallelism_setting: bool,
    /// The attribute's value is the reference alone (`var.x`, `"${var.x}"`): it carries the
    /// value unchanged.
    pub plain: bool,
}

/// The names `text` refers to: `var.x`, `local.x`, `each.value.x` (`each.value` when followed
/// by anything but `.name`). A mention inside a comment or a plain string counts too: a reader
/// too many only keeps a value from being edited.
pub fn names_in(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let word_end = |from: usize| from + bytes[from..].iter().take_while(|b| ident(**b)).count();
    let mut out: Vec<String> = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !(ident(bytes[i - 1]) || bytes[i - 1] == b'.');
        let rest = &text[i..];
        let prefix = ["var.", "local.", "each.value"]
            .into_iter()
            .find(|p| starts_word && rest.starts_with(p));
        let Some(prefix) = prefix else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let after = i + prefix.len();
        let name = if prefix == "each.value" {
            if bytes.get(after).is_some_and(|b| ident(*b)) {
                // `each.values`: not a reference.
                i = word_end(after);
                continue;
            }
            match bytes.get(after) {
                Some(b'.') if bytes.get(after + 1).is_some_and(|b| ident(*b)) => {
                    let end = word_end(after + 1);
                    format!("each.value.{}", &text[after + 1..end])
                }
                _ => "each.value".to_string(),
            }
        } else {
            let end = word_end(after);
            if end == after {
                i = after;
                continue;
            }
            format!("{prefix}{}", &text[after..end])
        };
        i = after;
        // A set beside the list: a long value can name thousands of variables.
        if seen.insert(name.clone()) {
            out.push(name);
        }
    }
    out
}

/// Collects the references of one top-level block's attributes.
pub struct Collector<'a> {
    /// The whole file, for the location of each reader.
    pub whole: &'a Arc<SourceFile>,
    pub out: &'a mut Vec<Reference>,
}

impl Collector<'_> {
    /// Records what the value at `range` (in the whole file) refers to, read by `reader`.
    pub fn value(&mut self, reader: &str, range: std::ops::Range<usize>, parallelism_setting: bool) {
        let Some(text) = self.whole.get(range.clone()) else {
            return;
        };
        let names = names_in(text);
        if names.is_empty() {
            return;
        }
        let trimmed = text.trim();
        let plain = names.len() == 1 && (trimmed == names[0] || trimmed == format!("\"${{{}}}\"", names[0]));
        let l = self.whole.span(range).location();
        let at = format!("{}:{}:{}", self.whole.path, l.line, l.column);
        for name in names {
            self.out.push(Reference {
                name,
                reader: reader.to_string(),
                at: at.clone(),
                parallelism_setting,
                plain,
            });
        }
    }
}

/// The address of a top-level block's attributes: `aws_s3_bucket.x`, `data.aws_x.y`,
/// `module.m`, `output.o`, `provider.aws`; `None` for blocks whose attributes read nothing a
/// fix edits (`variable`, `terraform`) and for `locals` (each attribute is its own `local.x`).
pub fn block_address(ident: &str, labels: &[&str]) -> Option<String> {
    match (ident, labels) {
        ("variable" | "terraform" | "locals", _) => None,
        ("resource", [t, n]) => Some(format!("{t}.{n}")),
        ("module" | "output" | "provider", [n]) => Some(format!("{ident}.{n}")),
        _ => Some(
            std::iter::once(ident)
                .chain(labels.iter().copied())
                .collect::<Vec<_>>()
                .join("."),
        ),
    }
}

/// The reader name of an attribute at `path` below a block at `address`: `dynamic "x"` blocks
/// read as `x`, their `content` disappears, and an output's `value` is the output itself.
pub fn reader(address: &str, path: &[&str]) -> String {
    let mut r = address.to_string();
    for seg in path {
        if *seg == "content" || *seg == "dynamic" {
            continue;
        }
        if address.starts_with("output.") && *seg == "value" && path.len() == 1 {
            continue;
        }
        r.push('.');
        r.push_str(seg);
    }
    r
}

/// Whether the attribute at `path` of a resource of type `rtype` is one of a Flink
/// application's parallelism settings.
pub fn is_parallelism_setting(rtype: &str, path: &[&str]) -> bool {
    let path: Vec<&str> = path
        .iter()
        .copied()
        .filter(|s| *s != "content" && *s != "dynamic")
        .collect();
    rtype == crate::inputs::terraform::FLINK_RESOURCE
        && path.len() >= 2
        && path[path.len() - 2] == "parallelism_configuration"
        && PARALLELISM_SETTINGS.contains(&path[path.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_in_expressions_and_templates() {
        assert_eq!(names_in("var.parallelism"), ["var.parallelism"]);
        assert_eq!(names_in("\"${var.a}-${local.b_c}\""), ["var.a", "local.b_c"]);
        assert_eq!(names_in("max(var.a, var.a * 2)"), ["var.a"]);
        assert_eq!(names_in("each.value.parallelism"), ["each.value.parallelism"]);
        assert_eq!(names_in("each.value[\"p\"]"), ["each.value"]);
        assert_eq!(names_in("merge(each.value, {})"), ["each.value"]);
        assert_eq!(names_in("each.values"), Vec::<String>::new());
        assert_eq!(names_in("module.var.x + data.local.y"), Vec::<String>::new());
        assert_eq!(names_in("my_var.x"), Vec::<String>::new());
        assert_eq!(names_in("var."), Vec::<String>::new());
        assert_eq!(names_in("ünï var.x"), ["var.x"]);
    }

    #[test]
    fn readers_are_named_as_terraform_addresses_them() {
        assert_eq!(
            block_address("resource", &["aws_kinesis_stream", "input"]).as_deref(),
            Some("aws_kinesis_stream.input")
        );
        assert_eq!(block_address("data", &["aws_x", "y"]).as_deref(), Some("data.aws_x.y"));
        assert_eq!(block_address("variable", &["p"]), None);
        assert_eq!(reader("output.p", &["value"]), "output.p");
        assert_eq!(
            reader("aws_kinesis_stream.input", &["shard_count"]),
            "aws_kinesis_stream.input.shard_count"
        );
        assert_eq!(reader("module.m", &["dynamic", "x", "content", "y"]), "module.m.x.y");
        let fl = crate::inputs::terraform::FLINK_RESOURCE;
        assert!(is_parallelism_setting(
            fl,
            &[
                "application_configuration",
                "flink_application_configuration",
                "parallelism_configuration",
                "parallelism"
            ]
        ));
        assert!(is_parallelism_setting(
            fl,
            &["parallelism_configuration", "content", "parallelism_per_kpu"]
        ));
        assert!(!is_parallelism_setting(fl, &["name"]));
        assert!(!is_parallelism_setting(
            "aws_kinesis_stream",
            &["parallelism_configuration", "parallelism"]
        ));
    }
}

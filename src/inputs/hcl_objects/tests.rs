//! The chunked parse against the whole parse: on every `.tf` and `.tfvars` file of the tests
//! and examples, and on generated objects of every shape (separators, comments, heredocs,
//! templates, nested and repeated keys, operators across line breaks, deep nesting, syntax
//! errors), every chunking gives the model (spans included) and the errors the whole parse gives.

use std::fmt::Write as _;
use std::path::Path;

use super::*;
use crate::inputs::hcl::parse_tf;
use crate::model::expr::ExprKind;
use crate::source::SourceFile;

fn assert_same(text: &str, what: &str) {
    if let Some(difference) = compare::difference(text) {
        panic!("{what} {difference}");
    }
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "tf" || e == "tfvars") {
            out.push(path);
        }
    }
}

#[test]
fn the_fixtures_and_examples_read_the_same_in_chunks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    files(&root.join("tests"), &mut paths);
    files(&root.join("examples"), &mut paths);
    assert!(paths.len() > 50, "{}", paths.len());
    // More folders to compare on, e.g. a corpus of real repositories: KP_HCL_DIRS=a:b.
    for dir in std::env::var("KP_HCL_DIRS")
        .unwrap_or_default()
        .split(':')
        .filter(|d| !d.is_empty())
    {
        files(Path::new(dir), &mut paths);
    }
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        assert_same(&text, &path.display().to_string());
    }
}

/// A deterministic generator (an LCG): the same texts on every run.
struct Gen(u64);

impl Gen {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }

    fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        options[self.next(options.len())]
    }

    fn key(&mut self, i: usize) -> String {
        match self.next(12) {
            0 => format!("\"k {i}\""),
            1 => format!("\"q\\\"{i}\""),
            2 => "dup".into(),
            3 => "\"dup\"".into(),
            4 => format!("(var.k{i})"),
            5 => "for".into(),
            6 => format!("a-b-{i}"),
            7 => format!("\"${{x}}{i}\""),
            8 => format!("é{i}"),
            _ => format!("k{i}"),
        }
    }

    fn value(&mut self, depth: usize) -> String {
        let scalar = [
            "1",
            "-2.5",
            "1e400",
            "true",
            "null",
            "\"s\"",
            "\"a ${var.x} b\"",
            "\"%{ if true }x%{ endif }\"",
            "\"$${not}\"",
            "var.x",
            "local.m[\"k\"]",
            "var.a.b.c",
            "[1, 2]",
            "[\n  1,\n  2\n]",
            "f(1,\n 2)",
            "<<EOT\nline ${var.x}\n  x = 1\nEOT",
            "<<-EOT\n  a\n  EOT#c",
            "<<EOT\n}\nEOT",
            "{ for k, v in m : k => v != \"\" ? v :\n \"none\" }",
            "[for v in m : v]",
            "a ? b : c",
            "!!!!true",
            "1 + 2 * 3",
            "x.\ny",
            "[1]",
            "\"multi\nline\"",
            "{}",
            "[1] / x",
            "f(1) * g",
            "(1) + y",
            "[1]",
            "f(1)",
        ];
        if depth < 3 && self.next(4) == 0 {
            let n = self.next(6) + 1;
            return self.object(n, depth + 1);
        }
        self.pick(&scalar).to_string()
    }

    fn separator(&mut self) -> &'static str {
        self.pick(&[
            "\n",
            "\n",
            "\n",
            ",",
            ",\n",
            "\n\n",
            " # comment\n",
            " // comment\n",
            " /* c */\n",
            "\n/* multi\nline */\n",
            "\r\n",
            "\n  # own line\n",
        ])
    }

    fn object(&mut self, items: usize, depth: usize) -> String {
        let mut out = String::from(self.pick(&["{\n", "{", "{ ", "{\n\n"]));
        for i in 0..items {
            let key = self.key(i);
            let assign = self.pick(&[" = ", " = ", "=", ": "]);
            let value = self.value(depth);
            let _ = write!(out, "  {key}{assign}{value}");
            if i + 1 < items || self.next(2) == 0 {
                out.push_str(self.separator());
            }
            match self.next(40) {
                // Something that continues an expression across a line break.
                0 => out.push_str("\n  -b = 3\n"),
                1 => out.push_str("\n  .c\n"),
                2 => out.push_str("\n  [0] = 2\n"),
                3 => out.push_str("\n  ? 1 : 2\n"),
                4 => out.push_str("\n  (p) = 5\n"),
                5 => out.push_str("\n  ::f = 6\n"),
                6 => out.push_str("\n  == 7\n"),
                _ => {}
            }
        }
        out.push_str(self.pick(&["\n}", "}", " }"]));
        out
    }

    /// An object of `items` items somewhere in a file.
    fn text(&mut self, items: usize) -> String {
        let object = self.object(items, 0);
        let deep = format!("{}{{ d = 1 }}{}", "[".repeat(self.next(70)), "]".repeat(70));
        let place = self.next(14);
        let mut text = match place {
            0 => format!("x = {object}\n"),
            1 => format!("locals {{\n  apps = {object}\n}}\n"),
            2 => format!("variable \"v\" {{\n  default = {object}\n}}\n"),
            3 => format!("resource \"aws_kinesisanalyticsv2_application\" \"a\" {{\n  tags = {object}\n  application_configuration {{\n    x = {{ inner = {object} }}\n  }}\n}}\n"),
            4 => format!("x = f({object})\n"),
            5 => format!("x = [{object}]\n"),
            6 => format!("x = {object} + 1\n"),
            7 => format!("x = !{object}\n"),
            8 => format!("x = \"${{ {object} }}\"\n"),
            9 => format!("x = {object}.k0\n"),
            10 => format!("x = {{\n  y = {object}\n  z = {deep}\n}}\n"),
            11 => format!("a = 1\nx = {object} # trailing\ny = {object}\n"),
            12 => object.clone(),
            _ => format!("x = {{ a = {{ b = {{ c = {object} }} }} }}\n"),
        };
        match self.next(6) {
            // Cut short, or a byte dropped: syntax errors where they are.
            0 => {
                let cut = self.next(text.len());
                let cut = (0..=cut).rev().find(|&c| text.is_char_boundary(c)).unwrap_or(0);
                text.truncate(cut);
            }
            1 => {
                let at = self.next(text.len());
                if text.is_char_boundary(at) && text.is_char_boundary(at + 1) {
                    text.remove(at);
                }
            }
            _ => {}
        }
        text
    }
}

#[test]
fn generated_objects_read_the_same_in_chunks() {
    let seed: u64 = std::env::var("KP_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(17);
    let cases: usize = std::env::var("KP_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    let mut g = Gen(seed);
    for case in 0..cases {
        let items = g.next(12) + 1;
        let text = g.text(items);
        assert_same(&text, &format!("case {case}"));
    }
}

#[test]
fn deep_items_meet_the_nesting_limit_as_in_a_whole_parse() {
    // Items nested just below and just above hcl-edit's limit of 64, at several depths of the
    // object itself: the chunks are parsed at the depth the whole parse sees them at.
    for outer in 0..4 {
        for deep in 58..66 {
            let item = format!("{}1{}", "[".repeat(deep), "]".repeat(deep));
            let bangs = format!("{}true", "!".repeat(deep));
            let items: String = (0..6)
                .map(|i| format!("  k{i} = {}\n", if i == 3 { &item } else { &bangs }))
                .collect();
            let mut object = format!("{{\n{items}}}");
            for _ in 0..outer {
                object = format!("{{\n  o = {object}\n}}");
            }
            assert_same(
                &format!("b {{\n  x = {object}\n}}\n"),
                &format!("outer {outer} deep {deep}"),
            );
            assert_same(&format!("x = {object}\n"), &format!("outer {outer} deep {deep}"));
            assert_same(&object, &format!("outer {outer} deep {deep}"));
        }
    }
}

#[test]
fn a_large_object_is_parsed_in_chunks_and_keeps_its_spans() {
    let items: String = (0..1000)
        .map(|i| format!("  app{i:04} = {{ parallelism = {i} }}\n"))
        .collect();
    let text = format!("locals {{\n  apps = {{\n{items}  }}\n}}\n");
    let file = SourceFile::new("m.tf", text.as_str());
    let (_, recovery) =
        crate::inputs::hcl_recover::parse_in_chunks(&text, Root::Body, hcl_edit::parser::parse_body).unwrap();
    let [large] = recovery.large_objects.values().collect::<Vec<_>>()[..] else {
        panic!("{:?}", recovery.large_objects.keys())
    };
    assert_eq!(large.chunks.len(), 1000 / Chunking::DEFAULT.chunk_separators + 1);
    let tf = parse_tf(&file).unwrap();
    let ExprKind::Object(entries) = &tf.locals[0].expr.kind else {
        panic!()
    };
    assert_eq!(entries.len(), 1000);
    let (_, last) = &entries[999];
    assert_eq!(last.span.text(), "{ parallelism = 999 }");
    assert_eq!(last.span.start, text.find("{ parallelism = 999 }").unwrap());
}

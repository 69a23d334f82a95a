//! A unified diff (`--- a/path`, `+++ b/path`, three lines of context) of planned edits. The
//! changed lines are known from the edits, so no general diff algorithm is needed.

use std::fmt::Write as _;

use super::splice::splice;
use super::Edit;

const CONTEXT: usize = 3;

/// One run of changed lines: old lines `old.0..old.1` become `new`.
struct Change {
    old: (usize, usize),
    new: Vec<String>,
}

/// The line index holding byte `offset` (`starts` are the lines' first bytes).
fn line_of(starts: &[usize], offset: usize) -> usize {
    match starts.binary_search(&offset) {
        Ok(i) => i,
        Err(i) => i.saturating_sub(1),
    }
}

/// The diff of `text` (the file `path`) and `text` with `edits` applied; empty when equal.
pub fn unified(path: &str, text: &str, edits: &[&Edit]) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut starts = Vec::with_capacity(lines.len() + 1);
    let mut at = 0;
    for l in &lines {
        starts.push(at);
        at += l.len();
    }
    starts.push(text.len());

    // Old line ranges each edit touches; an insertion at a line start touches none.
    let mut runs: Vec<((usize, usize), Vec<&Edit>)> = Vec::new();
    for e in edits {
        let first = line_of(&starts, e.range.start);
        let last = if e.range.is_empty() && starts.get(first) == Some(&e.range.start) {
            first
        } else {
            line_of(&starts, e.range.end.saturating_sub(1).max(e.range.start)) + 1
        };
        let last = last.min(lines.len()).max(first);
        match runs.last_mut() {
            Some((r, es)) if first <= r.1 => {
                r.1 = r.1.max(last);
                es.push(e);
            }
            _ => runs.push(((first, last), vec![e])),
        }
    }
    let changes: Vec<Change> = runs
        .into_iter()
        .filter_map(|((s, e), es)| {
            let base = starts[s];
            let old = &text[base..starts[e]];
            let shifted: Vec<Edit> = es
                .iter()
                .map(|x| Edit {
                    range: x.range.start - base..x.range.end - base,
                    ..(*x).clone()
                })
                .collect();
            let new = splice(old, &shifted.iter().collect::<Vec<_>>());
            (new != old).then(|| Change {
                old: (s, e),
                new: new.split_inclusive('\n').map(str::to_string).collect(),
            })
        })
        .collect();
    if changes.is_empty() {
        return String::new();
    }

    let (a, b) = (quoted_path("a/", path), quoted_path("b/", path));
    let mut out = format!("--- {a}\n+++ {b}\n");
    let mut delta: isize = 0;
    let mut i = 0;
    while i < changes.len() {
        // Changes whose context would touch are one hunk.
        let mut j = i;
        while j + 1 < changes.len() && changes[j + 1].old.0 - changes[j].old.1 <= 2 * CONTEXT {
            j += 1;
        }
        let from = changes[i].old.0.saturating_sub(CONTEXT);
        let to = (changes[j].old.1 + CONTEXT).min(lines.len());
        let mut body = String::new();
        let (mut old_n, mut new_n) = (0usize, 0usize);
        let mut cursor = from;
        let mut hunk_delta: isize = 0;
        for c in &changes[i..=j] {
            for l in &lines[cursor..c.old.0] {
                push_line(&mut body, ' ', l);
            }
            old_n += c.old.0 - cursor + (c.old.1 - c.old.0);
            new_n += c.old.0 - cursor + c.new.len();
            for l in &lines[c.old.0..c.old.1] {
                push_line(&mut body, '-', l);
            }
            for l in &c.new {
                push_line(&mut body, '+', l);
            }
            hunk_delta += c.new.len() as isize - (c.old.1 - c.old.0) as isize;
            cursor = c.old.1;
        }
        for l in &lines[cursor..to] {
            push_line(&mut body, ' ', l);
        }
        old_n += to - cursor;
        new_n += to - cursor;
        let new_from = (from as isize + delta).max(0) as usize;
        let range = |start: usize, n: usize| match n {
            0 => format!("{start},0"),
            1 => format!("{}", start + 1),
            _ => format!("{},{n}", start + 1),
        };
        let _ = writeln!(out, "@@ -{} +{} @@", range(from, old_n), range(new_from, new_n));
        out.push_str(&body);
        delta += hunk_delta;
        i = j + 1;
    }
    out
}

fn push_line(out: &mut String, mark: char, line: &str) {
    out.push(mark);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

/// `a/PATH` as git writes it: a name with a control or bidirectional character, a quote or a
/// backslash is quoted C-style with such bytes in octal (what `git apply` reads back), so a
/// hostile file name never reaches the terminal raw.
fn quoted_path(prefix: &str, path: &str) -> String {
    let special = |c: char| crate::report::escape::is_unsafe_char(c) || c == '"' || c == '\\';
    if !path.chars().any(special) {
        return format!("{prefix}{path}");
    }
    let mut out = format!("\"{prefix}");
    for c in path.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if special(c) => {
                let mut buf = [0u8; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{byte:03o}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn hostile_names_are_quoted_as_git_quotes_them() {
        assert_eq!(super::quoted_path("a/", "envs/prod/main.tf"), "a/envs/prod/main.tf");
        assert_eq!(
            super::quoted_path("b/", "x\u{1b}[31m\u{202e}\"q\\.tfvars"),
            "\"b/x\\033[31m\\342\\200\\256\\\"q\\\\.tfvars\""
        );
    }

    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn hunks_with_context() {
        let text: String = (1..=20).map(|i| format!("l{i}\n")).collect();
        let f = SourceFile::new("t.tf", text.clone());
        let edit = |at: usize, len: usize, t: &str| Edit {
            file: f.clone(),
            range: at..at + len,
            text: t.into(),
            description: String::new(),
            applications: Vec::new(),
        };
        let l2 = text.find("l2\n").unwrap();
        let l18 = text.find("l18").unwrap();
        let (a, b) = (edit(l2, 2, "L2"), edit(l18, 0, "new\n"));
        assert_eq!(
            unified("t.tf", &text, &[&a, &b]),
            "--- a/t.tf\n+++ b/t.tf\n@@ -1,5 +1,5 @@\n l1\n-l2\n+L2\n l3\n l4\n l5\n\
             @@ -15,6 +15,7 @@\n l15\n l16\n l17\n+new\n l18\n l19\n l20\n"
        );
        assert_eq!(unified("t.tf", &text, &[]), "");
    }

    #[test]
    fn a_last_line_without_newline_is_marked() {
        let f = SourceFile::new("t", "a = 1");
        let e = Edit {
            file: f.clone(),
            range: 4..5,
            text: "2".into(),
            description: String::new(),
            applications: Vec::new(),
        };
        assert_eq!(
            unified("t", "a = 1", &[&e]),
            "--- a/t\n+++ b/t\n@@ -1 +1 @@\n-a = 1\n\\ No newline at end of file\n+a = 2\n\\ No newline at end of file\n"
        );
    }
}

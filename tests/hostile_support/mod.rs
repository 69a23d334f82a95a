//! Shared helpers of `tests/hostile.rs`: runs with a time limit (a hang fails the test), FIFOs,
//! and the checks that output holds no raw terminal control and no live Markdown.
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::hcl_support::*;

/// Every run here ends well within this, or the test fails instead of hanging.
pub const LIMIT: Duration = Duration::from_secs(60);

pub fn run_limited(cwd: &Path, args: &[&str]) -> Run {
    let mut cmd = kpulint(cwd);
    cmd.args(args).timeout(LIMIT);
    exec(cmd)
}

pub fn json_limited(cwd: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let r = run_limited(cwd, &all);
    (r.code, r.json())
}

pub fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(made.success(), "mkfifo {}", path.display());
}

pub fn messages(doc: &Value, field: &str) -> Vec<String> {
    doc[field]
        .as_array()
        .unwrap_or_else(|| panic!("no {field} in {doc:#}"))
        .iter()
        .map(|n| n["message"].as_str().unwrap().to_string())
        .collect()
}

pub fn any_contains(list: &[String], all: &[&str]) -> bool {
    list.iter().any(|m| all.iter().all(|s| m.contains(s)))
}

/// Characters that act on a terminal: C0 and C1 controls (but the line break), DEL,
/// bidirectional controls, line separators.
pub fn raw_unsafe(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
        })
        .collect()
}

/// The text of a Markdown document outside code spans, with each backslash-escaped character
/// replaced by `·` (it renders as itself, never as syntax).
pub fn outside_code(md: &str) -> String {
    let chars: Vec<char> = md.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && chars.get(i + 1).is_some_and(|n| n.is_ascii_punctuation()) {
            out.push('·');
            i += 2;
            continue;
        }
        if c == '`' {
            let run = chars[i..].iter().take_while(|&&x| x == '`').count();
            // The closing run of exactly the same length.
            let mut j = i + run;
            let mut close = None;
            while j < chars.len() {
                if chars[j] == '`' {
                    let r = chars[j..].iter().take_while(|&&x| x == '`').count();
                    if r == run {
                        close = Some(j);
                        break;
                    }
                    j += r;
                } else {
                    j += 1;
                }
            }
            match close {
                Some(j) => {
                    out.push_str("<code>");
                    i = j + run;
                }
                None => {
                    out.extend(&chars[i..i + run]);
                    i += run;
                }
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Markdown constructs the hostile keys, file and source would make live (kpulint's own links
/// to its rule pages aside).
pub fn live_markdown(md: &str) -> Vec<String> {
    let own =
        regex::Regex::new(r"\[KPU\d{3}\]\(https://github\.com/kpulint/kpulint/blob/main/rules/KPU\d{3}\.md\)").unwrap();
    let text = own.replace_all(&outside_code(md), "KPU").into_owned();
    let mut live = Vec::new();
    for needle in [
        "](http",
        "](y",
        "![",
        "<img",
        "<!-- c",
        "@org",
        "https://evil",
        "http://evil",
        "www.evil",
        "*bold*",
        "_it_",
        "~~gone",
        "$x$",
        "#1",
        "\u{1b}",
        "\u{202e}",
        "\r",
    ] {
        if text.contains(needle) {
            live.push(needle.to_string());
        }
    }
    live
}

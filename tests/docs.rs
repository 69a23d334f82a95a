//! The documentation shows what the binary prints: every rule page's example output and the
//! README's quick start are produced again and compared, so a changed message cannot leave a
//! stale page behind (`kpulint explain` prints these pages). After an intended message change,
//! `UPDATE_DOCS=1 cargo test --test docs` pastes the new output into the pages; review it with
//! `git diff rules/`.

mod hcl_support;

use hcl_support::*;

const RESOURCE: &str = "resource \"aws_kinesisanalyticsv2_application\"";

/// One example of a page: a whole resource, the `kpulint` command shown for it, and the output
/// the page prints for that command.
#[derive(Debug)]
struct Example {
    hcl: String,
    args: Vec<String>,
    output: String,
    /// Where `output` sits in the page.
    output_at: std::ops::Range<usize>,
}

/// The body of every fenced block of `lang` in `text`, with its byte range (fence included).
fn blocks<'t>(text: &'t str, lang: &str) -> Vec<(usize, usize, &'t str)> {
    let open = format!("```{lang}\n");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(&open) {
        let start = from + i;
        let body = start + open.len();
        let Some(len) = text[body..].find("```") else { break };
        found.push((start, body + len + 3, &text[body..body + len]));
        from = body + len + 3;
    }
    found
}

/// Every example of a page whose output is shown: an `hcl` block holding a whole resource, then
/// (before the next such block) a `kpulint ...` command in backticks and a `text` block.
fn examples(page: &str) -> Vec<Example> {
    let resources: Vec<_> = blocks(page, "hcl")
        .into_iter()
        .filter(|(_, _, body)| body.contains(RESOURCE))
        .collect();
    let texts = blocks(page, "text");
    let mut found = Vec::new();
    for (i, (_, end, hcl)) in resources.iter().enumerate() {
        let next_resource = resources.get(i + 1).map_or(page.len(), |(start, _, _)| *start);
        let Some((text_start, text_end, output)) = texts.iter().find(|(s, _, _)| s > end && *s < next_resource) else {
            continue;
        };
        let between = &page[*end..*text_start];
        let command = between
            .rsplit('`')
            .find(|part| part.starts_with("kpulint "))
            .unwrap_or_else(|| panic!("no `kpulint ...` command before the output of:\n{hcl}"));
        found.push(Example {
            hcl: hcl.to_string(),
            args: command.split_whitespace().skip(1).map(str::to_string).collect(),
            output: output.to_string(),
            output_at: text_end - 3 - output.len()..text_end - 3,
        });
    }
    found
}

#[test]
fn every_rule_page_example_prints_what_the_page_shows() {
    let mut checked = Vec::new();
    for id in [
        "KPU001", "KPU002", "KPU003", "KPU004", "KPU005", "KPU006", "KPU007", "KPU008", "KPU009", "KPU010", "KPU011",
        "KPU012", "KPU016",
    ] {
        let path = root().join(format!("rules/{id}.md"));
        let page = std::fs::read_to_string(&path).expect("rule page");
        let examples = examples(&page);
        assert!(!examples.is_empty(), "{id}: no example with its output");
        let mut updated = page.clone();
        for ex in examples.iter().rev() {
            let repo = Repo::new();
            repo.write("main.tf", &ex.hcl);
            let args: Vec<&str> = ex.args.iter().map(String::as_str).collect();
            let r = repo.run(&args);
            checked.push(id);
            if std::env::var_os("UPDATE_DOCS").is_some() {
                updated.replace_range(ex.output_at.clone(), &r.stdout);
                continue;
            }
            assert_eq!(
                r.stdout,
                ex.output,
                "{id}: `kpulint {}` prints something else than rules/{id}.md shows; run \
                 `UPDATE_DOCS=1 cargo test --test docs` to paste the new output into the page",
                ex.args.join(" ")
            );
        }
        if updated != page {
            std::fs::write(&path, updated).expect("update the page");
        }
    }
    // Pages with a second example (autoscaling on, a quota no parallelism_per_kpu meets, a
    // declared max parallelism) are checked twice.
    assert_eq!(checked.len(), 16, "{checked:?}");
}

#[test]
fn readme_quick_start_prints_what_the_readme_shows() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let quick_start = &readme[readme.find("## Quick start").expect("quick start")..];
    let command = "kpulint examples/state-heavy --color never";
    assert!(
        quick_start.contains(&format!("`{command}`")),
        "the README names the command"
    );
    let (_, _, shown) = blocks(quick_start, "text")[0];
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    assert_eq!(
        run(&root(), &args).stdout,
        shown,
        "paste the output of `{command}` (from the repository root) into the README's quick start"
    );
}

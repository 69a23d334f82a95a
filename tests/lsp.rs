//! `kpulint lsp` driven over JSON-RPC as an editor drives it: initialize, open, change with
//! half-typed values, hover, code actions and applying their edits, code lenses, watched files,
//! workspace folders, shutdown and exit. Every workspace is a temporary copy of the examples.

#![cfg(feature = "lsp")]

mod hcl_support;
mod lsp_support;

use std::path::PathBuf;

use lsp_support::{apply_edits, edits_by_uri, uri, workspace, Client};
use serde_json::{json, Value};

fn codes(diags: &[Value]) -> Vec<String> {
    let mut c: Vec<String> = diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect();
    c.sort();
    c
}

fn has_code(code: &'static str) -> impl Fn(&[Value]) -> bool {
    move |d: &[Value]| d.iter().any(|x| x["code"] == code)
}

/// The preferred code action at byte `at` of `path` (`text`).
fn preferred_fix(c: &mut Client, path: &std::path::Path, text: &str, at: usize) -> Value {
    let r = c.code_actions(path, text, at, None);
    let actions = r["result"].as_array().unwrap();
    actions
        .iter()
        .find(|a| a["isPreferred"] == true)
        .cloned()
        .unwrap_or_else(|| panic!("no preferred fix: {actions:#?}"))
}

fn hover_text(r: &Value) -> String {
    r["result"]["contents"]["value"].as_str().unwrap_or("").to_string()
}

/// A copy of `examples/state-heavy` with the server started on it (UTF-8 positions) and its
/// `main.tf` open and analysed: the copy, the folder, the client and `main.tf`'s text.
fn state_heavy() -> (tempfile::TempDir, PathBuf, Client, String) {
    state_heavy_with(|_| {})
}

/// [`state_heavy`] with the copy changed by `prepare` before the server starts.
fn state_heavy_with(prepare: impl FnOnce(&std::path::Path)) -> (tempfile::TempDir, PathBuf, Client, String) {
    let (tmp, root) = workspace(&["state-heavy"]);
    let dir = root.join("state-heavy");
    prepare(&dir);
    let (mut c, _) = Client::start(&[&dir], true);
    let main = dir.join("main.tf");
    let text = c.open(&main, 1);
    c.diagnostics_until(&main, has_code("KPU004"));
    (tmp, dir, c, text)
}

/// Copies of `examples`, one workspace folder holding them all, and `state-heavy/main.tf` open
/// and analysed: the copy, the folder, the client and `main.tf`'s text.
fn opened(examples: &[&str], utf8: bool) -> (tempfile::TempDir, PathBuf, Client, String) {
    let (tmp, root) = workspace(examples);
    let (mut c, _) = Client::start(&[&root], utf8);
    let main = root.join("state-heavy/main.tf");
    let text = c.open(&main, 1);
    c.diagnostics_until(&main, has_code("KPU004"));
    (tmp, root, c, text)
}

/// A clean document is published too, with no diagnostics: the editor (and a client waiting
/// for them) learns it was checked.
#[test]
fn a_clean_document_gets_an_empty_publication_when_opened() {
    let (_tmp, root) = workspace(&["clean"]);
    let dir = root.join("clean");
    let (mut c, _) = Client::start(&[&dir], true);
    let main = dir.join("main.tf");
    c.open(&main, 1);
    let d = c.diagnostics_until(&main, |_| true);
    assert!(d.is_empty(), "{d:#?}");
    assert!(c.shutdown().success());
}

#[test]
fn initialize_negotiates_the_position_encoding_and_advertises_the_features() {
    let (_tmp, root) = workspace(&["clean"]);
    let dir = root.join("clean");
    let (c, init) = Client::start(&[&dir], true);
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-8");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "source.fixAll.kpulint"])
    );
    assert!(caps["codeLensProvider"].is_object());
    assert_eq!(caps["workspace"]["workspaceFolders"]["supported"], true);
    assert_eq!(init["result"]["serverInfo"]["name"], "kpulint");
    assert!(c.shutdown().success());

    // A client that does not offer UTF-8 gets UTF-16, the protocol's default.
    let (c, init) = Client::start(&[&dir], false);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    assert!(c.shutdown().success());
}

#[test]
fn diagnostics_carry_severity_rule_page_and_related_locations() {
    let (_tmp, dir, mut c, _) = state_heavy();
    let main = dir.join("main.tf");
    let diags = c.diagnostics_until(&main, has_code("KPU004"));
    assert_eq!(codes(&diags), ["KPU004", "KPU005"]);
    let d = diags.iter().find(|d| d["code"] == "KPU004").unwrap();
    assert_eq!(d["severity"], 2, "a warning");
    assert_eq!(d["source"], "kpulint");
    assert_eq!(
        d["codeDescription"]["href"],
        "https://github.com/kpulint/kpulint/blob/main/rules/KPU004.md"
    );
    // main.tf:64:32, as the CLI reports it (LSP lines and columns count from 0).
    assert_eq!(d["range"]["start"], json!({ "line": 63, "character": 31 }));
    assert_eq!(d["range"]["end"], json!({ "line": 63, "character": 52 }));
    let message = d["message"].as_str().unwrap();
    assert!(
        message.starts_with("parallelism 12 buys 12 KPUs, 20% above the 10 needed"),
        "{message}"
    );
    assert!(message.contains("\nhelp: set parallelism = 10 (10 KPUs)"), "{message}");
    let related = d["relatedInformation"].as_array().unwrap();
    assert_eq!(related[0]["location"]["uri"], uri(&dir.join("terraform.tfvars")));
    assert_eq!(
        related[0]["location"]["range"]["start"],
        json!({ "line": 3, "character": 20 })
    );
    assert_eq!(related[0]["message"], "value from terraform.tfvars");
    assert!(c.shutdown().success());
}

/// `envs/prod` and `envs/staging` call `modules/flink`; prod's parallelism (12) comes from its
/// tfvars, staging's (16) is a module argument. Each needs 10.
fn environments() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let module = root.join("modules/flink");
    std::fs::create_dir_all(&module).unwrap();
    let app = hcl_support::flink_app(
        "this",
        "# kpulint: state_size=240GB required_parallelism=4",
        "var.parallelism",
        "1",
        "false",
    );
    std::fs::write(
        module.join("main.tf"),
        format!("variable \"parallelism\" {{}}\n\n{app}"),
    )
    .unwrap();
    for (env, p) in [("prod", "var.parallelism"), ("staging", "16")] {
        let dir = root.join("envs").join(env);
        std::fs::create_dir_all(&dir).unwrap();
        let vars = if env == "prod" {
            "variable \"parallelism\" {}\n\n"
        } else {
            ""
        };
        std::fs::write(
            dir.join("main.tf"),
            format!("{vars}module \"flink\" {{\n  source      = \"../../modules/flink\"\n  parallelism = {p}\n}}\n"),
        )
        .unwrap();
    }
    std::fs::write(root.join("envs/prod/terraform.tfvars"), "parallelism = 12\n").unwrap();
    (tmp, root)
}

#[test]
fn a_tfvars_change_updates_the_shared_module_as_seen_from_prod_and_the_other_way_round() {
    let (_tmp, root) = environments();
    let module = root.join("modules/flink/main.tf");
    let tfvars = root.join("envs/prod/terraform.tfvars");
    let (mut c, _) = Client::start(&[&root], true);
    let module_text = c.open(&module, 1);
    // Prod's 12 KPUs are 20% above the 10 its state needs, staging's 16 60%: two findings at
    // one place, each named by its root.
    let diags = c.diagnostics_until(&module, has_code("KPU004"));
    let kpu004: Vec<&str> = diags
        .iter()
        .filter(|d| d["code"] == "KPU004")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(kpu004.len(), 2, "{diags:#?}");
    assert!(kpu004[0].starts_with("envs/prod:module.flink.aws_kinesisanalyticsv2_application.this: parallelism 12"));
    assert!(kpu004[1].starts_with("envs/staging:module.flink.aws_kinesisanalyticsv2_application.this: parallelism 16"));
    // Each finding's fix edits its own root's value: prod's tfvars, staging's module argument.
    let at = module_text.find("parallelism          = var").unwrap();
    let r = c.code_actions(&module, &module_text, at, Some(&["quickfix"]));
    let actions = r["result"].as_array().unwrap();
    let fixes: Vec<(String, Vec<String>)> = actions
        .iter()
        .filter(|a| a["isPreferred"] == true)
        .map(|a| {
            let mut files: Vec<String> = edits_by_uri(&a["edit"]).into_keys().collect();
            files.sort();
            (
                a["diagnostics"][0]["message"].as_str().unwrap()[..12].to_string(),
                files,
            )
        })
        .collect();
    assert_eq!(
        fixes,
        [
            (
                "envs/prod:mo".to_string(),
                vec![uri(&root.join("envs/prod/terraform.tfvars"))]
            ),
            (
                "envs/staging".to_string(),
                vec![uri(&root.join("envs/staging/main.tf"))]
            ),
        ],
        "{actions:#?}"
    );
    let hover = hover_text(&c.hover(&module, &module_text, at));
    assert!(
        hover.contains("**envs/prod:module.flink.aws_kinesisanalyticsv2_application.this**"),
        "{hover}"
    );
    assert!(
        hover.contains("**envs/staging:module.flink.aws_kinesisanalyticsv2_application.this**"),
        "{hover}"
    );

    let prod_finding = |d: &Value| d["code"] == "KPU004" && d["message"].as_str().unwrap().starts_with("envs/prod:");
    let text = c.open(&tfvars, 1);
    let at = text.find("12").unwrap();
    let text = c.change(&tfvars, 2, &text, at..at + 2, "20");
    let diags = c.diagnostics_until(&module, |d| {
        d.iter()
            .any(|x| x["message"].as_str().unwrap().contains("parallelism 20 buys 20 KPUs"))
    });
    assert!(!diags
        .iter()
        .any(|x| x["message"].as_str().unwrap().contains("parallelism 12")));
    let at = text.find("20").unwrap();
    c.change(&tfvars, 3, &text, at..at + 2, "10");
    let diags = c.diagnostics_until(&module, |d| !d.iter().any(prod_finding));
    assert!(diags
        .iter()
        .any(|d| d["message"].as_str().unwrap().starts_with("envs/staging:")));

    // The other way round: a module that no longer creates an application leaves prod's
    // declaration above the call attached to nothing.
    let prod_main = root.join("envs/prod/main.tf");
    let prod_text = c.open(&prod_main, 1);
    let declared = format!("# kpulint: state_size=10GB\n{prod_text}");
    c.change_full(&prod_main, 2, &declared);
    let renamed = module_text.replace("aws_kinesisanalyticsv2_application", "aws_s3_bucket");
    c.change_full(&module, 2, &renamed);
    let diags = c.diagnostics_until(&prod_main, has_code("KPU903"));
    assert_eq!(diags[0]["range"]["start"]["line"], 0, "{diags:#?}");
    assert!(c.shutdown().success());
}

#[test]
fn a_half_typed_value_publishes_its_syntax_error_and_keeps_the_other_files_diagnostics() {
    let (_tmp, root) = environments();
    let module = root.join("modules/flink/main.tf");
    let tfvars = root.join("envs/prod/terraform.tfvars");
    let (mut c, _) = Client::start(&[&root], true);
    c.open(&module, 1);
    let before = c.diagnostics_until(&module, has_code("KPU004"));
    let text = c.open(&tfvars, 1);
    // `parallelism = 1` → `parallelism = ` while typing.
    let at = text.find("12").unwrap();
    let half = c.change(&tfvars, 2, &text, at..at + 2, "");
    let diags = c.diagnostics_until(&tfvars, |d| d.iter().any(|x| x["severity"] == 1));
    let error = diags.iter().find(|x| x["severity"] == 1).unwrap();
    assert_eq!(error["range"]["start"], json!({ "line": 0, "character": 14 }));
    assert!(
        error["message"].as_str().unwrap().starts_with("invalid HCL"),
        "{diags:#?}"
    );
    // The applications it feeds say why they have no cost or fix for now.
    assert!(diags.iter().any(|x| x["severity"] == 3
        && x["message"]
            .as_str()
            .unwrap()
            .contains("it is not priced, recommended or fixed until it is fixed")));
    // Requests on the broken document do not fail.
    let h = c.hover(&tfvars, &half, 0);
    assert!(h.get("error").is_none(), "{h}");
    let a = c.code_actions(&tfvars, &half, 0, None);
    assert!(a["result"].is_array(), "{a}");
    let l = c.code_lens(&tfvars);
    assert!(l["result"].is_array(), "{l}");
    // The module file still shows what it showed before the value was cut.
    c.settle(std::time::Duration::from_millis(300));
    assert_eq!(c.diagnostics[&uri(&module)], before);
    // Typing on: the value is back, and so is the analysis.
    c.change(&tfvars, 3, &half, at..at, "14");
    c.diagnostics_until(&tfvars, |d| d.is_empty());
    c.diagnostics_until(&module, |d| {
        d.iter()
            .any(|x| x["message"].as_str().unwrap().contains("parallelism 14 buys 14 KPUs"))
    });
    assert!(c.shutdown().success());
}

#[test]
fn hover_shows_kpus_cost_needs_and_the_recommendation_wherever_the_application_is_written() {
    let (_tmp, root, mut c, text) = opened(&["state-heavy", "formats"], true);
    let main = root.join("state-heavy/main.tf");
    let expect = |h: &str| {
        for part in [
            "aws_kinesisanalyticsv2_application.orders_join",
            "12 KPUs",
            "13 billed KPUs",
            "running storage: 600 GB",
            "240 GB × 2.0 = 480 GB → 10 KPUs",
            "state size from the `# kpulint:` comment at state-heavy/main.tf:25",
            "required parallelism 4",
            "$1,103.90",
            "set parallelism = 10 (10 KPUs): $933.30/month, saves $170.60",
            "safe fix",
        ] {
            assert!(h.contains(part), "{part:?} missing from {h}");
        }
    };
    for needle in [
        "parallelism          = var",
        "parallelism_per_kpu  = var",
        "auto_scaling_enabled = false",
        "resource \"aws_kinesisanalyticsv2_application\"",
        "# kpulint: state_size",
    ] {
        let at = text.find(needle).unwrap_or_else(|| panic!("{needle}")) + 3;
        expect(&hover_text(&c.hover(&main, &text, at)));
    }
    // Where the value is defined: the tfvars entry.
    let tfvars = root.join("state-heavy/terraform.tfvars");
    let vars = c.open(&tfvars, 1);
    expect(&hover_text(&c.hover(
        &tfvars,
        &vars,
        vars.find("flink_parallelism").unwrap(),
    )));
    // Elsewhere: nothing.
    let h = c.hover(&main, &text, text.find("locals").unwrap());
    assert!(h["result"].is_null(), "{h}");

    // CloudFormation: the settings and the logical id.
    let yaml = root.join("formats/cloudformation-yaml/template.yaml");
    let ytext = c.open(&yaml, 1);
    c.diagnostics_until(&yaml, has_code("KPU004"));
    for needle in [
        "Parallelism: !Ref",
        "ParallelismPerKPU",
        "AutoScalingEnabled",
        "OrdersJoin:",
        "Default: 12",
    ] {
        let at = ytext.find(needle).unwrap_or_else(|| panic!("{needle}")) + 2;
        let h = hover_text(&c.hover(&yaml, &ytext, at));
        assert!(
            h.contains("**OrdersJoin**") && h.contains("12 KPUs") && h.contains("$1,103.90"),
            "{needle}: {h}"
        );
    }
    // And in a JSON template.
    let json_template = root.join("formats/cloudformation-json/template.json");
    let jtext = c.open(&json_template, 1);
    c.diagnostics_until(&json_template, has_code("KPU004"));
    for needle in [
        "\"Parallelism\": { \"Ref\"",
        "\"ParallelismPerKPU\"",
        "\"AutoScalingEnabled\"",
        "\"OrdersJoin\"",
        "\"Default\": 12",
    ] {
        let at = jtext.find(needle).unwrap_or_else(|| panic!("{needle}")) + 2;
        let h = hover_text(&c.hover(&json_template, &jtext, at));
        assert!(
            h.contains("**OrdersJoin**") && h.contains("12 KPUs") && h.contains("$1,103.90"),
            "{needle}: {h}"
        );
    }
    assert!(c.shutdown().success());
}

#[test]
fn the_preferred_quick_fix_edits_where_fix_writes_and_clears_the_finding() {
    let (_tmp, dir, mut c, text) = state_heavy();
    let main = dir.join("main.tf");
    let fix = preferred_fix(&mut c, &main, &text, text.find("parallelism          = var").unwrap());
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["title"], "kpulint: flink_parallelism 12 → 10 in terraform.tfvars");
    // It cures KPU004; KPU005 on the same line stays (only less state cures it).
    let resolved: Vec<&Value> = fix["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["code"])
        .collect();
    assert_eq!(resolved, [&json!("KPU004")]);
    // The edit lands in terraform.tfvars, another file, versioned as not open.
    let tfvars = dir.join("terraform.tfvars");
    let doc = &fix["edit"]["documentChanges"][0];
    assert_eq!(doc["textDocument"]["uri"], uri(&tfvars));
    assert!(doc["textDocument"]["version"].is_null());
    let edits = edits_by_uri(&fix["edit"]);
    // Executing the edit gives exactly the bytes `kpulint --fix` writes.
    let before = std::fs::read_to_string(&tfvars).unwrap();
    let after = apply_edits(&before, &edits[&uri(&tfvars)], c.utf8);
    let fixed = lsp_support::fixed_copy(&dir);
    assert_eq!(
        after,
        std::fs::read_to_string(fixed.path().join("terraform.tfvars")).unwrap()
    );
    // The editor applies it to a buffer it opens: the finding goes.
    c.open_text(&tfvars, 1, &before);
    c.change_full(&tfvars, 2, &after);
    let diags = c.diagnostics_until(&main, |d| !d.iter().any(|x| x["code"] == "KPU004"));
    assert_eq!(codes(&diags), ["KPU005"]);
    assert!(c.shutdown().success());
}

#[test]
fn a_value_from_a_variable_default_is_fixed_in_the_default_as_fix_writes_it() {
    // No tfvars entry: the parallelism is the variable's default.
    let (_tmp, dir, mut c, text) = state_heavy_with(|dir| {
        std::fs::write(dir.join("terraform.tfvars"), "environment = \"prod\"\n").unwrap();
        let variables = dir.join("variables.tf");
        let declared = std::fs::read_to_string(&variables).unwrap().replace(
            "  type        = number\n}\n\nvariable \"flink_parallelism_per_kpu\"",
            "  type        = number\n  default     = 12\n}\n\nvariable \"flink_parallelism_per_kpu\"",
        );
        assert!(declared.contains("default     = 12"));
        std::fs::write(&variables, &declared).unwrap();
    });
    let variables = dir.join("variables.tf");
    let declared = std::fs::read_to_string(&variables).unwrap();
    let main = dir.join("main.tf");
    let fix = preferred_fix(&mut c, &main, &text, text.find("parallelism          = var").unwrap());
    let edits = edits_by_uri(&fix["edit"]);
    assert_eq!(edits.keys().collect::<Vec<_>>(), [&uri(&variables)], "{fix:#}");
    let after = apply_edits(&declared, &edits[&uri(&variables)], c.utf8);
    let fixed = lsp_support::fixed_copy(&dir);
    assert_eq!(
        after,
        std::fs::read_to_string(fixed.path().join("variables.tf")).unwrap()
    );
    assert!(after.contains("default     = 10"), "{after}");
    assert!(c.shutdown().success());
}

#[test]
fn fix_all_applies_the_documents_safe_fixes_and_unsafe_fixes_say_what_to_confirm() {
    let (_tmp, root, mut c, text) = opened(&["state-heavy", "kpu007-kpu-quota"], false);
    let main = root.join("state-heavy/main.tf");
    let r = c.code_actions(&main, &text, 0, Some(&["source.fixAll.kpulint"]));
    let actions = r["result"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.kpulint");
    let edits = edits_by_uri(&actions[0]["edit"]);
    let tfvars = root.join("state-heavy/terraform.tfvars");
    assert_eq!(edits[&uri(&tfvars)][0]["newText"], "10");
    // `source` asks for it too; `quickfix` does not.
    let r = c.code_actions(&main, &text, 0, Some(&["source"]));
    assert_eq!(r["result"].as_array().unwrap().len(), 1);
    let r = c.code_actions(&main, &text, 0, Some(&["quickfix"]));
    assert!(r["result"].as_array().unwrap().iter().all(|a| a["kind"] == "quickfix"));

    // KPU007: 80 KPUs above the quota; 2 slots per KPU is not a safe fix.
    let huge = root.join("kpu007-kpu-quota/main.tf");
    let htext = c.open(&huge, 1);
    c.diagnostics_until(&huge, has_code("KPU007"));
    let at = htext.find("parallelism          = 80").unwrap();
    let r = c.code_actions(&huge, &htext, at, Some(&["quickfix"]));
    let actions = r["result"].as_array().unwrap();
    let unsafe_fix = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("not a safe fix, confirm first"))
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert_eq!(unsafe_fix["isPreferred"], false);
    assert!(
        unsafe_fix["title"]
            .as_str()
            .unwrap()
            .contains("2 slots per KPU give each subtask 1/2 vCPU"),
        "{unsafe_fix}"
    );
    assert!(!actions
        .iter()
        .any(|a| a["isPreferred"] == true && a["edit"].is_object() && a["title"] == unsafe_fix["title"]));
    // The whole fix file-for-file: parallelism 80 → 80 at 2 per KPU.
    let edits = edits_by_uri(&unsafe_fix["edit"]);
    let after = apply_edits(&htext, &edits[&uri(&huge)], c.utf8);
    assert!(after.contains("parallelism_per_kpu  = 2"), "{after}");
    // No safe fix for it: fixAll of that document offers nothing.
    let r = c.code_actions(&huge, &htext, 0, Some(&["source.fixAll.kpulint"]));
    assert_eq!(r["result"], json!([]));
    assert!(c.shutdown().success());
}

#[test]
fn code_lens_shows_kpus_cost_and_savings_or_right_sized() {
    let (_tmp, root) = workspace(&["state-heavy", "clean", "fleet"]);
    let (mut c, _) = Client::start(&[&root], true);
    let main = root.join("state-heavy/main.tf");
    c.open(&main, 1);
    c.diagnostics_until(&main, has_code("KPU004"));
    let r = c.code_lens(&main);
    let lenses = r["result"].as_array().unwrap();
    assert_eq!(lenses.len(), 1);
    assert_eq!(
        lenses[0]["command"]["title"],
        "12 KPUs · $1,103.90/month · save $170.60"
    );
    assert_eq!(lenses[0]["range"]["start"]["line"], 25, "at the resource header");

    let clean = root.join("clean/main.tf");
    c.open(&clean, 1);
    let r = c.code_lens(&clean);
    let titles: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert!(
        !titles.is_empty() && titles.iter().all(|t| t.ends_with("· right-sized")),
        "{titles:?}"
    );

    // One lens per instance of a module's application, naming it.
    let module = root.join("fleet/modules/flink/main.tf");
    c.open(&module, 1);
    let r = c.code_lens(&module);
    let mut titles: Vec<String> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap().to_string())
        .collect();
    titles.sort();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(
        titles[1].starts_with("14 KPUs · $1,274.50/month · save $341.20 · fleet:module.orders[\"prod\"]"),
        "{titles:?}"
    );
    assert!(c.shutdown().success());
}

#[test]
fn multi_byte_characters_before_the_value_are_counted_in_the_negotiated_encoding() {
    for utf8 in [false, true] {
        let (_tmp, root) = workspace(&["state-heavy"]);
        let dir = root.join("state-heavy");
        let tfvars = dir.join("terraform.tfvars");
        let vars = std::fs::read_to_string(&tfvars)
            .unwrap()
            .replace("flink_parallelism = 12", "flink_parallelism = /* é😀 ünïcødé */ 12");
        std::fs::write(&tfvars, &vars).unwrap();
        let main = dir.join("main.tf");
        let text = std::fs::read_to_string(&main).unwrap().replace(
            "parallelism          = var.flink",
            "parallelism          = /* 日本😀 */ var.flink",
        );
        std::fs::write(&main, &text).unwrap();
        let (mut c, _) = Client::start(&[&dir], utf8);
        assert_eq!(c.utf8, utf8);
        c.open(&main, 1);
        let diags = c.diagnostics_until(&main, has_code("KPU004"));
        let d = diags.iter().find(|d| d["code"] == "KPU004").unwrap();
        let value = text.find("var.flink_parallelism").unwrap();
        assert_eq!(d["range"]["start"], lsp_support::position(&text, value, utf8));
        // `é😀 ünïcødé`: 10 characters, 11 UTF-16 units, 18 bytes.
        let related = &d["relatedInformation"][0]["location"]["range"]["start"];
        let twelve = vars.find("*/ 12").unwrap() + 3;
        assert_eq!(related, &lsp_support::position(&vars, twelve, utf8));
        assert_eq!(related["character"], if utf8 { 45 } else { 38 });
        // The fix lands on the value, after the characters.
        let fix = preferred_fix(&mut c, &main, &text, value);
        let edits = edits_by_uri(&fix["edit"]);
        let after = apply_edits(&vars, &edits[&uri(&tfvars)], utf8);
        assert!(after.contains("flink_parallelism = /* é😀 ünïcødé */ 10\n"), "{after}");
        // Hover finds the line from a position after the characters.
        let h = hover_text(&c.hover(&main, &text, value + 4));
        assert!(h.contains("12 KPUs"), "{h}");
        // An incremental change after the characters lands where it should.
        c.open(&tfvars, 1);
        c.change(&tfvars, 2, &vars, twelve..twelve + 2, "10");
        c.diagnostics_until(&main, |d| !d.iter().any(|x| x["code"] == "KPU004"));
        assert!(c.shutdown().success());
    }
}

#[test]
fn every_kind_of_file_gets_its_errors_while_typing() {
    let (_tmp, root) = workspace(&["formats", "state-heavy"]);
    // A JSON var file the root loads, and one nothing loads (checked on its own).
    for name in ["extra.auto.tfvars.json", "prod.tfvars.json"] {
        std::fs::write(root.join("state-heavy").join(name), "{\"flink_parallelism\": 12}\n").unwrap();
    }
    let (mut c, _) = Client::start(&[&root], true);
    let cases: [(&str, &str, &str); 9] = [
        (
            "formats/terraform-hcl/main.tf",
            "parallelism          = 12",
            "parallelism          = ",
        ),
        (
            "formats/terraform-json/main.tf.json",
            "\"parallelism\": 12",
            "\"parallelism\": ",
        ),
        (
            "formats/cloudformation-json/template.json",
            "\"Default\": 12",
            "\"Default\": ",
        ),
        (
            "formats/cloudformation-yaml/template.yaml",
            "Default: 12",
            "Default: [12",
        ),
        ("formats/plan/plan.json", "\"parallelism\":12,", "\"parallelism\":,"),
        (
            "state-heavy/terraform.tfvars",
            "flink_parallelism = 12",
            "flink_parallelism = ",
        ),
        (
            "state-heavy/extra.auto.tfvars.json",
            "\"flink_parallelism\": 12",
            "\"flink_parallelism\": ",
        ),
        (
            "state-heavy/prod.tfvars.json",
            "\"flink_parallelism\": 12",
            "\"flink_parallelism\": ",
        ),
        ("state-heavy/.kpulint.hcl", "", "defaults {\n  storage_factor = \n}\n"),
    ];
    for (rel, from, to) in cases {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(text.contains(from), "{rel}");
        c.open_text(&path, 1, &text);
        let broken = if from.is_empty() {
            to.to_string()
        } else {
            text.replacen(from, to, 1)
        };
        c.change_full(&path, 2, &broken);
        let diags = c.diagnostics_until(&path, |d| d.iter().any(|x| x["severity"] == 1));
        eprintln!("{rel}: {}", diags[0]["message"]);
        let e = diags.iter().find(|x| x["severity"] == 1).unwrap();
        assert_eq!(e["source"], "kpulint", "{rel}: {e}");
        // Put it back: the error goes.
        c.change_full(&path, 3, &text);
        c.diagnostics_until(&path, |d| !d.iter().any(|x| x["severity"] == 1));
    }
    assert!(c.shutdown().success());
}

#[test]
fn changes_are_debounced_and_the_last_text_wins() {
    let (_tmp, dir, mut c, _) = state_heavy();
    let tfvars = dir.join("terraform.tfvars");
    let main = dir.join("main.tf");
    let text = c.open(&tfvars, 1);
    c.settle(std::time::Duration::from_millis(200));
    let published_before = c.notifications("textDocument/publishDiagnostics").len();
    // Twenty changes written at once, as fast typing sends them: 13, 14, ... 32.
    for (i, v) in (13..33).enumerate() {
        c.change_full(&tfvars, i as i64 + 2, &text.replace("= 12", &format!("= {v}")));
    }
    c.diagnostics_until(&main, |d| {
        d.iter().any(|x| {
            x["message"]
                .as_str()
                .unwrap()
                .starts_with("parallelism 32 buys 32 KPUs")
        })
    });
    c.settle(std::time::Duration::from_millis(300));
    let published: Vec<Value> = c.notifications("textDocument/publishDiagnostics")[published_before..]
        .iter()
        .map(|m| (*m).clone())
        .collect();
    let for_main: Vec<&Value> = published.iter().filter(|m| m["params"]["uri"] == uri(&main)).collect();
    assert!(for_main.len() < 20, "{} publications for 20 changes", for_main.len());
    // Nothing stale after the last text.
    let last = for_main.last().unwrap();
    assert!(last["params"]["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("parallelism 32"));
    assert!(c.shutdown().success());
}

#[test]
fn config_and_other_files_changed_on_disk_are_read_again() {
    let (_tmp, dir, mut c, _) = state_heavy();
    let main = dir.join("main.tf");
    assert!(
        c.notifications("client/registerCapability")
            .iter()
            .any(|r| r["params"]["registrations"][0]["method"] == "workspace/didChangeWatchedFiles"),
        "watchers registered"
    );
    // A .kpulint.hcl written by another program.
    let config = dir.join(".kpulint.hcl");
    std::fs::write(&config, "rule \"KPU004\" { enabled = false }\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [ { "uri": uri(&config), "type": 1 } ] }),
    );
    c.diagnostics_until(&main, |d| codes(d) == ["KPU005"]);
    std::fs::write(&config, "rule \"KPU005\" { enabled = false }\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [ { "uri": uri(&config), "type": 2 } ] }),
    );
    c.diagnostics_until(&main, |d| codes(d) == ["KPU004"]);
    // The tfvars changed on disk (not open): read again.
    let tfvars = dir.join("terraform.tfvars");
    let vars = std::fs::read_to_string(&tfvars).unwrap();
    std::fs::write(&tfvars, vars.replace("= 12", "= 10")).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [ { "uri": uri(&tfvars), "type": 2 } ] }),
    );
    c.diagnostics_until(&main, |d| d.is_empty());
    std::fs::remove_file(&config).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [ { "uri": uri(&config), "type": 3 } ] }),
    );
    c.diagnostics_until(&main, |d| codes(d) == ["KPU005"]);
    assert!(c.shutdown().success());
}

/// `examples/evidence` reads its evidence through `.kpulint.hcl`'s `evidence { paths }`: a file
/// there removed, restored or rewritten on disk is read again.
#[test]
fn evidence_files_changed_on_disk_are_read_again() {
    let (_tmp, root) = workspace(&["evidence"]);
    let dir = root.join("evidence");
    let (mut c, _) = Client::start(&[&dir], true);
    let main = dir.join("main.tf");
    let text = c.open(&main, 1);
    c.diagnostics_until(&main, |d| {
        codes(d) == ["KPU004", "KPU011", "KPU013", "KPU013", "KPU014"]
    });
    // Hover gives the measured needs with their source, as the JSON report does.
    let h = hover_text(&c.hover(&main, &text, text.find("parallelism          = 14").unwrap()));
    for part in [
        "storage 2 KPUs (measured: 9.92% of 14 KPUs × 50 GB = 69.44 GB of disk in use, kept below 80%)",
        "compute 4 KPUs: measured CPU: ceil(14 KPUs × 18.71% CPU p95 ÷ 70% target) = 4 KPUs",
    ] {
        assert!(h.contains(part), "{part:?} missing from {h}");
    }
    assert!(!h.contains("undeclared"), "{h}");
    let watch = |c: &mut Client, path: &std::path::Path, typ: u8| {
        c.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [ { "uri": uri(path), "type": typ } ] }),
        )
    };
    // describe-application removed: the running configuration's drift (KPU014) goes.
    let describe = dir.join("cloudwatch/describe-clicks.json");
    let saved = std::fs::read(&describe).unwrap();
    std::fs::remove_file(&describe).unwrap();
    watch(&mut c, &describe, 3);
    c.diagnostics_until(&main, |d| codes(d) == ["KPU004", "KPU011", "KPU013", "KPU013"]);
    // Back, with another running parallelism: the drift names it.
    let text = String::from_utf8(saved.clone()).unwrap();
    assert!(text.contains("\"Parallelism\": 12"), "{text}");
    std::fs::write(&describe, text.replace("\"Parallelism\": 12", "\"Parallelism\": 16")).unwrap();
    watch(&mut c, &describe, 1);
    let drift = |d: &[Value], running: &str| {
        d.iter()
            .any(|x| x["code"] == "KPU014" && x["message"].as_str().unwrap_or("").contains(running))
    };
    c.diagnostics_until(&main, |d| drift(d, "has Parallelism 16"));
    // As exported: the drift is back.
    std::fs::write(&describe, &saved).unwrap();
    watch(&mut c, &describe, 2);
    c.diagnostics_until(&main, |d| drift(d, "has Parallelism 12"));
    assert!(c.shutdown().success());
}

#[test]
fn multi_root_workspaces_analyse_each_folder_from_its_own_root() {
    let (_tmp, root) = workspace(&["state-heavy", "kpu007-kpu-quota"]);
    let a = root.join("state-heavy");
    let b = root.join("kpu007-kpu-quota");
    let (mut c, _) = Client::start(&[&a, &b], true);
    // Files not open get their diagnostics too; each folder's messages name its files as
    // `kpulint` run in that folder does.
    let d = c.diagnostics_until(&a.join("main.tf"), has_code("KPU004"));
    let related = &d.iter().find(|x| x["code"] == "KPU004").unwrap()["relatedInformation"][0];
    assert_eq!(related["message"], "value from terraform.tfvars");
    c.diagnostics_until(&b.join("main.tf"), has_code("KPU007"));
    c.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({ "event": { "added": [], "removed": [ { "uri": uri(&b), "name": "b" } ] } }),
    );
    c.diagnostics_until(&b.join("main.tf"), |d| d.is_empty());
    c.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({ "event": { "added": [ { "uri": uri(&b), "name": "b" } ], "removed": [] } }),
    );
    c.diagnostics_until(&b.join("main.tf"), has_code("KPU007"));
    assert!(c.shutdown().success());
}

#[test]
fn exit_without_shutdown_is_an_error_unknown_requests_are_refused_and_other_schemes_get_nothing() {
    let (_tmp, root) = workspace(&["clean"]);
    let (mut c, _) = Client::start(&[&root.join("clean")], true);
    let r = c.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": "file:///x.tf" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(r["error"]["code"], -32601);
    // A buffer that is no file gets nothing, not an error.
    let untitled = json!({ "uri": "untitled:Untitled-1" });
    let r = c.request(
        "textDocument/hover",
        json!({ "textDocument": untitled, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(r["result"], Value::Null);
    let r = c.request("textDocument/codeLens", json!({ "textDocument": untitled }));
    assert_eq!(r["result"], json!([]));
    c.notify("exit", Value::Null);
    assert_eq!(c.wait().code(), Some(1));
}

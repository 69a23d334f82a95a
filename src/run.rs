//! The pipeline, start to end: discover → inputs → eval → analysis (sizing) → rules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::{analyze_with_evidence, Analysis};
use crate::config::{self, Config};
use crate::date::Date;
use crate::discover::{discover, display};
use crate::eval::module::{evaluate, VarInputs};
use crate::inputs::{self, ReadOptions};
use crate::lint::{lint, Finding, LintOptions};
use crate::model::{InputError, Notice};
use crate::rules;
use crate::source::SourceFile;

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub vars: VarInputs,
    pub read: ReadOptions,
    pub today: Option<Date>,
    pub baseline: Option<(String, crate::baseline::Accepted)>,
    /// The `.tf` directory plans were made from (`--source-dir`), to locate their values.
    pub source_dir: Option<PathBuf>,
    /// `--jobs`: threads for walking, reading and parsing (`None`: the available cores).
    pub jobs: Option<usize>,
    /// `--evidence`: evidence files and directories for every application.
    pub evidence: Vec<PathBuf>,
    /// Do not search the repository for the callers of the linted modules: the language
    /// server names each root module itself, with the modules it calls.
    pub skip_caller_search: bool,
    /// What root modules are named relative to outside a repository (`None`: the linted
    /// paths). The language server names its workspace folder, so that two roots it lints
    /// together by naming a file of each are told apart as `kpulint` run in the folder does.
    pub instance_roots_from: Option<Vec<PathBuf>>,
}

/// Everything one run found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: usize,
    pub analyses: Vec<Analysis>,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    pub notices: Vec<Notice>,
    /// What `--fix` changed (`None` without `--fix`).
    pub fix: Option<crate::fix::apply::FixReport>,
    /// A config that applies to the scanned paths sets `fail_on_empty = true`.
    pub fail_on_empty: bool,
    /// The limits that decide the exit code 1, with what this run measured (set by the
    /// command once the findings are final).
    pub gates: Vec<crate::gate::Gate>,
}

/// Shows a config path relative to the current directory when it is below it.
fn display_config(path: &Path) -> String {
    let Some(cwd) = std::env::current_dir().ok().and_then(|c| c.canonicalize().ok()) else {
        return path.display().to_string();
    };
    // `../../.kpulint.hcl` when the config sits above the current directory.
    let mut base = cwd.as_path();
    let mut ups = 0;
    loop {
        if let Ok(rel) = path.strip_prefix(base) {
            let mut shown = PathBuf::new();
            (0..ups).for_each(|_| shown.push(".."));
            shown.push(rel);
            return display(&shown);
        }
        match base.parent() {
            Some(p) => {
                base = p;
                ups += 1;
            }
            None => return path.display().to_string(),
        }
    }
}

/// Reads a config file. `roots` are the scanned paths: when one of them holds the config's
/// whole directory, an ignore block that matched nothing is stale, not merely out of view.
/// `named`: given with `--config` (read as named, so a pipe works); otherwise discovered, a
/// file of the repository (a regular file, no link out of it).
fn load_config(path: &Path, roots: &[PathBuf], named: bool, errors: &mut Vec<InputError>) -> Config {
    let file = match inputs::read_source_as(path, display_config(path), named) {
        Ok(f) => f,
        Err(e) => {
            // Whatever it would set is unknown: every application it applies to is tainted.
            let cfg = Config {
                broken: Some(e.span.clone()),
                ..Config::default()
            };
            errors.push(e);
            return cfg;
        }
    };
    let (mut cfg, errs) = config::parse_config(&file, &|name| rules::by_id(name).map(|r| r.id));
    cfg.broken = errs.first().map(|e| e.span.clone());
    errors.extend(errs);
    let dir = path.canonicalize().ok().and_then(|p| p.parent().map(Path::to_path_buf));
    cfg.whole_tree_scanned = dir.is_some_and(|dir| {
        roots
            .iter()
            .filter_map(|r| r.canonicalize().ok())
            .any(|root| root.is_dir() && dir.starts_with(&root))
    });
    cfg
}

/// A named `.kpulint.hcl` or `.kpulintignore` (pre-commit passes it when it changes) stands for
/// the directory tree it applies to: every application there may be affected by the change.
fn config_scope(path: &Path) -> PathBuf {
    let scoped = |n: &std::ffi::OsStr| n == config::CONFIG_FILE || n == ".kpulintignore";
    if path.file_name().is_some_and(scoped) && path.is_file() {
        match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        }
    } else {
        path.to_path_buf()
    }
}

/// One notice per input that could not be read, naming the applications it taints: they get
/// no cost, no recommendation and no fix until it is fixed.
fn taint_notices(analyses: &[Analysis]) -> Vec<Notice> {
    let mut by_input: BTreeMap<&str, (&crate::source::Span, Vec<&str>)> = BTreeMap::new();
    for a in analyses {
        for t in &a.app.tainted_by {
            by_input
                .entry(t.path())
                .or_insert_with(|| (t, Vec::new()))
                .1
                .push(&a.app.instance);
        }
    }
    by_input
        .into_values()
        .map(|(at, apps)| {
            const SHOWN: usize = 3;
            let n = apps.len();
            let mut names = apps.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
            if n > SHOWN {
                names.push_str(&format!(" and {} more", n - SHOWN));
            }
            Notice {
                span: Some(at.clone()),
                message: format!(
                    "{} has an input error ({}:{}) and may set values of {n} application{} ({names}): {} not priced, recommended or fixed until it is fixed",
                    at.path(),
                    at.location().line,
                    at.location().column,
                    crate::rules::plural(n as u64),
                    if n == 1 { "it is" } else { "they are" }
                ),
            }
        })
        .collect()
}

pub fn run(opts: &RunOptions) -> Outcome {
    let mut out = Outcome::default();
    let paths = if opts.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        opts.paths.iter().map(|p| config_scope(p)).collect()
    };

    crate::files::set_scan_roots(&paths);
    // A linted module that other modules of the repository call is evaluated through them.
    let callers = if opts.skip_caller_search {
        crate::callers::Callers::default()
    } else {
        crate::callers::find(&paths)
    };
    out.notices.extend(callers.notices.iter().cloned());
    let mut walk_paths: Vec<PathBuf> = paths
        .iter()
        .map(|p| {
            callers
                .renamed
                .iter()
                .find(|(from, _)| from == p)
                .map_or_else(|| p.clone(), |(_, to)| to.clone())
        })
        .collect();
    walk_paths.extend(callers.files.iter().cloned());
    let walked = discover(&walk_paths);
    for e in &walked.errors {
        let f = SourceFile::new(display(&e.path), "");
        out.errors.push(InputError::new(f.whole(), e.message.clone()));
    }

    for c in walked
        .files
        .iter()
        .filter(|c| c.explicit && c.kind == Some(crate::discover::FileKind::TfVars))
    {
        let name = display(&c.path);
        let auto = inputs::is_auto_tfvars(c.path.file_name().and_then(|n| n.to_str()).unwrap_or(""));
        out.notices.push(Notice {
            span: None,
            message: if auto {
                format!("{name} is read with its module, as Terraform reads it")
            } else {
                format!("{name} is not read automatically by Terraform: pass it with --var-file {name}")
            },
        });
    }
    // Declared variable names are needed only to check `--var` and `--var-file` names.
    let loaded = inputs::load(&walked, &opts.read, !opts.vars.cli.is_empty(), opts.jobs.unwrap_or(0));
    out.files = loaded.files;
    let mut inventory = loaded.inventory;
    out.errors.extend(inputs::declared::undeclared_inputs(
        &loaded.declared_variables,
        &loaded.roots,
        &inventory.declared_parameters,
        &opts.vars,
        &opts.read.parameters,
    ));
    inputs::plan::map_to_source(&mut inventory, opts.source_dir.as_deref());
    inventory.extend(evaluate(&loaded.modules, &loaded.roots, &opts.vars));
    inputs::plan::merge_with_source(&mut inventory.applications);
    crate::identity::assign(
        &mut inventory.applications,
        opts.instance_roots_from.as_deref().unwrap_or(&paths),
    );
    inventory.strays.extend(inputs::attach::unused_call_directives(
        &loaded.modules,
        &inventory.applications,
    ));
    inventory.strays.extend(inputs::tfvars_directives::attach(
        &loaded.modules,
        &loaded.roots,
        &opts.vars,
        &mut inventory.applications,
    ));
    let uncalled = crate::callers::uncalled_notices(&callers.uncalled, &loaded.modules, &opts.vars);
    // The parsed modules are not needed past evaluation: only files that applications,
    // findings and errors point at stay in memory, for rendering.
    drop(loaded.modules);
    out.errors.extend(inventory.errors);
    out.notices.extend(inventory.notices);

    // One config for everything with --config; otherwise the nearest one per directory.
    let explicit = opts
        .config
        .as_ref()
        .map(|p| Arc::new(load_config(p, &paths, true, &mut out.errors)));
    let default = Arc::new(Config::default());
    let mut by_path: BTreeMap<PathBuf, Arc<Config>> = BTreeMap::new();
    let mut found_for_dir: BTreeMap<PathBuf, Option<PathBuf>> = BTreeMap::new();
    let mut config_for = |path: &str, errors: &mut Vec<InputError>| -> Arc<Config> {
        if let Some(c) = &explicit {
            return Arc::clone(c);
        }
        let dir = match Path::new(path).parent() {
            Some(d) if path != "<stdin>" && !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let found = found_for_dir
            .entry(dir.clone())
            .or_insert_with(|| config::discover(&dir))
            .clone();
        match found {
            Some(p) => Arc::clone(
                by_path
                    .entry(p.clone())
                    .or_insert_with(|| Arc::new(load_config(&p, &paths, false, errors))),
            ),
            None => Arc::clone(&default),
        }
    };

    if !callers.scope.is_empty() {
        // Evaluated through its callers, but reported for what the user linted.
        let in_scope = |path: &str| {
            Path::new(path)
                .canonicalize()
                .is_ok_and(|p| callers.scope.iter().any(|s| p.starts_with(s)))
        };
        inventory.applications.retain(|a| in_scope(a.span.path()));
        inventory.strays.retain(|s| in_scope(s.directive.span.path()));
    }

    let mut unpriced_regions = BTreeSet::new();
    let configured: Vec<(crate::model::Application, Arc<Config>)> = inventory
        .applications
        .into_iter()
        .map(|app| {
            let config = config_for(app.span.path(), &mut out.errors);
            (app, config)
        })
        .collect();
    let mut evidence =
        crate::needs::evidence::Evidence::load(&opts.evidence, configured.iter().map(|(_, c)| &c.evidence));
    evidence.claim(configured.iter().map(|(app, c)| (app, &c.evidence)));
    // One analysis per application: room for them all at once, not twice that by doubling.
    out.analyses.reserve_exact(configured.len());
    for (mut app, config) in configured {
        let found = evidence.for_application(&mut app, &config.evidence);
        let a = analyze_with_evidence(app, config, found.as_ref().map(|e| (e, evidence.now)), &mut out.errors);
        if a.sizing == Err(crate::analysis::NotSized::NotApplicable) {
            out.notices.push(Notice {
                span: Some(a.app.span.clone()),
                message: format!(
                    "{} runs SQL-1_0, which has no Flink parallelism: not sized",
                    a.app.instance
                ),
            });
        }
        out.notices
            .extend(crate::analysis::price_notices(&a, &mut unpriced_regions));
        out.analyses.push(a);
    }
    out.notices.extend(taint_notices(&out.analyses));
    let (evidence_errors, evidence_notices) = evidence.finish();
    out.errors.extend(evidence_errors);
    out.notices.extend(evidence_notices);

    if out.analyses.is_empty() {
        // A scan that finds nothing says where it looked: a CI job pointed at the wrong path
        // must not pass in silence.
        let shown: Vec<String> = paths.iter().map(|p| display(p)).collect();
        out.notices.push(Notice {
            span: None,
            message: format!(
                "no Managed Flink application found in {} ({} file{} read): kpulint looks for aws_kinesisanalyticsv2_application resources in Terraform and plans and AWS::KinesisAnalyticsV2::Application in CloudFormation templates; use --fail-on-empty to fail the run",
                shown.join(", "),
                out.files,
                crate::rules::plural(out.files as u64)
            ),
        });
        out.fail_on_empty = paths.iter().any(|p| {
            config_for(&p.join(config::CONFIG_FILE).to_string_lossy(), &mut out.errors)
                .defaults
                .fail_on_empty
        });
    }

    let lint_opts = LintOptions {
        today: opts.today.unwrap_or_else(Date::today),
        baseline: opts.baseline.clone(),
    };
    let strays: Vec<(crate::model::StrayDirective, Arc<Config>)> = inventory
        .strays
        .into_iter()
        .map(|s| {
            let config = config_for(s.directive.span.path(), &mut out.errors);
            (s, config)
        })
        .collect();
    out.findings = lint(&out.analyses, &strays, &lint_opts);
    // A module no caller gives its required variables: one notice says so, instead of a
    // KPU009 warning per value they feed.
    let mut explained = BTreeSet::new();
    out.findings.retain(|f| {
        let by = (f.rule.id == "KPU009")
            .then(|| uncalled.iter().position(|u| u.explains(f.span.path(), &f.message)))
            .flatten();
        explained.extend(by);
        by.is_none()
    });
    out.notices
        .extend(explained.into_iter().map(|i| uncalled[i].notice.clone()));

    out.analyses.sort_by(|a, b| {
        (a.app.span.path(), a.app.span.start, &a.app.address, &a.app.root).cmp(&(
            b.app.span.path(),
            b.app.span.start,
            &b.app.address,
            &b.app.root,
        ))
    });
    out.errors
        .sort_by(|a, b| (a.span.path(), a.span.start, &a.message).cmp(&(b.span.path(), b.span.start, &b.message)));
    out.errors.dedup_by(|a, b| a.span == b.span && a.message == b.message);
    out.notices.sort_by(|a, b| {
        let key = |n: &Notice| {
            (
                n.span.as_ref().map(|s| (s.path().to_string(), s.start)),
                n.message.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    out.notices.dedup_by(|a, b| a.message == b.message && a.span == b.span);
    // A file refused both as a walked file and as a required input (a tfvars that is a FIFO)
    // is reported once, as the error.
    let errors: BTreeSet<&str> = out.errors.iter().map(|e| e.message.as_str()).collect();
    out.notices
        .retain(|n| n.span.is_some() || !errors.contains(n.message.as_str()));
    out
}

//! Which application instance a result is about: the root module that reaches it plus its
//! address. One shared module called from `envs/dev` and `envs/prod` makes two instances with
//! the same address; `envs/prod:module.kda_flink.aws_kinesisanalyticsv2_application.this` tells
//! them apart. The identity is computed once per application ([`assign`]) and every consumer
//! (rules, reports, `cost`, `what-if`, `--fix`, the baseline) reads it from there.
//!
//! Roots are named relative to the repository root (the directory holding `.git`), or outside a
//! repository relative to the scanned path, so the name does not depend on the directory
//! kpulint runs from. A root of `.`, a plan and a CloudFormation template keep the plain
//! address (a plan's or template's root is its file).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use globset::GlobMatcher;

use crate::model::{Application, InputFormat};

/// The repository a path belongs to: the nearest ancestor holding `.git` (a directory, or the
/// file of a worktree or submodule).
pub fn repository_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find(|a| a.join(".git").exists()).map(Path::to_path_buf)
}

fn is_terraform(format: InputFormat) -> bool {
    matches!(format, InputFormat::TerraformHcl | InputFormat::TerraformJson)
}

/// `root:address`, or the plain address for the root `.` and for plans and templates.
pub fn instance(root: &str, address: &str, format: InputFormat) -> String {
    if !is_terraform(format) || root == "." || root.is_empty() {
        address.to_string()
    } else {
        format!("{root}:{address}")
    }
}

/// `path` with `/` separators, `.` when empty.
fn slashed(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// Names root module directories and files the way identities spell them, each path
/// resolved once.
pub struct RootNames {
    /// The scanned paths, canonical (a file stands for its directory).
    scanned: Vec<PathBuf>,
    cache: HashMap<String, String>,
}

impl RootNames {
    pub fn new(scanned: &[PathBuf]) -> RootNames {
        let scanned = scanned
            .iter()
            .filter_map(|p| p.canonicalize().ok())
            .map(|p| {
                if p.is_dir() {
                    p
                } else {
                    p.parent().map(Path::to_path_buf).unwrap_or(p)
                }
            })
            .collect();
        RootNames {
            scanned,
            cache: HashMap::new(),
        }
    }

    /// The name of `path` (a root module directory, or a plan or template file, as shown in
    /// output): relative to its repository root, else to the scanned path holding it, else as
    /// shown.
    pub fn name(&mut self, path: &str) -> String {
        if let Some(n) = self.cache.get(path) {
            return n.clone();
        }
        let name = self.resolve(path);
        self.cache.insert(path.to_string(), name.clone());
        name
    }

    fn resolve(&self, path: &str) -> String {
        if path == "<stdin>" {
            return path.into();
        }
        let shown = if path.is_empty() { "." } else { path };
        let Ok(real) = Path::new(shown).canonicalize() else {
            return slashed(Path::new(shown));
        };
        let dir = if real.is_dir() {
            real.clone()
        } else {
            real.parent().map(Path::to_path_buf).unwrap_or_else(|| real.clone())
        };
        if let Some(repo) = repository_root(&dir) {
            if let Ok(rel) = real.strip_prefix(&repo) {
                return slashed(rel);
            }
        }
        // Outside a repository: relative to the deepest scanned path holding it.
        self.scanned
            .iter()
            .filter(|s| real.starts_with(s))
            .max_by_key(|s| s.components().count())
            .and_then(|s| real.strip_prefix(s).ok())
            .map_or_else(|| slashed(Path::new(shown)), slashed)
    }
}

/// Gives every application its root and instance: the root module directory for Terraform
/// (evaluation recorded it in `root`, as shown), the file for plans and templates.
pub fn assign(applications: &mut [Application], scanned: &[PathBuf]) {
    let mut names = RootNames::new(scanned);
    for app in applications {
        let shown = match app.format {
            InputFormat::TerraformHcl | InputFormat::TerraformJson if !app.root_dir.is_empty() => app.root_dir.clone(),
            InputFormat::TerraformHcl | InputFormat::TerraformJson => Path::new(app.span.path())
                .parent()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default(),
            _ => app.span.path().to_string(),
        };
        let mut root = names.name(&shown);
        if root == "<stdin>" && is_terraform(app.format) {
            // Terraform read from standard input is a root of its own, as `.` would be.
            root = ".".into();
        }
        app.instance = instance(&root, &app.address, app.format);
        app.root = root;
    }
}

/// Which instances a pattern selects: `ADDRESS` (every root's instance), or `ROOT:ADDRESS` (one
/// root's). Both parts may be globs where `*` and `?` are wildcards and `[` `]` match
/// themselves, as addresses hold them: `envs/*:module.kda_flink.*`.
#[derive(Debug, Clone)]
pub struct Selector {
    /// The pattern as written.
    pub pattern: String,
    root: Option<Part>,
    address: Part,
}

#[derive(Debug, Clone)]
struct Part {
    text: String,
    glob: Option<GlobMatcher>,
}

impl Part {
    fn new(text: &str) -> Result<Part, globset::Error> {
        let glob = if text.contains(['*', '?']) {
            Some(crate::config::address_glob(text)?)
        } else {
            None
        };
        Ok(Part {
            text: text.to_string(),
            glob,
        })
    }

    fn matches(&self, s: &str) -> bool {
        self.text == s || self.glob.as_ref().is_some_and(|g| g.is_match(s))
    }
}

/// Where `ROOT:` ends: the first `:` outside brackets and quotes (an instance key may hold one:
/// `module.x["a:b"]`), when what comes before it names a root rather than starting an address.
fn root_separator(pattern: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quoted = false;
    for (i, c) in pattern.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            ':' if !quoted && depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

impl Selector {
    pub fn parse(pattern: &str) -> Result<Selector, globset::Error> {
        let (root, address) = match root_separator(pattern) {
            Some(i) => (Some(Part::new(&pattern[..i])?), Part::new(&pattern[i + 1..])?),
            None => (None, Part::new(pattern)?),
        };
        Ok(Selector {
            pattern: pattern.to_string(),
            root,
            address,
        })
    }

    /// Selects the instance of `address` reached from `root`.
    pub fn matches(&self, root: &str, address: &str) -> bool {
        self.root.as_ref().is_none_or(|r| r.matches(root)) && self.address.matches(address)
    }

    /// Selects the application.
    pub fn selects(&self, app: &Application) -> bool {
        self.matches(&app.root, &app.address)
    }

    /// Whether the pattern names a root (`ROOT:ADDRESS`).
    pub fn has_root(&self) -> bool {
        self.root.is_some()
    }

    /// The exact address (no glob) with no root part: the most specific pattern there is.
    pub fn is_exact(&self, root: &str, address: &str) -> bool {
        self.address.glob.is_none()
            && self.address.text == address
            && self.root.as_ref().is_none_or(|r| r.glob.is_none() && r.text == root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "module.kda_flink.aws_kinesisanalyticsv2_application.this";

    #[test]
    fn instances_name_the_root_except_the_plain_ones() {
        assert_eq!(
            instance("envs/prod", APP, InputFormat::TerraformHcl),
            format!("envs/prod:{APP}")
        );
        assert_eq!(instance(".", APP, InputFormat::TerraformJson), APP);
        assert_eq!(instance("plan.json", APP, InputFormat::TerraformPlan), APP);
        assert_eq!(instance("stack.yaml", "App", InputFormat::CloudformationYaml), "App");
    }

    #[test]
    fn selectors_with_and_without_a_root() {
        let bare = Selector::parse(APP).unwrap();
        assert!(bare.matches("envs/dev", APP) && bare.matches("envs/prod", APP) && bare.matches(".", APP));
        assert!(!bare.has_root());
        let prod = Selector::parse(&format!("envs/prod:{APP}")).unwrap();
        assert!(prod.matches("envs/prod", APP));
        assert!(!prod.matches("envs/dev", APP));
        assert!(prod.has_root());
        let globs = Selector::parse("envs/*:module.kda_flink.*").unwrap();
        assert!(globs.matches("envs/dev", APP) && globs.matches("envs/prod", APP));
        assert!(!globs.matches("live/prod", APP));
        assert!(!globs.matches("envs/prod", "aws_kinesisanalyticsv2_application.x"));
        let root = Selector::parse(".:aws_kinesisanalyticsv2_application.x").unwrap();
        assert!(root.matches(".", "aws_kinesisanalyticsv2_application.x"));
        assert!(!root.matches("envs/prod", "aws_kinesisanalyticsv2_application.x"));
    }

    #[test]
    fn a_colon_in_an_instance_key_is_no_root() {
        let key = "module.x[\"a:b\"].aws_kinesisanalyticsv2_application.this";
        let s = Selector::parse(key).unwrap();
        assert!(!s.has_root());
        assert!(s.matches("envs/prod", key));
        let s = Selector::parse(&format!("envs/prod:{key}")).unwrap();
        assert!(s.matches("envs/prod", key) && !s.matches("envs/dev", key));
    }

    #[test]
    fn brackets_match_themselves_in_both_parts() {
        let s = Selector::parse("envs/*:module.orders[\"prod\"].*").unwrap();
        assert!(s.matches(
            "envs/a",
            "module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this"
        ));
        assert!(!s.matches(
            "envs/a",
            "module.orders[\"dev\"].aws_kinesisanalyticsv2_application.this"
        ));
        let s = Selector::parse("*[0]").unwrap();
        assert!(s.matches(".", "aws_kinesisanalyticsv2_application.app[0]"));
        assert!(!s.matches(".", "aws_kinesisanalyticsv2_application.app0"));
    }

    #[test]
    fn root_names_outside_a_repository_are_relative_to_the_scanned_path() {
        let dir = tempfile::tempdir().unwrap();
        let prod = dir.path().join("envs/prod");
        std::fs::create_dir_all(&prod).unwrap();
        let mut names = RootNames::new(&[dir.path().to_path_buf()]);
        // A temporary directory may itself lie in a repository: only check outside one.
        if repository_root(dir.path()).is_none() {
            assert_eq!(names.name(&prod.to_string_lossy()), "envs/prod");
            assert_eq!(names.name(&dir.path().to_string_lossy()), ".");
        }
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        let mut names = RootNames::new(std::slice::from_ref(&prod));
        assert_eq!(names.name(&prod.to_string_lossy()), "envs/prod");
        assert_eq!(names.name("<stdin>"), "<stdin>");
    }
}

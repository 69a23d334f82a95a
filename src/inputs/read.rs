//! Reading input files as text: a file of the repository under [`crate::files`]' rules, a
//! path named on the command line as named; UTF-8 only, a byte-order mark dropped. And the
//! variable files Terraform loads beside a root module.

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::sync::Arc;

use super::{hcl, or_cwd, scan, tf_json};
use crate::discover::display;
use crate::eval::module::TfVars;
use crate::model::InputError;
use crate::source::SourceFile;

/// Reads a file of the repository as UTF-8: a regular file within the size cap, a symbolic
/// link only to inside the repository ([`crate::files::read_regular`]). `-` is standard input.
pub fn read_source(path: &Path) -> Result<Arc<SourceFile>, InputError> {
    if path.as_os_str() == "-" {
        return read_named_source(path);
    }
    source_from(path, crate::files::read_regular(path))
}

/// Reads a path named on the command line as UTF-8: `-` (standard input), a pipe or a device
/// as named, within the size cap ([`crate::files::read_named`]).
pub fn read_named_source(path: &Path) -> Result<Arc<SourceFile>, InputError> {
    source_from(path, crate::files::read_named(path))
}

pub(super) fn source_from(
    path: &Path,
    read: Result<Vec<u8>, crate::files::Refused>,
) -> Result<Arc<SourceFile>, InputError> {
    let name = if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        display(path)
    };
    source_named(name, read)
}

/// Reads a file shown as `name` (a config file found above the current directory is shown as
/// `../.kpulint.hcl`); `named`: given on the command line (see [`read_named_source`]).
pub fn read_source_as(path: &Path, name: String, named: bool) -> Result<Arc<SourceFile>, InputError> {
    let read = if named {
        crate::files::read_named(path)
    } else {
        crate::files::read_regular(path)
    };
    source_named(name, read)
}

fn source_named(name: String, read: Result<Vec<u8>, crate::files::Refused>) -> Result<Arc<SourceFile>, InputError> {
    let bytes = read.map_err(|refused| scan::refused(name.clone(), &refused))?;
    // A UTF-8 byte-order mark is not part of the content.
    let content = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
    match String::from_utf8(content) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(e) => Err(scan::not_utf8(name, e.as_bytes(), e.utf8_error().valid_up_to())),
    }
}

/// [`is_auto_tfvars`] on a name's bytes.
fn is_auto_tfvars_name(name: &OsStr) -> bool {
    let n = name.as_encoded_bytes();
    n == b"terraform.tfvars"
        || n == b"terraform.tfvars.json"
        || n.ends_with(b".auto.tfvars")
        || n.ends_with(b".auto.tfvars.json")
}

pub fn is_auto_tfvars(name: &str) -> bool {
    name == "terraform.tfvars"
        || name == "terraform.tfvars.json"
        || name.ends_with(".auto.tfvars")
        || name.ends_with(".auto.tfvars.json")
}

/// `terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars(.json)` in lexical order.
pub(super) fn auto_tfvars(dir: &Path, errors: &mut Vec<InputError>) -> Vec<TfVars> {
    let Ok(entries) = std::fs::read_dir(or_cwd(dir)) else {
        return Vec::new();
    };
    // By the name's bytes: Terraform loads a name that is not valid UTF-8 too.
    let mut names: Vec<OsString> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .filter(|n| is_auto_tfvars_name(n))
        .collect();
    names.sort_by_key(|n| {
        let n = n.as_encoded_bytes();
        (
            !n.starts_with(b"terraform.tfvars"),
            n.ends_with(b".json") && n.starts_with(b"terraform"),
            n.to_vec(),
        )
    });
    let mut out = Vec::new();
    for name in names {
        match read_tfvars(&crate::discover::clean(&dir.join(&name)), false) {
            Ok(t) => out.push(t),
            Err(e) => {
                // Kept in its place: it may set any variable the files after it do not.
                out.push(TfVars::broken(e.span.clone()));
                errors.push(e);
            }
        }
    }
    out
}

/// Reads a `.tfvars` or `.tfvars.json` file: auto-loaded (a file of the repository), or
/// `named` on the command line (`--var-file`, which may be a pipe).
pub fn read_tfvars(path: &Path, named: bool) -> Result<TfVars, InputError> {
    let file = if named {
        read_named_source(path)?
    } else {
        read_source(path)?
    };
    let attrs = if path.to_string_lossy().ends_with(".json") {
        tf_json::parse_tfvars_json(&file)?
    } else {
        hcl::parse_tfvars(&file)?
    };
    Ok(TfVars {
        file,
        attrs,
        broken: None,
    })
}

//! What was declared about an application, from every place a need can be declared: comments
//! (and CloudFormation `Metadata.kpulint`, attached as the same directives), `kpulint:` tags,
//! and `.kpulint.hcl` `application` blocks, most specific first.

use super::grammar::{directive_pairs, parse_count, Key, DECLARATION_KEYS, KPULINT_TAGS, MAX_DECLARED_COUNT};
use crate::model::{Application, DirectiveKind, InputError, Setting};
use crate::source::Span;
use crate::units::{parse_size, Bytes};

/// Where a declared value came from, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeclSource {
    Annotation,
    Tag,
    Config,
    /// A `kpulint what-if` flag (`--state-size`, `--state-scale`, `--required-parallelism`).
    Scenario,
}

/// A declared value and where it was declared.
#[derive(Debug, Clone)]
pub struct Declared<T> {
    pub value: T,
    pub span: Span,
    pub source: DeclSource,
}

/// What was declared about an application (or by one `application` block), each with where it
/// was declared.
#[derive(Debug, Clone, Default)]
pub struct Declarations {
    pub state_size: Option<Declared<Bytes>>,
    pub required_parallelism: Option<Declared<u64>>,
    /// vCPU need measured directly, in KPUs.
    pub required_kpus: Option<Declared<u64>>,
    /// The job's Flink max parallelism.
    pub max_parallelism: Option<Declared<u64>>,
    /// A state size was declared but its value was rejected (an input error says why), so
    /// "no declared state size" would be a second report of the same mistake.
    pub state_size_rejected: bool,
    /// Declarations written but rejected, each at its error: the needs they meant are invalid,
    /// not undeclared, so no sizing finding and no recommendation is made from them.
    pub invalid: Vec<InvalidDeclaration>,
}

/// A declaration (annotation or tag) that was written but rejected.
#[derive(Debug, Clone)]
pub struct InvalidDeclaration {
    /// The key as written (`state_size`, or an unknown key).
    pub key: String,
    /// Where its input error is.
    pub span: Span,
}

impl Declarations {
    /// A compute need (required parallelism or KPUs) is declared.
    pub fn compute_declared(&self) -> bool {
        self.required_parallelism.is_some() || self.required_kpus.is_some()
    }

    /// Records a declaration that was written but rejected.
    fn reject(&mut self, key: &str, span: &Span) {
        self.invalid.push(InvalidDeclaration {
            key: key.to_string(),
            span: span.clone(),
        });
    }

    fn is_set(&self, key: Key) -> bool {
        match key {
            Key::StateSize => self.state_size.is_some(),
            Key::RequiredParallelism => self.required_parallelism.is_some(),
            Key::RequiredKpus => self.required_kpus.is_some(),
            Key::MaxParallelism => self.max_parallelism.is_some(),
        }
    }

    /// Sets `key` from its written text unless a more specific declaration already did.
    /// `Err` says what is wrong with the value.
    pub fn set(&mut self, key: Key, text: &str, span: Span, source: DeclSource) -> Result<(), String> {
        if key == Key::StateSize {
            let value = parse_size(text).map_err(|e| e.to_string())?;
            self.state_size.get_or_insert(Declared { value, span, source });
            return Ok(());
        }
        let value = parse_count(text)
            .ok_or_else(|| format!("\"{text}\" is not a whole number from 1 to {MAX_DECLARED_COUNT}"))?;
        self.set_count(key, value, span, source);
        Ok(())
    }

    /// Sets a count-like `key` (not the state size) unless a more specific declaration did.
    pub fn set_count(&mut self, key: Key, value: u64, span: Span, source: DeclSource) {
        let slot = match key {
            Key::RequiredParallelism => &mut self.required_parallelism,
            Key::RequiredKpus => &mut self.required_kpus,
            Key::MaxParallelism => &mut self.max_parallelism,
            Key::StateSize => return,
        };
        slot.get_or_insert(Declared { value, span, source });
    }

    /// Fills what is still undeclared from a less specific declaration (an `application` block).
    fn fill_from(&mut self, block: &Declarations) {
        self.state_size_rejected |= block.state_size_rejected && self.state_size.is_none();
        fill(&mut self.state_size, &block.state_size);
        fill(&mut self.required_parallelism, &block.required_parallelism);
        fill(&mut self.required_kpus, &block.required_kpus);
        fill(&mut self.max_parallelism, &block.max_parallelism);
    }
}

/// What was declared about the application, most specific first: annotation comment (or
/// CloudFormation metadata), then tag, then the config's `application` blocks (`blocks`, most
/// specific first). Rejected declarations become input errors.
pub fn declarations<'a>(
    app: &Application,
    blocks: impl Iterator<Item = &'a Declarations>,
    errors: &mut Vec<InputError>,
) -> Declarations {
    let mut decl = Declarations::default();
    let known_keys = DECLARATION_KEYS.join(", ");
    for d in app.directives.iter().filter(|d| d.kind == DirectiveKind::Declare) {
        let before = errors.len();
        let pairs = directive_pairs(d, errors);
        // A word that is not `key=value` meant some need: which one is not known.
        for e in &errors[before..] {
            decl.reject(e.span.text(), &e.span);
        }
        for (key, value, span, key_span) in pairs {
            match Key::parse(&key) {
                Some(k) => {
                    if let Err(e) = decl.set(k, &value, span.clone(), DeclSource::Annotation) {
                        decl.state_size_rejected |= k == Key::StateSize;
                        decl.reject(k.name(), &span);
                        errors.push(
                            InputError::new(span, format!("invalid {} in kpulint annotation: {e}", k.name()))
                                .with_help(invalid_help(k)),
                        );
                    }
                }
                None => {
                    decl.reject(&key, &key_span);
                    errors.push(
                        InputError::new(key_span, format!("unknown key \"{key}\" in kpulint annotation")).with_help(
                            format!(
                                "known keys: {known_keys}; until it is fixed, no sizing finding or recommendation is made for this application"
                            ),
                        ),
                    );
                }
            }
        }
    }
    for tag in app.tags.iter().filter(|t| t.key.starts_with("kpulint:")) {
        if !KPULINT_TAGS.contains(&tag.key.as_str()) {
            if let Some(span) = tag.value.span() {
                decl.reject(&tag.key, span);
                errors.push(
                    InputError::new(span.clone(), format!("unknown kpulint tag \"{}\"", tag.key))
                        .with_help(format!("known tags: {}", KPULINT_TAGS.join(", "))),
                );
            }
        }
    }
    for key in Key::ALL {
        if decl.is_set(key) {
            continue;
        }
        let Some(tag) = app.tag(key.tag()) else { continue };
        if let Setting::Known { value, span, .. } = &tag.value {
            if let Err(e) = decl.set(key, value, span.clone(), DeclSource::Tag) {
                decl.state_size_rejected |= key == Key::StateSize;
                decl.reject(key.name(), span);
                errors.push(
                    InputError::new(span.clone(), format!("invalid {} tag: {e}", key.tag()))
                        .with_help(invalid_help(key)),
                );
            }
        }
    }
    for block in blocks {
        decl.fill_from(block);
    }
    decl
}

/// The help of a rejected declaration: the form expected, and what it holds back meanwhile.
fn invalid_help(key: Key) -> String {
    let form = match key {
        Key::StateSize => "a size such as 240GB or 1.5TiB (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)".to_string(),
        _ => format!("a whole number from 1 to {MAX_DECLARED_COUNT}"),
    };
    format!(
        "write {} as {form}; until it is fixed, no sizing finding or recommendation is made from it",
        key.name()
    )
}

fn fill<T: Clone>(slot: &mut Option<Declared<T>>, from: &Option<Declared<T>>) {
    if slot.is_none() {
        slot.clone_from(from);
    }
}

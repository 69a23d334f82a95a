//! Object constructors with many items, parsed in linear time. hcl-edit 0.10 keeps an object's
//! items in a vector map and looks every new key up among all the previous ones, so an object
//! of n items costs n² (a 50,000-entry map in `terraform.tfvars`: 23 s).
//!
//! An object written where nothing can be applied to it (the value of an attribute or of an
//! item of such an object, or the whole expression) with at least [`Chunking::min_separators`]
//! item separators is cut at its separators into chunks, each parsed on its own as
//! `!…!{ items }`: the `!`s put the items at the nesting depth they have in the whole text,
//! so hcl-edit's nesting limit applies to them exactly as in one parse. The object's inside is
//! then blanked (spaces, same length: every other offset stays) in the text parsed as a whole,
//! and the lowering puts the chunks' items back ([`Recovery::large_objects`]), so the model,
//! spans included, is the one a whole parse gives.
//!
//! A chunk ends after a separator hcl-edit ends an item at: a comma, or a line break followed
//! by what cannot continue an expression (a name, a string, `{`, `}`; not an operator, `?`,
//! `:`, `.`, `[`, or the `(` of a call, which hcl-edit reads across line breaks after a value
//! holding brackets). Parsing a chunk repairs nothing: the recovering parse
//! ([`super::hcl_recover::parse_recovering`]) calls this one where it would call hcl-edit, so
//! that it meets the same errors in the same order. A chunk that does not parse ends the
//! splitting (the rest of the object is parsed in the whole text, where the error is reported
//! as one parse reports it), and a key repeated in two chunks leaves both to the whole text
//! (hcl-edit reports it there; recovery renames it and parses again). Chunks already parsed
//! are kept across those attempts. Should the scan ever read a text differently from hcl-edit,
//! an object found blanked where the whole parse has none makes the text parsed whole.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use hcl_edit::expr::Expression;
use hcl_edit::parser::Error;
use hcl_edit::visit::Visit;

use super::hcl_recover::{is_renamable_key, starts_for};

/// When an object is cut, and how finely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunking {
    /// Objects with fewer item separators at their top level are parsed whole.
    pub min_separators: usize,
    /// Item separators per chunk.
    pub chunk_separators: usize,
}

impl Chunking {
    /// Parse every object whole, as hcl-edit alone would.
    pub const OFF: Chunking = Chunking {
        min_separators: usize::MAX,
        chunk_separators: usize::MAX,
    };
    /// Below a few hundred items the whole parse is as fast.
    pub const DEFAULT: Chunking = Chunking {
        min_separators: 256,
        chunk_separators: 64,
    };
}

thread_local! {
    static CHUNKING: Cell<Chunking> = const { Cell::new(Chunking::DEFAULT) };
}

/// Runs `f` with another [`Chunking`] on this thread: for tests and fuzzing, which compare the
/// results with [`Chunking::OFF`]'s.
#[doc(hidden)]
pub fn with_chunking<R>(chunking: Chunking, f: impl FnOnce() -> R) -> R {
    let before = CHUNKING.with(|c| c.replace(chunking));
    let out = f();
    CHUNKING.with(|c| c.set(before));
    out
}

/// What the text being parsed is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// A body (a file): attributes and blocks.
    Body,
    /// One expression.
    Expression,
    /// A chunk: `open` `!`s, then the object (at `open`) whose items are at nesting depth
    /// `depth`.
    Chunk { open: usize, depth: usize },
}

/// An object cut into chunks parsed on their own.
#[derive(Debug, Clone)]
pub struct LargeObject {
    pub chunks: Vec<Chunk>,
}

/// One chunk: its parsed text, `!…!{ items }`, and what its offsets add to be offsets of the
/// text the object is in.
#[derive(Debug, Clone)]
pub struct Chunk {
    pub shift: usize,
    parsed: Arc<ParsedChunk>,
}

#[derive(Debug)]
struct ParsedChunk {
    expr: Expression,
    /// Its own large objects, by the offset of their `{` in the chunk's text.
    large_objects: BTreeMap<usize, LargeObject>,
}

impl Chunk {
    /// The chunk's object, inside its `!`s.
    pub fn object(&self) -> Option<&hcl_edit::expr::Object> {
        parsed_object(&self.parsed.expr)
    }

    /// The chunk's own large objects, by the offset of their `{` in the chunk's text.
    pub fn large_objects(&self) -> &BTreeMap<usize, LargeObject> {
        &self.parsed.large_objects
    }
}

/// Chunk texts parsed, kept across the attempts of one recovering parse (renaming a repeated
/// key changes one chunk): `None` for one that does not parse.
#[derive(Default)]
pub(super) struct ChunkCache {
    parsed: HashMap<String, Option<Arc<ParsedChunk>>>,
}

/// What a parse returns: a body or an expression, whose objects can be listed.
pub trait Tree {
    fn visit_with(&self, v: &mut impl Visit);
}

impl Tree for hcl_edit::structure::Body {
    fn visit_with(&self, v: &mut impl Visit) {
        v.visit_body(self);
    }
}

impl Tree for Expression {
    fn visit_with(&self, v: &mut impl Visit) {
        v.visit_expr(self);
    }
}

/// Parses `text` (a `root`) with `parse`, as `parse` alone would: the same value, its large
/// objects parsed in chunks (recorded by the offset of their `{`), or the same first error.
pub(super) fn parse_chunked<T: Tree>(
    text: &str,
    root: Root,
    parse: &dyn Fn(&str) -> Result<T, Error>,
    cache: &mut ChunkCache,
) -> Result<(T, BTreeMap<usize, LargeObject>), Error> {
    let chunking = CHUNKING.with(Cell::get);
    let found = if few_separators(text.as_bytes(), chunking.min_separators) {
        Vec::new()
    } else {
        find(text.as_bytes(), root, chunking)
    };
    let mut large_objects = BTreeMap::new();
    let mut blanked = text.as_bytes().to_vec();
    for large in &found {
        split(text, large, cache, &mut blanked, &mut large_objects);
    }
    // Only whole characters were replaced, by ASCII spaces.
    let blanked = match String::from_utf8(blanked) {
        Ok(b) if !large_objects.is_empty() => b,
        _ => return parse(text).map(|v| (v, BTreeMap::new())),
    };
    let value = parse(&blanked)?;
    // Each blanked object must be an object where the whole parse has one (the scan above
    // reads strings, heredocs and comments as hcl-edit does; should it ever not, the text is
    // parsed whole rather than read wrong).
    let mut objects = Objects {
        wanted: &large_objects,
        matched: 0,
    };
    value.visit_with(&mut objects);
    if objects.matched != large_objects.len() {
        return parse(text).map(|v| (v, BTreeMap::new()));
    }
    Ok((value, large_objects))
}

/// Counts the objects of a parsed tree that are blanked large objects.
struct Objects<'a> {
    wanted: &'a BTreeMap<usize, LargeObject>,
    matched: usize,
}

impl Visit for Objects<'_> {
    fn visit_object(&mut self, node: &hcl_edit::expr::Object) {
        if let Some(r) = hcl_edit::Span::span(node) {
            if self.wanted.contains_key(&r.start) {
                self.matched += 1;
            }
        }
        hcl_edit::visit::visit_object(self, node);
    }
}

/// Parses the chunks of `large`, blanks those that stand on their own in `blanked` and records
/// them; then does the same for the large objects inside the chunks left to the whole parse.
fn split(
    text: &str,
    large: &Found,
    cache: &mut ChunkCache,
    blanked: &mut [u8],
    large_objects: &mut BTreeMap<usize, LargeObject>,
) {
    let (chunks, left) = parse_chunks(text, large, cache);
    for (range, _) in &chunks {
        if let Some(inside) = blanked.get_mut(range.clone()) {
            inside.fill(b' ');
        }
    }
    if !chunks.is_empty() {
        let chunks = chunks.into_iter().map(|(_, chunk)| chunk).collect();
        large_objects.insert(large.open, LargeObject { chunks });
    }
    for inner in &large.inner {
        if left.iter().any(|r| r.start <= inner.open && inner.close < r.end) {
            split(text, inner, cache, blanked, large_objects);
        }
    }
}

type Ranged<T> = (std::ops::Range<usize>, T);

/// The chunks of a large object that stand on their own, with the text they replace, and the
/// ranges of text left to the whole parse: from the first chunk that does not parse, and any
/// chunk holding a key repeated in another one (hcl-edit reports the first repetition in one
/// parse; recovery renames it and parses again).
fn parse_chunks(
    text: &str,
    large: &Found,
    cache: &mut ChunkCache,
) -> (Vec<Ranged<Chunk>>, Vec<std::ops::Range<usize>>) {
    let inside = large.open + 1..large.close;
    let bangs = large.depth.saturating_sub(1);
    if large.open < bangs {
        return (Vec::new(), vec![inside]);
    }
    let boundaries: Vec<usize> = std::iter::once(inside.start)
        .chain(large.cuts.iter().copied())
        .chain(std::iter::once(inside.end))
        .collect();
    let mut parsed: Vec<Ranged<Arc<ParsedChunk>>> = Vec::new();
    let mut parsed_to = inside.start;
    for pair in boundaries.windows(2) {
        let [from, to] = [pair[0], pair[1]];
        let Some(items) = text.get(from..to) else { break };
        let chunk_text = format!("{}{{{items}}}", "!".repeat(bangs));
        let chunk = match cache.parsed.get(&chunk_text) {
            Some(chunk) => chunk.clone(),
            None => {
                let chunk_root = Root::Chunk {
                    open: bangs,
                    depth: large.depth,
                };
                let chunk = parse_chunked(&chunk_text, chunk_root, &hcl_edit::parser::parse_expr, cache)
                    .ok()
                    .map(|(expr, large_objects)| Arc::new(ParsedChunk { expr, large_objects }));
                cache.parsed.insert(chunk_text, chunk.clone());
                chunk
            }
        };
        let Some(chunk) = chunk else { break };
        parsed.push((from..to, chunk));
        parsed_to = to;
    }
    let all_parsed = parsed_to == inside.end;
    let whole = left_whole(text, bangs, &parsed, all_parsed);
    let mut left: Vec<std::ops::Range<usize>> = Vec::new();
    let mut chunks = Vec::new();
    for (i, (range, parsed)) in parsed.into_iter().enumerate() {
        if whole.contains(&i) {
            left.push(range);
        } else {
            let shift = range.start - 1 - bangs;
            chunks.push((range, Chunk { shift, parsed }));
        }
    }
    if !all_parsed {
        left.push(parsed_to..inside.end);
    }
    (chunks, left)
}

/// The chunks left to the whole parse although they parse: the first key repeated in another
/// chunk, and the chunk it was first in; when not every chunk parsed, also every chunk holding a
/// key recovery cannot rename (an expression, say), which the rest might repeat.
fn left_whole(text: &str, bangs: usize, chunks: &[Ranged<Arc<ParsedChunk>>], all_parsed: bool) -> Vec<usize> {
    use std::hash::Hasher as _;
    let mut whole = Vec::new();
    let mut repeated = false;
    // Each distinct key once, by hash, with the chunk it is first in.
    let mut seen: HashMap<u64, Vec<(&hcl_edit::expr::ObjectKey, usize)>> = HashMap::new();
    for (i, (range, parsed)) in chunks.iter().enumerate() {
        let shift = range.start - 1 - bangs;
        let Some(object) = parsed_object(&parsed.expr) else {
            whole.push(i);
            continue;
        };
        for (key, _) in object.iter() {
            if !all_parsed {
                let start = hcl_edit::Span::span(key).map(|r| r.start + shift);
                if !start.is_some_and(|s| is_renamable_key(text, s)) {
                    whole.push(i);
                }
            }
            if repeated {
                continue;
            }
            let mut h = std::collections::hash_map::DefaultHasher::new();
            hash_key(key, &mut h);
            let bucket = seen.entry(h.finish()).or_default();
            match bucket.iter().find(|(k, _)| *k == key) {
                Some(&(_, first)) => {
                    whole.extend([first, i]);
                    repeated = true;
                }
                None => bucket.push((key, i)),
            }
        }
    }
    whole.sort_unstable();
    whole.dedup();
    whole
}

/// The object inside a chunk's `!`s.
fn parsed_object(expr: &Expression) -> Option<&hcl_edit::expr::Object> {
    let mut at = expr;
    loop {
        match at {
            Expression::UnaryOp(u) => at = &u.expr,
            Expression::Object(o) => return Some(o),
            _ => return None,
        }
    }
}

/// A hash of an object key consistent with hcl-edit's equality of keys (values compared,
/// whitespace and comments not).
fn hash_key(key: &hcl_edit::expr::ObjectKey, h: &mut impl std::hash::Hasher) {
    use std::hash::Hash;
    match key {
        hcl_edit::expr::ObjectKey::Ident(id) => {
            0u8.hash(h);
            id.value().as_str().hash(h);
        }
        hcl_edit::expr::ObjectKey::Expression(e) => {
            1u8.hash(h);
            hash_expr(e, h);
        }
    }
}

fn hash_expr(e: &Expression, h: &mut impl std::hash::Hasher) {
    use hcl_edit::expr::TraversalOperator as Op;
    use hcl_edit::template::Element;
    use std::hash::Hash;
    std::mem::discriminant(e).hash(h);
    match e {
        Expression::Bool(b) => b.value().hash(h),
        Expression::Number(n) => {
            // Numbers compare by value (1 = 1.0); -0 = 0.
            let f = n.value().as_f64().unwrap_or(0.0);
            (if f == 0.0 { 0.0f64 } else { f }).to_bits().hash(h);
        }
        Expression::String(s) => s.value().hash(h),
        Expression::Array(a) => a.iter().for_each(|e| hash_expr(e, h)),
        Expression::Object(o) => o.len().hash(h),
        Expression::StringTemplate(t) => {
            for el in t.iter() {
                match el {
                    Element::Literal(s) => s.value().hash(h),
                    Element::Interpolation(i) => hash_expr(&i.expr, h),
                    Element::Directive(_) => 2u8.hash(h),
                }
            }
        }
        Expression::Parenthesis(p) => hash_expr(p.inner(), h),
        Expression::Variable(v) => v.value().as_str().hash(h),
        Expression::Conditional(c) => {
            hash_expr(&c.cond_expr, h);
            hash_expr(&c.true_expr, h);
            hash_expr(&c.false_expr, h);
        }
        Expression::FuncCall(f) => {
            f.name.name.as_str().hash(h);
            f.args.iter().for_each(|e| hash_expr(e, h));
        }
        Expression::Traversal(t) => {
            hash_expr(&t.expr, h);
            for op in t.operators.iter() {
                match op.value() {
                    Op::GetAttr(id) => id.as_str().hash(h),
                    Op::Index(e) => hash_expr(e, h),
                    Op::LegacyIndex(i) => i.value().hash(h),
                    Op::AttrSplat(_) | Op::FullSplat(_) => 3u8.hash(h),
                }
            }
        }
        Expression::UnaryOp(u) => hash_expr(&u.expr, h),
        Expression::BinaryOp(b) => {
            hash_expr(&b.lhs_expr, h);
            hash_expr(&b.rhs_expr, h);
        }
        Expression::Null(_) | Expression::HeredocTemplate(_) | Expression::ForExpr(_) => {}
    }
}

/// A large object found: its braces, the nesting depth of its items, and where it is cut.
#[derive(Debug)]
struct Found {
    open: usize,
    close: usize,
    depth: usize,
    cuts: Vec<usize>,
    /// The outermost large objects inside it.
    inner: Vec<Found>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The text's top level, or a block body.
    Body,
    /// An object constructor.
    Object,
    /// `[`, `(`, a `for` expression, or the top level of an expression.
    Other,
    /// `${` or `%{` in a string: the string goes on after its `}`.
    Interpolation,
}

struct Frame {
    kind: Kind,
    open: usize,
    /// An object that nothing can be applied to so far (its follower is checked when it closes),
    /// inside such objects and bodies only.
    plain: bool,
    /// Nesting depth of the attributes of a body, or of the items of an object.
    depth: usize,
    /// Offsets just after the item separators of a plain object.
    cuts: Vec<usize>,
    /// How many of the last `cuts` are line breaks not yet known to end an item.
    pending: usize,
    /// Large objects inside, outermost first, not yet known to be plain all the way up.
    inner: Vec<Found>,
    /// In a body: the line so far is an attribute's value (its `=` was seen).
    in_value: bool,
    /// The object a chunk is: already cut.
    chunk: bool,
    /// The byte that closes it.
    closer: u8,
}

impl Frame {
    fn new(kind: Kind, open: usize, plain: bool, depth: usize) -> Frame {
        Frame {
            kind,
            open,
            plain,
            depth,
            cuts: Vec::new(),
            pending: 0,
            inner: Vec::new(),
            in_value: false,
            chunk: false,
            closer: b'}',
        }
    }
}

/// An object that closed, waiting for what follows it to say whether it was plain.
struct Closed {
    frame: Frame,
    close: usize,
}

/// Whether the byte at `i` can follow the end of an item and a line break: a name (not `for`,
/// which would start a `for` expression at the start of a chunk), a string, `{` or `}`. After
/// a value where hcl-edit allows line breaks (one holding `[`, a call or parentheses), it reads
/// across them to an operator, `?`, `:`, `.`, `[`, or `(` and `::` after a name (a call).
fn ends_item_before(b: &[u8], i: usize) -> bool {
    match b.get(i) {
        Some(&c) if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 => !starts_for(b, i),
        Some(b'"' | b'{' | b'}') => true,
        _ => false,
    }
}

fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c >= 0x80
}

/// The outermost plain objects of `text` with at least `chunking.min_separators` separators,
/// with their cuts (every `chunking.chunk_separators`th separator).
fn find(b: &[u8], root: Root, chunking: Chunking) -> Vec<Found> {
    let bottom = match root {
        Root::Body => Frame::new(Kind::Body, 0, true, 0),
        Root::Expression | Root::Chunk { .. } => Frame::new(Kind::Other, 0, true, 0),
    };
    let mut stack = vec![bottom];
    let mut closed: Option<Closed> = None;
    let mut in_string = false;
    // The last byte that was not blank or a comment, and whether an `=` was an assignment.
    let mut last: u8 = 0;
    let mut assignment = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    in_string = false;
                    last = b'"';
                }
                b'$' | b'%' if super::hcl_recover::opens_interpolation(b, i) => {
                    stack.push(Frame::new(Kind::Interpolation, i, false, 0));
                    in_string = false;
                    last = b'{';
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        // Blanks and comments.
        match c {
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'\n' => {
                if let Some(done) = closed.take() {
                    settle(&mut stack, done, true, chunking);
                }
                if let Some(top) = stack.last_mut() {
                    match top.kind {
                        Kind::Object if top.plain => {
                            top.cuts.push(i + 1);
                            top.pending += 1;
                        }
                        Kind::Body => top.in_value = false,
                        _ => {}
                    }
                }
                i += 1;
                continue;
            }
            b'#' => {
                i = line_end(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = line_end(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = find_bytes(b, i + 2, b"*/").map_or(b.len(), |e| e + 2);
                continue;
            }
            _ => {}
        }
        // What follows a closed object: a line break (above), a line comment (above), a comma or
        // a closing brace keep it plain; anything else may apply an operator to it.
        if let Some(done) = closed.take() {
            settle(&mut stack, done, matches!(c, b',' | b'}'), chunking);
        }
        // Line breaks before this byte end items only if it cannot continue an expression.
        if let Some(top) = stack.last_mut() {
            if top.pending > 0 {
                if !ends_item_before(b, i) {
                    let kept = top.cuts.len() - top.pending;
                    top.cuts.truncate(kept);
                }
                top.pending = 0;
            }
        }
        match c {
            b'"' => in_string = true,
            b'<' if b.get(i + 1) == Some(&b'<') => {
                if let Some(end) = heredoc_end(b, i) {
                    i = end;
                    last = b'"';
                    continue;
                }
            }
            b'{' => {
                let Some(parent) = stack.last() else { break };
                let header = parent.kind == Kind::Body && !parent.in_value && (is_name_byte(last) || last == b'"');
                let (kind, plain, depth) = if header {
                    (Kind::Body, true, parent.depth + 1)
                } else if starts_for(b, i + 1) {
                    (Kind::Other, false, 0)
                } else {
                    let at_root = stack.len() == 1
                        && match root {
                            Root::Body => false,
                            Root::Expression => last == 0,
                            Root::Chunk { open, .. } => i == open,
                        };
                    let assigned =
                        last == b'=' && assignment && parent.plain && matches!(parent.kind, Kind::Body | Kind::Object);
                    let depth = match root {
                        Root::Chunk { depth, .. } if at_root => depth,
                        _ if at_root => 1,
                        _ => parent.depth + 1,
                    };
                    (Kind::Object, at_root || assigned, depth)
                };
                let mut frame = Frame::new(kind, i, plain, depth);
                frame.chunk = matches!(root, Root::Chunk { open, .. } if open == i) && stack.len() == 1;
                stack.push(frame);
            }
            b'[' | b'(' => {
                let mut frame = Frame::new(Kind::Other, i, false, 0);
                frame.closer = if c == b'[' { b']' } else { b')' };
                stack.push(frame);
            }
            b'}' | b']' | b')' => {
                if stack.len() <= 1 || stack.last().is_some_and(|f| f.closer != c) {
                    // A closing bracket without its opening one: a syntax error, parsed whole.
                    return Vec::new();
                }
                let Some(frame) = stack.pop() else { break };
                match frame.kind {
                    Kind::Interpolation => in_string = true,
                    Kind::Object => closed = Some(Closed { frame, close: i }),
                    Kind::Body => {
                        if let Some(parent) = stack.last_mut() {
                            parent.inner.extend(frame.inner);
                        }
                    }
                    Kind::Other => {}
                }
            }
            b'=' => {
                let before = i.checked_sub(1).and_then(|p| b.get(p)).copied().unwrap_or(0);
                assignment = !matches!(before, b'=' | b'!' | b'<' | b'>') && b.get(i + 1) != Some(&b'=');
                if let Some(top) = stack.last_mut() {
                    if top.kind == Kind::Body && assignment {
                        top.in_value = true;
                    }
                }
            }
            b',' => {
                // As a line break: a cut only if what follows starts an item.
                if let Some(top) = stack.last_mut() {
                    if top.kind == Kind::Object && top.plain {
                        top.cuts.push(i + 1);
                        top.pending += 1;
                    }
                }
            }
            // The rest of a name or number: nothing in it matters but its last byte.
            c if is_name_byte(c) => {
                while b.get(i + 1).is_some_and(|&n| is_name_byte(n)) {
                    i += 1;
                }
                last = b[i];
                i += 1;
                continue;
            }
            _ => {}
        }
        last = c;
        i += 1;
    }
    if let Some(done) = closed.take() {
        settle(&mut stack, done, true, chunking);
    }
    // Unclosed frames: a syntax error, reported by the whole parse.
    if stack.len() != 1 {
        return Vec::new();
    }
    stack.pop().map(|f| f.inner).unwrap_or_default()
}

/// Decides a closed object: plain when `follower_ok` and it was plain when opened. A plain
/// large object replaces the large objects inside it; a plain small one passes them on; one that
/// is not plain drops them (something may be applied to it and so to them).
fn settle(stack: &mut [Frame], done: Closed, follower_ok: bool, chunking: Chunking) {
    let Closed { mut frame, close } = done;
    let Some(parent) = stack.last_mut() else { return };
    if !(frame.plain && follower_ok) {
        return;
    }
    // Line breaks still pending are followed by the closing brace: no item after them.
    let separators = frame.cuts.len();
    if separators >= chunking.min_separators && !frame.chunk {
        let step = chunking.chunk_separators.max(1);
        let cuts: Vec<usize> = frame
            .cuts
            .iter()
            .copied()
            .skip(step - 1)
            .step_by(step)
            .filter(|&cut| cut < close)
            .collect();
        parent.inner.push(Found {
            open: frame.open,
            close,
            depth: frame.depth,
            cuts,
            inner: frame.inner,
        });
    } else {
        parent.inner.append(&mut frame.inner);
    }
}

/// Whether the text has fewer line breaks and commas than a large object needs (most files: no
/// need to scan them).
fn few_separators(b: &[u8], min: usize) -> bool {
    if b.len() < min {
        return true;
    }
    let found = memchr::memchr2_iter(b'\n', b',', b).take(min).count();
    found < min
}

/// The index of the newline ending the line that `i` is on (or the end of the text).
fn line_end(b: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', b.get(i..).unwrap_or_default()).map_or(b.len(), |p| i + p)
}

fn find_bytes(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(b.get(from..)?, needle).map(|p| from + p)
}

/// Skips a heredoc at `i` (`<<EOT` or `<<-EOT`, then a line break) as hcl-edit reads it: it
/// ends at the first line holding, after blanks, its marker not followed by a name character.
/// Returns the index after that marker; `None` when `i` does not start a heredoc, or it is not
/// closed.
fn heredoc_end(b: &[u8], i: usize) -> Option<usize> {
    let mut m = i + 2;
    if b.get(m) == Some(&b'-') {
        m += 1;
    }
    let marker_start = m;
    while b.get(m).is_some_and(|&c| is_name_byte(c) && c < 0x80) {
        m += 1;
    }
    let marker = b.get(marker_start..m)?;
    if marker.is_empty() || !marker[0].is_ascii_alphabetic() && marker[0] != b'_' {
        return None;
    }
    let after = if b.get(m) == Some(&b'\r') { m + 1 } else { m };
    if b.get(after) != Some(&b'\n') {
        return None;
    }
    let mut pos = after + 1;
    while pos < b.len() {
        let end = line_end(b, pos);
        let line = b.get(pos..end)?;
        let lead = line.iter().take_while(|&&c| c == b' ' || c == b'\t').count();
        let rest = line.get(lead..)?;
        if rest.starts_with(marker) && !rest.get(marker.len()).is_some_and(|&c| is_name_byte(c)) {
            return Some(pos + lead + marker.len());
        }
        pos = end + 1;
    }
    None
}

#[doc(hidden)]
pub mod compare;
#[cfg(test)]
mod tests;

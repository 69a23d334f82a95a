//! The intrinsic functions that take more than a line: `Fn::FindInMap`, `Fn::Select`,
//! `Fn::Join` and `Fn::Sub`.

use super::*;

impl<'a> Template<'a> {
    pub(super) fn find_in_map<'n>(&self, node: &'n Node, arg: &'n Node, depth: usize) -> R<Found<'n>>
    where
        'a: 'n,
    {
        let items = match &arg.kind {
            Kind::Seq(items) if items.len() == 3 || items.len() == 4 => items,
            _ => return self.err(node, "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]"),
        };
        let mut keys = Vec::with_capacity(3);
        for k in &items[..3] {
            let v = self.eval(k, depth + 1)?;
            match &v.v {
                V::Unknown(u) => {
                    return Ok(Found::Unknown(Unresolved {
                        what: format!("a key of Fn::FindInMap cannot be evaluated: {}", u.what),
                        hint: u.hint.clone(),
                    }))
                }
                other => match scalar_text(other) {
                    Some(s) => keys.push(s),
                    None => return self.err(k, "the keys of Fn::FindInMap must be strings"),
                },
            }
        }
        let default = items.get(3).and_then(|d| d.get("DefaultValue")).map(|e| &e.value);
        let mut at: Option<&'n Node> = self.mappings;
        let mut path = Vec::new();
        for key in &keys {
            path.push(key.as_str());
            at = at.and_then(|n| n.get(key)).map(|e| &e.value);
            if at.is_none() {
                if let Some(d) = default {
                    return Ok(Found::Default(d));
                }
                let what = if path.len() == 1 {
                    format!("there is no mapping \"{}\" in Mappings", path[0])
                } else {
                    format!("mapping {} has no key \"{key}\"", path[..path.len() - 1].join("."))
                };
                return self.err(node, format!("Fn::FindInMap: {what}"));
            }
        }
        let Some(found) = at else { unreachable!() };
        let origin = Origin {
            span: self.span(found),
            label: format!("Mappings {}", keys.join(".")),
            kind: OriginKind::Mapping,
        };
        Ok(Found::Node(found, origin))
    }

    pub(super) fn select(&self, node: &Node, arg: &Node, depth: usize) -> R<Val> {
        let [index, list] = self.args::<2>(node, arg, "Fn::Select")?;
        let i = self.eval(index, depth + 1)?;
        let i = match &i.v {
            V::Unknown(_) => return Ok(i),
            V::Num(n) => *n,
            V::Str(s) => match s.trim().parse::<f64>() {
                Ok(n) => n,
                Err(_) => {
                    return self.err(
                        index,
                        format!("the index of Fn::Select must be a number, found \"{s}\""),
                    )
                }
            },
            _ => return self.err(index, "the index of Fn::Select must be a number"),
        };
        if i < 0.0 || i.fract() != 0.0 {
            return self.err(index, "the index of Fn::Select must be a whole number from 0");
        }
        let i = i as usize;
        // A literal list: only the selected item is evaluated (and keeps its origin).
        if let Kind::Seq(items) = &list.kind {
            return match items.get(i) {
                Some(item) => self.eval(item, depth + 1),
                None => self.err(
                    node,
                    format!("Fn::Select index {i} is out of range for a list of {}", items.len()),
                ),
            };
        }
        let l = self.eval(list, depth + 1)?;
        match l.v {
            V::Unknown(_) => Ok(l),
            V::List(items) => {
                let n = items.len();
                match items.into_iter().nth(i) {
                    Some(v) => Ok(v.with_origin(l.origin)),
                    None => self.err(node, format!("Fn::Select index {i} is out of range for a list of {n}")),
                }
            }
            _ => self.err(list, "Fn::Select takes a list"),
        }
    }

    pub(super) fn join(&self, node: &Node, arg: &Node, depth: usize) -> R<Val> {
        let [delim, list] = self.args::<2>(node, arg, "Fn::Join")?;
        let d = self.eval(delim, depth + 1)?;
        let d = match &d.v {
            V::Unknown(_) => return Ok(d),
            V::Str(s) => s.clone(),
            _ => return self.err(delim, "the delimiter of Fn::Join must be a string"),
        };
        let l = self.eval(list, depth + 1)?;
        let items = match l.v {
            V::Unknown(_) => return Ok(l),
            V::List(items) => items,
            _ => return self.err(list, "Fn::Join takes a list of values"),
        };
        let mut parts = Vec::with_capacity(items.len());
        for item in items {
            match &item.v {
                V::Unknown(_) => return Ok(item),
                other => match scalar_text(other) {
                    Some(s) => parts.push(s),
                    None => return self.err(list, "Fn::Join can only join strings"),
                },
            }
        }
        Ok(Val::new(V::Str(parts.join(&d))))
    }

    /// `Fn::Sub "text ${Name} ${Res.Attr} ${!Literal}"` or `[text, {Name: value}]`.
    pub(super) fn sub(&self, node: &Node, arg: &Node, depth: usize) -> R<Val> {
        let (template, vars): (&str, Option<&Node>) = match &arg.kind {
            Kind::Str(s) => (s, None),
            Kind::Seq(items) if items.len() == 2 => match items[0].str() {
                Some(s) => (s, Some(&items[1])),
                None => return self.err(&items[0], "the first argument of Fn::Sub must be a string"),
            },
            _ => return self.err(node, "Fn::Sub takes a string or [string, {variables}]"),
        };
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find("${") {
            out.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                rest = "";
                break;
            };
            let inner = &after[..close];
            rest = &after[close + 1..];
            if let Some(literal) = inner.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let name = inner.trim();
            let value = match vars.and_then(|v| v.get(name)) {
                Some(var) => self.eval(&var.value, depth + 1)?,
                None if name.contains('.') && !name.starts_with("AWS::") => Val::unknown(
                    format!("Fn::Sub ${{{name}}} is an attribute known only after deployment"),
                    "write the value in the template, or pass it through a parameter with --parameter",
                ),
                None => self.reference(name, node, depth + 1)?,
            };
            match &value.v {
                V::Unknown(_) => return Ok(value),
                other => match scalar_text(other) {
                    Some(s) => out.push_str(&s),
                    None => return self.err(node, format!("Fn::Sub variable {name} is not a string")),
                },
            }
        }
        out.push_str(rest);
        Ok(Val::new(V::Str(out)))
    }
}

pub(super) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

//! Terraform's `format()`: `%[flags][width][.precision]verb`, each verb printed as Go's fmt does.

use super::{MAX_FORMAT_WIDTH, MAX_STRING_LEN};
use crate::eval::expr::{EvalError, EvalResult};
use crate::eval::value::{format_number, Value};
use crate::source::Span;

#[derive(Default)]
struct Flags {
    minus: bool,
    plus: bool,
    space: bool,
    zero: bool,
    sharp: bool,
}

/// Terraform's `format`: `%[flags][width][.precision]verb`, with `%[n]` choosing an argument.
pub(super) fn format(args: &[Value], span: &Span) -> EvalResult {
    let err = |msg: String| EvalError::new(format!("format(): {msg}"), span);
    let Some(spec) = args.first().and_then(Value::to_string_value) else {
        return Err(err("the first argument must be a string".into()));
    };
    let rest = args.get(1..).unwrap_or_default();
    let mut next = 0usize;
    let mut out = String::new();
    let mut chars = spec.chars().peekable();
    // Digits, if any, as a number no larger than MAX_FORMAT_WIDTH.
    let number = |chars: &mut std::iter::Peekable<std::str::Chars>| -> Result<Option<usize>, EvalError> {
        let mut n: Option<usize> = None;
        while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            chars.next();
            let v = n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize);
            if v > MAX_FORMAT_WIDTH {
                return Err(err(format!(
                    "widths and precisions above {MAX_FORMAT_WIDTH} are not supported"
                )));
            }
            n = Some(v);
        }
        Ok(n)
    };
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = Flags::default();
        while let Some(&f) = chars.peek() {
            match f {
                '-' => flags.minus = true,
                '+' => flags.plus = true,
                ' ' => flags.space = true,
                '0' => flags.zero = true,
                '#' => flags.sharp = true,
                _ => break,
            }
            chars.next();
        }
        let mut explicit = |chars: &mut std::iter::Peekable<std::str::Chars>| -> Result<(), EvalError> {
            if chars.peek() == Some(&'[') {
                chars.next();
                let n = number(chars)?;
                if chars.next() != Some(']') {
                    return Err(err("invalid argument index".into()));
                }
                match n {
                    Some(n) if n >= 1 => next = n - 1,
                    _ => return Err(err("invalid argument index".into())),
                }
            }
            Ok(())
        };
        explicit(&mut chars)?;
        let width = number(&mut chars)?;
        let precision = if chars.peek() == Some(&'.') {
            chars.next();
            Some(number(&mut chars)?.unwrap_or(0))
        } else {
            None
        };
        explicit(&mut chars)?;
        let Some(verb) = chars.next() else {
            return Err(err("incomplete verb".into()));
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = rest.get(next) else {
            return Err(err("not enough arguments".into()));
        };
        next += 1;
        let (text, numeric) = format_one(verb, arg, &flags, precision).map_err(err)?;
        let pad = width.unwrap_or(0).saturating_sub(text.chars().count());
        if pad == 0 {
            out.push_str(&text);
        } else if flags.minus {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', pad));
        } else if flags.zero && numeric {
            // Zeros go after the sign.
            let sign_len = text.starts_with(['-', '+', ' ']) as usize;
            out.push_str(&text[..sign_len]);
            out.extend(std::iter::repeat_n('0', pad));
            out.push_str(&text[sign_len..]);
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&text);
        }
        if out.len() > MAX_STRING_LEN {
            return Err(err("the result is too long".into()));
        }
    }
    Ok(Value::String(out))
}

/// One verb's text, and whether it is a number (zero padding applies).
fn format_one(verb: char, arg: &Value, flags: &Flags, precision: Option<usize>) -> Result<(String, bool), String> {
    let number = || {
        arg.to_number()
            .ok_or_else(|| format!("%{verb} needs a number, found {}", arg.type_name()))
    };
    let sign = |negative: bool| {
        if negative {
            "-"
        } else if flags.plus {
            "+"
        } else if flags.space {
            " "
        } else {
            ""
        }
    };
    let integer = || -> Result<(bool, u128), String> {
        let n = number()?;
        if n.fract() != 0.0 {
            return Err(format!("%{verb} needs a whole number, found {}", format_number(n)));
        }
        if n.abs() >= 2f64.powi(127) {
            return Err(format!("{} is too large for %{verb}", format_number(n)));
        }
        Ok((n < 0.0, n.abs() as u128))
    };
    Ok(match verb {
        'v' => match arg {
            _ if flags.sharp => (to_json(arg).to_string(), false),
            Value::List(_) | Value::Object(_) => (to_json(arg).to_string(), false),
            Value::Null => ("null".into(), false),
            v => (v.to_string_value().unwrap_or_default(), matches!(v, Value::Number(_))),
        },
        's' | 'q' => {
            let s = arg
                .to_string_value()
                .ok_or_else(|| format!("%{verb} needs a string, found {}", arg.type_name()))?;
            let s = match precision {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            };
            if verb == 'q' {
                (serde_json::Value::String(s).to_string(), false)
            } else {
                (s, false)
            }
        }
        't' => (
            arg.to_bool()
                .ok_or_else(|| format!("%t needs a bool, found {}", arg.type_name()))?
                .to_string(),
            false,
        ),
        'd' => {
            let (negative, n) = integer()?;
            let digits = n.to_string();
            let zeros = precision.unwrap_or(0).saturating_sub(digits.len());
            (format!("{}{}{digits}", sign(negative), "0".repeat(zeros)), true)
        }
        'b' | 'o' | 'x' | 'X' if !matches!(arg, Value::String(_)) || verb == 'b' || verb == 'o' => {
            let (negative, n) = integer()?;
            let (digits, prefix) = match verb {
                'b' => (format!("{n:b}"), "0b"),
                'o' => (format!("{n:o}"), "0"),
                'x' => (format!("{n:x}"), "0x"),
                _ => (format!("{n:X}"), "0X"),
            };
            let prefix = if flags.sharp { prefix } else { "" };
            (format!("{}{prefix}{digits}", sign(negative)), true)
        }
        'x' | 'X' => {
            let s = arg.to_string_value().unwrap_or_default();
            let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
            (if verb == 'X' { hex.to_uppercase() } else { hex }, false)
        }
        'f' | 'F' => {
            let n = number()?;
            let p = precision.unwrap_or(6);
            (format!("{}{:.p$}", sign(n < 0.0), n.abs()), true)
        }
        'e' | 'E' => {
            let n = number()?;
            let p = precision.unwrap_or(6);
            let text = format!("{:.p$e}", n.abs());
            // Rust writes `1.5e3`; Terraform (Go) writes `1.5e+03`.
            let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
            let exp: i32 = exp.parse().unwrap_or(0);
            let e = if verb == 'E' { 'E' } else { 'e' };
            let exp_sign = if exp < 0 { '-' } else { '+' };
            (
                format!("{}{mantissa}{e}{exp_sign}{:02}", sign(n < 0.0), exp.unsigned_abs()),
                true,
            )
        }
        'g' | 'G' => {
            let n = number()?;
            (format!("{}{}", sign(n < 0.0), format_number(n.abs())), true)
        }
        other => return Err(format!("unsupported verb %{other}")),
    })
}

/// A value as JSON (`%v` of a collection, `%#v`). Unknown values never get here.
fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null | Value::Unknown(_) => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => serde_json::Value::from(*n as i64),
        Value::Number(n) => serde_json::Number::from_f64(*n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Object(map) => serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::functions::tests::{n, s, span};

    fn fails(args: &[Value]) -> String {
        match format(args, &span()) {
            Ok(v) => panic!("format{args:?} = {v}, expected an error"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn format_applies_flags_width_and_precision() {
        let f = |spec: &str, args: &[Value]| {
            let mut all = vec![s(spec)];
            all.extend_from_slice(args);
            match format(&all, &span()) {
                Ok(Value::String(s)) => s,
                Ok(v) => panic!("{v}"),
                Err(e) => panic!("format({spec:?}): {}", e.message),
            }
        };
        assert_eq!(f("%d-%s", &[n(4.0), s("x")]), "4-x");
        assert_eq!(
            f("%03d|%-4d|%4d|%+d", &[n(7.0), n(7.0), n(-7.0), n(7.0)]),
            "007|7   |  -7|+7"
        );
        assert_eq!(f("%05d", &[n(-42.0)]), "-0042");
        assert_eq!(
            f("%.2f|%8.3f|%f", &[n(1.23456), n(2.5), n(1.0)]),
            "1.23|   2.500|1.000000"
        );
        assert_eq!(f("%e", &[n(1500.0)]), "1.500000e+03");
        assert_eq!(
            f("%.3s|%5s|%-5s|", &[s("abcdef"), s("ab"), s("ab")]),
            "abc|   ab|ab   |"
        );
        assert_eq!(
            f("%x %X %o %b %#x", &[n(255.0), n(255.0), n(8.0), n(5.0), n(255.0)]),
            "ff FF 10 101 0xff"
        );
        assert_eq!(
            f(
                "%t %q %v %v",
                &[Value::Bool(true), s("a\"b"), n(2.5), Value::list(vec![n(1.0), s("x")])]
            ),
            "true \"a\\\"b\" 2.5 [1,\"x\"]"
        );
        assert_eq!(f("%[2]s-%[1]s", &[s("a"), s("b")]), "b-a");
        assert_eq!(f("100%%", &[]), "100%");
        assert!(fails(&[s("%d"), n(1.5)]).contains("whole"));
        assert!(fails(&[s("%d")]).contains("not enough"));
        assert!(fails(&[s("%99999999999999999999999d"), n(1.0)]).contains("width"));
        assert!(fails(&[s("%.99999999999999999999f"), n(1.0)]).contains("width"));
        assert!(fails(&[s("%[0]d"), n(1.0)]).contains("index"));
        assert!(fails(&[s("%[9]d"), n(1.0)]).contains("not enough"));
        assert!(fails(&[s("%"), n(1.0)]).contains("incomplete"));
        assert!(fails(&[s("%y"), n(1.0)]).contains("verb"));
        // The widest allowed width works.
        assert_eq!(f("%4096d", &[n(1.0)]).len(), 4096);
        assert_eq!(f("%f", &[n(1e300)]).len(), 301 + 7);
    }
}

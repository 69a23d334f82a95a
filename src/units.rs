//! Sizes and percentages as users write them (`"240GB"`, `"1.5TiB"`, `"10%"`).

use std::fmt;

/// A data size in bytes. Decimal units (KB, MB, GB, TB) are powers of 10, as AWS quotes storage;
/// binary units (KiB, MiB, GiB, TiB) are powers of 2.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Bytes(pub f64);

pub const GB: f64 = 1e9;

impl Bytes {
    pub fn gb(self) -> f64 {
        self.0 / GB
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} GB", fmt_num(self.gb()))
    }
}

/// Formats a number with at most two decimals and no trailing zeros.
pub fn fmt_num(n: f64) -> String {
    if n.abs() >= 1e15 {
        return format!("{n:e}");
    }
    let s = format!("{:.2}", n);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UnitError {
    #[error("empty size: write a number and a unit, e.g. \"240GB\"")]
    Empty,
    #[error("\"{0}\" is not a size: write a number and a unit, e.g. \"240GB\" or \"1.5TiB\"")]
    NotANumber(String),
    #[error("unknown size unit \"{unit}\" in \"{text}\": use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB (any case)")]
    UnknownUnit { text: String, unit: String },
    #[error("size \"{0}\" is negative")]
    Negative(String),
    #[error("size \"{0}\" is too large (more than 1000 PB)")]
    TooLarge(String),
    #[error("\"{0}\" is not a percentage: write e.g. \"10%\"")]
    NotAPercentage(String),
    #[error("percentage \"{0}\" is out of range: use 0% to 1000%")]
    PercentageRange(String),
}

/// Parses `"240GB"`, `"240 GB"`, `"1.5TiB"`, `"512MiB"`, `"100B"`. A bare number is rejected:
/// a size without a unit is ambiguous.
pub fn parse_size(text: &str) -> Result<Bytes, UnitError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(UnitError::Empty);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit = unit.trim();
    let n: f64 = num.parse().map_err(|_| UnitError::NotANumber(text.to_string()))?;
    if !n.is_finite() {
        return Err(UnitError::NotANumber(text.to_string()));
    }
    if n < 0.0 {
        return Err(UnitError::Negative(text.to_string()));
    }
    // Units are case-insensitive: `240gb`, `1.5tib` and `512MiB` all mean what they say.
    // (Nobody sizes Flink state in bits, so `Gb` is read as gigabytes too.)
    let factor = match unit.to_ascii_lowercase().as_str() {
        "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024f64.powi(2),
        "gib" => 1024f64.powi(3),
        "tib" => 1024f64.powi(4),
        "" => {
            return Err(UnitError::UnknownUnit {
                text: text.to_string(),
                unit: "(none)".into(),
            })
        }
        _ => {
            return Err(UnitError::UnknownUnit {
                text: text.to_string(),
                unit: unit.to_string(),
            })
        }
    };
    let bytes = n * factor;
    if bytes > 1e18 {
        return Err(UnitError::TooLarge(text.to_string()));
    }
    Ok(Bytes(bytes))
}

/// Parses `"10%"` into the fraction 0.10.
pub fn parse_percentage(text: &str) -> Result<f64, UnitError> {
    let t = text.trim();
    let Some(num) = t.strip_suffix('%') else {
        return Err(UnitError::NotAPercentage(text.to_string()));
    };
    let n: f64 = num
        .trim()
        .parse()
        .map_err(|_| UnitError::NotAPercentage(text.to_string()))?;
    if !n.is_finite() || !(0.0..=1000.0).contains(&n) {
        return Err(UnitError::PercentageRange(text.to_string()));
    }
    Ok(n / 100.0)
}

/// A number for JSON: whole numbers print without a fraction (`24`, not `24.0`); a value
/// that is not finite is `null`.
pub fn json_number(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 9e15 {
        serde_json::Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("240GB").unwrap().gb(), 240.0);
        assert_eq!(parse_size("240 GB").unwrap().gb(), 240.0);
        assert_eq!(parse_size("1TB").unwrap().gb(), 1000.0);
        assert_eq!(parse_size("1GiB").unwrap().0, 1073741824.0);
        assert_eq!(parse_size("1.5TiB").unwrap().0, 1.5 * 1024f64.powi(4));
        assert_eq!(parse_size("512MB").unwrap().gb(), 0.512);
        assert_eq!(parse_size("240gb").unwrap().gb(), 240.0);
        assert_eq!(parse_size("1tib").unwrap().0, 1024f64.powi(4));
        assert_eq!(parse_size("2 Gib").unwrap().0, 2.0 * 1024f64.powi(3));
        assert!(matches!(parse_size("240"), Err(UnitError::UnknownUnit { .. })));
        assert!(matches!(parse_size("240XB"), Err(UnitError::UnknownUnit { .. })));
        assert!(matches!(parse_size("lots"), Err(UnitError::NotANumber(_))));
        assert!(matches!(parse_size("-1GB"), Err(UnitError::Negative(_))));
        assert!(matches!(
            parse_size("1e30GB"),
            Err(UnitError::NotANumber(_)) | Err(UnitError::UnknownUnit { .. }) | Err(UnitError::TooLarge(_))
        ));
        assert!(matches!(parse_size("9999999999TB"), Err(UnitError::TooLarge(_))));
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percentage("10%").unwrap(), 0.1);
        assert_eq!(parse_percentage(" 12.5 % ").unwrap(), 0.125);
        assert!(parse_percentage("10").is_err());
        assert!(parse_percentage("-5%").is_err());
        assert!(parse_percentage("abc%").is_err());
    }

    #[test]
    fn number_formatting() {
        assert_eq!(fmt_num(1103.9), "1103.9");
        assert_eq!(fmt_num(85.3), "85.3");
        assert_eq!(fmt_num(240.0), "240");
        assert_eq!(fmt_num(0.005), "0.01");
    }
}

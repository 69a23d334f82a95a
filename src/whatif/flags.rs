//! The scenario flags of `kpulint what-if`: `--flag [ADDR=]VALUE`, each value checked before any
//! file is read.

use crate::analysis::{self, MAX_PLAUSIBLE_PARALLELISM};
use crate::config::MAX_DECLARED_COUNT;
use crate::identity::Selector;
use crate::sizing;
use crate::source::{SourceFile, Span};
use crate::units::{parse_percentage, parse_size, Bytes};

/// The scenario flags, in the order their effects are applied to one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagKind {
    StateSize,
    StateScale,
    RequiredParallelism,
    Parallelism,
    ParallelismPerKpu,
    AutoScaling,
    Region,
    TargetMargin,
}

impl FlagKind {
    pub fn flag(self) -> &'static str {
        match self {
            FlagKind::StateSize => "--state-size",
            FlagKind::StateScale => "--state-scale",
            FlagKind::RequiredParallelism => "--required-parallelism",
            FlagKind::Parallelism => "--parallelism",
            FlagKind::ParallelismPerKpu => "--parallelism-per-kpu",
            FlagKind::AutoScaling => "--autoscaling",
            FlagKind::Region => "--region",
            FlagKind::TargetMargin => "--target-margin",
        }
    }
}

/// One parsed value of a scenario flag.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    StateSize(Bytes),
    /// A factor on the state size (`0.24`: −76 %).
    StateScale(f64),
    RequiredParallelism(u64),
    Parallelism(u64),
    ParallelismPerKpu(u64),
    AutoScaling(bool),
    Region(String),
    /// A fraction (`0.1` for `10%`).
    TargetMargin(f64),
}

/// A scenario flag's value that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{flag} {given}: {message}")]
pub struct FlagError {
    pub flag: &'static str,
    pub given: String,
    pub message: String,
}

/// One `--flag [ADDR=]VALUE` as given.
#[derive(Debug, Clone)]
pub struct Flag {
    pub kind: FlagKind,
    /// The text after the flag, as given.
    pub given: String,
    /// The address or glob before `=` (`ROOT:ADDRESS` for one root's instance); `None`: every
    /// application.
    pub target: Option<String>,
    /// The value after the target, as given.
    pub value: String,
    selector: Option<Selector>,
    pub change: Change,
    /// Where a declaration the flag replaces points to (the flag itself).
    pub(super) span: Span,
}

impl Flag {
    /// Parses `[ADDR=]VALUE`. Values never contain `=`, so the last `=` separates the target.
    pub fn parse(kind: FlagKind, given: &str) -> Result<Flag, FlagError> {
        let err = |message: String| FlagError {
            flag: kind.flag(),
            given: given.to_string(),
            message,
        };
        let (target, value) = match given.rsplit_once('=') {
            Some((t, _)) if t.trim().is_empty() => return Err(err("the address before `=` is empty".into())),
            Some((t, v)) => (Some(t.trim().to_string()), v.trim()),
            None => (None, given.trim()),
        };
        let change = parse_value(kind, value).map_err(err)?;
        // Brackets match themselves (`module.x["prod"].*`): addresses hold them. A glob that
        // does not compile is no glob: only the exact text then matches.
        let selector = target.as_deref().and_then(|t| Selector::parse(t).ok());
        let file = SourceFile::new(format!("{} {given}", kind.flag()), given.to_string());
        Ok(Flag {
            kind,
            given: given.to_string(),
            target,
            value: value.to_string(),
            selector,
            change,
            span: file.span(0..file.text.len()),
        })
    }

    /// Whether the flag applies to the instance of `address` reached from `root`.
    pub fn applies_to(&self, root: &str, address: &str) -> bool {
        match &self.target {
            None => true,
            Some(t) => t == address || self.selector.as_ref().is_some_and(|s| s.matches(root, address)),
        }
    }
}

fn whole_in(value: &str, max: u64) -> Result<u64, String> {
    value
        .parse::<f64>()
        .ok()
        .and_then(|n| analysis::whole(n, max as f64))
        .ok_or_else(|| format!("\"{value}\" is not a whole number from 1 to {max}"))
}

fn parse_value(kind: FlagKind, value: &str) -> Result<Change, String> {
    Ok(match kind {
        FlagKind::StateSize => Change::StateSize(parse_size(value).map_err(|e| e.to_string())?),
        FlagKind::StateScale => {
            let factor = match value.strip_suffix('%') {
                Some(_) => parse_percentage(value).map_err(|e| e.to_string())?,
                None => value.parse::<f64>().map_err(|_| {
                    format!("\"{value}\" is not a factor: write e.g. 0.24 (or 24%) for a quarter of the state")
                })?,
            };
            if !factor.is_finite() || !(0.0..=1000.0).contains(&factor) {
                return Err(format!("factor \"{value}\" is out of range: use 0 to 1000"));
            }
            Change::StateScale(factor)
        }
        FlagKind::RequiredParallelism => Change::RequiredParallelism(whole_in(value, MAX_DECLARED_COUNT)?),
        FlagKind::Parallelism => Change::Parallelism(whole_in(value, MAX_PLAUSIBLE_PARALLELISM as u64)?),
        FlagKind::ParallelismPerKpu => Change::ParallelismPerKpu(whole_in(value, sizing::MAX_PARALLELISM_PER_KPU)?),
        FlagKind::AutoScaling => Change::AutoScaling(match value.to_ascii_lowercase().as_str() {
            "on" | "true" => true,
            "off" | "false" => false,
            _ => return Err(format!("\"{value}\" is not on or off")),
        }),
        FlagKind::Region => {
            let ok = !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !ok {
                return Err(format!("\"{value}\" is not a region name such as eu-west-2"));
            }
            Change::Region(value.to_string())
        }
        FlagKind::TargetMargin => Change::TargetMargin(parse_percentage(value).map_err(|e| e.to_string())?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(kind: FlagKind, s: &str) -> Result<Change, FlagError> {
        Flag::parse(kind, s).map(|f| f.change)
    }

    #[test]
    fn flag_values() {
        assert_eq!(
            parse(FlagKind::StateSize, "56GB").unwrap(),
            Change::StateSize(Bytes(56e9))
        );
        assert_eq!(parse(FlagKind::StateScale, "0.24").unwrap(), Change::StateScale(0.24));
        assert_eq!(parse(FlagKind::StateScale, "24%").unwrap(), Change::StateScale(0.24));
        assert_eq!(parse(FlagKind::TargetMargin, "10%").unwrap(), Change::TargetMargin(0.1));
        assert_eq!(parse(FlagKind::AutoScaling, "OFF").unwrap(), Change::AutoScaling(false));
        assert_eq!(
            parse(FlagKind::ParallelismPerKpu, "8").unwrap(),
            Change::ParallelismPerKpu(8)
        );
        for (kind, bad) in [
            (FlagKind::StateSize, "56"),
            (FlagKind::StateScale, "-1"),
            (FlagKind::StateScale, "lots"),
            (FlagKind::StateScale, "inf"),
            (FlagKind::TargetMargin, "10"),
            (FlagKind::ParallelismPerKpu, "9"),
            (FlagKind::Parallelism, "0"),
            (FlagKind::Parallelism, "2.5"),
            (FlagKind::RequiredParallelism, "x"),
            (FlagKind::AutoScaling, "maybe"),
            (FlagKind::Region, "EU West"),
            (FlagKind::StateSize, "=56GB"),
        ] {
            assert!(parse(kind, bad).is_err(), "{bad} accepted for {kind:?}");
        }
        let e = Flag::parse(FlagKind::StateSize, "module.a=lots").unwrap_err();
        assert_eq!(
            e.to_string(),
            "--state-size module.a=lots: \"lots\" is not a size: write a number and a unit, e.g. \"240GB\" or \"1.5TiB\""
        );
    }

    #[test]
    fn targets() {
        let all = Flag::parse(FlagKind::StateScale, "0.5").unwrap();
        assert!(all.target.is_none() && all.applies_to(".", "anything"));
        let glob = Flag::parse(FlagKind::StateScale, "module.orders*=0.24").unwrap();
        assert_eq!(glob.target.as_deref(), Some("module.orders*"));
        assert!(glob.applies_to(".", "module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this"));
        assert!(!glob.applies_to(".", "aws_kinesisanalyticsv2_application.orders"));
        let exact = Flag::parse(
            FlagKind::Parallelism,
            "module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this=4",
        )
        .unwrap();
        assert!(exact.applies_to(".", "module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this"));
        assert!(!exact.applies_to(".", "module.orders[\"dev\"].aws_kinesisanalyticsv2_application.this"));
        // Brackets in a glob match themselves, not a character class.
        let glob = Flag::parse(FlagKind::StateScale, "module.orders[\"prod\"].*=0.5").unwrap();
        assert!(glob.applies_to(".", "module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this"));
        assert!(!glob.applies_to(".", "module.orders[\"dev\"].aws_kinesisanalyticsv2_application.this"));
        assert!(!glob.applies_to(".", "module.orderspx.aws_kinesisanalyticsv2_application.this"));
        let glob = Flag::parse(FlagKind::StateScale, "*[0]=0.5").unwrap();
        assert!(glob.applies_to(".", "aws_kinesisanalyticsv2_application.app[0]"));
        assert!(!glob.applies_to(".", "aws_kinesisanalyticsv2_application.app0"));
        // ROOT:ADDRESS selects one root's instance; a bare address every root's.
        let app = "module.kda_flink.aws_kinesisanalyticsv2_application.this";
        let prod = Flag::parse(FlagKind::StateSize, "envs/prod:module.kda_flink.*=100GB").unwrap();
        assert_eq!(prod.target.as_deref(), Some("envs/prod:module.kda_flink.*"));
        assert_eq!(prod.change, Change::StateSize(Bytes(100e9)));
        assert!(prod.applies_to("envs/prod", app) && !prod.applies_to("envs/dev", app));
        let both = Flag::parse(FlagKind::StateSize, "module.kda_flink.*=100GB").unwrap();
        assert!(both.applies_to("envs/prod", app) && both.applies_to("envs/dev", app));
    }
}

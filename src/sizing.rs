//! Pure KPU arithmetic (fact sheet §1–§5). No I/O, no model lookups: numbers in, numbers out.

use crate::config::Prices;

/// GB of running application storage that come with each KPU \[A2\].
pub const STORAGE_GB_PER_KPU: u64 = 50;
/// Hours in a billing month, as AWS's and infracost's monthly figures use \[I3\]; the default of
/// the `hours_per_month` setting.
pub const HOURS_PER_MONTH: f64 = 730.0;
/// Flink's lower bound for a derived max parallelism (`DEFAULT_LOWER_BOUND_MAX_PARALLELISM`) \[F3\].
pub const DERIVED_MAX_PARALLELISM_FLOOR: u64 = 128;
/// Flink's upper bound for max parallelism (`UPPER_BOUND_MAX_PARALLELISM = 1 << 15`) \[F3\].
pub const MAX_PARALLELISM_UPPER_BOUND: u64 = 1 << 15;
/// Documented maximum `parallelism_per_kpu` \[A2\].
pub const MAX_PARALLELISM_PER_KPU: u64 = 8;

/// us-east-1 prices \[P1\], \[P2\].
pub const US_EAST_1: Prices = Prices {
    kpu_hour_usd: 0.11,
    running_storage_gb_month_usd: 0.10,
};
/// eu-west-2, derived from infracost's golden file \[I2\]: $92.71 / 730 h, $58.00 / 500 GB.
pub const EU_WEST_2: Prices = Prices {
    kpu_hour_usd: 0.127,
    running_storage_gb_month_usd: 0.116,
};

/// Built-in prices for a region, if kpulint has them.
pub fn builtin_prices(region: &str) -> Option<Prices> {
    match region {
        "us-east-1" => Some(US_EAST_1),
        "eu-west-2" => Some(EU_WEST_2),
        _ => None,
    }
}

/// The kind of application, which decides the orchestration overhead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppKind {
    /// Flink streaming application: 1 orchestration KPU \[A4\].
    Flink,
    /// Studio notebook (`ZEPPELIN-FLINK-*`): 2 extra KPUs \[P1\], \[P2\].
    Studio,
    /// `SQL-1_0`: no Flink parallelism; never sized.
    Sql,
}

pub fn app_kind(runtime_environment: &str) -> AppKind {
    let r = runtime_environment.to_ascii_uppercase();
    if r.starts_with("ZEPPELIN") {
        AppKind::Studio
    } else if r.starts_with("SQL") {
        AppKind::Sql
    } else {
        AppKind::Flink
    }
}

/// Parallelism settings the service actually applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effective {
    pub parallelism: u64,
    pub parallelism_per_kpu: u64,
    pub auto_scaling: bool,
}

/// What the service uses for `configuration_type = DEFAULT` or a missing block \[A6\], \[T3\].
pub const SERVICE_DEFAULT: Effective = Effective {
    parallelism: 1,
    parallelism_per_kpu: 1,
    auto_scaling: true,
};

/// `ceil(parallelism / parallelism_per_kpu)`: slots come in whole KPUs (fact sheet §1, INFERENCE).
pub fn kpus(parallelism: u64, parallelism_per_kpu: u64) -> u64 {
    parallelism.div_ceil(parallelism_per_kpu.max(1))
}

/// KPUs billed: allocated plus orchestration (1 for Flink, 2 for Studio) \[A4\], \[P2\].
pub fn billed_kpus(kpus: u64, kind: AppKind) -> u64 {
    kpus + if kind == AppKind::Studio { 2 } else { 1 }
}

/// 50 GB per allocated KPU; orchestration KPUs add none \[P2\], \[I1\].
pub fn running_storage_gb(kpus: u64) -> u64 {
    kpus * STORAGE_GB_PER_KPU
}

/// A month of an application's bill, by what it pays for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthlyCost {
    /// KPU-hours of the allocated KPUs.
    pub kpu_usd: f64,
    /// KPU-hours of the orchestration KPU(s).
    pub orchestration_usd: f64,
    /// Running application storage (50 GB per allocated KPU).
    pub running_storage_usd: f64,
    /// The sum, rounded once (so it can differ from the rounded parts' sum by a cent).
    pub total_usd: f64,
}

/// Monthly cost of `kpus` allocated KPUs, `billed_kpus` billed and their running storage.
pub fn monthly_cost(kpus: u64, billed_kpus: u64, prices: &Prices, hours_per_month: f64) -> MonthlyCost {
    let kpu_hour = hours_per_month * prices.kpu_hour_usd;
    let allocated = kpus as f64 * kpu_hour;
    let orchestration = billed_kpus.saturating_sub(kpus) as f64 * kpu_hour;
    let storage = running_storage_gb(kpus) as f64 * prices.running_storage_gb_month_usd;
    MonthlyCost {
        kpu_usd: round_cents(allocated),
        orchestration_usd: round_cents(orchestration),
        running_storage_usd: round_cents(storage),
        total_usd: round_cents(allocated + orchestration + storage),
    }
}

/// Monthly cost of billed KPUs and their running storage.
pub fn monthly_cost_usd(billed_kpus: u64, storage_gb: u64, prices: &Prices, hours_per_month: f64) -> f64 {
    round_cents(
        billed_kpus as f64 * hours_per_month * prices.kpu_hour_usd
            + storage_gb as f64 * prices.running_storage_gb_month_usd,
    )
}

/// What one more allocated KPU costs per month: its KPU-hours and its 50 GB of storage.
pub fn kpu_month_usd(prices: &Prices, hours_per_month: f64) -> f64 {
    round_cents(hours_per_month * prices.kpu_hour_usd + STORAGE_GB_PER_KPU as f64 * prices.running_storage_gb_month_usd)
}

/// What the vCPU and memory of `n` KPUs cost per month (their storage excluded).
pub fn compute_month_usd(n: u64, prices: &Prices, hours_per_month: f64) -> f64 {
    round_cents(n as f64 * hours_per_month * prices.kpu_hour_usd)
}

pub fn round_cents(usd: f64) -> f64 {
    (usd * 100.0).round() / 100.0
}

/// KPUs whose disk holds `state_gb × storage_factor` (fact sheet §9):
/// `ceil(state_gb × storage_factor / 50)`, so no state needs no KPU of disk (an application
/// still runs on at least one KPU).
pub fn storage_kpus(state_gb: f64, storage_factor: f64) -> u64 {
    let needed_gb = state_gb * storage_factor;
    if needed_gb.is_nan() || needed_gb <= 0.0 {
        return 0;
    }
    // Guard against float noise: 480.0000001 GB must not buy an extra KPU.
    let k = (needed_gb / STORAGE_GB_PER_KPU as f64 - 1e-9).ceil();
    if k < 1.0 {
        1
    } else if k > u64::MAX as f64 / 2.0 {
        u64::MAX / 2
    } else {
        k as u64
    }
}

/// KPUs a compute need takes at `parallelism_per_kpu` with `margin` on top: the larger of
/// the KPUs whose slots run the required parallelism and the required KPUs; `None` when
/// neither is declared (never 0).
pub fn compute_kpus(
    required_parallelism: Option<u64>,
    required_kpus: Option<u64>,
    parallelism_per_kpu: u64,
    margin: f64,
) -> Option<u64> {
    let from_parallelism = required_parallelism.map(|r| kpus(with_margin(r, margin), parallelism_per_kpu));
    let direct = required_kpus.map(|r| with_margin(r, margin));
    match (from_parallelism, direct) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0).max(b.unwrap_or(0))),
    }
}

/// Autoscaling never goes below the configured parallelism \[A3\] and never above
/// `parallelism_per_kpu × kpu_quota` \[A6\].
pub fn autoscale_ceiling_parallelism(parallelism_per_kpu: u64, kpu_quota: u64) -> u64 {
    parallelism_per_kpu.saturating_mul(kpu_quota)
}

/// Minutes a scale event spends on snapshot and restore at the given rate.
pub fn rescale_minutes(state_gb: f64, gb_per_minute: f64) -> f64 {
    state_gb / gb_per_minute
}

/// Flink's default max parallelism for an operator of parallelism `p`:
/// `min(max(roundUpToPowerOfTwo(p + p/2), 128), 32768)` \[F3\]. Keyed state can never be rescaled
/// above it \[F1\].
pub fn derived_max_parallelism(parallelism: u64) -> u64 {
    let wanted = parallelism.saturating_add(parallelism / 2);
    let pow2 = wanted.checked_next_power_of_two().unwrap_or(u64::MAX);
    pow2.clamp(DERIVED_MAX_PARALLELISM_FLOOR, MAX_PARALLELISM_UPPER_BOUND)
}

/// The parallelism after the first autoscaling scale-up: doubled \[A3\], capped at the
/// autoscaling ceiling \[A6\].
pub fn first_scale_up_parallelism(parallelism: u64, ceiling_parallelism: u64) -> u64 {
    parallelism.saturating_mul(2).min(ceiling_parallelism)
}

/// `need × (1 + margin)`, rounded up to a whole number (float noise does not add one).
pub fn with_margin(need: u64, margin: f64) -> u64 {
    let v = (need as f64 * (1.0 + margin) - 1e-9).ceil();
    if v < need as f64 {
        need
    } else if v >= u64::MAX as f64 / 2.0 {
        u64::MAX / 2
    } else {
        v as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpu_math() {
        assert_eq!(kpus(1, 1), 1);
        assert_eq!(kpus(10, 4), 3); // Terraform docs example: 2.5 rounds up
        assert_eq!(kpus(24, 2), 12);
        assert_eq!(kpus(12, 1), 12);
        assert_eq!(kpus(65, 1), 65);
        assert_eq!(billed_kpus(12, AppKind::Flink), 13);
        assert_eq!(billed_kpus(4, AppKind::Studio), 6);
        assert_eq!(running_storage_gb(12), 600);
    }

    #[test]
    fn cost_matches_issue_example() {
        // kpus 12, billed 13, 600 GB: 13 × 730 × 0.11 + 600 × 0.10 = 1043.90 + 60 = 1103.90
        assert_eq!(monthly_cost_usd(13, 600, &US_EAST_1, HOURS_PER_MONTH), 1103.9);
        assert_eq!(kpu_month_usd(&US_EAST_1, HOURS_PER_MONTH), 85.3);
        assert_eq!(compute_month_usd(6, &US_EAST_1, HOURS_PER_MONTH), 481.8);
        let c = monthly_cost(12, 13, &US_EAST_1, HOURS_PER_MONTH);
        assert_eq!(
            (c.kpu_usd, c.orchestration_usd, c.running_storage_usd, c.total_usd),
            (963.6, 80.3, 60.0, 1103.9)
        );
        // hours_per_month is a setting: 720 h (30 days) as in the AWS pricing examples.
        assert_eq!(monthly_cost(4, 6, &US_EAST_1, 720.0).total_usd, 495.2);
    }

    #[test]
    fn cost_matches_infracost_eu_west_2() {
        // infracost golden: 10 stream KPUs $927.10, 1 orchestration $92.71, 500 GB $58.00.
        let p = EU_WEST_2;
        assert_eq!(round_cents(10.0 * HOURS_PER_MONTH * p.kpu_hour_usd), 927.1);
        assert_eq!(round_cents(HOURS_PER_MONTH * p.kpu_hour_usd), 92.71);
        assert_eq!(round_cents(500.0 * p.running_storage_gb_month_usd), 58.0);
    }

    #[test]
    fn aws_pricing_page_studio_example() {
        // 4 KPUs + 2 for the notebook, 30 × 24 h, 200 GB storage ≈ $495.20 [P2].
        let kpu = 6.0 * 720.0 * US_EAST_1.kpu_hour_usd;
        let storage = 200.0 * US_EAST_1.running_storage_gb_month_usd;
        assert_eq!(round_cents(kpu + storage), 495.2);
    }

    #[test]
    fn storage_kpus_round_up_without_float_noise() {
        assert_eq!(storage_kpus(240.0, 2.0), 10);
        assert_eq!(storage_kpus(240.1, 2.0), 10);
        assert_eq!(storage_kpus(250.0, 2.0), 10);
        assert_eq!(storage_kpus(250.1, 2.0), 11);
        assert_eq!(storage_kpus(0.0, 2.0), 0);
        assert_eq!(storage_kpus(0.000_001, 2.0), 1);
        assert_eq!(storage_kpus(25.0, 2.0), 1);
        assert_eq!(compute_kpus(Some(13), None, 2, 0.0), Some(7));
        assert_eq!(compute_kpus(Some(13), Some(9), 2, 0.0), Some(9));
        assert_eq!(compute_kpus(None, None, 2, 0.0), None);
        assert_eq!(compute_kpus(Some(10), None, 1, 0.2), Some(12));
    }

    #[test]
    fn runtime_kinds() {
        assert_eq!(app_kind("FLINK-1_20"), AppKind::Flink);
        assert_eq!(app_kind("ZEPPELIN-FLINK-2_0"), AppKind::Studio);
        assert_eq!(app_kind("SQL-1_0"), AppKind::Sql);
        assert_eq!(autoscale_ceiling_parallelism(2, 64), 128);
        assert_eq!(rescale_minutes(240.0, 20.0), 12.0);
    }

    #[test]
    fn flink_derived_max_parallelism() {
        assert_eq!(derived_max_parallelism(1), 128);
        assert_eq!(derived_max_parallelism(85), 128); // 85 + 42 = 127
        assert_eq!(derived_max_parallelism(86), 256); // 86 + 43 = 129
        assert_eq!(derived_max_parallelism(171), 256); // 171 + 85 = 256
        assert_eq!(derived_max_parallelism(172), 512); // 172 + 86 = 258
        assert_eq!(derived_max_parallelism(30_000), 32_768);
        assert_eq!(derived_max_parallelism(u64::MAX), 32_768);
        assert_eq!(first_scale_up_parallelism(10, 64), 20);
        assert_eq!(first_scale_up_parallelism(40, 64), 64);
    }

    #[test]
    fn margins_round_up_without_noise() {
        assert_eq!(with_margin(10, 0.0), 10);
        assert_eq!(with_margin(10, 0.1), 11);
        assert_eq!(with_margin(24, 0.2), 29); // 28.8
        assert_eq!(with_margin(7, 0.15), 9); // 8.05
        assert_eq!(with_margin(20, 0.1), 22);
    }
}

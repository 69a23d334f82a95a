//! Where the recommendation's slots go: the parallelism and `parallelism_per_kpu` that meet the
//! needs with the fewest KPUs, within the job's max parallelism and the KPU quota. Pure
//! arithmetic over whole numbers.

/// What a configuration must provide (margins applied, already capped at max parallelism).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Needs {
    /// KPUs whose disk holds the state.
    pub storage_kpus: Option<u64>,
    /// Slots (parallelism).
    pub parallelism: Option<u64>,
    /// KPUs (vCPUs).
    pub kpus: Option<u64>,
}

impl Needs {
    /// KPUs the needs take at `ppk` slots per KPU (at least one).
    pub fn kpus_at(&self, ppk: u64) -> u64 {
        let for_slots = self.parallelism.map_or(0, |p| p.div_ceil(ppk.max(1)));
        self.storage_kpus
            .unwrap_or(0)
            .max(for_slots)
            .max(self.kpus.unwrap_or(0))
            .max(1)
    }
}

/// A parallelism and `parallelism_per_kpu`, with the KPUs they buy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Layout {
    pub parallelism: u64,
    pub ppk: u64,
    pub kpus: u64,
}

impl Layout {
    pub fn new(parallelism: u64, ppk: u64) -> Layout {
        Layout {
            parallelism,
            ppk,
            kpus: crate::sizing::kpus(parallelism, ppk),
        }
    }

    /// Slots of the last KPU that are paid for and idle (KPU006).
    pub fn idle_slots(&self) -> u64 {
        self.kpus.saturating_mul(self.ppk).saturating_sub(self.parallelism)
    }
}

/// What bounds a layout.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    /// The job's declared max parallelism: no parallelism above it.
    pub max_parallelism: Option<u64>,
    pub kpu_quota: u64,
    /// The most slots per KPU this layout may use (raising it needs confirmation).
    pub max_ppk: u64,
}

/// The needs laid out at `ppk` slots per KPU: the last KPU's slots filled when that stays within
/// the max parallelism, else the max parallelism itself when it still buys the KPUs the needs
/// take (some slots of the last KPU then stay idle); `None` when the max parallelism cannot hold
/// the KPUs.
fn fit(needs: &Needs, ppk: u64, max_parallelism: Option<u64>) -> Option<Layout> {
    let kpus = needs.kpus_at(ppk);
    let filled = kpus.saturating_mul(ppk);
    match max_parallelism {
        Some(max) if filled > max => {
            let lowest = (kpus - 1)
                .saturating_mul(ppk)
                .saturating_add(1)
                .max(needs.parallelism.unwrap_or(0));
            (lowest <= max).then_some(Layout {
                parallelism: max,
                ppk,
                kpus,
            })
        }
        _ => Some(Layout {
            parallelism: filled,
            ppk,
            kpus,
        }),
    }
}

/// The layout of `needs`:
/// - at the written `parallelism_per_kpu`, when its slots are filled within the limits;
/// - else, when the quota is what it passes, the fewest slots per KPU above it that fit the
///   quota (filled slots first);
/// - else (the max parallelism, or a quota no density meets): at most the written slots per KPU,
///   the fewest KPUs, filled slots first, then the most slots per KPU. Lowering
///   `parallelism_per_kpu` never goes below what the quota allows, unless nothing fits the quota
///   (the advice is then a quota increase).
///
/// `None` when no layout fits the max parallelism.
pub(super) fn layout(needs: &Needs, limits: &Limits, written_ppk: u64) -> Option<Layout> {
    let fits = |ppk: u64| fit(needs, ppk, limits.max_parallelism);
    let in_quota = |l: &Layout| l.kpus <= limits.kpu_quota;
    if let Some(l) = fits(written_ppk).filter(|l| l.idle_slots() == 0 && in_quota(l)) {
        return Some(l);
    }
    if needs.kpus_at(written_ppk) > limits.kpu_quota {
        let denser: Vec<Layout> = (written_ppk + 1..=limits.max_ppk)
            .filter_map(fits)
            .filter(in_quota)
            .collect();
        if let Some(l) = denser.iter().find(|l| l.idle_slots() == 0).or(denser.first()) {
            return Some(*l);
        }
    }
    let sparser: Vec<Layout> = (1..=written_ppk.max(1)).filter_map(fits).collect();
    let quota_met = sparser.iter().any(in_quota);
    sparser
        .into_iter()
        .filter(|l| !quota_met || in_quota(l))
        .min_by_key(|l| (l.kpus, l.idle_slots() > 0, std::cmp::Reverse(l.ppk)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_parallelism: Option<u64>) -> Limits {
        Limits {
            max_parallelism,
            kpu_quota: 64,
            max_ppk: 8,
        }
    }

    fn at(l: Option<Layout>) -> Option<(u64, u64, u64)> {
        l.map(|l| (l.parallelism, l.ppk, l.kpus))
    }

    #[test]
    fn the_written_density_when_it_fits() {
        let needs = Needs {
            storage_kpus: Some(10),
            parallelism: Some(4),
            kpus: None,
        };
        assert_eq!(at(layout(&needs, &limits(None), 1)), Some((10, 1, 10)));
        assert_eq!(at(layout(&needs, &limits(None), 2)), Some((20, 2, 10)));
    }

    #[test]
    fn fewer_slots_per_kpu_to_fit_the_max_parallelism() {
        // 20 KPUs at 8 per KPU is parallelism 160 > 128; 6 per KPU gives 120 with the same KPUs.
        let needs = Needs {
            kpus: Some(20),
            ..Needs::default()
        };
        assert_eq!(at(layout(&needs, &limits(Some(128)), 8)), Some((120, 6, 20)));
        // 61 KPUs at 2 per KPU is 122 > 101: 1 per KPU keeps them.
        let needs = Needs {
            kpus: Some(61),
            ..Needs::default()
        };
        assert_eq!(at(layout(&needs, &limits(Some(101)), 2)), Some((61, 1, 61)));
    }

    #[test]
    fn idle_slots_only_when_a_filled_layout_costs_more() {
        // Required parallelism 153 at 8 per KPU: 20 KPUs, filled 160 > 155. At 7 per KPU 22 KPUs
        // fill 154: the cap's 155 at 8 per KPU (20 KPUs, 5 idle slots) costs less.
        let needs = Needs {
            parallelism: Some(153),
            ..Needs::default()
        };
        let l = Limits {
            kpu_quota: 100,
            ..limits(Some(155))
        };
        assert_eq!(at(layout(&needs, &l, 8)), Some((155, 8, 20)));
    }

    #[test]
    fn the_quota_raises_the_density_and_a_need_beyond_it_keeps_it() {
        let needs = Needs {
            parallelism: Some(100),
            ..Needs::default()
        };
        assert_eq!(at(layout(&needs, &limits(None), 1)), Some((100, 2, 50)));
        // Denser is not allowed: a quota increase at the written density.
        let l = Limits {
            max_ppk: 1,
            ..limits(None)
        };
        assert_eq!(at(layout(&needs, &l, 1)), Some((100, 1, 100)));
        // Storage is not dense: 80 KPUs at any density.
        let needs = Needs {
            storage_kpus: Some(80),
            ..Needs::default()
        };
        assert_eq!(at(layout(&needs, &limits(None), 1)), Some((80, 1, 80)));
    }

    #[test]
    fn nothing_fits_below_the_needs() {
        let needs = Needs {
            parallelism: Some(150),
            ..Needs::default()
        };
        assert_eq!(at(layout(&needs, &limits(Some(128)), 1)), None);
    }
}

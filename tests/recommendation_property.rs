//! The recommendation at its edges, over generated configurations: max parallelism (declared,
//! or Flink's derived default), autoscaling, `parallelism_per_kpu`, state and needs generated
//! together. For each, the safe part and the whole are applied (written into the resource and
//! linted again, through the library) and checked:
//! - the needs are met and the declared max parallelism respected, unless no configuration
//!   meets them within it, and then KPU016 names the conflict (and only then);
//! - no KPU012, KPU006, KPU011 or KPU003 remains that the applied part could have avoided;
//! - the safe part needs no confirmation and is a fixed point; the whole is a fixed point.
//!
//! A seeded generator, so every run checks the same cases.

mod hcl_support;

use hcl_support::{declaration, flink_app, Rng};
use kpulint::recommend::Recommendation;

#[derive(Debug, Clone)]
struct Case {
    /// `configuration_type = "CUSTOM"`; under DEFAULT the service runs 1, 1, autoscaling on.
    custom: bool,
    parallelism: u64,
    per_kpu: u64,
    autoscaling: bool,
    state_gb: Option<u64>,
    required_parallelism: Option<u64>,
    required_kpus: Option<u64>,
    max_parallelism: Option<u64>,
}

impl Case {
    fn generate(rng: &mut Rng) -> Case {
        Case {
            custom: !rng.one_in(8),
            parallelism: rng.range(1, 256),
            per_kpu: rng.range(1, 8),
            autoscaling: rng.one_in(2),
            state_gb: (!rng.one_in(3)).then(|| rng.range(0, 2000)),
            required_parallelism: rng.one_in(2).then(|| rng.range(1, 300)),
            required_kpus: rng.one_in(4).then(|| rng.range(1, 80)),
            // Undeclared (Flink derives it) a third of the time.
            max_parallelism: (!rng.one_in(3)).then(|| match rng.range(0, 3) {
                0 => 128,
                1 => rng.range(1, 64),
                _ => rng.range(64, 400),
            }),
        }
    }

    fn decl(&self) -> String {
        declaration(
            self.state_gb,
            self.required_parallelism,
            self.required_kpus,
            self.max_parallelism,
        )
    }

    /// What the service runs: parallelism, per KPU.
    fn effective(&self) -> (u64, u64) {
        if self.custom {
            (self.parallelism, self.per_kpu)
        } else {
            (1, 1)
        }
    }

    fn storage_kpus(&self) -> Option<u64> {
        self.state_gb.map(|gb| {
            if gb == 0 {
                0
            } else {
                (gb as f64 * 2.0 / 50.0 - 1e-9).ceil() as u64
            }
        })
    }

    fn compute_declared(&self) -> bool {
        self.required_parallelism.is_some() || self.required_kpus.is_some()
    }

    fn above_cap(&self, need: Option<u64>) -> bool {
        matches!((need, self.max_parallelism), (Some(n), Some(m)) if n > m)
    }

    /// A compute need is declared and fits the max parallelism (at one slot per KPU).
    fn compute_usable(&self) -> bool {
        self.compute_declared() && !self.above_cap(self.required_parallelism) && !self.above_cap(self.required_kpus)
    }

    /// A state size is declared and its KPUs fit the max parallelism.
    fn storage_usable(&self) -> bool {
        self.state_gb.is_some() && !self.above_cap(self.storage_kpus())
    }

    /// Whether `p` at `ppk` meets every declared need.
    fn met(&self, p: u64, ppk: u64) -> bool {
        let kpus = p.div_ceil(ppk);
        self.storage_kpus().is_none_or(|s| kpus >= s)
            && self.required_parallelism.is_none_or(|r| p >= r)
            && self.required_kpus.is_none_or(|r| kpus >= r)
    }

    /// Some parallelism and `parallelism_per_kpu` meet every need within the declared max
    /// parallelism (by search, not by formula).
    fn configuration_exists(&self) -> bool {
        let Some(max) = self.max_parallelism else { return true };
        (1..=max).any(|p| (1..=8).any(|k| self.met(p, k)))
    }
}

struct Linted {
    outcome: kpulint::run::Outcome,
}

impl Linted {
    fn rules(&self) -> Vec<&'static str> {
        self.outcome
            .findings
            .iter()
            .filter(|f| f.suppressed.is_none())
            .map(|f| f.rule.id)
            .collect()
    }
    fn has(&self, id: &str) -> bool {
        self.rules().contains(&id)
    }
    fn rec(&self) -> &Recommendation {
        self.outcome.analyses[0].recommendation.as_ref().expect("sized")
    }
}

fn lint(dir: &std::path::Path, case: &Case, p: u64, ppk: u64, autoscaling: bool, custom: bool) -> Linted {
    let mut text = flink_app(
        "app",
        &case.decl(),
        &p.to_string(),
        &ppk.to_string(),
        &autoscaling.to_string(),
    );
    if !custom {
        text = text.replace("\"CUSTOM\"", "\"DEFAULT\"");
    }
    std::fs::write(dir.join("main.tf"), text).expect("write");
    let outcome = kpulint::run::run(&kpulint::run::RunOptions {
        paths: vec![dir.to_path_buf()],
        ..Default::default()
    });
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    Linted { outcome }
}

fn apply(dir: &std::path::Path, case: &Case, r: &Recommendation) -> Linted {
    if r.custom {
        lint(dir, case, r.parallelism, r.parallelism_per_kpu, r.auto_scaling, true)
    } else {
        lint(dir, case, 1, 1, true, false)
    }
}

/// `recommendation` meets the needs and respects the cap where a configuration exists.
fn check_layout(case: &Case, r: &Recommendation, ctx: &str) {
    assert!((1..=8).contains(&r.parallelism_per_kpu), "ppk: {ctx}");
    assert_eq!(r.kpus, r.parallelism.div_ceil(r.parallelism_per_kpu), "KPUs: {ctx}");
    if let Some(max) = case.max_parallelism {
        assert!(r.parallelism <= max, "above the declared max parallelism: {ctx}");
    }
    if case.configuration_exists() {
        assert!(case.met(r.parallelism, r.parallelism_per_kpu), "needs not met: {ctx}");
    }
}

const QUOTA: u64 = 64;

#[test]
fn safe_part_and_whole_meet_the_needs_within_max_parallelism() {
    let dir = tempfile::tempdir().expect("tempdir");
    let seed = std::env::var("KPULINT_PROPERTY_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x6b70_756c_696e_7418);
    let mut rng = Rng(seed);
    let (mut conflicts, mut lowered_ppk, mut partial_safe, mut above_cap_kept) = (0, 0, 0, 0);
    let cases: u64 = std::env::var("KPULINT_PROPERTY_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(500);
    for i in 0..cases {
        let case = Case::generate(&mut rng);
        let today = lint(
            dir.path(),
            &case,
            case.parallelism,
            case.per_kpu,
            case.autoscaling,
            case.custom,
        );
        let (p0, ppk0) = case.effective();
        let whole = today.rec().clone();
        let safe = whole.safe_part.as_deref().expect("a safe part").clone();
        let ctx = format!("case {i}: {case:?}\n{}\nwhole {whole:#?}", case.decl());
        let exists = case.configuration_exists();

        // The conflict finding exactly where no configuration exists.
        assert_eq!(today.has("KPU016"), !exists, "KPU016: {ctx}");
        assert_eq!(whole.conflict.is_some(), !exists, "{ctx}");
        conflicts += usize::from(!exists);

        check_layout(&case, &whole, &ctx);
        // Lowering the parallelism without a declared compute need (that fits) is never safe.
        if whole.parallelism < p0 && !case.compute_usable() {
            assert!(!whole.safe, "an unconfirmed cut marked safe: {ctx}");
        }
        if whole.parallelism_per_kpu < ppk0 {
            lowered_ppk += 1;
            assert!(
                whole.reasons.iter().any(|r| r.starts_with("parallelism_per_kpu ")),
                "a lower parallelism_per_kpu without a reason: {ctx}"
            );
        }

        // The safe part: nothing to confirm, never denser, never a cut nobody declared a need for.
        assert!(safe.safe && safe.confirm.is_empty(), "safe part: {ctx}");
        assert!(safe.parallelism_per_kpu <= ppk0, "safe part packs slots: {ctx}");
        if !case.compute_usable() {
            assert!(safe.parallelism >= p0, "safe part cuts slots: {ctx}");
        }
        // Above the cap already, the safe part goes no further from it (no greater KPU012 excess).
        let safe_bound = case.max_parallelism.map(|m| m.max(p0));
        if let (Some(bound), Some(max)) = (safe_bound, case.max_parallelism) {
            assert!(
                safe.parallelism <= bound,
                "safe part moves past the max parallelism: {ctx}"
            );
            above_cap_kept += usize::from(p0 > max);
        }
        if !case.storage_usable() {
            assert!(safe.kpus >= p0.div_ceil(ppk0), "safe part cuts disk: {ctx}");
        }
        if whole.safe {
            assert_eq!(
                (
                    safe.parallelism,
                    safe.parallelism_per_kpu,
                    safe.auto_scaling,
                    safe.custom
                ),
                (
                    whole.parallelism,
                    whole.parallelism_per_kpu,
                    whole.auto_scaling,
                    whole.custom
                ),
                "a safe recommendation is its own safe part: {ctx}"
            );
        }
        if exists {
            // Raising to hold the state and reach the need is always safe: the safe part meets
            // the needs (above the quota when only a denser layout fits it).
            assert!(
                case.met(safe.parallelism, safe.parallelism_per_kpu),
                "safe part misses a need: {ctx}"
            );
        }

        // After the whole: no finding the recommendation could have avoided, and a fixed point.
        let after = apply(dir.path(), &case, &whole);
        let found = after.rules();
        assert!(!found.contains(&"KPU012"), "KPU012 after the whole: {ctx}");
        if exists {
            assert!(
                !found.contains(&"KPU011") && !found.contains(&"KPU003"),
                "{found:?} after the whole: {ctx}"
            );
        }
        if found.contains(&"KPU006") {
            // Only the cap can force idle slots: the parallelism is the max parallelism, or a
            // conflict kept today's layout.
            assert!(
                !exists || case.max_parallelism == Some(whole.parallelism),
                "avoidable KPU006 after the whole: {ctx}"
            );
        }
        if found.contains(&"KPU007") {
            assert!(whole.kpus > QUOTA, "avoidable KPU007: {ctx}");
        }
        let again = after.rec();
        assert_eq!(
            (
                again.parallelism,
                again.parallelism_per_kpu,
                again.auto_scaling,
                again.kpus
            ),
            (
                whole.parallelism,
                whole.parallelism_per_kpu,
                whole.auto_scaling,
                whole.kpus
            ),
            "the whole is not a fixed point: {ctx}"
        );

        // After the safe part: no error the safe part could cure, and nothing more it would do.
        let after = apply(dir.path(), &case, &safe);
        let found = after.rules();
        if exists {
            assert!(!found.contains(&"KPU003"), "KPU003 after the safe part: {ctx}");
            assert!(!found.contains(&"KPU011"), "KPU011 after the safe part: {ctx}");
        }
        if found.contains(&"KPU012") {
            // Lowering the parallelism or turning autoscaling off is the unsafe part's.
            let cut_left = whole.parallelism < safe.parallelism || (safe.auto_scaling && !whole.auto_scaling);
            assert!(cut_left || !exists, "avoidable KPU012 after the safe part: {ctx}");
        }
        if found.contains(&"KPU006") {
            partial_safe += 1;
            // Or today's parallelism, above the cap, is kept: lowering it is the unsafe part's.
            assert!(
                !exists || [case.max_parallelism, safe_bound].contains(&Some(safe.parallelism)),
                "avoidable KPU006 after the safe part: {ctx}\nsafe {safe:#?}"
            );
        }
        let next = after.rec().safe_part.as_deref().expect("a safe part");
        assert_eq!(
            (
                next.parallelism,
                next.parallelism_per_kpu,
                next.auto_scaling,
                next.custom
            ),
            (
                safe.parallelism,
                safe.parallelism_per_kpu,
                safe.auto_scaling,
                safe.custom
            ),
            "the safe part is not a fixed point: {ctx}\nsafe {safe:#?}"
        );
    }
    // The generator reaches every edge.
    assert!(conflicts > 20, "{conflicts} conflicts");
    assert!(lowered_ppk > 5, "{lowered_ppk} lowered parallelism_per_kpu");
    assert!(above_cap_kept > 20, "{above_cap_kept} configurations above the cap");
    eprintln!("{conflicts} conflicts, {lowered_ppk} lowered parallelism_per_kpu, {partial_safe} idle slots at the cap");
}

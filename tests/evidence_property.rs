//! Measured needs never lower a recommendation below a declared need, over generated
//! applications and evidence: whatever CloudWatch measures, the recommendation (and its safe
//! part) still holds the declared state and reaches the declared compute need; where both needs
//! are declared, the evidence changes no recommendation at all. A seeded generator, so every run
//! checks the same cases; linted through the library.

mod evidence_support;
mod hcl_support;

use evidence_support::{answer, pretty, queries_doc};
use hcl_support::{declaration, flink_app, Rng};
use kpulint::recommend::Recommendation;

#[derive(Debug)]
struct Case {
    parallelism: u64,
    per_kpu: u64,
    autoscaling: bool,
    state_gb: Option<u64>,
    required_parallelism: Option<u64>,
    required_kpus: Option<u64>,
    /// Measured: billed KPUs, CPU and disk percentages, and the running parallelism.
    kpus: u64,
    cpu: f64,
    disk: f64,
    running: Option<(u64, u64)>,
}

impl Case {
    fn generate(rng: &mut Rng) -> Case {
        Case {
            parallelism: rng.range(1, 64),
            per_kpu: rng.range(1, 4),
            autoscaling: rng.one_in(2),
            state_gb: rng.one_in(2).then(|| rng.range(0, 800)),
            required_parallelism: rng.one_in(2).then(|| rng.range(1, 80)),
            required_kpus: rng.one_in(4).then(|| rng.range(1, 40)),
            kpus: rng.range(2, 65),
            cpu: rng.range(1, 1000) as f64 / 10.0,
            disk: rng.range(1, 950) as f64 / 10.0,
            running: rng.one_in(3).then(|| {
                let configured = rng.range(1, 32);
                (configured, configured * rng.range(1, 4))
            }),
        }
    }

    fn decl(&self) -> String {
        declaration(self.state_gb, self.required_parallelism, self.required_kpus, None)
    }

    fn storage_kpus(&self) -> Option<u64> {
        self.state_gb
            .map(|gb| (gb as f64 * 2.0 / 50.0 - 1e-9).ceil().max(0.0) as u64)
    }
}

fn lint(dir: &std::path::Path, case: &Case, evidence: bool) -> Recommendation {
    let text = flink_app(
        "app",
        &case.decl(),
        &case.parallelism.to_string(),
        &case.per_kpu.to_string(),
        &case.autoscaling.to_string(),
    );
    std::fs::write(dir.join("main.tf"), text).expect("write");
    let outcome = kpulint::run::run(&kpulint::run::RunOptions {
        paths: vec![dir.join("main.tf")],
        evidence: if evidence {
            vec![dir.join("evidence")]
        } else {
            Vec::new()
        },
        ..Default::default()
    });
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    outcome.analyses[0].recommendation.clone().expect("sized")
}

fn write_evidence(dir: &std::path::Path, case: &Case) {
    let evidence = dir.join("evidence");
    std::fs::create_dir_all(&evidence).expect("mkdir");
    // Ending at this hour: fresh whatever day the test runs.
    let now = kpulint::needs::evidence::time::now() / 3600 * 3600;
    let (kpus, cpu, disk) = (case.kpus as f64, case.cpu, case.disk);
    let doc = answer(&queries_doc(&["app"], 8, now), move |_, metric, _| {
        Some(match metric {
            "KPUs" => kpus,
            "containerCPUUtilization" => cpu,
            "containerDiskUtilization" => disk,
            "lastCheckpointSize" => 3e9,
            "containerMemoryUtilization" => 40.0,
            _ => 0.0,
        })
    });
    std::fs::write(evidence.join("cw.json"), pretty(&doc)).expect("write");
    let describe = case.running.map(|(configured, current)| {
        format!(
            r#"{{"ApplicationDetail": {{"ApplicationName": "app", "ApplicationConfigurationDescription": {{"FlinkApplicationConfigurationDescription": {{"ParallelismConfigurationDescription": {{"ConfigurationType": "CUSTOM", "Parallelism": {configured}, "ParallelismPerKPU": 1, "CurrentParallelism": {current}, "AutoScalingEnabled": true}}}}}}}}}}"#
        )
    });
    let path = evidence.join("describe.json");
    match describe {
        Some(text) => std::fs::write(path, text).expect("write"),
        None => {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn holds_declared_needs(case: &Case, r: &Recommendation, what: &str) {
    if let Some(s) = case.storage_kpus() {
        assert!(
            r.kpus >= s,
            "{what}: {} KPUs below the declared state's {s}: {case:?}\n{r:#?}",
            r.kpus
        );
    }
    if let Some(p) = case.required_parallelism {
        assert!(
            r.parallelism >= p,
            "{what}: parallelism below the declared {p}: {case:?}\n{r:#?}"
        );
    }
    if let Some(k) = case.required_kpus {
        assert!(r.kpus >= k, "{what}: KPUs below the declared {k}: {case:?}\n{r:#?}");
    }
}

#[test]
fn measured_needs_never_lower_a_recommendation_below_a_declared_need() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect(".git");
    let mut rng = Rng(0x5eed_e71d_e0ce);
    let mut both_declared = 0;
    for _ in 0..160 {
        let case = Case::generate(&mut rng);
        write_evidence(dir.path(), &case);
        let with = lint(dir.path(), &case, true);
        holds_declared_needs(&case, &with, "recommendation");
        holds_declared_needs(&case, with.safe_part.as_deref().unwrap_or(&with), "safe part");
        let compute_declared = case.required_parallelism.is_some() || case.required_kpus.is_some();
        if compute_declared && case.state_gb.is_some() {
            // Every need declared: the evidence has nothing to fill.
            let without = lint(dir.path(), &case, false);
            assert_eq!(with, without, "{case:?}");
            both_declared += 1;
        }
    }
    assert!(both_declared > 10, "{both_declared} cases with every need declared");
}

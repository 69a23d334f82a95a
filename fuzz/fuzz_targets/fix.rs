//! `--fix --unsafe-fixes` on a fuzzed module (`main.tf`, then after NUL NUL `terraform.tfvars`
//! and a CloudFormation `template.yaml`) beside an application whose recommendation always
//! changes it: the files written re-parse, a second `--fix` changes nothing, no temporary file
//! is left.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let p = kpulint_fuzz::parts(data, 3);
    kpulint_fuzz::fix_round_trip(&[
        ("app.tf", kpulint_fuzz::FIX_APP.as_bytes()),
        ("main.tf", p[0]),
        ("terraform.tfvars", p[1]),
        ("template.yaml", p[2]),
    ]);
});

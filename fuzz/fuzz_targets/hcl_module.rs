//! A Terraform module directory: the input is `main.tf` (then, after NUL NUL, a child module
//! `modules/a/main.tf`, a `terraform.tfvars` and an override file `main_override.tf`) beside a
//! Flink application, so it is parsed, merged and evaluated in full.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let p = kpulint_fuzz::parts(data, 4);
    let dir = kpulint_fuzz::scratch();
    kpulint_fuzz::write(
        &dir,
        &[
            ("app.tf", kpulint_fuzz::APP.as_bytes()),
            ("main.tf", p[0]),
            ("modules/a/main.tf", p[1]),
            ("terraform.tfvars", p[2]),
            ("main_override.tf", p[3]),
        ],
    );
    kpulint_fuzz::pipeline(&dir, Default::default());
});

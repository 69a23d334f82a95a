//! A `.kpulint.hcl` found beside a Flink application.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = kpulint_fuzz::scratch();
    kpulint_fuzz::write(&dir, &[("app.tf", kpulint_fuzz::APP.as_bytes()), (".kpulint.hcl", data)]);
    kpulint_fuzz::pipeline(&dir, Default::default());
});

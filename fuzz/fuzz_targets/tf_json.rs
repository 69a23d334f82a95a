//! A `.tf.json` file beside a Flink application (so its directory is parsed and evaluated).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = kpulint_fuzz::scratch();
    kpulint_fuzz::write(&dir, &[("app.tf", kpulint_fuzz::APP.as_bytes()), ("main.tf.json", data)]);
    kpulint_fuzz::pipeline(&dir, Default::default());
});

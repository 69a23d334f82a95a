//! An evidence file (`--evidence`) for a Flink application named `fuzz`: read on its own by the
//! streaming reader, then through the whole pipeline (matching, measured needs, KPU013-015).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kpulint_fuzz::evidence(data));

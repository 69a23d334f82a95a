//! `plan.json` named on the command line, so it is read whatever it holds.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kpulint_fuzz::named_file("plan.json", data));

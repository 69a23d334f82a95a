//! Object constructors parsed in chunks against one parse: read as a `.tf` file, a `.tfvars`
//! file and an expression, every chunking (cutting even small objects) gives the model, spans
//! and errors the whole parse gives (`kpulint::inputs::hcl_objects`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(difference) = kpulint::inputs::hcl_objects::compare::difference(text) {
        panic!("the chunked parse differs {difference}");
    }
});

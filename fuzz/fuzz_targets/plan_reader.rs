//! The plan reader, which keeps only what it reads of the document, against jsonc-parser's
//! whole syntax tree: the same error at the same place, or the same applications, settings,
//! spans and errors (`kpulint::inputs::plan::reader`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(difference) = kpulint::inputs::plan::reader_difference(text) {
        panic!("the plan reader differs: {difference}");
    }
});

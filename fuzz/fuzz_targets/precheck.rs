//! The structural precheck against the full parser: a text the precheck rejects must fail to
//! parse (the precheck never hides a file that could hold valid Terraform). Then the text runs
//! through the pipeline as a `.tf` file no Flink application needs, which is precheck-only.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = kpulint::source::SourceFile::new("t.tf", text);
    let parses = kpulint::inputs::hcl::parse_body(&file).is_ok();
    if !kpulint::inputs::precheck::looks_well_formed(text) {
        assert!(!parses, "the precheck rejects valid HCL:\n{text}");
    }
    let dir = kpulint_fuzz::scratch();
    kpulint_fuzz::write(&dir, &[("network/main.tf", data)]);
    kpulint_fuzz::pipeline(&dir, Default::default());
});

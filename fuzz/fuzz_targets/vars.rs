//! Variable values and baselines through the command line: the input is a `--var-file`
//! (tfvars), then after NUL NUL one `--var` per line, then a `--baseline` file; the first byte
//! picks the output format. Runs `kpulint::cli::main_with_args` as the binary does.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let p = kpulint_fuzz::parts(rest, 3);
    let dir = kpulint_fuzz::scratch();
    kpulint_fuzz::write(
        &dir,
        &[
            ("app.tf", kpulint_fuzz::APP.as_bytes()),
            ("extra.tfvars", p[0]),
            ("baseline.json", p[2]),
        ],
    );
    let formats = ["human", "json", "sarif", "github", "junit", "checkstyle", "compact"];
    let mut args: Vec<std::ffi::OsString> = vec!["kpulint".into(), dir.clone().into()];
    args.extend(["--format".into(), formats[pick as usize % formats.len()].into()]);
    args.extend(["--var-file".into(), dir.join("extra.tfvars").into()]);
    if pick & 0x80 != 0 {
        args.extend(["--baseline".into(), dir.join("baseline.json").into()]);
    }
    for line in String::from_utf8_lossy(p[1]).lines().take(16) {
        args.extend(["--var".into(), line.into()]);
    }
    let code = kpulint::cli::main_with_args(args);
    assert!((0..=2).contains(&code), "exit code {code}");
});

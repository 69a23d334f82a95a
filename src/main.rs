fn main() {
    std::process::exit(kpulint::cli::main_with_args(std::env::args_os().collect()));
}

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(zyklus::run())
}

//! The `alumni` command: server, migrations, demo data, schema export and
//! account bootstrap. See `alumni --help`.

use std::process::ExitCode;

fn main() -> ExitCode {
    alumni_gateway::cli::main()
}

//! The `brandvault` command. Errors end here: printed with their chain (control characters
//! escaped), exit code 1.

mod cli;

use clap::Parser;

fn main() {
    brandvault::memory::tune_allocator();
    // Warnings (an index rebuilt from the journal, say) reach stderr for every command.
    brandvault::library::init_logging();
    let args = cli::Cli::parse();
    let json = args.json;
    match cli::run(args) {
        Ok(code) => std::process::exit(code),
        // `--json` promises one JSON document on stdout, failures included.
        Err(e) => std::process::exit(cli::report_failure(&e, json)),
    }
}

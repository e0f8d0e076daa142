//! The `brandvault` command. Errors end here: printed with their chain, exit code 1.

mod cli;

use clap::Parser;

fn main() {
    brandvault::memory::tune_allocator();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("brandvault: {e:#}");
            std::process::exit(1);
        }
    }
}

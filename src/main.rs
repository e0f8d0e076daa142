//! The `brandvault` command. Errors end here: printed with their chain, exit code 1.

mod cli;

use clap::Parser;

fn main() {
    // Two malloc arenas instead of eight per core: with one 12 MP image buffer per worker
    // thread, glibc's per-thread arenas held freed buffers and rendering on two cores peaked at
    // 420 MiB instead of 200 (benches/renditions_compare.py).
    // SAFETY: mallopt only changes allocator tuning; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("brandvault: {e:#}");
            std::process::exit(1);
        }
    }
}

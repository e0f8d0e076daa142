//! The `brandvault` command. Errors end here: printed with their chain, exit code 1.

mod cli;

use clap::Parser;

/// mimalloc, set below to return freed image buffers to the system promptly: with glibc's
/// per-thread arenas, rendering on two cores held about twice the memory it needed.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (v2 and v3: the 16th option); libmimalloc-sys 0.1.49
/// binds the options before it but not this one.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // Return freed pages to the system at once: rendering frees a decoded 12 MP image per
    // photo, and with mimalloc's default delay peak RSS doubled (benches/renditions_compare.py).
    // SAFETY: called before any other thread exists; the option is a plain integer setting.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("brandvault: {e:#}");
            std::process::exit(1);
        }
    }
}

//! Links libjpeg-turbo's TurboJPEG library when the system has it (Debian: libturbojpeg0-dev),
//! enabling the fast JPEG decoding path (`cfg(turbojpeg)`), and libheif (Debian: libheif-dev)
//! for HEIF/HEIC and AVIF pixels (`cfg(libheif)`); otherwise the build is pure Rust.
//! BRANDVAULT_PURE_RUST=1 forces the pure-Rust path.

use std::process::Command;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(turbojpeg)");
    println!("cargo::rustc-check-cfg=cfg(libheif)");
    println!("cargo::rerun-if-env-changed=BRANDVAULT_PURE_RUST");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("BRANDVAULT_PURE_RUST").is_some_and(|v| v == "1") {
        return;
    }
    link("libturbojpeg", "turbojpeg", "turbojpeg");
    link("libheif >= 1.12", "heif", "libheif");
}

/// Links `lib` and sets `cfg` when pkg-config knows `package`.
fn link(package: &str, lib: &str, cfg: &str) {
    let found = Command::new("pkg-config")
        .args(["--libs", package])
        .output()
        .ok()
        .filter(|out| out.status.success());
    if let Some(out) = found {
        println!("cargo::rustc-cfg={cfg}");
        for flag in String::from_utf8_lossy(&out.stdout).split_whitespace() {
            if let Some(dir) = flag.strip_prefix("-L") {
                println!("cargo::rustc-link-search=native={dir}");
            }
        }
        println!("cargo::rustc-link-lib={lib}");
    }
}

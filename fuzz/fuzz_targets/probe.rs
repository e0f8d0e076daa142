//! The whole probe of an uploaded file (type, size, metadata, decode check, HEIF extents,
//! video headers, the JPEG and PNG scans), with a small memory budget so a decode never
//! dominates: refused or accepted, never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let limits = brandvault::media::ProbeLimits {
        max_pixels: 4_000_000,
        max_decode_bytes: 64 << 20,
        max_metadata_bytes: 1 << 20,
        ..Default::default()
    };
    let _ = brandvault::media::probe(&mut std::io::Cursor::new(data), &limits);
});

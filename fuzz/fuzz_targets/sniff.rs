//! File type recognition from the first bytes: never panics, whatever the bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = brandvault::media::sniff(data);
});

//! WebM and Matroska EBML headers.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = brandvault::media::matroska::doc_type(data);
    let _ = brandvault::media::matroska::parse(data);
});

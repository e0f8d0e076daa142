//! The ISO-BMFF walker: finding `moov` in an MP4/MOV file, then reading its metadata.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    use brandvault::media::video::{parse_moov, read_moov};
    if let Ok(moov) = read_moov(&mut std::io::Cursor::new(data)) {
        let _ = parse_moov(&moov);
    }
    let _ = parse_moov(data);
});

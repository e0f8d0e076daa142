//! EXIF and GPS from any container kamadak-exif reads (JPEG, TIFF, PNG, WebP, HEIF).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = brandvault::media::exif::read(&mut std::io::Cursor::new(data));
});

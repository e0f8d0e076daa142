//! Descriptive metadata: XMP packets, IPTC IIM records in Photoshop resources, and the JPEG,
//! PNG and WebP structures they are found in and written into (the hand-written parts of
//! issue 16's metadata work).
#![no_main]
use brandvault::media::meta::{container, iptc, xmp, Blocks};
use brandvault::model::MediaType;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = xmp::parse(data);
    let _ = iptc::parse(data);
    if let Some(iim) = iptc::from_resources(data) {
        let _ = iptc::parse(iim);
    }
    let blocks = Blocks {
        exif: Some(b"MM\0*\0\0\0\x08\0\0"),
        xmp: Some(b"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>"),
        iptc: Some(b"\x1c\x02\x78\x00\x01a"),
    };
    for media in [MediaType::Jpeg, MediaType::Png, MediaType::Webp] {
        let _ = container::find(&mut std::io::Cursor::new(data), media, 1 << 20);
        if let Some(out) = container::replace(data, media, &blocks) {
            // What was written is found again.
            let found = container::find(&mut std::io::Cursor::new(&out), media, 1 << 20);
            assert_eq!(found.xmp.as_deref(), blocks.xmp, "{media:?}");
        }
    }
});

//! The logo rules on an uploaded SVG (active content, external references, palette), and its
//! intrinsic size, against the repository's guidelines.
#![no_main]
use std::sync::OnceLock;

fn guidelines() -> &'static brandvault::model::Guidelines {
    static G: OnceLock<brandvault::model::Guidelines> = OnceLock::new();
    G.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../brand");
        brandvault::brand::read_guidelines(&dir).expect("brand/guidelines.toml")
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = brandvault::brand::check_logo_svg(data, guidelines());
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = brandvault::media::svg::svg_size(text);
    }
});

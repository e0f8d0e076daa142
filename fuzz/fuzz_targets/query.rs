//! The catalogue's query-string filters, as `GET /api/assets?…` parses them: any string is a
//! filter or a 400, never a panic.
#![no_main]
use std::sync::OnceLock;

fn brand() -> &'static brandvault::brand::Brand {
    static B: OnceLock<brandvault::brand::Brand> = OnceLock::new();
    B.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../brand");
        brandvault::brand::Brand::load(&dir).expect("brand/")
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(q) = std::str::from_utf8(data) {
        if let Ok(query) = serde_urlencoded::from_str::<brandvault::http::ListQuery>(q) {
            let _ = query.filter(brand());
        }
    }
});

//! The starter brand compiled into the binary: the repository's `brand/` folder (Bình
//! Phước's identity, placeholder logos and slogan included). `brandvault init` writes it out,
//! so a binary installed anywhere gets a working brand folder in one command instead of
//! quietly running with no spots, presets or rules.

use std::path::{Path, PathBuf};

use super::BrandError;

macro_rules! file {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/brand/", $name)).as_slice(),
        )
    };
}

/// Every file of the starter brand, by its path inside the brand folder.
pub const FILES: &[(&str, &[u8])] = &[
    file!("basemap.toml"),
    file!("fonts/be-vietnam-pro/BeVietnamPro-Bold.ttf"),
    file!("fonts/be-vietnam-pro/BeVietnamPro-Regular.ttf"),
    file!("fonts/be-vietnam-pro/OFL.txt"),
    file!("fonts/noto-serif/NotoSerif-Regular.ttf"),
    file!("fonts/noto-serif/OFL.txt"),
    file!("guidelines.toml"),
    file!("logos/horizontal-full-en.svg"),
    file!("logos/horizontal-full-vi.svg"),
    file!("logos/horizontal-mono-dark-en.svg"),
    file!("logos/horizontal-mono-dark-vi.svg"),
    file!("logos/horizontal-mono-light-en.svg"),
    file!("logos/horizontal-mono-light-vi.svg"),
    file!("logos/icon-full.svg"),
    file!("logos/icon-mono-dark.svg"),
    file!("logos/icon-mono-light.svg"),
    file!("logos/stacked-full-bilingual.svg"),
    file!("logos/stacked-mono-dark-bilingual.svg"),
    file!("logos/stacked-mono-light-bilingual.svg"),
    file!("presets.toml"),
    file!("slogans.toml"),
    file!("spots.toml"),
];

/// Writes the starter brand into `dir` (created if needed). Refuses, writing nothing, when
/// any of its files already exists there: a brand folder is a person's work.
pub fn write(dir: &Path) -> Result<Vec<PathBuf>, BrandError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| BrandError::Read { path, source }
    };
    if let Some((name, _)) = FILES.iter().find(|(name, _)| dir.join(name).exists()) {
        return Err(BrandError::Invalid {
            path: dir.join(name),
            problems: "already exists: `init` never overwrites a brand folder".into(),
        });
    }
    let mut written = Vec::new();
    for (name, bytes) in FILES {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, bytes).map_err(io(&path))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_is_the_whole_brand_folder() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("brand");
        let mut on_disk: Vec<String> = walkdir::WalkDir::new(&root)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(&root).unwrap().display().to_string())
            .collect();
        on_disk.sort();
        let compiled: Vec<String> = FILES.iter().map(|(n, _)| (*n).to_owned()).collect();
        assert_eq!(
            compiled, on_disk,
            "brand/starter.rs lists every file of brand/"
        );
    }

    #[test]
    fn init_writes_a_brand_that_loads_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let brand = dir.path().join("brand");
        assert!(matches!(
            super::super::Brand::load(&brand),
            Err(BrandError::Missing(_))
        ));
        let written = write(&brand).unwrap();
        assert_eq!(written.len(), FILES.len());
        let loaded = super::super::Brand::load(&brand).unwrap();
        assert!(!loaded.gazetteer.spots.is_empty() && !loaded.presets.is_empty());
        assert!(loaded.guidelines.is_some());
        assert!(write(&brand).is_err(), "a second init refuses");
    }
}

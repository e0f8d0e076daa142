//! Finding the files to ingest: folders recursively, skipping hidden files and OS junk, reporting
//! unreadable entries and symlink loops instead of stopping.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// Files that operating systems leave behind and nobody means to ingest.
const JUNK: &[&str] = &["Thumbs.db", "desktop.ini", "Icon\r"];

/// A file found, or an entry that could not be read.
pub enum Found {
    File(PathBuf),
    Problem {
        path: PathBuf,
        code: &'static str,
        message: String,
    },
}

fn is_skipped(name: &str) -> bool {
    // Hidden files and folders include .DS_Store and AppleDouble "._" files.
    name.starts_with('.') || JUNK.contains(&name)
}

/// Walks each root; a root that is a file is taken as is, even if hidden.
pub fn walk(roots: &[PathBuf]) -> Vec<Found> {
    let mut out = Vec::new();
    for root in roots {
        let walker = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_skipped(&e.file_name().to_string_lossy()));
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() => out.push(Found::File(e.into_path())),
                Ok(_) => {}
                Err(e) => out.push(problem(root, e)),
            }
        }
    }
    out
}

fn problem(root: &Path, e: walkdir::Error) -> Found {
    let path = e.path().unwrap_or(root).to_owned();
    if e.loop_ancestor().is_some() {
        return Found::Problem {
            message: format!("{}: symbolic link loop", path.display()),
            path,
            code: "symlink-loop",
        };
    }
    let reason = e
        .io_error()
        .map(|io| io.to_string())
        .unwrap_or_else(|| e.to_string());
    Found::Problem {
        message: format!("{}: cannot read: {reason}", path.display()),
        path,
        code: "unreadable-file",
    }
}

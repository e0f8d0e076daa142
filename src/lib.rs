//! brandvault: a digital asset manager and brand-identity library for a public brand.
//! See ARCHITECTURE.md for the module map and the layering rule.

pub mod accounts;
pub mod backup;
pub mod brand;
pub mod catalog;
pub mod collections;
pub mod config;
pub mod geo;
pub mod http;
pub mod i18n;
pub mod iiif;
pub mod ingest;
pub mod library;
pub mod maintain;
pub mod media;
pub mod memory;
pub mod model;
pub mod pipeline;
pub mod render;
pub mod service;
pub mod store;
pub mod subtitles;
pub mod versions;
pub mod workflow;

pub use library::Library;

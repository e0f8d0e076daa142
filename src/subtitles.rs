//! A film's subtitle tracks as a workflow step: a WebVTT or SRT file checked against the
//! film (media::subtitles), stored as canonical WebVTT under its BLAKE3, and listed on the
//! asset in one commit with the guideline checks re-run (a public film needs the languages
//! the guidelines name). Who may change them is who may edit the film: its reviewers, and
//! its designer while it is a draft or rejected; a published film's tracks change only
//! through its reviewers, so what the press receives was reviewed.

use crate::catalog::Change;
use crate::media::subtitles::{parse, to_webvtt, SubtitleError};
use crate::model::subtitle::language_tag;
use crate::model::{Actor, AssetId, ErrorKind, Kind, Subtitle};
use crate::store::Durability;
use crate::workflow::{Workflow, WorkflowError};

#[derive(Debug, thiserror::Error)]
pub enum TrackError {
    #[error("only films have subtitles")]
    NotAFilm,
    #[error("{0:?} is not a language tag (BCP 47, e.g. vi, en, zh-Hans)")]
    BadLanguage(String),
    #[error("{name}: {error}")]
    BadFile { name: String, error: SubtitleError },
    #[error("this film has no subtitles in {0}")]
    NoTrack(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
}

impl From<crate::catalog::CatalogError> for TrackError {
    fn from(e: crate::catalog::CatalogError) -> Self {
        Self::Workflow(e.into())
    }
}

impl TrackError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotAFilm => ErrorKind::Conflict,
            Self::BadLanguage(_) | Self::BadFile { .. } => ErrorKind::InvalidInput,
            Self::NoTrack(_) => ErrorKind::NotFound,
            Self::Store(e) => e.kind(),
            Self::Workflow(e) => e.kind(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAFilm => "not-a-film",
            Self::BadLanguage(_) => "bad-language",
            Self::BadFile { .. } => "bad-subtitles",
            Self::NoTrack(_) => "no-subtitles",
            Self::Store(e) => e.code(),
            Self::Workflow(e) => e.code(),
        }
    }
}

/// The language tag in canonical case, or why not.
pub fn language(lang: &str) -> Result<String, TrackError> {
    language_tag(lang).ok_or_else(|| TrackError::BadLanguage(lang.to_owned()))
}

impl Workflow<'_> {
    /// Sets the film's track in `lang` from `bytes` (a file named `name`), replacing the one
    /// in that language: all or nothing.
    pub fn set_subtitle(
        &self,
        id: &AssetId,
        lang: &str,
        name: &str,
        bytes: &[u8],
        actor: &Actor,
        now: &str,
    ) -> Result<Subtitle, TrackError> {
        let lang = language(lang)?;
        let film = self.load(id)?;
        if film.kind != Kind::Video {
            return Err(TrackError::NotAFilm);
        }
        Self::may_edit(&film, actor)?;
        let duration_ms = film.duration_s.map(|s| (s * 1000.0).round() as u64);
        let cues = parse(bytes, duration_ms).map_err(|error| TrackError::BadFile {
            name: crate::model::text::file_name(name),
            error,
        })?;
        let vtt = to_webvtt(&cues);
        let put = self
            .store
            .put_reader(&mut vtt.as_bytes(), Durability::Durable)?;
        let track = Subtitle {
            lang,
            hash: put.hash.to_hex().to_string(),
            bytes: vtt.len() as u64,
            cues: cues.len() as u32,
            added_at: now.to_owned(),
            added_by: actor.name.clone(),
        };
        let set = Change::SubtitleSet {
            id: *id,
            track: track.clone(),
        };
        self.commit_with_checks(film, set, actor, now)?;
        Ok(track)
    }

    /// Removes the film's track in `lang`.
    pub fn remove_subtitle(
        &self,
        id: &AssetId,
        lang: &str,
        actor: &Actor,
        now: &str,
    ) -> Result<(), TrackError> {
        let film = self.load(id)?;
        let lang = language_tag(lang)
            .filter(|l| film.subtitle(l).is_some())
            .ok_or_else(|| TrackError::NoTrack(lang.to_owned()))?;
        Self::may_edit(&film, actor)?;
        let removed = Change::SubtitleRemoved { id: *id, lang };
        self.commit_with_checks(film, removed, actor, now)
    }

    /// Commits `change` on `film` with the checks re-run after it.
    fn commit_with_checks(
        &self,
        film: crate::model::Asset,
        change: Change,
        actor: &Actor,
        now: &str,
    ) -> Result<(), TrackError> {
        let after = crate::catalog::apply(Some(film.clone()), &change).unwrap_or(film);
        let mut changes = vec![change];
        changes.extend(self.recheck(&after, now).1);
        self.catalog.commit(now, &actor.name, &changes, &[])?;
        Ok(())
    }
}

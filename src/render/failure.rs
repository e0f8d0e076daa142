//! Why a rendition could not be made, as a value: the stable code journaled on the asset and
//! shown to staff (unchanged strings), the kind of trouble (the source, a limit, something
//! this machine lacks, the store), and a message that never names a store path.

use crate::media::ffmpeg::FfmpegError;
use crate::media::ProbeError;
use crate::model::ErrorKind;

/// One rendition's failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    kind: ErrorKind,
    code: &'static str,
    message: String,
}

impl Failure {
    /// A failure of `kind`, recorded as `code` with `message` (no store path in it).
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
        }
    }

    /// Beyond a limit of pixels or bytes.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::TooLarge, "too-large", message)
    }

    /// Something that should not happen: logged for the operator as well as recorded.
    pub fn internal(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, code, message)
    }

    /// What kind of trouble: `InvalidInput` (the source), `TooLarge`, `Unsupported` (this
    /// build or machine cannot, e.g. no ffmpeg), `Unavailable` (the disk is full), `Internal`.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable code recorded on the asset (`too-large`, `ffmpeg-missing`, `disk-full`, …).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// For staff: what went wrong, without the asset's name (the record adds it).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<&ProbeError> for Failure {
    fn from(e: &ProbeError) -> Self {
        Self::new(e.kind(), e.code(), e.to_string())
    }
}

impl From<&FfmpegError> for Failure {
    fn from(e: &FfmpegError) -> Self {
        Self::new(e.kind(), e.code(), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_keeps_its_journaled_code_and_says_what_kind_it_is() {
        let missing = FfmpegError::Start(std::io::ErrorKind::NotFound.into());
        let f = Failure::from(&missing);
        assert_eq!(
            (f.code(), f.kind()),
            ("ffmpeg-missing", ErrorKind::Unsupported)
        );
        let slow = Failure::from(&FfmpegError::Timeout(std::time::Duration::from_secs(600)));
        assert_eq!(
            (slow.code(), slow.kind()),
            ("ffmpeg-timeout", ErrorKind::TooLarge)
        );
        let broken = Failure::from(&ProbeError::Undecodable("bad huffman table".into()));
        assert_eq!(broken.code(), "undecodable-image");
        assert_eq!(broken.kind(), ErrorKind::InvalidInput);
        assert!(broken.message().contains("bad huffman table"));
        let f = Failure::too_large("13000×13000 is over the limit");
        assert_eq!((f.code(), f.kind()), ("too-large", ErrorKind::TooLarge));
    }
}

/// What went wrong, independent of where: every module error maps to one kind, and the HTTP layer
/// maps kinds to status codes deliberately (400/415/413/404/409/410/403/401/503/500).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidInput,
    Unsupported,
    TooLarge,
    NotFound,
    Conflict,
    /// It existed and is no longer offered (an expired share link).
    Gone,
    Forbidden,
    /// Credentials were presented and are not valid (an unknown or revoked token).
    Unauthenticated,
    /// The library cannot take writes now (the disk is full); nothing was changed.
    Unavailable,
    /// Too many requests of this kind now; the caller may try again later (429).
    Busy,
    Internal,
}

/// Whether an I/O error means the disk (or the user's quota) is full: such errors get their
/// own code, `disk-full`, everywhere, since the remedy is the operator's, not the caller's.
pub fn is_disk_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull
        || matches!(
            e.raw_os_error(),
            Some(28 /* ENOSPC */) | Some(122 /* EDQUOT */)
        )
}

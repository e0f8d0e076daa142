/// What went wrong, independent of where: every module error maps to one kind, and the HTTP layer
/// maps kinds to status codes deliberately (400/415/413/404/409/403/500).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidInput,
    Unsupported,
    TooLarge,
    NotFound,
    Conflict,
    Forbidden,
    Internal,
}

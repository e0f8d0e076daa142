//! API errors: a stable code and a message, status chosen by kind. 5xx bodies leak nothing;
//! the detail goes to the log.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::model::ErrorKind;

/// The body of every error answer (docs/contract.md, Errors).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable, for programs: `not-found`, `bad-query`, `too-large`...
    pub code: String,
    /// For people; never a path or an internal detail.
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, code: &str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// The one answer for anything the caller may not see, or that does not exist.
    pub fn not_found() -> Self {
        Self::new(ErrorKind::NotFound, "not-found", "no such resource")
    }

    /// The disk is full: the operator's problem, said without any path (docs/contract.md, Errors).
    pub fn disk_full(detail: impl std::fmt::Display) -> Self {
        tracing::error!("disk full: {detail}");
        Self::new(
            ErrorKind::Unavailable,
            "disk-full",
            "the library's disk is full; nothing was changed. Try again later",
        )
    }

    /// Storage that cannot be reached (object storage down): 503, nothing changed, no detail.
    pub fn unavailable(detail: impl std::fmt::Display) -> Self {
        tracing::error!("storage unavailable: {detail}");
        Self::new(
            ErrorKind::Unavailable,
            "store-unavailable",
            "the library's storage cannot be reached; nothing was changed. Try again later",
        )
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {detail}");
        Self::new(ErrorKind::Internal, "internal", "internal error")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self.kind {
            ErrorKind::InvalidInput => StatusCode::BAD_REQUEST,
            ErrorKind::Unsupported => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Gone => StatusCode::GONE,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Busy => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        match self.kind {
            ErrorKind::Unauthenticated => {
                response.insert_header(("WWW-Authenticate", "Bearer error=\"invalid_token\""));
            }
            ErrorKind::Unavailable | ErrorKind::Busy => {
                response.insert_header(("Retry-After", "60"));
            }
            _ => {}
        }
        response.json(ErrorBody {
            code: self.code.clone(),
            message: self.message.clone(),
        })
    }
}

impl ApiError {
    /// Maps a module error by its kind: internals are logged and hidden, anything missing is
    /// the one 404, the rest keep their code and message.
    pub(super) fn classified(kind: ErrorKind, code: &str, error: impl std::fmt::Display) -> Self {
        match kind {
            ErrorKind::Internal => Self::internal(error),
            ErrorKind::Unavailable if code == "store-unavailable" => Self::unavailable(error),
            ErrorKind::Unavailable => Self::disk_full(error),
            ErrorKind::NotFound => Self::not_found(),
            kind => Self::new(kind, code, error.to_string()),
        }
    }
}

impl From<crate::catalog::CatalogError> for ApiError {
    fn from(e: crate::catalog::CatalogError) -> Self {
        Self::classified(e.kind(), e.code(), e)
    }
}

impl From<crate::render::RenderError> for ApiError {
    fn from(e: crate::render::RenderError) -> Self {
        match e {
            crate::render::RenderError::Catalog(c) => c.into(),
        }
    }
}

impl From<crate::workflow::WorkflowError> for ApiError {
    fn from(e: crate::workflow::WorkflowError) -> Self {
        Self::classified(e.kind(), e.code(), e)
    }
}

impl From<crate::versions::VersionError> for ApiError {
    fn from(e: crate::versions::VersionError) -> Self {
        let code = e.code().to_owned();
        Self::classified(e.kind(), &code, e)
    }
}

impl From<crate::subtitles::TrackError> for ApiError {
    fn from(e: crate::subtitles::TrackError) -> Self {
        Self::classified(e.kind(), e.code(), e)
    }
}

impl From<crate::collections::CollectionError> for ApiError {
    fn from(e: crate::collections::CollectionError) -> Self {
        Self::classified(e.kind(), e.code(), e)
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::classified(e.kind(), e.code(), e)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(e)
    }
}

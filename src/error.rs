//! The crate's one error type.

/// Everything that can go wrong in the core, each with a message a user can act on.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A URL could not be parsed or is not an http(s) page URL.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The offending input, clamped for display.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// A page observation was structurally wrong (a missing URL, a wrong type).
    #[error("invalid page observation: {0}")]
    InvalidObservation(String),
    /// The observed page is not part of the tracked site.
    #[error("{url} is outside the tracked site {site}")]
    OutOfScope {
        /// The page URL.
        url: String,
        /// The site's root.
        site: String,
    },
    /// A page that the graph does not know.
    #[error("unknown page: {0}")]
    UnknownPage(String),
    /// An import document could not be read.
    #[error("cannot import: {0}")]
    Import(String),
    /// A setting is out of range.
    #[error("invalid setting: {0}")]
    InvalidConfig(String),
    /// A file could not be read or written (CLI only).
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        reason: String,
    },
}

/// The crate-wide result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Clamps a string for use inside an error message (hostile input can be huge).
pub(crate) fn clamp_for_message(s: &str) -> String {
    const MAX: usize = 200;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

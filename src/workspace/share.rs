//! Share links: the whole set-up in the URL fragment, so sharing needs no server.
//!
//! The fragment is `w=1.<data>`: `1` is the link format, and `<data>` is the saved-workspace
//! JSON, deflated and written in URL-safe base64 without padding. Other `key=value` parts may
//! sit beside it (`#w=1.…&step=3`); [`fragment_param`] reads any of them.
//!
//! Opening a link is reading untrusted input: [`decode_share`] bounds the link's length and the
//! unpacked size (a small link cannot inflate into a huge one), then applies the same migration
//! and checks as a saved workspace. The API key is not part of [`Workspace`], so it can never be
//! in a link.

use super::storage::{workspace_from_value, ContentProblem, LoadError};
use super::{Workspace, WORKSPACE_VERSION};
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use miniz_oxide::inflate::TINFLStatus;
use serde_json::Value;
use thiserror::Error;

/// The fragment key that holds the set-up.
pub const SHARE_PARAM: &str = "w";

/// The link format written by this version.
pub const SHARE_FORMAT: &str = "1";

/// Largest set-up a link may unpack to, in bytes of JSON.
pub const MAX_SHARED_JSON_BYTES: usize = 256 * 1024;

/// Longest `w=` value read, in bytes (well above what [`MAX_SHARED_JSON_BYTES`] needs).
pub const MAX_SHARE_VALUE_BYTES: usize = 512 * 1024;

/// Best (slowest) deflate level: links are made rarely and should be short.
const COMPRESSION_LEVEL: u8 = 10;

/// URL-safe base64; writes no padding, accepts it if a person's tool added some.
const LINK_BASE64: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a share link could not be opened; the [`Display`](std::fmt::Display) text is a
/// sentence for the person.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ShareError {
    /// The fragment has no `w=` part.
    #[error("This link does not contain a shared set-up; your current set-up is unchanged.")]
    NoWorkspace,
    /// The link format is not one this version knows.
    #[error(
        "The set-up in this link could not be opened (it uses a link format, “{0}”, that this \
         version does not know; it may come from a newer version); your current set-up is \
         unchanged."
    )]
    UnknownFormat(String),
    /// The link is longer than [`MAX_SHARE_VALUE_BYTES`] or unpacks to more than
    /// [`MAX_SHARED_JSON_BYTES`].
    #[error(
        "The set-up in this link could not be opened (it is larger than the {} KiB a link may \
         hold); your current set-up is unchanged.", MAX_SHARED_JSON_BYTES / 1024
    )]
    TooLarge,
    /// The data is not URL-safe base64.
    #[error(
        "The set-up in this link could not be opened (the link is damaged or cut off: it is not \
         valid base64); your current set-up is unchanged."
    )]
    BadBase64,
    /// The data does not inflate.
    #[error(
        "The set-up in this link could not be opened (the link is damaged or cut off: its data \
         does not unpack); your current set-up is unchanged."
    )]
    Inflate,
    /// The unpacked data is not JSON.
    #[error(
        "The set-up in this link could not be opened (its content is not valid JSON: {0}); your \
         current set-up is unchanged."
    )]
    NotJson(String),
    /// The JSON is not an object.
    #[error(
        "The set-up in this link could not be opened (its content is not a JSON object); your \
         current set-up is unchanged."
    )]
    NotAnObject,
    /// Made by a newer version of the page.
    #[error(
        "The set-up in this link could not be opened (it was made by a newer version of Parallel \
         Playground: format {found}, and this page reads format {WORKSPACE_VERSION} and older); \
         your current set-up is unchanged."
    )]
    NewerVersion {
        /// The workspace version found.
        found: u64,
    },
    /// Readable, but the content cannot be used.
    #[error(
        "The set-up in this link could not be opened ({0}); your current set-up is unchanged."
    )]
    InvalidContent(ContentProblem),
}

impl From<LoadError> for ShareError {
    fn from(error: LoadError) -> Self {
        match error {
            LoadError::NotJson(detail) => ShareError::NotJson(detail),
            LoadError::NotAnObject => ShareError::NotAnObject,
            LoadError::NewerVersion { found } => ShareError::NewerVersion { found },
            LoadError::InvalidContent(problem) => ShareError::InvalidContent(problem),
        }
    }
}

/// The fragment (without `#`) that carries `ws`: `w=1.<data>`.
///
/// A set-up whose JSON is larger than [`MAX_SHARED_JSON_BYTES`] still encodes, but
/// [`decode_share`] will refuse the link; check [`share_fits`] before offering it.
///
/// ```
/// use parallel_playground::workspace::{decode_share, encode_share, Workspace};
///
/// let ws = Workspace::default();
/// let fragment = encode_share(&ws);
/// assert!(fragment.starts_with("w=1."));
/// assert_eq!(decode_share(&format!("#{fragment}&step=3")), Ok(ws));
/// ```
pub fn encode_share(ws: &Workspace) -> String {
    let json = super::encode_saved(ws);
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), COMPRESSION_LEVEL);
    format!(
        "{SHARE_PARAM}={SHARE_FORMAT}.{}",
        LINK_BASE64.encode(packed)
    )
}

/// Whether a link to `ws` would open ([`MAX_SHARED_JSON_BYTES`] is not exceeded).
pub fn share_fits(ws: &Workspace) -> bool {
    super::encode_saved(ws).len() <= MAX_SHARED_JSON_BYTES
}

/// The set-up in a link's fragment (with or without the leading `#`); other `key=value` parts
/// are ignored.
pub fn decode_share(fragment: &str) -> Result<Workspace, ShareError> {
    let value = fragment_param(fragment, SHARE_PARAM).ok_or(ShareError::NoWorkspace)?;
    if value.len() > MAX_SHARE_VALUE_BYTES {
        return Err(ShareError::TooLarge);
    }
    let (format, data) = value.split_once('.').unwrap_or((value.as_str(), ""));
    if format != SHARE_FORMAT {
        return Err(ShareError::UnknownFormat(format.chars().take(16).collect()));
    }
    let packed = LINK_BASE64
        .decode(data)
        .map_err(|_| ShareError::BadBase64)?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_SHARED_JSON_BYTES)
        .map_err(|error| match error.status {
        TINFLStatus::HasMoreOutput => ShareError::TooLarge,
        _ => ShareError::Inflate,
    })?;
    let value: Value =
        serde_json::from_slice(&json).map_err(|error| ShareError::NotJson(error.to_string()))?;
    Ok(workspace_from_value(value)?)
}

/// The value of `key` in a fragment such as `#w=1.abc&step=3` (the `#` is optional), exactly as
/// written (not percent-decoded); a bare `key` without `=` has the empty value.
///
/// ```
/// use parallel_playground::workspace::fragment_param;
///
/// assert_eq!(fragment_param("#w=1.abc&step=3", "step"), Some("3".into()));
/// assert_eq!(fragment_param("w=1.abc", "step"), None);
/// ```
pub fn fragment_param(fragment: &str, key: &str) -> Option<String> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    fragment.split('&').find_map(|part| {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        (name == key).then(|| value.to_string())
    })
}

/// The fragment (without `#`) with every `key=…` part taken out and the other parts kept in
/// order; what the address bar shows once a link's set-up has been read.
///
/// ```
/// use parallel_playground::workspace::fragment_without;
///
/// assert_eq!(fragment_without("#w=1.abc&lesson=3", "w"), "lesson=3");
/// assert_eq!(fragment_without("w=1.abc", "w"), "");
/// ```
pub fn fragment_without(fragment: &str, key: &str) -> String {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    fragment
        .split('&')
        .filter(|part| !part.is_empty() && part.split('=').next() != Some(key))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_without_a_format_dot_is_an_unknown_format() {
        assert_eq!(
            decode_share("w=abc"),
            Err(ShareError::UnknownFormat("abc".into()))
        );
    }

    #[test]
    fn padded_base64_is_accepted() {
        let ws = Workspace::default();
        let fragment = encode_share(&ws);
        let data = fragment.trim_start_matches("w=1.");
        let padding = "=".repeat((4 - data.len() % 4) % 4);
        assert_eq!(decode_share(&format!("{fragment}{padding}")), Ok(ws));
    }

    #[test]
    fn the_first_occurrence_of_a_key_wins() {
        assert_eq!(fragment_param("a=1&a=2", "a"), Some("1".into()));
        assert_eq!(fragment_param("#flag&a=2", "flag"), Some(String::new()));
        assert_eq!(fragment_param("", "a"), None);
    }

    #[test]
    fn every_error_sentence_says_the_current_set_up_is_unchanged() {
        for error in [
            ShareError::NoWorkspace,
            ShareError::UnknownFormat("9".into()),
            ShareError::TooLarge,
            ShareError::BadBase64,
            ShareError::Inflate,
            ShareError::NotJson("x".into()),
            ShareError::NotAnObject,
            ShareError::NewerVersion { found: 9 },
            ShareError::InvalidContent(ContentProblem::BadVersion),
        ] {
            let sentence = error.to_string();
            assert!(
                sentence.ends_with("your current set-up is unchanged."),
                "{sentence}"
            );
        }
    }
}

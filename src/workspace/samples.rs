//! The sample text that ships with the page: a council report of a few KB, the document of the
//! map-reduce preset and the shared prefix of the cached-prefix preset.

/// A report of nine paragraphs (about 2,900 characters, some 700 tokens).
pub const SAMPLE_DOCUMENT: &str = include_str!("samples/harbour_report.md");

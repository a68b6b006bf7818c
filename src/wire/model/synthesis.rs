//! The headings of the synthesis prompt: the engine writes them, the simulated model reads them
//! back to find the answers it combines.

/// The heading that starts each answered section.
pub const ANSWER_HEADING: &str = "### Question";
/// The heading that starts each missing section.
pub const MISSING_HEADING: &str = "### Missing";

//! Which link targets in model output may become real links.
//!
//! An allow-list, not a block-list: a target survives only with an explicit `http:`, `https:` or
//! `mailto:` scheme. Relative and protocol-relative addresses (`/x`, `#x`, `//evil.example`)
//! are refused too, since the page has nothing of its own for a model to link to.

/// The schemes a link may use (compared without regard to case).
pub const ALLOWED_LINK_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// The target to put in `href`, or `None` when the link must show as text only.
///
/// Checks the target as a browser would read it: browsers drop control characters, tabs and
/// newlines inside a URL and ignore surrounding spaces, so `java\tscript:` *is* `javascript:`
/// to them. Those characters are removed first, then the scheme must be plain ASCII and on
/// [`ALLOWED_LINK_SCHEMES`]. Entities (`&#106;avascript:`) are already decoded by the
/// Markdown parser before this check runs. The scheme of the result is lower-case.
///
/// ```
/// use parallel_playground::markdown::safe_link_target;
///
/// let kept = safe_link_target(" HTTPS://example.com/a b");
/// assert_eq!(kept, Some("https://example.com/a b".into()));
/// assert_eq!(safe_link_target("java\tscript:alert(1)"), None);
/// assert_eq!(safe_link_target("//evil.example"), None);
/// ```
pub fn safe_link_target(raw: &str) -> Option<String> {
    let without_controls: String = raw.chars().filter(|c| !c.is_ascii_control()).collect();
    let cleaned = without_controls.trim();
    let (scheme, rest) = cleaned.split_once(':')?;
    if !is_scheme_syntax(scheme) {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    if !ALLOWED_LINK_SCHEMES.contains(&scheme.as_str()) {
        return None;
    }
    Some(format!("{scheme}:{rest}"))
}

/// A URL scheme: an ASCII letter, then ASCII letters, digits, `+`, `-` or `.` (RFC 3986).
fn is_scheme_syntax(scheme: &str) -> bool {
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

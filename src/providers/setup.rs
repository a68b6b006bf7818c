//! Whether an HTTP provider's set-up can work, checked before anything is sent: the base URL's
//! scheme and the key. One wording per problem, for the page (before a run starts) and for the
//! provider itself (if asked anyway).

use super::network_hint::ApiFormat;
use super::ProviderError;

/// Why an HTTP set-up cannot work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupProblem {
    /// The base URL is not `https://…` (or `http://…` for a local server).
    BaseUrlScheme { url: String },
    /// This API needs a key and there is none.
    MissingKey { format: ApiFormat },
    /// The key holds characters a header cannot carry.
    KeyNotSendable,
}

impl SetupProblem {
    /// The problem as the page prints it.
    pub fn sentence(&self) -> String {
        match self {
            SetupProblem::BaseUrlScheme { url } => format!(
                "The base URL “{url}” must start with https:// (or http:// for a local server)."
            ),
            SetupProblem::MissingKey { format } => format!(
                "The {} API needs a key: paste it in Model & provider (it stays in this tab \
                 unless you tick “remember”).",
                format.name()
            ),
            SetupProblem::KeyNotSendable => {
                "The API key contains characters that cannot be sent in a header.".into()
            }
        }
    }
}

impl From<SetupProblem> for ProviderError {
    fn from(problem: SetupProblem) -> ProviderError {
        ProviderError::Config {
            message: problem.sentence(),
        }
    }
}

/// Whether this API refuses every request without a key (OpenAI-compatible local servers often
/// need none).
pub fn needs_key(format: ApiFormat) -> bool {
    format == ApiFormat::Anthropic
}

/// Checks the set-up of an HTTP provider; returns the trimmed base URL to use.
pub fn check_http_setup<'a>(
    format: ApiFormat,
    base_url: &'a str,
    api_key: &str,
) -> Result<&'a str, SetupProblem> {
    let url = base_url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(SetupProblem::BaseUrlScheme { url: url.into() });
    }
    let key = api_key.trim();
    if key.is_empty() && needs_key(format) {
        return Err(SetupProblem::MissingKey { format });
    }
    if key.chars().any(|c| !(' '..='~').contains(&c)) {
        return Err(SetupProblem::KeyNotSendable);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_set_up_gives_the_trimmed_url() {
        assert_eq!(
            check_http_setup(ApiFormat::Anthropic, " https://api.anthropic.com ", "sk-1"),
            Ok("https://api.anthropic.com")
        );
        assert_eq!(
            check_http_setup(ApiFormat::OpenAi, "http://localhost:11434/v1", ""),
            Ok("http://localhost:11434/v1")
        );
    }

    #[test]
    fn each_problem_has_its_sentence() {
        let scheme = check_http_setup(ApiFormat::OpenAi, "ftp://x", "k").expect_err("scheme");
        assert!(scheme.sentence().contains("must start with https://"));
        let key = check_http_setup(ApiFormat::Anthropic, "https://a", " ").expect_err("key");
        assert_eq!(
            key,
            SetupProblem::MissingKey {
                format: ApiFormat::Anthropic
            }
        );
        assert!(key.sentence().starts_with("The Anthropic API needs a key"));
        let bad = check_http_setup(ApiFormat::OpenAi, "https://a", "k\u{e9}y").expect_err("bad");
        assert_eq!(bad, SetupProblem::KeyNotSendable);
        let error: ProviderError = bad.into();
        assert!(error.to_string().contains("cannot be sent in a header"));
    }
}

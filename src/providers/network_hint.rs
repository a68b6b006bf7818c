//! What to tell a person when the browser could not reach a model server at all.
//!
//! `fetch` only says "TypeError: Failed to fetch" — for a server that is down, a wrong address,
//! a CORS refusal and mixed content alike. We name the likely cause from what we know: which API,
//! which address, and whether the page itself is on HTTPS.

/// Which wire format a server speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiFormat {
    Anthropic,
    OpenAi,
}

impl ApiFormat {
    /// The API's name in a sentence.
    pub fn name(self) -> &'static str {
        match self {
            ApiFormat::Anthropic => "Anthropic",
            ApiFormat::OpenAi => "OpenAI-compatible",
        }
    }
}

/// A sentence (or three) explaining a failed request to `base_url`.
pub fn network_failure_message(format: ApiFormat, base_url: &str, page_is_https: bool) -> String {
    let url = base_url.trim().to_lowercase();
    let is_local = ["://localhost", "://127.0.0.1", "://[::1]", "://0.0.0.0"]
        .iter()
        .any(|h| url.contains(h));
    let mut message = format!(
        "The browser could not reach {} (or the connection closed before an answer).",
        base_url.trim()
    );
    if page_is_https && url.starts_with("http://") && !is_local {
        message.push_str(
            " This page is served over HTTPS, so the browser blocks plain-HTTP servers other \
             than localhost (mixed content): use an https:// address or run the server locally.",
        );
        return message;
    }
    match format {
        ApiFormat::Anthropic if url.contains("api.anthropic.com") => message.push_str(
            " Check your internet connection. Requests from a browser must carry the \
             anthropic-dangerous-direct-browser-access header (this page sends it); a proxy or \
             firewall in between may still refuse it.",
        ),
        ApiFormat::Anthropic => message.push_str(
            " Is the server running at that address? It must allow this page's origin (CORS) \
             and the anthropic-dangerous-direct-browser-access header.",
        ),
        ApiFormat::OpenAi if url.contains(":11434") => message.push_str(
            " Is Ollama running? Browsers need CORS permission: start it with \
             OLLAMA_ORIGINS=\"*\" ollama serve (or list this page's origin).",
        ),
        ApiFormat::OpenAi if url.contains(":1234") => message.push_str(
            " Is LM Studio's server running? Turn on CORS in its server settings (or start it \
             with lms server start --cors).",
        ),
        ApiFormat::OpenAi => message.push_str(
            " Is the server running at that address, and does it allow requests from this \
             page (CORS)? For llama.cpp use --api-key/--cors options as documented; vLLM takes \
             --allowed-origins.",
        ),
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_likely_cause() {
        let ollama = network_failure_message(ApiFormat::OpenAi, "http://localhost:11434/v1", false);
        assert!(ollama.contains("OLLAMA_ORIGINS"), "{ollama}");
        let lm = network_failure_message(ApiFormat::OpenAi, "http://localhost:1234/v1", false);
        assert!(lm.contains("--cors"), "{lm}");
        let mixed = network_failure_message(ApiFormat::OpenAi, "http://192.168.1.5:8000/v1", true);
        assert!(mixed.contains("mixed content"), "{mixed}");
        let local_from_https =
            network_failure_message(ApiFormat::OpenAi, "http://127.0.0.1:8000/v1", true);
        assert!(!local_from_https.contains("mixed content"));
        let anthropic =
            network_failure_message(ApiFormat::Anthropic, "https://api.anthropic.com", true);
        assert!(anthropic.contains("anthropic-dangerous-direct-browser-access"));
    }
}

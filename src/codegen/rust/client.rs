//! The program's HTTP client: requests, retries, timeouts and errors, by hand over `reqwest`.

use super::*;

pub(super) fn client(setup: &Setup<'_>) -> String {
    let system_param = if setup.system_prompt.is_some() {
        "\n        system: Option<&str>,"
    } else {
        ""
    };
    let temperature = if setup.temperature.is_some() {
        "\n            \"temperature\": TEMPERATURE,"
    } else {
        ""
    };
    let system = if setup.system_prompt.is_some() {
        "        if let Some(system) = system {
            body[\"system\"] = json!(system);
        }
"
    } else {
        ""
    };
    let send = if setup.timeout_ms.is_some() {
        "        // The timeout covers the whole call, retries included; when it runs out, the request
        // in flight is dropped, which cancels it.
        tokio::time::timeout(TIMEOUT, self.send_with_retries(&body))
            .await
            .map_err(|_| CallError::TimedOut)?
"
    } else {
        "        self.send_with_retries(&body).await
"
    };
    let signature = format!(
        "    async fn create_message(\n        &self,\n        prompt: &str,{system_param}\n    ) -> Result<String, CallError> {{"
    );
    let signature = if system_param.is_empty() {
        "    async fn create_message(&self, prompt: &str) -> Result<String, CallError> {"
            .to_string()
    } else {
        signature
    };
    let mut_ = if setup.system_prompt.is_some() {
        "mut "
    } else {
        ""
    };
    let system_arg = if setup.system_prompt.is_some() {
        ", Some(SYSTEM_PROMPT)"
    } else {
        ""
    };
    let ask = if setup.fail_fast {
        format!(
            r#"    /// Asks one research question, logging when it starts and when it ends.
    async fn ask(&self, number: usize, question: &str) -> Result<Answer, ResearchError> {{
        log!("Asking: {{question}}");
        let started = Instant::now();
        let result = self.create_message(question{system_arg}).await;
        let seconds = started.elapsed().as_secs_f64();
        match result {{
            Ok(text) => {{
                log!("Answered: {{question}} ({{seconds:.2}} s)");
                Ok(Answer {{ text, seconds }})
            }}
            Err(error) => {{
                log!("Failed: {{question}}: {{error}}");
                Err(ResearchError {{ number }})
            }}
        }}
    }}
"#
        )
    } else {
        format!(
            r#"    /// Asks one research question, logging when it starts and when it ends.
    async fn ask(&self, question: &str) -> Result<Answer, ResearchError> {{
        log!("Asking: {{question}}");
        let started = Instant::now();
        let result = self.create_message(question{system_arg}).await;
        let seconds = started.elapsed().as_secs_f64();
        match result {{
            Ok(text) => {{
                log!("Answered: {{question}} ({{seconds:.2}} s)");
                Ok(Answer {{ text, seconds }})
            }}
            Err(error) => {{
                let reason = error.to_string();
                log!("Failed: {{question}}: {{reason}}");
                Err(ResearchError {{ reason, seconds }})
            }}
        }}
    }}
"#
        )
    };
    format!(
        r#"
/// A client for the Messages API, shared by every call (one pool of connections).
struct Claude {{
    http: reqwest::Client,
    url: String,
    api_key: String,
}}

impl Claude {{
    /// Reads the key from ANTHROPIC_API_KEY, and the address from ANTHROPIC_BASE_URL.
    fn from_env() -> Result<Claude, String> {{
        let api_key = std::env::var("ANTHROPIC_API_KEY")
            .ok()
            .filter(|key| !key.is_empty())
            .ok_or("Set ANTHROPIC_API_KEY to your Anthropic API key first.")?;
        let base_url = std::env::var("ANTHROPIC_BASE_URL")
            .ok()
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
        Ok(Claude {{
            http: reqwest::Client::new(),
            url: format!("{{}}/v1/messages", base_url.trim_end_matches('/')),
            api_key,
        }})
    }}

    /// One call to the Messages API with the set-up's model; returns the text.
{signature}
        let {mut_}body = json!({{
            "model": MODEL,
            "max_tokens": MAX_TOKENS,{temperature}
            "messages": [{{ "role": "user", "content": prompt }}],
        }});
{system}{send}    }}

    /// Sends the request, and again after a pause while it fails in a way worth retrying.
    async fn send_with_retries(&self, body: &Value) -> Result<String, CallError> {{
        let mut retries = 0;
        loop {{
            match self.send(body).await {{
                Err(error) if error.is_retryable() && retries != MAX_RETRIES => {{
                    tokio::time::sleep(error.retry_delay(retries)).await;
                    retries += 1;
                }}
                result => return result,
            }}
        }}
    }}

    /// One HTTP request to the Messages API.
    async fn send(&self, body: &Value) -> Result<String, CallError> {{
        let response = self
            .http
            .post(&self.url)
            .header("x-api-key", &self.api_key)
            .header("anthropic-version", "2023-06-01")
            .json(body)
            .send()
            .await
            .map_err(CallError::Http)?;
        let status = response.status();
        if !status.is_success() {{
            let retry_after = retry_after(response.headers());
            let body = response.text().await.unwrap_or_default();
            return Err(CallError::Status {{
                status: status.as_u16(),
                message: error_message(&body),
                retry_after,
            }});
        }}
        let message: Value = response.json().await.map_err(CallError::Http)?;
        Ok(text_of(&message))
    }}

{ask}}}
"#
    )
}

pub(super) const HELPERS: &str = r#"
/// The pause the server asked for in `retry-after` (seconds), when it is a sensible one.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?;
    let seconds: f64 = value.trim().parse().ok()?;
    (0.0..=60.0)
        .contains(&seconds)
        .then(|| Duration::from_secs_f64(seconds))
}

/// The message of an API error body, or the body itself.
fn error_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|error| error["error"]["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| body.trim().to_string())
}

/// The text blocks of a Messages API response, joined.
fn text_of(message: &Value) -> String {
    message["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|block| block["type"] == "text")
        .filter_map(|block| block["text"].as_str())
        .collect()
}
"#;

pub(super) const SEQUENTIAL_SETTLE_ALL: &str = r#"
/// Asks the questions one at a time, each call after the previous one.
async fn research_sequential(claude: &Claude) -> Vec<Result<Answer, ResearchError>> {
    let mut results = Vec::new();
    for question in QUESTIONS {
        // settle-all: a failure is kept in the list, and the loop goes on.
        results.push(claude.ask(question).await);
    }
    results
}
"#;

pub(super) const SEQUENTIAL_FAIL_FAST: &str = r#"
/// Asks the questions one at a time, each call after the previous one.
async fn research_sequential(claude: &Claude) -> Result<Vec<Answer>, ResearchError> {
    let mut answers = Vec::new();
    for (index, question) in QUESTIONS.iter().enumerate() {
        // `?`: the first failure ends the loop (fail-fast).
        answers.push(claude.ask(index + 1, question).await?);
    }
    Ok(answers)
}
"#;

//! [`HttpFaults`]: the ways an answer goes wrong that a client must notice from the HTTP side —
//! a `200` that is not an event stream (a web page or a JSON document, as from a wrong base URL),
//! a body that goes on after its error (so a client that stops reading is seen leaving), and a
//! tool call whose streamed input is not JSON.
//!
//! | key | values | meaning |
//! |---|---|---|
//! | `content_type` | `html`, `json`, `text` | answer `200` with that body instead of the answer |
//! | `after_error` | `end` (default), `continue` | after `malformed`/`midstream`, keep sending the rest |
//! | `tool_input` | `ok` (default), `broken` | the tool call's input fragments stop short of valid JSON |

use crate::behaviour::ParamError;

/// The keys this module reads (for the "unknown parameter" message).
pub const KEYS: [&str; 3] = ["content_type", "after_error", "tool_input"];

/// A body that is not an event stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrongBody {
    /// A web page, as a web server or a dev server's index answers any path.
    Html,
    /// One JSON document that is not a model answer (a health check, a proxy's notice).
    Json,
    /// Plain text.
    Text,
}

impl WrongBody {
    /// The `content-type` it is sent with.
    pub fn content_type(self) -> &'static str {
        match self {
            WrongBody::Html => "text/html; charset=utf-8",
            WrongBody::Json => "application/json",
            WrongBody::Text => "text/plain; charset=utf-8",
        }
    }

    /// The body itself.
    pub fn body(self) -> &'static str {
        match self {
            WrongBody::Html => {
                "<!doctype html>\n<html><head><title>Welcome</title></head>\
                 <body><h1>It works!</h1><p>This is not the model API.</p></body></html>\n"
            }
            WrongBody::Json => r#"{"status":"ok","service":"not the model API"}"#,
            WrongBody::Text => "It works! (This is not the model API.)\n",
        }
    }

    /// The behaviour name for the request log.
    pub fn name(self) -> &'static str {
        match self {
            WrongBody::Html => "wrong_content_html",
            WrongBody::Json => "wrong_content_json",
            WrongBody::Text => "wrong_content_text",
        }
    }
}

/// The HTTP-side faults of one request; the default has none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HttpFaults {
    /// Answer `200` with this instead of the answer.
    pub wrong_body: Option<WrongBody>,
    /// After the `malformed` line or the `midstream` error, send the remaining pieces and the
    /// closing events as if nothing had happened.
    pub continue_after_error: bool,
    /// Cut the tool call's input JSON short (its fragments never close the object).
    pub broken_tool_input: bool,
}

impl HttpFaults {
    /// Sets `key` from `value`; `None` when `key` is not one of [`KEYS`].
    pub fn set(&mut self, key: &str, value: &str) -> Option<Result<(), ParamError>> {
        let bad = || {
            Some(Err(ParamError(format!(
                "invalid value '{value}' for '{key}'"
            ))))
        };
        match key {
            "content_type" => {
                self.wrong_body = match value {
                    "html" => Some(WrongBody::Html),
                    "json" => Some(WrongBody::Json),
                    "text" => Some(WrongBody::Text),
                    "sse" => None,
                    _ => return bad(),
                }
            }
            "after_error" => {
                self.continue_after_error = match value {
                    "end" => false,
                    "continue" => true,
                    _ => return bad(),
                }
            }
            "tool_input" => {
                self.broken_tool_input = match value {
                    "ok" => false,
                    "broken" => true,
                    _ => return bad(),
                }
            }
            _ => return None,
        }
        Some(Ok(()))
    }
}

/// `json` cut short so that no parser accepts it: the closing brackets and the last value go.
pub fn broken_json(json: &str) -> String {
    let kept = json.trim_end().trim_end_matches(['}', ']']);
    let cut = kept.rfind([':', ',']).map_or("{", |at| &kept[..=at]);
    cut.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_set_their_fault_and_others_are_not_ours() {
        let mut faults = HttpFaults::default();
        assert_eq!(faults.set("content_type", "html"), Some(Ok(())));
        assert_eq!(faults.set("after_error", "continue"), Some(Ok(())));
        assert_eq!(faults.set("tool_input", "broken"), Some(Ok(())));
        assert_eq!(
            faults,
            HttpFaults {
                wrong_body: Some(WrongBody::Html),
                continue_after_error: true,
                broken_tool_input: true,
            }
        );
        assert!(matches!(faults.set("content_type", "xml"), Some(Err(_))));
        assert_eq!(faults.set("tokens", "3"), None);
    }

    #[test]
    fn broken_json_is_never_valid() {
        for json in [
            r#"{"a":2,"b":3}"#,
            r#"{"numbers":[2,3]}"#,
            "{}",
            r#"{"s":"x"}"#,
        ] {
            let broken = broken_json(json);
            assert!(
                serde_json::from_str::<serde_json::Value>(&broken).is_err(),
                "{json} → {broken}"
            );
        }
    }
}

//! The prompt cache, with the rule of Anthropic's: a request that marks a prefix with
//! `cache_control` writes an entry, and the entry becomes available only when the writing
//! response begins (its head and first token, `ttft` after it was received or got its slot).
//! Requests that arrive before then miss and write as well; later ones read. An entry lives five
//! minutes from its last use. The same store serves OpenAI-style automatic caching of the
//! leading system messages (reads only; OpenAI reports no writes).
//!
//! Anthropic caches only prefixes of at least 1,024 tokens (more for some models); the mock
//! caches any length, so tests stay small.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

/// An entry's lifetime after its last use.
pub const TTL: Duration = Duration::from_secs(300);

/// Most entries kept (the oldest go first).
const MAX_ENTRIES: usize = 1024;

#[derive(Debug, Clone, Copy)]
struct Entry {
    available_at: Instant,
    expires_at: Instant,
}

/// What one request did with the cache, in tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheUse {
    pub write: u64,
    pub read: u64,
}

/// The entries, by API key, model and prefix text.
#[derive(Debug, Default)]
pub struct PromptCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl PromptCache {
    /// A request with a prefix of `tokens` under `key` arrives at `now`; its response begins
    /// at `begins`.
    pub fn arrive(&self, key: &str, tokens: u64, now: Instant, begins: Instant) -> CacheUse {
        if tokens == 0 {
            return CacheUse::default();
        }
        let Ok(mut entries) = self.entries.lock() else {
            return CacheUse::default();
        };
        match entries.get_mut(key) {
            Some(e) if e.available_at <= now && now < e.expires_at => {
                e.expires_at = now + TTL;
                CacheUse {
                    write: 0,
                    read: tokens,
                }
            }
            Some(e) if now < e.expires_at => {
                e.available_at = e.available_at.min(begins);
                e.expires_at = e.expires_at.max(begins + TTL);
                CacheUse {
                    write: tokens,
                    read: 0,
                }
            }
            _ => {
                if entries.len() >= MAX_ENTRIES {
                    let oldest = entries
                        .iter()
                        .min_by_key(|(_, e)| e.expires_at)
                        .map(|(k, _)| k.clone());
                    if let Some(oldest) = oldest {
                        entries.remove(&oldest);
                    }
                }
                entries.insert(
                    key.to_string(),
                    Entry {
                        available_at: begins,
                        expires_at: begins + TTL,
                    },
                );
                CacheUse {
                    write: tokens,
                    read: 0,
                }
            }
        }
    }

    /// Forgets every entry (`POST /__mock/reset`).
    pub fn reset(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

/// The text of an Anthropic request up to and including its last block marked with
/// `cache_control` (system blocks first, then the messages' blocks), or `None` when nothing is
/// marked. Text is joined the way the mock counts input (`\n` between blocks).
pub fn anthropic_prefix(body: &Value) -> Option<String> {
    let mut text = String::new();
    let mut marked_len = None;
    let mut take = |block: &Value, text: &mut String| {
        if let Some(t) = block.get("text").and_then(Value::as_str) {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(t);
        }
        if block.get("cache_control").is_some_and(|c| !c.is_null()) {
            marked_len = Some(text.len());
        }
    };
    if let Some(Value::Array(blocks)) = body.get("system") {
        for block in blocks {
            take(block, &mut text);
        }
    }
    for message in body
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(Value::Array(blocks)) = message.get("content") {
            for block in blocks {
                take(block, &mut text);
            }
        }
    }
    let len = marked_len?;
    text.truncate(len);
    (!text.is_empty()).then_some(text)
}

/// [`anthropic_prefix`] of a request body's bytes.
pub fn anthropic_prefix_of(body: &[u8]) -> Option<String> {
    anthropic_prefix(&serde_json::from_slice(body).ok()?)
}

/// The leading system (or developer) messages of a Chat Completions request: the prefix an
/// OpenAI-style server caches on its own.
pub fn openai_prefix(body: &Value) -> Option<String> {
    let text: Vec<String> = body
        .get("messages")
        .and_then(Value::as_array)?
        .iter()
        .take_while(|m| {
            matches!(
                m.get("role").and_then(Value::as_str),
                Some("system" | "developer")
            )
        })
        .map(|m| match m.get("content") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(parts)) => parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n"),
            _ => String::new(),
        })
        .collect();
    let text = text.join("\n");
    (!text.trim().is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn simultaneous_requests_all_write_and_a_later_one_reads() {
        let cache = PromptCache::default();
        let t0 = Instant::now();
        let begins = t0 + Duration::from_millis(200);
        let w = CacheUse { write: 9, read: 0 };
        assert_eq!(cache.arrive("k", 9, t0, begins), w);
        assert_eq!(cache.arrive("k", 9, t0, begins), w);
        let later = t0 + Duration::from_millis(250);
        assert_eq!(
            cache.arrive("k", 9, later, later),
            CacheUse { write: 0, read: 9 }
        );
        cache.reset();
        assert_eq!(cache.arrive("k", 9, later, later), w);
    }

    #[test]
    fn the_prefix_ends_at_the_last_marked_block() {
        let body = json!({
            "system": [{"type": "text", "text": "long document",
                        "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": "question"}],
        });
        assert_eq!(anthropic_prefix(&body).as_deref(), Some("long document"));
        let unmarked = json!({"system": "long document", "messages": []});
        assert_eq!(anthropic_prefix(&unmarked), None);
        let in_message = json!({"messages": [{"role": "user", "content": [
            {"type": "text", "text": "doc", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "question"}]}]});
        assert_eq!(anthropic_prefix(&in_message).as_deref(), Some("doc"));
        let chat = json!({"messages": [{"role": "system", "content": "doc"},
                                       {"role": "user", "content": "q"}]});
        assert_eq!(openai_prefix(&chat).as_deref(), Some("doc"));
    }
}

//! The simulated model's prompt cache, with the Anthropic rule: a request whose system prompt is
//! marked as a shared prefix ([`ModelRequest::cache_system`]) writes a cache entry, and that entry
//! becomes available only once the writing response *begins* (its first token). Requests that
//! arrive before then miss and write too — so N calls fired at once all pay the write — while
//! a request that arrives after reads it. An entry lives five minutes from its last use.

use super::estimate_tokens;
use crate::base::stable_hash;
use crate::providers::{ModelRequest, Usage};
use std::cell::RefCell;
use std::collections::HashMap;

/// The lifetime of an entry after its last use (Anthropic's default `ephemeral` cache).
pub const CACHE_TTL_MS: f64 = 5.0 * 60.0 * 1000.0;

/// Most entries kept; the oldest go first (a bound, not a rule of the API).
const MAX_ENTRIES: usize = 256;

#[derive(Clone, Copy, Debug)]
struct Entry {
    /// When the first writing response began: from then on, readers hit.
    available_at_ms: f64,
    expires_at_ms: f64,
}

/// What a request did with the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheUse {
    /// No prefix marked (or nothing in it).
    None,
    /// Missed: the prefix's tokens were written (`cache_creation_input_tokens`).
    Write(u32),
    /// Hit: the prefix's tokens were read (`cache_read_input_tokens`).
    Read(u32),
}

/// Entries by prefix (shared by the clones of a provider).
#[derive(Debug, Default)]
pub struct PromptCache {
    entries: RefCell<HashMap<u64, Entry>>,
}

impl PromptCache {
    /// A request marking `prefix_tokens` of prefix under `key` arrives at `now_ms`; its response
    /// begins at `begins_ms`. Returns whether it reads or writes.
    pub fn arrive(&self, key: u64, prefix_tokens: u32, now_ms: f64, begins_ms: f64) -> CacheUse {
        if prefix_tokens == 0 {
            return CacheUse::None;
        }
        let mut entries = self.entries.borrow_mut();
        match entries.get_mut(&key) {
            Some(entry) if entry.available_at_ms <= now_ms && now_ms < entry.expires_at_ms => {
                entry.expires_at_ms = now_ms + CACHE_TTL_MS;
                CacheUse::Read(prefix_tokens)
            }
            // Written but not yet available (the writer has not begun): another write.
            Some(entry) if now_ms < entry.expires_at_ms => {
                entry.available_at_ms = entry.available_at_ms.min(begins_ms);
                entry.expires_at_ms = entry.expires_at_ms.max(begins_ms + CACHE_TTL_MS);
                CacheUse::Write(prefix_tokens)
            }
            _ => {
                if entries.len() >= MAX_ENTRIES {
                    let oldest = entries
                        .iter()
                        .min_by(|a, b| a.1.expires_at_ms.total_cmp(&b.1.expires_at_ms))
                        .map(|(k, _)| *k);
                    if let Some(oldest) = oldest {
                        entries.remove(&oldest);
                    }
                }
                entries.insert(
                    key,
                    Entry {
                        available_at_ms: begins_ms,
                        expires_at_ms: begins_ms + CACHE_TTL_MS,
                    },
                );
                CacheUse::Write(prefix_tokens)
            }
        }
    }

    /// Applies the cache to a planned `usage` of `request`: the prefix's tokens move from
    /// `input_tokens` to the write or read count.
    pub fn apply(
        &self,
        request: &ModelRequest,
        usage: Usage,
        now_ms: f64,
        begins_ms: f64,
    ) -> (Usage, CacheUse) {
        let Some(system) = request
            .system
            .as_deref()
            .filter(|s| request.cache_system && !s.trim().is_empty())
        else {
            return (usage, CacheUse::None);
        };
        let prefix_tokens = estimate_tokens(system).min(usage.input_tokens);
        let key = stable_hash(&[&request.model, system]);
        let used = self.arrive(key, prefix_tokens, now_ms, begins_ms);
        let mut usage = usage;
        match used {
            CacheUse::None => {}
            CacheUse::Write(n) => {
                usage.input_tokens -= n;
                usage.cache_creation_input_tokens = n;
            }
            CacheUse::Read(n) => {
                usage.input_tokens -= n;
                usage.cache_read_input_tokens = n;
            }
        }
        (usage, used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_at_once_all_write_and_a_call_after_the_first_began_reads() {
        let cache = PromptCache::default();
        // Three at t = 0, the first response begins at 500 ms.
        assert_eq!(cache.arrive(1, 100, 0.0, 500.0), CacheUse::Write(100));
        assert_eq!(cache.arrive(1, 100, 0.0, 450.0), CacheUse::Write(100));
        // Not yet: the earliest writer begins at 450.
        assert_eq!(cache.arrive(1, 100, 449.0, 900.0), CacheUse::Write(100));
        assert_eq!(cache.arrive(1, 100, 450.0, 900.0), CacheUse::Read(100));
        // Another prefix is another entry.
        assert_eq!(cache.arrive(2, 100, 600.0, 900.0), CacheUse::Write(100));
    }

    #[test]
    fn an_entry_expires_five_minutes_after_its_last_use() {
        let cache = PromptCache::default();
        assert_eq!(cache.arrive(1, 10, 0.0, 100.0), CacheUse::Write(10));
        assert_eq!(cache.arrive(1, 10, 200_000.0, 0.0), CacheUse::Read(10));
        // Each read keeps it five more minutes from then.
        assert_eq!(cache.arrive(1, 10, 499_900.0, 0.0), CacheUse::Read(10));
        assert_eq!(
            cache.arrive(1, 10, 499_900.0 + CACHE_TTL_MS, 1e9),
            CacheUse::Write(10)
        );
    }

    #[test]
    fn the_prefix_tokens_move_out_of_the_plain_input() {
        let cache = PromptCache::default();
        let mut request = ModelRequest::ask("m", Some(&"x".repeat(400)), "question?", 100);
        let usage = Usage::new(103, 20);
        assert_eq!(cache.apply(&request, usage, 0.0, 10.0).1, CacheUse::None);
        request.cache_system = true;
        let (written, _) = cache.apply(&request, usage, 0.0, 10.0);
        assert_eq!(
            (written.input_tokens, written.cache_creation_input_tokens),
            (3, 100)
        );
        let (read, _) = cache.apply(&request, usage, 10.0, 20.0);
        assert_eq!((read.input_tokens, read.cache_read_input_tokens), (3, 100));
        assert_eq!(read.total_input_tokens(), 103);
    }
}

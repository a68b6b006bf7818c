//! Estimated cost: US dollars per million tokens for the models people are likely to use.

/// Input and output price in US dollars per million tokens.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Price {
    pub input_per_mtok: f64,
    pub output_per_mtok: f64,
}

/// Public list prices by model-name pattern; the first match wins, so specific names come first.
const PRICES: &[(&str, f64, f64)] = &[
    ("simulated", 0.0, 0.0),
    ("mock", 0.0, 0.0),
    ("opus-4-5", 5.0, 25.0),
    ("opus-4.5", 5.0, 25.0),
    ("opus", 15.0, 75.0),
    ("sonnet", 3.0, 15.0),
    ("haiku-4", 1.0, 5.0),
    ("3-5-haiku", 0.8, 4.0),
    ("haiku-3-5", 0.8, 4.0),
    ("haiku", 0.25, 1.25),
    ("gpt-4o-mini", 0.15, 0.6),
    ("gpt-4o", 2.5, 10.0),
    ("gpt-4.1-mini", 0.4, 1.6),
    ("gpt-4.1", 2.0, 8.0),
];

/// The price of `model`, if it is known. Local models (Ollama, LM Studio…) cost nothing.
pub fn price_of(model: &str) -> Option<Price> {
    let name = model.to_ascii_lowercase();
    PRICES
        .iter()
        .find(|(pattern, _, _)| name.contains(pattern))
        .map(|&(_, input, output)| Price {
            input_per_mtok: input,
            output_per_mtok: output,
        })
        .or_else(|| {
            let local = [
                "llama", "qwen", "mistral", "gemma", "phi", "deepseek", "local",
            ];
            local.iter().any(|l| name.contains(l)).then_some(Price {
                input_per_mtok: 0.0,
                output_per_mtok: 0.0,
            })
        })
}

/// What the prompt cache costs, as multiples of the input price: a write (Anthropic's 5-minute
/// cache: 1.25×; OpenAI charges no surcharge) and a read (Anthropic 0.1×, OpenAI 0.5× for GPT-4o
/// and 0.25× for GPT-4.1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CacheMultipliers {
    pub write: f64,
    pub read: f64,
}

/// Anthropic's 5-minute cache write.
pub const CACHE_WRITE_MULTIPLIER: f64 = 1.25;
/// Anthropic's cache read.
pub const CACHE_READ_MULTIPLIER: f64 = 0.1;

/// The cache multipliers for `model`: OpenAI's for GPT models, else Anthropic's.
pub fn cache_multipliers(model: &str) -> CacheMultipliers {
    let name = model.to_ascii_lowercase();
    let read = if name.contains("gpt-4.1") {
        0.25
    } else if name.contains("gpt-") {
        0.5
    } else {
        return CacheMultipliers {
            write: CACHE_WRITE_MULTIPLIER,
            read: CACHE_READ_MULTIPLIER,
        };
    };
    CacheMultipliers { write: 1.0, read }
}

/// The cost of a response's usage at `price`, cache writes and reads at `model`'s multipliers.
pub fn usage_cost_at(price: Price, model: &str, usage: &crate::providers::Usage) -> f64 {
    usage_cost_with(price, cache_multipliers(model), usage)
}

/// The cost of a response's usage at `price`, cache writes and reads at `cache`'s multipliers.
pub fn usage_cost_with(
    price: Price,
    cache: CacheMultipliers,
    usage: &crate::providers::Usage,
) -> f64 {
    let input = usage.input_tokens as f64
        + usage.cache_creation_input_tokens as f64 * cache.write
        + usage.cache_read_input_tokens as f64 * cache.read;
    (input * price.input_per_mtok + usage.output_tokens as f64 * price.output_per_mtok)
        / 1_000_000.0
}

/// The cost of a response's usage at `model`'s price, if it is known.
pub fn usage_cost_usd(model: &str, usage: &crate::providers::Usage) -> Option<f64> {
    Some(usage_cost_at(price_of(model)?, model, usage))
}

/// The cost of a token count at `model`'s price.
pub fn cost_usd(model: &str, input_tokens: u64, output_tokens: u64) -> Option<f64> {
    let price = price_of(model)?;
    Some(
        (input_tokens as f64 * price.input_per_mtok + output_tokens as f64 * price.output_per_mtok)
            / 1_000_000.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_claude_families_and_prefers_specific_names() {
        assert_eq!(
            price_of("claude-sonnet-4-5").map(|p| p.output_per_mtok),
            Some(15.0)
        );
        assert_eq!(
            price_of("claude-opus-4-5-20251101").map(|p| p.input_per_mtok),
            Some(5.0)
        );
        assert_eq!(
            price_of("claude-opus-4-1").map(|p| p.input_per_mtok),
            Some(15.0)
        );
        assert_eq!(
            price_of("claude-haiku-4-5").map(|p| p.input_per_mtok),
            Some(1.0)
        );
        assert_eq!(price_of("unknown-model"), None);
        assert_eq!(cost_usd("claude-sonnet-4-5", 1_000_000, 100_000), Some(4.5));
    }

    #[test]
    fn cache_writes_cost_more_and_reads_less_than_plain_input() {
        use crate::providers::Usage;
        let model = "claude-sonnet-4-5";
        let plain = Usage::new(1_000_000, 0);
        let written = Usage {
            input_tokens: 0,
            cache_creation_input_tokens: 1_000_000,
            ..plain
        };
        let read = Usage {
            input_tokens: 0,
            cache_read_input_tokens: 1_000_000,
            ..plain
        };
        let cost = |u: &Usage| usage_cost_usd(model, u).unwrap_or(f64::NAN);
        assert!((cost(&plain) - 3.0).abs() < 1e-9);
        assert!((cost(&written) - 3.75).abs() < 1e-9);
        assert!((cost(&read) - 0.3).abs() < 1e-9);
        assert_eq!(cache_multipliers("gpt-4o-mini").write, 1.0);
        assert_eq!(cache_multipliers("gpt-4.1").read, 0.25);
    }
}

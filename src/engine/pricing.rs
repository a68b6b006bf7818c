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
}

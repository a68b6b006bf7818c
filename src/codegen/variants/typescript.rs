//! The TypeScript program with variants: `program.ts` with its blanks filled in (the variant
//! blocks, the shared constants, and the `openai` package's parts when a variant needs them).

use super::super::literal::{split_lines, typescript_string};
use super::super::typescript::{joined_string, string_constant, SEMAPHORE};
use super::{Block, Program};

/// Prettier's line length.
const WIDTH: usize = 80;

const TEMPLATE: &str = include_str!("program.ts");

pub(super) fn program(program: &Program<'_>) -> String {
    let openai = program.has_openai();
    let pick = |text: &'static str| if openai { text } else { "" };
    TEMPLATE
        .replace("@HEADER@\n", &header(program))
        .replace("@SEMAPHORE@", SEMAPHORE)
        .replace(
            "@OPENAI_IMPORT@\n",
            pick("import OpenAI from \"openai\";\n\n"),
        )
        .replace("@OPENAI_DESCRIBE@", pick(OPENAI_DESCRIBE))
        .replace("@OPENAI_TYPE@", pick(" | OpenAI"))
        .replace("@OPENAI_CLIENT@", pick(OPENAI_CLIENT))
        .replace("@OPENAI_CALL@", pick(OPENAI_CALL))
        .replace("@VARIANTS@", &blocks(&program.blocks))
        .replace(
            "@TOGETHER@",
            if program.together { "true" } else { "false" },
        )
        .replace("@CONSTANTS@\n", &constants(program))
}

fn header(program: &Program<'_>) -> String {
    let (package, env) = if program.has_openai() {
        (
            " openai",
            " *   export OPENAI_BASE_URL=...        # optional: replaces the OpenAI-compatible address\n \
             *   export OPENAI_API_KEY=...         # if that server needs one\n",
        )
    } else {
        ("", "")
    };
    format!(
        "/**\n{} *
 * Run it (Node 20 or later):
 *   npm install @anthropic-ai/sdk{package} tsx
 *   export ANTHROPIC_API_KEY=...      # your API key
 *   export ANTHROPIC_BASE_URL=...     # optional: a proxy or another endpoint
{env} *   npx tsx parallel-research.ts
 */
",
        program.header_prose(" * ", WIDTH, "Promise.all")
    )
}

/// `{ … }` for each variant, each field on its own line.
fn blocks(blocks: &[Block<'_>]) -> String {
    let mut out = String::new();
    for block in blocks {
        if let Some(note) = &block.note {
            for line in split_lines(note, WIDTH - 5) {
                out.push_str(&format!("  // {}\n", line.trim_end()));
            }
        }
        out.push_str("  {\n");
        out.push_str(&format!("    letter: \"{}\",\n", block.letter));
        let api = if block.base_url.is_some() {
            "openai"
        } else {
            "anthropic"
        };
        out.push_str(&format!("    api: \"{api}\",\n"));
        out.push_str(&field("model", block.model));
        out.push_str(&format!("    maxTokens: {},\n", block.max_tokens));
        if let Some(system) = block.system_prompt {
            out.push_str(&field("systemPrompt", system));
        }
        match (&block.temperature, block.temperature_note()) {
            (Some(_), Some(note)) => out.push_str(&format!("    // The page's {note}.\n")),
            (Some(t), None) => out.push_str(&format!("    temperature: {t},\n")),
            _ => {}
        }
        if let Some(url) = block.base_url {
            out.push_str(&field("baseUrl", url));
        }
        out.push_str("  },\n");
    }
    out
}

/// `name: "…",` inside a block, split into `+`-joined pieces when it is long.
fn field(name: &str, text: &str) -> String {
    joined_string(&format!("    {name}:"), "      ", ",", text)
}

fn constants(program: &Program<'_>) -> String {
    let setup = &program.setup;
    let mut out = string_constant("SYNTHESIS_INSTRUCTIONS", setup.synthesis_instructions);
    let literals: Vec<String> = setup
        .questions
        .iter()
        .map(|q| typescript_string(q))
        .collect();
    let one_line = format!("const QUESTIONS: string[] = [{}];\n", literals.join(", "));
    if one_line.chars().count() <= WIDTH + 1 {
        out.push_str(&one_line);
    } else {
        out.push_str("const QUESTIONS: string[] = [\n");
        for literal in &literals {
            out.push_str(&format!("  {literal},\n"));
        }
        out.push_str("];\n");
    }
    let runs: Vec<String> = program
        .run_names()
        .iter()
        .map(|name| format!("\"{name}\""))
        .collect();
    out.push_str(&format!(
        "const RUNS: string[] = [{}]; // each variant's runs, in order\n",
        runs.join(", ")
    ));
    let limit = setup
        .concurrency_limit
        .map_or("null".to_string(), |k| k.to_string());
    out.push_str(&format!(
        "// Most calls of one variant in flight at once (null: no limit).\n\
         const CONCURRENCY_LIMIT: number | null = {limit};\n"
    ));
    let timeout = setup
        .timeout_ms
        .map_or("null".to_string(), |ms| ms.to_string());
    out.push_str(&format!(
        "const TIMEOUT_MS: number | null = {timeout}; // per call, retries included\n"
    ));
    out.push_str(&format!(
        "const MAX_RETRIES = {}; // for rate limits, server errors and lost connections\n",
        setup.max_retries
    ));
    out.push_str(&format!(
        "const QUORUM = {}; // fewest answers a variant's synthesis needs\n",
        setup.quorum
    ));
    out.push_str(&format!(
        "const ROUNDS = {}; // the comparison repeated, one round after the other\n",
        setup.rounds
    ));
    out
}

const OPENAI_DESCRIBE: &str = r#"  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    return `HTTP ${error.status}: ${error.message}`;
  }
"#;

const OPENAI_CLIENT: &str = r#"    if (variant.api === "openai") {
      // An OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp, ...) at the
      // variant's address; OPENAI_BASE_URL replaces it. A local server needs no key.
      const openai = new OpenAI({
        baseURL: process.env.OPENAI_BASE_URL ?? variant.baseUrl,
        apiKey: process.env.OPENAI_API_KEY ?? "not-needed",
        maxRetries: MAX_RETRIES,
      });
      clients.set(key, openai);
    }
"#;

const OPENAI_CALL: &str = r#"    if (variant.api === "openai") {
      if (!(client instanceof OpenAI)) throw new Error("no OpenAI client");
      const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [];
      if (system) messages.push({ role: "system", content: system });
      messages.push({ role: "user", content: prompt });
      const temperature = variant.temperature;
      const response = await client.chat.completions.create(
        {
          model: variant.model,
          max_tokens: variant.maxTokens,
          messages,
          ...(temperature === undefined ? {} : { temperature }),
        },
        { signal },
      );
      const text = response.choices[0]?.message.content ?? "";
      const usage = response.usage;
      return [text, usage?.prompt_tokens ?? 0, usage?.completion_tokens ?? 0];
    }
"#;

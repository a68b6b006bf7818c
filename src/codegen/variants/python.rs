//! The Python program with variants: `program.py` with its blanks filled in (the variant
//! blocks, the shared constants, and the `openai` SDK's parts when a variant needs them).

use super::super::literal::{python_string, split_lines};
use super::super::python::string_constant;
use super::{Block, Program};

/// Black's line length.
const WIDTH: usize = 88;

const TEMPLATE: &str = include_str!("program.py");

pub(super) fn program(program: &Program<'_>) -> String {
    let openai = program.has_openai();
    let pick = |text: &'static str| if openai { text } else { "" };
    TEMPLATE
        .replace("@HEADER@\n", &header(program))
        .replace("@OPENAI_IMPORT@\n", pick("import openai\n"))
        .replace("@OPENAI_DESCRIBE@", pick(OPENAI_DESCRIBE))
        .replace("@OPENAI_CLIENT@", pick(OPENAI_CLIENT))
        .replace("@OPENAI_CALL@", pick(OPENAI_CALL))
        .replace("@VARIANTS@", &blocks(&program.blocks))
        .replace(
            "@TOGETHER@",
            if program.together { "True" } else { "False" },
        )
        .replace("@CONSTANTS@\n", &constants(program))
}

fn header(program: &Program<'_>) -> String {
    let openai = if program.has_openai() { " openai" } else { "" };
    format!(
        "\"\"\"{}
Run it (Python 3.9 or later):
    pip install anthropic{openai}
    export ANTHROPIC_API_KEY=...      # your API key
    export ANTHROPIC_BASE_URL=...     # optional: a proxy or another endpoint
{}    python parallel_research.py
\"\"\"
",
        program.header_prose("", WIDTH, "asyncio.gather"),
        if program.has_openai() {
            "    export OPENAI_BASE_URL=...        # optional: replaces the OpenAI-compatible address\n    \
             export OPENAI_API_KEY=...         # if that server needs one\n"
        } else {
            ""
        }
    )
}

/// `Variant(…)` for each variant, each field on its own line.
fn blocks(blocks: &[Block<'_>]) -> String {
    let mut out = String::new();
    for block in blocks {
        if let Some(note) = &block.note {
            for line in split_lines(note, WIDTH - 6) {
                out.push_str(&format!("    # {}\n", line.trim_end()));
            }
        }
        out.push_str("    Variant(\n");
        out.push_str(&format!("        letter=\"{}\",\n", block.letter));
        let api = if block.base_url.is_some() {
            "openai"
        } else {
            "anthropic"
        };
        out.push_str(&format!("        api=\"{api}\",\n"));
        out.push_str(&format!("        model={},\n", python_string(block.model)));
        out.push_str(&format!("        max_tokens={},\n", block.max_tokens));
        if let Some(system) = block.system_prompt {
            out.push_str(&field("system_prompt", system));
        }
        match (&block.temperature, block.temperature_note()) {
            (Some(_), Some(note)) => out.push_str(&format!("        # The page's {note}.\n")),
            (Some(t), None) => out.push_str(&format!("        temperature={t},\n")),
            _ => {}
        }
        if let Some(url) = block.base_url {
            out.push_str(&format!("        base_url={},\n", python_string(url)));
        }
        out.push_str("    ),\n");
    }
    out
}

/// `name="…",` inside a block, split over lines in parentheses when it is long.
fn field(name: &str, text: &str) -> String {
    let one_line = format!("        {name}={},\n", python_string(text));
    if one_line.chars().count() <= WIDTH + 1 && !text.contains('\n') {
        return one_line;
    }
    let mut out = format!("        {name}=(\n");
    for piece in split_lines(text, WIDTH - 16) {
        out.push_str(&format!("            {}\n", python_string(piece)));
    }
    out.push_str("        ),\n");
    out
}

fn constants(program: &Program<'_>) -> String {
    let setup = &program.setup;
    let mut out = string_constant("SYNTHESIS_INSTRUCTIONS", setup.synthesis_instructions);
    if setup.questions.is_empty() {
        out.push_str("QUESTIONS: list[str] = []\n");
    } else {
        out.push_str("QUESTIONS = [\n");
        for question in setup.questions {
            out.push_str(&format!("    {},\n", python_string(question)));
        }
        out.push_str("]\n");
    }
    let runs: Vec<String> = program
        .run_names()
        .iter()
        .map(|name| format!("\"{name}\""))
        .collect();
    out.push_str(&format!(
        "RUNS = [{}]  # each variant's runs, in order\n",
        runs.join(", ")
    ));
    let limit = setup
        .concurrency_limit
        .map_or("None".to_string(), |k| k.to_string());
    out.push_str(&format!(
        "CONCURRENCY_LIMIT = {limit}  # most calls of one variant in flight at once\n"
    ));
    let timeout = setup.timeout_seconds().unwrap_or_else(|| "None".into());
    out.push_str(&format!(
        "TIMEOUT_S = {timeout}  # per call, retries included\n"
    ));
    out.push_str(&format!(
        "MAX_RETRIES = {}  # for rate limits, server errors and lost connections\n",
        setup.max_retries
    ));
    out.push_str(&format!(
        "QUORUM = {}  # fewest answers a variant's synthesis needs\n",
        setup.quorum
    ));
    out.push_str(&format!(
        "ROUNDS = {}  # the comparison repeated, one round after the other\n",
        setup.rounds
    ));
    out
}

const OPENAI_DESCRIBE: &str = r#"    if isinstance(error, openai.APIStatusError):
        return f"HTTP {error.status_code}: {error.message}"
"#;

const OPENAI_CLIENT: &str = r#"        else:
            # An OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp, ...) at the
            # variant's address; OPENAI_BASE_URL replaces it. A local server needs no key.
            clients[key] = openai.AsyncOpenAI(
                base_url=os.environ.get("OPENAI_BASE_URL", variant.base_url),
                api_key=os.environ.get("OPENAI_API_KEY", "not-needed"),
                max_retries=MAX_RETRIES,
            )
"#;

const OPENAI_CALL: &str = r#"    if variant.api == "openai":
        messages = [{"role": "system", "content": system}] if system else []
        messages.append({"role": "user", "content": prompt})
        options = {}
        if variant.temperature is not None:
            options["temperature"] = variant.temperature
        request = clients[(variant.api, variant.base_url)].chat.completions.create(
            model=variant.model,
            max_tokens=variant.max_tokens,
            messages=messages,
            **options,
        )
        response = await asyncio.wait_for(request, timeout=TIMEOUT_S)
        choice = response.choices[0] if response.choices else None
        text = (choice.message.content or "") if choice else ""
        usage = response.usage
        if usage is None:
            return text, 0, 0
        return text, usage.prompt_tokens, usage.completion_tokens
"#;

//! Text the simulated model writes: answers built from the question's own words, and a synthesis
//! that visibly merges the answers it was given (a section each, a note for each gap).

use crate::base::SplitMix64;
use crate::wire::model::{ANSWER_HEADING, MISSING_HEADING};

const STOP_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "with",
    "about",
    "from",
    "by",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "do",
    "does",
    "did",
    "i",
    "you",
    "we",
    "it",
    "its",
    "my",
    "your",
    "our",
    "their",
    "this",
    "that",
    "these",
    "those",
    "what",
    "which",
    "who",
    "whom",
    "how",
    "why",
    "when",
    "where",
    "should",
    "would",
    "could",
    "can",
    "will",
    "most",
    "some",
    "any",
    "there",
    "here",
    "me",
    "tell",
    "explain",
    "describe",
    "give",
    "list",
    "please",
    "into",
    "as",
    "than",
    "then",
    "so",
    "if",
    "not",
    "no",
    "yes",
    "best",
    "good",
    "get",
    "around",
    "know",
    "like",
    "have",
    "has",
    "main",
    "key",
    "top",
    "important",
    "visitors",
    "visitor",
    "way",
    "around",
    "think",
    "short",
    "overview",
    "things",
    "thing",
    "make",
    "much",
    "many",
    "local",
    "typical",
    "day",
    "look",
    "new",
    "use",
    "work",
    "one",
];

/// The subject of a question: "What are the top attractions in Paris?" → "the top attractions
/// in Paris".
pub fn subject_of(question: &str) -> String {
    let trimmed = question
        .trim()
        .trim_end_matches(['?', '.', '!', ':'])
        .trim();
    let lower = trimmed.to_lowercase();
    const OPENERS: &[&str] = &[
        "what are some of the",
        "what are some",
        "what are the",
        "what is the",
        "what are",
        "what is",
        "what's",
        "how do i",
        "how do you",
        "how does",
        "how do",
        "how can i",
        "how should i",
        "how to",
        "which are the",
        "which",
        "why is",
        "why do",
        "tell me about",
        "explain",
        "describe",
        "list",
        "give me",
        "who are",
        "who is",
        "what",
    ];
    for opener in OPENERS {
        if lower.starts_with(opener) && lower.len() > opener.len() {
            let rest = trimmed[opener.len()..].trim();
            if !rest.is_empty() {
                return noun_phrase(rest);
            }
        }
    }
    trimmed.to_string()
}

/// "local customs should visitors to Paris know" → "local customs in Paris": the words before a
/// helping verb, plus the place named after it.
fn noun_phrase(rest: &str) -> String {
    const HELPERS: &[&str] = &[
        "should", "do", "does", "did", "can", "could", "would", "will", "must",
    ];
    let words: Vec<&str> = rest.split_whitespace().collect();
    let Some(cut) = words
        .iter()
        .position(|w| HELPERS.contains(&w.to_lowercase().as_str()))
        .filter(|i| *i > 0)
    else {
        return rest.to_string();
    };
    let head = words[..cut].join(" ");
    let place = words[cut + 1..]
        .iter()
        .find(|w| w.chars().next().is_some_and(char::is_uppercase));
    match place {
        Some(place) => format!("{head} in {place}"),
        None => head,
    }
}

/// The terms an answer put in bold (the simulated answers bold their key points).
fn bold_terms(text: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for (i, part) in text.split("**").enumerate() {
        let term = part.trim();
        if i % 2 == 1 && !term.is_empty() && term.len() < 40 && !terms.iter().any(|t| t == term) {
            terms.push(term.to_string());
        }
    }
    terms
}

/// The content words of a text, first occurrence first, without stop words.
pub fn keywords(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for raw in text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'')) {
        let word = raw.trim_matches(|c: char| c == '-' || c == '\'');
        if word.chars().count() < 3 || STOP_WORDS.contains(&word.to_lowercase().as_str()) {
            continue;
        }
        if !words.iter().any(|w| w.eq_ignore_ascii_case(word)) {
            words.push(word.to_string());
        }
    }
    words
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn pick<'a>(rng: &mut SplitMix64, options: &[&'a str]) -> &'a str {
    options[rng.index(options.len())]
}

/// An answer to `question` of roughly `target_words` words, in Markdown: the one written for it
/// when it is a preset's question on its topic, else built from the question's words.
pub fn answer(question: &str, target_words: usize, rng: &mut SplitMix64) -> String {
    if let Some(written) = super::canned::written_answer(question) {
        return written.to_string();
    }
    let subject = subject_of(question);
    let mut words = keywords(&subject);
    if words.is_empty() {
        words.push("this".into());
    }
    let k = |i: usize| words[i % words.len()].clone();
    let opening = pick(
        rng,
        &[
            "Here is a short overview of {s}.",
            "When it comes to {s}, a few points stand out.",
            "A good way to think about {s} is in a handful of parts.",
            "{S} is worth approaching with a plan; these are the essentials.",
        ],
    );
    let mut text = opening
        .replace("{s}", &subject)
        .replace("{S}", &capitalize(&subject));
    text.push_str("\n\n");
    const POINTS: &[&str] = &[
        "is usually the first thing people mention, and it rewards a little planning ahead.",
        "matters more than it first seems; compare two or three options before you commit.",
        "works best when you give it unhurried time rather than squeezing it in.",
        "changes with the season and the time of day, so check current details before relying on it.",
        "is where most newcomers make avoidable mistakes; ask someone who has done it recently.",
        "ties the rest together: once it is settled, the other choices become easier.",
        "has a cheap option and a comfortable one, and the difference is often smaller than expected.",
        "is best understood by looking at a concrete example rather than a general rule.",
    ];
    // Each point a different sentence: a shuffled order of the templates.
    let mut order: Vec<usize> = (0..POINTS.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.index(i + 1));
    }
    let mut point = 0;
    // Counted as the text grows (each piece ends in whitespace, so the counts add up): counting
    // the whole text again for every point made a thousand answers a 25 ms task.
    let mut word_count = text.split_whitespace().count();
    while word_count < target_words.saturating_sub(25).max(20) && point < POINTS.len() {
        let sentence = POINTS[order[point]];
        let line = format!("- **{}** {}\n", capitalize(&k(point)), sentence);
        word_count += line.split_whitespace().count();
        text.push_str(&line);
        point += 1;
    }
    let closing = pick(
        rng,
        &[
            "In short: start with {a}, keep {b} in mind, and leave room for the unexpected.",
            "Taken together, {a} and {b} give you a solid picture of {s}.",
            "If you only remember one thing, make it {a}; {b} comes a close second.",
        ],
    );
    text.push('\n');
    text.push_str(
        &closing
            .replace("{a}", &k(0))
            .replace("{b}", &k(1))
            .replace("{s}", &subject),
    );
    text
}

/// One research section found in a synthesis prompt.
struct Section {
    number: usize,
    question: String,
    answer: Option<String>,
}

fn sections_of(prompt: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for line in prompt.lines() {
        let (heading, answered) = if let Some(rest) = line.strip_prefix(ANSWER_HEADING) {
            (rest, true)
        } else if let Some(rest) = line.strip_prefix(MISSING_HEADING) {
            (rest, false)
        } else {
            if let Some(section) = sections.last_mut() {
                if let Some(answer) = section.answer.as_mut() {
                    answer.push_str(line);
                    answer.push('\n');
                }
            }
            continue;
        };
        let Some((number, question)) = heading.split_once(':') else {
            continue;
        };
        sections.push(Section {
            number: number.trim().parse().unwrap_or(sections.len() + 1),
            question: question.trim().to_string(),
            answer: answered.then(String::new),
        });
    }
    sections
}

/// Whether a prompt is one the engine built for a synthesis.
pub fn is_synthesis_prompt(prompt: &str) -> bool {
    prompt.lines().any(|l| l.starts_with(ANSWER_HEADING))
}

/// The synthesis of the research in `prompt`: a heading, one section per answered question that
/// draws on that answer, and a note for every missing one.
pub fn synthesis(prompt: &str, rng: &mut SplitMix64) -> String {
    let sections = sections_of(prompt);
    let instructions = prompt.lines().next().unwrap_or("").trim();
    let title = if instructions.to_lowercase().contains("travel guide") {
        "Travel guide"
    } else {
        pick(
            rng,
            &["Synthesis", "Combined findings", "Summary of the research"],
        )
    };
    let answered = sections.iter().filter(|s| s.answer.is_some()).count();
    let mut text = format!(
        "# {title}\n\nThis brings together {answered} of {} research answers.\n",
        sections.len()
    );
    for section in &sections {
        let subject = subject_of(&section.question);
        match &section.answer {
            Some(answer) => {
                let mut found = bold_terms(answer);
                if found.is_empty() {
                    found = keywords(answer);
                }
                let highlights: Vec<String> = found.iter().take(3).cloned().collect();
                text.push_str(&format!(
                    "\n## {}\n\nOn {} (question {}): the research points to {}. {}\n",
                    capitalize(&subject),
                    subject,
                    section.number,
                    join_words(&highlights),
                    pick(
                        rng,
                        &[
                            "This fits with the other findings below.",
                            "Plan this early; it shapes the rest.",
                            "Treat it as the backbone of the plan.",
                        ]
                    )
                ));
            }
            None => text.push_str(&format!(
                "\n> **Gap:** question {} ({}) has no answer, so this part is missing; \
                 ask again before relying on this {}.\n",
                section.number,
                section.question,
                title.to_lowercase()
            )),
        }
    }
    text.push_str(&format!(
        "\n**Bottom line:** {}.\n",
        if answered == sections.len() {
            "every question was answered, and the pieces fit together"
        } else {
            "use what is here, and fill the gaps noted above"
        }
    ));
    text
}

fn join_words(words: &[String]) -> String {
    match words {
        [] => "a few practical points".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_subject_and_keywords_of_a_question() {
        assert_eq!(
            subject_of("What are the top attractions in Paris?"),
            "top attractions in Paris"
        );
        assert_eq!(
            keywords("top attractions in Paris"),
            vec!["attractions", "Paris"]
        );
    }

    #[test]
    fn answers_use_the_words_of_the_question() {
        let mut rng = SplitMix64::new(3);
        let text = answer("How do I get around Paris by metro?", 120, &mut rng);
        assert!(text.contains("Paris"), "{text}");
        assert!(text.contains("metro") || text.contains("Metro"), "{text}");
        assert!(text.split_whitespace().count() >= 60, "{text}");
    }

    #[test]
    fn synthesis_has_a_section_per_answer_and_notes_each_gap() {
        // The shape of the engine's synthesis prompt (`engine::synthesis_prompt`, which checks
        // that the simulated model reads its real output).
        let prompt = format!(
            "Write a travel guide.\n\nSome research failed: 1 of 2 questions have an answer.\n\n\
             {ANSWER_HEADING} 1: What are the top attractions in Paris?\nThe Louvre and Montmartre.\n\n\
             {MISSING_HEADING} 2: How do I get around Paris?\n(No answer: HTTP 500)\n"
        );
        let mut rng = SplitMix64::new(1);
        let text = synthesis(&prompt, &mut rng);
        assert!(text.starts_with("# Travel guide"), "{text}");
        assert!(text.contains("## Top attractions in Paris"), "{text}");
        assert!(text.contains("Louvre"), "{text}");
        assert!(text.contains("**Gap:** question 2"), "{text}");
        assert!(is_synthesis_prompt(&prompt));
    }
}

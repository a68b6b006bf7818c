//! Saved workspaces and share links: every preset survives both, links stay short, old saves
//! are migrated, newer ones refused, absurd values clamped, and no damaged input (of any kind)
//! panics or slips through unchecked.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use parallel_playground::workspace::*;
use serde_json::{json, Value};

/// A share fragment holding exactly `json` (compressed and encoded as the page does).
fn fragment_of_json(json: &str) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 6);
    format!("w=1.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// The default workspace as JSON with `edit` applied to it.
fn edited_json(edit: impl FnOnce(&mut Value)) -> String {
    let mut value: Value =
        serde_json::from_str(&encode_saved(&Workspace::default())).expect("encode_saved is JSON");
    edit(&mut value);
    value.to_string()
}

/// Every object key in `value`, at any depth.
fn all_keys(value: &Value, keys: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                keys.push(key.clone());
                all_keys(inner, keys);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| all_keys(item, keys)),
        _ => {}
    }
}

#[test]
fn every_preset_round_trips_through_storage_and_share_links() {
    for preset in PRESETS {
        let ws = preset.workspace();
        assert_eq!(
            decode_saved(&encode_saved(&ws)),
            Ok(ws.clone()),
            "{}",
            preset.id
        );
        assert_eq!(
            decode_share(&encode_share(&ws)),
            Ok(ws.clone()),
            "{}",
            preset.id
        );
    }
}

#[test]
fn an_edited_workspace_round_trips_with_every_setting() {
    let mut ws = preset("failure-drill").expect("preset").workspace();
    ws.topic = "Zürich — «quotes» & 日本語 {topic}".into();
    ws.provider.kind = ProviderKind::OpenAi;
    ws.provider.temperature = Some(0.25);
    ws.run.concurrency_limit = Some(2);
    ws.run.timeout_ms = None;
    ws.run.failure_policy = parallel_playground::engine::FailurePolicy::FailFast;
    ws.simulation.seed = u64::MAX;
    ws.simulation.failure_rate = 0.5;
    ws.mode = PageMode::Agents;
    ws.agents.prompts = vec!["What is 1 + 1?".into()];
    ws.agents.parallel_tools = false;
    assert_eq!(decode_saved(&encode_saved(&ws)), Ok(ws.clone()));
    assert_eq!(decode_share(&encode_share(&ws)), Ok(ws));
}

#[test]
fn share_links_stay_short() {
    for preset in PRESETS {
        // A pattern's document or shared prefix is content, not set-up: the shipped sample
        // (some 2.9 KB) is measured apart, and the rest is held to the same bound.
        let mut ws = preset.workspace();
        let with_text = encode_share(&ws).len();
        assert!(with_text < 6000, "{} with its text: {with_text}", preset.id);
        ws.patterns.document.clear();
        ws.patterns.shared_prefix.clear();
        let fragment = encode_share(&ws);
        println!(
            "share fragment for {:>14}: {} characters",
            preset.id,
            fragment.len()
        );
        assert!(fragment.len() < 1500, "{}: {}", preset.id, fragment.len());
    }
    let travel = encode_share(&Workspace::default());
    assert!(travel.len() < 1000, "travel: {}", travel.len());
}

#[test]
fn share_fragments_use_only_url_safe_characters() {
    let fragment = encode_share(&Workspace::default());
    let data = fragment.strip_prefix("w=1.").expect("prefix");
    assert!(data
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
}

#[test]
fn a_share_fragment_is_read_with_or_without_hash_and_beside_other_parts() {
    let ws = preset("market").expect("preset").workspace();
    let fragment = encode_share(&ws);
    for written in [
        fragment.clone(),
        format!("#{fragment}"),
        format!("#step=3&{fragment}"),
        format!("{fragment}&step=3&lesson=intro"),
    ] {
        assert_eq!(decode_share(&written), Ok(ws.clone()), "{written}");
        assert!(written.contains("step") == fragment_param(&written, "step").is_some());
    }
    assert_eq!(
        fragment_param(&format!("#{fragment}&step=3"), "step"),
        Some("3".into())
    );
}

#[test]
fn a_serialised_workspace_has_no_field_that_could_hold_an_api_key() {
    let mut keys = Vec::new();
    let saved: Value = serde_json::from_str(&encode_saved(&Workspace::default())).expect("json");
    all_keys(&saved, &mut keys);
    assert!(keys.contains(&"questions".to_string()), "{keys:?}");
    for key in &keys {
        let lower = key.to_ascii_lowercase();
        let key_like = ["key", "secret", "password", "auth", "credential", "bearer"]
            .iter()
            .any(|word| lower.contains(word))
            || (lower.contains("token") && lower != "max_tokens");
        assert!(!key_like, "field {key:?} could hold a key");
    }
    // What a link carries is exactly the saved JSON.
    let shared = decode_share(&encode_share(&Workspace::default())).expect("opens");
    let shared_json: Value = serde_json::from_str(&encode_saved(&shared)).expect("json");
    assert_eq!(shared_json, saved);
}

#[test]
fn links_with_nothing_to_open_say_so() {
    for fragment in ["", "#", "#step=3", "ww=1.abc", "W=1.abc"] {
        assert_eq!(
            decode_share(fragment),
            Err(ShareError::NoWorkspace),
            "{fragment}"
        );
    }
}

#[test]
fn links_of_an_unknown_format_are_refused() {
    assert_eq!(
        decode_share("w=2.abcd"),
        Err(ShareError::UnknownFormat("2".into()))
    );
    assert_eq!(
        decode_share("w="),
        Err(ShareError::UnknownFormat(String::new()))
    );
}

#[test]
fn damaged_links_give_the_matching_error() {
    assert_eq!(decode_share("w=1.@@@@"), Err(ShareError::BadBase64));
    assert_eq!(decode_share("w=1.a"), Err(ShareError::BadBase64));
    let garbage = format!("w=1.{}", URL_SAFE_NO_PAD.encode([0xff; 12]));
    assert_eq!(decode_share(&garbage), Err(ShareError::Inflate));
    let full = encode_share(&Workspace::default());
    let cut = &full[..full.len() / 2];
    assert!(
        matches!(
            decode_share(cut),
            Err(ShareError::Inflate | ShareError::BadBase64)
        ),
        "{:?}",
        decode_share(cut)
    );
    assert!(matches!(
        decode_share(&fragment_of_json("not json")),
        Err(ShareError::NotJson(_))
    ));
    assert_eq!(
        decode_share(&fragment_of_json("[1, 2]")),
        Err(ShareError::NotAnObject)
    );
    assert!(matches!(
        decode_share(&fragment_of_json(r#"{"questions": "x"}"#)),
        Err(ShareError::InvalidContent(ContentProblem::WrongShape(_)))
    ));
}

#[test]
fn a_small_link_that_inflates_past_the_limit_is_refused() {
    let bomb = " ".repeat(MAX_SHARED_JSON_BYTES + 1);
    let fragment = fragment_of_json(&bomb);
    assert!(fragment.len() < 2_000, "{}", fragment.len());
    assert_eq!(decode_share(&fragment), Err(ShareError::TooLarge));
    let just_fits = format!("{}{}", " ".repeat(MAX_SHARED_JSON_BYTES - 2), "{}");
    assert_eq!(
        decode_share(&fragment_of_json(&just_fits)).map(|_| ()),
        Ok(())
    );
}

#[test]
fn an_overlong_link_is_refused_before_decoding() {
    let long = format!("w=1.{}", "A".repeat(MAX_SHARE_VALUE_BYTES));
    assert_eq!(decode_share(&long), Err(ShareError::TooLarge));
}

#[test]
fn workspaces_from_a_newer_version_are_refused_in_both_codecs() {
    let newer = edited_json(|v| v["version"] = json!(WORKSPACE_VERSION + 1));
    let found = u64::from(WORKSPACE_VERSION + 1);
    assert_eq!(decode_saved(&newer), Err(LoadError::NewerVersion { found }));
    assert_eq!(
        decode_share(&fragment_of_json(&newer)),
        Err(ShareError::NewerVersion { found })
    );
    let sentence = LoadError::NewerVersion { found }.to_string();
    assert!(sentence.contains("saved by a newer version"), "{sentence}");
}

#[test]
fn a_workspace_without_a_version_is_read_as_version_zero_and_migrated() {
    let v0 = r#"{"topic": "Rome", "questions": [{"text": "What to eat in {topic}?"}]}"#;
    let ws = decode_saved(v0).expect("migrates");
    assert_eq!(ws.version, WORKSPACE_VERSION);
    assert_eq!(ws.topic, "Rome");
    assert_eq!(ws.questions, vec![Question::new("What to eat in {topic}?")]);
    assert_eq!(ws.run, Workspace::default().run);
    assert_eq!(decode_share(&fragment_of_json(v0)), Ok(ws));
}

#[test]
fn unreadable_saves_give_the_matching_error() {
    for text in ["", "not json", "{", "{\"a\":}"] {
        assert!(
            matches!(decode_saved(text), Err(LoadError::NotJson(_))),
            "{text}"
        );
    }
    for text in ["[1]", "\"text\"", "null", "42", "true"] {
        assert_eq!(decode_saved(text), Err(LoadError::NotAnObject), "{text}");
    }
    for version in [json!("1"), json!(-1), json!(1.5), json!(1e30), json!([1])] {
        let text = edited_json(|v| v["version"] = version.clone());
        assert_eq!(
            decode_saved(&text),
            Err(LoadError::InvalidContent(ContentProblem::BadVersion)),
            "{version}"
        );
    }
    for edit in [
        json!({"questions": 5}),
        json!({"questions": [{"text": 1}]}),
        json!({"questions": [{"text": "a", "simulate": "explode"}]}),
        json!({"run": {"concurrency_limit": -1}}),
        json!({"provider": {"kind": "someone-else"}}),
        json!({"simulation": {"speed": "fast"}}),
    ] {
        let text = edited_json(|v| {
            for (key, value) in edit.as_object().expect("object") {
                v[key] = value.clone();
            }
        });
        assert!(
            matches!(
                decode_saved(&text),
                Err(LoadError::InvalidContent(ContentProblem::WrongShape(_)))
            ),
            "{edit}"
        );
    }
}

#[test]
fn deeply_nested_json_is_refused_without_overflowing() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(decode_saved(&deep), Err(LoadError::NotJson(_))));
    assert!(matches!(
        decode_share(&fragment_of_json(&deep)),
        Err(ShareError::NotJson(_))
    ));
}

#[test]
fn absurd_numbers_are_clamped_to_sensible_values() {
    let text = edited_json(|v| {
        v["run"]["concurrency_limit"] = json!(0);
        v["run"]["timeout_ms"] = json!(-5.0);
        v["run"]["quorum"] = json!(0);
        v["run"]["max_retries"] = json!(4_000_000_000u32);
        v["provider"]["max_tokens"] = json!(0);
        v["provider"]["temperature"] = json!(9.5);
        v["simulation"]["speed"] = json!(0.0);
        v["simulation"]["failure_rate"] = json!(7);
        v["simulation"]["slow_rate"] = json!(-1);
        v["simulation"]["chunk_ms"] = json!(0);
        v["agents"]["tool_latency_ms"] = json!(-1);
        v["agents"]["max_turns"] = json!(0);
    });
    let ws = decode_saved(&text).expect("clamped, not refused");
    assert_eq!(ws.run.concurrency_limit, Some(1));
    assert_eq!(ws.run.timeout_ms, RunSettings::default().timeout_ms);
    assert_eq!(ws.run.quorum, 1);
    assert_eq!(ws.run.max_retries, MAX_RETRIES);
    assert_eq!(
        ws.provider.max_tokens,
        ProviderSettings::default().max_tokens
    );
    assert_eq!(ws.provider.temperature, Some(2.0));
    assert_eq!(ws.simulation.speed, 1.0);
    assert_eq!(ws.simulation.failure_rate, 1.0);
    assert_eq!(ws.simulation.slow_rate, 0.0);
    assert_eq!(ws.simulation.chunk_ms, 50.0);
    assert_eq!(
        ws.agents.tool_latency_ms,
        AgentSettings::default().tool_latency_ms
    );
    assert_eq!(ws.agents.max_turns, 1);
    assert!(ws.problems().is_empty(), "{:?}", ws.problems());

    let huge = edited_json(|v| {
        v["run"]["concurrency_limit"] = json!(1_000_000_000_000u64);
        v["run"]["timeout_ms"] = json!(1e300);
        v["simulation"]["speed"] = json!(1e300);
        v["agents"]["tool_latency_ms"] = json!(1e300);
    });
    let ws = decode_saved(&huge).expect("clamped, not refused");
    assert_eq!(ws.run.concurrency_limit, None);
    assert_eq!(ws.run.timeout_ms, Some(MAX_TIMEOUT_MS));
    assert_eq!(ws.simulation.speed, MAX_SIMULATION_SPEED);
    assert_eq!(ws.agents.tool_latency_ms, MAX_TOOL_LATENCY_MS);
}

#[test]
fn numbers_json_cannot_hold_are_clamped_before_saving() {
    let mut ws = Workspace::default();
    ws.run.timeout_ms = Some(f64::NAN);
    ws.simulation.speed = f64::NAN;
    ws.simulation.failure_rate = f64::INFINITY;
    ws.provider.temperature = Some(f32::NAN);
    let read = decode_saved(&encode_saved(&ws)).expect("reads back");
    // NaN would have been written as `null`, i.e. "no timeout": the default is kept instead.
    assert_eq!(read.run.timeout_ms, RunSettings::default().timeout_ms);
    assert_eq!(read.simulation.speed, 1.0);
    assert_eq!(read.simulation.failure_rate, 1.0);
    assert_eq!(read.provider.temperature, None);
}

#[test]
fn too_many_questions_are_refused_and_the_limit_itself_is_fine() {
    let with_questions = |count: usize| Workspace {
        questions: vec![Question::new("Why?"); count],
        ..Workspace::default()
    };
    let at_limit = with_questions(MAX_QUESTIONS);
    assert_eq!(decode_saved(&encode_saved(&at_limit)), Ok(at_limit.clone()));
    let over = with_questions(MAX_QUESTIONS + 1);
    let expected = ContentProblem::TooManyQuestions {
        count: MAX_QUESTIONS + 1,
    };
    assert_eq!(
        decode_saved(&encode_saved(&over)),
        Err(LoadError::InvalidContent(expected.clone()))
    );
    assert_eq!(
        decode_share(&encode_share(&over)),
        Err(ShareError::InvalidContent(expected))
    );
}

#[test]
fn overlong_texts_are_refused_counting_characters_not_bytes() {
    let mut ws = Workspace::default();
    ws.questions[1].text = "é".repeat(MAX_QUESTION_CHARS);
    assert_eq!(decode_saved(&encode_saved(&ws)), Ok(ws.clone()));
    ws.questions[1].text.push('é');
    assert_eq!(
        decode_saved(&encode_saved(&ws)),
        Err(LoadError::InvalidContent(ContentProblem::QuestionTooLong {
            number: 2,
            length: MAX_QUESTION_CHARS + 1
        }))
    );
    let ws = Workspace {
        system_prompt: "x".repeat(MAX_PROMPT_CHARS + 1),
        ..Workspace::default()
    };
    assert!(matches!(
        decode_saved(&encode_saved(&ws)),
        Err(LoadError::InvalidContent(ContentProblem::TextTooLong {
            field: "system prompt",
            ..
        }))
    ));
    let mut ws = Workspace::default();
    ws.agents.prompts = vec!["x".repeat(MAX_QUESTION_CHARS + 1)];
    assert!(matches!(
        decode_saved(&encode_saved(&ws)),
        Err(LoadError::InvalidContent(
            ContentProblem::AgentPromptTooLong { number: 1, .. }
        ))
    ));
}

#[test]
fn error_sentences_name_the_problem_for_a_person() {
    let sentence = decode_saved("{").expect_err("not JSON").to_string();
    assert!(
        sentence.starts_with("The saved workspace could not be read (it is not valid JSON"),
        "{sentence}"
    );
    let too_many = LoadError::InvalidContent(ContentProblem::TooManyQuestions { count: 1001 });
    assert_eq!(
        too_many.to_string(),
        "The saved workspace could not be used (it has 1001 questions, more than the 1000 \
         allowed)."
    );
    // What the page then did is said only once it is known (see `recovery`).
    let (kept, _) = recovery::unreadable_save(&too_many, true);
    assert!(
        kept.ends_with("the damaged copy was kept under “parallel-playground.workspace.damaged”."),
        "{kept}"
    );
    let link = decode_share("w=1.@").expect_err("bad").to_string();
    assert!(link.contains("damaged or cut off"), "{link}");
}

#[cfg(not(target_arch = "wasm32"))]
mod random_input {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    fn runner(cases: u32) -> TestRunner {
        TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        })
    }

    fn check<S: Strategy>(
        cases: u32,
        strategy: S,
        test: impl Fn(S::Value) -> Result<(), TestCaseError>,
    ) {
        if let Err(failure) = runner(cases).run(&strategy, test) {
            panic!("{failure}");
        }
    }

    /// A float that JSON carries exactly, or one of the values it cannot carry.
    fn any_setting_number() -> impl Strategy<Value = f64> {
        prop_oneof![
            (-8_000_000i64..8_000_000).prop_map(|n| n as f64 / 8.0),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(0.0),
        ]
    }

    #[test]
    fn random_text_never_panics_either_decoder() {
        check(3_000, any::<String>(), |text| {
            let _ = decode_saved(&text);
            let _ = decode_share(&text);
            let _ = decode_share(&format!("w=1.{text}"));
            Ok(())
        });
    }

    #[test]
    fn random_bytes_behind_a_valid_prefix_are_refused_without_panicking() {
        check(
            3_000,
            proptest::collection::vec(any::<u8>(), 0..600),
            |bytes| {
                let result = decode_share(&format!("w=1.{}", URL_SAFE_NO_PAD.encode(&bytes)));
                // Should random bytes ever form a workspace, it must at least be a checked one.
                if let Ok(ws) = result {
                    prop_assert_eq!(sanitize(ws.clone()), Ok(ws));
                }
                Ok(())
            },
        );
    }

    #[test]
    fn random_deflated_content_is_refused_without_panicking() {
        let piece = proptest::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"version\"",
            "\"questions\"",
            "\"text\"",
            "\"run\"",
            "1",
            "0",
            "-1",
            "1e400",
            "null",
            "\"\"",
            "\"x\"",
            "true",
            " ",
        ]);
        check(2_000, proptest::collection::vec(piece, 0..40), |pieces| {
            let json = pieces.concat();
            let _ = decode_share(&fragment_of_json(&json));
            let _ = decode_saved(&json);
            Ok(())
        });
    }

    #[test]
    fn any_workspace_reads_back_as_its_sanitized_self() {
        let texts = proptest::collection::vec("\\PC{0,30}", 0..6);
        let numbers = proptest::collection::vec(any_setting_number(), 7);
        let counts = (
            proptest::option::of(0usize..2000),
            0usize..3000,
            any::<u32>(),
            any::<u32>(),
            any::<u64>(),
            0usize..100,
        );
        check(400, (texts, numbers, counts), |(texts, numbers, counts)| {
            let mut ws = Workspace {
                topic: texts.first().cloned().unwrap_or_default(),
                questions: texts.iter().map(|t| Question::new(t)).collect(),
                ..Workspace::default()
            };
            ws.agents.prompts = texts.clone();
            let (limit, quorum, retries, max_tokens, seed, turns) = counts;
            ws.run.concurrency_limit = limit;
            ws.run.quorum = quorum;
            ws.run.max_retries = retries;
            ws.provider.max_tokens = max_tokens;
            ws.simulation.seed = seed;
            ws.agents.max_turns = turns;
            ws.run.timeout_ms = Some(numbers[0]);
            ws.simulation.speed = numbers[1];
            ws.simulation.failure_rate = numbers[2];
            ws.simulation.chunk_ms = numbers[3];
            ws.agents.tool_latency_ms = numbers[4];
            ws.provider.temperature = Some((numbers[5] / 1000.0).round() as f32 / 4.0);
            ws.simulation.slow_rate = numbers[6];

            let expected = sanitize(ws.clone()).expect("within the limits");
            prop_assert_eq!(decode_saved(&encode_saved(&ws)), Ok(expected.clone()));
            prop_assert_eq!(decode_share(&encode_share(&ws)), Ok(expected.clone()));
            prop_assert_eq!(sanitize(expected.clone()), Ok(expected));
            Ok(())
        });
    }
}

/// Whatever the editor accepts — text cut to the limits as the person types, numbers fitted
/// into their ranges by the same functions the settings use — reads back unchanged from a save
/// and from a share link.
#[cfg(not(target_arch = "wasm32"))]
mod editor_round_trip {
    use super::*;
    use parallel_playground::workspace::limits::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    /// Text as typed or pasted: short random text, or a run of one character of a length at or
    /// around a limit.
    fn typed_text() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => "\\PC{0,40}",
            1 => (any::<char>(), prop_oneof![
                Just(MAX_QUESTION_CHARS - 1),
                Just(MAX_QUESTION_CHARS),
                Just(MAX_QUESTION_CHARS + 1),
                Just(25_000usize),
            ]).prop_map(|(c, n)| c.to_string().repeat(n)),
        ]
    }

    /// What a person can type into a number field.
    fn typed_number() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<f64>().prop_map(|v| v.to_string()),
            (-2_000_000i64..2_000_000).prop_map(|v| v.to_string()),
            (0.0f64..3.0).prop_map(|v| v.to_string()),
            Just(String::new()),
            Just("1e309".to_string()),
            Just("-0".to_string()),
            Just("abc".to_string()),
        ]
    }

    /// Applies typed text to the workspace the way the editor does.
    fn type_into(ws: &mut Workspace, texts: &[String], numbers: &[String]) {
        let clip = |field: &str, text: &str, max: usize| clip_text(field, text, max).text;
        ws.topic = clip("The topic", &texts[0], MAX_TOPIC_CHARS);
        ws.system_prompt = clip("The system prompt", &texts[1], MAX_PROMPT_CHARS);
        ws.synthesis_prompt = clip("The synthesis prompt", &texts[2], MAX_PROMPT_CHARS);
        ws.questions = texts[3..]
            .iter()
            .map(|t| Question::new(&clip("Question", t, MAX_QUESTION_CHARS)))
            .collect();
        ws.agents.prompts = texts
            .iter()
            .rev()
            .map(|t| clip("Prompt", t, MAX_AGENT_PROMPT_CHARS))
            .collect();
        let n = |i: usize| numbers[i].as_str();
        if let Some((v, _)) = MAX_TOKENS.fit_typed_whole(n(0)) {
            ws.provider.max_tokens = v as u32;
        }
        ws.provider.temperature = TEMPERATURE.fit_typed(n(1)).map(|(t, _)| t as f32);
        ws.run.concurrency_limit = CONCURRENCY_LIMIT
            .fit_typed_whole(n(2))
            .map(|(l, _)| l as usize);
        ws.run.timeout_ms = TIMEOUT_MS.fit_typed_whole(n(3)).map(|(t, _)| t);
        if let Some((q, _)) = QUORUM.fit_typed_whole(n(4)) {
            ws.run.quorum = q as usize;
        }
        if let Some((r, _)) = RETRIES.fit_typed_whole(n(5)) {
            ws.run.max_retries = r as u32;
        }
        if let Some((s, _)) = SIMULATION_SPEED.fit_typed(n(6)) {
            ws.simulation.speed = s;
        }
        if let Some((r, _)) = RATE.fit_typed(n(7)) {
            ws.simulation.failure_rate = r;
        }
        if let Some((r, _)) = RATE.fit_typed(n(8)) {
            ws.simulation.slow_rate = r;
        }
        if let Some((r, _)) = RATE.fit_typed(n(9)) {
            ws.simulation.rate_limit_rate = r;
        }
        if let Some((ms, _)) = TOOL_LATENCY_MS.fit_typed_whole(n(10)) {
            ws.agents.tool_latency_ms = ms;
        }
        if let Ok(seed) = n(11).trim().parse::<u64>() {
            ws.simulation.seed = seed;
        }
    }

    #[test]
    fn anything_the_editor_accepts_survives_save_and_share_unchanged() {
        let strategy = (
            proptest::collection::vec(typed_text(), 3..9),
            proptest::collection::vec(typed_number(), 12),
        );
        let mut runner = TestRunner::new(Config {
            cases: 300,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&strategy, |(texts, numbers)| {
            let mut ws = Workspace::default();
            type_into(&mut ws, &texts, &numbers);
            prop_assert_eq!(decode_saved(&encode_saved(&ws)), Ok(ws.clone()));
            if share_fits(&ws) {
                prop_assert_eq!(decode_share(&encode_share(&ws)), Ok(ws.clone()));
            }
            Ok(())
        });
        if let Err(failure) = result {
            panic!("{failure}");
        }
    }

    #[test]
    fn the_largest_set_up_the_editor_accepts_survives_save_and_reload() {
        let mut ws = Workspace {
            questions: (0..MAX_QUESTIONS)
                .map(|i| {
                    let number = i.to_string();
                    Question::new(&format!(
                        "{number}{}",
                        "q".repeat(MAX_QUESTION_CHARS - number.len())
                    ))
                })
                .collect(),
            ..Workspace::default()
        };
        ws.topic = "é".repeat(MAX_TOPIC_CHARS);
        ws.system_prompt = "s".repeat(MAX_PROMPT_CHARS);
        ws.synthesis_prompt = "😀".repeat(MAX_PROMPT_CHARS);
        ws.agents.prompts = vec!["p".repeat(MAX_AGENT_PROMPT_CHARS); 3];
        ws.provider.max_tokens = MAX_MAX_TOKENS;
        ws.provider.temperature = Some(TEMPERATURE.max as f32);
        ws.run.concurrency_limit = Some(MAX_QUESTIONS);
        ws.run.quorum = MAX_QUESTIONS;
        ws.run.timeout_ms = Some(MAX_TIMEOUT_MS);
        ws.run.max_retries = MAX_RETRIES;
        ws.simulation.speed = SIMULATION_SPEED.min;
        ws.agents.tool_latency_ms = MAX_TOOL_LATENCY_MS;
        ws.agents.max_turns = MAX_AGENT_TURNS;
        assert_eq!(decode_saved(&encode_saved(&ws)), Ok(ws.clone()));
        // One question over any limit is what the editor cuts; the loader would refuse it.
        let mut over = ws.clone();
        over.questions[0].text.push('q');
        assert!(decode_saved(&encode_saved(&over)).is_err());
    }

    #[test]
    fn a_question_at_the_length_limit_survives_a_share_link() {
        let mut ws = Workspace::default();
        ws.questions[0].text = "ü".repeat(MAX_QUESTION_CHARS);
        ws.topic = "x".repeat(MAX_TOPIC_CHARS);
        assert!(share_fits(&ws));
        assert_eq!(decode_share(&encode_share(&ws)), Ok(ws));
    }

    #[test]
    fn a_25000_character_question_is_cut_to_what_the_loader_accepts() {
        let typed = "a".repeat(25_000);
        let cut = clip_text("Question 1", &typed, MAX_QUESTION_CHARS);
        assert_eq!(cut.text.chars().count(), MAX_QUESTION_CHARS);
        assert!(cut.sentence.expect("a sentence").contains("20,000"));
        let mut ws = Workspace::default();
        ws.questions[0].text = cut.text;
        assert_eq!(decode_saved(&encode_saved(&ws)), Ok(ws));
    }
}

//! Structure of the generated programs: the right pattern for each plan, in each language.

use super::*;
use crate::engine::RetryPolicy;

fn travel_plan() -> RunPlan {
    RunPlan {
        questions: vec![
            "What are the top 3 attractions in Paris?".into(),
            "What is the best way to get around Paris?".into(),
        ],
        system_prompt: Some("You are a helpful travel researcher.".into()),
        ..RunPlan::default()
    }
}

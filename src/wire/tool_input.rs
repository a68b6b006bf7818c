//! [`ToolInputCheck`]: the streamed JSON input of each tool call, checked when the call is
//! complete, so that a tool call whose input cannot be read ends the stream with that reason
//! instead of becoming a green turn with no tools run.

use crate::providers::ProviderError;

/// One tool call's input so far.
#[derive(Debug)]
struct PendingInput {
    index: usize,
    name: String,
    json: String,
    checked: bool,
}

/// The input fragments of every tool call of one response, by content-block index.
#[derive(Debug, Default)]
pub struct ToolInputCheck {
    calls: Vec<PendingInput>,
}

impl ToolInputCheck {
    /// A tool call began at block `index`.
    pub fn start(&mut self, index: usize, name: &str) {
        self.calls.push(PendingInput {
            index,
            name: name.to_string(),
            json: String::new(),
            checked: false,
        });
    }

    /// A fragment of the input of the call at `index` (ignored for an unknown index, as the
    /// accumulator ignores it).
    pub fn push(&mut self, index: usize, fragment: &str) {
        if let Some(call) = self.calls.iter_mut().rev().find(|c| c.index == index) {
            call.json.push_str(fragment);
        }
    }

    /// The call at `index` is complete: its input must be JSON (or empty, meaning `{}`).
    pub fn check(&mut self, index: usize) -> Result<(), ProviderError> {
        match self.calls.iter_mut().rev().find(|c| c.index == index) {
            Some(call) => check_call(call),
            None => Ok(()),
        }
    }

    /// The response is complete: every call not yet checked is checked now.
    pub fn check_all(&mut self) -> Result<(), ProviderError> {
        self.calls.iter_mut().try_for_each(check_call)
    }
}

fn check_call(call: &mut PendingInput) -> Result<(), ProviderError> {
    if std::mem::replace(&mut call.checked, true) || call.json.trim().is_empty() {
        return Ok(());
    }
    // Read as the accumulator will read it (a `Value`), so what passes here cannot fail there.
    // serde_json refuses nesting deeper than 128 levels: hostile input is an error, never a
    // deep recursion.
    match serde_json::from_str::<serde_json::Value>(&call.json) {
        Ok(_) => {
            // The accumulator keeps its own copy; this one is no longer needed.
            call.json = String::new();
            Ok(())
        }
        Err(e) => Err(ProviderError::Decode {
            message: format!(
                "the input of tool call {} is not valid JSON ({e}), so the tool could not run",
                call.name
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_inputs_pass_and_broken_ones_name_the_tool() {
        let mut check = ToolInputCheck::default();
        check.start(1, "add");
        check.push(1, "{\"a\": 2,");
        check.push(1, " \"b\": 3}");
        check.start(2, "multiply");
        check.push(2, "{\"a\": 2, \"b\"");
        check.start(3, "noop");
        assert_eq!(check.check(1), Ok(()));
        assert_eq!(check.check(3), Ok(()));
        let error = check.check_all().expect_err("multiply's input is cut");
        assert!(error.to_string().contains("tool call multiply"), "{error}");
    }
}

//! Tool definitions as both APIs send them, read with their schema properties in document order
//! (a `serde_json::Value` would sort them), so "the first number is 2, the second 3" follows the
//! schema as written.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

/// A tool the model may call: its name and its parameters in schema order.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    pub name: String,
    pub properties: Vec<(String, Value)>,
}

/// Schema properties in the order the client wrote them.
#[derive(Debug, Clone, Default, PartialEq)]
struct OrderedProperties(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for OrderedProperties {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = OrderedProperties;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of property schemas")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut props = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Value>()? {
                    props.push((key, value));
                }
                Ok(OrderedProperties(props))
            }
        }
        deserializer.deserialize_map(InOrder)
    }
}

#[derive(Debug, Default, Deserialize)]
struct Schema {
    #[serde(default)]
    properties: OrderedProperties,
}

#[derive(Debug, Deserialize)]
struct AnthropicTool {
    name: String,
    #[serde(default)]
    input_schema: Option<Schema>,
}

#[derive(Debug, Deserialize)]
struct AnthropicTools {
    #[serde(default)]
    tools: Option<Vec<AnthropicTool>>,
}

#[derive(Debug, Deserialize)]
struct OpenAiFunction {
    name: String,
    #[serde(default)]
    parameters: Option<Schema>,
}

#[derive(Debug, Deserialize)]
struct OpenAiTool {
    function: OpenAiFunction,
}

#[derive(Debug, Deserialize)]
struct OpenAiTools {
    #[serde(default)]
    tools: Option<Vec<OpenAiTool>>,
}

/// The `tools` of an Anthropic Messages request body (`name`, `input_schema`).
pub fn anthropic_tools(body: &[u8]) -> Result<Vec<ToolSpec>, String> {
    let parsed: AnthropicTools = serde_json::from_slice(body).map_err(|e| format!("tools: {e}"))?;
    Ok(parsed
        .tools
        .unwrap_or_default()
        .into_iter()
        .map(|t| ToolSpec {
            name: t.name,
            properties: t.input_schema.unwrap_or_default().properties.0,
        })
        .collect())
}

/// The `tools` of an OpenAI Chat Completions request body (`function.name`, `function.parameters`).
pub fn openai_tools(body: &[u8]) -> Result<Vec<ToolSpec>, String> {
    let parsed: OpenAiTools = serde_json::from_slice(body).map_err(|e| format!("tools: {e}"))?;
    Ok(parsed
        .tools
        .unwrap_or_default()
        .into_iter()
        .map(|t| ToolSpec {
            name: t.function.name,
            properties: t.function.parameters.unwrap_or_default().properties.0,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anthropic_properties_keep_document_order() {
        let body = br#"{"tools":[{"name":"add","input_schema":{"type":"object",
            "properties":{"z":{"type":"number"},"a":{"type":"number"}}}},{"name":"other"}]}"#;
        let tools = anthropic_tools(body).unwrap();
        assert_eq!(tools.len(), 2);
        assert_eq!(tools[0].name, "add");
        let names: Vec<_> = tools[0]
            .properties
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(names, ["z", "a"]);
        assert!(tools[1].properties.is_empty());
    }

    #[test]
    fn openai_functions_are_read() {
        let body = br#"{"tools":[{"type":"function","function":{"name":"mul",
            "parameters":{"type":"object","properties":{"y":{"type":"integer"},"x":{"type":"integer"}}}}}]}"#;
        let tools = openai_tools(body).unwrap();
        assert_eq!(tools[0].name, "mul");
        assert_eq!(tools[0].properties[0].0, "y");
    }

    #[test]
    fn no_tools_is_an_empty_list_and_bad_tools_an_error() {
        assert_eq!(anthropic_tools(b"{}").unwrap(), vec![]);
        assert!(anthropic_tools(br#"{"tools":[{"input_schema":{}}]}"#).is_err());
        assert!(openai_tools(br#"{"tools":"no"}"#).is_err());
    }
}

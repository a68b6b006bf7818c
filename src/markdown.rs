//! Safe Markdown rendering of model output.

//! The tool-using agent loop (seeds 003 and 004). Filled in by the agents work.

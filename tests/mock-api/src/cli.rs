//! Command-line options: `mock-api [--port N] [--host H] [--site DIR [--site-port M]]`.

use std::path::PathBuf;

/// Printed for `--help` and after a usage error.
pub const USAGE: &str = "\
usage: mock-api [--port N] [--host 127.0.0.1] [--site DIR [--site-port M]]

  --port N        API port (default 8787; 0 picks a free port)
  --host H        address to bind (default 127.0.0.1)
  --site DIR      also serve the static directory DIR (a built web app) ...
  --site-port M   ... on this port (default 0: a free port), a different origin from the API

Prints `mock-api listening on http://HOST:PORT` (and `mock-api serving DIR on http://HOST:M`)
on stdout once ready; logs go to stderr. Controls: see tests/mock-api/README.md.";

/// Parsed options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub host: String,
    pub port: u16,
    pub site: Option<PathBuf>,
    pub site_port: u16,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            host: "127.0.0.1".to_string(),
            port: 8787,
            site: None,
            site_port: 0,
        }
    }
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Serve(Options),
    Help,
}

/// Parses the arguments after the program name.
///
/// ```
/// use mock_api::cli::{parse, Command};
/// let Ok(Command::Serve(o)) = parse(["--port", "0"].map(String::from)) else { panic!() };
/// assert_eq!(o.port, 0);
/// ```
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "--help" || flag == "-h" {
            return Ok(Command::Help);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or(format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" => options.port = port(&value()?)?,
            "--host" => options.host = value()?,
            "--site" => options.site = Some(PathBuf::from(value()?)),
            "--site-port" => options.site_port = port(&value()?)?,
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    Ok(Command::Serve(options))
}

fn port(text: &str) -> Result<u16, String> {
    text.parse()
        .map_err(|_| format!("'{text}' is not a port number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_bind_loopback() {
        assert_eq!(parse(args(&[])), Ok(Command::Serve(Options::default())));
    }

    #[test]
    fn all_flags_both_spellings() {
        let parsed = parse(args(&[
            "--port=0",
            "--host",
            "0.0.0.0",
            "--site",
            "dist",
            "--site-port",
            "9000",
        ]));
        assert_eq!(
            parsed,
            Ok(Command::Serve(Options {
                host: "0.0.0.0".into(),
                port: 0,
                site: Some(PathBuf::from("dist")),
                site_port: 9000,
            }))
        );
    }

    #[test]
    fn mistakes_are_reported() {
        assert!(parse(args(&["--port", "lots"])).is_err());
        assert!(parse(args(&["--port"])).is_err());
        assert!(parse(args(&["--verbose"])).is_err());
        assert_eq!(parse(args(&["--help"])), Ok(Command::Help));
    }
}

//! Running commands: echo them, and turn failures into messages.

pub use std::process::Command as Cmd;
use std::process::Stdio;

/// Runs `cmd` with inherited output; an error names the command.
pub fn run(cmd: &mut Cmd) -> Result<(), String> {
    let shown = describe(cmd);
    eprintln!("\x1b[2m$ {shown}\x1b[0m");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Runs `cmd` quietly and returns its standard output.
pub fn capture(cmd: &mut Cmd) -> Result<String, String> {
    let shown = describe(cmd);
    let output = cmd
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!("`{shown}` failed ({})", output.status))
    }
}

fn describe(cmd: &Cmd) -> String {
    std::iter::once(cmd.get_program().to_string_lossy().into_owned())
        .chain(cmd.get_args().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

//! `mock-api`: starts the mock API (and optionally the static site) and says where, on one
//! stdout line each, so a test harness can read the port.

use std::io::Write;
use std::process::ExitCode;

use mock_api::cli::{self, Command, USAGE};

#[tokio::main]
async fn main() -> ExitCode {
    let options = match cli::parse(std::env::args().skip(1)) {
        Ok(Command::Serve(options)) => options,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("mock-api: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let api = match mock_api::start(&format!("{}:{}", options.host, options.port)).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!(
                "mock-api: cannot listen on {}:{}: {e}",
                options.host, options.port
            );
            return ExitCode::FAILURE;
        }
    };
    let mut lines = vec![format!("mock-api listening on {}", api.url)];
    let mut tasks = vec![api.task];
    if let Some(dir) = &options.site {
        let address = format!("{}:{}", options.host, options.site_port);
        match mock_api::start_site(&address, dir.clone()).await {
            Ok(site) => {
                lines.push(format!(
                    "mock-api serving {} on {}",
                    dir.display(),
                    site.url
                ));
                tasks.push(site.task);
            }
            Err(e) => {
                eprintln!("mock-api: cannot serve the site on {address}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let mut stdout = std::io::stdout().lock();
    for line in lines {
        // A harness that stopped reading must not take the server down.
        let _ = writeln!(stdout, "{line}");
    }
    let _ = stdout.flush();
    drop(stdout);
    for task in tasks {
        let _ = task.await;
    }
    ExitCode::SUCCESS
}

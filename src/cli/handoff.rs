//! Commands handed to a running `serve`. The embedded catalogue admits one process, so while
//! `serve` holds the library, a command that needs it (`token create`, `ingest ~/Pictures`,
//! `approve`, `ls`…) is sent over a Unix socket beside the journal, owned by the same user
//! (mode 0600, the peer's uid checked), and runs inside the service on the service's open
//! library: its changes are journaled as usual and visible over HTTP at once. What it writes
//! comes back and is printed here, with its exit code.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Parser;
use serde::{Deserialize, Serialize};

use super::args::{Cli, Command, UserAction};
use super::output::{self, Written};
use super::Opened;

/// Largest request or answer read from the socket (arguments, a listing as JSON).
const MAX_MESSAGE: u64 = 256 << 20;

/// A command as the asking process parsed it.
#[derive(Serialize, Deserialize)]
struct Request {
    /// The arguments, program name first.
    argv: Vec<String>,
    /// Where relative paths in them start.
    cwd: PathBuf,
    /// The time the command acts at (the asking process's clock or `--now`).
    now: String,
    /// A line of standard input, for the commands that read one (a password).
    input: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Answer {
    code: i32,
    #[serde(flatten)]
    written: Written,
}

/// Sends `command` to the `serve` holding the library, when it can run there; otherwise (no
/// service answers, or a command that needs the library to itself) returns `locked`.
pub(super) fn send(
    catalog_dir: &Path,
    command: &Command,
    now: &str,
    locked: anyhow::Error,
) -> Result<i32> {
    if matches!(command, Command::Serve { .. } | Command::Restore { .. }) {
        return Err(locked);
    }
    let Ok(mut stream) = UnixStream::connect(brandvault::service::socket_path(catalog_dir)) else {
        return Err(locked);
    };
    let reads_a_line = matches!(
        command,
        Command::User {
            action: UserAction::Create { .. } | UserAction::Passwd { .. }
        }
    );
    let input = reads_a_line
        .then(output::read_line)
        .transpose()
        .context("reading standard input")?;
    let argv = std::env::args_os()
        .map(|a| a.into_string())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|a| anyhow::anyhow!("an argument is not UTF-8: {a:?}"))?;
    let request = Request {
        argv,
        cwd: std::env::current_dir().context("the current folder")?,
        now: now.to_owned(),
        input,
    };
    serde_json::to_writer(&mut stream, &request)?;
    stream.shutdown(std::net::Shutdown::Write)?;
    let mut bytes = Vec::new();
    (&mut stream)
        .take(MAX_MESSAGE)
        .read_to_end(&mut bytes)
        .context("reading the running service's answer")?;
    let answer: Answer =
        serde_json::from_slice(&bytes).context("the running service's answer is not readable")?;
    output::out(&answer.written.stdout)?;
    eprint!("{}", answer.written.stderr);
    Ok(answer.code)
}

/// The service's side: what answers a connection, running its command on `lib`.
pub(super) fn answering(lib: Opened) -> brandvault::service::Answer {
    Box::new(move |stream| {
        if let Err(e) = answer(&lib, stream) {
            tracing::warn!("a handed-over command's answer could not be sent: {e}");
        }
    })
}

fn answer(lib: &Opened, stream: &mut UnixStream) -> std::io::Result<()> {
    let mut bytes = Vec::new();
    stream.take(MAX_MESSAGE).read_to_end(&mut bytes)?;
    let answer = match serde_json::from_slice::<Request>(&bytes) {
        Ok(request) => run(lib, request),
        Err(e) => Answer {
            code: 1,
            written: Written {
                stdout: String::new(),
                stderr: format!("brandvault: unreadable request: {e}\n"),
            },
        },
    };
    stream.write_all(&serde_json::to_vec(&answer).map_err(std::io::Error::other)?)?;
    stream.flush()
}

fn run(lib: &Opened, request: Request) -> Answer {
    let cli = match Cli::try_parse_from(&request.argv) {
        Ok(cli) => cli,
        Err(e) => {
            return Answer {
                code: 2,
                written: Written {
                    stdout: String::new(),
                    stderr: e.to_string(),
                },
            }
        }
    };
    let json = cli.json;
    let command = absolute(cli.command, &request.cwd);
    let here = Opened {
        now: request.now,
        ..lib.clone()
    };
    let (result, written) = output::captured(request.input, || {
        // A shared catalogue may have moved since the service's last request.
        let result = (here.catalog.refresh().map_err(anyhow::Error::from))
            .and_then(|()| super::on_library(&here, command, json));
        result.unwrap_or_else(|e| super::report_failure(&e, json))
    });
    Answer {
        code: result,
        written,
    }
}

/// The command with its relative paths made absolute from the asking process's folder.
fn absolute(command: Command, cwd: &Path) -> Command {
    let at = |p: PathBuf| if p.is_absolute() { p } else { cwd.join(p) };
    match command {
        Command::Ingest(mut args) => {
            args.paths = args.paths.into_iter().map(at).collect();
            Command::Ingest(args)
        }
        Command::Export {
            id,
            preset,
            exact,
            output,
        } => Command::Export {
            id,
            preset,
            exact,
            output: at(output),
        },
        Command::Kit { output } => Command::Kit { output: at(output) },
        other => other,
    }
}

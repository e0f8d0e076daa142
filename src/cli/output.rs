//! Where a command's output goes: standard output and error, or, for a command handed over to
//! a running `serve`, buffers sent back to the process that asked for it. Per thread, so
//! commands handed over at the same time never mix. Likewise the one line a command may read
//! (a password).

use std::cell::RefCell;
use std::io::{BufRead, Write};

/// What a command handed over wrote.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(super) struct Written {
    pub stdout: String,
    pub stderr: String,
}

thread_local! {
    static CAPTURED: RefCell<Option<Written>> = const { RefCell::new(None) };
    static INPUT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Whether this command's output goes back to another process (no progress bars then: the
/// service's terminal is not the asker's).
pub(super) fn is_captured() -> bool {
    CAPTURED.with_borrow(Option::is_some)
}

/// Writes to the command's standard output.
pub(super) fn out(text: &str) -> std::io::Result<()> {
    if CAPTURED.with_borrow_mut(|c| c.as_mut().map(|w| w.stdout.push_str(text)).is_some()) {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Writes one line to the command's standard error: `brandvault: {message}`.
pub(super) fn complain(message: &str) {
    let line = format!("brandvault: {}\n", super::printable(message));
    if CAPTURED.with_borrow_mut(|c| c.as_mut().map(|w| w.stderr.push_str(&line)).is_some()) {
        return;
    }
    eprint!("{line}");
}

/// One line of the command's input, with its line ending.
pub(super) fn read_line() -> std::io::Result<String> {
    if let Some(line) = INPUT.with_borrow_mut(Option::take) {
        return Ok(line);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line)
}

/// Runs `f` with `input` as its input line and what it writes kept; returns both.
pub(super) fn captured<T>(input: Option<String>, f: impl FnOnce() -> T) -> (T, Written) {
    INPUT.with_borrow_mut(|i| *i = input);
    CAPTURED.with_borrow_mut(|c| *c = Some(Written::default()));
    let result = f();
    let written = CAPTURED.with_borrow_mut(Option::take).unwrap_or_default();
    INPUT.with_borrow_mut(|i| *i = None);
    (result, written)
}

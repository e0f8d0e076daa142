//! Nothing lost, nothing leaked, round two: a clean stop whatever happened to the files.

#[macro_use]
mod common;

use std::time::{Duration, Instant};

use common::Fixture;

/// `serve` stops within seconds of SIGTERM after its hand-over socket and then its whole data
/// folder were removed under it (a tmp cleaner, an operator, a second node's stop).
#[test]
fn serve_stops_on_sigterm_when_its_socket_and_folder_are_gone() {
    if Fixture::shared_catalog() {
        eprintln!("skipped: with a shared catalogue the data folder holds no journal to lose");
        return;
    }
    let fx = Fixture::new();
    let (mut serve, lines) = fx.serve_logged();
    common::net::expect_line(&lines, " workers");
    let socket = fx.data().join("serve.sock");
    assert!(socket.exists(), "the hand-over socket is there");
    std::fs::remove_file(&socket).unwrap();
    std::fs::remove_dir_all(fx.data()).unwrap();
    let pid = i32::try_from(serve.0.id()).unwrap();
    // SAFETY: kill sends a signal to a child process this test started; no memory is passed.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let asked = Instant::now();
    // The log closes when the process ends: wait for that, at most 10 s.
    loop {
        let left = Duration::from_secs(10).saturating_sub(asked.elapsed());
        match lines.recv_timeout(left) {
            Ok(_) => continue,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                panic!("serve still running 10 s after SIGTERM")
            }
        }
    }
    let status = serve.0.wait().unwrap();
    assert!(asked.elapsed() < Duration::from_secs(10));
    assert!(status.code().is_some(), "it exited by itself: {status:?}");
}

//! The socket other processes hand commands to while this service holds the library (the
//! embedded catalogue admits one process). It lives beside the journal, is the same user's only
//! (mode 0600, and each peer's uid checked), and each connection is answered on a thread of its
//! own, since a handed-over `ingest` may take minutes. What a connection means is the CLI's
//! business: the service only listens.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Answers one connection: reads the request, writes the answer.
pub type Answer = Box<dyn Fn(&mut UnixStream) + Send + Sync>;

/// The socket a running `serve` takes commands on, in the catalogue's folder.
pub fn socket_path(catalog_dir: &Path) -> PathBuf {
    catalog_dir.join("serve.sock")
}

/// The listening socket, until `close`.
pub(super) struct Listening {
    path: PathBuf,
    /// The socket file this service made (device, inode): removed at the end only if it is
    /// still that one, never another service's.
    made: Option<(u64, u64)>,
    /// The listener itself, to wake its blocking accept by shutting it down.
    listener: UnixListener,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path)
        .ok()
        .map(|m| (m.dev(), m.ino()))
}

/// Listens on `path` (replacing a socket a crashed service left: this process holds the
/// library, so no other service can be behind it). None, with a warning, if it cannot.
pub(super) fn listen(path: PathBuf, answer: Answer) -> Option<Listening> {
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)
        .and_then(|l| {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map(|()| l)
        })
        .map_err(|e| {
            tracing::warn!(
                "commands from other processes cannot be taken ({}: {e}); they must wait until the service stops",
                path.display()
            )
        })
        .ok()?;
    let made = file_id(&path);
    let kept = listener.try_clone().ok()?;
    let stop = Arc::new(AtomicBool::new(false));
    let answer = Arc::new(answer);
    let thread = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let Ok(mut stream) = stream else { continue };
                if !same_user(&stream) {
                    tracing::warn!("refused a command from another user on the service's socket");
                    continue;
                }
                let answer = answer.clone();
                std::thread::spawn(move || answer(&mut stream));
            }
        })
    };
    Some(Listening {
        path,
        made,
        listener: kept,
        stop,
        thread,
    })
}

impl Listening {
    /// Stops taking commands (commands already running finish or end with the process) and
    /// removes the socket.
    /// Whatever became of the socket file (removed by a cleaner, replaced by another node's,
    /// its folder deleted), this returns at once.
    pub(super) fn close(self) {
        use std::os::fd::AsRawFd;
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the blocking accept (it fails with EINVAL), which then sees the flag; unlike
        // connecting to the file, this works when the file is gone.
        // SAFETY: shutdown on a socket descriptor this value owns; no memory is passed.
        unsafe { libc::shutdown(self.listener.as_raw_fd(), libc::SHUT_RDWR) };
        let _ = self.thread.join();
        if self.made.is_some() && file_id(&self.path) == self.made {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether the process at the other end runs as this process's user.
fn same_user(stream: &UnixStream) -> bool {
    use std::os::fd::AsRawFd;
    let mut cred = libc::ucred {
        pid: 0,
        uid: u32::MAX,
        gid: u32::MAX,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into `cred`, a properly sized ucred.
    let status = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    // SAFETY: getuid has no preconditions.
    status == 0 && cred.uid == unsafe { libc::getuid() }
}
